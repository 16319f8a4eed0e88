"""The built documentation site shows the code its pages include.

The site is built once per session with ``mkdocs build --strict`` (as
``hatch run docs:build`` does) into a temporary folder. For every page, each
example file its Markdown includes with a ``--8<-- "docs/examples/..."`` line
must appear, whole, as a highlighted code block of the page's HTML, and no
snippet line may be left as text anywhere in the site (a formatter that
rewrites the include line, as ``ruff format`` once did, turns it into text
that ``--strict`` does not notice).
"""

import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

# CI installs mkdocs in the test environment (hatch.toml) and must run these
# tests; a development environment without it says so with a visible skip.
if importlib.util.find_spec("mkdocs") is None and not os.environ.get("CI"):
    pytest.skip("mkdocs is not installed (hatch test installs it)", allow_module_level=True)

# What a snippet line looks like in Markdown, in any spacing a tool may leave.
SNIPPET_LIKE = re.compile(r"--8\s*<\s*--")
INCLUDE = re.compile(r'^[ \t]*--8<-- "(?P<path>docs/examples/[^"]+)"[ \t]*$', re.MULTILINE)
HIGHLIGHT = re.compile(
    r'<div class="(?:[^"]* )?highlight(?: [^"]*)?">(?P<body>.*?)</div>', re.DOTALL
)
CODE = re.compile(r"<code>(?P<code>.*?)</code>", re.DOTALL)
TOKEN = re.compile(r'<span class="(?!filename)[a-z0-9]+">')
TAG = re.compile(r"<[^>]+>")


def pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if DOCS / "examples" not in p.parents)


def html_of(site: Path, page: Path) -> Path:
    """Where mkdocs (directory URLs) writes ``page``."""
    relative = page.relative_to(DOCS).with_suffix("")
    if relative.name == "index":
        return site / relative.parent / "index.html"
    return site / relative / "index.html"


def code_blocks(page_html: str) -> list[tuple[str, bool]]:
    """``(text, highlighted)`` of each code block: its text as shown, and
    whether Pygments marked tokens in it."""
    blocks = []
    for block in HIGHLIGHT.finditer(page_html):
        for code in CODE.finditer(block["body"]):
            text = html.unescape(TAG.sub("", code["code"]))
            blocks.append((text, TOKEN.search(code["code"]) is not None))
    return blocks


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    return out


def test_pages_include_examples() -> None:
    # Guards the test below against a regex that matches nothing.
    included = [m["path"] for page in pages() for m in INCLUDE.finditer(page.read_text())]
    assert len(included) >= 60


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_every_included_example_is_shown_as_highlighted_code(site: Path, page: Path) -> None:
    markdown = page.read_text()
    snippet_lines = [line for line in markdown.splitlines() if SNIPPET_LIKE.search(line)]
    includes = [m["path"] for m in INCLUDE.finditer(markdown)]
    assert len(includes) == len(snippet_lines), f"not an include line: {snippet_lines}"
    blocks = code_blocks(html_of(site, page).read_text())
    for path in includes:
        source = (ROOT / path).read_text()
        shown = [highlighted for text, highlighted in blocks if text.strip() == source.strip()]
        assert shown, f"{path} is not shown as code on {page.relative_to(DOCS)}"
        assert any(shown), f"{path} is shown on {page.relative_to(DOCS)} but not highlighted"


def test_no_snippet_text_is_left_anywhere(site: Path) -> None:
    leftovers = [
        str(path.relative_to(site))
        for path in sorted(site.rglob("*"))
        if path.suffix in {".html", ".json", ".xml"}
        # Highlighted code splits a line into tokens: read it as the page shows it.
        and SNIPPET_LIKE.search(html.unescape(TAG.sub("", path.read_text(errors="replace"))))
    ]
    assert leftovers == []
