"""Commands and code that the pages show inline, run as the text says.

Every ``uvicorn <module>:<app>`` command in the documentation is run from
where the text says to (the root of a clone), through uvicorn's own importer;
the logging filter of the deployment page is installed in an app served by a
real uvicorn and must drop exactly the record it is meant to drop; the model
of the codec page that rejects a value on purpose is served by a listener.
"""

import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from processes import free_port, running

from ws_kit import WebSocketDisconnect, websocket_listener
from ws_kit.testing import create_test_client

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
COMMAND = re.compile(r"\buvicorn +(?P<target>[A-Za-z_][\w.]*:[A-Za-z_]\w*)")
# The pages that show a command, or include an example that does, and say where to run it.
PAGES_WITH_COMMANDS = [
    "index.md",
    "tutorial.md",
    "how-to/deployment.md",
    "demo.md",
    "how-to/asyncapi.md",
]
NOISE = "ASGI callable returned without completing handshake."


def documented_commands() -> list[tuple[str, str]]:
    sources = [*DOCS.glob("*.md"), *DOCS.glob("how-to/*.md"), *DOCS.rglob("examples/**/*")]
    found = {
        (match["target"], str(path.relative_to(ROOT)))
        for path in sources
        if path.is_file() and path.suffix in {".md", ".py", ".sh"}
        for match in COMMAND.finditer(path.read_text())
    }
    return sorted(found)


def test_the_commands_are_found() -> None:
    targets = {target for target, _ in documented_commands()}
    assert "docs.examples.quickstart.app:app" in targets
    assert "docs.examples.tutorial.step1_echo:app" in targets


@pytest.mark.parametrize(("target", "where"), documented_commands())
def test_every_uvicorn_command_finds_its_app_from_the_root_of_a_clone(
    target: str, where: str
) -> None:
    # uvicorn puts its --app-dir (default ".") first on sys.path, then imports the target.
    check = (
        "import sys; sys.path.insert(0, '.');"
        "from uvicorn.importer import import_from_string; from ws_kit import App;"
        f"app = import_from_string({target!r}); assert isinstance(app, App), app"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{target} (from {where}): {result.stderr}"


@pytest.mark.parametrize("page", PAGES_WITH_COMMANDS)
def test_the_pages_say_where_to_run_the_commands(page: str) -> None:
    assert "root of" in (DOCS / page).read_text()


def filter_from_the_deployment_page() -> str:
    page = (DOCS / "how-to" / "deployment.md").read_text()
    section = page.split("### uvicorn 0.54 logs an ERROR", 1)[1]
    (code,) = re.findall(r"```python\n(.*?)```", section.split("\n### ", 1)[0], re.DOTALL)
    assert "addFilter" in code
    return str(code)


def test_the_logging_filter_drops_only_uvicorns_handshake_noise(tmp_path: Path) -> None:
    (tmp_path / "noisy.py").write_text(
        filter_from_the_deployment_page()
        + textwrap.dedent(f"""
            from ws_kit import App

            def speak() -> None:
                logger = logging.getLogger("uvicorn.error")
                logger.error({NOISE!r})
                logger.error("a real error is still logged")

            app = App([], on_startup=[speak])
        """)
    )
    port = free_port()
    log = tmp_path / "uvicorn.log"
    argv = [sys.executable, "-m", "uvicorn", "noisy:app", "--app-dir", str(tmp_path)]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    with running(argv, log, lambda: "Uvicorn running" in log.read_text(), timeout=40):
        pass
    output = log.read_text()
    assert "a real error is still logged" in output
    assert NOISE not in output


def test_a_model_rejecting_on_purpose_tells_the_client_why() -> None:
    page = (DOCS / "how-to" / "codec-and-dtos.md").read_text()
    section = page.split("## What a client is told", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(compile(code, "codec-and-dtos.md", "exec"), namespace)
    order: Any = namespace["Order"]

    @websocket_listener("/orders")
    def take(data: order) -> int:
        return int(data.quantity)

    with create_test_client([take]) as client, client.websocket_connect("/orders") as ws:
        ws.send_json({"quantity": 12})
        assert ws.receive_json() == 12
        ws.send_json({"quantity": 5})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert (closed.value.code, closed.value.reason) == (
        1007,
        "$.quantity: quantity must be a multiple of 6",
    )
