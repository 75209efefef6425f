"""The SYNTHETIC mini corpus: grammar, Kaldi dirs, speakers, splits, noise, semantics, audio,
determinism, re-runs, local/data.sh; plus the Kaldi data-dir writer/validator."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile

from espnet_lau.data import kaldi_dir
from espnet_lau.data.datadir_check import check_disjoint_sets, validate_data_dir
from espnet_lau.data.jsonl import read_jsonl
from espnet_lau.data.kaldi_table import KaldiDataDirError, read_table
from espnet_lau.data.mini import MiniCorpusConfig, generate_mini_corpus, prepare_mini_corpus
from espnet_lau.data.mini.config import EXTRA_ASR_SET
from espnet_lau.data.mini.corpus import REFERENCE_FILES
from espnet_lau.data.mini.free_translations import FREE_TRANSLATIONS
from espnet_lau.data.mini.generate import split_combinations
from espnet_lau.data.mini.grammar import (
    MAX_PARAPHRASES,
    NUM_PARAPHRASES,
    all_meanings,
    meaning_from_id,
    slots_from_meanings,
)
from espnet_lau.data.mini.lexicon import SLOTS
from espnet_lau.data.mini.noise import add_translation_noise
from espnet_lau.data.mini.templates import TEMPLATES, TOPICS
from espnet_lau.data.slots import SLOTS_FILE, read_slots
from espnet_lau.data.synthesis import EspeakSynthesizer, SynthesisError, SynthesisJob, Voice

REPO = Path(__file__).resolve().parents[1]
DATA_SH = REPO / "egs2" / "bambara_fr" / "st1" / "local" / "data.sh"
SEED = 1
EXTRA = 6
CONFIG = MiniCorpusConfig(seed=SEED, size="tiny", asr_extra_utts=EXTRA)
SETS = ("train", "dev", "test")
UTTID = re.compile(r"^(spk\d\d)-(train|dev|test|train_asr_extra)-\d{6}$")


@pytest.fixture(scope="module")
def data_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mini") / "data"
    prepare_mini_corpus(root, CONFIG, nj=2, progress=False)
    return root


def _table(root: Path, dset: str, name: str):
    return read_table(root / dset / name)


def _snapshot(root: Path):
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------------------------------
# Grammar
# ---------------------------------------------------------------------------------------


def check_grammar() -> None:
    """Sanity checks of the lexicon and grammar.

    Raises:
        ValueError: on duplicate keys, a wrong number of paraphrases, or a paraphrase that
            contains none of the accepted QA answers.
    """
    topics = {t.topic for t in TEMPLATES}
    if topics != set(TOPICS):
        raise ValueError(f"topics {sorted(topics)} != {sorted(TOPICS)}")
    for slot, values in SLOTS.items():
        keys = [v.key for v in values]
        if len(set(keys)) != len(keys):
            raise ValueError(f"slot {slot}: duplicate keys {keys}")
    if set(FREE_TRANSLATIONS) != {t.name for t in TEMPLATES}:
        raise ValueError("FREE_TRANSLATIONS and TEMPLATES name different templates")
    for template in TEMPLATES:
        if len(template.french) != NUM_PARAPHRASES:
            raise ValueError(f"{template.name}: {len(template.french)} paraphrases, need {NUM_PARAPHRASES}")
        for meaning in all_meanings(template):
            paraphrases = meaning.paraphrases()
            if len(paraphrases) != MAX_PARAPHRASES or len(set(paraphrases)) != MAX_PARAPHRASES:
                raise ValueError(f"{meaning.id}: paraphrases are not distinct: {paraphrases}")
            answers = [a.lower() for a in meaning.qa()["answers"]]
            for p in paraphrases:
                if not any(a in p.lower() for a in answers):
                    raise ValueError(f"{meaning.id}: {p!r} contains none of the answers {answers}")


def test_grammar_is_consistent():
    check_grammar()  # distinct paraphrases, QA answers inside every paraphrase, topics
    assert len(TOPICS) >= 6
    assert {t.topic for t in TEMPLATES} == set(TOPICS)
    assert all(len(t.french) == NUM_PARAPHRASES == 3 for t in TEMPLATES)


def test_bambara_orthography_and_french():
    m = meaning_from_id("market_buy:subj=n,good=malo")
    assert m.bambara() == "n bɛ malo san sugu la"
    assert m.french()[0] == "J'achète du riz au marché."
    assert m.qa() == {"question": "Qu'est-ce que la personne achète au marché ?", "answers": ["du riz", "riz"]}
    letters = set("".join(meaning_from_id(u).bambara() for u in (
        "health_pain:subj=musa,part=nyin", "market_price:good=jege,price=500")))
    assert {"ɛ", "ɔ", "ɲ"} <= letters


def test_heldout_values_are_seen_in_train_pool():
    pool, heldout = split_combinations(SEED, 0.15)
    assert heldout
    seen = {(t, slot, v.key) for m in pool for slot, v in m.values for t in [m.template.name]}
    for m in heldout:
        for slot, v in m.values:
            assert (m.template.name, slot, v.key) in seen, m.id
    assert not {m.id for m in pool} & {m.id for m in heldout}


def test_noise_changes_text():
    import random

    rng = random.Random(0)
    text = "Moussa achète du riz au marché."
    for _ in range(50):
        noisy, kind = add_translation_noise(text, rng, avoid=[text])
        assert noisy != text and kind in ("drop", "swap")
        n_words, n_noisy = len(text.split()), len(noisy.split())
        assert n_noisy == (n_words - 1 if kind == "drop" else n_words)


def test_generation_is_deterministic_by_seed():
    def texts(seed):
        corpus = generate_mini_corpus(MiniCorpusConfig(seed=seed, size="tiny"))
        return {s: [(u.uttid, u.bambara, u.target) for u in utts] for s, utts in corpus.items()}

    assert texts(SEED) == texts(SEED)
    assert texts(SEED) != texts(SEED + 1)


# ---------------------------------------------------------------------------------------
# The generated data directories
# ---------------------------------------------------------------------------------------


def test_kaldi_dirs_are_valid(data_root):
    for dset in (*SETS, EXTRA_ASR_SET):
        summary = validate_data_dir(data_root / dset, check_wav_files=True)
        assert len(summary.uttids) == CONFIG.counts()[dset]
        for uttid in summary.uttids:
            match = UTTID.match(uttid)
            assert match and match.group(2) == dset, uttid
    for dset in SETS:
        names = {p.name for p in (data_root / dset).iterdir()}
        assert {"wav.scp", "text.tc.fr", "text.tc.bam", "utt2spk", "spk2utt", "topic", "qa.jsonl", "utt2dur"} <= names
    extra = {p.name for p in (data_root / EXTRA_ASR_SET).iterdir()}
    assert {"wav.scp", "text.tc.bam", "utt2spk", "spk2utt"} <= extra and "text.tc.fr" not in extra
    readme = (data_root / "README.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme
    info = json.loads((data_root / "dev" / "corpus.json").read_text(encoding="utf-8"))
    assert info["synthetic"] is True and "SYNTHETIC" in info["corpus"]
    assert info["references"] == list(REFERENCE_FILES)


def test_speakers(data_root):
    spk = {dset: set(_table(data_root, dset, "spk2utt")) for dset in (*SETS, EXTRA_ASR_SET)}
    assert len(spk["train"] | spk["dev"] | spk["test"]) >= 12
    assert not spk["train"] & spk["dev"]
    assert not spk["train"] & spk["test"]
    assert not spk["dev"] & spk["test"]
    assert spk[EXTRA_ASR_SET] <= spk["train"]
    for dset in ("dev", "test"):  # both genders in each evaluation set
        assert set(_table(data_root, dset, "spk2gender").values()) == {"f", "m"}
    for dset in SETS:
        for utt, s in _table(data_root, dset, "utt2spk").items():
            assert UTTID.match(utt).group(1) == s


def test_test_has_unseen_combinations(data_root):
    train = set(_table(data_root, "train", "utt2meaning").values())
    test = set(_table(data_root, "test", "utt2meaning").values())
    _, heldout = split_combinations(SEED, CONFIG.heldout_rate)
    heldout_ids = {m.id for m in heldout}
    unseen = test - train
    assert unseen & heldout_ids
    assert not train & heldout_ids
    assert not set(_table(data_root, EXTRA_ASR_SET, "utt2meaning").values()) & heldout_ids


def test_references(data_root):
    for dset in ("dev", "test"):
        meanings = _table(data_root, dset, "utt2meaning")
        refs = [_table(data_root, dset, name) for name in REFERENCE_FILES]
        bam = _table(data_root, dset, "text.tc.bam")
        for utt, meaning_id in meanings.items():
            meaning = meaning_from_id(meaning_id)
            assert [r[utt] for r in refs] == meaning.french()
            assert len({r[utt] for r in refs}) == NUM_PARAPHRASES
            assert bam[utt] == meaning.bambara()


def test_train_targets_and_noise_rate(data_root):
    text = _table(data_root, "train", "text.tc.fr")
    noise = _table(data_root, "train", "utt2noise")
    meanings = _table(data_root, "train", "utt2meaning")
    counts = Counter(noise.values())
    n = len(text)
    assert counts["drop"] + counts["swap"] == round(CONFIG.noise_rate * n)
    assert abs((counts["drop"] + counts["swap"]) / n - CONFIG.noise_rate) < 0.05
    chosen = Counter()
    for utt, target in text.items():
        paraphrases = meaning_from_id(meanings[utt]).french()
        if noise[utt] == "none":
            assert target in paraphrases
            chosen[paraphrases.index(target)] += 1
        else:
            assert target not in paraphrases
    assert len(chosen) == NUM_PARAPHRASES  # every paraphrase slot is used as a target


def test_topics_and_qa(data_root):
    for dset in SETS:
        topics = _table(data_root, dset, "topic")
        meanings = _table(data_root, dset, "utt2meaning")
        refs = [_table(data_root, dset, n) for n in (REFERENCE_FILES if dset != "train" else ("text.tc.fr",))]
        noise = _table(data_root, dset, "utt2noise") if dset == "train" else {}
        qa = {r["id"]: r for r in read_jsonl(data_root / dset / "qa.jsonl")}
        assert set(qa) == set(topics) == set(meanings)
        for utt, meaning_id in meanings.items():
            meaning = meaning_from_id(meaning_id)
            assert topics[utt] == meaning.topic in TOPICS
            record = qa[utt]
            assert record["question"].endswith("?") and record["answers"]
            for ref in refs:
                if noise.get(utt, "none") == "none":
                    assert any(a.lower() in ref[utt].lower() for a in record["answers"]), (utt, ref[utt])


def test_every_set_holds_the_slots_of_its_meanings(data_root):
    """utt2slots (the gold of slot recall, read without the generator) is what the grammar
    renders for each utterance's meaning."""
    for dset in (*SETS, EXTRA_ASR_SET):
        slots = read_slots(data_root / dset / SLOTS_FILE)
        assert slots == slots_from_meanings(_table(data_root, dset, "utt2meaning"))
        info = json.loads((data_root / dset / "corpus.json").read_text(encoding="utf-8"))
        assert SLOTS_FILE in info["files"]
    assert SLOTS_FILE in (data_root / "README.txt").read_text(encoding="utf-8")


