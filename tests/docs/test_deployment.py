"""The deployment how-to: its commands, run for real (docs/examples/deployment/).

Each server is a subprocess on a free 127.0.0.1 port, started from the command
line shown on the page (with the port swapped), and stopped by its own PID.
"""

import shlex
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from processes import free_port, running
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
DEPLOYMENT = EXAMPLES / "deployment"
SERVED_APP = "deployment/app.py"  # what every command on the page serves
START_TIMEOUT = 40.0


def command_from_page(name: str, port: int, app: str) -> list[str]:
    """The command of ``docs/examples/deployment/<name>.sh``, run with this interpreter.

    ``app`` is the example file the command must serve.
    """
    line = (DEPLOYMENT / f"{name}.sh").read_text().strip()
    assert "\n" not in line
    words = shlex.split(line.replace("8000", str(port)))
    assert words[0] == name
    target = app.removesuffix(".py").replace("/", ".")
    assert f"docs.examples.{target}:app" in words
    return [sys.executable, "-m", *words]


@contextmanager
def serving(
    argv: Sequence[str], port: int, log: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run ``argv`` until ``GET /health`` answers; stop it by its PID afterwards."""

    def answering() -> bool:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
        except httpx.TransportError:
            return False
        return True

    with running(argv, log, answering, timeout=START_TIMEOUT, env=env):
        yield f"ws://127.0.0.1:{port}"


@pytest.mark.parametrize("server", ["uvicorn", "hypercorn", "granian"])
def test_the_page_commands_serve_the_app(server: str, tmp_path: Path) -> None:
    port = free_port()
    argv = command_from_page(server, port, SERVED_APP)
    with serving(argv, port, tmp_path / f"{server}.log") as url:
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
        assert (health.status_code, health.text) == (200, "ok")
        assert httpx.get(f"http://127.0.0.1:{port}/other", timeout=5).status_code == 404

        with connect(f"{url}/echo", open_timeout=10) as ws:
            ws.send("hello")
            assert ws.recv(timeout=10) == "hello"
            ws.send("again")
            assert ws.recv(timeout=10) == "again"

        with pytest.raises(InvalidStatus) as refused:
            connect(f"{url}/no-such-route", open_timeout=10)
        assert refused.value.response.status_code == 404


def test_uvicorn_started_from_python(tmp_path: Path) -> None:
    port = free_port()
    argv = [sys.executable, str(EXAMPLES / "deployment/serve.py")]
    with (
        serving(argv, port, tmp_path / "serve.log", env={"PORT": str(port)}) as url,
        connect(f"{url}/echo", open_timeout=10) as ws,
    ):
        ws.send("from python")
        assert ws.recv(timeout=10) == "from python"
