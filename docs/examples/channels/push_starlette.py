from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from ws_kit import App
from ws_kit.channels import ChannelsPlugin

channels = ChannelsPlugin(channels=["orders"], create_ws_route_handlers=True)


async def order_shipped(request: Request) -> JSONResponse:
    order = await request.json()
    # Returns once the backend has the event: the response can say so.
    await channels.wait_published({"shipped": order["id"]}, "orders")
    return JSONResponse({"status": "published"})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    async with channels:
        yield


app = Starlette(
    routes=[
        Route("/orders/shipped", order_shipped, methods=["POST"]),
        Mount("/ws", App([], plugins=[channels])),
    ],
    lifespan=lifespan,
)
