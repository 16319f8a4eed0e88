"""Every listener example of the user guide, run from docs/examples/listeners/."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ws_kit import WebSocketDisconnect
from ws_kit.testing import AsyncTestClient

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "listeners"


def load(name: str) -> Any:
    module_name = f"ws_listener_guide_example_{name}"
    module = sys.modules.get(module_name)
    if module is None:
        spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    assert isinstance(module, ModuleType)
    return module.app


def test_every_example_file_is_covered() -> None:
    covered = {
        *ECHO_EXAMPLES,
        *DICT_EXAMPLES,
        *MESSAGE_EXAMPLES,
        *CLASS_EXAMPLES,
        "receive_bytes",
        "send_bytes",
        "send_dataclass",
        "receive_mode_binary",
        "send_mode_binary",
        "dependency_injection",
        "dependency_client_count",
        "socket_access",
        "accept_handler",
        "custom_websocket",
    }
    assert {path.stem for path in EXAMPLES.glob("*.py")} == covered


ECHO_EXAMPLES = ["intro", "receive_str", "send_str", "receive_mode_text", "send_mode_text"]
DICT_EXAMPLES = ["receive_typing_dict", "receive_dict"]
MESSAGE_EXAMPLES = ["send_typing_dict", "send_dict"]
CLASS_EXAMPLES = ["class_listener_sync", "class_listener_async"]


@pytest.mark.parametrize("name", ECHO_EXAMPLES)
async def test_text_echo(name: str) -> None:
    async with AsyncTestClient(load(name)) as client, client.websocket_connect("/") as ws:
        await ws.send_bytes(b"binary frames are ignored")
        for text in ("hello", '{"not": "parsed"}', ""):
            await ws.send_text(text)
            assert await ws.receive_text() == text


@pytest.mark.parametrize("name", DICT_EXAMPLES)
async def test_dict_in_dict_out(name: str) -> None:
    async with AsyncTestClient(load(name)) as client, client.websocket_connect("/") as ws:
        await ws.send_json({"greeting": "hi", "name": "ada"})
        assert await ws.receive_json() == {"greeting": "hi", "name": "ada"}
        await ws.send_json({"count": 1})
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_text()
    assert info.value.code == 1007
    assert info.value.reason.startswith("$")  # our part: the path, then the problem


@pytest.mark.parametrize("name", MESSAGE_EXAMPLES)
async def test_str_in_dict_out(name: str) -> None:
    async with AsyncTestClient(load(name)) as client, client.websocket_connect("/") as ws:
        await ws.send_text("hi there")
        assert await ws.receive_json() == {"message": "hi there"}


async def test_bytes_in() -> None:
    async with (
        AsyncTestClient(load("receive_bytes")) as client,
        client.websocket_connect("/") as ws,
    ):
        await ws.send_text("héllo")
        assert await ws.receive_text() == "héllo"


async def test_bytes_out_in_text_mode() -> None:
    async with AsyncTestClient(load("send_bytes")) as client, client.websocket_connect("/") as ws:
        await ws.send_text("héllo")
        assert await ws.receive_text() == "héllo"


async def test_dataclass_out() -> None:
    async with (
        AsyncTestClient(load("send_dataclass")) as client,
        client.websocket_connect("/") as ws,
    ):
        await ws.send_text("news")
        reply = await ws.receive_json()
    assert set(reply) == {"content", "timestamp"}
    assert reply["content"] == "news"
    assert isinstance(reply["timestamp"], float)


async def test_binary_receive_mode_ignores_text_frames() -> None:
    async with (
        AsyncTestClient(load("receive_mode_binary")) as client,
        client.websocket_connect("/") as ws,
    ):
        await ws.send_text("ignored")
        await ws.send_bytes(b"binary hello")
        assert await ws.receive_text() == "binary hello"


async def test_binary_send_mode() -> None:
    async with (
        AsyncTestClient(load("send_mode_binary")) as client,
        client.websocket_connect("/") as ws,
    ):
        await ws.send_text("hello")
        assert await ws.receive_bytes() == b"hello"


async def test_provided_dependency() -> None:
    async with (
        AsyncTestClient(load("dependency_injection")) as client,
        client.websocket_connect("/") as ws,
    ):
        await ws.send_text("say ")
        assert await ws.receive_text() == "say hello"


async def test_yield_dependency_counts_clients_and_tears_down() -> None:
    async with (
        AsyncTestClient(load("dependency_client_count")) as client,
        client.websocket_connect("/") as first,
    ):
        await first.send_text("one")
        assert await first.receive_json() == {"message": "one", "client_count": 1}
        async with client.websocket_connect("/") as second:
            await second.send_text("two")
            assert await second.receive_json() == {"message": "two", "client_count": 2}
            await second.send_text("again")
            assert await second.receive_json() == {"message": "again", "client_count": 2}
        async with client.websocket_connect("/") as third:
            await third.send_text("three")
            assert await third.receive_json() == {"message": "three", "client_count": 2}


async def test_socket_injection_goodbye_closes() -> None:
    async with (
        AsyncTestClient(load("socket_access")) as client,
        client.websocket_connect("/") as ws,
    ):
        await ws.send_text("hello")
        assert await ws.receive_text() == "hello"
        await ws.send_text("goodbye")
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_text()
    assert info.value.code == 1000


async def test_accept_handler_sends_headers() -> None:
    async with (
        AsyncTestClient(load("accept_handler")) as client,
        client.websocket_connect("/") as ws,
    ):
        assert ("cookie", "custom-cookie") in ws.response_headers  # ASGI: lower-case names
        await ws.send_text("hello")
        assert await ws.receive_text() == "hello"


@pytest.mark.parametrize("name", CLASS_EXAMPLES)
async def test_class_based_listener(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    async with AsyncTestClient(load(name)) as client, client.websocket_connect("/") as ws:
        await ws.send_text("hello")
        assert await ws.receive_text() == "hello"
    assert capsys.readouterr().out == "Connection accepted\nConnection closed\n"


async def test_custom_websocket_class_at_app_level() -> None:
    async with (
        AsyncTestClient(load("custom_websocket")) as client,
        client.websocket_connect("/") as ws,
    ):
        await ws.send_text("anything")
        assert await ws.receive_text() == "Fixed response"
