import itertools
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from ws_kit import App, Provide, State, websocket_listener

session_ids = itertools.count(1)


@dataclass
class Session:
    id: int
    messages: int = 0


async def open_session(state: State) -> AsyncGenerator[Session, None]:
    session = Session(id=next(session_ids))
    state.log.append(f"session {session.id} opened")
    try:
        yield session  # the listener runs while we wait here
    finally:
        state.log.append(f"session {session.id} closed after {session.messages} messages")


@websocket_listener("/count", dependencies={"session": Provide(open_session)})
async def count(data: str, session: Session) -> dict[str, int]:
    session.messages += 1
    return {"session": session.id, "messages": session.messages}


app = App([count], state=State({"log": []}))
