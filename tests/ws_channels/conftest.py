"""Fixtures of the ws-channels suite.

The semantics tests take their backend from ``make_backend`` — a factory
``make_backend(history=0) -> ChannelsBackend`` parametrised over every
backend (today: memory), so the same suite runs unchanged against another
backend by adding it to ``BACKENDS``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ws_channels import ChannelsBackend, MemoryChannelsBackend

# Tests import the helpers of channels_support.py (pytest runs with --import-mode=importlib).
sys.path.insert(0, str(Path(__file__).resolve().parent))

MakeBackend = Callable[..., ChannelsBackend]

BACKENDS: dict[str, MakeBackend] = {
    "memory": lambda history=0: MemoryChannelsBackend(history=history),
}


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=sorted(BACKENDS))
def make_backend(request: pytest.FixtureRequest) -> MakeBackend:
    """``make_backend(history=0)``: a new, not yet started backend of the parametrised kind."""
    return BACKENDS[request.param]
