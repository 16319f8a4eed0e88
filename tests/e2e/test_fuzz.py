"""Hypothesis-generated frames against typed listeners, in-process (ws_kit.testing).

For every example one or more frames (random bytes, random text, random JSON or
MessagePack, near-valid objects, oversized and deeply nested payloads, frames
on the wrong channel) are sent on a connection that is reused across examples,
followed by a valid message carrying a fresh nonce. The only acceptable
outcomes are:

- the connection closes with 1007 and a short reason (then we reconnect), or
- the reply to the valid follow-up arrives (the fuzz frames were ignored, or
  were valid and answered first),

never another close code (1011 in particular), never a receive timeout (a hung
connection), never an ERROR logged by the library. Four listeners, 2,600
examples each: 10,400 examples per run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ws_kit import DTO, App, DTOConfig, websocket_listener
from ws_kit.testing import TestClient

EXAMPLES = 2_600
RECEIVE_TIMEOUT = 5.0
MAX_REASON_BYTES = 123

Frame = tuple[Literal["text", "bytes"], str | bytes]


# -- the listeners under test -----------------------------------------------------------
# They only echo what they decoded, so whatever passed validation can be encoded back:
# a reply that cannot be encoded is a 1011 by design (SPEC §2), e.g. ``qty * 2`` for a
# qty just above -2**63 over MessagePack (hypothesis found that one in this file).
@dataclass
class Order:
    item: str
    qty: int
    tags: list[str] = field(default_factory=list)


@websocket_listener("/order")
async def order_json(data: Order) -> dict[str, Any]:
    return {"item": data.item, "qty": data.qty, "tags": len(data.tags)}


@websocket_listener("/order-msgpack", receive_mode="binary", send_mode="binary", protocol="msgpack")
async def order_msgpack(data: Order) -> dict[str, Any]:
    return {"item": data.item, "qty": data.qty, "tags": len(data.tags)}


class Event(msgspec.Struct):
    kind: Literal["add", "remove"]
    at: datetime
    ref: uuid.UUID
    amount: Decimal
    meta: dict[str, int] = {}


@websocket_listener("/event", sync_to_thread=False)
def event(data: Event) -> dict[str, str]:
    return {"ref": str(data.ref), "kind": data.kind}


@dataclass
class Profile:
    display_name: str
    age: int
    secret: str = "hidden"


class ProfileIn(DTO[Profile]):
    config = DTOConfig(exclude={"secret"}, rename_strategy="camel")


@websocket_listener("/profile", dto=ProfileIn)
async def profile(data: Profile) -> dict[str, Any]:
    return {"name": data.display_name, "age": data.age, "secret": data.secret}


APP_HANDLERS = [order_json, order_msgpack, event, profile]


# -- strategies ---------------------------------------------------------------------------
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # NaN and infinities too: not JSON, must be refused cleanly
    st.text(max_size=16),
)
json_values = st.recursive(
    scalars,
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
    ),
    max_leaves=12,
)


def near_valid(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the right field names and (often) the wrong values or extra keys."""
    loose = {name: st.one_of(strategy, scalars, json_values) for name, strategy in fields.items()}
    return st.fixed_dictionaries({}, optional={**loose, "extra": json_values})


def _json(value: Any) -> str:
    return json.dumps(value)  # NaN/Infinity are emitted as JSON doesn't allow


def _msgpack(value: Any) -> bytes:
    return msgspec.msgpack.encode(value)


def frames_for(objects: st.SearchStrategy[Any]) -> st.SearchStrategy[Frame]:
    small: list[st.SearchStrategy[Frame]] = [
        st.binary(max_size=64).map(lambda b: ("bytes", b)),
        st.text(max_size=64).map(lambda t: ("text", t)),
        json_values.map(lambda v: ("text", _json(v))),
        json_values.filter(_msgpackable).map(lambda v: ("bytes", _msgpack(v))),
        objects.map(lambda v: ("text", _json(v))),
        objects.filter(_msgpackable).map(lambda v: ("bytes", _msgpack(v))),
    ]
    big: list[st.SearchStrategy[Frame]] = [
        st.integers(1_000, 300_000).map(lambda n: ("text", "[" * n + "]" * n)),
        st.integers(1_000, 300_000).map(lambda n: ("bytes", b"\x91" * n + b"\xc0")),
        st.integers(100_000, 2_000_000).map(lambda n: ("text", _json({"item": "x" * n, "qty": 1}))),
        st.binary(min_size=1, max_size=4).map(lambda b: ("bytes", b * 250_000)),
        st.integers(100_000, 1_000_000).map(lambda n: ("text", '"' + "\\u00e9" * n + '"')),
    ]

    @st.composite
    def frame(draw: st.DrawFn) -> Frame:
        pool = big if draw(st.integers(0, 39)) == 0 else small
        return draw(st.sampled_from(pool).flatmap(lambda s: s))

    return frame()


def _msgpackable(value: Any) -> bool:
    try:
        msgspec.msgpack.encode(value)
    except (TypeError, OverflowError, msgspec.EncodeError):
        return False
    return True


@dataclass(frozen=True)
class Target:
    path: str
    backend: Literal["asyncio", "trio"]
    mode: Literal["text", "bytes"]
    frames: st.SearchStrategy[Frame]
    follow_up: Callable[[str], str | bytes]  # nonce -> valid payload
    reply: Callable[[str], Any]  # nonce -> the decoded reply we expect

    def decode(self, payload: str | bytes) -> Any:
        if self.mode == "text":
            return json.loads(payload)
        return msgspec.msgpack.decode(payload.encode() if isinstance(payload, str) else payload)


