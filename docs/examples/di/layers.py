from ws_kit import App, Provide, Router, websocket_listener


def greeting() -> str:
    return "hello"


async def punctuation() -> str:  # providers may be async
    return "!"


def loud(greeting: str) -> str:  # ...and may ask for other dependencies
    return greeting.upper()


@websocket_listener("/greet", dependencies={"punctuation": Provide(punctuation)})
async def greet(data: str, loud: str, punctuation: str) -> str:
    return f"{loud}, {data}{punctuation}"


@websocket_listener(
    "/formal",
    dependencies={"greeting": Provide(lambda: "good morning"), "punctuation": punctuation},
)
async def formal(data: str, loud: str, punctuation: str) -> str:
    return f"{loud}, {data}{punctuation}"


# A bare callable is wrapped in Provide for you.
v1 = Router("/v1", [greet, formal], dependencies={"loud": loud})
app = App([v1], dependencies={"greeting": Provide(greeting)})
