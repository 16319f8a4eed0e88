"""The installing-single-packages how-to (docs/examples/packages/)."""

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from ws_core.testing import TestClient

ROOT = Path(__file__).resolve().parents[2]
Load = Callable[[str], ModuleType]


def test_core_only_app_works(load_example: Load) -> None:
    example = load_example("packages/core_only.py")
    with TestClient(example.app) as client, client.websocket_connect("/upper") as ws:
        ws.send_text("shout")
        assert ws.receive_text() == "SHOUT"


def test_core_only_app_loads_no_other_ws_kit_package() -> None:
    script = (
        "import json, runpy, sys;"
        "runpy.run_path(sys.argv[1]);"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0].startswith('ws_'))))"
    )
    path = ROOT / "docs" / "examples" / "packages" / "core_only.py"
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    ).stdout
    top_level = {name.split(".")[0] for name in json.loads(out)}
    assert top_level == {"ws_core", "ws_di"}
