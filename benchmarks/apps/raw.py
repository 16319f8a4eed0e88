"""Hand-written ASGI apps: the floors every framework is compared with.

Each route does the least a correct app can do with msgspec: accept, then
decode/encode (JSON), pass text through, or send the stream items; frames on
the binary channel are ignored like the frameworks do.
"""

from typing import Any

import msgspec

from apps.common import STREAM, dep_a, dep_b, dep_c

_decode = msgspec.json.Decoder(dict[str, Any]).decode
_encode = msgspec.json.Encoder().encode

ACCEPT = {"type": "websocket.accept"}
CLOSE = {"type": "websocket.close", "code": 1000}


async def json_echo(scope, receive, send):
    await receive()  # websocket.connect
    await send(ACCEPT)
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is not None:
            data = _decode(text)
            await send({"type": "websocket.send", "text": _encode(data).decode()})


async def text_echo(scope, receive, send):
    await receive()
    await send(ACCEPT)
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is not None:
            await send({"type": "websocket.send", "text": text})


async def _items():
    # The user's side of a stream is an async generator in every framework;
    # the floor iterates one too, so the ratio measures the framework only.
    for item in STREAM.items:
        yield item


async def stream(scope, receive, send):
    await receive()
    await send(ACCEPT)
    async for item in _items():
        await send({"type": "websocket.send", "text": _encode(item).decode()})
    await send(CLOSE)


async def stream_list(scope, receive, send):
    """Like :func:`stream` over the list itself: shows what the generator costs."""
    await receive()
    await send(ACCEPT)
    for item in STREAM.items:
        await send({"type": "websocket.send", "text": _encode(item).decode()})
    await send(CLOSE)


async def setup(scope, receive, send):
    """Three dependencies resolved by hand, accept, close, teardown."""
    await receive()
    a = dep_a()
    b = await dep_b(a)
    gen = dep_c()
    c = await gen.__anext__()
    try:
        if a and b and c:
            await send(ACCEPT)
            await send(CLOSE)
    finally:
        async for _ in gen:  # runs the teardown after ``yield``
            pass


ROUTES = {
    "/json": json_echo,
    "/text": text_echo,
    "/stream": stream,
    "/stream-list": stream_list,
    "/setup": setup,
}


async def _lifespan(receive, send):
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope, receive, send):
    """The raw ASGI application: route on the exact path."""
    kind = scope["type"]
    if kind == "websocket":
        handler = ROUTES.get(scope["path"])
        if handler is None:
            await receive()
            await send({"type": "websocket.close", "code": 1008})
            return
        await handler(scope, receive, send)
    elif kind == "lifespan":
        await _lifespan(receive, send)
    else:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
