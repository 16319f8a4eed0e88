"""The HTTP side: the document, its page and the page's files, at the configured path.

:class:`AsyncAPIEndpoints` answers the ``http`` scopes whose path (after the
ASGI ``root_path``) is one of its own, and tells the App to pass every other
one on (to ``http_app``, else a 404). ``GET`` and ``HEAD`` only; another
method gets 405. Each body is made on the first request for it and kept.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ws_core.asyncapi.page import UI_FILES, render_page, vendored
from ws_core.asyncapi.served import AsyncAPIDocument
from ws_core.types import Receive, Scope, Send

__all__ = ["AsyncAPIEndpoints"]

_METHODS = ("GET", "HEAD")


class AsyncAPIEndpoints:
    """Serves ``<path>`` (the page), ``<path>.json``, ``<path>.yaml`` and the page's files.

    Args:
        document: The App's document.
        path: The configured path, e.g. ``"/asyncapi"``.
    """

    def __init__(self, document: AsyncAPIDocument, path: str) -> None:
        config = document.config
        name = path.rsplit("/", 1)[-1]  # the page's links are relative: mounts keep working
        script = config.ui_script_url or f"{name}/ui.js"
        stylesheet = config.ui_stylesheet_url or f"{name}/ui.css"

        def page() -> bytes:
            return render_page(document.as_dict(), script=script, stylesheet=stylesheet)

        self._makers: dict[str, tuple[Callable[[], bytes], bytes]] = {
            path: (page, b"text/html; charset=utf-8"),
            f"{path}.json": (document.json, b"application/json"),
            f"{path}.yaml": (document.yaml, b"application/yaml; charset=utf-8"),
        }
        if config.ui_script_url is None:
            for url_name, (file_name, media_type) in UI_FILES.items():
                self._makers[f"{path}/{url_name}"] = (partial(vendored, file_name), media_type)
        self._bodies: dict[str, bytes] = {}

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Answer ``scope`` if its path is one of ours.

        Returns:
            Whether it was answered; if not, nothing was sent.
        """
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        if root_path and path.startswith(root_path):
            path = path[len(root_path) :]
        found = self._makers.get(path)
        if found is None:
            return False
        if scope.get("method", "GET") not in _METHODS:
            await _respond(
                send, 405, b"Method Not Allowed", b"text/plain; charset=utf-8", allow=True
            )
            return True
        body = self._bodies.get(path)
        if body is None:
            body = self._bodies[path] = found[0]()
        await _respond(send, 200, body, found[1], head=scope.get("method") == "HEAD")
        return True


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    media_type: bytes,
    *,
    head: bool = False,
    allow: bool = False,
) -> None:
    headers = [
        (b"content-type", media_type),
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
    ]
    if allow:
        headers.append((b"allow", ", ".join(_METHODS).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})
