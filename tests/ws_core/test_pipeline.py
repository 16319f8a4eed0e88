"""SPEC §3 rows owned by core: what the client sees and what the server does."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest

from ws_core import (
    App,
    CloseCode,
    HandshakeRejected,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    websocket,
)
from ws_core.testing import AsyncTestClient, WebSocketRejected

pytestmark = pytest.mark.anyio


async def rejection(app: App, path: str = "/", **connect: Any) -> WebSocketRejected:
    extensions = connect.pop("extensions", ("websocket.http.response",))
    async with AsyncTestClient(app, extensions=extensions) as client:
        with pytest.raises(WebSocketRejected) as caught:
            async with client.websocket_connect(path, **connect):
                pass
    return caught.value


async def close_of(app: App, path: str = "/", send: str | None = None) -> WebSocketDisconnect:
    async with AsyncTestClient(app) as client, client.websocket_connect(path) as session:
        if send is not None:
            await session.send_text(send)
        with pytest.raises(WebSocketDisconnect) as caught:
            await session.receive_text()
    return caught.value


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ws_core" and r.levelno >= logging.ERROR]


@websocket("/echo")
async def echo(socket: WebSocket) -> None:
    await socket.accept()
    async for message in socket.iter_text():
        await socket.send_text(message)


# -- handshake refusals ---------------------------------------------------------------


async def test_unknown_path_is_404_via_the_denial_response() -> None:
    rejected = await rejection(App([echo]), "/nowhere")
    assert rejected.status_code == 404
    assert rejected.json() == {"detail": "Not Found"}
    assert ("content-type", "application/json") in rejected.headers


async def test_unknown_path_is_403_without_the_denial_extension() -> None:
    rejected = await rejection(App([echo]), "/nowhere", extensions=())
    assert rejected.status_code == 403
    assert rejected.body == b""


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
async def test_origin_not_allowed_is_403_and_the_handler_never_runs(origin: str) -> None:
    ran: list[str] = []

    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        ran.append("handler")
        await socket.accept()

    app = App([handler], allowed_origins=["https://good.example"])
    rejected = await rejection(app, headers={"origin": origin})
    assert rejected.status_code == 403
    assert ran == []


@pytest.mark.parametrize(
    ("allowed", "headers"),
    [
        (["https://Good.example/"], {"origin": "HTTPS://GOOD.EXAMPLE"}),
        (["https://good.example"], {}),  # no Origin header: a non-browser client
        (["*"], {"origin": "https://anything.example"}),
        (None, {"origin": "https://anything.example"}),
    ],
)
async def test_allowed_origins(allowed: list[str] | None, headers: dict[str, str]) -> None:
    app = App([echo], allowed_origins=allowed)
    async with (
        AsyncTestClient(app) as client,
        client.websocket_connect("/echo", headers=headers) as session,
    ):
        await session.send_text("hi")
        assert await session.receive_text() == "hi"


async def test_guard_returning_false_is_403_and_the_handler_never_runs() -> None:
    ran: list[str] = []

    def deny(socket: WebSocket) -> bool:
        return False

    @websocket("/", guards=[deny])
    async def handler(socket: WebSocket) -> None:
        ran.append("handler")

    rejected = await rejection(App([handler]))
    assert rejected.status_code == 403
    assert rejected.json() == {"detail": "Forbidden"}
    assert ran == []


async def test_guard_raising_handshake_rejected_sets_status_and_detail() -> None:
    async def need_token(socket: WebSocket) -> None:
        if "token" not in socket.query_params:
            raise HandshakeRejected(401, "token required")

    @websocket("/", guards=[need_token])
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text("in")

    app = App([handler])
    rejected = await rejection(app)
    assert (rejected.status_code, rejected.json()) == (401, {"detail": "token required"})
    async with AsyncTestClient(app) as client, client.websocket_connect("/?token=1") as session:
        assert await session.receive_text() == "in"


async def test_guard_failing_otherwise_is_500_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    def broken(socket: WebSocket) -> bool:
        raise ZeroDivisionError("guard bug")

    @websocket("/", guards=[broken])
    async def handler(socket: WebSocket) -> None:
        await socket.accept()

    rejected = await rejection(App([handler]))
    assert rejected.status_code == 500
    assert rejected.json() == {"detail": "Internal Server Error"}
    [record] = errors_logged(caplog)
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ZeroDivisionError)


async def test_bad_path_parameter_is_400_with_a_json_body() -> None:
    @websocket("/items/{item_id:int}")
    async def handler(socket: WebSocket, item_id: int) -> None:
        await socket.accept()

    rejected = await rejection(App([handler]), "/items/abc")
    assert rejected.status_code == 400
    assert rejected.json() == {
        "detail": "Invalid request parameters",
        "errors": [{"name": "item_id", "message": "expected an integer, got 'abc'"}],
    }


async def test_bad_parameter_is_403_without_the_denial_extension() -> None:
    @websocket("/items/{item_id:int}")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()

    rejected = await rejection(App([handler]), "/items/abc", extensions=())
    assert rejected.status_code == 403


async def test_missing_or_bad_query_parameters_are_400_naming_each() -> None:
    @websocket("/")
    async def handler(socket: WebSocket, page: int, size: int) -> None:
        await socket.accept()

    rejected = await rejection(App([handler]), "/?size=big")
    assert rejected.status_code == 400
    assert [e["name"] for e in rejected.json()["errors"]] == ["page", "size"]
    assert rejected.json()["errors"][0]["message"] == "missing required query parameter"


async def test_query_parameters_are_converted_to_their_annotations() -> None:
    seen: dict[str, Any] = {}

    @websocket("/")
    async def handler(
        socket: WebSocket,
        page: int,
        tags: list[str],
        ids: tuple[int, ...] = (),
        limit: int = 10,
        after: float | None = None,
    ) -> None:
        seen.update(page=page, tags=tags, ids=ids, limit=limit, after=after)
        await socket.accept()

    async with (
        AsyncTestClient(App([handler])) as client,
        client.websocket_connect("/?page=2&tags=a&tags=b&ids=1&ids=2"),
    ):
        pass
    assert seen == {"page": 2, "tags": ["a", "b"], "ids": (1, 2), "limit": 10, "after": None}


async def test_failing_dependency_is_500_logged_on_the_handler_logger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def database() -> str:
        raise ConnectionError("db down")

    @websocket("/", dependencies={"db": database})
    async def handler(socket: WebSocket, db: str) -> None:
        await socket.accept()

    rejected = await rejection(App([handler]))
    assert rejected.status_code == 500
    [record] = errors_logged(caplog)
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ConnectionError)
    assert "handler" in record.getMessage()


async def test_dependency_raising_handshake_rejected_sets_the_status() -> None:
    async def user(headers: Any) -> str:
        raise HandshakeRejected(401, "who are you")

    @websocket("/", dependencies={"user": user})
    async def handler(socket: WebSocket, user: str) -> None:
        await socket.accept()

    rejected = await rejection(App([handler]))
    assert (rejected.status_code, rejected.json()["detail"]) == (401, "who are you")


async def test_dependency_set_up_is_torn_down_when_a_later_one_fails() -> None:
    log: list[str] = []

    async def first() -> AsyncIterator[str]:
        log.append("first up")
        try:
            yield "one"
        finally:
            log.append("first down")

    def second(first: str) -> str:
        raise HandshakeRejected(409, "conflict")

    @websocket("/", dependencies={"first": first, "second": second})
    async def handler(socket: WebSocket, second: str) -> None:
        log.append("handler")

    rejected = await rejection(App([handler]))
    assert rejected.status_code == 409
    assert log == ["first up", "first down"]


# -- errors escaping the handler ----------------------------------------------------------


async def test_websocket_exception_closes_with_its_code_and_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        raise WebSocketException(CloseCode.POLICY_VIOLATION, "not allowed")

    closed = await close_of(App([handler]))
    assert (closed.code, closed.reason) == (1008, "not allowed")
    assert errors_logged(caplog) == []


async def test_unhandled_error_closes_1011_and_logs_the_traceback_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        raise LookupError("secret detail")

    closed = await close_of(App([handler]))
    assert (closed.code, closed.reason) == (1011, "Internal Server Error")
    [record] = errors_logged(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], LookupError)
    assert "secret detail" not in closed.reason


async def test_unhandled_error_text_is_sent_only_in_debug() -> None:
    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        raise LookupError("secret detail")

    closed = await close_of(App([handler], debug=True))
    assert closed.code == 1011
    assert closed.reason == "LookupError: secret detail"


async def test_error_before_accept_rejects_with_500(caplog: pytest.LogCaptureFixture) -> None:
    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        raise RuntimeError("early")

    rejected = await rejection(App([handler]))
    assert rejected.status_code == 500
    assert len(errors_logged(caplog)) == 1


async def test_handler_raising_handshake_rejected_before_accept() -> None:
    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        raise HandshakeRejected(429, "slow down")

    rejected = await rejection(App([handler]))
    assert (rejected.status_code, rejected.json()) == (429, {"detail": "slow down"})


async def test_handler_returning_without_closing_closes_1000() -> None:
    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text("bye")

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as session:
        assert await session.receive_text() == "bye"
        with pytest.raises(WebSocketDisconnect) as caught:
            await session.receive_text()
    assert caught.value.code == 1000


async def test_handler_returning_without_accepting_rejects_403() -> None:
    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        return

    assert (await rejection(App([handler]))).status_code == 403


async def test_double_close_and_send_after_close_in_a_handler() -> None:
    outcome: list[str] = []

    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        await socket.close(4000, "first")
        await socket.close(4001, "second")
        try:
            await socket.send_text("late")
        except WebSocketDisconnect as exc:
            outcome.append(f"send raised {exc.code}")

    # The test client fails the session on any event sent after websocket.close.
    closed = await close_of(App([handler]))
    assert (closed.code, closed.reason) == (4000, "first")
    assert outcome == ["send raised 4000"]


async def test_peer_disconnect_is_quiet_and_cleanup_runs(caplog: pytest.LogCaptureFixture) -> None:
    log: list[str] = []

    async def resource() -> AsyncIterator[str]:
        log.append("set up")
        yield "r"
        log.append("torn down")  # no try/finally needed: a disconnect is a normal end

    @websocket("/", dependencies={"resource": resource})
    async def handler(socket: WebSocket, resource: str) -> None:
        await socket.accept()
        try:
            while True:
                await socket.receive_text()
        except WebSocketDisconnect as exc:
            log.append(f"handler saw {exc.code}")
            raise

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as session:
        await session.close(4002)
    assert log == ["set up", "handler saw 4002", "torn down"]
    assert errors_logged(caplog) == []


async def test_an_unhandled_error_is_thrown_into_generator_dependencies() -> None:
    log: list[str] = []

    def transaction() -> Iterator[str]:
        try:
            yield "tx"
        except LookupError as exc:
            log.append(f"rollback after {exc!r}")
        else:
            log.append("commit")

    @websocket("/", dependencies={"tx": transaction})
    async def handler(socket: WebSocket, tx: str) -> None:
        await socket.accept()
        if await socket.receive_text() == "fail":
            raise LookupError("boom")

    app = App([handler])
    assert (await close_of(app, send="fail")).code == 1011
    assert (await close_of(app, send="ok")).code == 1000
    assert log == ["rollback after LookupError('boom')", "commit"]


async def test_a_group_of_disconnects_is_a_disconnect(caplog: pytest.LogCaptureFixture) -> None:
    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()

        async def write() -> None:
            while True:
                await socket.send_text("tick")
                await anyio.sleep(0.01)

        async with anyio.create_task_group() as group:  # a reader and a writer
            group.start_soon(write)
            await socket.receive_text()  # raises when the client leaves

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "tick"
        await ws.close(1001)
    assert errors_logged(caplog) == []


async def test_a_disconnect_of_another_socket_is_an_error_of_the_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A broadcast to a member who just left must not end the sender's connection quietly.
    members: dict[str, WebSocket] = {}
    left = anyio.Event()

    @websocket("/{name:str}")
    async def handler(socket: WebSocket, name: str) -> None:
        await socket.accept()
        members[name] = socket
        async for text in socket.iter_text():
            await left.wait()
            for member in members.values():
                await member.send_text(text)

    async with AsyncTestClient(App([handler])) as client:
        async with client.websocket_connect("/gone"):
            pass
        async with client.websocket_connect("/sender") as sender:
            left.set()
            await sender.send_text("hello")
            with pytest.raises(WebSocketDisconnect) as caught:
                await sender.receive_text()
    assert caught.value.code == 1011
    (error,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert error.getMessage().startswith("Unhandled exception in WebSocketRouteHandler")
    assert isinstance(error.exc_info[1] if error.exc_info else None, WebSocketDisconnect)


async def test_close_happens_before_dependency_teardown() -> None:
    seen: list[str] = []

    def resource(socket: WebSocket) -> Iterator[None]:
        yield
        seen.append(socket.connection_state.name)

    @websocket("/", dependencies={"resource": resource})
    async def handler(socket: WebSocket, resource: None) -> None:
        await socket.accept()

    await close_of(App([handler]))
    assert seen == ["DISCONNECTED"]


# -- exception handlers ---------------------------------------------------------------------


async def test_exception_handler_may_reply_and_the_connection_is_closed_1000() -> None:
    async def on_value_error(socket: WebSocket, exc: ValueError) -> None:
        await socket.send_text(f"handled {exc}")

    @websocket("/", exception_handlers={ValueError: on_value_error})
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        raise ValueError("oops")

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as session:
        assert await session.receive_text() == "handled oops"
        with pytest.raises(WebSocketDisconnect) as caught:
            await session.receive_text()
    assert caught.value.code == 1000


async def test_exception_handler_that_fails_is_an_unhandled_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def on_value_error(socket: WebSocket, exc: ValueError) -> None:
        raise TypeError("handler bug")

    @websocket("/", exception_handlers={ValueError: on_value_error})
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        raise ValueError("oops")

    closed = await close_of(App([handler]))
    assert closed.code == 1011
    [record] = errors_logged(caplog)
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], TypeError)


async def test_an_exception_handler_can_take_websocket_exception_too() -> None:
    def on_ws_exception(socket: WebSocket, exc: WebSocketException) -> None:
        pass  # swallow: the pipeline then closes with 1000

    @websocket("/", exception_handlers={WebSocketException: on_ws_exception})
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        raise WebSocketException(4000)

    assert (await close_of(App([handler]))).code == 1000


async def test_cancellation_inside_the_handler_is_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        with anyio.move_on_after(0):
            await anyio.sleep_forever()
        await socket.send_text("after the inner scope")

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as session:
        assert await session.receive_text() == "after the inner scope"
    assert errors_logged(caplog) == []
