"""Coverage-guided fuzzing of typed listeners with atheris (not part of CI).

Not collected by pytest (the file name does not start with ``test_``). Run it in
any environment that has ws-kit and atheris (atheris ships wheels for CPython
3.11/3.12 on Linux)::

    python tests/e2e/fuzz_atheris.py -runs=200000          # or -max_total_time=600

It drives the ASGI callable of an ``App`` directly on one asyncio loop and one
connection per listener, reused across inputs (a new one after each close).
The first byte of an input picks the listener and the channel, the rest is the
frame. Same oracle as test_fuzz.py: after the frame and a valid follow-up the
connection either closed with 1007 (non-empty reason of at most 123 bytes) or
answered the follow-up; anything else (another close code, no answer within
the timeout, an exception escaping the app) raises, and atheris reports the
input that did it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]

if TYPE_CHECKING:  # imported for real below, instrumented
    from ws_core import Message

with atheris.instrument_imports():
    import msgspec

    from ws_kit import App, websocket_listener

TIMEOUT = 5.0


@dataclass
class Order:
    item: str
    qty: int
    tags: list[str] = field(default_factory=list)


@websocket_listener("/json")
async def order_json(data: Order) -> dict[str, Any]:
    return {"item": data.item, "qty": data.qty}


@websocket_listener("/msgpack", receive_mode="binary", send_mode="binary", protocol="msgpack")
async def order_msgpack(data: Order) -> dict[str, Any]:
    return {"item": data.item, "qty": data.qty}


@websocket_listener("/dict")
async def mapping(data: dict[str, int]) -> dict[str, int]:
    return {"keys": len(data)}


APP = App([order_json, order_msgpack, mapping])
TARGETS = ("/json", "/msgpack", "/dict")


def follow_up(path: str, nonce: str) -> tuple[dict[str, Any], Any]:
    """The valid message for ``path`` and the decoded reply it must get."""
    if path == "/json":
        return {"type": "websocket.receive", "text": json.dumps({"item": nonce, "qty": 1})}, {
            "item": nonce,
            "qty": 1,
        }
    if path == "/msgpack":
        payload = msgspec.msgpack.encode({"item": nonce, "qty": 1})
        return {"type": "websocket.receive", "bytes": payload}, {"item": nonce, "qty": 1}
    return {"type": "websocket.receive", "text": json.dumps({nonce: 1})}, {"keys": 1}


class Connection:
    """One in-process WebSocket connection to APP."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.to_app: asyncio.Queue[Message] = asyncio.Queue()
        self.from_app: asyncio.Queue[Message] = asyncio.Queue()
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "scheme": "ws",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"fuzz")],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 2),
            "subprotocols": [],
            "extensions": {"websocket.http.response": {}},
            "state": {},
        }
        self.task = asyncio.get_running_loop().create_task(
            APP(scope, self.to_app.get, self.from_app.put)
        )

    async def open(self) -> None:
        await self.to_app.put({"type": "websocket.connect"})
        message = await asyncio.wait_for(self.from_app.get(), TIMEOUT)
        assert message["type"] == "websocket.accept", message

    async def finish(self) -> None:
        await self.to_app.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(self.task, TIMEOUT)  # re-raises what escaped the app


class Driver:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.connections: dict[str, Connection] = {}
        self.loop.run_until_complete(self._lifespan_startup())

    async def _lifespan_startup(self) -> None:
        to_app: asyncio.Queue[Message] = asyncio.Queue()
        from_app: asyncio.Queue[Message] = asyncio.Queue()
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self.lifespan = asyncio.get_running_loop().create_task(APP(scope, to_app.get, from_app.put))
        await to_app.put({"type": "lifespan.startup"})
        message = await asyncio.wait_for(from_app.get(), TIMEOUT)
        assert message["type"] == "lifespan.startup.complete", message

    async def _connection(self, path: str) -> Connection:
        conn = self.connections.get(path)
        if conn is None:
            conn = Connection(path)
            await conn.open()
            self.connections[path] = conn
        return conn

    async def check(self, path: str, frame: dict[str, Any]) -> None:
        conn = await self._connection(path)
        nonce = uuid.uuid4().hex
        valid, expected = follow_up(path, nonce)
        await conn.to_app.put(frame)
        await conn.to_app.put(valid)
        for _ in range(2):
            event = await asyncio.wait_for(conn.from_app.get(), TIMEOUT)
            if event["type"] == "websocket.close":
                code, reason = event.get("code", 1000), event.get("reason") or ""
                if code != 1007 or not reason or len(reason.encode()) > 123:
                    raise AssertionError(f"closed with {code} {reason!r}")
                del self.connections[path]
                await conn.finish()
                return
            assert event["type"] == "websocket.send", event
            payload = event.get("text") if path != "/msgpack" else event.get("bytes")
            if payload is None:
                raise AssertionError(f"reply on the wrong channel: {event!r:.200}")
            decoded = json.loads(payload) if path != "/msgpack" else msgspec.msgpack.decode(payload)
            if decoded == expected:
                return
        raise AssertionError("the follow-up was never answered")


DRIVER: Driver | None = None


def test_one_input(data: bytes) -> None:
    global DRIVER
    if DRIVER is None:
        DRIVER = Driver()
    if not data:
        return
    path = TARGETS[data[0] % len(TARGETS)]
    body = data[1:]
    if data[0] & 0x80:
        frame = {"type": "websocket.receive", "bytes": body}
    else:
        frame = {"type": "websocket.receive", "text": body.decode("utf-8", "replace")}
    DRIVER.loop.run_until_complete(DRIVER.check(path, frame))


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
