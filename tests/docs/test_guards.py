"""The guards and origins how-to (docs/examples/guards/)."""

from collections.abc import Callable
from types import ModuleType

from ws_kit.testing import TestClient, WebSocketRejected

Refused = Callable[..., WebSocketRejected]  # the `refused` fixture of tests/conftest.py
Load = Callable[[str], ModuleType]


def test_guards_accumulate_from_the_outside_in(load_example: Load, refused: Refused) -> None:
    example = load_example("guards/guards.py")
    with TestClient(example.app) as client:
        refusals = {
            "/notes": (403, None),
            "/notes?token=wrong": (403, None),
            "/admin/console": (403, None),  # the app's guard runs first
            "/admin/console?token=t0k3n": (401, "administrators only"),
        }
        for path, (status, detail) in refusals.items():
            rejected = refused(client, path)
            assert rejected.status_code == status, path
            if detail is not None:
                assert rejected.json() == {"detail": detail}

        with client.websocket_connect("/notes?token=t0k3n") as ws:
            ws.send_text("milk")
            assert ws.receive_text() == "noted: milk"
        with client.websocket_connect("/admin/console?token=adm1n") as ws:
            ws.send_text("uptime")
            assert ws.receive_text() == "ran: uptime"


def test_allowed_origins(load_example: Load, refused: Refused) -> None:
    example = load_example("guards/origins.py")
    with TestClient(example.app) as client:
        for origin in ("https://app.example.com", "http://localhost:5173"):
            with client.websocket_connect("/feed", headers={"origin": origin}) as ws:
                ws.send_text("ok")
                assert ws.receive_text() == "ok"

        for origin in (
            "https://evil.example",
            "http://app.example.com",  # another scheme
            "https://app.example.com:8443",  # another port
            "http://localhost:3000",
        ):
            rejected = refused(client, "/feed", headers={"origin": origin})
            assert rejected.status_code == 403, origin

        with client.websocket_connect("/feed") as ws:  # no Origin: not a browser
            ws.send_text("script")
            assert ws.receive_text() == "script"
