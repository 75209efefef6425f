#!/usr/bin/env python3
"""Score ST output: corpus BLEU / chrF / TER (sacrebleu), WER / CER (jiwer), per utterance.

Example:
    python -m espnet_lau.bin.score_st --hyp exp/x/decode/test/text \\
        --ref dump/raw/test/text.lc.rm.fr --ref dump/raw/test/text.lc.rm.fr.ref2 --outdir exp/x/decode/test/score_bleu
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import List, Optional

from espnet2.utils.types import str2bool

from espnet_lau.evaluation.report_io import write_report
from espnet_lau.evaluation.translation import score_st, summary_markdown, write_per_utt_tsv
from espnet_lau.text.bambara import MODES, BambaraNormalizer
from espnet_lau.text.normalization import TextNormalizer
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main
from espnet_lau.utils.fileio import write_text_atomic


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--hyp", required=True, help="Kaldi text (uttid text) of system translations"
    )
    parser.add_argument(
        "--ref", required=True, action="append",
        help="Kaldi text reference; repeat for multiple references (WER/CER use the first)",
    )
    parser.add_argument(
        "--src_hyp", default=None, help="source-side output (e.g. CTC ASR), Kaldi text"
    )
    parser.add_argument(
        "--src_ref", default=None, help="source-side transcript (e.g. Bambara), Kaldi text"
    )
    parser.add_argument(
        "--outdir", required=True,
        help="writes scores.json, scores.md, per_utt.tsv and result.<case>.txt",
    )
    parser.add_argument(
        "--case", default="lc.rm",
        help="the case of the scored texts, for result.<case>.txt: a header line and sacrebleu's "
        "JSON results, as st.sh writes them and ESPnet's show_translation_result.sh reads them "
        "(score_*/result.*.txt)",
    )
    parser.add_argument(
        "--text_norm", type=str2bool, default=True,
        help="false: score raw text (default: true = lower-case, punctuation removed, ' and - kept)",
    )
    parser.add_argument(
        "--bambara_norm", default="none", choices=MODES,
        help="the scored texts are Bambara (e.g. a cascade's ASR output): normalise hypotheses and "
        "references with bambara-text-normalizer's WER preset in this contraction mode, instead of the "
        "French normaliser (default: %(default)s)",
    )
    parser.add_argument(
        "--src_bambara_norm", default="expand", choices=MODES,
        help="the same for --src_hyp/--src_ref (default: %(default)s)",
    )
    parser.add_argument("--tokenize", default="13a", help="sacrebleu BLEU tokeniser")
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd)
    if args.bambara_norm != "none":
        normalizer = BambaraNormalizer(args.bambara_norm, "wer")
    else:
        normalizer = TextNormalizer() if args.text_norm else TextNormalizer.disabled()
    summary, rows = score_st(
        args.hyp, args.ref, normalizer, args.src_hyp, args.src_ref, tokenize=args.tokenize,
        src_normalizer=BambaraNormalizer(args.src_bambara_norm, "wer"),
    )
    warn_if_mostly_empty(summary, args.hyp)
    outdir = Path(args.outdir)
    write_per_utt_tsv(rows, outdir / "per_utt.tsv")
    summary["per_utt"] = str(outdir / "per_utt.tsv")
    write_report(summary, summary_markdown(summary), outdir, "scores")
    write_text_atomic(outdir / f"result.{args.case}.txt", st_sh_result(summary, args.hyp, args.case))


def warn_if_mostly_empty(summary: dict, hyp: str) -> None:
    """A warning when most hypotheses are empty: the scores then describe a model that says
    nothing (too few epochs, or a corpus too small for the config), not a translation."""
    empty, total = summary["n_empty_hyps"], summary["n_utts"]
    if total and empty * 2 > total:
        logging.warning(
            f"{hyp}: {empty} of {total} hypotheses are empty, so BLEU {summary['bleu']:.2f} scores "
            "a model that mostly says nothing: train longer or on more data (e.g. --mini_size "
            "default rather than tiny with the default configs)")


def st_sh_result(summary: dict, hyp: str, case: str) -> str:
    """``result.<case>.txt`` as ESPnet's st.sh writes it: a header line, then sacrebleu's
    JSON for BLEU, chrF and TER as its command line prints them (``-m bleu chrf ter``).

    ESPnet's ``show_translation_result.sh`` reads the BLEU score from line 5 and the
    verbose score from line 7 (``sed -n 5p | cut -d ' ' -f 3``).
    """
    header = f"sacrebleu -m bleu chrf ter ({case}, {summary['n_refs']} reference(s)): {hyp}"
    entries = ",\n".join(summary["sacrebleu_json"][key] for key in ("bleu", "chrf", "ter"))
    return f"{header}\n[\n{entries}\n]\n"


if __name__ == "__main__":
    run_main(main)
