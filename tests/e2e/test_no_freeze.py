"""A handler that never awaits while it sends cannot freeze the server (issue: a stream
such as ``for row in rows: yield row`` used to keep the event loop to itself, because a
server's send does not suspend while the client keeps up).

For each server: one client reads a stream that never awaits; meanwhile another client's
echo is answered (and the stream goes on after it, so it was answered *during* the
stream); once the reader leaves, the generator is closed and the server goes idle.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from e2e_client import open_ws, recv
from e2e_support import SERVER_IDS, ServerFactory, wait_for

APP = "e2e_freeze_app:app"


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
    record_property: pytest.RecordProperty,
) -> None:
    marks = tmp_path / "marks.txt"
    marks.touch()
    server = own_server_factory.start(kind_id, APP, env={"E2E_MARKS_FILE": str(marks)})

    async def scenario() -> float:
        async with open_ws(f"{server.url}{path}", max_size=None) as reader:

            async def read(count: int) -> None:
                for _ in range(count):
                    await reader.recv()

            await asyncio.wait_for(read(1000), 20)  # the stream is running
            async with open_ws(f"{server.url}/echo") as other:
                started = time.monotonic()
                await other.send("ping")
                # Read the stream meanwhile, so the server is never held up by us.
                reading = asyncio.create_task(read(10**9))
                try:
                    assert await recv(other, within=10) == "ping"
                    answered_in = time.monotonic() - started
                finally:
                    reading.cancel()
            await asyncio.wait_for(read(1000), 20)  # and the stream went on after the reply
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
