from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from ws_kit import App, WebSocket, websocket_listener


@websocket_listener("/echo")
async def echo(data: str, socket: WebSocket) -> dict[str, str]:
    # path is the full path; root_path is where the ws-kit app is mounted
    return {"echo": data, "path": socket.scope["path"], "root_path": socket.scope["root_path"]}


async def homepage(request: Request) -> JSONResponse:
    return JSONResponse({"hello": "from Starlette"})


realtime = App([echo])
app = Starlette(routes=[Route("/", homepage), Mount("/ws", app=realtime)])
