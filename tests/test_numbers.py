"""espnet_lau.numbers: finite, ranged numbers as argparse types and as config checks."""

import argparse
import pickle

import pytest

from espnet_lau.errors import UserError
from espnet_lau.numbers import NumberError, finite_float, positive_float, positive_int


def parser_with(option, type_):
    parser = argparse.ArgumentParser(prog="tool")
    parser.add_argument(option, type=type_)
    return parser


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e999", ".nan", "abc", "", "0", "-1"])
def test_a_bad_number_is_one_line_naming_the_option(value, capsys):
    with pytest.raises(SystemExit) as exc:
        parser_with("--max_duration", positive_float).parse_args([f"--max_duration={value}"])  # = : "-inf" is no option
    assert exc.value.code == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err == f"tool: error: argument --max_duration: must be a finite number > 0, got {value!r}"


def test_good_numbers_pass_as_floats():
    assert parser_with("--x", positive_float).parse_args(["--x", " 2.5 "]).x == 2.5
    ranged = finite_float(min=0, max=1, max_inclusive=False)
    assert ranged("0") == 0.0 and ranged(0.5) == 0.5
    with pytest.raises(argparse.ArgumentTypeError, match=r"^must be a finite number >= 0 and < 1, got '1'$"):
        ranged("1")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), ".nan", ".inf", "-.inf", True, None, [1]])
def test_a_yaml_value_is_checked_the_same_way(value):
    """ESPnet sets a config's values as defaults, which do not pass through ``type=``:
    YAML gives a float (``.nan`` → nan), a string, a bool or a list."""
    with pytest.raises(NumberError, match=r"^--semantic_weight: must be a finite number >= 0, got ") as exc:
        finite_float(min=0).check("--semantic_weight", value)
    assert isinstance(exc.value, UserError)
    assert finite_float(min=0).check("--semantic_weight", 0.3) == 0.3


def test_positive_int_takes_whole_numbers_only():
    assert positive_int("3") == 3 and positive_int(3) == 3 and positive_int(3.0) == 3
    for bad in ("0", "2.5", "nan", 2.5, float("inf"), False):
        with pytest.raises(argparse.ArgumentTypeError, match=r"^must be a whole number >= 1, got "):
            positive_int(bad)


def test_the_validators_survive_pickling():
    """ESPnet may pickle a parser's arguments for its worker processes."""
    assert pickle.loads(pickle.dumps(positive_float))("2") == 2.0
