"""What the App serves over HTTP: the document, its page and the page's files, then the rest."""

import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from http_support import request

from ws_core import Receive, Scope, Send
from ws_kit import App, websocket_listener
from ws_kit.asyncapi import AsyncAPIConfig

VENDOR = Path(__file__).resolve().parents[2] / "packages/ws-core/src/ws_core/asyncapi/vendor"


@websocket_listener("/echo")
async def echo(data: str) -> str:
    """Echoes </script><b>text</b>."""
    return data


async def other_http(scope: Scope, receive: Receive, send: Send) -> None:
    body = f"other: {scope['path']}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def embedded_document(page: str) -> Any:
    found = re.search(
        r'<script id="asyncapi-document" type="application/json">(.*?)</script>', page, re.S
    )
    assert found is not None
    return json.loads(found.group(1))


@pytest.fixture
def app() -> App:
    return App([echo], asyncapi=AsyncAPIConfig(title="Echo <&>", version="1.0.0"))


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_the_json_and_yaml_documents(app: App, backend: str) -> None:
    response = request(app, "/asyncapi.json", backend=backend)
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-length"] == str(len(response.body))
    assert response.body == app.asyncapi_document.json()
    assert json.loads(response.body)["info"]["title"] == "Echo <&>"

    response = request(app, "/asyncapi.yaml", backend=backend)
    assert response.status == 200
    assert response.headers["content-type"] == "application/yaml; charset=utf-8"
    assert yaml.safe_load(response.body) == app.asyncapi_document.as_dict()


def test_the_page_embeds_the_document_and_loads_the_vendored_component(app: App) -> None:
    response = request(app, "/asyncapi")
    assert response.status == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text()
    assert "<title>Echo &lt;&amp;&gt;</title>" in page
    assert '<script src="asyncapi/ui.js"></script>' in page  # relative: mounts keep working
    assert '<link rel="stylesheet" href="asyncapi/ui.css">' in page
    assert embedded_document(page) == app.asyncapi_document.as_dict()
    # a docstring's "</script>" cannot end the block it is embedded in
    assert "</script><b>" not in page
    assert "http://" not in page
    assert "https://" not in page


@pytest.mark.parametrize(
    ("path", "file", "media_type"),
    [
        ("/asyncapi/ui.js", "index.js", "text/javascript; charset=utf-8"),
        ("/asyncapi/ui.css", "default.min.css", "text/css; charset=utf-8"),
    ],
)
def test_the_vendored_files_are_served(app: App, path: str, file: str, media_type: str) -> None:
    response = request(app, path)
    assert response.status == 200
    assert response.headers["content-type"] == media_type
    record = json.loads((VENDOR / "VENDORED.json").read_text())
    assert hashlib.sha256(response.body).hexdigest() == record["sha256"][file]


def test_head_and_other_methods(app: App) -> None:
    head = request(app, "/asyncapi.json", method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == str(len(app.asyncapi_document.json()))
    post = request(app, "/asyncapi.json", method="POST")
    assert post.status == 405
    assert post.headers["allow"] == "GET, HEAD"


def test_other_paths_go_on_to_http_app_or_404() -> None:
    config = AsyncAPIConfig()
    with_http_app = App([echo], asyncapi=config, http_app=other_http)
    assert request(with_http_app, "/").body == b"other: /"
    assert request(with_http_app, "/asyncapi/").body == b"other: /asyncapi/"
    assert request(with_http_app, "/asyncapi.json").status == 200
    alone = App([echo], asyncapi=config)
    missing = request(alone, "/asyncapi.txt")
    assert (missing.status, missing.body) == (404, b"Not Found")


def test_nothing_is_served_without_the_option_or_with_no_path() -> None:
    for app in (App([echo]), App([echo], asyncapi=AsyncAPIConfig(path=None))):
        for path in ("/asyncapi", "/asyncapi.json", "/asyncapi.yaml", "/asyncapi/ui.js"):
            assert request(app, path).status == 404
        assert app.asyncapi_document.as_dict()["channels"]["echo"]["address"] == "/echo"


def test_a_mounted_app_serves_under_its_root_path(app: App) -> None:
    response = request(app, "/chat/asyncapi.json", root_path="/chat")
    assert response.status == 200
    assert response.body == app.asyncapi_document.json()
    assert request(app, "/chat/asyncapi/ui.css", root_path="/chat").status == 200


def test_another_path_and_ui_urls_of_ones_own() -> None:
    config = AsyncAPIConfig(
        path="/docs/api",
        ui_script_url="/static/asyncapi.js",
        ui_stylesheet_url="/static/asyncapi.css",
    )
    app = App([echo], asyncapi=config)
    assert request(app, "/docs/api.json").status == 200
    assert request(app, "/docs/api.yaml").status == 200
    page = request(app, "/docs/api").text()
    assert f'<script src="{html.escape("/static/asyncapi.js")}"></script>' in page
    assert '<link rel="stylesheet" href="/static/asyncapi.css">' in page
    assert request(app, "/docs/api/ui.js").status == 404  # the vendored copy is not served
    assert request(app, "/asyncapi.json").status == 404


def test_the_default_page_links_follow_the_path() -> None:
    app = App([echo], asyncapi=AsyncAPIConfig(path="/docs/api"))
    page = request(app, "/docs/api").text()
    assert '<script src="api/ui.js"></script>' in page
    assert request(app, "/docs/api/ui.js").status == 200
