"""The logger of this package.

Everything ``ws_stream`` logs goes to the ``"ws_stream"`` logger; a stream
handler exposes it as its ``logger`` attribute, so ws-core logs the handler's
unhandled errors there too.
"""

from ws_core import package_logger

__all__ = ["logger"]

logger = package_logger("ws_stream")
