"""WebSocket close codes from RFC 6455 (section 7.4.1) and the IANA registry."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["CloseCode", "check_close_code"]


class CloseCode(IntEnum):
    """Close codes a server sends (or reports) when a connection ends.

    ``ABNORMAL_CLOSURE`` (1006) is never sent on the wire: ws-core reports it in
    :class:`~ws_core.WebSocketDisconnect` when the transport broke without a
    closing handshake. Which codes may be sent is :func:`check_close_code`'s rule.
    """

    NORMAL_CLOSURE = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003
    ABNORMAL_CLOSURE = 1006
    INVALID_FRAME_PAYLOAD_DATA = 1007
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    MANDATORY_EXTENSION = 1010
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012
    TRY_AGAIN_LATER = 1013
    BAD_GATEWAY = 1014


def _sendable(code: int) -> bool:
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


def check_close_code(code: int) -> int:
    """Return ``code`` if an endpoint may send it in a close frame.

    RFC 6455 (section 7.4) and the IANA registry allow 1000-1003, 1007-1014
    and the application ranges 3000-4999. 1004 is reserved; 1005, 1006 and
    1015 only report what happened and must never be sent; anything else is
    not a close code. A server handed one of those drops the connection or
    puts a forbidden code on the wire, so the mistake is refused here, where
    it is made.

    Raises:
        ValueError: ``code`` is not an int in those ranges.
    """
    if isinstance(code, bool) or not isinstance(code, int) or not _sendable(code):
        raise ValueError(
            f"close code {code!r} cannot be sent: use 1000-1003, 1007-1014 or 3000-4999 "
            "(1005, 1006 and 1015 only report a close, 1004 is reserved)"
        )
    return code
