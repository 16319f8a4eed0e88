"""Fixtures shared by every test folder."""

import importlib.util
import itertools
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType

import pytest

from ws_core.testing import TestClient, WebSocketRejected

Refused = Callable[..., WebSocketRejected]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
# Helpers shared across test folders (processes.py) import as top-level modules.
sys.path.insert(0, str(ROOT / "tests"))
_fresh = itertools.count()


def load(relative: str) -> ModuleType:
    """Import ``docs/examples/<relative>`` afresh (new module, new module-level state)."""
    path = EXAMPLES / relative
    name = f"docs_example_{path.stem}_{next(_fresh)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and type hints look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def load_example() -> Callable[[str], ModuleType]:
    return load


def _refused(
    client: TestClient, path: str, headers: Mapping[str, str] | None = None
) -> WebSocketRejected:
    """Open ``path`` expecting the handshake to be refused; return the refusal."""
    with (
        pytest.raises(WebSocketRejected) as rejected,
        client.websocket_connect(path, headers=headers),
    ):
        pass
    return rejected.value


@pytest.fixture
def refused() -> Refused:
    """``refused(client, path, headers=None)``: the refusal of a handshake expected to fail."""
    return _refused
