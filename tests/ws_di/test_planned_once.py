import inspect
import typing
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from typing import Any, NoReturn

import pytest

from ws_di import Provide, merge_providers, plan_dependencies

pytestmark = pytest.mark.anyio


class Client:
    def __init__(self, url: str) -> None:
        self.url = url


async def test_resolution_and_kwargs_do_not_inspect_signatures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def url(room: str) -> str:
        return f"db://{room}"

    async def token(client: Client) -> str:
        return client.url.upper()

    def session(token: str) -> Iterator[str]:
        yield f"session {token}"

    async def connection(session: str) -> AsyncIterator[str]:
        yield f"connection {session}"

    async def cached() -> int:
        return 7

    def handler(self: Any, data: str, connection: str, cached: int, page: int = 1) -> None: ...

    plan = plan_dependencies(
        {"handler": handler},
        providers=merge_providers(
            {
                "url": Provide(url, sync_to_thread=False),
                "client": Client,
                "token": token,
                "session": session,
                "connection": connection,
                "cached": Provide(cached, use_cache=True),
            }
        ),
        supplied=("room",),
        reserved=("self", "data"),
        allow_unresolved=True,
        owner="test",
    )

    def forbidden(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError("inspected a callable during resolution")

    for name in ("signature", "iscoroutinefunction", "isasyncgenfunction", "isgeneratorfunction"):
        monkeypatch.setattr(inspect, name, forbidden)
    monkeypatch.setattr(typing, "get_type_hints", forbidden)

    for _ in range(2):
        async with AsyncExitStack() as stack:
            values = await plan.resolve({"room": "lobby"}, stack)
            kwargs = plan.kwargs_for("handler", values)

    assert kwargs == {"connection": "connection session DB://LOBBY", "cached": 7}
