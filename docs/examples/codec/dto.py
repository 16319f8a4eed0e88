from dataclasses import dataclass

from ws_kit import DTO, App, DTOConfig, websocket_listener


@dataclass
class User:
    name: str
    email_address: str
    password_hash: str = ""
    id: int = 0


class UserIn(DTO[User]):
    """What a client sends to register: no id (the server picks it), camelCase names."""

    config = DTOConfig(
        exclude={"id"}, rename_fields={"password_hash": "password"}, rename_strategy="camel"
    )


class UserOut(DTO[User]):
    """What a client may see: never the password hash."""

    config = DTOConfig(exclude={"password_hash"}, rename_strategy="camel")


USERS: dict[int, User] = {}


@websocket_listener("/register", dto=UserIn, return_dto=UserOut)
async def register(data: User) -> User:
    # The handler sees a plain User with Python names; the DTOs only shape the wire.
    data.id = len(USERS) + 1
    data.password_hash = f"hashed:{data.password_hash}"  # (hash it properly in real life)
    USERS[data.id] = data
    return data


app = App([register])
