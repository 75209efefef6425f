"""docs/architecture.md names every module of espnet_lau/, and only modules that exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "espnet_lau"
DOC = ROOT / "docs" / "architecture.md"


def test_the_layout_page_names_every_module_and_no_missing_one():
    text = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:[a-z0-9_]+/)*[a-z0-9_]+\.py)`", text))
    named |= {m for group in re.findall(r"`((?:[a-z0-9_]+/)+[a-z0-9_]+\*\.py)`", text)
              for m in (p.relative_to(PACKAGE).as_posix() for p in PACKAGE.glob(group))}
    files = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}
    modules = {name for name in files if not name.endswith("__init__.py")}  # a package's own code may be named
    named = {name for name in named if not name.startswith("tests/")}  # the page's own checks
    assert sorted(modules - named) == [], "modules missing from docs/architecture.md"
    assert sorted(named - files) == [], "docs/architecture.md names modules that do not exist"
