"""Ids are data, never paths (issue 14, item 1): refused where read, and by every writer."""

import subprocess
import sys

import numpy as np
import pytest
import soundfile

from espnet_lau.data.kaldi_table import KaldiDataDirError, file_for_id, id_problem, read_table


def hostile_dir(root, uttid):
    """A data dir whose one utterance has ``uttid`` and audio that needs converting (8 kHz)."""
    wav = root / "in.wav"
    soundfile.write(wav, np.zeros(8000, dtype=np.float32), 8000)
    d = root / "data/train"
    d.mkdir(parents=True)
    (d / "wav.scp").write_text(f"{uttid} {wav}\n")
    (d / "utt2spk").write_text(f"{uttid} spk01\n")
    (d / "spk2utt").write_text(f"spk01 {uttid}\n")
    (d / "text.tc.fr").write_text(f"{uttid} Bonjour.\n")
    return d


@pytest.mark.parametrize("uttid", ["spk01-x/../../../../ESCAPED2", "../../X", "..", "-rf", ".hidden", "a\\b"])
def test_prepare_dump_refuses_a_path_in_an_id_and_writes_nothing(tmp_path, uttid):
    d = hostile_dir(tmp_path, uttid)
    before = {p for p in tmp_path.rglob("*")}
    proc = subprocess.run([sys.executable, "-m", "espnet_lau.bin.prepare_dump", "format", "--src", str(d),
                           "--dst", str(tmp_path / "dump/org/train")], capture_output=True, text=True)
    assert proc.returncode != 0
    assert f"wav.scp:1: invalid id {uttid!r}" in proc.stderr and "Traceback" not in proc.stderr
    after = {p for p in tmp_path.rglob("*")} | {p for p in tmp_path.parent.rglob("ESCAPED2*")}
    assert after - before <= {tmp_path / "dump", tmp_path / "dump/org", tmp_path / "dump/org/train",
                              tmp_path / "dump/org/train/wav"}
    assert not list(tmp_path.parent.parent.rglob("ESCAPED2*")) and not (tmp_path.parent / "X.wav").exists()


def test_id_rules():
    for ok in ("spk01-train-000001", "sp0.9-spk1-a", "bam-asr-oza-test-3"):
        assert id_problem(ok) is None
    for bad, why in (("a/b", "'/'"), ("a\\b", "'\\\\'"), ("a\0b", "'\\x00'"), (".x", "starts with '.'"),
                     ("-x", "starts with '-'"), ("a b", "whitespace")):
        assert why in id_problem(bad), bad


def test_writers_refuse_names_that_leave_their_folder(tmp_path):
    assert file_for_id(tmp_path, "u1.wav") == tmp_path / "u1.wav"
    for name in ("../u.wav", "a/../../u.wav", "/etc/u.wav", ".."):
        with pytest.raises(KaldiDataDirError, match="would be written outside"):
            file_for_id(tmp_path, name)


def test_a_table_with_a_hostile_id_names_file_line_and_id(tmp_path):
    (tmp_path / "text").write_text("ok-1 a\n../x b\n")
    with pytest.raises(KaldiDataDirError, match=r"text:2: invalid id '\.\./x'"):
        read_table(tmp_path / "text")


def test_an_id_too_long_to_name_a_file_is_one_line_naming_the_line(tmp_path, capsys):
    """A 300-byte id would fail deep in sox or open() (ENAMETOOLONG) once it names a wav."""
    from espnet_lau.bin import prepare_dump

    uttid = "spk01-" + "é" * 147  # 300 bytes in UTF-8
    d = hostile_dir(tmp_path, uttid)
    with pytest.raises(SystemExit) as exc:
        prepare_dump.main(["format", "--src", str(d), "--dst", str(tmp_path / "dump/org/train")])
    assert exc.value.code == 1
    assert capsys.readouterr().err == (
        f"prepare_dump format: error: {d}/wav.scp:1: invalid id {uttid[:24]!r}... (300 bytes): ids name files, whose "
        "names take at most 255 bytes with their prefixes and suffixes; shorten it to 200 bytes at most\n")
    assert id_problem("u" * 200) is None and "201 bytes" in id_problem("u" * 201)
