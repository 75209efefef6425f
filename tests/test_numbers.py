"""espnet_lau.utils.numbers: finite, ranged numbers as argparse types and as config checks."""

import argparse
import pickle

import pytest

from espnet_lau.utils.errors import UserError
from espnet_lau.utils.numbers import NumberError, finite_float, positive_float, positive_int


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


BAD_OPTIONS = [
    ("prepare_dump", ["filter", "--src", "a", "--dst", "b", "--max_duration", "nan"],
     "prepare_dump filter: error: argument --max_duration: must be a finite number > 0, got 'nan'"),
    ("prepare_dump", ["filter", "--src", "a", "--dst", "b", "--min_duration", "inf"],
     "prepare_dump filter: error: argument --min_duration: must be a finite number >= 0, got 'inf'"),
    ("prepare_dump", ["filter", "--src", "a", "--dst", "b", "--min_duration", "30", "--max_duration", "20"],
     "prepare_dump: error: --min_duration 30 must be below --max_duration 20: every utterance would be dropped"),
    ("speed_perturb", ["--src", "a", "--dst", "b", "--factors", "0.9", "0", "1.1"],
     "speed_perturb: error: argument --factors: must be a finite number > 0, got '0'"),
    ("speed_perturb", ["--src", "a", "--dst", "b", "--factors", "nan"],
     "speed_perturb: error: argument --factors: must be a finite number > 0, got 'nan'"),
    ("train_bpe", ["--text", "t", "--model_prefix", "m", "--vocab_size", "0"],
     "train_bpe: error: argument --vocab_size: must be a whole number >= 1, got '0'"),
    ("train_bpe", ["--text", "t", "--model_prefix", "m", "--vocab_size", "9", "--character_coverage", "nan"],
     "train_bpe: error: argument --character_coverage: must be a finite number > 0 and <= 1, got 'nan'"),
    ("semantic_balance", ["--target_ratio", "nan"],
     "semantic_balance: error: argument --target_ratio: must be a finite number > 0, got 'nan'"),
    ("semantic_balance", ["--num_batches", "0"],
     "semantic_balance: error: argument --num_batches: must be a whole number >= 1, got '0'"),
    ("semantic_eval", ["--hyp", "h", "--ref", "r", "--outdir", "o", "--llm_timeout", "inf"],
     "semantic_eval: error: argument --llm_timeout: must be a finite number > 0, got 'inf'"),
    ("semantic_eval", ["--hyp", "h", "--ref", "r", "--outdir", "o", "--llm_retry_wait", "nan"],
     "semantic_eval: error: argument --llm_retry_wait: must be a finite number >= 0, got 'nan'"),
    ("prepare_mini_corpus", ["--noise_rate", "nan"],
     "prepare_mini_corpus: error: argument --noise_rate: must be a finite number >= 0 and <= 1, got 'nan'"),
    ("prepare_jeli_asr", ["--nj", "0"],
     "prepare_jeli_asr: error: argument --nj: must be a whole number >= 1, got '0'"),
    ("embed_text", ["--batch_size", "0"],
     "embed_text: error: argument --batch_size: must be a whole number >= 1, got '0'"),
]


@pytest.mark.parametrize("tool, argv, line", BAD_OPTIONS, ids=[f"{t}-{a[-1]}" for t, a, _ in BAD_OPTIONS])
def test_a_bad_number_option_of_a_tool_is_refused_in_one_line_before_any_work(tool, argv, line, capsys, monkeypatch):
    import importlib

    module = importlib.import_module(f"espnet_lau.bin.{tool}")
    monkeypatch.setattr("sys.argv", [tool])  # the prog argparse names
    with pytest.raises(SystemExit) as exc:
        module.main(argv)
    assert exc.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == line
