"""Starlette peers: plain ``WebSocketRoute`` endpoints with Starlette's own verbs."""

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from apps.common import dep_a, dep_b, dep_c


async def json_echo(ws: WebSocket) -> None:
    await ws.accept()
    try:
        while True:
            data = await ws.receive_json()
            await ws.send_json(data)
    except WebSocketDisconnect:
        pass


async def text_echo(ws: WebSocket) -> None:
    await ws.accept()
    try:
        while True:
            await ws.send_text(await ws.receive_text())
    except WebSocketDisconnect:
        pass


async def setup(ws: WebSocket) -> None:
    # Starlette has no dependency injection: the endpoint resolves them by hand.
    await _serve_with(ws, dep_a())


async def setup_thread(ws: WebSocket) -> None:
    # The sync dependency on a worker thread, as Starlette runs sync code.
    await _serve_with(ws, await run_in_threadpool(dep_a))


async def _serve_with(ws: WebSocket, a: int) -> None:
    b = await dep_b(a)
    gen = dep_c()
    c = await gen.__anext__()
    try:
        if a and b and c:
            await ws.accept()
            await ws.close()
    finally:
        async for _ in gen:
            pass


async def setup_nodeps(ws: WebSocket) -> None:
    await ws.accept()
    await ws.close()


app = Starlette(
    routes=[
        WebSocketRoute("/json", json_echo),
        WebSocketRoute("/text", text_echo),
        WebSocketRoute("/setup", setup),
        WebSocketRoute("/setup-thread", setup_thread),
        WebSocketRoute("/setup-nodeps", setup_nodeps),
    ]
)
