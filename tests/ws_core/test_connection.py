"""WebSocket: every method and state transition, over ASGI events."""

from __future__ import annotations

from typing import Any

import anyio
import msgspec
import pytest
from core_support import CONNECT, ScriptedPeer, binary, disconnect, raw_app, text

from ws_core import (
    CloseCode,
    ConnectionState,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    WebSocketMode,
)
from ws_core.testing import AsyncTestClient, WebSocketRejected

pytestmark = pytest.mark.anyio


def state_of(socket: WebSocket) -> ConnectionState:
    """The state now (a plain read: type checkers narrow attribute reads across awaits)."""
    return socket.connection_state


def peer_state_of(socket: WebSocket) -> ConnectionState:
    """The peer's state now (see state_of)."""
    return socket.peer_state


# -- accept, close, reject -----------------------------------------------------


async def test_accept_reads_connect_then_sends_accept_with_subprotocol_and_headers() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    assert socket.connection_state is ConnectionState.CONNECTING
    assert socket.peer_state is ConnectionState.CONNECTING

    await socket.accept(subprotocol="chat", headers={"X-Token": "abc", "Set-Cookie": "a=1"})

    # ASGI requires lower-case header names; the values are sent as given.
    assert peer.sent == [
        {
            "type": "websocket.accept",
            "subprotocol": "chat",
            "headers": [(b"x-token", b"abc"), (b"set-cookie", b"a=1")],
        }
    ]
    assert state_of(socket) is ConnectionState.CONNECTED
    assert peer_state_of(socket) is ConnectionState.CONNECTED


