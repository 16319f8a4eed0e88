"""Wire-name strategies for DTO fields (``DTOConfig.rename_strategy``).

Each strategy maps a Python field name written in snake_case to the name the
field carries on the wire. Underscores at the edges of a name are dropped by
the word-joining strategies (``camel``, ``pascal``, ``kebab``), so ``_id`` and
``id`` collide; the DTO compiler reports such collisions as configuration
errors.
"""

from collections.abc import Callable
from typing import Literal, TypeAlias

__all__ = ["RENAME_STRATEGIES", "RenameStrategy", "rename"]

RenameStrategy: TypeAlias = Literal["camel", "pascal", "kebab", "upper", "lower"]


def _words(name: str) -> list[str]:
    return [word for word in name.split("_") if word]


def _capitalize(word: str) -> str:
    # Unlike str.capitalize, keeps the rest of the word as written ("userID" stays "UserID").
    return word[:1].upper() + word[1:]


def _camel(name: str) -> str:
    words = _words(name)
    return words[0] + "".join(map(_capitalize, words[1:])) if words else name


def _pascal(name: str) -> str:
    return "".join(map(_capitalize, _words(name))) or name


def _kebab(name: str) -> str:
    return "-".join(_words(name)) or name


RENAME_STRATEGIES: dict[str, Callable[[str], str]] = {
    "camel": _camel,
    "pascal": _pascal,
    "kebab": _kebab,
    "upper": str.upper,
    "lower": str.lower,
}
"""Strategy name -> function from a Python field name to its wire name."""


def rename(name: str, strategy: RenameStrategy) -> str:
    """Return the wire name of field ``name`` under ``strategy``.

    Args:
        name: A Python field name, usually snake_case (``"first_name"``).
        strategy: One of ``"camel"`` (``firstName``), ``"pascal"``
            (``FirstName``), ``"kebab"`` (``first-name``), ``"upper"``
            (``FIRST_NAME``) or ``"lower"`` (``first_name``).

    Returns:
        The wire name.

    Raises:
        KeyError: ``strategy`` is not one of the names above (``DTOConfig``
            validates it before this is ever called).
    """
    return RENAME_STRATEGIES[strategy](name)
