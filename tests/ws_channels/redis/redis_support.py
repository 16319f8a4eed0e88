"""Helpers of the Redis backend tests: a redis-server of their own, counting backends, settle().

Every server is started by the test that needs it, on a free 127.0.0.1
port, from Debian's ``redis-server`` (``.ci/run`` installs it), and stopped
by its own PID. Where the program is missing, the tests that need a server
are a visible skip — and a failure under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anyio
import pytest
from processes import free_port

from ws_channels import ChannelsBackend, RedisChannelsPubSubBackend, RedisChannelsStreamBackend

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 20.0


def require_redis_server() -> None:
    """Skip (or, under ``CI=true``, fail) the calling test when redis-server is missing."""
    if os.path.exists(REDIS_SERVER):
        return
    message = (
        f"{REDIS_SERVER} is missing: install Debian's redis-server (apt-get install redis-server)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class RedisServer:
    """A redis-server on a free loopback port, its data in ``workdir``.

    Args:
        workdir: Its working directory (the append-only file, the log).
        persistent: Keep data across restarts (``appendonly yes``, fsync always).
        options: More ``--name value`` options.
    """

    def __init__(self, workdir: Path, *, persistent: bool = False, options: Sequence[str] = ()):
        require_redis_server()
        self.workdir = workdir
        self.persistent = persistent
        self.options = tuple(options)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start it (again, on the same port and data) and wait until it answers PING."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        argv = [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.workdir),
            "--save",
            "",
            "--appendonly",
            "yes" if self.persistent else "no",
            "--appendfsync",
            "always",
            "--logfile",
            str(self.workdir / "redis.log"),
            *self.options,
        ]
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not self._answers():
            if self.proc.poll() is not None:
                pytest.fail(f"redis-server exited with {self.proc.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start:\n{self.log()}")
            time.sleep(0.02)
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def log(self) -> str:
        """What the server logged so far."""
        path = self.workdir / "redis.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` to the server (SIGSTOP freezes it: its connections go deaf)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signum)

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """Stop it with ``signum`` (SIGTERM: a clean shutdown; SIGKILL: a crash) and reap it."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        os.kill(proc.pid, signal.SIGCONT)  # a frozen server must be able to die
        os.kill(proc.pid, signum)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(STOP_TIMEOUT)

    def cli(self, *args: str | bytes) -> str:
        """Run one command with redis-cli and return its raw output (blocking, quick)."""
        result = subprocess.run(
            [REDIS_CLI, "-p", str(self.port), *args],
            check=True,
            capture_output=True,
            timeout=STOP_TIMEOUT,
        )
        return result.stdout.decode(errors="replace").strip()

    async def acli(self, *args: str | bytes) -> str:
        """:meth:`cli` in a worker thread, so the event loop keeps serving meanwhile."""
        return await anyio.to_thread.run_sync(lambda: self.cli(*args))


async def eventually(predicate: Callable[[], bool], *, within: float = 30.0) -> None:
    """Wait until ``predicate()`` holds (a state the backends expose no event for).

    Fails the test if it does not hold ``within`` seconds: a guard against a
    hang, never what a test asserts.
    """
    with anyio.fail_after(within):
        while not predicate():  # noqa: ASYNC110 - polled: the state has no event to wait on
            await anyio.sleep(0.02)


class Counted:
    """How many calls that write to Redis (and may announce) started and finished."""

    def __init__(self) -> None:
        self.started = 0
        self.finished = 0


class _Counting:
    """Mixed into a Redis backend: counts publish, track and untrack calls (for :func:`settle`)."""

    counted: Counted

    async def publish(self, data: bytes, channels: Any) -> None:
        self.counted.started += 1
        try:
            await super().publish(data, channels)  # type: ignore[misc]
        finally:
            self.counted.finished += 1

    async def track(self, channel: str, entry_id: str, key: str, meta: Any, ttl: float) -> None:
        self.counted.started += 1
        try:
            await super().track(channel, entry_id, key, meta, ttl)  # type: ignore[misc]
        finally:
            self.counted.finished += 1

    async def untrack(self, channel: str, entry_id: str) -> None:
        self.counted.started += 1
        try:
            await super().untrack(channel, entry_id)  # type: ignore[misc]
        finally:
            self.counted.finished += 1


class CountingPubSubBackend(_Counting, RedisChannelsPubSubBackend):
    """A pub/sub backend that counts its writes."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.counted = Counted()


class CountingStreamBackend(_Counting, RedisChannelsStreamBackend):
    """A stream backend that counts its writes."""

    def __init__(self, history: int, **options: Any) -> None:
        super().__init__(history, **options)
        self.counted = Counted()


async def settle(backends: Sequence[ChannelsBackend]) -> None:
    """Return once what the backends published has been fanned out, as on the memory backend.

    Rounds until one changes nothing: every task waits, every write the
    backends started has finished, then a probe goes through each running
    backend (what they published before it arrives before it), and every
    task waits again.
    """
    while True:
        await anyio.wait_all_tasks_blocked()
        before = [(b.counted.started, b.counted.finished) for b in _counting(backends)]
        for backend in _counting(backends):
            if backend.connected:
                await backend.check_health()
        await anyio.wait_all_tasks_blocked()
        after = [(b.counted.started, b.counted.finished) for b in _counting(backends)]
        if before == after and all(started == finished for started, finished in after):
            return


def _counting(
    backends: Sequence[ChannelsBackend],
) -> list[CountingPubSubBackend | CountingStreamBackend]:
    return [b for b in backends if isinstance(b, CountingPubSubBackend | CountingStreamBackend)]
