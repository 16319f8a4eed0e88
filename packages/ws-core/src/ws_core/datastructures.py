"""Small containers read from an ASGI scope: State, Headers, QueryParams, URL, Address."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

__all__ = ["URL", "Address", "Headers", "QueryParams", "State", "parse_cookies"]

_WEBSOCKET_SCHEMES = {"http": "ws", "https": "wss"}


class State(MutableMapping[str, Any]):
    """A namespace with both attribute and item access.

    ``state.count = 1`` and ``state["count"] = 1`` set the same value; a
    missing name raises :class:`AttributeError` for attribute access (so
    ``hasattr`` works) and :class:`KeyError` for item access.

    Args:
        data: Initial values (a mapping or key/value pairs); copied.
    """

    __slots__ = ("_data",)
    _data: dict[str, Any]

    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None) -> None:
        object.__setattr__(self, "_data", dict(data) if data is not None else {})

    def __getattr__(self, name: str) -> Any:
        if name == "_data":  # not yet set (copy/pickle protocols probe before __init__)
            raise AttributeError(name)
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(f"State has no attribute {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._data[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self._data[name]
        except KeyError:
            raise AttributeError(f"State has no attribute {name!r}") from None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"State({self._data!r})"

    def copy(self) -> State:
        """Return a shallow copy."""
        return State(self._data)


class _MultiMapping(Mapping[str, str]):
    """Read-only mapping over ordered (key, value) pairs; a key may repeat.

    ``m[key]`` and ``m.get(key)`` give the first value, :meth:`getall` every
    value; iteration yields each distinct key once, in order of appearance.
    """

    __slots__ = ("_pairs",)

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._pairs = [(self._normalize(key), value) for key, value in pairs]

    @staticmethod
    def _normalize(key: str) -> str:
        return key

    def __getitem__(self, key: str) -> str:
        key = self._normalize(key)
        for name, value in self._pairs:
            if name == key:
                return value
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        key = self._normalize(key)
        return any(name == key for name, _ in self._pairs)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(name for name, _ in self._pairs))

    def __len__(self) -> int:
        return len(dict.fromkeys(name for name, _ in self._pairs))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._pairs!r})"

    def getall(self, key: str) -> list[str]:
        """Return every value for ``key``, in order; an empty list when absent."""
        key = self._normalize(key)
        return [value for name, value in self._pairs if name == key]

    def multi_items(self) -> list[tuple[str, str]]:
        """Return every (key, value) pair, repeated keys included, in order."""
        return list(self._pairs)


class Headers(_MultiMapping):
    """Case-insensitive, multi-valued HTTP headers, decoded as latin-1.

    Keys are compared lower-cased. Build it from an ASGI header list with
    :meth:`from_raw`.
    """

    __slots__ = ()

    @staticmethod
    def _normalize(key: str) -> str:
        return key.lower()

    @classmethod
    def from_raw(cls, raw: Iterable[tuple[bytes, bytes]]) -> Headers:
        """Decode an ASGI header list (byte pairs) into :class:`Headers`."""
        return cls((name.decode("latin-1"), value.decode("latin-1")) for name, value in raw)


class QueryParams(_MultiMapping):
    """Multi-valued, percent-decoded query string parameters (blank values kept)."""

    __slots__ = ()

    @classmethod
    def from_query_string(cls, query_string: bytes | str) -> QueryParams:
        """Parse a raw query string such as ``b"a=1&a=2&b="``."""
        if isinstance(query_string, bytes):
            query_string = query_string.decode("latin-1")
        return cls(parse_qsl(query_string, keep_blank_values=True))


class Address(NamedTuple):
    """A network peer: ``host`` and ``port``."""

    host: str
    port: int


class URL(NamedTuple):
    """The URL a WebSocket connection was opened on.

    ``str(url)`` gives ``scheme://host[:port]/path?query``.

    Attributes:
        scheme: ``ws`` or ``wss``.
        host: The host name (or bracketed IPv6 address), without the port.
        port: The port, or ``None`` when it is the scheme's default (80, 443)
            or not known.
        path: The percent-decoded path (``root_path`` included).
        query: The raw query string.
    """

    scheme: str
    host: str
    port: int | None
    path: str
    query: str

    def __str__(self) -> str:
        port = "" if self.port is None else f":{self.port}"
        query = f"?{self.query}" if self.query else ""
        return f"{self.scheme}://{self.host}{port}{self.path}{query}"

    @classmethod
    def from_scope(cls, scope: Mapping[str, Any], headers: Headers) -> URL:
        """Build the URL of a ``websocket`` scope (``path`` includes ``root_path``).

        The host and port come from the ``Host`` header, else from the
        scope's ``server``.
        """
        scheme = scope.get("scheme", "ws")
        scheme = _WEBSOCKET_SCHEMES.get(scheme, scheme)
        default_port = 443 if scheme == "wss" else 80
        host_header = headers.get("host")
        port: int | None
        if host_header is not None:
            host, port = _split_host(host_header)
        else:
            server = scope.get("server")
            host, port = ("", None) if server is None else (str(server[0]), server[1])
        if port == default_port:
            port = None
        query = scope.get("query_string", b"").decode("latin-1")
        return cls(scheme, host, port, scope.get("path", "/"), query)


def _split_host(value: str) -> tuple[str, int | None]:
    """Split a ``Host`` header into the host and its port (``None`` when absent or invalid)."""
    host, colon, port = value.rpartition(":")
    if not colon or "]" in port or not port.isdigit():
        return value, None
    return host, int(port)


def parse_cookies(header: str) -> dict[str, str]:
    """Parse a ``Cookie`` header value into a dict (later duplicates win).

    Lenient on purpose: fragments without a name are skipped and surrounding
    double quotes are removed, so one malformed cookie never hides the others.
    """
    cookies: dict[str, str] = {}
    for fragment in header.split(";"):
        name, _, value = fragment.partition("=")
        name = name.strip()
        if not name:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        cookies[name] = value
    return cookies
