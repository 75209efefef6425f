"""ASR-only data from real corpora (issue 15): bam-asr-early-style and kunkado-style fixtures,
the exclusion of the ST sets' clips, and the recipe's "2x ASR" pretraining on them."""

from __future__ import annotations

import io
import json
import logging

import datasets
import pytest
import soundfile
from corpus_fixtures import audio_dataset, jeli_clips, wav_bytes, write_nemo
from recipe_helpers import DEBUG, make_recipe_copy, run_recipe

from espnet_lau.bin import prepare_asr_extra as cli
from espnet_lau.data.asr_extra import prepare_asr_extra
from espnet_lau.data.datadir_check import validate_data_dir
from espnet_lau.data.jeli_asr import prepare_jeli_asr
from espnet_lau.data.kaldi_table import read_table
from espnet_lau.data.sources import SourceLayoutError

WORDS = "dugutigi bɛ sugu la sini a ye muso ka jiri ta".split()


def _bambara(i: int) -> str:
    return " ".join(WORDS[(i + k) % len(WORDS)] for k in range(4))


def _flac(wav: bytes) -> bytes:
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="int16")
    out = io.BytesIO()
    soundfile.write(out, samples, rate, format="FLAC")
    return out.getvalue()


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """The ST data (Jeli-ASR bam-asr-oza from NeMo manifests), a bam-asr-early-style DatasetDict
    and a kunkado-style Dataset folder."""
    root = tmp_path_factory.mktemp("extra")
    clips = {"bam-asr-oza": {s: jeli_clips("bam-asr-oza", s) for s in ("train", "test")}}
    write_nemo(root / "jeli", clips)
    st_data = root / "data"
    prepare_jeli_asr(root / "jeli", st_data, subset="bam-asr-oza", dev_permille=300, progress=False)
    st_train, st_test = clips["bam-asr-oza"]["train"], clips["bam-asr-oza"]["test"]
    new = [(f"early_r{r}-{c:07d}-{c + 900:07d}", wav_bytes(16000, 1, 100 + 3 * r + c), _bambara(r + c), None)
           for r in range(2) for c in range(2)]
    early_train = new + [
        st_train[4][:3] + (None,),                        # an ST clip, same name: left out by id
        (f"renamed-{st_test[0][0]}", _flac(st_test[0][1]), "a ye", "x"),  # an ST test clip re-encoded: by audio
        ("early_r9-0000000-0000900", wav_bytes(16000, 1, 7), "   ", None),  # no transcript
    ]
    datasets.DatasetDict(train=audio_dataset(early_train, root / "clips", by_path=()),
                         test=audio_dataset(st_test[3:], root / "clips", by_path=())).save_to_disk(str(root / "early"))
    rows = {"audio": [], "duration": [], "semi-label": [], "corrected-label": []}
    labels = [("semi zero", None), (None, None), ("semi two", "  "), ("semi three", "corrected three"), ("semi four", "corrected four")]
    for i, (semi, corrected) in enumerate(labels):
        rows["audio"].append({"bytes": wav_bytes(16000, 1, 200 + i), "path": f"kunkado_{i:03d}.wav"})
        rows["duration"].append(0.4)
        rows["semi-label"].append(semi)
        rows["corrected-label"].append(corrected)
    datasets.Dataset.from_dict(rows).cast_column("audio", datasets.Audio()).save_to_disk(str(root / "kunkado" / "train"))
    return {"root": root, "st": st_data, "early": root / "early", "kunkado": root / "kunkado", "jeli": root / "jeli",
            "new": [n for n, *_ in new]}


def _exclude(corpora):
    return [corpora["st"] / s for s in ("train", "dev", "test")]


