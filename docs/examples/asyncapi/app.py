"""A trading feed that describes itself: its AsyncAPI document comes from the handlers."""

from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

import anyio
import msgspec

from ws_kit import DTO, App, DTOConfig, websocket_listener, websocket_stream
from ws_kit.asyncapi import AsyncAPIConfig, AsyncAPIServer


class Order(msgspec.Struct, tag="order"):
    """Buy or sell at a limit price."""

    symbol: str
    side: Literal["buy", "sell"]
    quantity: int
    limit: Decimal


class Cancel(msgspec.Struct, tag="cancel"):
    """Cancel an order that has not been filled."""

    order_id: int


class Fill(msgspec.Struct):
    order_id: int
    price: Decimal
    filled_at: datetime
    counterparty: str


class PublicFill(DTO[Fill]):
    """A fill as clients see it: no counterparty, camelCase names."""

    config = DTOConfig(exclude={"counterparty"}, rename_strategy="camel")


@websocket_listener("/orders", return_dto=PublicFill)
async def orders(data: Order | Cancel) -> Fill | None:
    """Place and cancel orders; each order is answered by its fill."""
    if isinstance(data, Cancel):
        return None
    return Fill(1, data.limit, datetime.now(UTC), counterparty="desk 7")


@websocket_stream("/prices/{symbol:str}")
async def prices(symbol: str, every: float = 1.0) -> AsyncGenerator[Decimal, None]:
    """The price of ``symbol``, every ``every`` seconds."""
    while True:
        yield Decimal("101.25")
        await anyio.sleep(every)


app = App(
    [orders, prices],
    asyncapi=AsyncAPIConfig(
        title="Trading feed",
        version="1.4.0",
        description="Orders in, fills and prices out.",
        servers={"production": AsyncAPIServer(host="feed.example.com", protocol="wss")},
    ),
)
