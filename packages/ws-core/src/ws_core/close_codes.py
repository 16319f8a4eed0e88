"""WebSocket close codes from RFC 6455 (section 7.4.1) and the IANA registry."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["CloseCode"]


class CloseCode(IntEnum):
    """Close codes a server sends (or reports) when a connection ends.

    ``ABNORMAL_CLOSURE`` (1006) is never sent on the wire: ws-core reports it in
    :class:`~ws_core.WebSocketDisconnect` when the transport broke without a
    closing handshake.
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
