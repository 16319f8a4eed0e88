"""The AsyncAPI how-to (docs/examples/asyncapi/): served, shaped by DTOs, exported, extended."""

import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import yaml
from asyncapi.http_support import request
from asyncapi.official_parser import ERROR, describe, parse

from ws_kit.testing import TestClient

Load = Callable[[str], ModuleType]
ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "how-to" / "asyncapi.md"


def valid(tmp_path: Path, text: bytes) -> None:
    (result,) = parse(tmp_path, {"document.json": text}).values()
    assert not result.at(ERROR), describe(result)


def test_the_app_serves_a_document_shaped_by_its_dtos(load_example: Load, tmp_path: Path) -> None:
    example = load_example("asyncapi/app.py")
    app = example.app
    for path in ("/asyncapi", "/asyncapi.json", "/asyncapi.yaml", "/asyncapi/ui.js"):
        assert request(app, path).status == 200, path
    document = yaml.safe_load(request(app, "/asyncapi.yaml").body)
    assert document == app.asyncapi_document.as_dict()
    assert document["info"]["title"] == "Trading feed"
    assert document["servers"]["production"] == {"host": "feed.example.com", "protocol": "wss"}
    fill = document["components"]["schemas"]["PublicFill"]
    assert set(fill["properties"]) == {"orderId", "price", "filledAt"}  # no counterparty
    received = document["components"]["messages"]["orders.received"]["payload"]
    assert received["discriminator"] == "type"
    assert [m["$ref"].rsplit("/", 1)[1] for m in received["oneOf"]] == ["Order", "Cancel"]
    prices = document["channels"]["prices"]
    assert prices["address"] == "/prices/{symbol}"
    assert prices["bindings"]["ws"]["query"]["properties"] == {"every": {"type": "number"}}
    valid(tmp_path, app.asyncapi_document.json())

    # ...and the App does what its document says.
    with TestClient(app) as client, client.websocket_connect("/orders") as ws:
        ws.send_json(
            {"type": "order", "symbol": "ACME", "side": "buy", "quantity": 2, "limit": "9.5"}
        )
        assert set(ws.receive_json()) == set(fill["properties"])


def test_the_export_commands_of_the_page(load_example: Load, tmp_path: Path) -> None:
    commands = re.findall(r"^\$ python -m ws_kit\.asyncapi (.+)$", PAGE.read_text(), re.MULTILINE)
    assert len(commands) == 2
    expected = load_example("asyncapi/app.py").app.asyncapi_document
    for command in commands:
        arguments = shlex.split(command)
        if ">" in arguments:  # the shell's redirection: read stdout instead
            arguments = arguments[: arguments.index(">")]
        output = tmp_path / "exported"
        if "-o" in arguments:
            arguments[arguments.index("-o") + 1] = str(output)
        result = subprocess.run(
            [sys.executable, "-m", "ws_kit.asyncapi", *arguments],
            cwd=ROOT,
            capture_output=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        if "-o" in arguments:
            assert output.read_bytes() == expected.yaml()
        else:
            assert result.stdout == expected.json()


def test_a_handler_kind_of_ones_own_describes_itself(load_example: Load, tmp_path: Path) -> None:
    example = load_example("asyncapi/custom_kind.py")
    document = example.app.asyncapi_document.as_dict()
    channel = document["channels"]["heartbeat"]
    assert channel["description"] == "Sends the seconds since the connection opened, once a second."
    assert channel["bindings"]["ws"]["query"]["properties"]["beats"]["minimum"] == 0
    assert document["operations"]["sendHeartbeat"]["messages"] == [
        {"$ref": "#/channels/heartbeat/messages/Beat"}
    ]
    assert document["components"]["messages"]["Beat"]["payload"] == {"type": "integer"}
    valid(tmp_path, example.app.asyncapi_document.json())
    with TestClient(example.app) as client, client.websocket_connect("/heartbeat?beats=1") as ws:
        assert ws.receive_json() == 0
