"""Exceptions raised and understood by ws-core.

Two families are kept apart:

- caller errors, found while the application is built:
  :class:`ConfigurationError`;
- connection events, raised per connection: the two that application code
  raises to steer the connection, :class:`WebSocketException` (close with a
  code) and :class:`HandshakeRejected` (refuse the handshake with an HTTP
  status), and :class:`WebSocketDisconnect` (the peer went away), a
  :class:`WebSocketException` too, so ``except WebSocketException`` also sees
  the peer leaving.

Misusing the connection's state machine (sending before ``accept()``, accepting
twice) is a programming error and raises :class:`RuntimeError`.
"""

from __future__ import annotations

from ws_core.close_codes import check_close_code

__all__ = [
    "ConfigurationError",
    "HandshakeRejected",
    "WebSocketDisconnect",
    "WebSocketException",
]


class ConfigurationError(Exception):
    """The application is misconfigured.

    Raised while an :class:`~ws_core.App` is built (or, for mistakes that do not
    depend on the layers, when a handler is declared). The message names the
    handler or option at fault and the problem, so it never surfaces on a
    client's first connection instead.
    """


class WebSocketException(Exception):
    """Raise from a handler to close the connection with ``code`` and ``reason``.

    The pipeline catches it, closes the socket with that code (a reason longer
    than 123 UTF-8 bytes is truncated) and logs nothing. Raised before the
    handshake was accepted, it rejects the handshake (403) instead.

    Args:
        code: The WebSocket close code to send, e.g. ``CloseCode.POLICY_VIOLATION``:
            1000-1003, 1007-1014 or 3000-4999.
        reason: The close reason.

    Raises:
        ValueError: ``code`` may not be sent (see :func:`~ws_core.close_codes.check_close_code`).
    """

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(check_close_code(code), reason)
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.code} {self.reason}".rstrip()


class WebSocketDisconnect(WebSocketException):
    """The peer has gone away; raised by receives and sends on a closed connection.

    Unlike its base class, it reports a close rather than asking for one, so
    its code is not checked: the peer's ``1005`` and ``1006`` are reported as
    they are.

    Args:
        code: The close code the peer sent (``1006`` when the transport broke
            without a closing handshake, ``1005`` when no code was given).
        reason: The close reason the peer sent, possibly empty.
    """

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        Exception.__init__(self, code, reason)
        self.code = code
        self.reason = reason


class HandshakeRejected(Exception):
    """Raise before ``accept()`` to refuse the handshake with an HTTP status.

    Guards, dependencies and accept handlers may raise it. The client receives
    ``status_code`` and a JSON body ``{"detail": detail}`` where the server
    offers the ASGI denial-response extension, a plain 403 otherwise.

    Args:
        status_code: The HTTP status of the refusal.
        detail: A short explanation for the client.
    """

    def __init__(self, status_code: int = 403, detail: str = "") -> None:
        super().__init__(status_code, detail)
        self.status_code = status_code
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.status_code} {self.detail}".rstrip()
