"""Semantic preservation of ST outputs: topic clustering, LLM-QA accuracy, keyword
recall, slot recall and embedding similarity, each usable alone, gathered in one report.

Clustering and similarity are computed with the sentence encoder given (usually the
training teacher) and, under ``clustering_independent`` / ``similarity_independent``,
with an embedder that no training teacher shares (TF-IDF character n-grams,
:mod:`espnet_lau.evaluation.tfidf_embedder`), because the teacher's own space flatters
a model trained toward it. Every block names its ``embedder``.

Every measure's block in the report has ``"status": "ok"``, ``"skipped"`` (with a
``"reason"``), or, for a measure that needs LLM calls, ``"partial"`` / ``"failed"`` when
any of them failed, with the counts and no score: a number computed from failed calls
would pass for a result. A skipped or failed measure never stops the others.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Optional, Protocol, Sequence

import numpy as np

from espnet_lau.evaluation.clustering import cluster_scores
from espnet_lau.evaluation.kaldi_text import check_same_ids, check_subset_ids
from espnet_lau.evaluation.keyword_recall import keyword_recall
from espnet_lau.evaluation.llm import LLMClient, LLMUnavailable
from espnet_lau.evaluation.qa import QAItem, QAPrompts, generate_qa, qa_accuracy
from espnet_lau.evaluation.similarity import embedding_similarity
from espnet_lau.evaluation.slot_recall import slot_recall
from espnet_lau.evaluation.tfidf_embedder import TfidfCharEmbedder
from espnet_lau.evaluation.topic_label import label_topics
from espnet_lau.text.normalization import TextNormalizer

MEASURES = ("clustering", "qa", "keywords", "slots", "similarity")
#: Blocks computed with the independent embedder, next to their teacher twins.
INDEPENDENT = {"clustering": "clustering_independent", "similarity": "similarity_independent"}
NO_LLM_REASON = "no LLM backend given: pass --llm_url/--llm_model or --llm_hf"
NO_TEACHER_REASON = "no sentence encoder given (--teacher)"


class SentenceEncoder(Protocol):
    """What the measures need from a teacher (``espnet_lau.teachers.base``)."""

    def encode(self, texts: List[str]) -> np.ndarray:  # (N, E)
        ...


def _skipped(reason: str) -> Dict[str, str]:
    logging.info("skipped: %s", reason)
    return {"status": "skipped", "reason": reason}


def llm_failures(block: Dict[str, Any], n_failed: int, n_calls: int, score_keys: Sequence[str]) -> Dict[str, Any]:
    """Mark ``block`` ``partial`` or ``failed`` when LLM calls failed; its scores become None."""
    if n_failed == 0:
        return block
    status = "failed" if n_failed >= n_calls else "partial"
    logging.warning("%s: %d of %d LLM-dependent items failed: no score", status, n_failed, n_calls)
    return {**block, "status": status, "n_llm_failed": n_failed, "n_llm_items": n_calls,
            **{key: None for key in score_keys}}


def encoder_info(encoder: Optional[SentenceEncoder]) -> Optional[Dict[str, Any]]:
    """``name``, ``dim`` and ``fingerprint`` of an encoder when it has them."""
    if encoder is None:
        return None
    return {k: getattr(encoder, k, None) for k in ("name", "dim", "fingerprint")}


def run_semantic_eval(
    hyps: Mapping[str, str],
    refs: Mapping[str, str],
    topics: Optional[Mapping[str, str]] = None,
    qa_items: Optional[Sequence[QAItem]] = None,
    encoder: Optional[SentenceEncoder] = None,
    llm: Optional[LLMClient] = None,
    topic_list: Optional[Sequence[str]] = None,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    n_init: int = 20,
    n_clusters: Optional[int] = None,
    normalizer: Optional[TextNormalizer] = None,
    measures: Sequence[str] = MEASURES,
    prompts: Optional[QAPrompts] = None,
    independent_embedder: bool = True,
    slots: Optional[Mapping[str, Mapping[str, Sequence[str]]]] = None,
    combinations: Optional[Mapping[str, str]] = None,
) -> Dict[str, Any]:
    """Compute the requested semantic measures.

    Args:
        hyps: ``{uttid: system output}``.
        refs: ``{uttid: reference}``; same ids as ``hyps``.
        topics: gold ``{uttid: topic}`` (a subset of the utterances is allowed).
        qa_items: gold questions; ``None`` → generated from the references by ``llm``.
        encoder: sentence encoder for clustering and similarity.
        llm: LLM client for QA (and topic labels when ``topics`` is ``None`` and
            ``topic_list`` is given).
        topic_list: closed topic list for LLM topic labelling.
        seeds: KMeans seeds. n_init: KMeans restarts.
        n_clusters: K; default the number of distinct gold topics.
        normalizer: applied to outputs and references first (default ``TextNormalizer()``).
        measures: a subset of ``MEASURES``.
        independent_embedder: also compute clustering and similarity with TF-IDF
            character n-grams fitted on the references.
        slots: mini-corpus ``{uttid: {slot: [renderings]}}`` (``utt2slots``) for slot
            recall; combinations: ``{uttid: seen | unseen}`` to split it.

    Returns:
        The ``semantic_eval.json`` dictionary; QA per-question details under
        ``qa["details"]`` and generated questions under ``qa["generated"]``.
    """
    unknown = set(measures) - set(MEASURES)
    if unknown:
        raise ValueError(f"unknown measures {sorted(unknown)}; choose from {MEASURES}")
    normalizer = TextNormalizer() if normalizer is None else normalizer
    uttids = check_same_ids(refs, hyps, "references", "hypotheses")
    hyp = {u: normalizer(hyps[u]) for u in uttids}
    ref = {u: normalizer(refs[u]) for u in uttids}
    prompts = prompts or QAPrompts()
    result: Dict[str, Any] = {
        "n_utts": len(uttids),
        "normalization": normalizer.describe(),
        "teacher": encoder_info(encoder),
        "llm": {**llm.backend.describe(), "prompts": prompts.ids()} if llm else None,
    }

    # Embeddings are computed once per embedder for clustering and similarity.
    embedders: Dict[str, SentenceEncoder] = {}
    if encoder is not None:
        embedders["teacher"] = encoder
    if independent_embedder:
        embedders["independent"] = TfidfCharEmbedder([ref[u] for u in uttids])
    cache: Dict[str, Dict[str, np.ndarray]] = {}

    def embeddings(which: str) -> Dict[str, np.ndarray]:
        if which not in cache:
            enc = embedders[which]
            cache[which] = {
                side: np.asarray(enc.encode([texts[u] for u in uttids]), dtype=np.float32)
                for side, texts in (("hyp", hyp), ("ref", ref))
            }
        return cache[which]

    def embedder_name(which: str) -> Optional[str]:
        return getattr(embedders[which], "name", None)

    # --- QA (first: generated keywords feed keyword recall).
    generated = None
    unavailable: Optional[str] = None  # set when the LLM endpoint stopped answering
    if "qa" in measures or "keywords" in measures:
        if qa_items is not None:
            check_subset_ids((q.uttid for q in qa_items), hyp, "the QA file", "the hypotheses")
        elif llm is not None:
            try:
                generated = generate_qa(ref, llm, prompts)
                qa_items = generated.items
            except LLMUnavailable as exc:
                unavailable = str(exc)
    if "qa" in measures:
        qa = None
        if llm is not None and qa_items and unavailable is None:
            try:
                qa = qa_accuracy(qa_items, hyp, ref, llm, prompts)
            except LLMUnavailable as exc:
                unavailable = str(exc)
        if llm is None:
            result["qa"] = _skipped(NO_LLM_REASON)
        elif unavailable is not None:
            result["qa"] = {"status": "failed", "reason": unavailable, "accuracy": None}
        elif not qa_items:
            result["qa"] = (_skipped("no question: the QA file is empty") if generated is None else
                            {"status": "failed", "reason": "the LLM generated no question",
                             "n_llm_failed": generated.n_failed_utts, "n_llm_items": generated.n_failed_utts,
                             "accuracy": None})
        else:
            result["qa"] = {
                "status": "ok",
                "source": "gold" if generated is None else "llm",
                **qa,
            }
            n_failed = qa["n_failed"] + (generated.n_failed_utts if generated is not None else 0)
            n_items = qa["n_questions"] + (generated.n_failed_utts if generated is not None else 0)
            result["qa"] = llm_failures(result["qa"], n_failed, n_items, ("accuracy", "accuracy_valid"))
            if generated is not None:
                result["qa"]["n_failed_generation"] = generated.n_failed_utts
                result["qa"]["generated"] = [
                    {"id": q.uttid, "question": q.question, "answers": q.answers}
                    for q in generated.items
                ]

    # --- Keyword / answer recall.
    if "keywords" in measures:
        if generated is not None and generated.keywords:
            units = {u: [[k] for k in kws] for u, kws in generated.keywords.items()}
            source = "llm keywords"
        elif qa_items:
            units = {}
            for q in qa_items:
                units.setdefault(q.uttid, []).append(q.answers)
            source = "gold answers" if generated is None else "llm answers"
        else:
            units = None
        if units is None and unavailable is not None:
            result["keywords"] = {"status": "failed", "reason": unavailable, "recall": None}
        elif units is None:
            result["keywords"] = _skipped(
                "no keywords: give --qa (gold answers) or an LLM backend (generated keywords)"
            )
        else:
            try:
                result["keywords"] = {
                    "status": "ok", "source": source,
                    **keyword_recall(hyp, units, normalizer),
                }
                if generated is not None:
                    n_refs = sum(1 for text in ref.values() if text.strip())
                    result["keywords"] = llm_failures(result["keywords"], generated.n_failed_utts, n_refs,
                                                      ("recall", "utt_macro"))
            except ValueError as e:
                result["keywords"] = _skipped(str(e))

    # --- Slot recall (the mini corpus's utt2slots).
    if "slots" in measures:
        if slots is None:
            result["slots"] = _skipped("no slots: give --slots (utt2slots of the mini corpus)")
        else:
            check_subset_ids(slots, hyp, "the slots file", "the hypotheses")
            result["slots"] = {"status": "ok", **slot_recall(hyp, slots, combinations, normalizer)}

    # --- Topic clustering.
    if "clustering" in measures:
        labels_source = "gold"
        n_label_failures = 0
        label_error = None
        if topics is None and llm is not None and topic_list:
            try:
                topics, n_label_failures = label_topics(ref, llm, topic_list)
            except LLMUnavailable as exc:
                label_error = str(exc)
            labels_source = "llm"
        if label_error is not None:
            for key in ("clustering", *(["clustering_independent"] if independent_embedder else [])):
                result[key] = {"status": "failed", "reason": label_error, "hyp": None, "ref": None}
        elif topics is None:
            result["clustering"] = _skipped(
                "no topic labels: give --topic (uttid label), or --topic_list with an LLM backend"
            )
        else:
            check_subset_ids(topics, hyp, "the topic file", "the hypotheses")
            idx = [i for i, u in enumerate(uttids) if u in topics]
            labels = [topics[uttids[i]] for i in idx]
            if encoder is None:
                result["clustering"] = _skipped(NO_TEACHER_REASON)
            for which in embedders:
                key = "clustering" if which == "teacher" else INDEPENDENT["clustering"]
                try:
                    e = embeddings(which)
                    result[key] = {
                        "status": "ok",
                        "embedder": embedder_name(which),
                        "labels_source": labels_source,
                        "n_unlabelled": len(uttids) - len(idx),
                        "n_label_failures": n_label_failures,
                        "hyp": cluster_scores(e["hyp"][idx], labels, n_clusters, seeds, n_init),
                        "ref": cluster_scores(e["ref"][idx], labels, n_clusters, seeds, n_init),
                    }
                    result[key] = llm_failures(result[key], n_label_failures, len(uttids), ("hyp", "ref"))
                except ValueError as err:
                    result[key] = _skipped(str(err))

    # --- Embedding similarity.
    if "similarity" in measures:
        if encoder is None:
            result["similarity"] = _skipped(NO_TEACHER_REASON)
        for which in embedders:
            key = "similarity" if which == "teacher" else INDEPENDENT["similarity"]
            e = embeddings(which)
            result[key] = {"status": "ok", "embedder": embedder_name(which),
                           **embedding_similarity(e["hyp"], e["ref"])}

    if llm is not None:
        result["llm"]["stats"] = llm.stats.as_dict()
    return result
