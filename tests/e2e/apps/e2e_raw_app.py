"""A bare ASGI 3 app (no ws-kit) that proves the server fixtures work.

It also records how each server treats an open WebSocket on shutdown, which is
what a framework can and cannot do there: counters go to the JSON file named by
the ``E2E_COUNTERS_FILE`` environment variable.
"""

import asyncio
import json
import os
from typing import Any

_COUNTERS_FILE = os.environ.get("E2E_COUNTERS_FILE")
counters: dict[str, Any] = {
    "lifespan_startup": 0,
    "lifespan_shutdown": 0,
    "accepted": 0,
    "disconnect_codes": [],
    "cancelled": 0,
    "finished": 0,
    "cancelled_at_shutdown": 0,
}
# asyncio tasks serving WebSockets (on trio, hypercorn finishes them before the lifespan
# shutdown anyway).
_connection_tasks: set[Any] = set()


def _current_asyncio_task() -> Any:
    try:
        return asyncio.current_task()
    except RuntimeError:  # not on asyncio
        return None


async def _finish_connections() -> None:
    """What a framework must do on lifespan shutdown: granian may run it while some
    connection tasks have not yet been told their peer left, and exits right after."""
    pending = [task for task in _connection_tasks if not task.done()]
    counters["cancelled_at_shutdown"] = len(pending)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=5)


def _save() -> None:
    if not _COUNTERS_FILE:
        return
    tmp = f"{_COUNTERS_FILE}.tmp"
    with open(tmp, "w") as fh:
        json.dump(counters, fh)
    os.replace(tmp, _COUNTERS_FILE)


async def _deny(scope: dict[str, Any], send: Any, status: int) -> None:
    if "websocket.http.response" in scope.get("extensions", {}):
        body = json.dumps({"status": status}).encode()
        await send(
            {
                "type": "websocket.http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008})


async def _websocket(scope: dict[str, Any], receive: Any, send: Any) -> None:
    path = scope["path"]
    message = await receive()
    assert message["type"] == "websocket.connect", message
    if path == "/deny403":
        await _deny(scope, send, 403)
        return
    if path == "/close-before-accept":
        await send({"type": "websocket.close", "code": 1008})
        return
    if path not in {"/echo", "/subprotocol"}:
        await _deny(scope, send, 404)
        return
    subprotocol = None
    if path == "/subprotocol" and scope.get("subprotocols"):
        subprotocol = scope["subprotocols"][-1]
    task = _current_asyncio_task()
    if task is not None:
        _connection_tasks.add(task)
        task.add_done_callback(_connection_tasks.discard)
    await send({"type": "websocket.accept", "subprotocol": subprotocol})
    counters["accepted"] += 1
    _save()
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                counters["disconnect_codes"].append(message.get("code"))
                return
            if message.get("text") is not None:
                await send({"type": "websocket.send", "text": message["text"]})
            else:
                await send({"type": "websocket.send", "bytes": message.get("bytes") or b""})
    except BaseException:
        counters["cancelled"] += 1
        raise
    finally:
        counters["finished"] += 1
        _save()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI entry point."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                counters["lifespan_startup"] += 1
                _save()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await _finish_connections()
                counters["lifespan_shutdown"] += 1
                _save()
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif scope["type"] == "http":
        while (await receive()).get("more_body"):
            pass
        status = 200 if scope["path"] == "/__e2e_ready" else 404
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-length", b"2")],
            }
        )
        await send({"type": "http.response.body", "body": b"ok" if status == 200 else b"no"})
    elif scope["type"] == "websocket":
        await _websocket(scope, receive, send)
