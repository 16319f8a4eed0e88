from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ws_kit import App
from ws_kit.channels import ChannelsPlugin

channels = ChannelsPlugin(
    channels=["prices"],
    create_ws_route_handlers=True,
    subscriber_max_backlog=200,  # events that may wait per connection
    # Only the latest prices matter: a slow client skips the oldest ones.
    subscriber_backlog_strategy="dropleft",
)


async def stats(request: Request) -> JSONResponse:
    # published, delivered, dropped, lost, subscribers: in all and per channel.
    return JSONResponse(channels.stats())


app = App([], plugins=[channels], http_app=Starlette(routes=[Route("/stats", stats)]))
