"""Running an application's ``lifespan`` scope in-process: startup, then shutdown."""

from __future__ import annotations

import anyio.abc

from ws_core.testing.server import message_stream
from ws_core.types import ASGIApp, Message

__all__ = ["LifespanRunner"]


class LifespanRunner:
    """Drives the ``lifespan`` scope of one application.

    An application that returns without answering the startup event has no
    lifespan support; both phases are then no-ops.

    Args:
        app: The ASGI application.
        timeout: Seconds each phase may take.
    """

    def __init__(self, app: ASGIApp, timeout: float) -> None:
        self._app = app
        self._timeout = timeout
        self._to_app_send, self._to_app_receive = message_stream()
        self._from_app_send, self._from_app_receive = message_stream()
        self._unsupported = False
        self._error: Exception | None = None

    async def startup(self, task_group: anyio.abc.TaskGroup) -> None:
        """Start the application's lifespan task in ``task_group`` and run its startup.

        Raises:
            RuntimeError: The startup failed (or the application answered something else).
            Exception: Whatever the application raised.
        """
        task_group.start_soon(self._run)
        await self._phase("startup")

    async def shutdown(self) -> None:
        """Run the application's shutdown.

        Raises:
            RuntimeError: The shutdown failed.
            Exception: Whatever the application raised.
        """
        await self._phase("shutdown")

    def close(self) -> None:
        """Release the streams."""
        for stream in (
            self._to_app_send,
            self._to_app_receive,
            self._from_app_send,
            self._from_app_receive,
        ):
            stream.close()

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        try:
            await self._app(scope, self._to_app_receive.receive, self._from_app_send.send)
        except Exception as exc:
            self._error = exc
        finally:
            self._from_app_send.close()
            self._to_app_receive.close()

    async def _phase(self, phase: str) -> None:
        if self._unsupported:
            return
        message: Message = {"type": f"lifespan.{phase}"}
        try:
            await self._to_app_send.send(message)
            with anyio.fail_after(self._timeout):
                reply = await self._from_app_receive.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            if self._error is not None:
                error, self._error = self._error, None
                raise error from None
            # The application returned without answering: it has no lifespan support.
            self._unsupported = True
            return
        if reply["type"] == f"lifespan.{phase}.failed":
            raise RuntimeError(f"lifespan {phase} failed: {reply.get('message', '')}")
        if reply["type"] != f"lifespan.{phase}.complete":
            raise RuntimeError(f"expected 'lifespan.{phase}.complete', got {reply['type']!r}")
