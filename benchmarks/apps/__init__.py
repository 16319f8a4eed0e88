"""ASGI applications under benchmark: a raw floor, Starlette, Litestar and ws-kit.

Every module exposes the same routes so the drivers can treat them alike:

- ``/json``: JSON echo of a dict (decode, encode back);
- ``/text``: text echo;
- ``/stream``: send every item of ``common.STREAM.items`` as JSON, then close;
- ``/setup``: per-connection cost: three dependencies (a sync one run inline, an
  async one using it, an async generator whose teardown is counted), accept, close.

Framework modules add their own variants (``/listener-dict``, ``/listener-struct`` ...).
"""
