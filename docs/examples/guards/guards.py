from ws_kit import App, HandshakeRejected, Router, WebSocket, websocket_listener

TOKENS = {"t0k3n": "alice", "adm1n": "root"}


def has_token(socket: WebSocket) -> bool:
    """Reject (403) any connection without a known ?token=."""
    return socket.query_params.get("token") in TOKENS


async def is_admin(socket: WebSocket) -> None:
    """Reject with 401 and a reason when the user is not an administrator."""
    if TOKENS[socket.query_params["token"]] != "root":
        raise HandshakeRejected(status_code=401, detail="administrators only")


@websocket_listener("/notes")
async def notes(data: str) -> str:
    return f"noted: {data}"


@websocket_listener("/console")
async def console(data: str) -> str:
    return f"ran: {data}"


# Guards accumulate from the outside in: /admin/console runs has_token, then is_admin.
admin = Router("/admin", [console], guards=[is_admin])
app = App([notes, admin], guards=[has_token])