async def test_accept_takes_header_pairs_of_str_or_bytes() -> None:
    peer = ScriptedPeer(CONNECT)
    await peer.socket().accept(headers=[("Set-Cookie", "a=1"), (b"SET-COOKIE", b"b=2")])
    assert peer.sent[0]["headers"] == [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")]


async def test_accept_twice_is_a_programming_error() -> None:
    socket = ScriptedPeer(CONNECT).socket()
    await socket.accept()
    with pytest.raises(RuntimeError, match="expected connection state CONNECTING, got CONNECTED"):
        await socket.accept()


async def test_accept_after_the_client_left_raises_disconnect() -> None:
    peer = ScriptedPeer(disconnect(1001, "bye"))
    socket = peer.socket()
    with pytest.raises(WebSocketDisconnect) as caught:
        await socket.accept()
    assert (caught.value.code, caught.value.reason) == (1001, "bye")
    assert peer.sent == []
    assert socket.connection_state is ConnectionState.DISCONNECTED


async def test_second_close_is_a_no_op() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    await socket.accept()
    await socket.close(4000, "done")
    await socket.close(1000)
    assert peer.sent[1:] == [{"type": "websocket.close", "code": 4000, "reason": "done"}]
    assert socket.connection_state is ConnectionState.DISCONNECTED
    assert (socket.close_code, socket.close_reason) == (4000, "done")


async def test_close_after_the_peer_left_sends_nothing() -> None:
    peer = ScriptedPeer(CONNECT, disconnect(1001))
    socket = peer.socket()
    await socket.accept()
    with pytest.raises(WebSocketDisconnect):
        await socket.receive_message()
    await socket.close()
    assert [m["type"] for m in peer.sent] == ["websocket.accept"]
    assert socket.connection_state is ConnectionState.DISCONNECTED


async def test_close_reason_is_truncated_on_a_utf8_boundary() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    await socket.accept()
    await socket.close(1000, "a" + "😀" * 40)  # 161 bytes; byte 123 falls inside an emoji

    reason = peer.sent[-1]["reason"]
    assert reason == "a" + "😀" * 30
    assert len(reason.encode()) == 121


async def test_close_reason_of_exactly_123_bytes_is_kept() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    await socket.accept()
    await socket.close(1000, "é" * 61 + "x")  # 123 bytes
    assert peer.sent[-1]["reason"] == "é" * 61 + "x"


async def test_close_before_accept_refuses_the_handshake() -> None:
    async def handler(socket: WebSocket) -> None:
        await socket.close()

    async with AsyncTestClient(raw_app(handler)) as client:
        with pytest.raises(WebSocketRejected) as caught:
            async with client.websocket_connect("/"):
                pass
    assert caught.value.status_code == 403


async def test_reject_uses_the_denial_response_when_offered() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket(extensions={"websocket.http.response": {}})
    await socket.reject(401, b"no", {"content-type": "text/plain"})
    assert peer.sent == [
        {
            "type": "websocket.http.response.start",
            "status": 401,
            "headers": [(b"content-type", b"text/plain")],
        },
        {"type": "websocket.http.response.body", "body": b"no"},
    ]
    assert socket.connection_state is ConnectionState.DISCONNECTED


async def test_reject_without_the_extension_closes_before_accept() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    await socket.reject(401)
    assert [m["type"] for m in peer.sent] == ["websocket.close"]


async def test_reject_after_accept_is_a_programming_error() -> None:
    socket = ScriptedPeer(CONNECT).socket()
    await socket.accept()
    with pytest.raises(RuntimeError, match="only possible before accept"):
        await socket.reject(403)


# -- receiving -------------------------------------------------------------------


async def test_receive_before_accept_is_a_programming_error() -> None:
    socket = ScriptedPeer(CONNECT, text("hi")).socket()
    with pytest.raises(RuntimeError, match="expected connection state CONNECTED, got CONNECTING"):
        await socket.receive_text()


async def test_receive_data_skips_frames_of_the_other_channel() -> None:
    peer = ScriptedPeer(CONNECT, binary(b"\x00"), text("one"), text("two"), binary(b"\x01"))
    socket = peer.socket()
    await socket.accept()
    assert await socket.receive_data("text") == "one"
    assert await socket.receive_data("binary") == b"\x01"  # "two" skipped, never turned into b""


async def test_receive_message_returns_frames_of_either_channel() -> None:
    socket = ScriptedPeer(CONNECT, text("t"), binary(b"b")).socket()
    await socket.accept()
    assert await socket.receive_message() == "t"
    assert await socket.receive_message() == b"b"


async def test_receive_after_disconnect_raises_every_time() -> None:
    peer = ScriptedPeer(CONNECT, disconnect(4001, "gone"))
    socket = peer.socket()
    await socket.accept()
    for _ in range(2):
        with pytest.raises(WebSocketDisconnect) as caught:
            await socket.receive_text()
        assert (caught.value.code, caught.value.reason) == (4001, "gone")
    assert socket.peer_state is ConnectionState.DISCONNECTED


async def test_receive_after_our_close_raises_disconnect_without_asking_the_server() -> None:
    peer = ScriptedPeer(CONNECT, text("never read"))
    socket = peer.socket()
    await socket.accept()
    await socket.close(1000)
    with pytest.raises(WebSocketDisconnect) as caught:
        await socket.receive_text()
    assert caught.value.code == 1000
    assert peer.incoming == [text("never read")]


async def test_disconnect_without_code_reports_1005() -> None:
    socket = ScriptedPeer(CONNECT, {"type": "websocket.disconnect"}).socket()
    await socket.accept()
    with pytest.raises(WebSocketDisconnect) as caught:
        await socket.receive_bytes()
    assert caught.value.code == 1005


async def test_json_and_msgpack_receives_decode_any_value() -> None:
    socket = ScriptedPeer(
        CONNECT,
        text('{"a": [1, 2]}'),
        binary(b"[true]"),
        binary(msgspec.msgpack.encode({"k": None})),
        text("3"),
    ).socket()
    await socket.accept()
    assert await socket.receive_json() == {"a": [1, 2]}
    assert await socket.receive_json(mode="binary") == [True]
    assert await socket.receive_msgpack() == {"k": None}
    assert await socket.receive_json() == 3


async def test_iterators_end_quietly_on_disconnect() -> None:
    events = [CONNECT, text("a"), binary(b"x"), text('{"n": 1}'), text("b"), disconnect()]
    socket = ScriptedPeer(*events).socket()
    await socket.accept()
    assert [item async for item in socket.iter_text()] == ["a", '{"n": 1}', "b"]

    socket = ScriptedPeer(*events).socket()
    await socket.accept()
    assert [item async for item in socket.iter_bytes()] == [b"x"]

    socket = ScriptedPeer(CONNECT, text('{"n": 1}'), binary(b"[2]"), disconnect()).socket()
    await socket.accept()
    assert [item async for item in socket.iter_json()] == [{"n": 1}]

    socket = ScriptedPeer(CONNECT, text("t"), binary(b"b"), disconnect()).socket()
    await socket.accept()
    assert [item async for item in socket.iter_data("binary")] == [b"b"]


# -- sending ---------------------------------------------------------------------


async def test_send_funnel_converts_to_the_mode() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    await socket.accept()
    await socket.send_data(b"caf\xc3\xa9", "text")
    await socket.send_data("café", "binary")
    await socket.send_text("t")
    await socket.send_bytes(b"b")
    await socket.send_json({"a": 1})
    await socket.send_json([1], mode="binary")
    await socket.send_msgpack({"m": 2})
    assert peer.sent[1:] == [
        {"type": "websocket.send", "text": "café"},
        {"type": "websocket.send", "bytes": "café".encode()},
        {"type": "websocket.send", "text": "t"},
        {"type": "websocket.send", "bytes": b"b"},
        {"type": "websocket.send", "text": '{"a":1}'},
        {"type": "websocket.send", "bytes": b"[1]"},
        {"type": "websocket.send", "bytes": msgspec.msgpack.encode({"m": 2})},
    ]


async def test_send_with_an_unknown_mode_is_refused() -> None:
    socket = ScriptedPeer(CONNECT).socket()
    await socket.accept()
    with pytest.raises(ValueError, match="expected mode 'text' or 'binary'"):
        await socket.send_data("x", "txt")  # type: ignore[arg-type]


async def test_send_before_accept_is_a_programming_error() -> None:
    peer = ScriptedPeer(CONNECT)
    with pytest.raises(RuntimeError, match="call accept\\(\\) before sending"):
        await peer.socket().send_text("early")
    assert peer.sent == []


async def test_send_after_our_close_raises_disconnect_and_reaches_nobody() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    await socket.accept()
    await socket.close(1000)
    with pytest.raises(WebSocketDisconnect):
        await socket.send_text("late")
    assert [m["type"] for m in peer.sent] == ["websocket.accept", "websocket.close"]


async def test_send_after_the_peer_left_raises_disconnect_and_reaches_nobody() -> None:
    peer = ScriptedPeer(CONNECT, disconnect(1001))
    socket = peer.socket()
    await socket.accept()
    with pytest.raises(WebSocketDisconnect):
        await socket.receive_text()
    with pytest.raises(WebSocketDisconnect) as caught:
        await socket.send_json({"late": True})
    assert caught.value.code == 1001
    assert [m["type"] for m in peer.sent] == ["websocket.accept"]


class ClientDisconnected(OSError):
    """What uvicorn raises from send once the client has gone."""


async def test_oserror_on_send_becomes_disconnect_1006() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    await socket.accept()
    peer.fail_with = ClientDisconnected()

    with pytest.raises(WebSocketDisconnect) as caught:
        await socket.send_text("x")

    assert caught.value.code == CloseCode.ABNORMAL_CLOSURE
    assert isinstance(caught.value.__cause__, ClientDisconnected)
    assert socket.peer_state is ConnectionState.DISCONNECTED
    peer.fail_with = None
    await socket.close()  # the peer is gone: nothing is sent
    assert [m["type"] for m in peer.sent] == ["websocket.accept"]


# -- scope views -------------------------------------------------------------------


async def test_scope_views() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket(
        scheme="wss",
        path="/rooms/1",
        query_string=b"a=1&a=2&b=&c=%20x",
        headers=[
            (b"host", b"example.com"),
            (b"x-multi", b"1"),
            (b"x-multi", b"2"),
            (b"cookie", b'session=abc; theme="dark"'),
            (b"cookie", b"lang=fr"),
        ],
        subprotocols=["v2", "v1"],
        client=("10.0.0.1", 5555),
    )
    assert socket.client == ("10.0.0.1", 5555)
    assert socket.client is not None
    assert socket.client.host == "10.0.0.1"
    assert str(socket.url) == "wss://example.com/rooms/1?a=1&a=2&b=&c=%20x"
    assert socket.url.path == "/rooms/1"
    assert socket.headers["X-MULTI"] == "1"
    assert socket.headers.getall("x-Multi") == ["1", "2"]
    assert "HOST" in socket.headers
    assert socket.query_params["a"] == "1"
    assert socket.query_params.getall("a") == ["1", "2"]
    assert socket.query_params["b"] == ""
    assert socket.query_params["c"] == " x"
    assert list(socket.query_params) == ["a", "b", "c"]
    assert socket.query_params.get("missing") is None
    assert socket.cookies == {"session": "abc", "theme": "dark", "lang": "fr"}
    assert socket.subprotocols == ["v2", "v1"]
    assert socket.path_params == {}
    assert len(socket.state) == 0


async def test_client_is_none_when_the_server_does_not_say() -> None:
    assert ScriptedPeer().socket(client=None).client is None


# -- through the test client and a subclass -----------------------------------------


async def test_server_close_surfaces_in_the_session_with_code_and_reason() -> None:
    async def handler(socket: WebSocket) -> None:
        await socket.accept(subprotocol="v1", headers={"x-server": "yes"})
        await socket.send_text(await socket.receive_text())
        await socket.close(4321, "bye")
        await socket.close()  # no-op: the test client would reject a second close

    async with (
        AsyncTestClient(raw_app(handler)) as client,
        client.websocket_connect("/", subprotocols=["v1"]) as session,
    ):
        assert session.accepted_subprotocol == "v1"
        assert session.response_headers == [("x-server", "yes")]
        await session.send_text("echo")
        assert await session.receive_text() == "echo"
        for _ in range(2):
            with pytest.raises(WebSocketDisconnect) as caught:
                await session.receive_text()
            assert (caught.value.code, caught.value.reason) == (4321, "bye")


class FixedResponse(WebSocket):
    """The guide's "Custom WebSocket": every received frame reads as a fixed value."""

    async def receive_data(self, mode: WebSocketMode) -> str | bytes:
        await super().receive_data(mode=mode)
        return '"Fixed response"'

    async def send_data(self, data: str | bytes, mode: WebSocketMode = "text") -> None:
        await super().send_data(f"<{data if isinstance(data, str) else data.decode()}>", mode)


async def test_a_subclass_overriding_the_funnels_changes_every_helper() -> None:
    received: list[Any] = []

    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        received.append(await socket.receive_text())
        received.append(await socket.receive_json())
        received.append(await socket.receive_bytes())
        async for item in socket.iter_json():  # leaving early needs no aclose()
            received.append(item)
            break
        await socket.send_json({"k": 1})
        await socket.send_text("t")

    async with (
        AsyncTestClient(raw_app(handler, FixedResponse)) as client,
        client.websocket_connect("/") as session,
    ):
        await session.send_text("anything")
        await session.send_text("anything")
        await session.send_bytes(b"anything")
        await session.send_text("anything")
        assert await session.receive_text() == '<{"k":1}>'
        assert await session.receive_text() == "<t>"

    assert received == ['"Fixed response"', "Fixed response", b'"Fixed response"', "Fixed response"]


class RecordingSends(WebSocket):
    """Overrides only ``send_data`` and records what reaches it."""

    funnelled: list[tuple[str | bytes, WebSocketMode]]

    async def send_data(self, data: str | bytes, mode: WebSocketMode = "text") -> None:
        self.funnelled.append((data, mode))
        await super().send_data(data, mode)


async def test_send_json_hands_send_data_overrides_the_encoded_bytes() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = RecordingSends(peer.socket().scope, peer.receive, peer.send)
    socket.funnelled = []
    await socket.accept()
    await socket.send_json({"a": 1})
    await socket.send_json([2], mode="binary")
    assert socket.funnelled == [(b'{"a":1}', "text"), (b"[2]", "binary")]
    assert peer.sent[1:] == [
        {"type": "websocket.send", "text": '{"a":1}'},
        {"type": "websocket.send", "bytes": b"[2]"},
    ]


# -- the JSON helpers' own path over ASGI (funnels not overridden) --------------------


async def test_receive_json_skips_the_other_channel_and_raises_on_disconnect() -> None:
    peer = ScriptedPeer(CONNECT, binary(b"[0]"), text("[1]"), text("x"), binary(b"[2]"))
    socket = peer.socket()
    await socket.accept()
    assert await socket.receive_json() == [1]
    assert await socket.receive_json(mode="binary") == [2]  # "x" skipped, never decoded

    socket = ScriptedPeer(CONNECT, binary(b"[0]"), disconnect(4002, "bye")).socket()
    await socket.accept()
    with pytest.raises(WebSocketDisconnect) as caught:
        await socket.receive_json()
    assert (caught.value.code, caught.value.reason) == (4002, "bye")
    with pytest.raises(WebSocketDisconnect):
        await socket.receive_json()


async def test_receive_json_before_accept_and_after_close() -> None:
    peer = ScriptedPeer(CONNECT, text("[1]"))
    socket = peer.socket()
    with pytest.raises(RuntimeError, match="call accept\\(\\) before receiving"):
        await socket.receive_json()
    await socket.accept()
    await socket.close()
    with pytest.raises(WebSocketDisconnect):
        await socket.receive_json()
    assert peer.incoming == [text("[1]")]


async def test_send_json_state_checks_and_transport_errors() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    with pytest.raises(RuntimeError, match="call accept\\(\\) before sending"):
        await socket.send_json([1])
    await socket.accept()
    with pytest.raises(ValueError, match="expected mode 'text' or 'binary'"):
        await socket.send_json([1], mode="txt")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await socket.send_json(object())

    peer.fail_with = ClientDisconnected()
    with pytest.raises(WebSocketDisconnect) as caught:
        await socket.send_json([1])
    assert caught.value.code == CloseCode.ABNORMAL_CLOSURE
    assert isinstance(caught.value.__cause__, ClientDisconnected)
    assert socket.peer_state is ConnectionState.DISCONNECTED

    peer.fail_with = None
    with pytest.raises(WebSocketDisconnect):
        await socket.send_json([1])
    assert [m["type"] for m in peer.sent] == ["websocket.accept"]


async def test_states_set_from_outside_are_honoured_by_every_receive_and_send() -> None:
    peer = ScriptedPeer(CONNECT, text("[1]"), text("[2]"))
    socket = peer.socket()
    await socket.accept()
    socket.peer_state = ConnectionState.DISCONNECTED
    with pytest.raises(WebSocketDisconnect):
        await socket.send_text("x")
    with pytest.raises(WebSocketDisconnect):
        await socket.receive_json()
    socket.peer_state = ConnectionState.CONNECTED
    assert await socket.receive_json() == [1]
    socket.connection_state = ConnectionState.DISCONNECTED
    with pytest.raises(WebSocketDisconnect):
        await socket.receive_data("text")
    with pytest.raises(WebSocketDisconnect):
        await socket.send_json([0])
    socket.connection_state = ConnectionState.CONNECTED
    assert await socket.receive_data("text") == "[2]"
    assert [m["type"] for m in peer.sent] == ["websocket.accept"]


# -- raw events, msgpack iteration, URL port, close codes ------------------------------


async def test_raw_receive_and_send_keep_the_state_in_step() -> None:
    peer = ScriptedPeer(CONNECT, text("hi"), disconnect(1001, "bye"))
    socket = peer.socket()
    assert await socket.receive() == CONNECT
    assert socket.peer_state is ConnectionState.CONNECTED
    await socket.send({"type": "websocket.accept", "headers": [(b"X-A", b"1")]})
    assert state_of(socket) is ConnectionState.CONNECTED
    assert await socket.receive() == text("hi")
    await socket.send({"type": "websocket.send", "text": "raw"})
    assert await socket.receive() == disconnect(1001, "bye")
    assert peer_state_of(socket) is ConnectionState.DISCONNECTED
    with pytest.raises(WebSocketDisconnect) as caught:
        await socket.receive()  # never reaches the server once the peer has gone
    assert (caught.value.code, caught.value.reason) == (1001, "bye")
    with pytest.raises(WebSocketDisconnect):
        await socket.send({"type": "websocket.send", "text": "late"})
    assert peer.sent == [
        {"type": "websocket.accept", "subprotocol": None, "headers": [(b"x-a", b"1")]},
        {"type": "websocket.send", "text": "raw"},
    ]


async def test_raw_close_goes_through_close() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    await socket.accept()
    await socket.send({"type": "websocket.close", "code": 4001, "reason": "r"})
    await socket.send({"type": "websocket.close"})  # a second close is a no-op, as close() is
    assert peer.sent[1:] == [{"type": "websocket.close", "code": 4001, "reason": "r"}]
    with pytest.raises(RuntimeError, match="reject"):
        await socket.send({"type": "websocket.http.response.start", "status": 403})


async def test_iter_msgpack_yields_values_until_disconnect() -> None:
    frames = [binary(msgspec.msgpack.encode(value)) for value in ({"a": 1}, [2, 3])]
    peer = ScriptedPeer(CONNECT, text("ignored"), *frames, disconnect())
    socket = peer.socket()
    await socket.accept()
    assert [value async for value in socket.iter_msgpack()] == [{"a": 1}, [2, 3]]


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({"headers": [(b"host", b"example.com:8443")]}, ("example.com", 8443)),
        ({"headers": [(b"host", b"example.com")]}, ("example.com", None)),
        ({"headers": [(b"host", b"[::1]:9000")]}, ("[::1]", 9000)),
        ({"headers": [(b"host", b"[::1]")]}, ("[::1]", None)),
        ({"server": ("10.0.0.1", 8000)}, ("10.0.0.1", 8000)),
        ({"server": ("10.0.0.1", 443), "scheme": "wss"}, ("10.0.0.1", None)),
    ],
)
async def test_url_has_host_and_port(
    scope: dict[str, Any], expected: tuple[str, int | None]
) -> None:
    url = ScriptedPeer().socket(**scope).url
    assert (url.host, url.port) == expected
    port = "" if expected[1] is None else f":{expected[1]}"
    assert str(url) == f"{url.scheme}://{expected[0]}{port}/"


