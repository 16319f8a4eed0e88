import pytest


@pytest.fixture(params=["asyncio", "trio"])
def backend(request: pytest.FixtureRequest) -> str:
    """The anyio backend the in-process app runs on."""
    name: str = request.param
    return name
