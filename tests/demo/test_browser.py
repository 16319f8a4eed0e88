"""The chat demo in a real browser: headless Chromium (Playwright) against uvicorn.

The demo is started the way a user starts it, ``python -m docs.examples.chat --port N``,
on a free 127.0.0.1 port, and stopped by its own PID. Two pages join the same room;
one sends a message and the other shows it; one sends a malformed raw frame and shows
the error reply while staying connected. The join form refuses a blank name and a bad
room name itself, and a page shows why the server refused a name (taken in the room, or
blank when the form is bypassed). On failure, screenshots of the pages are written to a
temporary directory whose path is printed.
"""

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright
from processes import free_port, running

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 40.0

# CI installs Debian's chromium (.ci/run) and must run this test, so there a
# missing browser is a failure. On a developer's machine without it, the test
# says so with a visible skip instead of failing the whole suite.
if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip(
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)",
        allow_module_level=True,
    )
UI_TIMEOUT = 15_000  # ms, for each expectation on the page


@pytest.fixture
def demo_url(tmp_path: Path) -> Iterator[str]:
    """Run ``python -m docs.examples.chat`` and yield the URL it prints."""
    port = free_port()
    log = tmp_path / "demo.log"
    url = None

    def serving_the_page() -> bool:
        nonlocal url
        if url is None:
            printed = re.search(r"open (http://127\.0\.0\.1:\d+/)", log.read_text())
            url = printed and printed.group(1)
        if url is None:
            return False
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    argv = [sys.executable, "-m", "docs.examples.chat", "--port", str(port)]
    with running(argv, log, serving_the_page, timeout=START_TIMEOUT):
        assert url == f"http://127.0.0.1:{port}/"
        yield url


def join(page: Page, url: str, user: str, room: str) -> None:
    page.goto(url)
    page.fill("#join-form input[name=user]", user)
    page.fill("#join-form input[name=room]", room)
    page.click("#join")
    expect(page.locator("#status")).to_have_attribute("data-state", "connected", timeout=UI_TIMEOUT)


def say(page: Page, text: str) -> None:
    page.fill("#send-form input[name=text]", text)
    page.click("#send")


def last_message(page: Page) -> tuple[str, str]:
    item = page.locator("#messages li").last
    return item.locator(".user").inner_text(), item.locator(".text").inner_text()


@contextmanager
def two_pages() -> Iterator[tuple[Page, Page]]:
    """Two pages of one headless Chromium; screenshots of both if the block fails."""
    with (
        tempfile.TemporaryDirectory(prefix="ws-kit-chromium-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        first, second = context.new_page(), context.new_page()
        try:
            yield first, second
        except BaseException:
            shots = Path(tempfile.mkdtemp(prefix="ws-kit-demo-failure-"))
            for name, page in (("first", first), ("second", second)):
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
            print(f"\nbrowser test failed: screenshots in {shots}", file=sys.stderr)
            raise
        finally:
            context.close()


def valid(page: Page, field: str) -> bool:
    return bool(page.evaluate(f"() => document.forms['join-form'].elements.{field}.validity.valid"))


def test_names_and_rooms_are_checked_and_refusals_explained(demo_url: str) -> None:
    with two_pages() as (ann, other):
        ann.goto(demo_url)
        ann.fill("#join-form input[name=room]", "lobby")
        ann.fill("#join-form input[name=user]", "   ")
        assert not valid(ann, "user")  # the pattern works in Chromium (v flag)
        ann.click("#join")
        expect(ann.locator("#status")).to_have_attribute("data-state", "idle")
        ann.fill("#join-form input[name=user]", "ann")
        for room, ok in (("a b", False), ("x/y", False), ("lobby-2_b", True), ("lobby", True)):
            ann.fill("#join-form input[name=room]", room)
            assert valid(ann, "room") is ok, room
        assert valid(ann, "user")
        ann.click("#join")
        expect(ann.locator("#status")).to_have_attribute(
            "data-state", "connected", timeout=UI_TIMEOUT
        )

        # the same name in the same room, whatever its case: refused, and the page says why
        other.goto(demo_url)
        other.fill("#join-form input[name=user]", "ANN")
        other.fill("#join-form input[name=room]", "lobby")
        other.click("#join")
        expect(other.locator("#status")).to_have_text(
            "Disconnected (code 4409: ANN is already in lobby).", timeout=UI_TIMEOUT
        )
        # a blank name past the form's own check (from the console): the server says why
        other.evaluate("() => join('   ', 'lobby')")
        expect(other.locator("#status")).to_have_text(
            "Disconnected (code 4400: a name needs 1 to 32 characters).", timeout=UI_TIMEOUT
        )
        expect(ann.locator("#members li")).to_have_text(["ann"], timeout=UI_TIMEOUT)
        join(other, demo_url, "bea", "lobby")
        expect(ann.locator("#members li")).to_have_text(["ann", "bea"], timeout=UI_TIMEOUT)


def test_two_browsers_chat_and_see_error_replies(demo_url: str) -> None:
    with two_pages() as (alice, bob):
        join(alice, demo_url, "alice", "lobby")
        join(bob, demo_url, "bob", "lobby")
        for page in (alice, bob):  # the presence stream shows both members
            expect(page.locator("#members li")).to_have_text(["alice", "bob"], timeout=UI_TIMEOUT)

        say(alice, "hello bob")
        expect(bob.locator("#messages li .text")).to_have_text(["hello bob"], timeout=UI_TIMEOUT)
        assert last_message(bob) == ("alice", "hello bob")
        expect(alice.locator("#messages li .text")).to_have_text(["hello bob"], timeout=UI_TIMEOUT)

        # bob sends a malformed raw frame through the page's debug form
        bob.click("details summary")
        bob.fill("#raw-form input[name=raw]", "this is not json")
        bob.click("#send-raw")
        expect(bob.locator("#errors li")).to_have_count(1, timeout=UI_TIMEOUT)
        assert "malformed JSON" in bob.locator("#errors li").first.inner_text()
        # ...and one that is JSON but not a valid message, straight over the page's socket
        bob.evaluate("""() => window.demo.chat.send('{"text": 42}')""")
        expect(bob.locator("#errors li").last).to_contain_text("$.text: ", timeout=UI_TIMEOUT)
        assert bob.evaluate("() => window.demo.chat.readyState") == 1  # still OPEN
        expect(bob.locator("#status")).to_have_attribute("data-state", "connected")
        expect(alice.locator("#errors li")).to_have_count(0)

        say(bob, "sorry about that")
        expect(alice.locator("#messages li .text")).to_have_text(
            ["hello bob", "sorry about that"], timeout=UI_TIMEOUT
        )
        assert last_message(alice) == ("bob", "sorry about that")

        bob.click("#leave")
        expect(bob.locator("#status")).to_have_attribute("data-state", "closed", timeout=UI_TIMEOUT)
        expect(alice.locator("#members li")).to_have_text(["alice"], timeout=UI_TIMEOUT)
