"""Gather the evaluation outputs of several runs into an ESPnet-style RESULTS.md.

Run directory layout (each file optional; looked up in this order, first found wins):

    RUN_DIR/scores.json         | RUN_DIR/score/scores.json | RUN_DIR/score_st/scores.json
    RUN_DIR/semantic_eval.json  | RUN_DIR/semantic_eval/semantic_eval.json
    RUN_DIR/drift.json          | RUN_DIR/drift/drift.json  | RUN_DIR/param_drift/drift.json
                                  (also in RUN_DIR's parents, up to 3 levels)
    RUN_DIR/config.yaml         | the config.yaml of RUN_DIR's parents, up to 3 levels
                                  (ESPnet writes it in exp/<tag>/, decodes live below)

``config.yaml`` may carry the top-level keys ``semantic_weight`` (λ) and
``semantic_loss`` (``mse``, ``cos``…). Several runs with the same system name (seeds)
are aggregated as mean ± std (sample std).
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import yaml

from espnet_lau.evaluation.report_io import read_json
from espnet_lau.evaluation.semantic_report import failure_text
from espnet_lau.evaluation.significance import PairedResult
from espnet_lau.evaluation.statistics import format_mean_std, mean_std
from espnet_lau.utils.fileio import PathLike
from espnet_lau.utils.provenance import environment_markdown

SEARCH = {
    "scores": ["scores.json", "score_bleu/scores.json", "score/scores.json", "score_st/scores.json"],
    "semantic": ["semantic_eval.json", "semantic_eval/semantic_eval.json"],
    "drift": ["drift.json", "drift/drift.json", "param_drift/drift.json"],
}
#: Kinds also looked up in the parents (a run's drift belongs to its exp dir).
SEARCH_PARENTS = {"drift"}
CONFIG_PARENT_LEVELS = 3

#: (key, column title, path into {"scores", "semantic", "drift"}).
METRICS: List[Tuple[str, str, Tuple[str, ...]]] = [
    ("bleu", "BLEU", ("scores", "bleu")),
    ("chrf", "chrF", ("scores", "chrf")),
    ("wer", "WER", ("scores", "wer")),
    ("cer", "CER", ("scores", "cer")),
    ("qa_accuracy", "QA acc.", ("semantic", "qa", "accuracy")),
    ("keyword_recall", "KW recall", ("semantic", "keywords", "recall")),
    ("slot_recall", "slot recall", ("semantic", "slots", "recall")),
    ("slot_recall_unseen", "slot recall unseen", ("semantic", "slots", "by_combination", "unseen", "recall")),
    ("nmi", "NMI", ("semantic", "clustering", "hyp", "nmi", "mean")),
    ("ami", "AMI", ("semantic", "clustering", "hyp", "ami", "mean")),
    ("purity", "purity", ("semantic", "clustering", "hyp", "purity", "mean")),
    ("ami_independent", "AMI tf-idf", ("semantic", "clustering_independent", "hyp", "ami", "mean")),
    ("drift", "drift", ("drift", "total_drift")),
]
MISSING = "–"


@dataclasses.dataclass
class RunResult:
    """The metrics of one run directory."""

    name: str
    path: str
    metrics: Dict[str, Optional[float]]
    semantic_weight: Optional[float] = None
    semantic_loss: Optional[str] = None
    has_config: bool = False
    sources: Dict[str, str] = dataclasses.field(default_factory=dict)
    #: metric key -> "n/a (k of n failed)" for a measure whose LLM calls failed
    failures: Dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def hyp_path(self) -> Optional[Path]:
        """The run's hypotheses (``RUN_DIR/text``, Kaldi text), if present."""
        path = Path(self.path) / "text"
        return path if path.is_file() else None


def _dig(obj: Any, path: Sequence[str]) -> Optional[float]:
    for key in path:
        if not isinstance(obj, Mapping) or key not in obj:
            return None
        obj = obj[key]
    return float(obj) if isinstance(obj, (int, float)) and not isinstance(obj, bool) else None


def find_in_parents(run_dir: Path, candidates: Sequence[str]) -> Optional[Path]:
    """The first of ``candidates`` in ``run_dir`` or up to ``CONFIG_PARENT_LEVELS``
    parents (ESPnet keeps config.yaml and drift/ in exp/<tag>/, decodes live below)."""
    # Not resolved: the paths found go into RESULTS.md, which must hold no absolute path.
    for d in [run_dir, *list(run_dir.parents)[:CONFIG_PARENT_LEVELS]]:
        for rel in candidates:
            if (d / rel).is_file():
                return d / rel
    return None


def find_config(run_dir: Path) -> Optional[Path]:
    """``config.yaml`` in ``run_dir`` or up to ``CONFIG_PARENT_LEVELS`` parents."""
    return find_in_parents(run_dir, ["config.yaml"])


