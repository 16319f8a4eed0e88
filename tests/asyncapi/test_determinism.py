"""The same App gives byte-identical documents: in one process, and across processes."""

import os
import subprocess
import sys
from pathlib import Path

from asyncapi_apps import every_kind_app

HERE = Path(__file__).resolve().parent


def test_two_apps_built_alike_give_the_same_bytes() -> None:
    first, second = every_kind_app(), every_kind_app()
    assert first.asyncapi_document.json() == second.asyncapi_document.json()
    assert first.asyncapi_document.yaml() == second.asyncapi_document.yaml()
    assert first.asyncapi_document.json() is first.asyncapi_document.json()  # built once, kept


def test_every_process_gives_the_same_bytes_whatever_its_hash_seed() -> None:
    outputs = set()
    for seed in ("0", "1", "4242"):
        result = subprocess.run(
            [sys.executable, "-m", "ws_kit.asyncapi", "asyncapi_apps:every_kind_app", "--factory"],
            cwd=HERE,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
            timeout=60,
        )
        outputs.add(result.stdout)
    assert outputs == {every_kind_app().asyncapi_document.json()}
