"""AsyncAPI 3.0 documents of ws-kit applications (re-exported from ``ws_core``).

``App(asyncapi=AsyncAPIConfig(title=..., version=..., servers={...}))`` serves
the App's document as ``/asyncapi.json`` and ``/asyncapi.yaml``, and a page
rendering it at ``/asyncapi``; ``app.asyncapi_document`` (an
:class:`AsyncAPIDocument`) gives it to code. Every listener and stream
describes itself; a handler kind of your own does so with a ``describe(route)
->`` :class:`RouteDescription` method (see :mod:`ws_core.asyncapi`).

Export a document without running a server::

    python -m ws_kit.asyncapi module:app > asyncapi.json
    python -m ws_kit.asyncapi module:app --format yaml > asyncapi.yaml
"""

from ws_core import (
    AsyncAPIConfig,
    AsyncAPIDocument,
    AsyncAPIServer,
    DescribedRouteHandler,
    MessageDescription,
    OperationDescription,
    RouteDescription,
)

__all__ = [
    "AsyncAPIConfig",
    "AsyncAPIDocument",
    "AsyncAPIServer",
    "DescribedRouteHandler",
    "MessageDescription",
    "OperationDescription",
    "RouteDescription",
]