ORDER_FIELDS = {
    "item": st.text(max_size=10),
    "qty": st.integers(-(2**64), 2**64),
    "tags": st.lists(st.text(max_size=4), max_size=3),
}
EVENT_FIELDS = {
    "kind": st.sampled_from(["add", "remove", "move", ""]),
    "at": st.one_of(st.datetimes().map(lambda d: d.isoformat()), st.text(max_size=25)),
    "ref": st.one_of(st.uuids().map(str), st.text(max_size=36)),
    "amount": st.one_of(st.decimals(allow_nan=False).map(str), st.text(max_size=8)),
    "meta": st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
}
PROFILE_FIELDS = {
    "displayName": st.text(max_size=10),
    "display_name": st.text(max_size=10),
    "age": st.integers(),
    "secret": st.text(max_size=5),
}
NOW = "2024-06-10T12:00:00+00:00"

TARGETS = {
    "order-json-asyncio": Target(
        "/order",
        "asyncio",
        "text",
        frames_for(near_valid(ORDER_FIELDS)),
        lambda n: _json({"item": n, "qty": 1}),
        lambda n: {"item": n, "qty": 1, "tags": 0},
    ),
    "order-msgpack-asyncio": Target(
        "/order-msgpack",
        "asyncio",
        "bytes",
        frames_for(near_valid(ORDER_FIELDS)),
        lambda n: _msgpack({"item": n, "qty": 1}),
        lambda n: {"item": n, "qty": 1, "tags": 0},
    ),
    "event-json-trio": Target(
        "/event",
        "trio",
        "text",
        frames_for(near_valid(EVENT_FIELDS)),
        lambda n: _json({"kind": "add", "at": NOW, "ref": n, "amount": "1.5"}),
        lambda n: {"ref": n, "kind": "add"},
    ),
    "profile-dto-asyncio": Target(
        "/profile",
        "asyncio",
        "text",
        frames_for(near_valid(PROFILE_FIELDS)),
        lambda n: _json({"displayName": n, "age": 7}),
        lambda n: {"name": n, "age": 7, "secret": "hidden"},
    ),
}


class Connection:
    """One test-client connection, reopened after the app closed it."""

    def __init__(self, client: TestClient, path: str) -> None:
        self.client = client
        self.path = path
        self.stack: ExitStack | None = None
        self.session: Any = None
        self.opened = 0

    def get(self) -> Any:
        if self.session is None:
            self.stack = ExitStack()
            self.session = self.stack.enter_context(self.client.websocket_connect(self.path))
            self.opened += 1
        return self.session

    def drop(self) -> None:
        stack, self.stack, self.session = self.stack, None, None
        if stack is not None:
            stack.close()  # waits for the app to finish; re-raises what escaped it

    def discard(self) -> None:
        """Drop after a failure: the failure is what matters, not what closing says."""
        with contextlib.suppress(Exception):
            self.drop()


@pytest.mark.timeout(240)
@pytest.mark.parametrize("target_id", list(TARGETS))
def test_fuzzed_frames_close_1007_or_are_ignored(
    target_id: str,
    record_property: Callable[[str, object], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    target = TARGETS[target_id]
    outcomes: Counter[str] = Counter()
    caplog.set_level(logging.WARNING)

    with TestClient(App(APP_HANDLERS), timeout=RECEIVE_TIMEOUT, backend=target.backend) as client:
        conn = Connection(client, target.path)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(frames=st.lists(target.frames, min_size=1, max_size=3))
        def check(frames: list[Frame]) -> None:
            outcomes["examples"] += 1
            try:
                exchange(frames)
            except BaseException:
                conn.discard()  # a fresh connection for the next (shrinking) example
                raise

        def exchange(frames: list[Frame]) -> None:
            nonce = str(uuid.uuid4())
            ws = conn.get()
            for kind, payload in frames:
                if kind == "text":
                    ws.send_text(payload)
                else:
                    ws.send_bytes(payload)
            follow_up = target.follow_up(nonce)
            if isinstance(follow_up, str):
                ws.send_text(follow_up)
            else:
                ws.send_bytes(follow_up)
            expected = target.reply(nonce)
            for _ in range(len(frames) + 1):
                event = ws.receive(timeout=RECEIVE_TIMEOUT)  # TimeoutError: a hung connection
                if event["type"] == "websocket.close":
                    code, reason = event.get("code", 1000), event.get("reason") or ""
                    assert code == 1007, f"closed with {code} {reason!r} after {frames!r:.300}"
                    assert reason, "a 1007 close names the problem"
                    assert len(reason.encode()) <= MAX_REASON_BYTES
                    outcomes["closed 1007"] += 1
                    conn.drop()
                    return
                assert event["type"] == "websocket.send", event
                payload = event.get("text") if target.mode == "text" else event.get("bytes")
                assert payload is not None, f"reply on the wrong channel: {event!r:.200}"
                if target.decode(payload) == expected:
                    outcomes["served (follow-up answered)"] += 1
                    return
                outcomes["valid fuzz frame answered"] += 1
            raise AssertionError(f"the follow-up was never answered after {frames!r:.300}")

        try:
            check()
            outcomes["connections opened"] = conn.opened
            conn.drop()  # re-raises anything that escaped the app
        finally:
            conn.discard()

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("ws_")]
    record_property(f"e2e: fuzz examples {target_id}", outcomes["examples"])
    record_property(f"e2e: fuzz outcomes {target_id}", dict(outcomes))
    assert not errors, [r.getMessage() for r in errors[:3]]
    assert outcomes["examples"] >= EXAMPLES
    # Both outcomes really happened (the strategies reach the validator and past it).
    assert outcomes["closed 1007"] > 0
    assert outcomes["served (follow-up answered)"] > 0
