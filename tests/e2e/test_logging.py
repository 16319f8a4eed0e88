"""Under a server's default logging, an unhandled error is a proper log record: time, level,
logger name and traceback; an application that configures logging keeps full control."""

from __future__ import annotations

import asyncio
import re

import pytest
from e2e_client import open_ws, wait_closed
from e2e_support import ServerFactory, wait_for

APP = "e2e_logging_app:app"
RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ERROR ws_listener: Unhandled exception in "
    r"ListenerRouteHandler 'fail' at '/fail'$",
    re.MULTILINE,
)


def fail_once(url: str) -> int:
    async def scenario() -> int:
        async with open_ws(f"{url}/fail") as ws:
            await ws.send("x")
            return (await wait_closed(ws)).code

    return asyncio.run(scenario())


@pytest.mark.parametrize("kind_id", ["uvicorn-websockets", "hypercorn-asyncio", "granian"])
def test_a_traceback_is_a_log_record_under_the_servers_defaults(
    kind_id: str, own_server_factory: ServerFactory
) -> None:
    server = own_server_factory.start(kind_id, APP)
    assert fail_once(server.url) == 1011
    assert wait_for(lambda: "LookupError: no such thing: x" in server.log_text(), timeout=10)
    log = server.log_text()
    assert RECORD.search(log), log
    assert "Traceback (most recent call last):" in log
    assert log.count("LookupError: no such thing: x") == 1  # logged exactly once


def test_an_application_that_configures_logging_keeps_control(
    own_server_factory: ServerFactory,
) -> None:
    server = own_server_factory.start("uvicorn-websockets", APP, env={"E2E_APP_LOGGING": "basic"})
    assert fail_once(server.url) == 1011
    assert wait_for(lambda: "LookupError: no such thing: x" in server.log_text(), timeout=10)
    log = server.log_text()
    assert "APP ERROR [ws_listener] Unhandled exception in ListenerRouteHandler 'fail'" in log
    assert not RECORD.search(log), "the fallback wrote too, beside the application's handler"
    assert log.count("LookupError: no such thing: x") == 1
