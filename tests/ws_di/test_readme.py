import re
from pathlib import Path

import pytest

README = Path(__file__).parents[2] / "packages" / "ws-di" / "README.md"


def test_readme_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    match = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert match is not None

    exec(compile(match.group(1), str(README), "exec"), {"__name__": "readme"})

    assert capsys.readouterr().out.splitlines() == ["open db://", "conn(db://) ada", "close db://"]
