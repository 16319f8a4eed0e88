"""A handler that never awaits while it sends cannot freeze the server (issue: a stream
such as ``for row in rows: yield row`` used to keep the event loop to itself, because a
server's send does not suspend while the client keeps up).

For each server: a client that keeps up (it drains raw bytes, so the server's send never
has to wait) reads a stream that never awaits; meanwhile another client's echo is
answered (and the stream goes on after it, so it was answered *during* the stream);
once the reader leaves, the generator is closed and the server goes idle. Before the
send funnel gave the loop turns, the echo never came.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_client import open_ws, recv
from e2e_support import SERVER_IDS, ServerFactory, wait_for

APP = "e2e_freeze_app:app"
# Bytes that prove the stream is running: thousands of frames, under a second on the
# slowest server here (granian's send suspends per frame: about 70 kB/s of these frames).
STREAMING = 50_000


class Drain:
    """A client that keeps up with any server: it reads raw bytes in a thread, parsing nothing.

    A server's send only suspends when the client falls behind; this one never does.
    """

    def __init__(self, address: str, path: str) -> None:
        host, port = address.rsplit(":", 1)
        self._socket = socket.create_connection((host, int(port)), timeout=10)
        self._socket.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        self.received = 0
        self._more = threading.Condition()
        self._thread = threading.Thread(target=self._drain, daemon=True)

    def __enter__(self) -> Drain:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._socket.close()  # the client leaves without a closing handshake
        self._thread.join(10)

    def _drain(self) -> None:
        buffer = bytearray(1 << 20)
        try:
            while chunk := self._socket.recv_into(buffer):
                with self._more:
                    self.received += chunk
                    self._more.notify_all()
        except OSError:
            pass

    def wait_for_bytes(self, count: int) -> None:
        with self._more:
            if not self._more.wait_for(lambda: self.received >= count, timeout=20):
                raise TimeoutError(f"the stream sent {self.received} bytes, not {count}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize("path", ["/flood", "/flood-send"])
@pytest.mark.parametrize("kind_id", SERVER_IDS)
def test_a_stream_that_never_awaits_leaves_the_server_responsive(
    kind_id: str,
    path: str,
    own_server_factory: ServerFactory,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    marks = tmp_path / "marks.txt"
    marks.touch()
    server = own_server_factory.start(kind_id, APP, env={"E2E_MARKS_FILE": str(marks)})

    async def scenario() -> float:
        with Drain(server.url.removeprefix("ws://"), path) as reader:
            await asyncio.to_thread(reader.wait_for_bytes, STREAMING)  # the stream is running
            async with open_ws(f"{server.url}/echo") as other:
                started = time.monotonic()
                await other.send("ping")
                assert await recv(other, within=10) == "ping"
                answered_in = time.monotonic() - started
            at_reply = reader.received
            # and the stream went on after the reply
            await asyncio.to_thread(reader.wait_for_bytes, at_reply + STREAMING)
        return answered_in

    answered_in = asyncio.run(scenario())
    record_property("e2e: echo answered during the stream (ms)", round(answered_in * 1000, 1))
    label = path.strip("/")
    assert wait_for(lambda: f"{label} closed" in marks.read_text(), timeout=20), (
        f"the generator was not closed after the client left:\n{server.log_tail()}"
    )
    pids = server.worker_pids() or [server.pid]
    before = sum(cpu_seconds(pid) for pid in pids)
    time.sleep(2.0)
    busy = sum(cpu_seconds(pid) for pid in pids) - before
    record_property("e2e: server CPU over 2 s after the stream (s)", round(busy, 2))
    assert busy < 0.5, f"the server kept working after the client left: {busy:.2f} s of CPU"
