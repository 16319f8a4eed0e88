"""The example in packages/ws-kit/README.md runs and does what the README says."""

import re
import sys
import types
from pathlib import Path

import pytest

from ws_kit import App, WebSocketDisconnect
from ws_kit.testing import TestClient

README = Path(__file__).resolve().parents[2] / "packages" / "ws-kit" / "README.md"


def readme_app() -> App:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    assert len(blocks) == 1, "the README holds one Python example"
    module = types.ModuleType("ws_kit_readme_example")
    sys.modules[module.__name__] = module  # msgspec and type hints look their module up
    try:
        exec(compile(blocks[0], str(README), "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    app: App = module.app
    return app


def test_readme_example() -> None:
    with TestClient(readme_app()) as client:
        with client.websocket_connect("/chat") as ws:
            ws.send_json({"text": "hi"})
            assert ws.receive_json() == {"you said": "hi"}

        with client.websocket_connect("/chat") as ws:
            ws.send_json({"txt": "hi"})
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 1007
            assert "text" in closed.value.reason
