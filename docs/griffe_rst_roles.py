"""A griffe extension for the API reference: Sphinx roles in docstrings become code spans.

Some docstrings use reStructuredText roles (``:class:`~ws_core.App```); the reference
is rendered from Markdown, where those would show up literally. This turns
``:role:`~pkg.Name``` into ```Name```, ``:role:`pkg.Name``` into ```pkg.Name``` and
``:role:`text <target>``` into ```text```, before the docstrings are parsed. A line
ending in ``::`` (which introduces an indented literal block in reStructuredText, and
is an indented code block in Markdown already) loses one colon.
"""

import re
from typing import Any

import griffe

_LITERAL_MARKER = re.compile(r"(?<=\S)::$", re.MULTILINE)
_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|exc|data|obj|const|type):`([^`]+)`")


def _code_span(match: re.Match[str]) -> str:
    target = match.group(1).strip()
    titled = re.fullmatch(r"(.+?)\s*<[^>]+>", target)
    if titled is not None:
        target = titled.group(1)
    elif target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    return f"`{target}`"


def strip_roles(text: str) -> str:
    """Replace Sphinx roles by Markdown code spans, and a final ``::`` by ``:``."""
    return _LITERAL_MARKER.sub(":", _ROLE.sub(_code_span, text))


class RstRoles(griffe.Extension):
    """Rewrite the docstrings of a package and of everything in it, once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Rewrite every docstring defined in ``pkg`` (aliases are skipped: their targets are)."""
        pending: list[griffe.Object] = [pkg]
        while pending:
            obj = pending.pop()
            if obj.docstring is not None:
                obj.docstring.value = strip_roles(obj.docstring.value)
            pending.extend(
                member for member in obj.members.values() if not isinstance(member, griffe.Alias)
            )
