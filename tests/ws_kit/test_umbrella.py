"""The umbrella re-exports exactly the SPEC §2 public API, as the owning packages' objects."""

import importlib

import pytest

import ws_kit
import ws_kit.testing

# SPEC §2, literally: `from ws_kit import (...)` and `from ws_kit.testing import (...)`.
SPEC_WS_KIT = """
    App, Router, WebSocket, State, Provide, DTO, DTOConfig,
    websocket, websocket_listener, WebsocketListener,
    websocket_stream, send_websocket_stream,
    WebSocketDisconnect, WebSocketException, HandshakeRejected, CloseCode,
    WebSocketMode,
"""
SPEC_WS_KIT_TESTING = """
    TestClient, AsyncTestClient, create_test_client, WebSocketRejected,
"""
# SPEC §2 "Testing" names one more, beside create_test_client.
SPEC_WS_KIT_TESTING += "create_async_test_client,"

# Which package owns each name (SPEC §1).
OWNERS = {
    "App": "ws_core",
    "Router": "ws_core",
    "WebSocket": "ws_core",
    "State": "ws_core",
    "websocket": "ws_core",
    "WebSocketDisconnect": "ws_core",
    "WebSocketException": "ws_core",
    "HandshakeRejected": "ws_core",
    "CloseCode": "ws_core",
    "WebSocketMode": "ws_core",
    "Provide": "ws_di",
    "DTO": "ws_codec",
    "DTOConfig": "ws_codec",
    "websocket_listener": "ws_listener",
    "WebsocketListener": "ws_listener",
    "websocket_stream": "ws_stream",
    "send_websocket_stream": "ws_stream",
}
TESTING_OWNER = "ws_core.testing"


def names(block: str) -> set[str]:
    return {name.strip() for name in block.split(",") if name.strip()}


def test_spec_lists_are_read_correctly() -> None:
    assert len(names(SPEC_WS_KIT)) == 17
    assert names(SPEC_WS_KIT) == set(OWNERS)
    assert names(SPEC_WS_KIT_TESTING) == {
        "TestClient",
        "AsyncTestClient",
        "create_test_client",
        "create_async_test_client",
        "WebSocketRejected",
    }


def test_ws_kit_all_is_exactly_the_spec_list() -> None:
    assert len(ws_kit.__all__) == len(set(ws_kit.__all__)), "duplicates in ws_kit.__all__"
    assert set(ws_kit.__all__) == names(SPEC_WS_KIT)


def test_ws_kit_testing_all_is_exactly_the_spec_list() -> None:
    assert len(ws_kit.testing.__all__) == len(set(ws_kit.testing.__all__))
    assert set(ws_kit.testing.__all__) == names(SPEC_WS_KIT_TESTING)


@pytest.mark.parametrize("name", sorted(OWNERS))
def test_each_name_is_the_owning_packages_object(name: str) -> None:
    owner = importlib.import_module(OWNERS[name])
    assert name in owner.__all__, f"{OWNERS[name]}.__all__ does not list {name}"
    assert getattr(ws_kit, name) is getattr(owner, name)


@pytest.mark.parametrize("name", sorted(names(SPEC_WS_KIT_TESTING)))
def test_each_testing_name_is_ws_core_testing_object(name: str) -> None:
    owner = importlib.import_module(TESTING_OWNER)
    assert name in owner.__all__, f"{TESTING_OWNER}.__all__ does not list {name}"
    assert getattr(ws_kit.testing, name) is getattr(owner, name)


def test_the_umbrella_all_is_the_union_of_what_it_re_exports() -> None:
    # Every public name of ws_kit is re-exported from one owner, and nothing else is public.
    owned = {name for name in dir(ws_kit) if not name.startswith("_")}
    # Modules (ws_kit.asyncapi and ws_kit.channels: once a test imports them).
    submodules = {"testing", "asyncapi", "channels"}
    assert owned - submodules == set(ws_kit.__all__)


def test_star_import_gives_exactly_the_public_api() -> None:
    namespace: dict[str, object] = {}
    exec("from ws_kit import *", namespace)
    namespace.pop("__builtins__")
    assert set(namespace) == names(SPEC_WS_KIT)
    assert all(namespace[name] is getattr(ws_kit, name) for name in namespace)


def test_ws_kit_channels_re_exports_exactly_ws_channels() -> None:
    # SPEC 5: ws_kit.channels.ChannelsPlugin, Subscriber, ... are ws_channels' own objects.
    import ws_channels
    import ws_kit.channels

    assert ws_kit.channels.__all__ == ws_channels.__all__
    assert all(getattr(ws_kit.channels, n) is getattr(ws_channels, n) for n in ws_channels.__all__)
    public = {name for name in dir(ws_kit.channels) if not name.startswith("_")}
    assert public == set(ws_channels.__all__)


def test_version_is_the_lockstep_version() -> None:
    assert ws_kit.__version__ == importlib.import_module("ws_core.__about__").__version__
