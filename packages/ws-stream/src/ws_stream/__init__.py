"""ws-stream: proactive WebSocket streams driven by async generators.

Two entry points:

- :func:`websocket_stream` decorates an async generator function and returns
  a route handler (:class:`StreamHandler`) for ``App`` or ``Router``: each
  connection is accepted, fed every value the generator yields, and closed
  with 1000 when it is exhausted.
- :func:`send_websocket_stream` does the same with any async iterable from
  inside another handler (a low-level ``websocket`` handler, a listener's
  ``connection_lifespan``), and reports whether the stream was exhausted.

Both serialize alike (``str``/``bytes`` as they are, anything else encoded
as JSON or MessagePack), await every send (a slow client slows the stream),
and close the generator with ``aclose()`` however the stream ends.
:class:`StreamHandler`'s ``describe`` tells the App's AsyncAPI document what
the stream sends (:mod:`ws_stream.description`).
"""

from ws_stream.__about__ import __version__ as __version__
from ws_stream.decorator import websocket_stream
from ws_stream.handler import StreamHandler
from ws_stream.sending import send_websocket_stream

__all__ = ["StreamHandler", "send_websocket_stream", "websocket_stream"]
