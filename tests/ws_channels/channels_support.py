"""Helpers shared by the ws-channels tests: stuck sockets, recording sockets, faulty backends."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import anyio

from ws_channels import ChannelsPlugin, MemoryChannelsBackend, Subscriber
from ws_core import WebSocket, WebSocketMode
from ws_core.testing import AsyncWebSocketTestSession
from ws_core.types import Message, Receive, Scope, Send


class StuckSends:
    """ASGI middleware: the data sends of connections whose query holds ``stuck`` never return.

    As a client that stopped reading looks to the application once the
    socket's buffers are full. The first ``pass_first`` data sends of each
    such connection go through; :meth:`release` lets the held ones through;
    :attr:`attempts` counts the data sends held.
    """

    def __init__(self, app: Any, pass_first: int = 0) -> None:
        self.app = app
        self.pass_first = pass_first
        self.attempts = 0
        self._released = anyio.Event()

    def release(self) -> None:
        self._released.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or b"stuck" not in scope.get("query_string", b""):
            await self.app(scope, receive, send)
            return

        passed = 0

        async def stuck_send(message: Message) -> None:
            nonlocal passed
            if message["type"] == "websocket.send":
                if passed < self.pass_first:
                    passed += 1
                else:
                    self.attempts += 1
                    await self._released.wait()
            await send(message)

        await self.app(scope, receive, stuck_send)


class Recording(WebSocket):
    """What :func:`recording_socket_class` makes: a socket class with a ``sent`` list."""

    sent: ClassVar[list[tuple[str | bytes, WebSocketMode]]]


def recording_socket_class() -> type[Recording]:
    """A new WebSocket subclass whose ``sent`` list records every payload object sent."""

    class RecordingSocket(Recording):
        async def send_data(self, data: str | bytes, mode: WebSocketMode = "text") -> None:
            type(self).sent.append((data, mode))
            await super().send_data(data, mode)

    RecordingSocket.sent = []
    return RecordingSocket


class FailingBackend(MemoryChannelsBackend):
    """A memory backend whose ``publish`` raises ``failures`` times before it works again."""

    def __init__(self, history: int = 0, failures: int = 0) -> None:
        super().__init__(history=history)
        self.failures = failures
        self.attempts = 0

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        self.attempts += 1
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the broker is away")
        await super().publish(data, channels)


class SkippingBackend(MemoryChannelsBackend):
    """A memory backend that can lose events the way a broker outage does (offsets skipped)."""

    def lose(self, channel: str, count: int) -> None:
        self._heads[channel] = self._heads.get(channel, 0) + count


async def settle() -> None:
    """Return once every other task waits: what was published has been fanned out."""
    await anyio.wait_all_tasks_blocked()


async def receive_texts(session: AsyncWebSocketTestSession, count: int) -> list[str]:
    return [await session.receive_text() for _ in range(count)]


async def drain(subscriber: Subscriber, count: int) -> list[bytes]:
    """The next ``count`` events of ``subscriber``'s stream (fails after 10 s without them)."""
    received: list[bytes] = []
    if count == 0:
        return received
    with anyio.fail_after(10):
        async for data in subscriber.iter_events():
            received.append(data)
            if len(received) == count:
                break
    return received


def plugin_stats_channel(plugin: ChannelsPlugin, name: str) -> dict[str, int]:
    channel: dict[str, int] = plugin.stats()["channels"][name]
    return channel
