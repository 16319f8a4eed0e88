import asyncio
import time
from typing import Any, AsyncGenerator  # noqa: UP035 - the guide shows the typing spelling too

from ws_kit import App, WebSocket, websocket_stream


@websocket_stream("/")
async def ping(socket: WebSocket) -> AsyncGenerator[dict[str, Any], None]:
    while True:
        yield {"time": time.time(), "client": socket.client}
        await asyncio.sleep(0.5)


app = App([ping])
