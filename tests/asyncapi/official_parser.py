"""The official AsyncAPI parser (``@asyncapi/parser``, run with node) as a test helper.

``.ci/run`` installs it into ``tests/asyncapi/node_modules`` with ``npm ci``
from the committed ``package.json`` and ``package-lock.json``. In CI
(``CI=true``) a missing node or parser is a failure; on a developer's machine,
a visible skip that says how to install it.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "validate.mjs"
PARSER = HERE / "node_modules" / "@asyncapi" / "parser"
INSTALL = "cd tests/asyncapi && npm ci --ignore-scripts"
ERROR = 0  # Spectral's severities: 0 error, 1 warning, 2 information, 3 hint


@dataclass(frozen=True)
class Parsed:
    """What the parser said of one document, and the data js-yaml read from it."""

    diagnostics: list[dict[str, Any]]
    data: Any

    def at(self, severity: int) -> list[dict[str, Any]]:
        return [d for d in self.diagnostics if d["severity"] == severity]


def require_parser() -> None:
    """Skip (fail in CI) unless node and the parser are installed."""
    missing = None
    if shutil.which("node") is None:
        missing = "node is not on PATH"
    elif not PARSER.is_dir():
        missing = f"@asyncapi/parser is not installed: run `{INSTALL}`"
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"the official AsyncAPI parser is needed here: {missing}")
    pytest.skip(missing)


def parse(tmp_path: Path, documents: dict[str, bytes]) -> dict[str, Parsed]:
    """Parse each document (file name -> text) with the official parser, in one node run."""
    require_parser()
    paths = []
    for name, text in documents.items():
        path = tmp_path / name
        path.write_bytes(text)
        paths.append(path)
    run = subprocess.run(
        ["node", str(SCRIPT), *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    return {path.name: Parsed(**results[str(path)]) for path in paths}


def describe(parsed: Parsed) -> str:
    """The diagnostics, one per line, for an assertion message."""
    return "\n".join(
        f"  {d['severity']} {d['code']} at {'/'.join(d['path'])}: {d['message']}"
        for d in parsed.diagnostics
    )
