"""The link to Redis: commands through one coredis client, one pub/sub connection kept alive.

This is the only module of ws-channels that imports coredis; the backends
load it when they are made, so ``ws_channels`` imports without it.

**Commands** (the Lua scripts, probes, scans) go through the client's pool,
each bounded by ``timeout`` seconds. A command that times out may have met a
connection that went deaf (a peer that vanished without closing TCP), so the
pool's connections are dropped then, and the next command opens a new one.
Failures reach the caller as a builtin :class:`ConnectionError` naming Redis.

**The subscription** is one pub/sub connection for every channel the backend
listens to, plus the link's own probe channel. A *session* is one life of
that connection: connect, subscribe to everything wanted, let the backend
catch up (``on_ready``: replay, presence), then read messages and hand each
to ``route`` in order. While a session reads, a probe is published every
``health_check_interval`` seconds through the client and must come back on
the subscription within ``timeout``: a subscription that Redis no longer
holds (``PUBLISH`` reaches nobody), a connection that stopped delivering
(the probe never comes back) or that closed ends the session. Then the link
reconnects with a growing, jittered delay (0.05 s doubling up to 2 s),
forever, logging the loss once at WARNING and each recovery at INFO.
:attr:`RedisLink.connected` is true only while a session is ready and its
last probe came back.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import anyio
import coredis
import coredis.exceptions
from anyio.abc import TaskGroup, TaskStatus
from coredis.commands import Script
from coredis.connection import TCPLocation, UnixDomainSocketLocation
from coredis.patterns.pubsub import PubSub
from coredis.retry import NoRetryPolicy

from ws_channels.logs import logger
from ws_core import ConfigurationError

__all__ = ["RedisLink"]

Route = Callable[[bytes, bytes], Awaitable[None]]
"""``await route(pubsub_channel, data)``: handle one message of a subscribed channel."""

_FIRST_DELAY = 0.05
_MAX_DELAY = 2.0
# While Redis stays unreachable, a WARNING repeats at most this often.
_STILL_DOWN_EVERY = 30.0
_SCHEMES = ("redis", "rediss", "unix")
_CONNECTION_ERRORS = (coredis.exceptions.ConnectionError, OSError, anyio.BrokenResourceError)


class _Deaf(Exception):
    """The subscription stopped delivering (found by a probe)."""


class _Session:
    """One life of the pub/sub connection."""

    def __init__(self) -> None:
        self.scope = anyio.CancelScope()
        self.pubsub: PubSub[bytes] | None = None
        self.channels: set[bytes] = set()
        self.ready = False
        self.error: Exception | None = None

    def fail(self, error: Exception) -> None:
        """End the session: its connection is no longer trusted."""
        if self.error is None:
            self.error = error
        self.scope.cancel()


class RedisLink:
    """One coredis client and one kept-alive subscription (see the module docstring).

    Args:
        redis: A ``coredis.Redis`` client (not decoding responses), or ``None``
            to make one from ``url``.
        url: ``redis://``, ``rediss://`` or ``unix://`` URL, when ``redis`` is not given.
        timeout: Seconds a command, a (re)connection or a probe may take.
        health_check_interval: Seconds between two probes.
        probe_channel: The pub/sub channel of this link's probes.
        route: Handles each message of the other subscribed channels.
        on_ready: Awaited by each session once it has subscribed, before it
            reads messages (which wait meanwhile) and counts as connected.
        owner: The backend's name, for configuration errors.

    Attributes:
        target: Redis as messages name it (the URL without its password).

    Raises:
        ConfigurationError: Neither or both of ``redis`` and ``url``, a URL
            of another scheme, a client that is not a ``coredis.Redis`` or
            that decodes responses, or a non-positive ``timeout`` or interval.
    """

    def __init__(
        self,
        redis: Any,
        url: str | None,
        *,
        timeout: float,
        health_check_interval: float,
        probe_channel: bytes,
        route: Route,
        on_ready: Callable[[], Awaitable[None]],
        owner: str,
    ) -> None:
        if (redis is None) == (url is None):
            raise ConfigurationError(f"{owner}: pass either redis=<coredis client> or url=...")
        if url is not None:
            if not isinstance(url, str) or urlsplit(url).scheme not in _SCHEMES:
                raise ConfigurationError(
                    f"{owner}: url must be a redis://, rediss:// or unix:// URL, got {url!r}"
                )
            self.target = _without_password(url)
        else:
            if not isinstance(redis, coredis.Redis):
                raise ConfigurationError(
                    f"{owner}: redis must be a coredis.Redis client (coredis.RedisCluster is "
                    f"not supported), got {redis!r}"
                )
            if redis.connection_pool.decode_responses:
                raise ConfigurationError(
                    f"{owner}: the coredis client must not decode responses (events are bytes); "
                    "make it with decode_responses=False"
                )
            self.target = _describe(redis)
        for name, value in (("timeout", timeout), ("health_check_interval", health_check_interval)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ConfigurationError(f"{owner}: {name} must be a number above 0, got {value!r}")
        self._given: coredis.Redis[bytes] | None = redis
        self._url = url
        self.timeout = float(timeout)
        self.health_check_interval = float(health_check_interval)
        self._probe_channel = probe_channel
        self._route = route
        self._on_ready = on_ready
        self._client: coredis.Redis[bytes] | None = None
        self._scripts: dict[str, Script[bytes]] = {}
        self._desired: dict[bytes, None] = {}
        self._session: _Session | None = None
        self._changed: anyio.Event | None = None
        self._probes: dict[bytes, anyio.Event] = {}
        self._probe_numbers = itertools.count(1)
        self._stack: AsyncExitStack | None = None
        self._task_group: TaskGroup | None = None
        self.reconnects = 0
        self.last_error: Exception | None = None
        self._probe_ok = False

    # -- state ----------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether a session is ready and its last probe (if any yet) came back."""
        session = self._session
        return session is not None and session.ready and self._probe_ok

    @property
    def running(self) -> bool:
        """Whether the link has started and not stopped."""
        return self._stack is not None

    # -- lifecycle --------------------------------------------------------------

    async def __aenter__(self) -> RedisLink:
        """Enter the client and start the subscription; return once the first session is ready.

        Raises:
            ConnectionError: Redis cannot be reached within ``timeout`` (named in the message).
        """
        stack = AsyncExitStack()
        try:
            client = self._given
            if client is None:
                assert self._url is not None
                client = coredis.Redis.from_url(
                    self._url,
                    decode_responses=False,
                    retry_policy=NoRetryPolicy(),
                    connect_timeout=self.timeout,
                    client_name="ws-channels",
                )
            await stack.enter_async_context(client)
            self._client = client
            self._scripts = {}
            self._changed = anyio.Event()
            self._task_group = await stack.enter_async_context(anyio.create_task_group())
            await self._task_group.start(self._keep_connected)
        except BaseException:
            # Not in a scope of its own: the stack holds task groups entered outside it.
            await stack.aclose()
            self._client = None
            raise
        self._stack = stack
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the subscription and leave the client."""
        stack, task_group = self._stack, self._task_group
        self._stack = self._task_group = None
        if stack is None or task_group is None:
            return
        task_group.cancel_scope.cancel()
        try:
            await stack.aclose()
        finally:
            self._client = None
            self._session = None
            self._probe_ok = False

    # -- commands -----------------------------------------------------------------

    async def run_script(
        self, source: str, keys: Sequence[str], args: Sequence[str | bytes | int | float]
    ) -> Any:
        """Run the Lua ``source`` (by its SHA, loaded on first use) and return its reply.

        Raises:
            ConnectionError: Redis did not answer within ``timeout``, or cannot be reached.
            coredis.exceptions.ResponseError: The script failed in Redis.
            RuntimeError: The link is not running.
        """
        client = self._running_client()
        script = self._scripts.get(source)
        if script is None:
            script = self._scripts[source] = client.register_script(source)
        return await self._command(script(keys=keys, args=args), client)

    async def scan(self, pattern: str) -> list[bytes]:
        """Every key matching the glob ``pattern`` (``SCAN``), in no particular order."""
        client = self._running_client()
        found: list[bytes] = []
        cursor = 0
        while True:
            cursor, keys = await self._command(
                client.scan(cursor, match=pattern, count=1000), client
            )
            found.extend(keys)
            if not cursor:
                return found

    async def delete(self, keys: Sequence[bytes]) -> int:
        """Delete ``keys``; return how many existed."""
        client = self._running_client()
        return int(await self._command(client.delete(keys), client)) if keys else 0

    async def _command(self, request: Awaitable[Any], client: coredis.Redis[bytes]) -> Any:
        try:
            with anyio.fail_after(self.timeout):
                return await request
        except TimeoutError as exc:
            client.connection_pool.disconnect()
            raise ConnectionError(
                f"Redis at {self.target} did not answer within {self.timeout} s"
            ) from exc
        except _CONNECTION_ERRORS as exc:
            if anyio.current_effective_deadline() == -math.inf:
                # Our caller was cancelled while coredis opened a connection, and
                # (seen on trio) reported that as a failed connection: let the
                # cancellation through instead of an error nobody asked for.
                await anyio.lowlevel.checkpoint()
            raise ConnectionError(f"Redis at {self.target} cannot be reached: {exc}") from exc

    def _running_client(self) -> coredis.Redis[bytes]:
        if self._client is None:
            raise RuntimeError(f"the link to Redis at {self.target} is not running")
        return self._client

    # -- subscriptions --------------------------------------------------------------

    async def subscribe(self, channels: Iterable[bytes]) -> None:
        """Listen to ``channels`` from now on; return once the subscription holds them.

        Before the link runs, the channels are only noted (the first session
        subscribes to them). While Redis is away this waits for the next
        session, at most ``timeout`` seconds.

        Raises:
            ConnectionError: No session held them within ``timeout``.
        """
        names = list(dict.fromkeys(channels))
        self._desired.update(dict.fromkeys(names))
        if not self.running:
            return
        try:
            with anyio.fail_after(self.timeout):
                while not await self._subscribe_in_session(names):
                    await self._wait_for_change()
        except TimeoutError:
            for name in names:
                self._desired.pop(name, None)
            raise ConnectionError(
                f"could not subscribe to Redis at {self.target} within {self.timeout} s "
                f"(last error: {self.last_error!r})"
            ) from None

    async def _subscribe_in_session(self, names: list[bytes]) -> bool:
        session = self._session
        if session is None or not session.ready or session.pubsub is None:
            return False
        missing = [name for name in names if name not in session.channels]
        if missing:
            try:
                await session.pubsub.subscribe(*missing)
            except Exception as exc:
                if not _is_connection_failure(exc):
                    raise
                session.fail(exc)
                return False
            session.channels.update(missing)
        return True

    async def unsubscribe(self, channels: Iterable[bytes]) -> None:
        """Stop listening to ``channels``; never raises for Redis being away."""
        names = list(channels)
        for name in names:
            self._desired.pop(name, None)
        session = self._session
        if session is None or not session.ready or session.pubsub is None:
            return
        held = [name for name in names if name in session.channels]
        if not held:
            return
        session.channels.difference_update(held)
        try:
            with anyio.move_on_after(self.timeout):
                await session.pubsub.unsubscribe(*held)
        except Exception as exc:
            if not _is_connection_failure(exc):
                raise
            session.fail(exc)

    def forget_subscriptions(self) -> None:
        """Forget every channel asked for (the backend stopped; the next start begins afresh)."""
        self._desired.clear()

    async def wait_connected(self) -> bool:
        """Wait at most ``timeout`` seconds for a ready session; return whether there is one."""
        with anyio.move_on_after(self.timeout):
            while not self.connected:
                await self._wait_for_change()
        return self.connected

    async def check_health(self) -> None:
        """Probe the subscription now: publish a probe and wait for it to come back.

        Whatever this backend published (and had answered) before the call
        reaches the subscription before the probe does. A probe that fails
        ends the session (the link reconnects).

        Raises:
            ConnectionError: Not connected, or the probe did not come back
                within ``timeout`` (the message says why).
        """
        session = self._session
        if session is None or not session.ready:
            raise ConnectionError(
                f"not connected to Redis at {self.target} (last error: {self.last_error!r})"
            )
        try:
            await self._probe()
        except (_Deaf, ConnectionError) as exc:
            session.fail(exc)
            raise ConnectionError(f"Redis at {self.target}: {exc}") from exc

    async def _wait_for_change(self) -> None:
        assert self._changed is not None
        await self._changed.wait()

    def _announce_change(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = anyio.Event()

    # -- sessions -------------------------------------------------------------------

    async def _keep_connected(self, *, task_status: TaskStatus[None]) -> None:
        delay = _FIRST_DELAY
        down_since: float | None = None
        warned_at = 0.0
        attempts = 0
        first = True
        while True:
            session = _Session()
            self._session = session
            try:
                with session.scope:
                    await self._serve(session, task_status if first else None)
            except BaseException as exc:
                error = _connection_failure(exc)
                if error is None:
                    raise
                session.error = session.error or error
            finally:
                self._session = None
                self._probe_ok = False
                self._announce_change()
            error = session.error or _Deaf("the subscription stopped")
            self.last_error = error
            if first and not session.ready:
                raise ConnectionError(f"cannot reach Redis at {self.target}: {error}") from error
            first = False
            now = time.monotonic()
            if session.ready:
                delay, attempts, down_since, warned_at = _FIRST_DELAY, 0, now, now
                logger.warning(
                    "lost the subscription to Redis at %s (%s); reconnecting", self.target, error
                )
            else:
                attempts += 1
                assert down_since is not None
                if now - warned_at >= _STILL_DOWN_EVERY:
                    warned_at = now
                    logger.warning(
                        "Redis at %s still unreachable after %d attempt(s) in %.0f s: %s",
                        self.target,
                        attempts,
                        now - down_since,
                        error,
                    )
                else:
                    logger.debug("reconnecting to Redis at %s failed: %r", self.target, error)
            await anyio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, _MAX_DELAY)

    async def _serve(self, session: _Session, task_status: TaskStatus[None] | None) -> None:
        client = self._running_client()
        async with client.pubsub(
            ignore_subscribe_messages=True,
            retry_policy=NoRetryPolicy(),
            subscription_timeout=self.timeout,
        ) as pubsub:
            try:
                session.pubsub = pubsub
                wanted = [self._probe_channel, *self._desired]
                with anyio.fail_after(self.timeout):
                    await pubsub.subscribe(*wanted)
                session.channels.update(wanted)
                await self._on_ready()
                await self._read(session, pubsub, task_status)
            finally:
                # Never hand a possibly deaf connection back to the pool.
                with contextlib.suppress(coredis.exceptions.ConnectionError):
                    pubsub.connection.invalidate()

    async def _read(
        self,
        session: _Session,
        pubsub: PubSub[bytes],
        task_status: TaskStatus[None] | None,
    ) -> None:
        session.ready = True
        self._probe_ok = True
        if task_status is None:
            self.reconnects += 1
            logger.info(
                "reconnected to Redis at %s (%d reconnection(s) so far)",
                self.target,
                self.reconnects,
            )
        else:
            task_status.started()
        self._announce_change()
        probe, route, probes = self._probe_channel, self._route, self._probes
        async with anyio.create_task_group() as task_group:
            task_group.start_soon(self._keep_probing)
            while True:
                message = await pubsub.get_message()
                if message is None or message["type"] != "message":
                    continue
                channel, data = message["channel"], message["data"]
                if not isinstance(channel, bytes) or not isinstance(data, bytes):
                    continue
                if channel == probe:
                    waiter = probes.get(data)
                    if waiter is not None:
                        waiter.set()
                elif channel in session.channels:
                    await route(channel, data)

    async def _keep_probing(self) -> None:
        while True:
            await anyio.sleep(self.health_check_interval)
            await self._probe()

    async def _probe(self) -> None:
        client = self._running_client()
        token = str(next(self._probe_numbers)).encode()
        arrived = self._probes[token] = anyio.Event()
        try:
            with anyio.move_on_after(self.timeout) as scope:
                receivers = await self._command(client.publish(self._probe_channel, token), client)
                if not receivers:
                    self._probe_ok = False
                    raise _Deaf("Redis holds no subscription of this process")
                await arrived.wait()
            if scope.cancelled_caught:
                self._probe_ok = False
                raise _Deaf(f"a probe did not come back within {self.timeout} s")
            self._probe_ok = True
        finally:
            del self._probes[token]


def _is_connection_failure(exc: BaseException) -> bool:
    return isinstance(exc, (*_CONNECTION_ERRORS, TimeoutError, _Deaf))


def _connection_failure(exc: BaseException) -> Exception | None:
    """The first error of ``exc`` if all it holds is a lost connection; else ``None``.

    Errors leave coredis's task groups wrapped in exception groups.
    """
    if isinstance(exc, BaseExceptionGroup):
        errors = [_connection_failure(inner) for inner in exc.exceptions]
        if not errors or any(error is None for error in errors):
            return None
        return errors[0]
    if isinstance(exc, Exception) and (
        _is_connection_failure(exc) or isinstance(exc, coredis.exceptions.RedisError)
    ):
        return exc
    return None


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def _describe(client: coredis.Redis[bytes]) -> str:
    pool = client.connection_pool
    location = pool.location
    db = pool.connection_kwargs.get("db") or 0
    if isinstance(location, TCPLocation):
        return f"redis://{location.host}:{location.port}/{db}"
    if isinstance(location, UnixDomainSocketLocation):
        return f"unix://{location.path}?db={db}"
    return repr(pool)
