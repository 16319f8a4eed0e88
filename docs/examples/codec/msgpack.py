import msgspec

from ws_kit import App, websocket_listener


class Reading(msgspec.Struct):
    sensor: str
    values: list[float]


class Summary(msgspec.Struct):
    sensor: str
    mean: float


@websocket_listener("/readings", protocol="msgpack", receive_mode="binary", send_mode="binary")
async def summarise(data: Reading) -> Summary:
    return Summary(sensor=data.sensor, mean=sum(data.values) / len(data.values))


app = App([summarise])
