"""Checking a DecodeError by our part of it: the path and the message's shape.

Where the problem comes from msgspec's own description (a wrong type, a failed
constraint), its words are msgspec's and change between releases; tests check
only where the failure is and that the message is laid out as ours.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from ws_codec import DecodeError


def check_located(error: DecodeError, path: str) -> None:
    """``error`` names ``path``, once, as ``"<path>: <problem>"``."""
    assert error.path == path
    problem = error.message.removeprefix(f"{path}: ")
    assert problem != error.message, error.message
    assert problem, error.message
    # The location is ours to state: msgspec's own (" - at `...`") is taken out.
    assert path not in problem, error.message
    assert "`" not in problem, error.message


@contextmanager
def rejected_at(path: str) -> Iterator[None]:
    """Expect the block to raise a ``DecodeError`` located at ``path``."""
    with pytest.raises(DecodeError) as caught:
        yield
    check_located(caught.value, path)
