"""Starlette peers: plain ``WebSocketRoute`` endpoints with Starlette's own verbs."""

from starlette.applications import Starlette
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
    a = await dep_a()
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


app = Starlette(
    routes=[
        WebSocketRoute("/json", json_echo),
        WebSocketRoute("/text", text_echo),
        WebSocketRoute("/setup", setup),
    ]
)