def test_wav_files(data_root):
    durations = []
    for dset in (*SETS, EXTRA_ASR_SET):
        utt2dur = _table(data_root, dset, "utt2dur")
        for utt, path in _table(data_root, dset, "wav.scp").items():
            assert os.path.isabs(path) and Path(path) == data_root / "wav" / dset / f"{utt}.wav"
            info = soundfile.info(path)
            assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
            assert abs(info.duration - float(utt2dur[utt])) < 1e-3
            samples, _ = soundfile.read(path, dtype="float32")
            assert np.sqrt(np.mean(samples**2)) > 0.01, f"{path} is (nearly) silent"
            durations.append(info.duration)
    assert 1.0 < min(durations) and max(durations) < 5.0


def test_rerun_is_a_noop(data_root):
    before = _snapshot(data_root)
    prepare_mini_corpus(data_root, CONFIG, nj=2, progress=False)
    assert _snapshot(data_root) == before


def test_changed_wav_is_regenerated(data_root, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(data_root, root)
    victim = next(iter(_table(root, "dev", "wav.scp")))
    manifest = json.loads((data_root / "wav" / "dev" / ".manifest.json").read_text())
    manifest[victim] = "stale"
    (root / "wav" / "dev" / ".manifest.json").write_text(json.dumps(manifest))
    prepare_mini_corpus(root, MiniCorpusConfig(seed=SEED, size="tiny", asr_extra_utts=EXTRA), nj=1, progress=False)
    # wav.scp now points into the copy, the regenerated file has the original content
    assert (root / "wav" / "dev" / f"{victim}.wav").read_bytes() == (data_root / "wav" / "dev" / f"{victim}.wav").read_bytes()
    assert json.loads((root / "wav" / "dev" / ".manifest.json").read_text())[victim] != "stale"


def test_data_sh_mini_tiny_is_deterministic(data_root, tmp_path):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    cmd = ["bash", str(DATA_SH), "--corpus", "mini", "--mini_size", "tiny", "--seed", str(SEED),
           "--mini_asr_extra_utts", str(EXTRA), "--nj", "2", "--python", sys.executable]
    out = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SYNTHETIC" in out.stdout
    for dset in (*SETS, EXTRA_ASR_SET):
        mine, theirs = tmp_path / "data" / dset, data_root / dset
        assert sorted(p.name for p in mine.iterdir()) == sorted(p.name for p in theirs.iterdir())
        for name in os.listdir(theirs):
            if name not in ("wav.scp", "corpus.json"):
                assert (mine / name).read_bytes() == (theirs / name).read_bytes(), f"{dset}/{name} differs"
        assert list(read_table(mine / "wav.scp")) == list(read_table(theirs / "wav.scp"))
        assert all(p.startswith(str(tmp_path)) for p in read_table(mine / "wav.scp").values())
    for utt in read_table(data_root / "test" / "wav.scp"):  # the audio is bit-exact too
        wav = Path("wav") / "test" / f"{utt}.wav"
        assert (tmp_path / "data" / wav).read_bytes() == (data_root / wav).read_bytes()


def test_data_sh_rejects_unknown_options(tmp_path):
    out = subprocess.run(["bash", str(DATA_SH), "--no_such_option", "1"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode != 0 and "unknown option --no_such_option" in out.stderr
    out = subprocess.run(["bash", str(DATA_SH), "--extra_asr", "3"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode != 0 and "--extra_asr was renamed --mini_asr_extra_utts" in out.stderr
    out = subprocess.run(["bash", str(DATA_SH), "--help"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0 and "--jeli_subset" in out.stdout and not (tmp_path / "data").exists()


# ---------------------------------------------------------------------------------------
# Synthesis errors
# ---------------------------------------------------------------------------------------


def test_failing_espeak_names_utterance_and_stderr(tmp_path):
    synthesizer = EspeakSynthesizer(progress=False)
    job = SynthesisJob("spk99-dev-000001", "n be malo san", Voice("nosuchvoice"))
    with pytest.raises(SynthesisError, match=r"spk99-dev-000001.*espeak-ng.*does not exist"):
        synthesizer.synthesize([job], tmp_path / "wav")
    assert not list((tmp_path / "wav").glob("*.wav"))


# ---------------------------------------------------------------------------------------
# Kaldi data-dir writer and validator
# ---------------------------------------------------------------------------------------


def _copy_set(data_root: Path, tmp_path: Path, dset: str = "dev") -> Path:
    target = tmp_path / dset
    shutil.copytree(data_root / dset, target)
    return target


def test_validator_names_file_and_utterance(data_root, tmp_path):
    d = _copy_set(data_root, tmp_path)
    lines = (d / "text.tc.fr.ref2").read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = lines[3].split()[0]
    (d / "text.tc.fr.ref2").write_text("".join(lines[:3] + lines[4:]), encoding="utf-8")
    with pytest.raises(KaldiDataDirError, match=rf"text.tc.fr.ref2: utterance '{dropped}' is in wav.scp but not in text.tc.fr.ref2"):
        validate_data_dir(d)

    d = _copy_set(data_root, tmp_path / "unsorted")
    lines = (d / "topic").read_text(encoding="utf-8").splitlines(keepends=True)
    (d / "topic").write_text("".join([lines[1], lines[0], *lines[2:]]), encoding="utf-8")
    with pytest.raises(KaldiDataDirError, match=r"topic:2: utterance .* not sorted"):
        validate_data_dir(d)

    d = _copy_set(data_root, tmp_path / "qa")
    records = (d / "qa.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    missing = json.loads(records[-1])["id"]
    (d / "qa.jsonl").write_text("".join(records[:-1]), encoding="utf-8")
    with pytest.raises(KaldiDataDirError, match=rf"qa.jsonl: utterance '{missing}' has no record"):
        validate_data_dir(d)

    d = _copy_set(data_root, tmp_path / "spk")
    lines = (d / "spk2utt").read_text().splitlines()
    lines[0] = lines[0].rsplit(" ", 1)[0]  # the first speaker loses its last utterance
    (d / "spk2utt").write_text("\n".join(lines) + "\n")
    with pytest.raises(KaldiDataDirError, match=r"spk2utt: speaker .* does not match utt2spk"):
        validate_data_dir(d)


def test_writer_returns_the_summary_of_its_own_validation(tmp_path):
    """Callers take the summary from the write instead of validating the directory again."""
    d = tmp_path / "set"
    utts = [
        kaldi_dir.Utterance("b-2", "/x/b2.wav", "b", {"text": "deux"}),
        kaldi_dir.Utterance("a-1", "/x/a1.wav", "a", {"text": "un"}),
    ]
    written = kaldi_dir.write_data_dir(d, utts, spk2gender={"a": "f", "b": "m"})
    assert written.summary == validate_data_dir(d)
    assert written.summary.uttids == ["a-1", "b-2"] and written.summary.speakers == ["a", "b"]
    again = kaldi_dir.write_data_dir(d, utts, spk2gender={"a": "f", "b": "m"})  # nothing to write
    assert again.changed == [] and again.summary == written.summary


def test_writer_is_atomic_sorted_and_removes_stale_files(tmp_path):
    d = tmp_path / "set"
    utts = [
        kaldi_dir.Utterance("b-2", "/x/b2.wav", "b", {"text": "deux", "extra": "y"}),
        kaldi_dir.Utterance("a-1", "/x/a1.wav", "a", {"text": "un", "extra": "x"}),
    ]
    changed = kaldi_dir.write_data_dir(d, utts, corpus_info={"corpus": "t"}).changed
    assert (d / "text").read_text() == "a-1 un\nb-2 deux\n"
    assert (d / "spk2utt").read_text() == "a a-1\nb b-2\n"
    assert "text" in changed and not list(d.glob(".*.tmp"))
    assert kaldi_dir.write_data_dir(d, utts, corpus_info={"corpus": "t"}).changed == []  # same content: untouched
    kaldi_dir.write_data_dir(d, [kaldi_dir.Utterance(u.uttid, u.wav, u.speaker, {"text": "z"}) for u in utts])
    assert not (d / "extra").exists()  # written by the first call, not by this one
    with pytest.raises(KaldiDataDirError, match=r"text: utterance 'a-1': no value"):
        kaldi_dir.write_data_dir(d, [kaldi_dir.Utterance("a-1", "/x", "a"), kaldi_dir.Utterance("b-2", "/x", "b", {"text": "t"})])
    with pytest.raises(KaldiDataDirError, match=r"utterance 'a-1': value contains a line break"):
        kaldi_dir.write_data_dir(d, [kaldi_dir.Utterance("a-1", "/x", "a", {"text": "x\ny"})])


def test_corruption_log_and_combination_files(data_root):
    train = set(_table(data_root, "train", "utt2meaning").values())
    target_meaning = _table(data_root, "train", "utt2target_meaning")
    assert target_meaning == _table(data_root, "train", "utt2meaning")  # no label noise by default
    for dset in ("dev", "test"):
        combination = _table(data_root, dset, "utt2combination")
        assert set(combination.values()) == {"seen", "unseen"}
        for utt, meaning_id in _table(data_root, dset, "utt2meaning").items():
            if combination[utt] == "unseen":  # a held-out combination: never in train
                assert meaning_id not in train
    assert set(_table(data_root, "train", "utt2source_variant").values()) == {"canonical"}


def test_a_data_dir_failing_validation_leaves_the_previous_one_intact(tmp_path):
    """The new directory is built and validated beside the old one; only a valid one replaces it."""
    d = tmp_path / "set"
    good = [kaldi_dir.Utterance("a-1", "/x/a1.wav", "a", {"text": "un"})]
    kaldi_dir.write_data_dir(d, good)
    (d / "wav").mkdir()
    (d / "wav/a-1.wav").write_bytes(b"RIFF")  # another tool's folder inside the data dir
    before = {p.name: p.read_bytes() for p in d.iterdir() if p.is_file()}
    # utt2spk says speaker 'b' for 'a-1': only the validation of the whole directory finds it
    bad = [kaldi_dir.Utterance("a-1", "/x/a1.wav", "b", {"text": "deux"})]
    with pytest.raises(KaldiDataDirError, match=rf"{d}/utt2spk: .*'a-1' does not start .*nothing written"):
        kaldi_dir.write_data_dir(d, bad)
    assert {p.name: p.read_bytes() for p in d.iterdir() if p.is_file()} == before
    assert (d / "wav/a-1.wav").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set"]  # no staging folder left
    with pytest.raises(KaldiDataDirError, match=r"wav.scp: utterance 'a-1': no such file /x/a1.wav"):
        kaldi_dir.write_data_dir(d, [kaldi_dir.Utterance("a-1", "/x/a1.wav", "a", {"text": "deux"})],
                                 check_wav_files=True)
    assert (d / "text").read_text() == "a-1 un\n"
    # a valid one replaces it, keeping the wav folder
    kaldi_dir.write_data_dir(d, [kaldi_dir.Utterance("a-1", "/x/a1.wav", "a", {"text": "deux"})])
    assert (d / "text").read_text() == "a-1 deux\n" and (d / "wav/a-1.wav").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set"]


def test_a_swap_killed_between_its_renames_is_recovered(tmp_path):
    d = tmp_path / "set"
    kaldi_dir.write_data_dir(d, [kaldi_dir.Utterance("a-1", "/x/a1.wav", "a", {"text": "un"})])
    d.rename(tmp_path / ".set.old")  # killed after the first rename
    kaldi_dir.write_data_dir(d, [kaldi_dir.Utterance("a-1", "/x/a1.wav", "a", {"text": "un"})])
    assert (d / "text").read_text() == "a-1 un\n" and not (tmp_path / ".set.old").exists()


def test_the_sets_share_no_utterance_and_no_recording(data_root):
    check_disjoint_sets(sorted(p.parent for p in data_root.glob("*/wav.scp")))
