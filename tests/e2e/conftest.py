"""Fixtures for the end-to-end suite: real servers on loopback ports.

Servers are started lazily, at most once per (server kind, app, environment) and
pytest worker, and stopped by PID at the end of the session (or right away for
the tests that stop a server themselves). Figures a test wants to show (load,
churn, fuzz counts) are recorded with ``record_property("e2e: ...", value)`` and
printed in the terminal summary, also under pytest-xdist.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from e2e_support import KIT_APP, SERVER_IDS, SERVER_KINDS, ServerFactory, ServerProcess


class ServerPool:
    """Long-lived servers shared by the tests of one pytest process."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.servers: dict[tuple[str, str, tuple[tuple[str, str], ...]], ServerProcess] = {}

    def get(self, kind_id: str, app: str, env: Mapping[str, str] | None = None) -> ServerProcess:
        key = (kind_id, app, tuple(sorted((env or {}).items())))
        server = self.servers.get(key)
        if server is not None and server.running:
            return server
        if server is not None:  # died: keep its log in the failure, start afresh
            server.stop()
        name = f"{kind_id}-{app.replace(':', '-')}-{len(self.servers)}"
        server = ServerProcess(SERVER_KINDS[kind_id], app, self.workdir / f"{name}.log", env=env)
        self.servers[key] = server
        server.start()
        return server

    def close(self) -> None:
        for server in self.servers.values():
            server.stop()


@pytest.fixture(scope="session")
def server_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    pool = ServerPool(tmp_path_factory.mktemp("servers"))
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(scope="session")
def kit_counters_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("counters")


@pytest.fixture(params=SERVER_IDS)
def kit_server(
    request: pytest.FixtureRequest, server_pool: ServerPool, kit_counters_dir: Path
) -> ServerProcess:
    """The ws-kit test app, served by each server kind in turn (shared, long-lived)."""
    counters = kit_counters_dir / f"{request.param}.json"
    return server_pool.get(request.param, KIT_APP, env={"E2E_COUNTERS_FILE": str(counters)})


@pytest.fixture
def own_server_factory(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start servers that belong to one test (it may SIGTERM them); always stopped."""
    factory = ServerFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = []
    for key in ("passed", "failed"):
        for report in terminalreporter.stats.get(key, []):
            if getattr(report, "when", None) != "call":
                continue
            for name, value in getattr(report, "user_properties", ()):
                if str(name).startswith("e2e: "):
                    lines.append(f"{report.nodeid}: {name[5:]} = {value}")
    if lines:
        terminalreporter.section("e2e figures")
        for line in lines:
            terminalreporter.line(line)
