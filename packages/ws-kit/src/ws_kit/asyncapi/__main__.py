"""``python -m ws_kit.asyncapi module:app``: print an App's AsyncAPI document.

The module is imported from the current directory (as uvicorn does), the
App's document is built (its handlers describe their routes; no server, no
lifespan, no connection) and written to standard output, or to ``--output``.
Warnings (a message without a JSON schema) go to standard error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from ws_core import App

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``).

    Raises:
        SystemExit: With status 2 when the target cannot be imported or is not
            an App (or, with ``--factory``, does not return one).
    """
    parser = argparse.ArgumentParser(
        prog="python -m ws_kit.asyncapi",
        description="Print the AsyncAPI 3.0 document of a ws-kit App.",
    )
    parser.add_argument("target", help="the App, as module:attribute (e.g. myapp.main:app)")
    parser.add_argument(
        "--factory", action="store_true", help="the attribute is a function returning the App"
    )
    parser.add_argument("--format", choices=("json", "yaml"), default="json")
    parser.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    args = parser.parse_args(argv)
    app = _load(args.target, factory=args.factory, parser=parser)
    document = app.asyncapi_document
    text = document.json() if args.format == "json" else document.yaml()
    if args.output is None:
        sys.stdout.buffer.write(text)
        sys.stdout.flush()
    else:
        args.output.write_bytes(text)


def _load(target: str, *, factory: bool, parser: argparse.ArgumentParser) -> App:
    module_name, colon, attribute = target.partition(":")
    if not colon or not module_name or not attribute:
        parser.error(f"the target must be module:attribute, got {target!r}")
    sys.path.insert(0, ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        parser.error(f"cannot import {module_name!r}: {exc}")
    found: object = module
    for name in attribute.split("."):
        if not hasattr(found, name):
            parser.error(f"module {module_name!r} has no attribute {attribute!r}")
        found = getattr(found, name)
    if factory:
        if not callable(found):
            parser.error(f"{target} is not callable, so it cannot be a factory")
        found = found()
    if not isinstance(found, App):
        hint = " (add --factory if it is a function returning one)" if callable(found) else ""
        parser.error(f"{target} is {found!r}, not a ws-kit App{hint}")
    return found


if __name__ == "__main__":
    main()
