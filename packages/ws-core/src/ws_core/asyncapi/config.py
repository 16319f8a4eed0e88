"""``AsyncAPIConfig`` and ``AsyncAPIServer``: what ``App(asyncapi=...)`` takes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ws_core.exceptions import ConfigurationError

__all__ = ["AsyncAPIConfig", "AsyncAPIServer"]


@dataclass(frozen=True, kw_only=True)
class AsyncAPIServer:
    """One entry of the document's ``servers``: where clients connect.

    Attributes:
        host: ``host[:port]``, e.g. ``"chat.example.com"`` or ``"localhost:8000"``.
        protocol: ``"ws"`` or ``"wss"``.
        pathname: The path the App is mounted at (its ``root_path``), if any.
        title: A short human name.
        description: CommonMark text.
    """

    host: str
    protocol: str = "ws"
    pathname: str | None = None
    title: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.host, str) or not self.host or "/" in self.host:
            raise ConfigurationError(
                f"AsyncAPIServer: host must be 'host' or 'host:port' (no scheme, no path), "
                f"got {self.host!r}"
            )
        if self.protocol not in ("ws", "wss"):
            raise ConfigurationError(
                f"AsyncAPIServer: protocol must be 'ws' or 'wss', got {self.protocol!r}"
            )

    def as_object(self) -> dict[str, Any]:
        """The AsyncAPI Server Object."""
        server: dict[str, Any] = {"host": self.host, "protocol": self.protocol}
        optional = {
            "pathname": self.pathname,
            "title": self.title,
            "description": self.description,
        }
        server.update((key, value) for key, value in optional.items() if value is not None)
        return server


@dataclass(frozen=True, kw_only=True)
class AsyncAPIConfig:
    """How an :class:`~ws_core.App` describes itself as an AsyncAPI 3.0 document.

    Given as ``App(asyncapi=AsyncAPIConfig(...))`` (a plugin sees it, and may
    replace it, as :attr:`AppConfig.asyncapi <ws_core.AppConfig.asyncapi>`).
    The App then serves, for ``path="/asyncapi"``:

    - ``/asyncapi.json`` and ``/asyncapi.yaml``: the document;
    - ``/asyncapi``: an HTML page rendering it with AsyncAPI's React component,
      whose script and style sheet the App serves too (``/asyncapi/ui.js``,
      ``/asyncapi/ui.css``, vendored in the package: nothing is fetched from
      the internet) unless ``ui_script_url`` and ``ui_stylesheet_url`` name
      other copies.

    Paths follow the ASGI ``root_path`` like routes do. HTTP requests for any
    other path go to ``http_app`` (else 404), as without this option.

    Attributes:
        title: The document's ``info.title``.
        version: The version of the described API (``info.version``).
        description: ``info.description`` (CommonMark).
        id: The document's ``id`` (a URI), if it has one.
        info: More fields of the Info Object (``contact``, ``license``,
            ``tags``...), written as given.
        servers: The document's servers, by name.
        path: Where the page is served; ``None`` serves nothing over HTTP
            (``ws_core.asyncapi_document(app)`` still builds the document).
        ui_script_url: Load the React component's standalone bundle from here
            instead of the vendored copy.
        ui_stylesheet_url: Load its style sheet from here instead of the
            vendored copy.

    Raises:
        ConfigurationError: ``path`` does not start with ``/`` or ends with
            one, a server is not an :class:`AsyncAPIServer`, or only one of
            the two UI URLs is given.
    """

    title: str = "WebSocket API"
    version: str = "0.1.0"
    description: str | None = None
    id: str | None = None
    info: Mapping[str, Any] = field(default_factory=dict)
    servers: Mapping[str, AsyncAPIServer] = field(default_factory=dict)
    path: str | None = "/asyncapi"
    ui_script_url: str | None = None
    ui_stylesheet_url: str | None = None

    def __post_init__(self) -> None:
        if self.path is not None and (
            not isinstance(self.path, str)
            or not self.path.startswith("/")
            or self.path.endswith("/")
        ):
            raise ConfigurationError(
                f"AsyncAPIConfig: path must start with '/' and not end with one "
                f"(e.g. '/asyncapi'), got {self.path!r}"
            )
        for name, server in self.servers.items():
            if not isinstance(server, AsyncAPIServer):
                raise ConfigurationError(
                    f"AsyncAPIConfig: server {name!r} must be an AsyncAPIServer, got {server!r}"
                )
        if (self.ui_script_url is None) != (self.ui_stylesheet_url is None):
            raise ConfigurationError(
                "AsyncAPIConfig: give both ui_script_url and ui_stylesheet_url, or neither "
                "(the vendored copies are served together)"
            )
        object.__setattr__(self, "info", dict(self.info))
        object.__setattr__(self, "servers", dict(self.servers))
