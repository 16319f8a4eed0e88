from typing import Dict  # noqa: UP035 - the guide shows the typing.Dict spelling too

from ws_kit import App, websocket_listener


@websocket_listener("/")
async def handler(data: Dict[str, str]) -> Dict[str, str]:  # noqa: UP006
    return data


app = App([handler])
