"""AsyncAPI 3.0: the App's document, from what its handlers say of their routes.

``App(asyncapi=AsyncAPIConfig(title=..., version=..., servers=...))`` serves
the document as ``/asyncapi.json`` and ``/asyncapi.yaml`` and renders it on
the page ``/asyncapi`` (see :class:`AsyncAPIConfig`); ``app.asyncapi_document``
(an :class:`AsyncAPIDocument`) gives it to code, and ``python -m
ws_kit.asyncapi module:app`` prints it.

Core builds the document without knowing any handler kind. It knows each
route's path, path parameters and planned query parameters; the rest comes
from the optional ``describe(route) -> RouteDescription`` method of the
route-handler contract (:mod:`ws_core.asyncapi.description`): what the
application receives and sends on the route, as :class:`MessageDescription`
payload schemas (the JSON schemas ``ws_codec.schema_for`` writes), with names
and docstrings. ``ws_listener``, ``ws_stream`` and the low-level
:func:`~ws_core.websocket` handler implement it; so can any third-party kind.

Modules, one job each: ``config`` (the options), ``description`` (the
contract), ``schemas`` (handlers' schemas into ``components``, in AsyncAPI's
dialect), ``names`` (unique keys), ``document`` (the document), ``yaml`` (a
YAML emitter for JSON data), ``page`` (the HTML page and the vendored
component), ``served`` (build once, keep), ``http`` (the HTTP endpoints).
"""

from ws_core.asyncapi.config import AsyncAPIConfig, AsyncAPIServer
from ws_core.asyncapi.description import (
    DescribedRouteHandler,
    JSONSchema,
    MessageDescription,
    OperationDescription,
    RouteDescription,
    own_docstring,
)
from ws_core.asyncapi.document import ASYNCAPI_VERSION
from ws_core.asyncapi.served import AsyncAPIDocument

__all__ = [
    "ASYNCAPI_VERSION",
    "AsyncAPIConfig",
    "AsyncAPIDocument",
    "AsyncAPIServer",
    "DescribedRouteHandler",
    "JSONSchema",
    "MessageDescription",
    "OperationDescription",
    "RouteDescription",
    "own_docstring",
]
