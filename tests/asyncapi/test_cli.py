"""``python -m ws_kit.asyncapi module:app``: the document without a server."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from asyncapi_apps import every_kind_app

HERE = Path(__file__).resolve().parent
BAD_APP = """
import msgspec
from ws_kit import App, websocket_listener

@websocket_listener(
    "/ext", receive_mode="binary", send_mode="binary", protocol="msgpack", name="ext"
)
async def ext(data: msgspec.msgpack.Ext) -> None: ...

app = App([ext])
not_an_app = 42
def make(): return app
"""


def export(*arguments: str, cwd: Path = HERE) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "ws_kit.asyncapi", *arguments],
        cwd=cwd,
        capture_output=True,
        check=False,
        timeout=60,
    )


def test_the_json_document_goes_to_stdout() -> None:
    result = export("asyncapi_apps:every_kind_app", "--factory")
    assert result.returncode == 0, result.stderr
    assert result.stdout == every_kind_app().asyncapi_document.json()
    assert result.stderr == b""


def test_yaml_and_an_output_file(tmp_path: Path) -> None:
    target = tmp_path / "asyncapi.yaml"
    result = export("asyncapi_apps:every_kind_app", "--factory", "--format=yaml", f"-o{target}")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    assert yaml.safe_load(target.read_bytes()) == every_kind_app().asyncapi_document.as_dict()


def test_warnings_go_to_stderr_and_stdout_stays_a_document(tmp_path: Path) -> None:
    (tmp_path / "bad_app.py").write_text(BAD_APP)
    result = export("bad_app:app", cwd=tmp_path)  # imported from the current directory
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["components"]["messages"]["ext.received"]["payload"] == {}
    assert b"WARNING ws_core: ListenerRouteHandler 'ext' at '/ext'" in result.stderr


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("bad_app", "the target must be module:attribute"),
        ("missing_module:app", "cannot import 'missing_module'"),
        ("bad_app:missing", "has no attribute 'missing'"),
        ("bad_app:not_an_app", "is 42, not a ws-kit App"),
        ("bad_app:make", "not a ws-kit App (add --factory"),
    ],
)
def test_a_wrong_target_is_a_usage_error(tmp_path: Path, target: str, message: str) -> None:
    (tmp_path / "bad_app.py").write_text(BAD_APP)
    result = export(target, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert result.stdout == b""
