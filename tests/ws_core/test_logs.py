"""package_logger: a formatted line where nothing is configured, silence where something is."""

from __future__ import annotations

import logging
import uuid

import pytest

from ws_core import package_logger


def isolated_logger() -> logging.Logger:
    """A package logger cut off from the root (pytest configures the root logger)."""
    logger = package_logger(f"wskit_probe_{uuid.uuid4().hex}")
    logger.propagate = False
    return logger


def test_with_nothing_configured_a_record_is_a_full_log_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logger = isolated_logger()
    try:
        raise LookupError("boom")
    except LookupError:
        logger.exception("Unhandled exception in %s", "a handler")
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first.endswith(f" ERROR {logger.name}: Unhandled exception in a handler")
    assert first[:4].isdigit()  # the time comes first
    assert "Traceback (most recent call last):" in err
    assert "LookupError: boom" in err


def test_a_configured_handler_takes_over_alone(capsys: pytest.CaptureFixture[str]) -> None:
    logger = isolated_logger()
    seen: list[str] = []

    class Recording(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    logger.addHandler(Recording())
    logger.error("handled by the application")
    assert seen == ["handled by the application"]
    assert capsys.readouterr().err == ""


def test_the_fallback_is_attached_once() -> None:
    name = f"wskit_probe_{uuid.uuid4().hex}"
    package_logger(name)
    assert package_logger(name).handlers == logging.getLogger(name).handlers
    assert len(logging.getLogger(name).handlers) == 1
