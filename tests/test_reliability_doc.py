"""docs/reliability.md: every row names at least one test, and every test it names exists."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST = re.compile(r"`tests/([\w/]+\.py)::(\w+)`")


def _rows():
    lines = (REPO / "docs/reliability.md").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.startswith("| ") and not line.startswith("| **") and "---" not in line][1:]


def test_every_row_names_a_test_that_exists():
    rows = _rows()
    assert len(rows) > 40
    for row in rows:
        cell = row.rstrip(" |").rsplit(" | ", 1)[-1]
        tests = TEST.findall(cell)
        assert tests, f"no test named in: {row[:80]}"
        for file, name in tests:
            source = (REPO / "tests" / file).read_text(encoding="utf-8")
            assert re.search(rf"^def {name}\(", source, re.M), f"tests/{file}::{name} does not exist"
