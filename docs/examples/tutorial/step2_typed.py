from datetime import UTC, datetime

import msgspec

from ws_kit import App, websocket_listener


class Say(msgspec.Struct):
    text: str


class Said(msgspec.Struct):
    text: str
    sent_at: datetime


@websocket_listener("/chat")
async def chat(data: Say) -> Said:
    return Said(text=data.text, sent_at=datetime.now(UTC))


app = App([chat])
