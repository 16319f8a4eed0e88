"""A bounded hand-over from a backend to the plugin's consumer task, in batches."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Generic, TypeVar

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

__all__ = ["Pipe"]

_T = TypeVar("_T")


class Pipe(Generic[_T]):
    """Items from a backend to the plugin's one consumer, until :meth:`close`.

    Neither end suspends while it can proceed (room to put, items to take):
    items then travel in batches from the producer to the fan-out instead of
    one per event-loop turn, which would wake every subscriber once per
    event. The plugin's consumer gives other tasks their turn
    (``keep_consuming``); a full pipe makes the producer wait.

    Args:
        size: How many items may wait for the consumer.
    """

    def __init__(self, size: int) -> None:
        self._send: MemoryObjectSendStream[_T]
        self._receive: MemoryObjectReceiveStream[_T]
        self._send, self._receive = anyio.create_memory_object_stream[_T](size)

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
