"""Connection lifecycle: accept, hooks, connection_lifespan, teardown, threads."""

import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import anyio.lowlevel
import pytest

from ws_core import App, WebSocket, WebSocketDisconnect
from ws_core.testing import AsyncTestClient, WebSocketRejected
from ws_listener import websocket_listener

pytestmark = pytest.mark.anyio


def recorded_dependency(events: list[str]) -> Any:
    def dependency() -> Iterator[str]:
        events.append("dependency setup")
        try:
            yield "dep"
        finally:
            events.append("dependency teardown")

    return dependency


async def test_hooks_run_in_order_around_the_messages() -> None:
    events: list[str] = []

    async def accept(socket: WebSocket) -> None:
        events.append("accept")
        await socket.accept()

    async def on_accept(socket: WebSocket, dep: str) -> None:
        events.append(f"on_accept {dep}")

    def on_disconnect(dep: str) -> None:
        events.append(f"on_disconnect {dep}")

    @websocket_listener(
        "/ordered",
        dependencies={"dep": recorded_dependency(events)},
        connection_accept_handler=accept,
        on_accept=on_accept,
        on_disconnect=on_disconnect,
    )
    async def ordered(data: str, dep: str) -> str:
        events.append(f"message {data}")
        return data

    async with (
        AsyncTestClient(App([ordered])) as client,
        client.websocket_connect("/ordered") as ws,
    ):
        for text in ("1", "2"):
            await ws.send_text(text)
            assert await ws.receive_text() == text
    assert events == [
        "dependency setup",
        "accept",
        "on_accept dep",
        "message 1",
        "message 2",
        "on_disconnect dep",
        "dependency teardown",
    ]


def lifespan_as_generator(events: list[str]) -> Any:
    async def lifespan(socket: WebSocket, dep: str) -> AsyncIterator[None]:
        events.append(f"lifespan enter {dep} {type(socket).__name__}")
        yield
        events.append("lifespan exit")

    return lifespan


def lifespan_as_context_manager(events: list[str]) -> Any:
    @asynccontextmanager
    async def lifespan(socket: WebSocket, dep: str) -> AsyncIterator[None]:
        events.append(f"lifespan enter {dep} {type(socket).__name__}")
        try:
            yield
        finally:
            events.append("lifespan exit")

    return lifespan


@pytest.mark.parametrize("make_lifespan", [lifespan_as_generator, lifespan_as_context_manager])
@pytest.mark.parametrize("ending", ["client closes", "listener fails"])
async def test_connection_lifespan_wraps_the_message_loop(make_lifespan: Any, ending: str) -> None:
    events: list[str] = []

    @websocket_listener(
        "/life",
        dependencies={"dep": recorded_dependency(events)},
        connection_lifespan=make_lifespan(events),
    )
    async def life(data: str) -> str:
        events.append(f"message {data}")
        if data == "fail":
            raise RuntimeError("listener failed")
        return data

    async with AsyncTestClient(App([life])) as client, client.websocket_connect("/life") as ws:
        await ws.send_text("1")
        assert await ws.receive_text() == "1"
        if ending == "listener fails":
            await ws.send_text("fail")
            with pytest.raises(WebSocketDisconnect) as info:
                await ws.receive_text()
            assert info.value.code == 1011
    expected_messages = ["message 1"] + (["message fail"] if ending == "listener fails" else [])
    assert events == [
        "dependency setup",
        "lifespan enter dep WebSocket",
        *expected_messages,
        "lifespan exit",
        "dependency teardown",
    ]


