"""Fixtures of the Redis backend tests.

``make_backend`` here takes the place of the memory suite's (see
``tests/ws_channels/conftest.py``) for the tests collected in this folder:
it makes Redis backends of both kinds, each on a key prefix of its own, on
one redis-server shared by the session.
"""

from __future__ import annotations

import gc
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# redis_support.py imports as a top-level module (--import-mode=importlib); appended, so
# that the memory suite's `from conftest import ...` still finds its own conftest first.
sys.path.append(str(Path(__file__).resolve().parent))

from redis_support import (
    CountingPubSubBackend,
    CountingStreamBackend,
    RedisServer,
)

from ws_channels import ChannelsBackend

REDIS_KINDS = ("pubsub", "stream")

# coredis 6.9 leaves the anyio memory streams of a connection that never connected
# (Redis refused or away) unclosed; collecting them warns from __del__. Nothing of
# ours is left open (the memory suite checks that with the memory backend).
_COREDIS_LEFTOVERS = (
    r"ignore:Exception ignored in. <function MemoryObject(Send|Receive)Stream.__del__"
    ":pytest.PytestUnraisableExceptionWarning"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.filterwarnings(_COREDIS_LEFTOVERS))


@pytest.fixture(autouse=True)
def _collect_leftovers() -> Iterator[None]:
    """Collect a test's leftovers while its warning filters still apply."""
    yield
    gc.collect()


@pytest.fixture(scope="session")
def shared_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the tests that need no server of their own."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of the test's own (to kill, restart, reconfigure), not started yet."""
    server = RedisServer(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def made_backends() -> list[ChannelsBackend]:
    """Every backend ``make_backend`` made in the test."""
    return []


@pytest.fixture(params=REDIS_KINDS)
def redis_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_backend(
    redis_kind: str, shared_redis: RedisServer, made_backends: list[ChannelsBackend]
) -> Callable[..., ChannelsBackend]:
    """``make_backend(history=0)``: a new, not started Redis backend, on the test's own prefix."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"

    def make(history: int = 0) -> ChannelsBackend:
        backend: ChannelsBackend
        if redis_kind == "pubsub":
            backend = CountingPubSubBackend(url=shared_redis.url, key_prefix=prefix)
        else:
            backend = CountingStreamBackend(history, url=shared_redis.url, key_prefix=prefix)
        made_backends.append(backend)
        return backend

    return make
