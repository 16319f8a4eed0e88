"""The listeners how-to: its own example, the low-level handler (docs/examples/low_level/).

The guide's listener examples (docs/examples/listeners/) are tested by the ws-listener
suite, in tests/ws_listener/test_guide_examples.py.
"""

from collections.abc import Callable
from types import ModuleType

import pytest

from ws_kit import WebSocketDisconnect
from ws_kit.testing import TestClient

Load = Callable[[str], ModuleType]


def test_low_level_running_sum(load_example: Load) -> None:
    example = load_example("low_level/running_sum.py")
    with TestClient(example.app) as client:
        with client.websocket_connect("/sum", subprotocols=["sum.v1"]) as ws:
            assert ws.accepted_subprotocol == "sum.v1"
            for number, total in [(1, 1), (2.5, 3.5), (-3.5, 0)]:
                ws.send_json(number)
                assert ws.receive_json() == {"total": total}
            ws.send_json("seven")
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert (closed.value.code, closed.value.reason) == (1007, "send numbers only")

        with client.websocket_connect("/sum") as ws:  # no subprotocol offered: none chosen
            assert ws.accepted_subprotocol is None
            ws.send_json(40)
            assert ws.receive_json() == {"total": 40}
