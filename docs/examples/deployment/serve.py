import os

import uvicorn

from ws_kit import App, websocket_listener


@websocket_listener("/echo")
async def echo(data: str) -> str:
    return data


app = App([echo])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
