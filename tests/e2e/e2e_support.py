"""Start real ASGI servers as subprocesses and talk to them over loopback.

Nothing here knows ws-kit: a server serves any ``module:attribute`` found in
``tests/e2e/apps``. Every wait is bounded in time and every process started is
stopped by its own PID (SIGTERM, then SIGKILL of its process group after a
timeout), so a failing test never leaves a server behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from processes import free_port

HERE = Path(__file__).resolve().parent
APPS_DIR = HERE / "apps"
HOST = "127.0.0.1"
KIT_APP = "e2e_kit_app:app"  # the ws-kit test app in apps/

START_TIMEOUT = 40.0
STOP_TIMEOUT = 20.0


def raise_nofile_limit(wanted: int = 16384) -> int:
    """Raise RLIMIT_NOFILE of this process towards ``wanted``; return the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@dataclass(frozen=True)
class ServerKind:
    """One way of serving an ASGI app: a server program and its options.

    ``denial_response`` says whether the server offers the ASGI
    ``websocket.http.response`` extension, i.e. whether an app can reject a
    handshake with a status of its own choosing (else the server sends 403).
    """

    id: str
    argv: Callable[[str, int], list[str]]
    denial_response: bool
    backend: str  # the event loop the app runs on: "asyncio" or "trio"


def _uvicorn(ws: str) -> Callable[[str, int], list[str]]:
    def argv(app: str, port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--app-dir",
            str(APPS_DIR),
            "--host",
            HOST,
            "--port",
            str(port),
            "--ws",
            ws,
            "--lifespan",
            "on",
            "--backlog",
            "4096",
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "10",
        ]

    return argv


def _hypercorn(worker_class: str) -> Callable[[str, int], list[str]]:
    def argv(app: str, port: int) -> list[str]:
        # One worker under hypercorn's supervisor (its default). "--workers 0" would run the
        # worker in-process, but then the trio worker installs no SIGTERM handler at all and
        # dies without a graceful shutdown. The supervisor turns SIGTERM into a shutdown event
        # that the worker polls; stop() kills the whole process group if anything lingers.
        return [
            sys.executable,
            "-m",
            "hypercorn",
            app,
            "--bind",
            f"{HOST}:{port}",
            "--worker-class",
            worker_class,
            "--workers",
            "1",
            "--backlog",
            "4096",
            "--log-level",
            "WARNING",
        ]

    return argv


def _granian(app: str, port: int) -> list[str]:
    # --interface asgi runs the lifespan protocol ("asginl" would skip it).
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--working-dir",
        str(APPS_DIR),
        "--log-level",
        "warning",
        "--backlog",
        "4096",
        app,
    ]


SERVER_KINDS: dict[str, ServerKind] = {
    kind.id: kind
    for kind in (
        ServerKind("uvicorn-websockets", _uvicorn("websockets"), True, "asyncio"),
        ServerKind("uvicorn-wsproto", _uvicorn("wsproto"), True, "asyncio"),
        ServerKind("hypercorn-asyncio", _hypercorn("asyncio"), True, "asyncio"),
        ServerKind("hypercorn-trio", _hypercorn("trio"), True, "trio"),
        ServerKind("granian", _granian, True, "asyncio"),
    )
}
SERVER_IDS = tuple(SERVER_KINDS)


def waits_for_websockets_on_sigterm(kind_id: str) -> bool:
    """Whether the server keeps open WebSockets open after SIGTERM until their clients leave.

    hypercorn 0.18's asyncio worker awaits ``asyncio.Server.wait_closed()`` before it
    starts its graceful timeout, and since Python 3.12.1 that waits for every open
    connection: the server neither closes them nor tells the app until the clients go.
    No application can do anything about it (the bare ASGI app of test_infrastructure
    shows the same); the deployment page says so.
    """
    return kind_id == "hypercorn-asyncio" and sys.version_info >= (3, 12)


class ServerError(RuntimeError):
    """The server did not start, or did not stop, in time."""


