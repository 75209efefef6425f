"""Jeli-ASR preparation on a small fixture with the real schema (built here with `datasets`)."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import datasets
import numpy as np
import pytest
import soundfile

from espnet_lau.bin import prepare_jeli_asr as cli
from espnet_lau.data.jeli_asr import (
    JELI_CONFIGS,
    JeliSchemaError,
    is_dev_utterance,
    load_jeli_asr,
    make_uttid,
    prepare_jeli_asr,
)
from espnet_lau.data.kaldi_dir import read_table, validate_data_dir

REPO = Path(__file__).resolve().parents[1]
DATA_SH = REPO / "egs2" / "bambara_fr" / "st1" / "local" / "data.sh"
DEV_PERMILLE = 250  # the fixture is small: a large dev share keeps dev non-empty
NUM_TRAIN, NUM_TEST = 24, 4
NO_FRENCH = {1: None, 2: "   "}  # row index → a missing / blank translation
SECONDS = 0.4


def _wav_bytes(rate: int, channels: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * SECONDS)) / rate
    tone = 0.3 * np.sin(2 * np.pi * (200 + 10 * seed) * t)
    samples = np.stack([tone + 0.01 * rng.standard_normal(t.size)] * channels, axis=1)
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def _dataset(num_rows: int, tag: str, audio_dir: Path, drop_column: str = ""):
    """A Dataset with the Jeli-ASR columns; row 0 is 22.05 kHz stereo, row 3 is stored by path."""
    rows = {"audio": [], "duration": [], "bam": [], "french": []}
    for i in range(num_rows):
        rate, channels = (22050, 2) if i == 0 else (16000, 1)
        data = _wav_bytes(rate, channels, i)
        if i == 3:  # audio stored by path only
            audio_dir.mkdir(parents=True, exist_ok=True)
            path = audio_dir / f"{tag}-{i}.wav"
            path.write_bytes(data)
            rows["audio"].append({"bytes": None, "path": str(path)})
        else:
            rows["audio"].append({"bytes": data, "path": f"{tag}-{i}.wav"})
        rows["duration"].append(SECONDS)
        rows["bam"].append(f"{tag} kuma {i}  bɛ\nna")
        rows["french"].append(NO_FRENCH.get(i, f"{tag} phrase {i}\n"))
    for column in [drop_column] if drop_column else []:
        del rows[column]
    dataset = datasets.Dataset.from_dict(rows)
    if "audio" in rows:  # a storage cast of the {bytes, path} struct: no encoder needed
        dataset = dataset.cast_column("audio", datasets.Audio())
    return dataset


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """Layout (a): a repository copy with two config folders; layout (b): one DatasetDict."""
    root = tmp_path_factory.mktemp("jeli")
    repo = root / "jeli-asr"
    for config in JELI_CONFIGS:
        for split, n in (("train", NUM_TRAIN), ("test", NUM_TEST)):
            _dataset(n, f"{config}-{split}", root / "clips").save_to_disk(str(repo / config / split))
    dd = datasets.DatasetDict(
        train=_dataset(NUM_TRAIN, "dd-train", root / "clips"), test=_dataset(NUM_TEST, "dd-test", root / "clips")
    )
    dd.save_to_disk(str(root / "dataset_dict"))
    bad = datasets.DatasetDict(
        train=_dataset(3, "bad", root / "clips", drop_column="french"), test=_dataset(2, "bad", root / "clips")
    )
    bad.save_to_disk(str(root / "bad"))
    return {"repo": repo, "dict": root / "dataset_dict", "bad": root / "bad", "dd": dd}


@pytest.fixture(scope="module")
def union(sources, tmp_path_factory):
    out = tmp_path_factory.mktemp("union") / "data"
    prepare_jeli_asr(sources["repo"], out, dev_permille=DEV_PERMILLE, nj=2, progress=False)
    return out


def _expected_ids(config: str, split: str, n: int):
    return {make_uttid(config, split, i) for i in range(n) if i not in NO_FRENCH}


def test_layout_a_union(union):
    ids = {s: set(validate_data_dir(union / s, check_wav_files=True).uttids) for s in ("train", "dev", "test")}
    train_ids = set().union(*(_expected_ids(c, "train", NUM_TRAIN) for c in JELI_CONFIGS))
    test_ids = set().union(*(_expected_ids(c, "test", NUM_TEST) for c in JELI_CONFIGS))
    assert ids["test"] == test_ids
    assert ids["train"] | ids["dev"] == train_ids and not ids["train"] & ids["dev"]
    assert ids["dev"] == {u for u in train_ids if is_dev_utterance(u, DEV_PERMILLE)} != set()
    for dset in ("train", "dev", "test"):
        assert read_table(union / dset / "utt2spk") == {u: u for u in ids[dset]}  # no speaker info
        text, bam = read_table(union / dset / "text.tc.fr"), read_table(union / dset / "text.tc.bam")
        for utt in ids[dset]:
            config, index = utt.rsplit("-", 2)[0], int(utt.rsplit("-", 1)[1])
            split = "test" if dset == "test" else "train"
            assert text[utt] == f"{config}-{split} phrase {index}"  # whitespace collapsed
            assert bam[utt] == f"{config}-{split} kuma {index} bɛ na"
    info = json.loads((union / "train" / "corpus.json").read_text())
    assert info["synthetic"] is False and info["subset"] == "jeli-asr"
    assert info["source_splits"]["bam-asr-oza/train"]["dropped_no_french"] == len(NO_FRENCH)
    assert "sha1" in (union / "README.txt").read_text()


def test_audio_is_16k_mono(union):
    for dset in ("train", "dev", "test"):
        utt2dur = read_table(union / dset / "utt2dur")
        for utt, path in read_table(union / dset / "wav.scp").items():
            info = soundfile.info(path)
            assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
            assert abs(info.duration - SECONDS) < 2e-3 and float(utt2dur[utt]) == pytest.approx(info.duration, abs=1e-3)
    stereo = union / "wav" / "train" / "bam-asr-oza-train-000000.wav"
    if not stereo.exists():
        stereo = union / "wav" / "dev" / "bam-asr-oza-train-000000.wav"
    samples, _ = soundfile.read(stereo, dtype="float32")
    assert samples.ndim == 1 and 0.2 < np.abs(samples).max() < 0.4  # resampled tone, not silence


def test_rows_without_french_are_dropped_and_logged(sources, tmp_path, caplog):
    with caplog.at_level(logging.INFO):
        prepare_jeli_asr(sources["repo"], tmp_path / "data", subset="jeli-asr-rmai", dev_permille=DEV_PERMILLE, progress=False)
    assert "jeli-asr-rmai/train: 24 rows, kept 22" in caplog.text
    assert f"dropped {len(NO_FRENCH)} without French" in caplog.text
    all_ids = set()
    for dset in ("train", "dev", "test"):
        all_ids |= set(read_table(tmp_path / "data" / dset / "wav.scp"))
    assert all(u.startswith("jeli-asr-rmai-") for u in all_ids)
    assert make_uttid("jeli-asr-rmai", "train", 1) not in all_ids
    assert make_uttid("jeli-asr-rmai", "train", 2) not in all_ids


def test_layout_b_dataset_dict_via_cli(sources, tmp_path, capsys):
    out = tmp_path / "data"
    cli.main(["--source", str(sources["dict"]), "--output_dir", str(out), "--dev_permille", str(DEV_PERMILLE),
              "--progress", "false", "--nj", "2"])
    assert "data/test: 2 utterances" in capsys.readouterr().out
    ids = set(read_table(out / "train" / "text.tc.fr")) | set(read_table(out / "dev" / "text.tc.fr"))
    assert ids == _expected_ids("jeli-asr", "train", NUM_TRAIN)


def test_rerun_is_a_noop(sources, union):
    before = {p: p.stat().st_mtime_ns for p in union.rglob("*") if p.is_file()}
    prepare_jeli_asr(sources["repo"], union, dev_permille=DEV_PERMILLE, nj=2, progress=False)
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
    (partial / "bam-asr-oza").mkdir(parents=True)
    with pytest.raises(JeliSchemaError, match="no config folder jeli-asr-rmai/"):
        load_jeli_asr(str(partial))
    with pytest.raises(ValueError, match=r"set dev is empty.*--dev_permille"):
        prepare_jeli_asr(sources["dict"], tmp_path / "data", dev_permille=0, progress=False)


def test_hub_name_uses_load_dataset(sources, tmp_path, monkeypatch):
    calls = []

    def fake_load_dataset(name, subset):
        calls.append((name, subset))
        return sources["dd"]

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    splits = load_jeli_asr("RobotsMali/jeli-asr", "bam-asr-oza")
    assert calls == [("RobotsMali/jeli-asr", "bam-asr-oza")]
    assert [(s.config, s.split) for s in splits] == [("bam-asr-oza", "train"), ("bam-asr-oza", "test")]


def test_dev_rule_is_stable_and_about_three_percent():
    ids = [make_uttid("bam-asr-oza", "train", i) for i in range(20000)]
    share = sum(is_dev_utterance(u) for u in ids) / len(ids)
    assert 0.025 < share < 0.035
    assert is_dev_utterance("bam-asr-oza-train-000000", 1000) and not is_dev_utterance("x", 0)
    assert [is_dev_utterance(u) for u in ids[:200]] == [is_dev_utterance(u) for u in ids[:200]]


def test_data_sh_jeli_asr(sources, tmp_path):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    cmd = ["bash", str(DATA_SH), "--corpus", "jeli-asr", "--jeli_asr", str(sources["repo"]),
           "--jeli_subset", "bam-asr-oza", "--dev_permille", str(DEV_PERMILLE), "--nj", "1", "--python", sys.executable]
    out = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Preparing Jeli-ASR" in out.stdout and "data/test: 2 utterances" in out.stdout
    assert all(u.startswith("bam-asr-oza-test-") for u in read_table(tmp_path / "data" / "test" / "text.tc.fr"))
