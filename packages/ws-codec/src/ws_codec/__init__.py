"""ws_codec: type-driven, validated JSON and MessagePack codecs and DTOs.

An annotation becomes two plain functions, built once (at handler set-up)
and cached::

    decode = decoder_for(User, mode="text", protocol="json")
    encode = encoder_for(User, mode="text", protocol="json")
    user = decode('{"name": "ada"}')      # validated User, or DecodeError
    payload = encode(user)                # str in text mode, bytes in binary

``str`` and ``bytes`` annotations pass payloads through (UTF-8 between the
two); everything else is decoded and validated with msgspec. ``DTO[Model]``
with a ``DTOConfig`` renames, excludes or relaxes fields on the wire while
handlers keep seeing real models. MessagePack needs binary transport.
``schema_for`` gives the JSON schema of what a decoder accepts, and
``passthrough_type`` tells which payload type a built codec returns unchanged
(so a caller can skip calling it for such a value).

This package knows nothing of ASGI or of the other ws-kit packages; it
imports only msgspec and the standard library.

Exceptions::

    ValueError
    ├── CodecConfigurationError   caller's error, raised while building a codec
    │                             or defining a DTO (start-up), never per message
    └── msgspec.DecodeError
        └── DecodeError           peer's error, per message: malformed or invalid
                                  payload; .path, .message, .short(limit=123)
    TypeError
    └── EncodeError               handler's error, per message: a value that
                                  cannot be serialized
"""

from msgspec import UNSET

from .__about__ import __version__
from .codecs import decoder_for, encoder_for, passthrough_type
from .dto import DTO, DTOConfig
from .errors import CodecConfigurationError, DecodeError, EncodeError
from .schema import schema_for
from .types import Mode, WireProtocol

__all__ = [
    "DTO",
    "UNSET",
    "CodecConfigurationError",
    "DTOConfig",
    "DecodeError",
    "EncodeError",
    "Mode",
    "WireProtocol",
    "__version__",
    "decoder_for",
    "encoder_for",
    "passthrough_type",
    "schema_for",
]
