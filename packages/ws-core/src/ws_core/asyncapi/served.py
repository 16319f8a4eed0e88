"""``AsyncAPIDocument``: one App's document, built on first use and kept."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ws_core.asyncapi.config import AsyncAPIConfig
from ws_core.asyncapi.document import build_document
from ws_core.asyncapi.yaml import to_yaml

if TYPE_CHECKING:
    from ws_core.handler import BoundRoute

__all__ = ["AsyncAPIDocument"]


class AsyncAPIDocument:
    """The AsyncAPI 3.0 document of one :class:`~ws_core.App`, as ``app.asyncapi_document``.

    Nothing is built until one of the methods is first called (by the first
    request for the document or its page, or by the exporting command); then
    the handlers are asked to describe their routes, once, and the JSON text
    is kept. No connection ever builds or reads it.

    Attributes:
        config: What the document is built from (the App's
            ``AsyncAPIConfig``, or the defaults when it has none).
    """

    def __init__(self, config: AsyncAPIConfig, routes: Sequence[tuple[BoundRoute, object]]) -> None:
        self.config = config
        self._routes = routes
        self._data: dict[str, Any] | None = None
        self._json: bytes | None = None
        self._yaml: bytes | None = None

    def _built(self) -> dict[str, Any]:
        if self._data is None:
            data = build_document(self.config, self._routes)
            self._json = (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()
            self._data = data
        return self._data

    def as_dict(self) -> dict[str, Any]:
        """The document as JSON data (a new copy on every call).

        Raises:
            Exception: Whatever a handler's ``describe`` raised while building.
        """
        return json.loads(self.json())  # type: ignore[no-any-return]

    def json(self) -> bytes:
        """The document as UTF-8 JSON text: the same bytes for the same App, every time."""
        self._built()
        assert self._json is not None
        return self._json

    def yaml(self) -> bytes:
        """The document as UTF-8 YAML text (the same data as :meth:`json`)."""
        if self._yaml is None:
            self._yaml = to_yaml(self._built()).encode()
        return self._yaml
