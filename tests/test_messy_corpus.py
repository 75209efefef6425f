"""A real, messy corpus: what the data preparation and the training configs make of it."""

import logging

import numpy as np
import pytest
import soundfile
import yaml

from espnet_lau.data.datadir_check import validate_data_dir
from espnet_lau.data.dump import filter_data_dir, format_data_dir
from espnet_lau.data.kaldi_dir import Utterance, write_data_dir
from espnet_lau.data.kaldi_table import KaldiDataDirError, read_table
from espnet_lau.tasks.lau_st import LAUSTTask
from espnet_lau.utils.cli import run_main
from recipe_helpers import DEBUG, RECIPE, make_recipe_copy, run_recipe

LANGS = [("fr", "lc.rm")]


def _wav(path, seconds, rate=16000, channels=1):
    wave = 0.3 * np.sin(2 * np.pi * 220 * np.arange(int(seconds * rate)) / rate)
    soundfile.write(path, np.stack([wave] * channels, axis=1) if channels > 1 else wave, rate, subtype="PCM_16")
    return str(path)


def _data_dir(tmp_path, wavs):
    """A data dir of one utterance per ``{uttid: wav}``, speaker = the part before '-'."""
    utts = [Utterance(u, w, u.split("-")[0], {"text.tc.fr": f"Phrase {u}."}) for u, w in wavs.items()]
    src = tmp_path / "data/train"
    write_data_dir(src, utts)
    return src


def test_crlf_bom_and_tabs_read_as_clean_lines(tmp_path):
    messy, clean = tmp_path / "messy", tmp_path / "clean"
    messy.write_bytes("\ufeffs1-a\tBonjour  le monde\r\ns1-b \t Salut\r\n".encode("utf-8"))
    clean.write_text("s1-a Bonjour  le monde\ns1-b Salut\n")
    assert read_table(messy) == read_table(clean) == {"s1-a": "Bonjour  le monde", "s1-b": "Salut"}


def test_an_empty_text_file_names_the_file_and_the_first_missing_utterance(tmp_path):
    src = _data_dir(tmp_path, {"s1-a": _wav(tmp_path / "a.wav", 1.0)})
    (src / "text.tc.fr").write_text("")
    with pytest.raises(KaldiDataDirError, match=rf"{src}/text.tc.fr: utterance 's1-a' is in wav.scp but not"):
        validate_data_dir(src)


def test_a_zero_byte_wav_names_the_utterance(tmp_path):
    empty = tmp_path / "b.wav"
    empty.write_bytes(b"")
    src = _data_dir(tmp_path, {"s1-a": _wav(tmp_path / "a.wav", 1.0), "s1-b": str(empty)})
    with pytest.raises(KaldiDataDirError, match=rf"utterance 's1-b': cannot read {empty}"):
        format_data_dir(src, tmp_path / "dump/org/train", LANGS)


def test_a_missing_recording_names_the_utterance(tmp_path):
    src = _data_dir(tmp_path, {"s1-a": _wav(tmp_path / "a.wav", 1.0), "s1-b": str(tmp_path / "gone.wav")})
    with pytest.raises(KaldiDataDirError, match=rf"utterance 's1-b': wav.scp entry '{tmp_path}/gone.wav' is not a file"):
        format_data_dir(src, tmp_path / "dump/org/train", LANGS)


def test_a_header_only_wav_is_dropped_by_name(tmp_path, caplog):
    src = _data_dir(tmp_path, {"s1-a": _wav(tmp_path / "a.wav", 1.0), "s1-b": _wav(tmp_path / "b.wav", 0.0)})
    org = tmp_path / "dump/org/train"
    format_data_dir(src, org, LANGS)
    with caplog.at_level(logging.INFO):
        assert filter_data_dir(org, tmp_path / "dump/train", min_duration=0.1) == 1
    assert "dropped 1 utterance(s): shorter than 0.1 s: s1-b" in caplog.text


def test_8khz_stereo_and_float_audio_become_16khz_mono_pcm(tmp_path):
    f32 = tmp_path / "c.wav"
    soundfile.write(f32, np.zeros(24000, dtype=np.float32), 24000, subtype="FLOAT")
    src = _data_dir(tmp_path, {"s1-a": _wav(tmp_path / "a.wav", 1.0, rate=8000, channels=2), "s1-c": str(f32)})
    org = tmp_path / "dump/org/train"
    format_data_dir(src, org, LANGS)
    for uttid, wav in read_table(org / "wav.scp").items():
        info = soundfile.info(wav)
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16"), uttid
    assert read_table(org / "utt2num_samples") == {"s1-a": "16000", "s1-c": "16000"}


def test_a_config_with_an_unknown_key_names_the_key_and_the_file(tmp_path, capsys):
    config = yaml.safe_load((RECIPE / "conf/tuning/train_st_lau_debug.yaml").read_text())
    config["semantic_wieght"] = 1.0  # a typo
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(SystemExit) as exit_:
        LAUSTTask.get_parser().parse_args(["--config", str(path)])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(
        f"error: unrecognized arguments: semantic_wieght (from {path})")


def test_a_config_that_is_not_yaml_is_one_line(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("frontend: [default\n  x: : :\n")
    with pytest.raises(SystemExit):
        run_main(lambda: LAUSTTask.get_parser().parse_args(["--config", str(path)]), prog="lau_st_train")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lau_st_train: error: not valid YAML: while parsing")
    assert f'in "{path}", line 1' in err


@pytest.mark.parametrize("content, problem", [
    ("frontend: [default\n", "not valid YAML: while parsing a flow sequence"),
    ("- a list\n- not options\n", "not a mapping of option: value lines"),
])
def test_the_recipe_refuses_a_config_that_is_not_yaml_before_any_stage(tmp_path, content, problem):
    recipe = make_recipe_copy(tmp_path)
    (recipe / "bad.yaml").write_text(content)
    proc = run_recipe(recipe, *DEBUG, "--st_config", "bad.yaml", "--stage", "8", "--stop_stage", "9", check=False)
    assert proc.returncode == 1 and "Stage 8" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"ERROR: --st_config bad.yaml: {problem}" in lines[0]
    assert not (recipe / "exp").exists()