async def test_on_disconnect_runs_once_when_on_accept_fails(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[str] = []

    def on_accept() -> None:
        raise LookupError("on_accept failed")

    @websocket_listener(
        "/bad-accept",
        dependencies={"dep": recorded_dependency(events)},
        on_accept=on_accept,
        on_disconnect=lambda: events.append("on_disconnect"),
    )
    async def listener(data: str, dep: str) -> str:
        events.append("message")
        return data

    async with (
        AsyncTestClient(App([listener])) as client,
        client.websocket_connect("/bad-accept") as ws,
    ):
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_text()
    assert info.value.code == 1011
    assert events == ["dependency setup", "on_disconnect", "dependency teardown"]
    errors = [r for r in caplog.records if r.name == "ws_listener" and r.levelno >= logging.ERROR]
    assert [type(r.exc_info[1]) for r in errors if r.exc_info] == [LookupError]


async def test_failing_on_disconnect_is_logged_and_keeps_the_original_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def on_disconnect() -> None:
        raise KeyError("on_disconnect failed")

    @websocket_listener("/both-fail", on_disconnect=on_disconnect)
    async def listener(data: str) -> str:
        raise ValueError("listener failed")

    async with (
        AsyncTestClient(App([listener])) as client,
        client.websocket_connect("/both-fail") as ws,
    ):
        await ws.send_text("x")
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_text()
    assert info.value.code == 1011
    errors = [r for r in caplog.records if r.name == "ws_listener" and r.levelno >= logging.ERROR]
    assert sorted(type(r.exc_info[1]).__name__ for r in errors if r.exc_info) == [
        "KeyError",
        "ValueError",
    ]
    assert any("on_disconnect" in r.getMessage() for r in errors)


async def test_failing_on_disconnect_after_a_clean_close_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def on_disconnect() -> None:
        raise KeyError("on_disconnect failed")

    @websocket_listener("/late-fail", on_disconnect=on_disconnect)
    async def listener(data: str) -> str:
        return data

    async with (
        AsyncTestClient(App([listener])) as client,
        client.websocket_connect("/late-fail") as ws,
    ):
        await ws.send_text("x")
        assert await ws.receive_text() == "x"
    errors = [r for r in caplog.records if r.name == "ws_listener" and r.levelno >= logging.ERROR]
    assert [type(r.exc_info[1]) for r in errors if r.exc_info] == [KeyError]


async def test_accept_handler_sets_headers_and_subprotocol() -> None:
    async def accept(socket: WebSocket) -> None:
        await socket.accept(subprotocol="chat.v2", headers={"x-served-by": "listener"})

    @websocket_listener("/proto", connection_accept_handler=accept)
    def proto(data: str) -> str:
        return data

    async with (
        AsyncTestClient(App([proto])) as client,
        client.websocket_connect("/proto", subprotocols=["chat.v1", "chat.v2"]) as ws,
    ):
        assert ws.accepted_subprotocol == "chat.v2"
        assert ("x-served-by", "listener") in ws.response_headers
        await ws.send_text("ok")
        assert await ws.receive_text() == "ok"


async def test_accept_handler_that_closes_stops_everything() -> None:
    events: list[str] = []

    async def refuse(socket: WebSocket) -> None:
        await socket.close(4003, "not today")

    @websocket_listener(
        "/refused",
        dependencies={"dep": recorded_dependency(events)},
        connection_accept_handler=refuse,
        on_accept=lambda: events.append("on_accept"),
        on_disconnect=lambda: events.append("on_disconnect"),
    )
    async def refused(data: str, dep: str) -> str:
        events.append("message")
        return data

    async with AsyncTestClient(App([refused])) as client:
        with pytest.raises(WebSocketRejected):
            async with client.websocket_connect("/refused"):
                pass
    assert events == ["dependency setup", "dependency teardown"]


async def rejected_by_accept_handler(
    path: str, accept_handler: Any, events: list[str]
) -> WebSocketRejected:
    """Connect to a listener whose hooks record into ``events``; return the rejection."""

    @websocket_listener(
        path,
        connection_accept_handler=accept_handler,
        on_accept=lambda: events.append("on_accept"),
        on_disconnect=lambda: events.append("on_disconnect"),
    )
    async def listener(data: str) -> str:
        return data

    async with AsyncTestClient(App([listener])) as client:
        with pytest.raises(WebSocketRejected) as info:
            async with client.websocket_connect(path):
                pass
    return info.value


async def test_accept_handler_that_neither_accepts_nor_closes_is_rejected() -> None:
    events: list[str] = []

    async def forgetful(socket: WebSocket) -> None:
        events.append("accept handler")

    rejected = await rejected_by_accept_handler("/forgetful", forgetful, events)
    assert rejected.status_code == 403
    assert events == ["accept handler"]


async def test_accept_handler_that_raises_rejects_the_handshake() -> None:
    events: list[str] = []

    def broken(socket: WebSocket) -> None:
        raise RuntimeError("cannot accept")

    rejected = await rejected_by_accept_handler("/broken", broken, events)
    assert rejected.status_code == 500
    assert events == []


@pytest.mark.parametrize("ending", ["client disconnect", "handler error", "server shutdown"])
async def test_dependency_teardown_runs_however_the_connection_ends(ending: str) -> None:
    events: list[str] = []

    async def session() -> AsyncIterator[str]:
        events.append("setup")
        try:
            yield "session"
        finally:
            events.append("teardown")

    async def on_disconnect() -> None:
        await anyio.lowlevel.checkpoint()  # fails here if cleanup is not shielded
        events.append("on_disconnect")

    @websocket_listener("/teardown", dependencies={"session": session}, on_disconnect=on_disconnect)
    async def listener(data: str, session: str) -> str:
        if data == "fail":
            raise RuntimeError("handler error")
        return session

    async with AsyncExitStack() as outer:
        client = await outer.enter_async_context(AsyncTestClient(App([listener])))
        async with AsyncExitStack() as inner:
            ws = await inner.enter_async_context(client.websocket_connect("/teardown"))
            await ws.send_text("hi")
            assert await ws.receive_text() == "session"
            if ending == "client disconnect":
                await ws.close()
            elif ending == "handler error":
                await ws.send_text("fail")
                with pytest.raises(WebSocketDisconnect) as info:
                    await ws.receive_text()
                assert info.value.code == 1011
            else:
                await outer.aclose()
                with pytest.raises(WebSocketDisconnect) as info:
                    await ws.receive_text()
                assert info.value.code == 1001
    assert events == ["setup", "on_disconnect", "teardown"]


async def test_lifespan_exit_runs_on_server_shutdown() -> None:
    events: list[str] = []

    async def lifespan() -> AsyncIterator[None]:
        events.append("enter")
        yield
        await anyio.lowlevel.checkpoint()  # fails here if the exit is not shielded
        events.append("exit")

    @websocket_listener("/shutdown", connection_lifespan=lifespan)
    async def listener(data: str) -> str:
        return data

    async with AsyncExitStack() as outer:
        client = await outer.enter_async_context(AsyncTestClient(App([listener])))
        async with client.websocket_connect("/shutdown") as ws:
            await ws.send_text("hi")
            assert await ws.receive_text() == "hi"
            await outer.aclose()
            with pytest.raises(WebSocketDisconnect) as info:
                await ws.receive_text()
    assert info.value.code == 1001
    assert events == ["enter", "exit"]


@pytest.mark.parametrize("sync_to_thread", [True, False])
async def test_sync_to_thread_decides_where_sync_callables_run(sync_to_thread: bool) -> None:
    threads: dict[str, int] = {}

    def on_accept() -> None:
        threads["on_accept"] = threading.get_ident()

    def on_disconnect() -> None:
        threads["on_disconnect"] = threading.get_ident()

    @websocket_listener(
        "/threads",
        on_accept=on_accept,
        on_disconnect=on_disconnect,
        sync_to_thread=sync_to_thread,
    )
    def listener(data: str) -> str:
        threads["listener"] = threading.get_ident()
        return data

    @websocket_listener("/loop-thread")
    async def loop_thread(data: str) -> str:
        threads["event loop"] = threading.get_ident()
        return data

    async with AsyncTestClient(App([listener, loop_thread])) as client:
        async with client.websocket_connect("/loop-thread") as ws:
            await ws.send_text("x")
            assert await ws.receive_text() == "x"
        async with client.websocket_connect("/threads") as ws:
            await ws.send_text("x")
            assert await ws.receive_text() == "x"
    loop_ident = threads.pop("event loop")
    assert set(threads) == {"on_accept", "listener", "on_disconnect"}
    if sync_to_thread:
        assert all(ident != loop_ident for ident in threads.values())
    else:
        assert all(ident == loop_ident for ident in threads.values())


@pytest.mark.parametrize("ending", ["client closes", "listener fails"])
async def test_failing_lifespan_exit_is_logged_once_and_keeps_the_original_error(
    ending: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def lifespan() -> AsyncIterator[None]:
        yield
        raise KeyError("lifespan exit failed")

    @websocket_listener("/exit-fails", connection_lifespan=lifespan)
    async def listener(data: str) -> str:
        if data == "fail":
            raise ValueError("listener failed")
        return data

    async with (
        AsyncTestClient(App([listener])) as client,
        client.websocket_connect("/exit-fails") as ws,
    ):
        await ws.send_text("ok")
        assert await ws.receive_text() == "ok"
        if ending == "listener fails":
            await ws.send_text("fail")
            with pytest.raises(WebSocketDisconnect) as info:
                await ws.receive_text()
            assert info.value.code == 1011
    errors = [r for r in caplog.records if r.name == "ws_listener" and r.levelno >= logging.ERROR]
    logged = sorted(type(r.exc_info[1]).__name__ for r in errors if r.exc_info)
    assert logged == (["KeyError"] if ending == "client closes" else ["KeyError", "ValueError"])
