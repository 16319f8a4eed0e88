from collections.abc import AsyncIterator

import anyio

from ws_kit import App, WebSocket, websocket_listener


async def heartbeat(socket: WebSocket) -> AsyncIterator[None]:
    """Sends a heartbeat every second for as long as the connection lives."""

    async def beat() -> None:
        beats = 0
        while True:
            await socket.send_json({"heartbeat": beats})
            beats += 1
            await anyio.sleep(1)

    async with anyio.create_task_group() as group:
        group.start_soon(beat)
        yield  # the listener serves the connection here
        group.cancel_scope.cancel()


@websocket_listener("/echo", connection_lifespan=heartbeat)
async def echo(data: str) -> str:
    return data


app = App([echo])
