"""Run an ASGI app in its own uvicorn process on a free loopback port, and read its CPU time."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"
BENCH_DIR = Path(__file__).resolve().parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process of ours by its PID: SIGTERM, then SIGKILL after 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (from ``/proc/<pid>/stat``)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


class UvicornServer:
    """One uvicorn worker serving ``target`` ("module:attribute", importable from benchmarks/)."""

    def __init__(
        self, name: str, target: str, ws: str = "auto", cpus: set[int] | None = None
    ) -> None:
        self.name = name
        self.target = target
        self.ws = ws
        self.cpus = cpus
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        self.port = free_port()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            self.target,
            "--app-dir",
            str(BENCH_DIR),
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
            "--ws",
            self.ws,
        ]
        self.proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT
        )
        if self.cpus:
            # Set while the interpreter is still starting, before uvicorn serves anything.
            os.sched_setaffinity(self.proc.pid, self.cpus)

    def wait_ready(self, timeout: float = 30.0) -> bool:
        """Poll the port until it accepts a connection (or the process died, or time ran out)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 0.5):
                return True
            time.sleep(0.1)
        return False

    def log_tail(self, limit: int = 1500) -> str:
        if self._log.closed:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-limit:]

    def stop(self) -> None:
        """Stop our own process by its PID: SIGTERM, then SIGKILL after 10 s."""
        if self.proc is None or self.proc.poll() is not None:
            self._log.close()
            return
        stop_process(self.proc)
        self._log.close()

    def url(self, path: str) -> str:
        return f"ws://{HOST}:{self.port}{path}"
