"""RESULTS.md of the LAU grid of ``local/run_ablation.sh``: levels × systems × seeds.

Reads, per run ``<grid>/<level>/exp/<system>/seed<N>/``: the final test decoding
``<inference_tag>/test`` (scores, semantic evaluation, drift), the decodings after each
evaluation epoch ``by_epoch/ep<E>/`` (same layout), ``run_record.json``
(:mod:`espnet_lau.evaluation.run_record`: per-epoch statistics, wall time, collapse
measures), ``semantic_balance.json`` (r and λ at the start of training) and
``semantic_balance_final.json`` (r of the trained model); and the cascade
``<grid>/<level>/exp/cascade/<inference_tag>/test``. Writes one Markdown file with:

* per level, mean ± sd over seeds (and the number of seeds) of every metric;
* seed-paired differences to the reference system with 95 % CIs, paired t and
  permutation tests, and Holm's correction over the LAU systems of a level and metric;
* the seed spread of BLEU per system, λ, r and drift;
* when the runs have them: test BLEU at each evaluation epoch, the epochs (and training
  time) to reach a BLEU, and the collapse rate of each cell (:mod:`.collapse`);
* the comparisons asked for (:class:`Comparison`): unpaired exact permutation tests,
  paired tests, spread tests, with Holm's correction across the whole family;
* plots: the LAU − reference gap against target variance, drift against r, and per level
  mean ± sd curves of valid accuracy, valid ``loss_st`` and test BLEU per epoch;
* the runs that are missing, by name.

Sections without data are left out, so a grid of final decodings only (the committed
``ablation/runs`` of 2026-12) gives the report it always gave.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from espnet_lau.evaluation.collapse import RULE, collapse_reasons
from espnet_lau.evaluation.plots import lines_plot
from espnet_lau.evaluation.results import METRICS, MISSING, figures_markdown, load_run
from espnet_lau.evaluation.run_record import RECORD_NAME, evaluation_dirs, load_run_record
from espnet_lau.evaluation.statistics import (format_mean_std, holm, mean_std, paired_difference,
                                              spread_comparison, unpaired_difference)
from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import read_json_file

TESTED = ("bleu", "chrf", "slot_recall", "ami_independent")
TITLES = {key: title for key, title, _ in METRICS}
ALPHA = 0.05
#: (phase, key, axis label) of the per-level mean ± sd curves from the run records.
RECORD_CURVES = [("valid", "acc", "validation token accuracy"),
                 ("valid", "loss_st", "validation translation loss (loss_st)")]
#: Where lau_st.sh scores the most-frequent-sentence system of a level (--score_most_frequent true).
MOST_FREQUENT_SCORES = "exp/most_frequent_*/test/score_bleu/scores.json"

#: {(level, system): {seed: run info}}
Found = Dict[Tuple[str, str], Dict[int, dict]]


class GridSpecError(UserError, ValueError):
    """A grid option names something the grid does not have; the message says what."""


@dataclasses.dataclass(frozen=True)
class Comparison:
    """``system_b − system_a`` at ``level``, on the final decoding or at evaluation epoch
    ``epoch`` (``by_epoch/ep<epoch>``)."""

    level: str
    system_a: str
    system_b: str
    epoch: Optional[int] = None

    @property
    def label(self) -> str:
        return f"{self.level}: {self.system_b} − {self.system_a}"

    @property
    def epoch_label(self) -> str:
        return "final" if self.epoch is None else str(self.epoch)


def parse_comparison(spec: str, levels: Sequence[str], systems: Sequence[str]) -> Comparison:
    """``LEVEL:SYSTEM_A:SYSTEM_B[:EPOCH]`` as a :class:`Comparison`.

    Raises:
        GridSpecError: another form, an unknown level or system, an epoch that is not a
            positive integer, or a system compared with itself.
    """
    parts = spec.split(":")
    form = "--compare LEVEL:SYSTEM_A:SYSTEM_B[:EPOCH]"
    if len(parts) not in (3, 4) or not all(parts):
        raise GridSpecError(f"{form}: got {spec!r}")
    level, a, b = parts[:3]
    if level not in levels:
        raise GridSpecError(f"--compare {spec}: level {level!r} is not one of --levels ({' '.join(levels)})")
    for system in (a, b):
        if system not in systems:
            raise GridSpecError(f"--compare {spec}: system {system!r} is not one of --systems ({' '.join(systems)})")
    if a == b:
        raise GridSpecError(f"--compare {spec}: a system compared with itself")
    epoch = None
    if len(parts) == 4:
        if not re.fullmatch(r"[0-9]+", parts[3]) or int(parts[3]) < 1:
            raise GridSpecError(f"--compare {spec}: EPOCH must be an evaluation epoch (an integer >= 1), got {parts[3]!r}")
        epoch = int(parts[3])
    return Comparison(level, a, b, epoch)


def _json(path: Path) -> Optional[dict]:
    return read_json_file(path, "delete it and re-run the stage that wrote it") if path.is_file() else None


def collect(grid: Path, levels, systems, seeds, inference_tag: str, extra_seeds=(), extra_seeded=()):
    """``{(level, system): {seed: run info}}`` of the evaluated runs, and the missing ones.

    Every system is planned with ``seeds``, the systems of ``extra_seeded`` also with
    ``extra_seeds`` (run_ablation.sh's plan); an evaluated run outside the plan is used,
    a missing one is not reported. A run's info holds its final ``metrics``, λ, r, its
    ``record`` (``run_record.json`` or None) and ``by_epoch`` (``{E: metrics}``).
    """
    found, missing = {}, []
    for level in levels:
        for system in [*systems, "cascade"]:
            planned = list(seeds) + (list(extra_seeds) if system in extra_seeded else [])
            for seed in (list(seeds) + [s for s in extra_seeds if s not in seeds] if system != "cascade" else seeds[:1]):
                exp = grid / level / "exp" / (system if system == "cascade" else f"{system}/seed{seed}")
                decode = exp / inference_tag / "test"
                # A staged run (by_epoch/) is finished once it has its record; before that its
                # decode dir holds an intermediate epoch's decoding: still missing.
                in_progress = (exp / "by_epoch").is_dir() and not (exp / RECORD_NAME).is_file()
                if in_progress or not (decode / "score_bleu/scores.json").is_file():
                    if (system != "cascade" and seed in planned) or (system == "cascade" and (grid / level).is_dir()):
                        missing.append(f"{level}/{system}" + ("" if system == "cascade" else f"/seed{seed}"))
                    continue
                run = load_run(f"{level}/{system}", decode)
                balance = _json(exp / "semantic_balance.json") or {}
                final = _json(exp / "semantic_balance_final.json") or {}
                lam = run.semantic_weight  # as trained (config.yaml holds any override)
                per_unit = balance.get("ratio_per_unit_lambda")
                found.setdefault((level, system), {})[seed] = {
                    "metrics": run.metrics, "semantic_weight": lam, "lambda": lam,
                    "r_start": per_unit * lam if per_unit is not None and lam is not None else None,
                    "r_final": final.get("ratio"),
                    "record": load_run_record(exp),
                    "by_epoch": {e: load_run(f"{level}/{system}@ep{e}", d).metrics
                                 for e, d in evaluation_dirs(exp).items() if (d / "score_bleu/scores.json").is_file()},
                }
    return found, missing


def level_most_frequent_bleu(grid: Path, level: str) -> Optional[float]:
    """BLEU of the level's most-frequent-sentence system, where lau_st.sh scored one."""
    scores = sorted((grid / level).glob(MOST_FREQUENT_SCORES))
    if len(scores) != 1:
        return None
    return (_json(scores[0]) or {}).get("bleu")


def _cell(values: Sequence[float], digits: int = 2) -> str:
    return format_mean_std(mean_std(values), digits) if values else MISSING


def _p(p: Optional[float]) -> str:
    return MISSING if p is None or math.isnan(p) else f"{p:.3f}"


def _number(x: float, digits: int = 2) -> str:
    return "∞" if math.isinf(x) else MISSING if math.isnan(x) else f"{x:.{digits}f}"


def level_table(level: str, found: Found, systems) -> List[str]:
    keys = [k for k, _, _ in METRICS]
    lines = [f"### Target variance: {level}", "",
             "|system|seeds|" + "|".join(TITLES[k] for k in keys) + "|",
             "|" + "---|" * (len(keys) + 2)]
    for system in [*systems, "cascade"]:
        runs = found.get((level, system), {})
        if not runs:
            continue
        cells = [_cell([r["metrics"][k] for r in runs.values() if r["metrics"][k] is not None]) for k in keys]
        lines.append(f"|{system}|{len(runs)}|" + "|".join(cells) + "|")
    return lines + [""]


def difference_table(levels, systems, found: Found, reference: str) -> List[str]:
    lines = [f"## Seed-paired differences to {reference}", "",
             "Mean of (system − reference) over the seeds both have, 95 % t interval, paired t "
             "test and exact permutation test; Holm's correction over the LAU systems of each "
             "level and metric. A difference counts only when its interval excludes 0.", "",
             "|level|system|metric|seeds|difference|95 % CI|p (t)|p (perm.)|p Holm (t)|",
             "|---|---|---|---|---|---|---|---|---|"]
    for level in levels:
        base = found.get((level, reference), {})
        for key in TESTED:
            rows = []
            for system in systems:
                if system == reference:
                    continue
                runs = found.get((level, system), {})
                d = paired_difference(
                    {s: r["metrics"][key] for s, r in base.items() if r["metrics"][key] is not None},
                    {s: r["metrics"][key] for s, r in runs.items() if r["metrics"][key] is not None})
                if d is not None:
                    rows.append((system, d))
            lau = [i for i, (system, _) in enumerate(rows) if system.startswith("lau_")]
            adjusted = dict(zip(lau, holm([rows[i][1]["p_t"] for i in lau])))
            for i, (system, d) in enumerate(rows):
                holm_p = f"{adjusted[i]:.3f}" if i in adjusted else "–"
                lines.append(f"|{level}|{system}|{TITLES[key]}|{d['n']}|{d['mean']:+.2f}|"
                             f"[{d['ci_low']:+.2f}, {d['ci_high']:+.2f}]|{d['p_t']:.3f}|"
                             f"{d['p_permutation']:.3f}|{holm_p}|")
    return lines + [""]


def spread_and_balance_table(levels, systems, found: Found) -> List[str]:
    lines = ["## Seed spread, λ, r and drift", "",
             "BLEU spread across seeds (the stability claim: a regulariser that steadies training "
             "narrows it); λ as trained; r = ‖∇enc λ·L_sem‖ / ‖∇enc L_ST‖ at the start of training "
             "(mean over seeds) and of the trained model (first seed); encoder drift.", "",
             "|level|system|seeds|BLEU sd|BLEU min–max|λ|r start|r trained|drift|",
             "|---|---|---|---|---|---|---|---|---|"]
    for level in levels:
        for system in systems:
            runs = found.get((level, system), {})
            if not runs:
                continue
            bleu = [r["metrics"]["bleu"] for r in runs.values()]
            stat = mean_std(bleu)
            lams = [r["lambda"] for r in runs.values() if r["lambda"] is not None]
            starts = [r["r_start"] for r in runs.values() if r["r_start"] is not None]
            finals = [r["r_final"] for r in runs.values() if r["r_final"] is not None]
            drift = [r["metrics"]["drift"] for r in runs.values() if r["metrics"]["drift"] is not None]
            sd = f"{stat['std']:.2f}" if stat.get("std") is not None else MISSING
            cells = [str(len(runs)), sd, f"{min(bleu):.2f}–{max(bleu):.2f}", _cell(lams, 4), _cell(starts, 3),
                     f"{finals[0]:.3g}" if finals else MISSING, _cell(drift)]
            lines.append(f"|{level}|{system}|" + "|".join(cells) + "|")
    return lines + [""]


def gap_plots(levels, systems, found: Found, reference: str, plot_dir: Path) -> List[Path]:
    """The LAU − reference BLEU gap against target variance; drift against r."""
    plot_dir.mkdir(parents=True, exist_ok=True)
    gap_series, drift_series = {}, {}
    xs = list(range(len(levels)))
    for system in systems:
        if system == reference:
            continue
        means, halves, points = [], [], []
        for level in levels:
            base = found.get((level, reference), {})
            runs = found.get((level, system), {})
            d = paired_difference({s: r["metrics"]["bleu"] for s, r in base.items()},
                                  {s: r["metrics"]["bleu"] for s, r in runs.items()})
            means.append(d["mean"] if d else float("nan"))
            halves.append((d["ci_high"] - d["mean"]) if d else 0.0)
        gap_series[system] = (xs, means, halves)
        for level in levels:
            for r in found.get((level, system), {}).values():
                if r["r_start"] is not None and r["metrics"]["drift"] is not None:
                    points.append((r["r_start"], r["metrics"]["drift"]))
        if points:
            points.sort()
            drift_series[system] = ([p[0] for p in points], [p[1] for p in points], [0.0] * len(points))
    paths = [lines_plot(gap_series, plot_dir / "bleu_gap_vs_variance.png",
                        f"BLEU − {reference} (seed-paired, 95 % CI) by target variance "
                        f"({', '.join(f'{i}={lvl}' for i, lvl in enumerate(levels))})",
                        "target variance level", "BLEU difference", hlines={"no difference": 0.0})]
    if drift_series:
        paths.append(lines_plot(drift_series, plot_dir / "drift_vs_r.png", "Encoder drift against r at the start",
                                "r = ‖∇enc λ·L_sem‖ / ‖∇enc L_ST‖", "total parameter drift"))
    return paths


# ---- learning curves and evaluation epochs -------------------------------------------

def record_series(run: dict, phase: str, key: str) -> Dict[int, float]:
    """``{epoch: value}`` of one Reporter statistic in a run's record (none: ``{}``)."""
    record = run.get("record") or {}
    return {row["epoch"]: row[phase][key] for row in record.get("epochs", []) if key in row.get(phase, {})}


def metric_at(run: dict, key: str, epoch: Optional[int]) -> Optional[float]:
    """A run's metric on the final decoding (``epoch`` None) or at evaluation epoch ``epoch``."""
    metrics = run["metrics"] if epoch is None else run["by_epoch"].get(epoch)
    return None if metrics is None else metrics.get(key)


def training_seconds_to(run: dict, epoch: int) -> Optional[float]:
    """Wall-clock seconds of training epochs 1..``epoch`` (train and valid phases), from the
    record's per-epoch Reporter times; None unless every one of those epochs has them."""
    rows = {row["epoch"]: row.get("seconds") or {} for row in (run.get("record") or {}).get("epochs", [])}
    if not all(rows.get(e) for e in range(1, epoch + 1)):
        return None
    return sum(sum(rows[e].values()) for e in range(1, epoch + 1))


def _mean_sd_series(per_seed: Sequence[Mapping[int, float]]) -> Tuple[List[int], List[float], List[float]]:
    """Epochs, mean and sd over the seeds having each epoch."""
    epochs = sorted({e for s in per_seed for e in s})
    stats = [mean_std([s[e] for s in per_seed if e in s]) for e in epochs]
    return epochs, [st["mean"] for st in stats], [st["std"] for st in stats]


def curve_plots(levels, systems, found: Found, plot_dir: Path) -> List[Path]:
    """Per level: mean ± sd over seeds of valid accuracy and valid loss_st per epoch (run
    records) and of test BLEU per evaluation epoch (by_epoch); one PNG each with data."""
    paths = []
    for level in levels:
        wanted = [(f"{level}_{phase}_{key}_per_epoch.png", label, "epoch",
                   lambda run, phase=phase, key=key: record_series(run, phase, key))
                  for phase, key, label in RECORD_CURVES]
        wanted.append((f"{level}_test_bleu_per_eval_epoch.png", "test BLEU", "evaluation epoch",
                       lambda run: {e: m["bleu"] for e, m in run["by_epoch"].items() if m.get("bleu") is not None}))
        for name, label, xlabel, values in wanted:
            series = {}
            for system in systems:
                per_seed = [v for v in (values(r) for r in found.get((level, system), {}).values()) if v]
                if per_seed:
                    series[f"{system} (n={len(per_seed)})"] = _mean_sd_series(per_seed)
            if series:
                paths.append(lines_plot(series, plot_dir / name, f"{level}: {label}, mean ± sd over seeds",
                                        xlabel, label, band=True))
    return paths


def epoch_tables(levels, systems, found: Found, reach_bleu: float) -> List[str]:
    """Test BLEU at each evaluation epoch, and the evaluation epoch (and training time) at
    which each seed first reaches ``reach_bleu``; empty without by_epoch decodings."""
    if not any(r["by_epoch"] for runs in found.values() for r in runs.values()):
        return []
    epochs = sorted({e for runs in found.values() for r in runs.values() for e in r["by_epoch"]})
    lines = ["## Test BLEU by evaluation epoch", "",
             "The test decoding after each evaluation epoch E (`by_epoch/ep<E>`): mean ± sd (seeds).", "",
             "|level|system|" + "|".join(f"epoch {e}" for e in epochs) + "|", "|---|---|" + "---|" * len(epochs)]
    reach = [f"### Epochs to reach BLEU {reach_bleu:g}", "",
             f"The first evaluation epoch at which a seed's test BLEU is ≥ {reach_bleu:g}; the median over the "
             "seeds that reach it, and their median training time to that epoch (train and valid phases, "
             "from the run records' Reporter times; decoding not counted).", "",
             "|level|system|seeds reaching it|median epoch|median training time|", "|---|---|---|---|---|"]
    for level in levels:
        for system in systems:
            runs = [r for r in found.get((level, system), {}).values() if r["by_epoch"]]
            if not runs:
                continue
            cells = []
            for e in epochs:
                values = [v for v in (metric_at(r, "bleu", e) for r in runs) if v is not None]
                cells.append(f"{_cell(values)} ({len(values)})" if values else MISSING)
            lines.append(f"|{level}|{system}|" + "|".join(cells) + "|")
            firsts = []
            for r in runs:
                first = next((e for e in sorted(r["by_epoch"])
                              if metric_at(r, "bleu", e) is not None and metric_at(r, "bleu", e) >= reach_bleu), None)
                if first is not None:
                    firsts.append((first, training_seconds_to(r, first)))
            times = [t for _, t in firsts if t is not None]
            median_epoch = _median([e for e, _ in firsts])
            reach.append(f"|{level}|{system}|{len(firsts)} of {len(runs)}|"
                         f"{MISSING if median_epoch is None else f'{median_epoch:g}'}|"
                         f"{f'{_median(times) / 60:.1f} min ({len(times)} timed)' if times else MISSING}|")
    return lines + [""] + reach + [""]


def _median(values: Sequence[float]) -> Optional[float]:
    return float(np.median(values)) if len(values) else None


# ---- collapse ---------------------------------------------------------------------------

def run_collapses(run: dict, level_mf_bleu: Optional[float]) -> Dict[str, Optional[List[str]]]:
    """``{evaluation name: collapse reasons ([] = not collapsed), or None (no measures)}``."""
    record = run.get("record") or {}
    mf = record.get("most_frequent_bleu")
    mf = level_mf_bleu if mf is None else mf
    out = {}
    for ev in record.get("evaluations", []):
        c = ev.get("collapse")
        out[ev["name"]] = None if c is None else collapse_reasons(c["top_share"], ev.get("bleu"), mf)
    return out


def collapse_table(levels, systems, found: Found, level_mf_bleu: Mapping[str, Optional[float]]) -> List[str]:
    """Per cell: how many seeds collapsed, on the final decoding and at each evaluation
    epoch, and the final decoding's collapse measures; empty without run records."""
    judged = {(level, system, seed): run_collapses(r, level_mf_bleu.get(level))
              for (level, system), runs in found.items() for seed, r in runs.items() if r.get("record")}
    names = sorted({n for c in judged.values() for n, v in c.items() if v is not None},
                   key=lambda n: (n == "final", int(n[2:]) if n.startswith("ep") else 0))
    if not names:
        return []
    mf = ", ".join(f"{lvl} {b:.2f}" for lvl, b in level_mf_bleu.items() if b is not None)
    lines = ["## Collapse", "",
             f"Rule: {RULE}. Measures of the final test hypotheses (mean over seeds), normalised as "
             "scored: share of the most frequent hypothesis, share identical to some training target, "
             "share empty, number of distinct hypotheses. k/n: k of the n seeds with a run record collapsed."
             + (f" Most-frequent-sentence BLEU of the levels (lau_st.sh): {mf}." if mf else ""), "",
             "|level|system|" + "|".join("final" if n == "final" else f"epoch {n[2:]}" for n in names)
             + "|top share %|in training %|empty %|distinct|", "|---|---|" + "---|" * (len(names) + 4)]
    collapsed_runs = []
    for level in levels:
        for system in systems:
            runs = {seed: r for seed, r in found.get((level, system), {}).items() if r.get("record")}
            if not runs:
                continue
            cells = []
            for name in names:
                verdicts = [judged[(level, system, s)].get(name) for s in runs]
                verdicts = [v for v in verdicts if v is not None]
                cells.append(f"{sum(bool(v) for v in verdicts)}/{len(verdicts)}" if verdicts else MISSING)
            finals = [ev["collapse"] for r in runs.values() for ev in r["record"]["evaluations"]
                      if ev["name"] == "final" and ev.get("collapse")]
            for key in ("top_share", "in_training_share", "empty_share"):
                cells.append(_cell([100 * c[key] for c in finals], 1) if finals else MISSING)
            cells.append(_cell([c["distinct"] for c in finals], 1) if finals else MISSING)
            lines.append(f"|{level}|{system}|" + "|".join(cells) + "|")
            for seed in runs:
                reasons = judged[(level, system, seed)].get("final")
                if reasons:
                    collapsed_runs.append(f"{level}/{system}/seed{seed} ({'; '.join(reasons)})")
    if collapsed_runs:
        lines += ["", "Collapsed on the final decoding: " + ", ".join(collapsed_runs) + "."]
    return lines + [""]


# ---- the family of comparisons -------------------------------------------------------

def comparison_tables(comparisons: Sequence[Comparison], found: Found, metric: str) -> List[str]:
    """The ``--compare`` family: difference of means with Welch's 95 % interval, paired
    (sign flips, seeds both arms have) and unpaired (all seeds) permutation p, Holm's
    correction of the unpaired p across the whole family, and a verdict; then the spread
    of each comparison (Levene, bootstrap sd ratio), Holm-corrected across the family too."""
    if not comparisons:
        return []
    rows = []
    for c in comparisons:
        arms = []
        for system in (c.system_a, c.system_b):
            runs = found.get((c.level, system), {})
            arms.append({s: v for s, v in ((s, metric_at(r, metric, c.epoch)) for s, r in runs.items()) if v is not None})
        a, b = arms
        rows.append((c, a, b, unpaired_difference(list(a.values()), list(b.values())),
                     paired_difference(a, b), spread_comparison(list(a.values()), list(b.values()))))
    tested = [i for i, row in enumerate(rows) if row[3] is not None]
    p_holm = dict(zip(tested, holm([rows[i][3]["p_permutation"] for i in tested])))
    spread = [i for i, row in enumerate(rows) if row[5] is not None and not math.isnan(row[5]["p_levene"])]
    levene_holm = dict(zip(spread, holm([rows[i][5]["p_levene"] for i in spread])))
    title = TITLES[metric]
    lines = [f"## Comparisons: {title} (a family of {len(comparisons)}, Holm-corrected)", "",
             f"Each row is B − A on {title} at the epoch named (final: the final decoding), over ALL seeds "
             "of both arms (unpaired): difference of means, Welch's 95 % interval, two-sided permutation "
             "test of the difference (exact: every arrangement of the pooled seeds; Monte Carlo: "
             "seeded random ones); the paired test flips the signs of the differences of the seeds "
             f"both arms have (smallest p 2/2^n). Holm's correction runs across the whole family: the "
             f"{len(tested)} comparisons tested of the {len(comparisons)} asked for. Verdict: *established* "
             f"only when the Holm-adjusted unpaired p < {ALPHA}.",
             "", "|comparison|epoch|seeds A / B|A|B|B − A|95 % CI|p paired|p unpaired|test|p Holm|verdict|",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for i, (c, a, b, u, d, _) in enumerate(rows):
        head = f"|{c.label}|{c.epoch_label}|{len(a)} / {len(b)}|"
        if u is None:
            lines.append(head + f"{_cell(list(a.values()))}|{_cell(list(b.values()))}|" + f"{MISSING}|" * 6
                         + "not tested (an arm has fewer than 2 seeds)|")
            continue
        test = (f"exact, {u['arrangements']} arrangements" if u["exact"]
                else f"Monte Carlo, {u['arrangements']} resamples")
        if p_holm[i] < ALPHA:
            verdict = f"established: {c.system_b} {'higher' if u['difference'] > 0 else 'lower'}"
        else:
            verdict = "not established"
        paired = f"{d['p_permutation']:.3f} (n={d['n']})" if d else MISSING
        lines.append(head + f"{_cell(list(a.values()))}|{_cell(list(b.values()))}|{u['difference']:+.2f}|"
                     f"[{u['ci_low']:+.2f}, {u['ci_high']:+.2f}]|{paired}|{u['p_permutation']:.3f}|{test}|"
                     f"{p_holm[i]:.3f}|{verdict}|")
    lines += ["", f"### Spread of {title} across seeds", "",
              "sd of each arm, the ratio sd(B) / sd(A) with a percentile bootstrap 95 % interval (10000 "
              "resamples of each arm, seed 0; ∞ or 0: a resample without spread), and Levene's test with "
              "the median (Brown-Forsythe), Holm-corrected across the family.", "",
              "|comparison|epoch|sd A|sd B|sd B / sd A|95 % bootstrap CI|p Levene|p Holm|",
              "|---|---|---|---|---|---|---|---|"]
    for i, (c, _, _, _, _, s) in enumerate(rows):
        head = f"|{c.label}|{c.epoch_label}|"
        if s is None:
            lines.append(head + f"{MISSING}|" * 6)
            continue
        lines.append(head + f"{s['sd_a']:.2f}|{s['sd_b']:.2f}|{_number(s['ratio'])}|"
                     f"[{_number(s['ratio_low'])}, {_number(s['ratio_high'])}]|{_p(s['p_levene'])}|"
                     f"{_p(levene_holm.get(i))}|")
    return lines + [""]


# ---- the whole report ---------------------------------------------------------------------

def grid_report(grid: Path, levels: Sequence[str], systems: Sequence[str], seeds: Sequence[int],
                inference_tag: str, reference: str, out: Path, plot_dir: Path, title: str,
                extra_seeds: Sequence[int] = (), extra_seeded: Sequence[str] = (),
                comparisons: Sequence[Comparison] = (), compare_metric: str = "bleu",
                reach_bleu: float = 30.0) -> Optional[str]:
    """The grid's RESULTS.md text (plots written to ``plot_dir``), or None when no run of
    the grid is evaluated."""
    found, missing = collect(grid, levels, systems, seeds, inference_tag, extra_seeds, extra_seeded)
    if not found:
        return None
    lines = ["<!-- Generated by `python -m espnet_lau.bin.grid_results` (local/run_ablation.sh step 6). -->",
             f"# {title}", "",
             f"Seeds asked for: {' '.join(map(str, seeds))}"
             + (f", and {' '.join(map(str, extra_seeds))} for {', '.join(extra_seeded)}" if extra_seeds else "")
             + ". Every number below is a mean ± sample sd "
             "over the seeds it names; a single run proves nothing on this corpus.", ""]
    if missing:
        lines += [f"**Missing ({len(missing)} runs, not evaluated yet):** {', '.join(missing)}.", ""]
    lines += ["## Per level", ""]
    for level in levels:
        lines += level_table(level, found, systems)
    lines += difference_table(levels, systems, found, reference)
    lines += spread_and_balance_table(levels, systems, found)
    lines += epoch_tables(levels, systems, found, reach_bleu)
    lines += collapse_table(levels, systems, found, {level: level_most_frequent_bleu(grid, level) for level in levels})
    lines += comparison_tables(comparisons, found, compare_metric)
    paths = gap_plots(levels, systems, found, reference, plot_dir) + curve_plots(levels, systems, found, plot_dir)
    lines += figures_markdown(paths, out.parent)
    logging.info("%d cells, %d runs missing", len(found), len(missing))
    return "\n".join(lines) + "\n"
