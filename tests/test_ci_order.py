"""make test starts the longest test files first (tests/conftest.py: LONGEST_FIRST): the
names must stay those of real files, and the Makefile must keep xdist from reordering."""

from pathlib import Path

from conftest import LONGEST_FIRST

TESTS = Path(__file__).resolve().parent


def test_every_longest_first_name_is_a_test_file():
    assert [name for name in LONGEST_FIRST if not (TESTS / name).is_file()] == []


def test_make_test_keeps_the_collection_order():
    makefile = (TESTS.parent / "Makefile").read_text()
    test_rule = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "--dist loadfile" in test_rule and "--no-loadscope-reorder" in test_rule
