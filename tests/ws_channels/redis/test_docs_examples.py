"""The examples of docs/how-to/channels-redis.md (docs/examples/channels_redis/), run.

The command of ``workers.sh`` is run as the page shows it (its port and Redis
swapped for the test's own), two uvicorn workers on one redis-server; the
worker script runs as a process of its own; the Sentinel example talks to a
real Sentinel (``redis-server --sentinel``) watching the test's redis-server.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import anyio
import httpx
import pytest
from processes import ROOT, free_port, running
from redis_support import REDIS_SERVER, RedisServer
from websockets.sync.client import connect

from ws_channels import ChannelsPlugin, RedisChannelsStreamBackend
from ws_core.testing import AsyncTestClient

PAGE = ROOT / "docs" / "how-to" / "channels-redis.md"
EXAMPLES = ROOT / "docs" / "examples"
APP = "channels_redis/app.py"
COMMAND = "channels_redis/workers.sh"  # serves APP
WORKER = "channels_redis/worker.py"
SENTINEL = "channels_redis/sentinel.py"
START_TIMEOUT = 40.0


def command_from_page(port: int, redis_url: str) -> tuple[list[str], dict[str, str]]:
    """The command of workers.sh, run with this interpreter: (argv, environment)."""
    line = (EXAMPLES / COMMAND).read_text().strip()
    assert "\n" not in line
    words = shlex.split(line.replace("8000", str(port)).replace("--workers 4", "--workers 2"))
    env: dict[str, str] = {}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = redis_url if name == "REDIS_URL" else value
    target = APP.removesuffix(".py").replace("/", ".")
    assert words[:2] == ["uvicorn", f"docs.examples.{target}:app"]
    return [sys.executable, "-m", *words], env


def ready_status(port: int) -> int:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code
    except httpx.TransportError:
        return 0


def wait_for_status(port: int, status: int, within: float = 30.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if ready_status(port) == status:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def served(redis_server: RedisServer, tmp_path: Path) -> Iterator[int]:
    """The page's command, serving the app with two workers; yields its port."""
    redis_server.start()
    port = free_port()
    argv, env = command_from_page(port, redis_server.url)
    log = tmp_path / "uvicorn.log"
    with running(argv, log, lambda: ready_status(port) == 200, timeout=START_TIMEOUT, env=env):
        yield port


def test_the_page_command_serves_rooms_from_several_workers(served: int) -> None:
    base = f"ws://127.0.0.1:{served}"
    with (
        connect(f"{base}/rooms/lobby", open_timeout=10) as first,
        connect(f"{base}/rooms/lobby", open_timeout=10) as second,
        connect(f"{base}/say/lobby", open_timeout=10) as say,
    ):
        say.send("hello")
        events = [json.loads(reader.recv(timeout=10)) for reader in (first, second)]
        assert [event["data"] for event in events] == ["hello", "hello"]
        assert events[0] == events[1]
        position = f"{events[0]['epoch']}:{events[0]['offset']}"
        second.close()
        say.send("while away")
        say.send("back")
        assert [json.loads(first.recv(timeout=10))["data"] for _ in range(2)] == [
            "while away",
            "back",
        ]
    with connect(f"{base}/rooms/lobby?since={position}", open_timeout=10) as resumed:
        assert [json.loads(resumed.recv(timeout=10))["data"] for _ in range(2)] == [
            "while away",
            "back",
        ]


def test_ready_answers_503_while_redis_is_away(redis_server: RedisServer, tmp_path: Path) -> None:
    redis_server.start()
    port = free_port()
    argv, env = command_from_page(port, redis_server.url)
    log = tmp_path / "uvicorn.log"
    with running(argv, log, lambda: ready_status(port) == 200, timeout=START_TIMEOUT, env=env):
        redis_server.stop()
        assert wait_for_status(port, 503)
        redis_server.start()
        assert wait_for_status(port, 200)


@pytest.mark.anyio
async def test_a_worker_process_publishes_into_the_rooms(
    redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
    load_example: Callable[[str], ModuleType],
) -> None:
    redis_server.start()
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    example = load_example(APP)
    async with (
        AsyncTestClient(example.app) as client,
        client.websocket_connect("/rooms/lobby") as lobby,
    ):
        worker = await anyio.run_process(
            [sys.executable, str(EXAMPLES / WORKER)],
            env={**os.environ, "REDIS_URL": redis_server.url},
            check=False,
        )
        assert worker.returncode == 0, worker.stderr.decode()
        event = await lobby.receive_json()
    assert event["data"] == {"notice": "maintenance at 22:00"}


def _sentinel_knows_the_primary(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
            sock.sendall(b"SENTINEL get-master-addr-by-name mymaster\r\n")
            return b"127.0.0.1" in sock.recv(256)
    except OSError:
        return False


@pytest.mark.anyio
async def test_the_sentinel_example_finds_the_primary(
    redis_server: RedisServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    load_example: Callable[[str], ModuleType],
) -> None:
    redis_server.start()
    port = free_port()
    config = tmp_path / "sentinel.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 {redis_server.port} 1\n"
    )
    argv = [REDIS_SERVER, str(config), "--sentinel"]
    with running(
        argv, tmp_path / "sentinel.log", lambda: _sentinel_knows_the_primary(port), timeout=20
    ):
        monkeypatch.setenv("REDIS_SENTINELS", f"127.0.0.1:{port}")
        example = load_example(SENTINEL)
        async with (
            AsyncTestClient(example.app) as client,
            client.websocket_connect("/rooms/lobby") as lobby,
            client.websocket_connect("/say/lobby") as say,
        ):
            await say.send_text("through the primary Sentinel names")
            assert await lobby.receive_text() == "through the primary Sentinel names"
            assert example.channels.stats()["connected"]
        assert "SentinelConnectionPool<service=mymaster" in example.channels.backend.target


@pytest.mark.anyio
async def test_the_acl_rule_of_the_page_is_enough(tmp_path: Path) -> None:
    (rule,) = re.findall(r"^ *(user chat on .*)$", PAGE.read_text(), re.MULTILINE)
    words = rule.split()[1:]
    server = RedisServer(tmp_path, options=["--user", *words]).start()
    password = next(word[1:] for word in words if word.startswith(">"))
    url = f"redis://chat:{password}@127.0.0.1:{server.port}/0"
    try:
        backend = RedisChannelsStreamBackend(url=url, key_prefix="chat")
        async with ChannelsPlugin(backend, channels=["room"]) as channels:
            await channels.wait_published("x", "room")
            subscriber = await channels.subscribe("room", history=-1)
            async for event in subscriber.iter_events():
                assert event == b"x"
                break
            async with channels.track("room", "ada"), channels.presence_events("room") as diffs:
                assert (await anext(diffs)).joins == {"ada": [None]}
            await backend.check_health()
            assert await backend.flush_all() == 1
        assert server.cli("ACL", "LOG") == ""  # nothing was refused
    finally:
        server.stop()
