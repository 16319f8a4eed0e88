"""The README's example runs and behaves as the README says."""

import re
from pathlib import Path

import pytest

from ws_kit import CloseCode, WebSocketDisconnect
from ws_kit.testing import TestClient

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> dict[str, object]:
    (code,) = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    namespace: dict[str, object] = {"__name__": "readme_example"}
    exec(compile(code, str(README), "exec"), namespace)
    return namespace


def test_readme_example_replies_and_rejects_invalid_moves() -> None:
    app = readme_example()["app"]
    with TestClient(app) as client:  # type: ignore[arg-type]
        with client.websocket_connect("/game") as session:
            session.send_json({"x": 1, "y": 2})
            assert session.receive_json() == {"x": 2, "y": 3}
        with client.websocket_connect("/game") as session:
            session.send_json({"x": "one", "y": 2})
            with pytest.raises(WebSocketDisconnect) as closed:
                session.receive_json()
    assert closed.value.code == CloseCode.INVALID_FRAME_PAYLOAD_DATA
    assert "x" in closed.value.reason
