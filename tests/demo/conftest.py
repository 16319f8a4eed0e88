from typing import Literal

import pytest

Backend = Literal["asyncio", "trio"]


@pytest.fixture(params=["asyncio", "trio"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """The anyio backend the in-process app runs on."""
    name: Backend = request.param
    return name
