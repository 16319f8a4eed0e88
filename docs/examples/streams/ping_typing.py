import asyncio
import time
from typing import AsyncGenerator  # noqa: UP035 - the guide shows the typing spelling too

from ws_kit import App, websocket_stream


@websocket_stream("/")
async def ping() -> AsyncGenerator[float, None]:
    while True:
        yield time.time()
        await asyncio.sleep(0.5)


app = App([ping])
