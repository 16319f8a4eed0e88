"""Type aliases for the ASGI interface and the transport mode."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Literal, TypeAlias

__all__ = ["ASGIApp", "Message", "Receive", "Scope", "Send", "WebSocketMode"]

Scope: TypeAlias = MutableMapping[str, Any]
"""An ASGI connection scope."""

Message: TypeAlias = MutableMapping[str, Any]
"""An ASGI event, sent or received."""

Receive: TypeAlias = Callable[[], Awaitable[Message]]
"""The ASGI ``receive`` callable."""

Send: TypeAlias = Callable[[Message], Awaitable[None]]
"""The ASGI ``send`` callable."""

ASGIApp: TypeAlias = Callable[[Scope, Receive, Send], Awaitable[None]]
"""An ASGI 3 application."""

WebSocketMode: TypeAlias = Literal["text", "binary"]
"""A WebSocket transport channel: text frames or binary frames."""
