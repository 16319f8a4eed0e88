from dataclasses import dataclass

from ws_kit import DTO, App, DTOConfig, websocket_listener


@dataclass
class Account:
    name: str
    password: str = ""


class AccountDTO(DTO[Account]):
    config = DTOConfig(exclude={"password"})


@websocket_listener("/accounts", dto=AccountDTO)
async def rename(data: Account) -> Account:
    # `dto` shapes the reply too: the password never reaches the wire.
    return Account(name=data.name.title(), password="s3cret")


app = App([rename])
