"""What both benchmark scripts share: machine facts, statistics, tables, the docs page."""

import datetime
import importlib.metadata
import os
import platform
import re
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DOCS_PAGE = REPO_DIR / "docs" / "benchmarks.md"

PACKAGES = (
    "ws-kit",
    "ws-core",
    "ws-listener",
    "ws-stream",
    "ws-codec",
    "ws-di",
    "msgspec",
    "anyio",
    "starlette",
    "litestar",
    "uvicorn",
    "websockets",
    "uvloop",
)

# -- machine ---------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else "unknown"


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def environment_lines() -> list[str]:
    """Machine, Python and package versions, one fact a line."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    pkgs = ", ".join(f"{k} {v}" for k, v in versions().items())
    return [
        f"machine: {cpu_model()}, {usable_cores()} usable cores "
        f"({os.cpu_count()} online), {platform.system()} {platform.release()}",
        f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        f"python: {platform.python_implementation()} {platform.python_version()}",
        f"packages: {pkgs}",
        f"commit: {git_revision()}",
        f"date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
    ]


def print_environment() -> list[str]:
    lines = environment_lines()
    for line in lines:
        print(line)
    print()
    return lines


# -- statistics -----------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> float:
    """Half the min-max range relative to the median (0.05 = ±5%)."""
    if len(values) < 2:
        return 0.0
    mid = statistics.median(values)
    return (max(values) - min(values)) / 2 / mid if mid else 0.0


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


# -- tables ---------------------------------------------------------------------------


class Table:
    """A titled table with string cells; numeric-looking cells are right-aligned."""

    def __init__(self, title: str, headers: Sequence[str]) -> None:
        self.title = title
        self.headers = list(headers)
        self.rows: list[list[str]] = []

    def add(self, *cells: object) -> None:
        self.rows.append([str(c) for c in cells])

    @staticmethod
    def _numeric(cell: str) -> bool:
        return bool(re.fullmatch(r"[-+±]?[\d,.]+[%x]?( ±[\d,.]+)?|n/a|-", cell))

    def text(self) -> str:
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

        def line(cells: Sequence[str]) -> str:
            out = []
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
                right = i > 0 and self._numeric(cell)
                out.append(cell.rjust(width) if right else cell.ljust(width))
            return "  ".join(out).rstrip()

        rule = "  ".join("-" * w for w in widths)
        body = [line(r) for r in self.rows]
        return "\n".join([self.title, line(self.headers), rule, *body])

    def markdown(self) -> str:
        aligns = [
            "---:" if i > 0 and all(self._numeric(r[i]) for r in self.rows) else "---"
            for i in range(len(self.headers))
        ]
        lines = [
            f"**{self.title}**",
            "",
            "| " + " | ".join(self.headers) + " |",
            "|" + "|".join(aligns) + "|",
        ]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in self.rows]
        return "\n".join(lines)


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}"


def fmt_us(seconds: float) -> str:
    us = seconds * 1e6
    return f"{us:.2f}" if us < 100 else f"{us:.1f}"


def fmt_ratio(value: float) -> str:
    return f"{value:.2f}"


# -- targets --------------------------------------------------------------------------


class Targets:
    """Performance targets (SPEC §4, the issues' goals), each met / not met / not measured."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def check(
        self, label: str, value: float | None, goal: str, met: bool | None, fmt: str = ".3f"
    ) -> None:
        if value is None or met is None:
            verdict, shown = "NOT MEASURED", "n/a"
        else:
            verdict, shown = ("met" if met else "NOT MET"), format(value, fmt)
        self.lines.append(f"{label}: {shown} (target {goal}) -> {verdict}")

    def text(self) -> str:
        return "\n".join(["targets", *("  " + line for line in self.lines)])

    def markdown(self) -> str:
        return "\n".join(["**Targets**", "", *(f"- {line}" for line in self.lines)])


# -- the docs page --------------------------------------------------------------------

SECTIONS = ("inproc", "instructions", "e2e", "codec", "fanout")

