from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ws_kit import App
from ws_kit.channels import ChannelsPlugin

channels = ChannelsPlugin(channels=["alerts"], create_ws_route_handlers=True)
realtime = App([], plugins=[channels])  # ws://…/ws/alerts streams the alerts


@asynccontextmanager
async def lifespan(api: FastAPI) -> AsyncIterator[None]:
    # A mounted app gets no lifespan events: the host starts the plugin itself.
    async with channels:
        yield


api = FastAPI(lifespan=lifespan)


@api.post("/alerts")
def raise_alert(alert: dict[str, str]) -> dict[str, str]:
    # A sync view runs in a worker thread; publish() hands the event over to
    # the event loop without blocking it.
    channels.publish(alert, "alerts")
    return {"status": "queued"}


api.mount("/ws", realtime)
