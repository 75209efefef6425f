"""Jeli-ASR preparation on small fixtures with the real schema, in every source form.

One set of clips (named like Jeli's, ``<recording>-<start>-<end>.wav``) is written as a
repository copy with config folders, as one DatasetDict of the union (rows in another
order), and as NeMo manifests with relative and absolute paths; the three must give the
same ids and the same split.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import datasets
import numpy as np
import pytest
import soundfile
from corpus_fixtures import (
    DEV_PERMILLE, NO_FRENCH, POINTER, RECORDINGS, SECONDS, audio_dataset, jeli_clips, write_nemo,
)

from espnet_lau.bin import prepare_jeli_asr as cli
from espnet_lau.data.jeli_asr import JELI_CONFIGS, JeliSchemaError, load_jeli_asr, prepare_jeli_asr
from espnet_lau.data.datadir_check import validate_data_dir
from espnet_lau.data.kaldi_table import read_table
from espnet_lau.data.lfs import LFSPointerError
from espnet_lau.data.nemo_manifest import ManifestError
from espnet_lau.data.recordings import DEFAULT_RECORDING_REGEX, clip_name, compile_recording_regex, is_dev_recording, recording_of

REPO = Path(__file__).resolve().parents[1]
DATA_SH = REPO / "egs2" / "bambara_fr" / "st1" / "local" / "data.sh"


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    root = tmp_path_factory.mktemp("jeli")
    clips = {c: {s: jeli_clips(c, s) for s in RECORDINGS} for c in JELI_CONFIGS}
    repo = root / "jeli-asr"
    for config in JELI_CONFIGS:
        for split in RECORDINGS:
            audio_dataset(clips[config][split], root / "clips").save_to_disk(str(repo / config / split))
    union = {s: [row for c in JELI_CONFIGS for row in clips[c][s]][::-1] for s in RECORDINGS}
    dd = datasets.DatasetDict({s: audio_dataset(rows, root / "clips", by_path=()) for s, rows in union.items()})
    dd.save_to_disk(str(root / "dataset_dict"))
    write_nemo(root / "nemo", clips)
    bad = datasets.DatasetDict(train=audio_dataset(clips["bam-asr-oza"]["train"][:3], root / "clips"),
                               test=audio_dataset(clips["bam-asr-oza"]["test"][:2], root / "clips"))
    bad.save_to_disk(str(root / "bad"))
    bad = datasets.load_from_disk(str(root / "bad"))
    datasets.DatasetDict({s: bad[s].remove_columns("french") for s in bad}).save_to_disk(str(root / "bad_schema"))
    return {"root": root, "repo": repo, "dict": root / "dataset_dict", "nemo": root / "nemo",
            "bad": root / "bad_schema", "dd": dd, "clips": clips}


def _prepare(source, out, **kwargs):
    prepare_jeli_asr(source, out, dev_permille=DEV_PERMILLE, nj=2, progress=False, **kwargs)
    return out


@pytest.fixture(scope="module")
def union(sources, tmp_path_factory):
    return _prepare(sources["repo"], tmp_path_factory.mktemp("union") / "data")


def _kept(sources, split):
    return {name for c in JELI_CONFIGS for i, (name, _, _, f) in enumerate(sources["clips"][c][split]) if i not in NO_FRENCH}


def _tables(data: Path, name: str):
    return {s: read_table(data / s / name) for s in ("train", "dev", "test")}


def test_layout_a_union(union, sources):
    ids = {s: set(validate_data_dir(union / s, check_wav_files=True).uttids) for s in ("train", "dev", "test")}
    assert ids["test"] == _kept(sources, "test")
    assert ids["train"] | ids["dev"] == _kept(sources, "train") and not ids["train"] & ids["dev"]
    assert ids["dev"] and ids["train"]
    for dset in ("train", "dev", "test"):
        assert read_table(union / dset / "utt2spk") == {u: u for u in ids[dset]}  # no speaker info
        text, bam = read_table(union / dset / "text.tc.fr"), read_table(union / dset / "text.tc.bam")
        for utt in ids[dset]:
            assert text[utt].startswith(f"{utt} phrase ") and "\n" not in text[utt]  # whitespace collapsed
            assert bam[utt].startswith(f"{utt} kuma ") and bam[utt].endswith(" bɛ na")
    info = json.loads((union / "train" / "corpus.json").read_text())
    assert info["synthetic"] is False and info["subset"] == "jeli-asr"
    assert info["source_splits"]["bam-asr-oza/train"]["dropped_no_french"] == len(NO_FRENCH)
    assert "sha1(recording)" in (union / "README.txt").read_text()


def test_dev_is_disjoint_by_recording_and_the_counts_are_reported(union):
    rec = _tables(union, "utt2recording")
    assert all(rec[s][u] == u.split("-")[0] for s in rec for u in rec[s])  # oza_r03-0001000-0001900 → oza_r03
    train, dev, test = (set(rec[s].values()) for s in ("train", "dev", "test"))
    assert dev and train and not dev & train
    assert all(is_dev_recording(r, DEV_PERMILLE) for r in dev) and not any(is_dev_recording(r, DEV_PERMILLE) for r in train)
    report = json.loads((union / "dev" / "corpus.json").read_text())["split_report"]
    assert report["dev"] == {"utterances": len(rec["dev"]), "recordings": len(dev)}
    assert report["test"]["recordings"] == 2 * RECORDINGS["test"] and report["test"]["recordings_also_in_train"] == 0
    assert f"dev ({len(rec['dev'])} utt., {len(dev)} recordings)" in (union / "README.txt").read_text()


def test_audio_is_16k_mono_and_durations_are_measured(union):
    for dset in ("train", "dev", "test"):
        utt2dur = read_table(union / dset / "utt2dur")
        for utt, path in read_table(union / dset / "wav.scp").items():
            info = soundfile.info(path)
            assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
            assert abs(info.duration - SECONDS) < 2e-3 and float(utt2dur[utt]) == pytest.approx(info.duration, abs=1e-3)
    stereo = next(union.glob("wav/*/oza_r00-0000000-0000900.wav"))
    samples, _ = soundfile.read(stereo, dtype="float32")
    assert samples.ndim == 1 and 0.2 < np.abs(samples).max() < 0.4  # resampled tone, not silence


@pytest.mark.parametrize("form", ["dict", "nemo", "hub"])
def test_ids_and_split_are_the_same_in_every_form(form, sources, union, tmp_path, monkeypatch):
    source = sources[form] if form != "hub" else "RobotsMali/jeli-asr"
    if form == "hub":
        monkeypatch.setattr(datasets, "load_dataset", lambda name, subset: sources["dd"])
    out = _prepare(source, tmp_path / "data")
    for name in ("text.tc.fr", "text.tc.bam", "utt2recording", "utt2dur"):
        assert _tables(out, name) == _tables(union, name), name


def test_nemo_rows_on_one_side_are_dropped_and_counted(sources, tmp_path, caplog):
    with caplog.at_level(logging.INFO):
        out = _prepare(sources["nemo"], tmp_path / "data", subset="jeli-asr-rmai")
    assert "1 on the Bambara side only, 1 on the French side only" in caplog.text
    stats = json.loads((out / "train" / "corpus.json").read_text())["source_splits"]["jeli-asr-rmai/train"]
    assert (stats["dropped_no_french"], stats["only_french"], stats["kept"]) == (2, 1, 22)
    assert not any("stray" in u for t in _tables(out, "wav.scp").values() for u in t)


def test_nemo_missing_audio_and_bad_lines_name_the_manifest_line(sources, tmp_path):
    root = tmp_path / "nemo"
    shutil.copytree(sources["nemo"], root)
    manifest = root / "manifests" / "jeli-asr-rmai-train-manifest.json"
    (root / "audios" / "jeli-asr-rmai" / "train" / "griots_r00-0001000-0001900.wav").unlink()
    with pytest.raises(FileNotFoundError, match=rf"{manifest}:2: audio file 'audios/.*griots_r00-0001000-0001900.wav' not found"):
        prepare_jeli_asr(root, tmp_path / "data", subset="jeli-asr-rmai", progress=False)
    lines = manifest.read_text().splitlines()
    manifest.write_text("\n".join([lines[0], "{not json"] + lines[2:]) + "\n")
    with pytest.raises(ManifestError, match=rf"{manifest}:2: not a JSON object"):
        prepare_jeli_asr(root, tmp_path / "data", subset="jeli-asr-rmai", progress=False)
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("escape", ["../../outside.wav", "{tmp}/outside.wav", "audios/../../../outside.wav"])
def test_a_nemo_audio_path_that_leaves_the_corpus_is_refused_naming_the_line(sources, tmp_path, capsys, escape):
    """A manifest names the audio of its own corpus: an absolute path or ``..`` out of it is
    refused (the file exists: it would otherwise be read and copied into data/)."""
    root = tmp_path / "nemo"
    shutil.copytree(sources["nemo"], root)
    shutil.copy(next(root.rglob("*.wav")), tmp_path / "outside.wav")
    manifest = root / "manifests" / "jeli-asr-rmai-train-manifest.json"
    lines = manifest.read_text().splitlines()
    value = escape.format(tmp=tmp_path)
    lines[1] = json.dumps({**json.loads(lines[1]), "audio_filepath": value})
    manifest.write_text("\n".join(lines) + "\n")
    with pytest.raises(SystemExit) as exc:
        cli.main(["--source", str(root), "--subset", "jeli-asr-rmai", "--output_dir", str(tmp_path / "data"),
                  "--progress", "false"])
    assert exc.value.code == 1
    assert capsys.readouterr().err == (
        f"prepare_jeli_asr: error: {manifest}:2: audio_filepath {value!r} is outside the corpus folder {root}: "
        f"refused (a manifest names the audio of its own corpus); put the audio under {root} and name it "
        "relative to it\n")
    assert not (tmp_path / "data").exists()


def test_lfs_pointers_are_named_with_what_to_do(sources, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(sources["repo"], repo)
    arrow = sorted((repo / "jeli-asr-rmai" / "train").glob("*.arrow"))[0]
    arrow.write_bytes(POINTER)
    with pytest.raises(LFSPointerError, match=rf"{arrow} is a Git LFS pointer file.*git lfs pull"):
        load_jeli_asr(repo)
    nemo = tmp_path / "nemo"
    shutil.copytree(sources["nemo"], nemo)
    (nemo / "audios" / "jeli-asr-rmai" / "test" / "griots_r50-0000000-0000900.wav").write_bytes(POINTER)
    with pytest.raises(LFSPointerError, match=r"jeli-asr-rmai-test-manifest.json:1: audio .* is a Git LFS pointer.*git lfs pull"):
        prepare_jeli_asr(nemo, tmp_path / "data", subset="jeli-asr-rmai", progress=False)
    clips = [(n, POINTER if i == 0 else d, b, f) for i, (n, d, b, f) in enumerate(sources["clips"]["bam-asr-oza"]["train"])]
    datasets.DatasetDict(train=audio_dataset(clips, tmp_path / "c"), test=audio_dataset(sources["clips"]["bam-asr-oza"]["test"], tmp_path / "c")
                         ).save_to_disk(str(tmp_path / "dd"))
    with pytest.raises(LFSPointerError, match=r"utterance oza_r00-0000000-0000900 .*Git LFS pointer"):
        prepare_jeli_asr(tmp_path / "dd", tmp_path / "data", subset="bam-asr-oza", dev_permille=DEV_PERMILLE, progress=False)


def test_rows_without_file_names_get_row_index_ids(sources, tmp_path, caplog):
    nameless = datasets.DatasetDict(
        {s: sources["dd"][s].cast_column("audio", datasets.Audio(decode=False)).map(
            lambda row: {"audio": {"bytes": row["audio"]["bytes"], "path": None}}) for s in ("train", "test")})
    nameless.save_to_disk(str(tmp_path / "nameless"))
    with caplog.at_level(logging.WARNING):
        out = _prepare(tmp_path / "nameless", tmp_path / "data")
    assert "no distinct audio file names" in caplog.text
    french = sources["dd"]["test"]["french"]
    assert set(read_table(out / "test" / "wav.scp")) == {f"jeli-asr-test-{i:06d}" for i, f in enumerate(french) if f and f.strip()}


def test_rows_without_french_are_dropped_and_logged(sources, tmp_path, caplog):
    with caplog.at_level(logging.INFO):
        _prepare(sources["repo"], tmp_path / "data", subset="jeli-asr-rmai")
    assert "jeli-asr-rmai/train: 24 rows, kept 22" in caplog.text
    assert f"dropped {len(NO_FRENCH)} without French" in caplog.text
    all_ids = set().union(*(set(t) for t in _tables(tmp_path / "data", "wav.scp").values()))
    assert all(u.startswith("griots_r") for u in all_ids) and "griots_r00-0001000-0001900" not in all_ids


def test_layout_b_dataset_dict_via_cli(sources, union, tmp_path, capsys):
    out = tmp_path / "data"
    cli.main(["--source", str(sources["dict"]), "--output_dir", str(out), "--dev_permille", str(DEV_PERMILLE),
              "--progress", "false", "--nj", "2"])
    assert f"data/test: {len(_kept(sources, 'test'))} utterances" in capsys.readouterr().out


def test_rerun_is_a_noop(sources, union):
    before = {p: p.stat().st_mtime_ns for p in union.rglob("*") if p.is_file()}
    _prepare(sources["repo"], union)
    assert {p: p.stat().st_mtime_ns for p in union.rglob("*") if p.is_file()} == before


def test_wrong_schema_names_the_missing_column(sources, tmp_path):
    with pytest.raises(JeliSchemaError, match=r"missing column\(s\) 'french'"):
        prepare_jeli_asr(sources["bad"], tmp_path / "data", progress=False)
    assert not (tmp_path / "data" / "train").exists()


def test_bad_sources(sources, tmp_path):
    with pytest.raises(FileNotFoundError, match="no such directory"):
        load_jeli_asr(str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match="unknown subset"):
        load_jeli_asr(str(sources["repo"]), "jeli")
    partial = tmp_path / "partial"
    shutil.copytree(sources["repo"] / "bam-asr-oza", partial / "bam-asr-oza")
    with pytest.raises(JeliSchemaError, match=r"no config folder jeli-asr-rmai/ \(found \['bam-asr-oza'\]\)"):
        load_jeli_asr(str(partial))
    (tmp_path / "empty").mkdir()
    with pytest.raises(JeliSchemaError, match="no save_to_disk dataset"):
        load_jeli_asr(str(tmp_path / "empty"))
    with pytest.raises(ValueError, match=r"set dev is empty.*--dev_permille"):
        prepare_jeli_asr(sources["dict"], tmp_path / "data", dev_permille=0, progress=False)


def test_hub_name_uses_loadaudio_dataset(sources, monkeypatch):
    calls = []
    monkeypatch.setattr(datasets, "load_dataset", lambda name, subset: calls.append((name, subset)) or sources["dd"])
    splits = load_jeli_asr("RobotsMali/jeli-asr", "bam-asr-oza")
    assert calls == [("RobotsMali/jeli-asr", "bam-asr-oza")]
    assert [(s.config, s.split) for s in splits] == [("bam-asr-oza", "train"), ("bam-asr-oza", "test")]


def test_recording_rule():
    regex = compile_recording_regex(DEFAULT_RECORDING_REGEX)
    assert recording_of("griots_r17-0012340-0015670", regex) == "griots_r17"
    assert recording_of("rec_12_0_5", regex) == "rec_12" and recording_of("solo", regex) is None
    assert clip_name("C:\\data\\a b.wav") == "a_b" and clip_name("/x/.hidden.flac") == "hidden" and clip_name(None) is None
    with pytest.raises(ValueError, match="no .*recording"):
        compile_recording_regex(r"(\d+)")
    names = [f"r{i}" for i in range(20000)]
    share = sum(is_dev_recording(r, 30) for r in names) / len(names)
    assert 0.025 < share < 0.035 and is_dev_recording("x", 1000) and not is_dev_recording("x", 0)


def test_data_sh_jeli_asr(sources, tmp_path):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    cmd = ["bash", str(DATA_SH), "--corpus", "jeli-asr", "--jeli_asr", str(sources["nemo"]),
           "--jeli_subset", "bam-asr-oza", "--dev_permille", str(DEV_PERMILLE), "--nj", "1", "--python", sys.executable]
    out = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Preparing Jeli-ASR" in out.stdout and "data/test: 4 utterances" in out.stdout
    assert all(u.startswith("oza_r5") for u in read_table(tmp_path / "data" / "test" / "text.tc.fr"))
