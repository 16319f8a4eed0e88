"""Type-check the test suite with mypy --strict, one test folder at a time.

pytest runs the tests with ``--import-mode=importlib``: test folders are not
packages, and several hold a ``conftest.py`` or helper modules imported as
top-level names (``from core_support import ...``). mypy cannot check them
all at once (duplicate module names), so the files of each folder are
checked on their own, with the folder and those above it, up to ``tests/``,
on mypy's path.

Run it from the repository root, in the test environment (which has mypy and
the types of everything the tests import):
``hatch run hatch-test.py3.13:python scripts/typecheck_tests.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"


def main() -> int:
    folders = sorted(
        path
        for path in (TESTS, *TESTS.rglob("*"))
        if path.is_dir() and "node_modules" not in path.parts and any(path.glob("*.py"))
    )
    targets: list[tuple[str, list[str], str]] = []
    for folder in folders:
        # The folder and every folder above it, up to tests/: where its imports are found.
        chain = [folder, *folder.parents]
        path = [str(p) for p in chain[: chain.index(TESTS) + 1]]
        files = sorted(str(file) for file in folder.glob("*.py"))
        targets.append((str(folder.relative_to(ROOT)), files, os.pathsep.join(path)))
    failed = []
    for label, paths, mypy_path in targets:
        result = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", *paths],
            cwd=ROOT,
            env={**os.environ, "MYPYPATH": mypy_path},
            check=False,
        )
        print(f"{label}: {'ok' if result.returncode == 0 else 'FAILED'}", flush=True)
        if result.returncode != 0:
            failed.append(label)
    if failed:
        print(f"mypy --strict failed for: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
