"""Lexical translation and recognition scores: sacrebleu (BLEU, chrF, TER) and jiwer
(WER, CER), at corpus and utterance level.

All scores are in percent (0-100), as sacrebleu and ESPnet's RESULTS.md report them.
Multiple references are supported by sacrebleu's metrics; WER and CER are computed
against the **first** reference only (jiwer has no multi-reference mode), which the
summary states in ``error_rate_reference``.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Dict, List, Optional, Sequence

import jiwer
from sacrebleu.metrics import BLEU, CHRF, TER

from espnet_lau.evaluation.kaldi_text import check_same_ids, read_kaldi_text
from espnet_lau.text.bambara import BambaraNormalizer
from espnet_lau.text.normalization import TextNormalizer
from espnet_lau.utils.fileio import PathLike, write_text_atomic


def _percent(x: float) -> float:
    return 100.0 * float(x)


def error_rates(refs: Sequence[str], hyps: Sequence[str]) -> Dict[str, object]:
    """Corpus WER and CER through jiwer.

    WER = (S + D + I) / N over words, CER the same over characters (spaces included,
    as jiwer counts them). Errors and lengths are summed over the corpus before dividing.

    Args:
        refs: (N,) reference strings.
        hyps: (N,) hypothesis strings ("" is allowed on either side).

    Returns:
        ``{"wer", "cer"}`` in percent and ``{"wer_details", "cer_details"}`` with the
        edit counts ``substitutions, deletions, insertions, hits, ref_len``.
    """
    words = jiwer.process_words(list(refs), list(hyps))
    chars = jiwer.process_characters(list(refs), list(hyps))

    def details(out) -> Dict[str, int]:
        return {
            "substitutions": out.substitutions,
            "deletions": out.deletions,
            "insertions": out.insertions,
            "hits": out.hits,
            "ref_len": out.substitutions + out.deletions + out.hits,
        }

    return {
        "wer": _percent(words.wer),
        "cer": _percent(chars.cer),
        "wer_details": details(words),
        "cer_details": details(chars),
    }


@dataclasses.dataclass
class CorpusTranslationScores:
    """Corpus-level sacrebleu scores (percent) and their signatures; ``sacrebleu_json`` holds
    each metric's result as sacrebleu's command line prints it in JSON (``is_json``)."""

    bleu: float
    chrf: float
    ter: float
    signatures: Dict[str, str]
    n_refs: int
    sacrebleu_json: Dict[str, str] = dataclasses.field(default_factory=dict)


def corpus_translation_scores(
    hyps: Sequence[str], refs: Sequence[Sequence[str]], tokenize: str = "13a"
) -> CorpusTranslationScores:
    """Corpus BLEU, chrF and TER with sacrebleu.

    Args:
        hyps: (N,) hypotheses.
        refs: (R, N) reference streams: ``refs[r][i]`` is reference ``r`` of sentence
            ``i``.
        tokenize: sacrebleu's BLEU tokeniser (``13a`` by default, as sacrebleu).
    """
    metrics = {"bleu": BLEU(tokenize=tokenize), "chrf": CHRF(), "ter": TER()}
    ref_streams = [list(r) for r in refs]
    results = {key: metric.corpus_score(list(hyps), ref_streams) for key, metric in metrics.items()}
    signatures = {key: str(metric.get_signature()) for key, metric in metrics.items()}
    return CorpusTranslationScores(
        signatures=signatures, n_refs=len(ref_streams),
        sacrebleu_json={key: results[key].format(signature=signatures[key], is_json=True) for key in metrics},
        **{key: result.score for key, result in results.items()},
    )


def sentence_scores(
    uttids: Sequence[str],
    hyps: Sequence[str],
    refs: Sequence[Sequence[str]],
    tokenize: str = "13a",
) -> List[Dict[str, object]]:
    """Per-utterance sentence BLEU (effective order), chrF, WER and CER.

    Args:
        uttids: (N,) ids.
        hyps: (N,) hypotheses.
        refs: (R, N) reference streams; WER/CER use ``refs[0]``.

    Returns:
        One row per utterance: ``uttid, bleu, chrf, wer, cer, hyp, ref`` (percent).
        WER/CER of an utterance with an empty reference are jiwer's (the number of
        inserted words/characters, times 100).
    """
    bleu, chrf = BLEU(tokenize=tokenize, effective_order=True), CHRF()
    rows = []
    for i, uttid in enumerate(uttids):
        sent_refs = [r[i] for r in refs]
        rows.append(
            {
                "uttid": uttid,
                "bleu": bleu.sentence_score(hyps[i], sent_refs).score,
                "chrf": chrf.sentence_score(hyps[i], sent_refs).score,
                "wer": _percent(jiwer.wer(refs[0][i], hyps[i])),
                "cer": _percent(jiwer.cer(refs[0][i], hyps[i])),
                "hyp": hyps[i],
                "ref": refs[0][i],
            }
        )
    return rows


def load_aligned(
    hyp_path: PathLike, ref_paths: Sequence[PathLike], normalizer: TextNormalizer
) -> tuple:
    """Read a hypothesis file and its reference files, check ids, normalise.

    Returns:
        ``(uttids, hyps, refs)`` with ``refs`` of shape (R, N), in the order of the
        first reference file.

    Raises:
        IdMismatchError: a reference's ids differ from the hypothesis ids.
    """
    if not ref_paths:
        raise ValueError("at least one reference file is needed")
    hyp = read_kaldi_text(hyp_path)
    ref_maps = [read_kaldi_text(p) for p in ref_paths]
    uttids = check_same_ids(ref_maps[0], hyp, str(ref_paths[0]), str(hyp_path))
    for path, ref in zip(ref_paths[1:], ref_maps[1:]):
        check_same_ids(ref_maps[0], ref, str(ref_paths[0]), str(path))
    hyps = [normalizer(hyp[u]) for u in uttids]
    refs = [[normalizer(ref[u]) for u in uttids] for ref in ref_maps]
    return uttids, hyps, refs


def score_st(
    hyp_path: PathLike,
    ref_paths: Sequence[PathLike],
    normalizer: Optional[TextNormalizer] = None,
    src_hyp_path: Optional[PathLike] = None,
    src_ref_path: Optional[PathLike] = None,
    tokenize: str = "13a",
    src_normalizer=None,
) -> tuple:
    """Score an ST output file (and optionally a source-side ASR output).

    Args:
        hyp_path: Kaldi text of system translations.
        ref_paths: one or more Kaldi text references (same ids).
        normalizer: applied to hypotheses and references; default ``TextNormalizer()``;
            ``TextNormalizer.disabled()`` to score raw text; a
            :class:`~espnet_lau.text.bambara.BambaraNormalizer` when they are Bambara.
        src_hyp_path: Kaldi text of source-language output (e.g. CTC ASR output).
        src_ref_path: Kaldi text of source transcripts (Bambara).
        src_normalizer: applied to the source side; default
            ``BambaraNormalizer("expand", "wer")``.

    Returns:
        ``(summary, rows)``: the ``scores.json`` dictionary and the per-utterance rows.
    """
    if (src_hyp_path is None) != (src_ref_path is None):
        raise ValueError("--src_hyp and --src_ref go together")
    normalizer = TextNormalizer() if normalizer is None else normalizer
    uttids, hyps, refs = load_aligned(hyp_path, ref_paths, normalizer)
    corpus = corpus_translation_scores(hyps, refs, tokenize=tokenize)
    rates = error_rates(refs[0], hyps)
    summary: Dict[str, object] = {
        "n_utts": len(uttids),
        "n_refs": corpus.n_refs,
        "n_empty_hyps": sum(1 for h in hyps if not h),
        "normalization": normalizer.describe(),
        "bleu": corpus.bleu,
        "chrf": corpus.chrf,
        "ter": corpus.ter,
        "wer": rates["wer"],
        "cer": rates["cer"],
        "wer_details": rates["wer_details"],
        "cer_details": rates["cer_details"],
        "signatures": corpus.signatures,
        "sacrebleu_json": corpus.sacrebleu_json,
        "error_rate_reference": str(ref_paths[0]),
        "files": {"hyp": str(hyp_path), "refs": [str(p) for p in ref_paths]},
        "src": None,
    }
    if src_hyp_path is not None:
        src_normalizer = BambaraNormalizer("expand", "wer") if src_normalizer is None else src_normalizer
        _, src_hyps, src_refs = load_aligned(src_hyp_path, [src_ref_path], src_normalizer)
        src_rates = error_rates(src_refs[0], src_hyps)
        summary["src"] = {
            "n_utts": len(src_hyps),
            "normalization": src_normalizer.describe(),
            **src_rates,
            "files": {"hyp": str(src_hyp_path), "ref": str(src_ref_path)},
        }
    rows = sentence_scores(uttids, hyps, refs, tokenize=tokenize)
    logging.info(
        "BLEU %.2f chrF %.2f TER %.2f WER %.2f CER %.2f on %d utterances",
        corpus.bleu, corpus.chrf, corpus.ter, rates["wer"], rates["cer"], len(uttids),
    )
    return summary, rows


PER_UTT_COLUMNS = ("uttid", "bleu", "chrf", "wer", "cer", "hyp", "ref")


def write_per_utt_tsv(rows: Sequence[Dict[str, object]], path: PathLike) -> None:
    """Write per-utterance rows as TSV with the header ``PER_UTT_COLUMNS``, atomically.

    Scores are written with 2 decimals; texts are already whitespace-collapsed, so
    they hold no tab.
    """
    lines = ["\t".join(PER_UTT_COLUMNS)]
    for row in rows:
        cells = [f"{row[c]:.2f}" if isinstance(row[c], float) else str(row[c]) for c in PER_UTT_COLUMNS]
        lines.append("\t".join(c.replace("\t", " ") for c in cells))
    write_text_atomic(path, "\n".join(lines) + "\n")


def summary_markdown(summary: Dict[str, object]) -> str:
    """A short Markdown report of a ``score_st`` summary."""
    lines = [
        "# ST scores",
        "",
        f"- utterances: {summary['n_utts']} ({summary['n_empty_hyps']} empty hypotheses)",
        f"- references: {summary['n_refs']} ({', '.join(summary['files']['refs'])})",
        f"- text normalisation: {summary['normalization']}",
        f"- WER/CER are computed against the first reference: {summary['error_rate_reference']}",
        "",
        "|BLEU|chrF|TER|WER|CER|",
        "|---|---|---|---|---|",
        "|{bleu:.2f}|{chrf:.2f}|{ter:.2f}|{wer:.2f}|{cer:.2f}|".format(**summary),
        "",
        "sacrebleu signatures:",
        "",
    ]
    lines += [f"- {k}: `{v}`" for k, v in summary["signatures"].items()]
    src = summary.get("src")
    if src:
        lines += [
            "",
            "## Source side (ASR)",
            "",
            f"- hypothesis: {src['files']['hyp']}; reference: {src['files']['ref']}",
            f"- text normalisation: {src['normalization']}",
            "",
            "|WER|CER|",
            "|---|---|",
            f"|{src['wer']:.2f}|{src['cer']:.2f}|",
        ]
    return "\n".join(lines) + "\n"
