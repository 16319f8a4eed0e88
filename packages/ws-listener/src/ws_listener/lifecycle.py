"""One lifecycle for every listener connection: a lifespan around the message loop.

``on_accept`` / ``on_disconnect`` are expressed as the default lifespan
(:class:`HooksLifespan`), a ``connection_lifespan`` replaces it, and
:func:`run_in_lifespan` runs the message loop inside whichever applies. So
hooks and lifespans follow one path, and a lifespan may hold a task group or a
cancel scope open across its ``yield``: it is entered and exited in the
connection's task, with nothing of ours nested between its scopes and the loop.
"""

from __future__ import annotations

import inspect
import logging
import math
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Any

from anyio import CancelScope, current_effective_deadline, get_cancelled_exc_class

from ws_core import ConfigurationError

__all__ = ["HooksLifespan", "LifespanFactory", "lifespan_factory", "run_in_lifespan"]

LifespanFactory = Callable[..., AbstractAsyncContextManager[Any]]
"""Called with the injected names the lifespan asks for; returns the context manager."""


class HooksLifespan(AbstractAsyncContextManager[None]):
    """The lifespan of a listener without ``connection_lifespan``: its two hooks.

    ``on_disconnect`` runs exactly once, whether ``on_accept``, the message
    loop or nothing failed, shielded from cancellation; its own failure is
    logged on ``logger`` and never replaces the error that ended the
    connection. A class rather than an ``asynccontextmanager`` generator: it
    is made for every connection.
    """

    __slots__ = ("_logger", "_on_accept", "_on_disconnect", "_owner")

    def __init__(
        self,
        on_accept: Callable[[], Awaitable[Any]] | None,
        on_disconnect: Callable[[], Awaitable[Any]] | None,
        logger: logging.Logger,
        owner: str,
    ) -> None:
        self._on_accept = on_accept
        self._on_disconnect = on_disconnect
        self._logger = logger
        self._owner = owner

    async def __aenter__(self) -> None:
        """Run ``on_accept``; if it fails, ``on_disconnect`` runs before the error propagates."""
        if self._on_accept is not None:
            try:
                await self._on_accept()
            except BaseException:
                await self._disconnect()
                raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Run ``on_disconnect``; whatever ended the connection propagates."""
        await self._disconnect()

    async def _disconnect(self) -> None:
        if self._on_disconnect is None:
            return
        with CancelScope(shield=True):
            try:
                await self._on_disconnect()
            except Exception:
                self._logger.exception("on_disconnect of %s failed", self._owner)


def lifespan_factory(lifespan: Callable[..., Any], owner: str) -> LifespanFactory:
    """Turn ``connection_lifespan`` into a factory of async context managers.

    Raises:
        ConfigurationError: It is a (sync) generator or coroutine function.
    """
    if inspect.isasyncgenfunction(lifespan):
        return asynccontextmanager(lifespan)
    if inspect.isgeneratorfunction(lifespan) or inspect.iscoroutinefunction(lifespan):
        raise ConfigurationError(
            f"{owner}: connection_lifespan must be an async generator function or a callable "
            "returning an async context manager"
        )
    return lifespan


async def run_in_lifespan(
    lifespan: AbstractAsyncContextManager[Any],
    serve: Callable[[], Awaitable[None]],
    logger: logging.Logger,
    owner: str,
) -> None:
    """Enter ``lifespan``, await ``serve()``, exit the lifespan; re-raise what ended ``serve``.

    The lifespan is exited as after a normal exit whatever ended the loop, so
    code written after a bare ``yield`` always runs, shielded from the
    cancellation of a shutting-down server. An error of the exit is logged
    when another one is already on its way, and raised otherwise.

    A cancellation error raised by the exit while this connection is not
    being cancelled is a stray: the lifespan awaited a task it cancelled
    itself (``task.cancel(); await task``). It concerns that task only, so it
    is logged at DEBUG and dropped.

    A :class:`HooksLifespan` is simply entered around ``serve()``: it holds no
    scope open and shields ``on_disconnect`` itself, so the outer scope and
    the deadline check (about 40,000 instructions on asyncio) would protect
    nothing more.
    """
    if isinstance(lifespan, HooksLifespan):
        async with lifespan:
            await serve()
        return
    # The shield goes on a scope outside the lifespan's own: shielding inside
    # it would break the nesting of a task group the lifespan holds open.
    outer = CancelScope()
    with outer:
        await lifespan.__aenter__()
        ended: BaseException | None = None
        try:
            await serve()
        except BaseException as exc:
            ended = exc
        being_cancelled = current_effective_deadline() == -math.inf
        outer.shield = True
        try:
            await lifespan.__aexit__(None, None, None)
        except get_cancelled_exc_class():
            if being_cancelled:
                raise
            logger.debug("connection_lifespan of %s ended with a stray cancellation", owner)
        except Exception:
            if ended is None:
                raise
            logger.exception("connection_lifespan of %s failed on exit", owner)
    if ended is not None:
        raise ended
