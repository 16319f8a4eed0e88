"""ws-listener: reactive WebSocket listeners for ws-kit.

A listener is called once per incoming message with that message, converted by
the annotation of its ``data`` parameter, and whatever it returns is encoded
and sent back. Two forms:

- :func:`websocket_listener`, a decorator on a sync or async function taking
  ``data`` plus injected names;
- :class:`WebsocketListener`, a base class whose subclass defines
  ``on_receive`` (and optionally ``on_accept`` / ``on_disconnect``), with a new
  instance per connection.

Both produce a :class:`ListenerRouteHandler`, which honours the ``ws_core``
route-handler contract: ``ws_core.App`` binds it once per path at start-up
(validating its configuration and planning its codecs and dependencies) and
awaits its connection coroutine for each connection. Unhandled errors are
logged on the ``"ws_listener"`` logger. Its ``describe`` (the optional half of
the contract) tells the App's AsyncAPI document what the listener receives and
replies, as ``ws_codec.schema_for`` schemas shaped by its DTOs
(:mod:`ws_listener.description`).
"""

from ws_listener.decorator import websocket_listener
from ws_listener.handler import ListenerRouteHandler
from ws_listener.listener_class import WebsocketListener
from ws_listener.options import ListenerOptions

__all__ = [
    "ListenerOptions",
    "ListenerRouteHandler",
    "WebsocketListener",
    "websocket_listener",
]