INTRO = """\
# Benchmarks

Three scripts compare ws-kit with a hand-written ASGI app (the floor: the least
work a correct app can do) and with Starlette and Litestar, all in the same run
so they share the machine's mood; a fourth times the codec on its own. The
tables below are rewritten by the scripts; only this introduction is edited by
hand (in `benchmarks/harness.py`).

- `hatch run bench:inproc` calls each ASGI app directly with pre-built events
  (connect, N frames, disconnect). No network, no server: what remains is the
  framework's own cost per message. The `send` callable counts frames and the
  last payload is checked, so an app that drops work cannot look fast. Runs
  are timed in the process's CPU time, so moments when other work on the
  machine took the core away are not charged to the app. The set-up rows
  open and close connections with an empty handler; "3 deps" are a sync
  dependency run inline, an async one using it and an async generator whose
  teardown is counted; "sync one in a thread" runs the sync one on a worker
  thread instead (ws-kit's default for a sync `Provide`).
- `hatch run bench:instructions` runs the same cases under
  `valgrind --tool=callgrind`, one process per case, and counts instructions
  per message or per connection: the difference between two run lengths, so
  start-up cancels out. Counts do not move with the machine's load (wall-clock
  figures on a shared machine drift by tens of percent), so decisions rest on
  them. Its `x` columns are multiples of a cost (lower is better). ws-core's
  send funnel gives the event loop a turn every 0.5 ms of wall-clock time;
  under callgrind each process scales that interval by the slowdown it
  measures and reads it on the CPU-time clock, so turns per message stay as
  in a native run (the library is not changed for it).
- `hatch run bench:e2e` runs each app in its own uvicorn process on a free
  loopback port and drives it with a `websockets` client in separate processes
  (ping-pong JSON, 1 and 50 connections); with two or more CPUs the server and
  the client are pinned to different ones. The steadiest figure is the server's
  CPU time per round trip, read from `/proc/<pid>/stat`; rates and latencies
  move with whatever else the machine is doing.
- `hatch run bench:codec` times ws-codec's decoder and encoder for one
  5-field message: plain msgspec (the floor), the typed codec, and the same
  model through a DTO that renames every field. Its columns are multiples of
  a cost (`x floor`, `x typed`), so there lower is better.
- `hatch run bench:fanout` connects N sockets in-process to each channels
  implementation, publishes a fixed number of events from one publisher and
  counts every frame each socket receives (a row that lost events says so).
  Each measurement runs in a child process of its own, so its peak RSS per
  subscriber is its own; with `redis-server` installed it also runs the Redis
  backends with the publisher in another process. Its ratio is the floor's
  CPU time per delivered event / the row's.

Ratios are floor cost / app cost of the same kind (JSON, text, stream or
connection set-up): 1.00 means as cheap as the floor, 0.50 twice as expensive.
Each figure is the median of several interleaved repetitions; `±` is half the
min-max range. The in-process floor includes the driver's own cost per message
(printed under the table), which is paid by every app alike. The stream floor
takes its items from an async generator, as the user's code does in every
framework; the row "over a list" shows what that generator costs by itself.

`hatch run bench:inproc --list` names the cases (`bench:instructions` has the
same ones); `--only KEY,...` runs a few (the floors always run) in either, and
`bench:inproc --profile KEY` prints a cProfile of one case.

Benchmarks never assert timings: they print, and the targets block says whether
the goals of the performance contract (SPEC §4) were met on that run.
"""


def _read_sections(text: str) -> dict[str, str]:
    found = {}
    for name in SECTIONS:
        match = re.search(rf"<!-- BEGIN {name} -->\n(.*?)<!-- END {name} -->", text, re.DOTALL)
        if match:
            found[name] = match.group(1)
    return found


def write_docs_section(name: str, body: str, page: Path = DOCS_PAGE) -> None:
    """Replace section ``name`` of the docs page (keeping the other), intro regenerated.

    When the page already has that section, only it and the introduction are
    rewritten: text written by hand between sections stays where it is.
    """
    old = page.read_text() if page.exists() else ""
    block = f"<!-- BEGIN {name} -->\n{body.rstrip()}\n<!-- END {name} -->"
    marked = re.compile(rf"<!-- BEGIN {name} -->\n.*?<!-- END {name} -->", re.DOTALL)
    first = old.find("<!-- BEGIN ")
    if first >= 0 and marked.search(old):
        rest = marked.sub(lambda _: block, old[first:], count=1)
        page.write_text(INTRO + "\n" + rest)
        return
    sections = _read_sections(old)
    sections[name] = body.rstrip() + "\n"
    parts = [INTRO]
    for section in SECTIONS:
        content = sections.get(section, f"_Not run yet: `hatch run bench:{section}`._\n")
        parts.append(f"<!-- BEGIN {section} -->\n{content}<!-- END {section} -->\n")
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("\n".join(parts))


def write_docs_report(section: str, title: str, facts: Sequence[str], body: Sequence[str]) -> None:
    """Rewrite ``section`` of the docs page: ``title``, the command that ran, ``facts`` as
    a list (machine, settings), then the ``body`` lines; say where it was written."""
    header = [f"## {title}", "", f"Produced by `{command_line()}`.", ""]
    lines = [*header, *(f"- {fact}" for fact in facts), "", *body]
    write_docs_section(section, "\n".join(lines))
    print(f"wrote {DOCS_PAGE.relative_to(REPO_DIR)}")


def command_line() -> str:
    script = Path(sys.argv[0]).stem.removeprefix("bench_")
    args = " ".join(sys.argv[1:])
    return f"hatch run bench:{script}" + (f" {args}" if args else "")
