"""One HTTP request to an ASGI app, in-process: enough to read what the App serves."""

from dataclasses import dataclass
from typing import Any

import anyio


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def text(self) -> str:
        return self.body.decode()


def request(
    app: Any, path: str, *, method: str = "GET", root_path: str = "", backend: str = "asyncio"
) -> Response:
    """Send one request (no body) to ``app``; ``path`` includes ``root_path``, as in ASGI."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": root_path,
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def run() -> None:
        await app(scope, receive, send)

    anyio.run(run, backend=backend)
    start, *bodies = sent
    assert start["type"] == "http.response.start"
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    return Response(start["status"], headers, b"".join(part["body"] for part in bodies))
