"""User errors are one line `<prog>: error: <message>`, exit 1; bugs keep their traceback."""

import argparse
import importlib
import inspect
import logging
import sys
import zipfile
from pathlib import Path

import pytest

from espnet_lau.data.kaldi_table import KaldiFileError
from espnet_lau.utils.cli import run_main
from recipe_helpers import run_module


@pytest.fixture
def root_level():
    root = logging.getLogger()
    level = root.level
    yield root
    root.setLevel(level)


def test_a_user_error_is_one_line_and_exit_1(capsys, root_level):
    root_level.setLevel(logging.INFO)

    def main():
        raise KaldiFileError("data/train/text:3: utterance 'u' has no text (expected 'uttid text')")

    with pytest.raises(SystemExit) as exit_:
        run_main(main, prog="prep")
    assert exit_.value.code == 1
    assert capsys.readouterr().err == "prep: error: data/train/text:3: utterance 'u' has no text (expected 'uttid text')\n"


def test_a_missing_file_is_named_in_one_line(capsys, root_level, tmp_path):
    root_level.setLevel(logging.INFO)
    with pytest.raises(SystemExit):
        run_main(lambda: open(tmp_path / "nope.txt"), prog="x")
    assert capsys.readouterr().err == f"x: error: {tmp_path / 'nope.txt'}: No such file or directory\n"


def test_the_traceback_of_a_user_error_shows_at_debug(capsys, root_level):
    root_level.setLevel(logging.DEBUG)

    def main():
        raise KaldiFileError("bad input")

    with pytest.raises(SystemExit):
        run_main(main, prog="x")
    err = capsys.readouterr().err
    assert err.startswith("Traceback") and err.endswith("x: error: bad input\n")


def test_a_bug_keeps_its_traceback():
    def main():
        raise ZeroDivisionError("a bug")  # not a user error

    with pytest.raises(ZeroDivisionError):
        run_main(main)
    with pytest.raises(ValueError):  # a plain ValueError is a bug too: only input errors are caught
        run_main(lambda: int("x"))


def test_a_truncated_zip_names_the_file(tmp_path):
    packed = tmp_path / "model.zip"
    with zipfile.ZipFile(packed, "w") as z:
        z.writestr("meta.yaml", "files: {}\n" * 200)
    packed.write_bytes(packed.read_bytes()[:40])
    proc = run_module("check_packed", "--zip", str(packed), "--wav_scp", "w", "--hyp", "h", "--decode_config", "c",
                "--cachedir", str(tmp_path / "c"))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith(f"check_packed: error: {packed} is not a readable zip")
    assert "Traceback" not in proc.stderr


def test_a_missing_input_of_an_entry_point_is_one_line(tmp_path):
    proc = run_module("score_st", "--hyp", str(tmp_path / "hyp"), "--ref", str(tmp_path / "ref"), "--outdir", str(tmp_path / "o"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == f"score_st: error: {tmp_path / 'hyp'}: No such file or directory"


def test_the_logged_command_can_be_run_again(caplog, monkeypatch):
    from espnet_lau.utils.cli import log_command

    with caplog.at_level(logging.INFO):
        log_command("score_st", ["--hyp", "a b.txt", "--ref", "it's"])
        monkeypatch.setattr(sys, "argv", ["score_st.py", "--hyp", "a b.txt"])
        log_command("score_st", None)
    assert "score_st --hyp 'a b.txt' --ref 'it'\"'\"'s'" in caplog.text
    assert f"{sys.executable} score_st.py --hyp 'a b.txt'" in caplog.text


ENTRY_POINTS = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "espnet_lau" / "bin").glob("*.py")
                      if p.stem != "__init__")
NO_LOGGING = {"guard_inputs"}  # prints one verdict line, logs nothing


ESPNET_FLAGS = {"--print_config"}  # ESPnet's own task parsers declare it store_true


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_every_entry_point_has_get_parser_and_log_level(name):
    module = importlib.import_module(f"espnet_lau.bin.{name}")
    parser = module.get_parser()
    options = {o for action in parser._actions for o in action.option_strings}
    assert "--help" in options
    assert name in NO_LOGGING or "--log_level" in options
    assert list(inspect.signature(module.main).parameters) == ["cmd"]
    assert inspect.signature(module.main).parameters["cmd"].default is None
    switches = [action.option_strings for action in parser._actions
                if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction))
                and not ESPNET_FLAGS.intersection(action.option_strings)]
    assert switches == [], f"{name}: boolean options take true|false (str2bool), not bare switches"


def test_user_errors_reports_one_line_and_lets_bugs_through(capsys):
    from espnet_lau.utils.cli import user_errors

    with pytest.raises(SystemExit) as exit_info, user_errors("tool", ValueError):
        raise ValueError("data/train/text:3: no translation")
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == "tool: error: data/train/text:3: no translation\n"
    with pytest.raises(SystemExit), user_errors("tool"):
        open("/nonexistent/dir/file")
    assert capsys.readouterr().err == "tool: error: /nonexistent/dir/file: No such file or directory\n"
    with pytest.raises(ValueError), user_errors("tool"):  # not named: a bug, with its traceback
        raise ValueError("internal")


def test_parse_args_sets_the_level_and_logs_the_command_when_asked(caplog):
    from espnet_lau.utils.cli import add_log_level_option, parse_args

    parser = argparse.ArgumentParser()
    parser.add_argument("--hyp")
    add_log_level_option(parser)
    with caplog.at_level(logging.INFO):
        args = parse_args(parser, ["--hyp", "a b.txt", "--log_level", "debug"], log_as="score_st")
    assert args.hyp == "a b.txt" and args.log_level == "DEBUG"
    assert "score_st --hyp 'a b.txt' --log_level debug" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO):
        parse_args(parser, ["--hyp", "x"])
    assert "--hyp" not in caplog.text
