"""Handlers that never await while they send: they must not freeze the server.

Each stream writes a line to the file named by ``E2E_MARKS_FILE`` when its
generator is closed, so a test can tell the work stopped once the client left.
"""

import os
from collections.abc import AsyncGenerator

import anyio

from ws_kit import (
    App,
    WebSocket,
    send_websocket_stream,
    websocket,
    websocket_listener,
    websocket_stream,
)

ROWS = 50_000_000  # far more than any client reads: only the client's leaving ends a stream


def mark(text: str) -> None:
    with open(os.environ["E2E_MARKS_FILE"], "a") as marks:
        marks.write(text + "\n")


async def rows(label: str) -> AsyncGenerator[int, None]:
    try:
        for row in range(ROWS):  # never awaits
            yield row
    finally:
        mark(f"{label} closed")


@websocket_stream("/flood")
async def flood() -> AsyncGenerator[int, None]:
    async for row in rows("flood"):
        yield row


@websocket("/flood-send")
async def flood_send(socket: WebSocket) -> None:
    """send_websocket_stream beside the application's own reader, as the guide combines them."""
    await socket.accept()

    async def read() -> None:
        async for _ in socket.iter_text():
            pass

    async with anyio.create_task_group() as group:
        group.start_soon(read)
        # Once the reader has seen the client leave, the next send raises: the stream ends.
        await send_websocket_stream(socket, rows("flood-send"))


@websocket_listener("/echo")
async def echo(data: str) -> str:
    return data


app = App([flood, flood_send, echo])