@pytest.mark.parametrize("code", [999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, True, "1000"])
async def test_close_refuses_codes_that_may_not_be_sent(code: Any) -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    await socket.accept()
    with pytest.raises(ValueError, match="cannot be sent"):
        await socket.close(code)
    with pytest.raises(ValueError, match="cannot be sent"):
        WebSocketException(code)
    assert socket.connection_state is ConnectionState.CONNECTED
    assert [m["type"] for m in peer.sent] == ["websocket.accept"]


@pytest.mark.parametrize("code", [1000, 1003, 1007, 1011, 1013, 1014, 3000, 4999])
async def test_close_sends_every_code_an_endpoint_may_send(code: int) -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    await socket.accept()
    await socket.close(code)
    assert WebSocketException(code).code == code
    assert peer.sent[-1] == {"type": "websocket.close", "code": code, "reason": ""}


def test_a_disconnect_is_a_websocket_exception_reporting_any_code() -> None:
    caught = WebSocketDisconnect(1006)  # reported, never sent: not checked
    assert isinstance(caught, WebSocketException)
    assert (caught.code, str(caught)) == (1006, "1006")


@pytest.mark.parametrize(
    ("frame", "problem"),
    [
        (text("{not json"), "$: malformed JSON"),
        (text(""), "$: empty message"),
        (text("[" * 100_000), "$: "),
    ],
)
async def test_receive_json_failures_are_told_in_our_words(frame: Any, problem: str) -> None:
    peer = ScriptedPeer(CONNECT, frame)
    socket = peer.socket()
    await socket.accept()
    with pytest.raises(msgspec.DecodeError) as caught:
        await socket.receive_json()
    assert str(caught.value).startswith(problem)


async def test_a_sender_that_never_awaits_lets_other_tasks_run() -> None:
    # ScriptedPeer.send never suspends, like a server's send while the client keeps up.
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    await socket.accept()
    other_ran = anyio.Event()
    bound = 1_000_000  # far beyond the frames sent in a few milliseconds

    async def other_task() -> None:
        other_ran.set()

    async with anyio.create_task_group() as group:
        group.start_soon(other_task)
        while not other_ran.is_set() and len(peer.sent) < bound:
            await socket.send_text("x")
    assert other_ran.is_set()
    assert len(peer.sent) < bound


async def test_a_close_reason_with_lone_surrogates_is_made_sendable() -> None:
    peer = ScriptedPeer(CONNECT)
    socket = peer.socket()
    await socket.accept()
    await socket.close(1007, "$.\ud800x: bad")
    assert peer.sent[-1]["reason"] == "$.?x: bad"
    peer.sent[-1]["reason"].encode()  # what a server does with it
