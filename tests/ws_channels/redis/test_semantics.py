"""The SPEC §6 semantics suite of the memory backend, run unchanged on both Redis backends.

Every test of ``tests/ws_channels/test_*.py`` that takes the ``make_backend``
fixture is collected here again, as it is, on asyncio and trio; this folder's
``make_backend`` (conftest.py) makes Redis backends instead. Two things
differ from the memory runs, neither in the tests' code:

- their ``settle()`` ("every other task waits: what was published has been
  fanned out") cannot see an event on its way through Redis, so it is
  replaced by the Redis one of redis_support.py (a probe round trip after
  every write finished);
- the pub/sub backend keeps no history: the tests that read history
  (:data:`NEED_HISTORY`) are skipped on it, saying so;
- the flush of a full publish queue at shutdown (10,000 events, one round
  trip each) is given more than ``FLUSH_TIMEOUT``'s 5 s: the test is about
  counting what the full queue refused, not about Redis's speed;
- the two tests whose size is about the fan-out, not the backend (the stuck
  room of 500 and the 10,000 cancelled cycles) run smaller
  (:data:`SCALED_DOWN`): at full size they cost 30-60 s each per run over
  Redis, and what they check holds the same in a tenth of the room or cycles.

Two assertions hold on the memory backend only; their tests are skipped
here (:data:`MEMORY_ONLY`, with why) and what they check that does apply to
Redis is checked by test_backends.py.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import redis_support

import ws_channels.publisher
from ws_channels import ChannelsBackend

pytestmark = pytest.mark.anyio

# The memory suite's modules (they import as top-level modules: see its conftest).
SUITES: tuple[ModuleType, ...] = tuple(
    importlib.import_module(path.stem)
    for path in sorted(Path(__file__).resolve().parents[1].glob("test_*.py"))
)

# Tests of the memory suite that read what history holds.
NEED_HISTORY = {
    "test_handlers.test_history_is_sent_on_connect",
    "test_handlers.test_positions_are_sent_and_since_resumes",
    "test_lifecycle.test_a_worker_runs_the_plugin_without_an_app",
    "test_lifecycle.test_litestar_names_work_as_in_litestar",
    "test_publish.test_shutdown_flushes_what_was_scheduled",
    "test_resume.test_history_then_live_in_order",
    "test_resume.test_since_delivers_exactly_what_followed_then_live",
    "test_resume.test_since_the_newest_position_replays_nothing_and_recovers",
    "test_resume.test_a_gap_partly_gone_from_history_is_not_passed_off_as_recovered",
    "test_resume.test_a_position_that_cannot_be_resumed_recovers_nothing_and_live_flows",
    "test_resume.test_a_resume_longer_than_the_backlog_is_delivered_whole",
    "test_resume.test_start_subscription_resumes_too",
    "test_resume.test_no_gap_and_no_duplicate_at_the_seam_while_publishing",
}


SLOW_FLUSH = "test_publish.test_a_full_queue_counts_and_logs_the_loss_without_blocking"

# Module constants set smaller for the Redis runs of these tests.
SCALED_DOWN: dict[str, dict[str, int]] = {
    "test_stuck_room.test_one_stuck_socket_among_500_holds_nobody_up": {
        "MEMBERS": 50,
        "EVENTS": 300,
    },
    # Over Redis, what is in flight at any moment (coredis's buffers, the
    # reader's batch, trio's scopes) weighs 100-330 KB, up and down without
    # growing (measured over 4 x 1,000 cycles): the byte budget allows for it.
    # A leaked subscriber or task is still caught exactly, by the counts.
    "test_churn.test_random_cancellations_leave_no_subscriber_task_or_memory_behind": {
        "CYCLES": 1000,
        "WARM_UP": 100,
        "LEAK_BUDGET": 1024 * 1024,
    },
}

MEMORY_ONLY = {
    "test_publish.test_str_bytes_and_values_are_encoded_once_and_shared": (
        "the bytes a subscriber gets came through Redis: shared by every subscriber of the "
        "process, but not the publisher's own object"
    ),
    "test_resume.test_offsets_count_up_by_one_per_channel_in_one_epoch": (
        "each channel has its own epoch on Redis (its meta key, in its own cluster slot), "
        "not one per backend"
    ),
}


def _backend_tests(module: ModuleType) -> dict[str, Callable[..., Any]]:
    return {
        name: test
        for name, test in vars(module).items()
        if name.startswith("test_")
        and inspect.isfunction(test)
        and "make_backend" in inspect.signature(test).parameters
    }


COLLECTED: dict[str, str] = {}
for _module in SUITES:
    for _name, _test in _backend_tests(_module).items():
        _short = _module.__name__.removeprefix("test_")
        globals()[f"test_{_short}__{_name.removeprefix('test_')}"] = _test
        COLLECTED[f"test_{_short}__{_name.removeprefix('test_')}"] = f"{_module.__name__}.{_name}"


@pytest.fixture(autouse=True)
def _on_redis(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    redis_kind: str,
    made_backends: list[ChannelsBackend],
) -> None:
    origin = COLLECTED.get(request.node.originalname)
    if origin is None:
        return  # a test of this module's own
    if origin in MEMORY_ONLY:
        pytest.skip(MEMORY_ONLY[origin])
    if redis_kind == "pubsub" and origin in NEED_HISTORY:
        pytest.skip("the pub/sub backend keeps no history")
    if origin == SLOW_FLUSH:
        monkeypatch.setattr(ws_channels.publisher, "FLUSH_TIMEOUT", 60.0)
    module_name = origin.split(".")[0]
    for constant, value in SCALED_DOWN.get(origin, {}).items():
        monkeypatch.setattr(importlib.import_module(module_name), constant, value)

    async def settle() -> None:
        await redis_support.settle(made_backends)

    for module in SUITES:
        if hasattr(module, "settle"):
            monkeypatch.setattr(module, "settle", settle)


def test_the_whole_memory_suite_is_collected() -> None:
    assert {module.__name__ for module in SUITES} >= {"test_publish", "test_resume"}
    assert len(COLLECTED) == sum(len(_backend_tests(module)) for module in SUITES)
    # Every test named above exists (a renamed one would otherwise run where it cannot pass).
    present = {module.__name__ for module in SUITES}
    named = NEED_HISTORY | set(MEMORY_ONLY) | {SLOW_FLUSH} | set(SCALED_DOWN)
    assert {name for name in named if name.split(".")[0] in present} <= set(COLLECTED.values())
