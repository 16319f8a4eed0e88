import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal, TypedDict

from ws_kit import App, websocket_listener


@dataclass
class Order:
    item: str
    quantity: int
    side: Literal["buy", "sell"]
    deliver_on: date | None = None


class Receipt(TypedDict):
    order_id: uuid.UUID
    item: str
    total: Decimal


@dataclass
class Basket:
    orders: list[Order] = field(default_factory=list)


PRICES = {"apple": Decimal("0.40"), "pear": Decimal("0.55")}


@websocket_listener("/orders")
async def place(data: Order) -> Receipt:
    # data is a real, validated Order: quantity is an int, side is "buy" or "sell"
    return Receipt(order_id=uuid.uuid4(), item=data.item, total=PRICES[data.item] * data.quantity)


@websocket_listener("/baskets")
async def count(data: Basket) -> dict[str, int]:
    return {"orders": len(data.orders), "items": sum(o.quantity for o in data.orders)}


app = App([place, count])
