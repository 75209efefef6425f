"""The Markdown report of a semantic evaluation (:func:`~espnet_lau.evaluation.semantic_eval.run_semantic_eval`)."""

from __future__ import annotations

from typing import Any, Mapping

from espnet_lau.evaluation.statistics import format_mean_std


def failure_text(block: Mapping[str, Any]) -> str:
    """``n/a (k of n failed)`` for a partial or failed block."""
    if "n_llm_failed" in block:
        return f"n/a ({block['n_llm_failed']} of {block['n_llm_items']} failed)"
    return f"n/a ({block.get('reason', 'failed')})"



_TITLES = {
    "clustering": "Topic clustering",
    "clustering_independent": "Topic clustering",
    "qa": "QA accuracy",
    "keywords": "Keyword recall",
    "slots": "Slot recall",
    "similarity": "Embedding similarity",
    "similarity_independent": "Embedding similarity",
}
_REPORT_ORDER = ("clustering", "clustering_independent", "qa", "keywords", "slots",
                 "similarity", "similarity_independent")


def semantic_markdown(result: Mapping[str, Any]) -> str:
    """A Markdown report of a :func:`run_semantic_eval` result."""
    lines = [
        "# Semantic evaluation",
        "",
        f"- utterances: {result['n_utts']}",
        f"- text normalisation: {result['normalization']}",
    ]
    if result.get("teacher"):
        t = result["teacher"]
        lines.append(
            f"- sentence encoder: {t.get('name')} (dim {t.get('dim')}, {t.get('fingerprint')})"
        )
    if result.get("llm"):
        llm = result["llm"]
        prompts_used = ", ".join(llm["prompts"].values())
        lines.append(f"- LLM: {llm['model']} ({llm['backend']}); prompts {prompts_used}")
        if "stats" in llm:
            s = llm["stats"]
            lines.append(
                "- LLM calls: {calls} ({cache_hits} from cache, {requests} requests, "
                "{retries} retries, {timeouts} timeouts, {http_errors} HTTP errors, "
                "{connection_errors} connection errors, {failures} failed calls, "
                "{json_repaired} JSON repaired, {json_failures} JSON failures)".format(**s)
            )
    lines.append("")
    for key in _REPORT_ORDER:
        block = result.get(key)
        if block is None:
            continue
        title = _TITLES[key] + (f" [{block['embedder']}]" if block.get("embedder") else "")
        if block["status"] == "skipped":
            lines.append(f"{title}: skipped ({block['reason']})")
            lines.append("")
            continue
        if block["status"] in ("partial", "failed"):
            lines.append(f"{title}: {failure_text(block)}, {block['status']}"
                         + (f": {block['reason']}" if block.get("reason") else "; no score from failed calls"))
            lines.append("")
            continue
        if key == "qa":
            lines.append(
                f"{title}: {block['accuracy']:.2f} % ({block['n_yes']}/{block['n_questions']} YES, "
                f"{block['n_cannot_answer']} cannot answer, {block['n_failed']} failed; "
                f"questions: {block['source']})"
            )
        elif key == "keywords":
            lines.append(
                f"{title}: {block['recall']:.2f} % ({block['n_found']}/{block['n_units']} "
                f"found; per-utterance mean {block['utt_macro']:.2f} %; {block['source']})"
            )
        elif key == "slots":
            split = "; ".join(
                f"{name} {b['recall']:.2f} % ({b['n_found']}/{b['n_slots']})"
                for name, b in block["by_combination"].items()
            )
            lines.append(
                f"{title}: {block['recall']:.2f} % ({block['n_found']}/{block['n_slots']} slot "
                f"values found in {block['n_utts']} outputs){'; ' + split if split else ''}"
            )
        elif key.startswith("similarity"):
            lines.append(
                f"{title}: mean cosine {block['mean_cosine']:.4f} ± {block['std_cosine']:.4f} "
                f"(n={block['n']})"
            )
        else:
            hyp, ref = block["hyp"], block["ref"]
            lines += [
                f"{title} (K={hyp['k']}, n={hyp['n']}, {len(hyp['seeds'])} seeds, "
                f"n_init={hyp['n_init']}, labels: {block['labels_source']}, "
                f"{block['n_unlabelled']} unlabelled utterances left out):",
                "",
                "|texts|NMI|AMI|purity|ARI|",
                "|---|---|---|---|---|",
            ]
            for name, scores in (("system outputs", hyp), ("references (ceiling)", ref)):
                lines.append(
                    f"|{name}|{format_mean_std(scores['nmi'])}|{format_mean_std(scores['ami'])}|"
                    f"{format_mean_std(scores['purity'])}|{format_mean_std(scores['ari'])}|"
                )
        lines.append("")
    return "\n".join(lines)