def load_run(name: str, run_dir: PathLike) -> RunResult:
    """Read one run directory (see the module docstring for the layout).

    Raises:
        FileNotFoundError: the directory does not exist or holds none of the files.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"run {name}: {run_dir} is not a directory")
    docs: Dict[str, Any] = {}
    sources: Dict[str, str] = {}
    for kind, candidates in SEARCH.items():
        found = (find_in_parents(run_dir, candidates) if kind in SEARCH_PARENTS
                 else next((run_dir / r for r in candidates if (run_dir / r).is_file()), None))
        if found is not None:
            docs[kind] = read_json(found)
            sources[kind] = str(found)
    if not docs:
        raise FileNotFoundError(
            f"run {name}: none of scores.json, semantic_eval.json, drift.json in {run_dir}"
        )
    result = RunResult(
        name=name,
        path=str(run_dir),
        metrics={key: _dig(docs, path) for key, _, path in METRICS},
        sources=sources,
    )
    for key, _, path in METRICS:  # a measure with failed LLM calls has no number, only its counts
        block = docs.get(path[0], {}).get(path[1]) if len(path) > 1 else None
        if isinstance(block, Mapping) and block.get("status") in ("partial", "failed"):
            result.metrics[key] = None
            result.failures[key] = failure_text(block)
    config = find_config(run_dir)
    if config is not None:
        with config.open(encoding="utf-8") as f:
            conf = yaml.safe_load(f) or {}
        result.has_config = True
        result.sources["config"] = str(config)
        if conf.get("semantic_weight") is not None:
            result.semantic_weight = float(conf["semantic_weight"])
        if conf.get("semantic_loss") is not None:
            result.semantic_loss = str(conf["semantic_loss"])
    logging.info("Run %s: %s", name, ", ".join(f"{k}={v}" for k, v in sources.items()))
    return result


@dataclasses.dataclass
class SystemResult:
    """Runs of one system name, aggregated."""

    name: str
    runs: List[RunResult]
    metrics: Dict[str, Optional[Dict[str, Any]]]  # key -> mean_std or None

    def cell(self, key: str) -> str:
        """The table cell of a metric: mean ± std, or the runs' ``n/a (k of n failed)``
        when any run's LLM calls failed (not a mean of the others), or "–"."""
        texts = [r.failures[key] for r in self.runs if key in r.failures]
        if texts:
            return "; ".join(dict.fromkeys(texts))
        return format_mean_std(self.metrics[key]) if self.metrics[key] else MISSING

    @property
    def semantic_weight(self) -> Optional[float]:
        ws = {r.semantic_weight for r in self.runs}
        return ws.pop() if len(ws) == 1 else None

    @property
    def semantic_loss(self) -> Optional[str]:
        ls = {r.semantic_loss for r in self.runs}
        return ls.pop() if len(ls) == 1 else None

    @property
    def is_lau(self) -> bool:
        return bool(self.semantic_weight) and self.semantic_weight > 0

    def config_label(self) -> str:
        """``mse λ=1`` / ``no LAU (λ=0)`` / ``mixed`` / ``–`` (no config)."""
        if not any(r.has_config for r in self.runs):
            return MISSING
        if len({(r.semantic_weight, r.semantic_loss) for r in self.runs}) > 1:
            return "mixed"
        if not self.is_lau:
            return "no LAU (λ=0)"
        return f"{self.semantic_loss or '?'} λ={self.semantic_weight:g}"


def aggregate(runs: Sequence[RunResult]) -> List[SystemResult]:
    """Group runs by name (first-seen order); metrics as mean ± std over runs having them."""
    groups: Dict[str, List[RunResult]] = OrderedDict()
    for run in runs:
        groups.setdefault(run.name, []).append(run)
    systems = []
    for name, members in groups.items():
        if len({(r.semantic_weight, r.semantic_loss) for r in members}) > 1:
            logging.warning("runs of %s have different semantic_weight/semantic_loss", name)
        metrics = {}
        for key, _, _ in METRICS:
            values = [r.metrics[key] for r in members if r.metrics[key] is not None]
            metrics[key] = mean_std(values) if values else None
        systems.append(SystemResult(name, members, metrics))
    return systems


def significance_markdown(
    tests: Sequence[PairedResult], reference: str, n_samples: int, alpha: float = 0.05
) -> List[str]:
    """A section with one row per paired bootstrap test (see ``significance``)."""
    lines = [
        f"## BLEU against {reference}: paired bootstrap ({n_samples} resamples)", "",
        f"Seed #i of each system is paired with seed #i of {reference} (its #0 when it has "
        f"fewer seeds). Rows of {reference} itself test its other seeds against its #0: how "
        f"large the differences are that seed noise alone makes. p < {alpha}: a difference "
        "this large is unlikely under resampling of the test set (an identical BLEU is never "
        "significant, whatever sacrebleu's p).", "",
        "|system|seed|BLEU|reference BLEU|Δ BLEU|p|p < " + f"{alpha}|", "|---|---|---|---|---|---|---|",
    ]
    for t in tests:
        lines.append(f"|{t.system}|#{t.seed_index} vs #{t.reference_seed_index}|{t.bleu:.2f}|"
                     f"{t.reference_bleu:.2f}|{t.delta:+.2f}|{t.p_value:.4f}|"
                     f"{'yes' if t.significant(alpha) else 'no'}|")
    return lines + [""]


