"""Refresh the copy of AsyncAPI's React component that ws-core serves with the document's page.

The page at ``App(asyncapi=AsyncAPIConfig(path=...))``'s path renders the
document with the standalone bundle of ``@asyncapi/react-component`` (the
AsyncAPI initiative's own renderer, Apache-2.0). ws-core ships a copy, so the
page works offline and never fetches code from the internet: this script
downloads the pinned release with ``npm pack`` (the npm registry's own
client), checks the tarball against the pinned integrity, and writes into
``packages/ws-core/src/ws_core/asyncapi/vendor/``:

- ``index.js``: ``browser/standalone/index.js``, the bundle (parser included);
- ``index.js.LICENSE.txt``: the licences of what the bundle includes;
- ``default.min.css``: ``styles/default.min.css``;
- ``LICENSE``: the component's licence;
- ``VENDORED.json``: the package, its version and integrity, and the SHA-256
  of each file (``tests/asyncapi/test_vendored_ui.py`` checks them).

To move to another release, change ``VERSION``, run the script once: it fails
printing the new release's integrity; put that in ``INTEGRITY`` after checking
it against ``npm view @asyncapi/react-component@<version> dist.integrity``,
run it again, and commit the folder.

Run it from the repository root: ``python scripts/vendor_asyncapi_ui.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "packages" / "ws-core" / "src" / "ws_core" / "asyncapi" / "vendor"
PACKAGE = "@asyncapi/react-component"
VERSION = "3.2.1"
INTEGRITY = (
    "sha512-k5ZqJd6+oxYaQ2o6F3rGWJ1MTIjXdpsUYB3NK"
    "QbVqr4yzrN0Ovj5c7eZx8NGd3wfKPhbOrLREtYl9K2OPfnSsA=="
)
# file in the package -> file in TARGET
FILES = {
    "package/browser/standalone/index.js": "index.js",
    "package/browser/standalone/index.js.LICENSE.txt": "index.js.LICENSE.txt",
    "package/styles/default.min.css": "default.min.css",
    "package/LICENSE": "LICENSE",
}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ws-kit-vendor-") as tmp:
        packed = subprocess.run(
            ["npm", "pack", "--json", "--pack-destination", tmp, f"{PACKAGE}@{VERSION}"],
            check=True,
            capture_output=True,
            text=True,
        )
        (entry,) = json.loads(packed.stdout)
        tarball = Path(tmp) / entry["filename"]
        digest = hashlib.sha512(tarball.read_bytes()).digest()
        integrity = "sha512-" + base64.b64encode(digest).decode()
        if integrity != INTEGRITY:
            sys.exit(f"{PACKAGE}@{VERSION} has integrity {integrity}, not the pinned {INTEGRITY}")
        TARGET.mkdir(parents=True, exist_ok=True)
        digests = {}
        with tarfile.open(tarball) as archive:
            for member, name in FILES.items():
                extracted = archive.extractfile(member)
                if extracted is None:
                    sys.exit(f"{member} is not a file in {tarball.name}")
                data = extracted.read()
                (TARGET / name).write_bytes(data)
                digests[name] = hashlib.sha256(data).hexdigest()
    record = {"package": PACKAGE, "version": VERSION, "integrity": INTEGRITY, "sha256": digests}
    (TARGET / "VENDORED.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"vendored {PACKAGE}@{VERSION} into {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
