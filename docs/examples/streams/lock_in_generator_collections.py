import asyncio
from collections.abc import AsyncGenerator

from ws_kit import App, websocket_stream


async def ping_external_resource() -> bool:
    # Stands in for the guide's `app.lib.ping_external_resource`.
    return True


RESOURCE_LOCK = asyncio.Lock()


@websocket_stream("/")
async def ping() -> AsyncGenerator[float, None]:
    while True:
        async with RESOURCE_LOCK:
            alive = await ping_external_resource()
        yield alive
        await asyncio.sleep(1)


app = App([ping])