SPREAD_METRICS = ["bleu", "chrf", "wer", "qa_accuracy", "keyword_recall", "nmi"]


def seed_spread_markdown(
    systems: Sequence[SystemResult], best_valid_acc: Mapping[str, Sequence[Optional[float]]]
) -> List[str]:
    """Per-seed values and their range (max − min) of every system run with several seeds.

    Args:
        best_valid_acc: system -> best validation accuracy (0-1) of each seed, or None.
    """
    multi = [s for s in systems if len(s.runs) > 1]
    if not multi:
        return []
    titles = dict((k, col) for k, col, _ in METRICS)
    header = ["system", "seeds", "best valid acc. per seed"]
    header += [f"{titles[k]} per seed (range)" for k in SPREAD_METRICS]
    lines = ["## Seed-to-seed spread", "",
             "Each seed's value, and in brackets the range (max − min) over seeds.", "",
             "|" + "|".join(header) + "|", "|" + "|".join(["---"] * len(header)) + "|"]
    for s in multi:
        accs = [a for a in best_valid_acc.get(s.name, []) if a is not None]
        cells = [s.name, str(len(s.runs)), " / ".join(f"{100 * a:.1f}" for a in accs) or MISSING]
        for key in SPREAD_METRICS:
            stat = s.metrics[key]
            if not stat:
                cells.append(MISSING)
                continue
            values = stat["values"]
            cells.append(" / ".join(f"{v:.2f}" for v in values) + f" ({max(values) - min(values):.2f})")
        lines.append("|" + "|".join(cells) + "|")
    return lines + [""]


def figures_markdown(paths: Sequence[Path], relative_to: Path) -> List[str]:
    """A ``## Plots`` section linking PNGs relative to the RESULTS file's directory."""
    if not paths:
        return []
    lines = ["## Plots", ""]
    for p in paths:
        rel = os.path.relpath(Path(p).resolve(), Path(relative_to).resolve())
        lines.append(f"![{Path(p).stem}]({rel})")
    return lines + [""]


def results_markdown(
    systems: Sequence[SystemResult],
    title: str = "ST results",
    sections: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> str:
    """An ESPnet-style RESULTS.md: environment, one table, notes (the standard ones, then
    ``notes``), extra ``sections`` (Markdown lines: significance, seed spread, plots) and
    sources."""
    header = ["system", "config", "runs"] + [col for _, col, _ in METRICS]
    lines = [
        "<!-- Generated by `python -m espnet_lau.bin.make_results`. -->",
        "# RESULTS",
        *environment_markdown(),
        "",
        f"## {title}",
        "",
        "|" + "|".join(header) + "|",
        "|" + "|".join(["---"] * len(header)) + "|",
    ]
    for s in systems:
        cells = [s.name, s.config_label(), str(len(s.runs))]
        cells += [s.cell(k) for k, _, _ in METRICS]
        lines.append("|" + "|".join(cells) + "|")
    notes = _notes(systems) + [f"- {n}" for n in notes]
    lines += ["", *notes, "", *sections, "### Sources", ""]
    for s in systems:
        for r in s.runs:
            lines.append(f"- {s.name}: " + ", ".join(f"{k}: `{v}`" for k, v in r.sources.items()))
    return "\n".join(lines) + "\n"


def _notes(systems: Sequence[SystemResult]) -> List[str]:
    notes = [
        "- All scores in percent except drift. Several runs of a system: mean ± sample std.",
        "- BLEU, chrF: sacrebleu (all references); WER, CER: jiwer against the first reference.",
        "- QA acc.: share of LLM-judged YES; KW recall: keywords found as normalised substrings; "
        "slot recall: share of the meaning's slot values rendered in the output (unseen: slot "
        "combinations absent from training); NMI, AMI (chance-corrected), purity: KMeans topic "
        "clustering of the outputs' sentence embeddings (mean over KMeans seeds).",
        "- drift: Total Parameter Drift ‖θ_final − θ_init‖₂ of the encoder.",
    ]
    for r in (r for s in systems for r in s.runs):
        sc = r.sources.get("scores")
        if sc:
            doc = read_json(sc)
            notes.append(f"- text normalisation: `{doc.get('normalization')}`; BLEU signature: "
                         f"`{doc.get('signatures', {}).get('bleu')}`")
            break
    for r in (r for s in systems for r in s.runs):
        sem = r.sources.get("semantic")
        if sem:
            doc = read_json(sem)
            names = [(doc.get(key) or {}).get("embedder") for key in ("clustering", "clustering_independent")]
            notes.append(f"- embedders: NMI, AMI, purity with `{names[0] or MISSING}` (the "
                         f"evaluation teacher); AMI tf-idf with `{names[1] or MISSING}`, which "
                         "no training teacher shares")
            break
    return notes
