"""The fan-out benchmark's rows: one ASGI app of subscribed sockets and a publisher each.

Every row serves ``/sub``: the connection subscribes to the channel
``bench`` and gets every event published to it as a text frame until the
client disconnects; ``publish(item)`` sends a dict (JSON-encoded once) to
every subscriber. Each row is written the way its framework's documentation
does it. ``url`` is ``None`` for the in-process memory backends, or a Redis
URL: the subscriber and the publisher then run in different processes, each
building the row with ``role="subscriber"`` or ``role="publisher"``.

- ``floor``: a hand-written ASGI app. The publisher encodes once and puts
  the one ``str`` into a bounded queue per socket, each drained by its own
  task (the least a correct design can do that isolates the sockets). On
  Redis, one plain redis-py subscriber per process reads the channel and
  does the same.
- ``wskit``: ws-kit's ``ChannelsPlugin`` (memory or either Redis backend),
  ``run_in_background(socket.send_data)``.
- ``litestar``: Litestar's ``ChannelsPlugin`` (memory or either Redis
  backend), ``run_in_background(socket.send_data)``.
- ``broadcaster``: encode/broadcaster behind a Starlette WebSocket route.
"""

import asyncio
import contextlib
from typing import Any

import msgspec

CHANNEL = "bench"
BACKLOG = 1000  # per subscriber, in every row that bounds it (the floor, ws-kit, Litestar)
_encode = msgspec.json.Encoder().encode
ACCEPT = {"type": "websocket.accept"}


class Lifespan:
    """Run an ASGI app's lifespan in-process: start it on enter, shut it down on exit."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def _expect(self, kind: str) -> None:
        reply = await asyncio.wait_for(self._replies.get(), 30)
        if reply["type"] != kind:
            raise RuntimeError(f"lifespan: expected {kind}, got {reply}")

    async def __aenter__(self) -> "Lifespan":
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self._task = asyncio.create_task(self._app(scope, self._events.get, self._replies.put))
        await self._events.put({"type": "lifespan.startup"})
        await self._expect("lifespan.startup.complete")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._events.put({"type": "lifespan.shutdown"})
        await self._expect("lifespan.shutdown.complete")
        assert self._task is not None
        await asyncio.wait_for(self._task, 30)


class Row:
    """One framework's subscriber app and publisher (see the module docstring)."""

    key = ""
    label = ""

    def __init__(self, url: str | None, variant: str, role: str) -> None:
        self.url = url
        self.variant = variant
        self.role = role
        self.app: Any = None
        self._stack = contextlib.AsyncExitStack()

    async def start(self) -> None:
        """Build the app and start its lifespan (and the publisher's side)."""
        raise NotImplementedError

    async def publish(self, item: dict[str, Any]) -> None:
        """Publish ``item`` to every subscriber of the channel."""
        raise NotImplementedError

    async def stop(self) -> None:
        await self._stack.aclose()


# -- the floor --------------------------------------------------------------------------


