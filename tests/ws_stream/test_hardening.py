"""Streams: reading left to the app, DTO-shaped send_websocket_stream, logs that cannot be
forged or flooded by a client."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncGenerator

import anyio
import pytest

from ws_codec import DTO, DTOConfig
from ws_core import App, WebSocket, websocket
from ws_core.testing import AsyncTestClient
from ws_stream import send_websocket_stream, websocket_stream

pytestmark = pytest.mark.anyio


async def test_listen_for_disconnect_false_leaves_reading_to_the_generator() -> None:
    @websocket_stream("/answers", listen_for_disconnect=False)
    async def answers(socket: WebSocket) -> AsyncGenerator[str, None]:
        async for question in socket.iter_text():  # data would close with 1003 if listened to
            yield f"answer to {question}"

    async with (
        AsyncTestClient(App([answers])) as client,
        client.websocket_connect("/answers") as ws,
    ):
        for question in ("a", "b"):
            await ws.send_text(question)
            assert await ws.receive_text() == f"answer to {question}"


@dataclasses.dataclass
class Row:
    id: int
    secret: str


class RowOut(DTO[Row]):
    config = DTOConfig(exclude={"secret"}, rename_strategy="upper")


async def test_send_websocket_stream_shapes_models_with_return_dto() -> None:
    async def rows() -> AsyncGenerator[Row | str, None]:
        yield Row(1, "s1")
        yield "as it is"
        yield Row(2, "s2")

    @websocket("/rows")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        await send_websocket_stream(socket, rows(), return_dto=RowOut)

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/rows") as ws:
        assert await ws.receive_json() == {"ID": 1}
        assert await ws.receive_text() == "as it is"
        assert await ws.receive_json() == {"ID": 2}


def stream_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ws_stream"]


async def test_a_client_cannot_forge_log_lines_through_the_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="ws_stream")

    @websocket_stream("/{name:str}")
    async def ticks(name: str) -> AsyncGenerator[str, None]:
        yield name

    # %0A and %1B arrive percent-decoded in the scope's path.
    forged = "/x%0AERROR%20forged%1B[31m"
    async with AsyncTestClient(App([ticks])) as client, client.websocket_connect(forged) as ws:
        assert await ws.receive_text() == "x\nERROR forged\x1b[31m"
    messages = [record.getMessage() for record in stream_records(caplog)]
    assert messages
    for message in messages:
        assert "\n" not in message
        assert "\x1b" not in message


async def test_discarded_client_data_is_counted_not_logged_per_frame(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="ws_stream")

    @websocket_stream("/feed", allow_data_discard=True)
    async def feed() -> AsyncGenerator[str, None]:
        yield "ready"
        await anyio.sleep_forever()

    async with AsyncTestClient(App([feed])) as client, client.websocket_connect("/feed") as ws:
        assert await ws.receive_text() == "ready"
        for n in range(50):
            await ws.send_text(f"ping {n}")
        await ws.send_text("last")
        # Leaving the block disconnects: the listener reads every frame, then the disconnect.
    (record,) = stream_records(caplog)  # one line for the whole stream
    assert "client gone; 51 client messages discarded" in record.getMessage()
