"""Drive an ASGI WebSocket app in-process: scripted ``receive``, counting ``send``.

Nothing here touches the network. ``receive`` hands out pre-built events
without awaiting anything, so what is timed is the app (plus two tiny
callables that every app pays alike).
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Message, Receive, Send], Awaitable[None]]

CONNECT: Message = {"type": "websocket.connect"}
DISCONNECT: Message = {"type": "websocket.disconnect", "code": 1000}


def websocket_scope(path: str, query_string: bytes = b"") -> Message:
    """A complete ASGI 3 ``websocket`` scope as uvicorn would build it."""
    return {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "scheme": "ws",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query_string,
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"connection", b"Upgrade"),
            (b"upgrade", b"websocket"),
            (b"sec-websocket-version", b"13"),
            (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
        ],
        "subprotocols": [],
        "state": {},
        "extensions": {},
    }


def text_frames(texts: Sequence[str]) -> list[Message]:
    """``websocket.receive`` events on the text channel."""
    return [{"type": "websocket.receive", "text": t} for t in texts]


class Recorder:
    """The ``send`` callable: counts data frames, keeps the last one and the close."""

    __slots__ = ("accepted", "close_code", "closed", "count", "last")

    def __init__(self) -> None:
        self.accepted = False
        self.count = 0
        self.last: Message | None = None
        self.close_code: int | None = None
        self.closed = asyncio.Event()

    async def __call__(self, message: Message) -> None:
        kind = message["type"]
        if kind == "websocket.send":
            self.count += 1
            self.last = message
        elif kind == "websocket.accept":
            self.accepted = True
        elif kind == "websocket.close":
            self.close_code = message.get("code", 1000)
            self.closed.set()
        elif kind == "websocket.http.response.start":
            self.close_code = -message.get("status", 0)
            self.closed.set()


def scripted_receive(events: Sequence[Message]) -> Receive:
    """``receive`` returning ``events`` in order, then disconnects forever."""
    next_event = iter(events).__next__

    async def receive() -> Message:
        try:
            return next_event()
        except StopIteration:
            return DISCONNECT

    return receive


def stream_receive(recorder: Recorder, timeout: float) -> Receive:
    """``receive`` for streams: connect, then wait until the app closes, then disconnect."""
    state = {"connected": False}

    async def receive() -> Message:
        if not state["connected"]:
            state["connected"] = True
            return CONNECT
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(recorder.closed.wait(), timeout)
        return DISCONNECT

    return receive


class Broken(Exception):
    """The app did not do what the case expects (so its timing would mean nothing)."""
