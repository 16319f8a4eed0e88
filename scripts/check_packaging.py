"""Prove that every distribution installs and works alone.

For each of the seven distributions this script:

1. builds its wheel (and its siblings') from the sources;
2. checks that the dependencies it declares are exactly the ones its code
   imports (third-party and sibling packages alike), and that sibling pins are
   exact and lockstep;
3. installs it into a fresh virtual environment with only what it declares —
   siblings from the freshly built wheels, never the editable sources;
4. checks that the venv holds nothing beyond the declared dependency closure,
   imports the package, and runs its smoke check (``scripts/packaging_smoke.py``).

Run it from the repository root: ``hatch run packaging:check``.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tempfile
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "packages"
SMOKE = ROOT / "scripts" / "packaging_smoke.py"
DISTRIBUTIONS = [
    "ws-di",
    "ws-codec",
    "ws-core",
    "ws-listener",
    "ws-stream",
    "ws-channels",
    "ws-kit",
]

# Import name -> distribution name, for everything our libraries may import.
THIRD_PARTY = {
    "anyio": "anyio",
    "msgspec": "msgspec",
    "typing_extensions": "typing-extensions",
    # ws-channels' Redis backends, through its extra ws-channels[redis].
    "coredis": "coredis",
}
SIBLINGS = {dist.replace("-", "_"): dist for dist in DISTRIBUTIONS}
# annotationlib joined the standard library in 3.14; code imports it only there.
STDLIB = set(sys.stdlib_module_names) | {"annotationlib"}


def canonical(name: str) -> str:
    """Return the PEP 503 normalised form of a distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    """Return the distribution name of a requirement string."""
    return canonical(re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0])


def imported_distributions(dist: str) -> set[str]:
    """Return the distributions that a package's source imports at module level or lazily."""
    own = dist.replace("-", "_")
    found: set[str] = set()
    for path in (PACKAGES / dist / "src" / own).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == own or top in STDLIB or top == "__future__":
                    continue
                if top in THIRD_PARTY:
                    found.add(THIRD_PARTY[top])
                elif top in SIBLINGS:
                    found.add(SIBLINGS[top])
                else:
                    raise SystemExit(f"{path}: imports {name!r}, which no rule here maps")
    return {canonical(name) for name in found}


def check_declarations(version: str) -> None:
    """Compare each pyproject's dependencies with the imports and check the lockstep pins."""
    problems: list[str] = []
    for dist in DISTRIBUTIONS:
        project = tomllib.loads((PACKAGES / dist / "pyproject.toml").read_text())["project"]
        requirements = project["dependencies"]
        # What an extra declares counts as declared (installed with it, not alone).
        extras = [req for reqs in project.get("optional-dependencies", {}).values() for req in reqs]
        names = {requirement_name(req) for req in [*requirements, *extras]}
        used = imported_distributions(dist)
        if names != used:
            problems.append(f"{dist}: declares {sorted(names)} but imports {sorted(used)}")
        siblings = {canonical(d) for d in DISTRIBUTIONS}
        for req in requirements:
            if requirement_name(req) in siblings and not req.endswith(f"=={version}"):
                problems.append(f"{dist}: sibling pin {req!r} is not =={version}")
        about = (PACKAGES / dist / "src" / dist.replace("-", "_") / "__about__.py").read_text()
        if f'__version__ = "{version}"' not in about:
            problems.append(f"{dist}: __about__.py is not at the lockstep version {version}")
    if problems:
        raise SystemExit("dependency declarations are wrong:\n  " + "\n  ".join(problems))


def build_wheels(outdir: Path) -> dict[str, Path]:
    """Build every distribution's wheel into ``outdir``."""
    wheels: dict[str, Path] = {}
    for dist in DISTRIBUTIONS:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "build",
                "--wheel",
                "--outdir",
                str(outdir),
                "-q",
                str(PACKAGES / dist),
            ],
            check=True,
        )
        (wheel,) = outdir.glob(f"{dist.replace('-', '_')}-*.whl")
        wheels[dist] = wheel
    return wheels


def check_alone(dist: str, wheels: dict[str, Path], workdir: Path, version: str) -> None:
    """Install ``dist`` alone in a fresh venv and smoke-test it."""
    env_dir = workdir / f"venv-{dist}"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    # Only the distribution's own wheel is named: pip must find its siblings
    # among the freshly built wheels (--find-links), as a user's pip would on PyPI.
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--find-links",
            str(wheels[dist].parent),
            str(wheels[dist]),
        ],
        check=True,
    )
    report = subprocess.run(
        [python, "-c", _LIST_AND_CLOSURE, dist],
        check=True,
        capture_output=True,
        text=True,
    )
    installed, closure, versions = json.loads(report.stdout)
    extra = sorted(set(installed) - set(closure) - {"pip", "setuptools"})
    siblings = {canonical(d) for d in DISTRIBUTIONS} & set(installed)
    for sibling in sorted(siblings):
        if versions[sibling] != version:
            raise SystemExit(f"{dist}: pulled {sibling} {versions[sibling]}, not {version}")
    print(f"  {dist}: installed {sorted(set(installed) - {'pip', 'setuptools'})}")
    if extra:
        raise SystemExit(f"{dist}: the venv holds undeclared distributions {extra}")
    subprocess.run([python, str(SMOKE), dist.replace("-", "_")], check=True)
    print(f"  {dist}: imports and passes its smoke check alone")


# Run inside each venv: every installed distribution, and the closure of what
# `dist` declares. Markers are evaluated with the copy of `packaging` that pip
# vendors, so the check installs nothing of its own into the venv.
_LIST_AND_CLOSURE = r"""
import json, re, sys
from importlib import metadata
from pip._vendor.packaging.requirements import Requirement
def canon(n): return re.sub(r"[-_.]+", "-", n).lower()
versions = {canon(d.metadata["Name"]): d.version for d in metadata.distributions()}
installed = sorted(versions)
todo, closure = [sys.argv[1]], set()
while todo:
    name = canon(todo.pop())
    if name in closure:
        continue
    closure.add(name)
    for line in metadata.requires(name) or []:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            todo.append(req.name)
print(json.dumps([installed, sorted(closure), versions]))
"""


def main() -> None:
    """Run every packaging check; exit non-zero on the first failure."""
    version = re.search(
        r'__version__ = "([^"]+)"', (PACKAGES / "ws-kit/src/ws_kit/__about__.py").read_text()
    ).group(1)  # type: ignore[union-attr]
    print(f"lockstep version {version}")
    check_declarations(version)
    print("declared dependencies match the imports of every distribution")
    with tempfile.TemporaryDirectory(prefix="ws-kit-packaging-") as tmp:
        workdir = Path(tmp)
        wheels = build_wheels(workdir / "dist")
        print("built:", ", ".join(wheel.name for wheel in wheels.values()))
        for dist in DISTRIBUTIONS:
            check_alone(dist, wheels, workdir, version)
    print("packaging check passed")


if __name__ == "__main__":
    main()