class FloorRow(Row):
    key = "floor"

    def __init__(self, url: str | None, variant: str, role: str) -> None:
        super().__init__(url, variant, role)
        self.queues: set[asyncio.Queue[str]] = set()
        self.dropped = 0
        self._redis: Any = None
        self.app = self.serve

    def fan_out(self, text: str) -> None:
        for queue in self.queues:
            try:
                queue.put_nowait(text)
            except asyncio.QueueFull:
                self.dropped += 1

    async def _drain(self, queue: "asyncio.Queue[str]", send: Any) -> None:
        get = queue.get
        while True:
            text = await get()
            await send({"type": "websocket.send", "text": text})

    async def serve(self, scope: Any, receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        queue: asyncio.Queue[str] = asyncio.Queue(BACKLOG)
        self.queues.add(queue)
        await send(ACCEPT)
        drain = asyncio.create_task(self._drain(queue, send))
        try:
            while (await receive())["type"] != "websocket.disconnect":
                pass
        finally:
            self.queues.discard(queue)
            drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drain

    async def start(self) -> None:
        if self.url is None:
            return
        import redis.asyncio

        self._redis = redis.asyncio.Redis.from_url(self.url)
        self._stack.push_async_callback(self._redis.aclose)
        if self.role == "subscriber":
            pubsub = self._redis.pubsub()
            await pubsub.subscribe(CHANNEL)
            self._stack.push_async_callback(pubsub.aclose)
            task = asyncio.create_task(self._read(pubsub))
            self._stack.callback(task.cancel)

    async def _read(self, pubsub: Any) -> None:
        # One reader per process: the bytes are decoded once, then fanned out.
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            if message is not None:
                self.fan_out(message["data"].decode())

    async def publish(self, item: dict[str, Any]) -> None:
        data = _encode(item)
        if self._redis is None:
            self.fan_out(data.decode())
        else:
            await self._redis.publish(CHANNEL, data)


# -- ws-kit -----------------------------------------------------------------------------


class WskitRow(Row):
    key = "wskit"

    async def start(self) -> None:
        from ws_kit import App, WebSocket, WebSocketDisconnect, websocket
        from ws_kit.channels import (
            ChannelsPlugin,
            MemoryChannelsBackend,
            RedisChannelsPubSubBackend,
            RedisChannelsStreamBackend,
        )

        backend: Any
        if self.url is None:
            backend = MemoryChannelsBackend(history=0)
        elif self.variant == "stream":
            backend = RedisChannelsStreamBackend(url=self.url, history=100)
        else:
            backend = RedisChannelsPubSubBackend(url=self.url)
        self.channels = channels = ChannelsPlugin(
            backend, channels=[CHANNEL], subscriber_max_backlog=BACKLOG
        )

        @websocket("/sub")
        async def sub(socket: WebSocket, channels: ChannelsPlugin) -> None:
            async with channels.start_subscription(CHANNEL) as subscriber:
                await socket.accept()
                async with subscriber.run_in_background(socket.send_data):
                    with contextlib.suppress(WebSocketDisconnect):
                        while True:
                            await socket.receive_message()

        self.app = App([sub], plugins=[channels])
        await self._stack.enter_async_context(Lifespan(self.app))

    async def publish(self, item: dict[str, Any]) -> None:
        if self.url is None:
            self.channels.publish(item, CHANNEL)
        else:
            # Across processes the publisher waits for Redis, as Litestar's does.
            await self.channels.wait_published(item, CHANNEL)


# -- Litestar ---------------------------------------------------------------------------


class LitestarRow(Row):
    key = "litestar"

    async def start(self) -> None:
        from litestar import Litestar, WebSocket, websocket
        from litestar.channels import ChannelsPlugin
        from litestar.channels.backends.memory import MemoryChannelsBackend
        from litestar.exceptions import WebSocketDisconnect

        backend: Any
        if self.url is None:
            backend = MemoryChannelsBackend(history=0)
        else:
            import redis.asyncio
            from litestar.channels.backends.redis import (
                RedisChannelsPubSubBackend,
                RedisChannelsStreamBackend,
            )

            client = redis.asyncio.Redis.from_url(self.url)
            self._stack.push_async_callback(client.aclose)
            if self.variant == "stream":
                backend = RedisChannelsStreamBackend(
                    redis=client, history=100, stream_sleep_no_subscriptions=10
                )
            else:
                backend = RedisChannelsPubSubBackend(redis=client)
        self.channels = channels = ChannelsPlugin(
            backend=backend,
            channels=[CHANNEL],
            subscriber_max_backlog=BACKLOG,
            subscriber_backlog_strategy="backoff",
        )

        @websocket("/sub")
        async def sub(socket: WebSocket, channels: ChannelsPlugin) -> None:
            await socket.accept()
            async with (
                channels.start_subscription(CHANNEL) as subscriber,
                subscriber.run_in_background(socket.send_data),
            ):
                with contextlib.suppress(WebSocketDisconnect):
                    while True:
                        await socket.receive_data("text")

        self.app = Litestar([sub], plugins=[channels])
        await self._stack.enter_async_context(Lifespan(self.app))

    async def publish(self, item: dict[str, Any]) -> None:
        if self.url is None:
            self.channels.publish(item, CHANNEL)
        else:
            await self.channels.wait_published(item, CHANNEL)


# -- broadcaster ------------------------------------------------------------------------


class BroadcasterRow(Row):
    key = "broadcaster"

    async def start(self) -> None:
        from broadcaster import Broadcast
        from starlette.applications import Starlette
        from starlette.routing import WebSocketRoute
        from starlette.websockets import WebSocket, WebSocketDisconnect

        self.broadcast = broadcast = Broadcast(self.url or "memory://")

        async def sub(socket: WebSocket) -> None:
            await socket.accept()

            async def forward() -> None:
                async with broadcast.subscribe(CHANNEL) as subscriber:
                    async for event in subscriber:
                        await socket.send_text(event.message)

            task = asyncio.create_task(forward())
            try:
                with contextlib.suppress(WebSocketDisconnect):
                    while True:
                        await socket.receive_text()
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        @contextlib.asynccontextmanager
        async def lifespan(app: Any) -> Any:
            async with broadcast:
                yield

        self.app = Starlette(routes=[WebSocketRoute("/sub", sub)], lifespan=lifespan)
        await self._stack.enter_async_context(Lifespan(self.app))

    async def publish(self, item: dict[str, Any]) -> None:
        await self.broadcast.publish(CHANNEL, _encode(item).decode())


ROWS = {row.key: row for row in (FloorRow, WskitRow, LitestarRow, BroadcasterRow)}