class ServerProcess:
    """One server subprocess serving ``app`` on a free loopback port.

    Use as a context manager, or call :meth:`start` and :meth:`stop` yourself
    (``stop`` is idempotent and always reaps the process).
    """

    def __init__(
        self,
        kind: ServerKind,
        app: str,
        log_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.kind = kind
        self.app = app
        self.log_path = log_path
        self.env = dict(env or {})
        self.extra_args = tuple(extra_args)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None

    # -- life cycle ---------------------------------------------------------------
    def start(self, attempts: int = 3) -> ServerProcess:
        """Start the server and wait until it answers HTTP on its port."""
        last: Exception | None = None
        for _ in range(attempts):  # a free port may be taken between probe and bind
            self.port = free_port()
            self._spawn()
            try:
                self.wait_ready()
            except ServerError as exc:
                last = exc
                self.stop()
                continue
            return self
        raise ServerError(f"{self.kind.id} did not start: {last}")

    def _spawn(self) -> None:
        raise_nofile_limit()  # the child inherits the limit
        env = dict(os.environ)
        env.update(self.env)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(APPS_DIR), env.get("PYTHONPATH", "")) if p
        )
        env["PYTHONUNBUFFERED"] = "1"
        env.pop("PYTHONWARNINGS", None)
        argv = [*self.kind.argv(self.app, self.port), *self.extra_args]
        with self.log_path.open("ab") as log:
            log.write(f"\n$ {' '.join(argv)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                argv,
                cwd=str(APPS_DIR),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, led by self.proc.pid
            )
        self.returncode = None

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until the app answers a plain HTTP request (so its lifespan started)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise ServerError(f"{self.kind.id} exited early:\n{self.log_tail()}")
            if self._answers_http():
                return
            time.sleep(0.1)
        raise ServerError(f"{self.kind.id} not ready after {timeout}s:\n{self.log_tail()}")

    def _answers_http(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=2.0) as sock:
                sock.settimeout(2.0)
                sock.sendall(
                    b"GET /__e2e_ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                )
                return sock.recv(16).startswith(b"HTTP/")
        except OSError:
            return False

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int:
        """The server's PID (also the id of its process group)."""
        assert self.proc is not None
        return self.proc.pid

    def terminate(self) -> None:
        """Send SIGTERM (graceful shutdown) without waiting."""
        if self.running:
            os.kill(self.pid, signal.SIGTERM)

    def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        """Wait for the process to exit; raise :class:`ServerError` on timeout."""
        assert self.proc is not None
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired as exc:
            raise ServerError(f"{self.kind.id} still running after {timeout}s") from exc
        return self.returncode

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM, wait up to ``timeout``, then SIGKILL the process group; reap it."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(timeout)
        # Worker processes a supervisor left behind live in the same group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        self.returncode = self.proc.returncode
        return self.returncode

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- observation ----------------------------------------------------------------
    @property
    def url(self) -> str:
        """``ws://127.0.0.1:<port>``."""
        return f"ws://{HOST}:{self.port}"

    def log_text(self) -> str:
        """Everything the server printed so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's output, for error messages."""
        return self.log_text()[-chars:]

    def worker_pids(self) -> list[int]:
        """PIDs in the server's process group (the server and any workers)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.pid:  # field 5 of stat: process group id
                pids.append(int(entry.name))
        return sorted(pids)

    def rss_kib(self, pid: int | None = None) -> int:
        """VmRSS of the server process (or ``pid``) in KiB, from /proc/<pid>/status."""
        status = Path(f"/proc/{pid or self.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise ServerError("no VmRSS line")


def read_counters(path: Path) -> dict[str, int]:
    """The counters an e2e app writes (JSON object), or {} before the first write."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    return json.loads(text) if text else {}


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds passed; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


@contextlib.contextmanager
def serving(
    kind: ServerKind, app: str, log_path: Path, **kwargs: object
) -> Iterator[ServerProcess]:
    """Context manager: a started server, stopped on exit whatever happened."""
    server = ServerProcess(kind, app, log_path, **kwargs)  # type: ignore[arg-type]
    try:
        server.start()
        yield server
    finally:
        server.stop()


class ServerFactory:
    """Servers started for one test only."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.servers: list[ServerProcess] = []

    def start(
        self,
        kind_id: str,
        app: str,
        env: Mapping[str, str] | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> ServerProcess:
        server = ServerProcess(
            SERVER_KINDS[kind_id],
            app,
            self.workdir / f"{kind_id}-{len(self.servers)}.log",
            env=env,
            extra_args=extra_args,
        )
        self.servers.append(server)
        return server.start()

    def close(self) -> None:
        for server in self.servers:
            server.stop()
