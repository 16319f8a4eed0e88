"""The server fixtures themselves, proved against a bare ASGI app (no ws-kit).

Besides showing that every server starts, serves, and stops by PID, these tests
pin down what each server does with open WebSockets on SIGTERM, which bounds
what any ASGI framework can promise there (see SHUTDOWN_SEEN_BY_CLIENT).
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest
from e2e_client import NO_CLOSE_FRAME, handshake_status, open_ws, recv, wait_closed
from e2e_support import (
    SERVER_IDS,
    ServerFactory,
    ServerKind,
    ServerProcess,
    read_counters,
    wait_for,
    waits_for_websockets_on_sigterm,
)

RAW_APP = "e2e_raw_app:app"
CLIENT_LEFT = 1001  # the code the clients close with themselves, where the server waits for them

# What the client sees when the server gets SIGTERM while a WebSocket is open and the
# app is blocked in receive(). No server sends lifespan.shutdown before its open
# connections are gone, so this is the server's doing, not the app's:
SHUTDOWN_SEEN_BY_CLIENT = {
    # uvicorn closes every socket itself with 1012 (service restart), then tells the app
    # websocket.disconnect(1012), waits for the app, then runs lifespan shutdown.
    "uvicorn-websockets": 1012,
    "uvicorn-wsproto": 1012,
    # hypercorn leaves sockets open for --graceful-timeout (3 s), then cancels the app
    # task; an app that did not close gets 1011 from hypercorn's asyncio worker ...
    "hypercorn-asyncio": 1011,
    # ... and a dropped TCP connection from its trio worker.
    "hypercorn-trio": NO_CLOSE_FRAME,
    # granian drops the TCP connection at once (no close frame) and tells the app
    # websocket.disconnect(1005), but in about half of the runs only after it started the
    # lifespan shutdown, and it exits when that completes: the raw app cancels the
    # connection tasks still running at that point (counters["cancelled_at_shutdown"]),
    # or their cleanup would never run.
    "granian": NO_CLOSE_FRAME,
}


@pytest.mark.parametrize("kind_id", SERVER_IDS)
def test_raw_app_is_served_and_stops_by_pid(
    kind_id: str, own_server_factory: ServerFactory, tmp_path: Path
) -> None:
    counters_file = tmp_path / "raw.json"
    server = own_server_factory.start(
        kind_id, RAW_APP, env={"E2E_COUNTERS_FILE": str(counters_file)}
    )
    assert read_counters(counters_file)["lifespan_startup"] == 1

    async def scenario() -> list[int]:
        async with open_ws(f"{server.url}/echo") as ws:
            await ws.send("hello")
            assert await recv(ws) == "hello"
            await ws.send(b"\x00\xff")
            assert await recv(ws) == b"\x00\xff"
        assert await handshake_status(f"{server.url}/deny403") == 403
        assert await handshake_status(f"{server.url}/nowhere") == 404
        # websocket.close before accept: every server answers 403 itself.
        assert await handshake_status(f"{server.url}/close-before-accept") == 403
        async with open_ws(f"{server.url}/subprotocol", subprotocols=["v1", "v2"]) as ws:
            assert ws.subprotocol == "v2"

        held = [await open_ws(f"{server.url}/echo") for _ in range(3)]
        for ws in held:
            await ws.send("ping")
            assert await recv(ws) == "ping"
        server.terminate()
        if waits_for_websockets_on_sigterm(kind_id):
            assert server.running  # it waits for us, however long
            for ws in held:
                await ws.close(1001)
            return [CLIENT_LEFT] * 3
        closes = [await wait_closed(ws, within=15) for ws in held]
        return [c.code for c in closes]

    codes = asyncio.run(scenario())
    expected = CLIENT_LEFT if waits_for_websockets_on_sigterm(kind_id) else None
    assert codes == [expected or SHUTDOWN_SEEN_BY_CLIENT[kind_id]] * 3, server.log_tail()
    server.wait()
    # (hypercorn's multiprocessing resource tracker exits just after its supervisor)
    assert wait_for(lambda: not server.worker_pids(), 10), "a worker outlived its server"
    counters = read_counters(counters_file)
    assert counters["lifespan_shutdown"] == 1, server.log_tail()
    assert counters["finished"] == counters["accepted"] == 5, counters


def test_stop_kills_a_server_that_ignores_sigterm(tmp_path: Path) -> None:
    # stop() must not depend on the server's good will: a process that ignores SIGTERM
    # (and has a child in its process group) is killed after the timeout.
    script = (
        "import http.server, signal, subprocess, sys\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
        "print('CHILD-PID', child.pid, flush=True)\n"
        "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])),"
        " http.server.BaseHTTPRequestHandler).serve_forever()\n"
    )

    def argv(app: str, port: int) -> list[str]:
        return [sys.executable, "-c", script, str(port)]

    kind = ServerKind("stubborn", argv, False, "asyncio")
    server = ServerProcess(kind, "unused", tmp_path / "log.txt")
    server.start()
    assert wait_for(lambda: "CHILD-PID " in server.log_text(), 10)
    child_pid = int(server.log_text().split("CHILD-PID ", 1)[1].split()[0])
    assert server.worker_pids() == sorted([server.pid, child_pid])

    server.stop(timeout=1)
    assert server.returncode == -signal.SIGKILL
    assert not server.running
    assert wait_for(lambda: not _alive(child_pid), 5), "the child outlived stop()"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