def test_bam_asr_early_style_leaves_out_the_st_clips_and_its_test_split(corpora, tmp_path, caplog):
    out = tmp_path / "data" / "train_asr_extra"
    with caplog.at_level(logging.INFO):
        prepare_asr_extra([corpora["early"]], out, exclude_dirs=_exclude(corpora), progress=False)
    text = read_table(out / "text.tc.bam")
    assert sorted(text) == sorted(corpora["new"])  # not the ST clip, the re-encoded test clip, the blank row, nor test
    assert text["early_r0-0000000-0000900"] == _bambara(0)
    assert read_table(out / "utt2recording")["early_r1-0000001-0000901"] == "early_r1"
    stats = json.loads((out / "corpus.json").read_text())["source_splits"]
    (only,) = stats.values()
    assert (only["rows"], only["kept"], only["dropped_no_label"], only["excluded_same_id"], only["excluded_same_audio"]) == (7, 4, 1, 1, 1)
    assert "left out 1 with the id and 1 with the audio" in caplog.text
    assert validate_data_dir(out, check_wav_files=True).uttids
    assert {p.name for p in (tmp_path / "data" / "wav" / "train_asr_extra").glob("*.wav")} == {f"{n}.wav" for n in corpora["new"]}


@pytest.mark.parametrize("label, expected", [
    ("corrected_else_semi", {0: "semi zero", 2: "semi two", 3: "corrected three", 4: "corrected four"}),
    ("corrected", {3: "corrected three", 4: "corrected four"}),
    ("semi", {0: "semi zero", 2: "semi two", 3: "semi three", 4: "semi four"}),
])
def test_kunkado_style_label_choice(corpora, tmp_path, label, expected):
    out = tmp_path / "train_asr_extra"
    cli.main(["--source", str(corpora["kunkado"]), "--output_dir", str(out), "--label", label, "--progress", "false"])
    assert read_table(out / "text.tc.bam") == {f"kunkado_{i:03d}": t for i, t in expected.items()}
    assert json.loads((out / "corpus.json").read_text())["label"] == label


def test_several_sources_and_nemo_manifests(corpora, tmp_path):
    out = tmp_path / "train_asr_extra"
    prepare_asr_extra([corpora["kunkado"], corpora["jeli"]], out, progress=False)
    ids = set(read_table(out / "wav.scp"))
    assert {"kunkado_000", "oza_r00-0001000-0001900"} <= ids  # a Jeli row without French is ASR data
    with pytest.raises(SourceLayoutError, match=r"clip kunkado_000 is also in"):
        prepare_asr_extra([corpora["kunkado"], corpora["kunkado"]], tmp_path / "twice", progress=False)


def test_a_source_without_a_transcript_column_names_what_it_has(corpora, tmp_path):
    folder = tmp_path / "odd" / "train"
    datasets.load_from_disk(str(corpora["kunkado"] / "train")).remove_columns(["semi-label", "corrected-label"]).save_to_disk(str(folder))
    with pytest.raises(SourceLayoutError, match=r"no transcript column: needs 'bam' .*found \['audio', 'duration'\]"):
        prepare_asr_extra([folder.parent], tmp_path / "out", progress=False)
    with pytest.raises(SourceLayoutError, match=r"config early has no split 'validation' \(found \['test', 'train'\]\)"):
        prepare_asr_extra([corpora["early"]], tmp_path / "out", splits=["validation"], progress=False)


def test_the_recipe_pretrains_the_2x_asr_model_on_real_asr_only_data(corpora, tmp_path):
    recipe = make_recipe_copy(tmp_path)
    run_recipe(recipe, *DEBUG, "--corpus", "jeli-asr", "--jeli_asr", str(corpora["jeli"]), "--jeli_subset", "bam-asr-oza",
               "--jeli_dev_permille", "300", "--asr_extra_sources", f"{corpora['early']} {corpora['kunkado']}", "--stage", "1", "--stop_stage", "6",
               "--src_nbpe", "60", "--tgt_nbpe", "60", "--nj", "1")
    extra = read_table(recipe / "data" / "train_asr_extra" / "wav.scp")
    assert len(extra) == len(corpora["new"]) + 4
    (asr_exp,) = (recipe / "exp").glob("asr_train_asr_debug_*_plus_train_asr_extra")
    assert (asr_exp / "valid.acc.ave.pth").is_file()
    train_scp = read_table(next((recipe / "dump" / "raw").glob("*_asr_plus_train_asr_extra")) / "wav.scp")
    assert set(extra) <= set(train_scp) and len(train_scp) == len(extra) + len(read_table(recipe / "data" / "train" / "wav.scp"))
