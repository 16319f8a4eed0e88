"""The HTML page that renders the document with AsyncAPI's React component.

The document is embedded in the page (a JSON ``<script>`` block, with ``<``,
``>`` and ``&`` escaped so no text of it can end the block), and the
component's standalone bundle renders it. By default the bundle and its style
sheet are the copies vendored in ``vendor/`` (see ``VENDORED.json`` and
``scripts/vendor_asyncapi_ui.py``), which the App serves beside the page; no
request leaves the App.
"""

from __future__ import annotations

import html
import json
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["UI_FILES", "render_page", "vendored"]

UI_FILES = {
    "ui.js": ("index.js", b"text/javascript; charset=utf-8"),
    "ui.css": ("default.min.css", b"text/css; charset=utf-8"),
}
"""The vendored files the App serves under the page's path: URL name -> (file, media type)."""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{stylesheet}">
</head>
<body>
<div id="asyncapi"></div>
<script id="asyncapi-document" type="application/json">{document}</script>
<script src="{script}"></script>
<script>
AsyncApiStandalone.render(
  {{
    schema: JSON.parse(document.getElementById("asyncapi-document").textContent),
    config: {{show: {{sidebar: true}}}},
  }},
  document.getElementById("asyncapi"),
);
</script>
</body>
</html>
"""


def render_page(document: dict[str, Any], *, script: str, stylesheet: str) -> bytes:
    """The page for ``document``, loading the component from ``script`` and ``stylesheet``."""
    embedded = (
        json.dumps(document, ensure_ascii=False)
        .replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
    )
    page = _TEMPLATE.format(
        title=html.escape(str(document["info"]["title"])),
        stylesheet=html.escape(stylesheet),
        script=html.escape(script),
        document=embedded,
    )
    return page.encode()


@cache
def vendored(name: str) -> bytes:
    """The bytes of the vendored file ``name`` (read once per process)."""
    return files("ws_core.asyncapi").joinpath("vendor", name).read_bytes()
