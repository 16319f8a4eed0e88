"""Type aliases shared by the codec modules.

``Mode`` and ``WireProtocol`` are the two literal choices every codec builder
takes; ``Decoder`` and ``Encoder`` are the shapes of the functions they return.
"""

from collections.abc import Callable
from typing import Any, Literal, TypeAlias

__all__ = ["Decoder", "Encoder", "Mode", "WireProtocol"]

Mode: TypeAlias = Literal["text", "binary"]
"""The WebSocket transport channel a payload travels on."""

WireProtocol: TypeAlias = Literal["json", "msgpack"]
"""The serialization format of a payload that is not passed through."""

Decoder: TypeAlias = Callable[[str | bytes], Any]
"""Turns one incoming payload into a validated value; raises ``DecodeError``."""

Encoder: TypeAlias = Callable[[Any], str | bytes]
"""Turns one outgoing value into a payload; raises ``EncodeError``."""
