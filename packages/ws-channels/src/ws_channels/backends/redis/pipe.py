"""A bounded hand-over from the Redis reader to the plugin's consumer task, in batches."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Generic, TypeVar

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

__all__ = ["Pipe"]

_T = TypeVar("_T")

# Items read from Redis and not yet taken by the plugin. When full, the reader
# waits (what Redis sends meanwhile waits in the connection's buffer).
_SIZE = 10_000


class Pipe(Generic[_T]):
    """Items from one producer to the plugin's one consumer, until :meth:`close`.

    Neither end suspends while it can proceed (room to put, items to take),
    so what one read from Redis brought reaches the fan-out in one go; the
    plugin's consumer gives other tasks their turn.
    """

    def __init__(self) -> None:
        self._send: MemoryObjectSendStream[_T]
        self._receive: MemoryObjectReceiveStream[_T]
        self._send, self._receive = anyio.create_memory_object_stream[_T](_SIZE)

    async def put(self, item: _T) -> None:
        """Hand ``item`` over, waiting while the pipe is full; dropped once it is closed."""
        try:
            try:
                self._send.send_nowait(item)
            except anyio.WouldBlock:
                await self._send.send(item)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            return  # shut down: nobody is left to take it

    def close(self) -> None:
        """End the iteration (what is still in the pipe is dropped with it)."""
        self._send.close()
        self._receive.close()

    async def items(self) -> AsyncIterator[_T]:
        """Yield every item until the pipe is closed."""
        receive_nowait, receive = self._receive.receive_nowait, self._receive.receive
        while True:
            try:
                try:
                    item = receive_nowait()
                except anyio.WouldBlock:
                    item = await receive()
            except (anyio.EndOfStream, anyio.ClosedResourceError):
                return
            yield item
