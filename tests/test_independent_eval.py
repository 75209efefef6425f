"""Evaluation that is not circular: the TF-IDF embedder, AMI, slot recall split by combination."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from espnet_lau.data.mini.grammar import meaning_from_id, slots_from_meanings
from espnet_lau.evaluation.clustering import cluster_scores
from espnet_lau.evaluation.semantic_eval import run_semantic_eval
from espnet_lau.evaluation.semantic_report import semantic_markdown
from espnet_lau.evaluation.slot_recall import slot_recall
from espnet_lau.evaluation.tfidf_embedder import TfidfCharEmbedder

REFS = {"a": "il pleut à bamako", "b": "il neige à ségou", "c": "je mange du riz", "d": "awa mange du mil"}
HYPS = {"a": "il pleut à bamako", "b": "il pleut à ségou", "c": "je mange du mil", "d": "awa boit du lait"}
TOPICS = {"a": "weather", "b": "weather", "c": "food", "d": "food"}


def test_tfidf_embedder_is_fit_on_the_references_only():
    emb = TfidfCharEmbedder(list(REFS.values()))
    expected = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit(list(REFS.values()))
    np.testing.assert_allclose(emb.encode(["il pleut"]), expected.transform(["il pleut"]).toarray(), rtol=1e-6)
    assert emb.dim == len(expected.vocabulary_)
    # A system's words outside the references' n-grams change nothing in the space.
    assert np.allclose(emb.encode(["qqqq"]), 0.0)
    rows = emb.encode(list(REFS.values()))
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0)


def test_ami_is_100_for_separable_and_near_zero_for_random_clusters():
    rng = np.random.default_rng(0)
    labels = ["x"] * 20 + ["y"] * 20
    separable = np.concatenate([rng.normal(5, 0.1, (20, 3)), rng.normal(-5, 0.1, (20, 3))])
    out = cluster_scores(separable, labels, seeds=[0], n_init=2)
    assert out["ami"]["mean"] == pytest.approx(100.0)
    noise = cluster_scores(rng.normal(size=(40, 3)), labels, seeds=[0, 1, 2], n_init=2)
    assert abs(noise["ami"]["mean"]) < 10.0 < noise["ami"]["mean"] + 100  # chance level is 0


def test_semantic_eval_reports_both_embedders():
    class Teacher:
        name, dim, fingerprint = "fake-teacher", 2, "fake"

        def encode(self, texts):
            return np.array([[("pleut" in t or "neige" in t) + 0.1, ("mange" in t) + 0.1] for t in texts])

    result = run_semantic_eval(HYPS, REFS, topics=TOPICS, encoder=Teacher(), seeds=[0], n_init=2)
    assert result["clustering"]["embedder"] == "fake-teacher"
    assert result["clustering_independent"]["embedder"] == "tfidf-char(2-4)"
    assert "ami" in result["clustering_independent"]["hyp"]
    assert result["similarity_independent"]["mean_cosine"] < 1.0  # outputs differ from references
    md = semantic_markdown(result)
    assert "Topic clustering [tfidf-char(2-4)]" in md and "Topic clustering [fake-teacher]" in md
    off = run_semantic_eval(HYPS, REFS, topics=TOPICS, encoder=Teacher(), seeds=[0], n_init=2,
                            independent_embedder=False)
    assert "clustering_independent" not in off


def test_slot_recall_hand_worked_and_split_by_combination():
    m1, m2 = "market_buy:subj=musa,good=malo", "weather_rain:place=bamako,ftime=sini"
    assert meaning_from_id(m1).french()[0] == "Moussa achète du riz au marché."
    hyps = {"u1": "Moussa achète du mil au marché.", "u2": "Il va pleuvoir à Bamako demain."}
    out = slot_recall(hyps, slots_from_meanings({"u1": m1, "u2": m2}), {"u1": "seen", "u2": "unseen"})
    assert (out["n_slots"], out["n_found"]) == (4, 3) and out["recall"] == 75.0
    assert out["by_combination"]["seen"]["recall"] == 50.0  # Moussa yes, riz no
    assert out["by_combination"]["unseen"]["recall"] == 100.0
    # "il" in an output is not the rendering of a subject.
    assert slot_recall({"u": "il achète du riz"}, slots_from_meanings({"u": m1}))["n_found"] == 1
    with pytest.raises(ValueError, match="not a mini-corpus meaning id"):
        slots_from_meanings({"u": "nonsense"})
