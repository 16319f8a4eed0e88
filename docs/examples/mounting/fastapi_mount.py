from fastapi import FastAPI

from ws_kit import App, websocket_listener


@websocket_listener("/echo")
async def echo(data: str) -> str:
    return f"ws-kit says: {data}"


realtime = App([echo])

api = FastAPI()


@api.get("/status")
async def status() -> dict[str, str]:
    return {"status": "ok"}


api.mount("/realtime", realtime)
