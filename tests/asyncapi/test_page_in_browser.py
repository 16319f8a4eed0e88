"""The chat demo's AsyncAPI page in a real browser: every operation rendered, nothing fetched.

The demo is started as a user starts it, ``python -m docs.examples.chat --port
N``; headless Chromium (Playwright, the launch options of the demo's own
browser test) opens ``/asyncapi``, which renders the document with the
vendored AsyncAPI React component. Every request the page makes is
intercepted: one for anything but the demo itself fails the test (and is
never sent).
"""

import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from demo.test_browser import CHROMIUM, CHROMIUM_ARGS, START_TIMEOUT, UI_TIMEOUT
from playwright.sync_api import Route, expect, sync_playwright
from processes import free_port, running


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    """Run ``python -m docs.examples.chat`` and yield its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"

    def serving_the_document() -> bool:
        try:
            return httpx.get(url + "asyncapi.json", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    argv = [sys.executable, "-m", "docs.examples.chat", "--port", str(port)]
    with running(argv, tmp_path / "demo.log", serving_the_document, timeout=START_TIMEOUT):
        yield url


def test_every_operation_of_the_demo_is_rendered(demo: str) -> None:
    document = httpx.get(demo + "asyncapi.json", timeout=5).json()
    operations = document["operations"]
    assert set(operations) == {"receiveChat", "sendPresence"}
    elsewhere: list[str] = []

    def only_the_demo(route: Route) -> None:
        if urlsplit(route.request.url).netloc == urlsplit(demo).netloc:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    with (
        tempfile.TemporaryDirectory(prefix="ws-kit-chromium-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context.route("**/*", only_the_demo)
            page = context.new_page()
            failures: list[str] = []
            page.on("pageerror", lambda error: failures.append(str(error)))
            page.goto(demo + "asyncapi")
            title = page.locator("text=ws-kit chat demo 1.0.0 >> visible=true")
            expect(title).to_be_visible(timeout=UI_TIMEOUT)
            for key, operation in operations.items():
                rendered = page.locator(f'[id="operation-{operation["action"]}-{key}"]')
                expect(rendered).to_be_visible(timeout=UI_TIMEOUT)
                channel = document["channels"][operation["channel"]["$ref"].rsplit("/", 1)[1]]
                expect(rendered).to_contain_text(operation["action"].upper())
                expect(rendered).to_contain_text(channel["address"])
                for message in operation["messages"]:
                    expect(rendered).to_contain_text(message["$ref"].rsplit("/", 1)[1])
        finally:
            context.close()
    assert not failures
    assert not elsewhere, f"the page fetched from elsewhere: {elsewhere}"
