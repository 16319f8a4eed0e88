"""Fixtures of the documentation tests (``load_example`` comes from tests/conftest.py)."""

import pytest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend
