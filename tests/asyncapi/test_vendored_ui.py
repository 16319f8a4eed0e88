"""The vendored copy of AsyncAPI's React component is what VENDORED.json says it is."""

import ast
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "packages/ws-core/src/ws_core/asyncapi/vendor"
SCRIPT = ROOT / "scripts/vendor_asyncapi_ui.py"


def script_constants() -> dict[str, object]:
    tree = ast.parse(SCRIPT.read_text())
    return {
        target.id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id in ("PACKAGE", "VERSION", "INTEGRITY")
    }


def test_the_files_are_the_pinned_release() -> None:
    record = json.loads((VENDOR / "VENDORED.json").read_text())
    constants = script_constants()
    assert (record["package"], record["version"], record["integrity"]) == (
        constants["PACKAGE"],
        constants["VERSION"],
        constants["INTEGRITY"],
    )
    files = {path.name for path in VENDOR.iterdir()} - {"VENDORED.json"}
    assert files == set(record["sha256"])
    for name, digest in record["sha256"].items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_the_licences_ship_with_it() -> None:
    assert "Apache License" in (VENDOR / "LICENSE").read_text()
    bundle_head = (VENDOR / "index.js").read_text()[:200]
    assert "index.js.LICENSE.txt" in bundle_head  # the bundle's own pointer to its notices
    assert (VENDOR / "index.js.LICENSE.txt").stat().st_size > 0
