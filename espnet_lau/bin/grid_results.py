#!/usr/bin/env python3
"""RESULTS.md of the LAU grid of ``local/run_ablation.sh``: levels × systems × seeds.

Reads ``<grid>/<level>/exp/<system>/seed<N>/<inference_tag>/test`` (scores, semantic
evaluation, drift), ``semantic_balance.json`` (r and λ at the start of training),
``semantic_balance_final.json`` (r of the trained model, first seed) and the cascade
``<grid>/<level>/exp/cascade/<inference_tag>/test``. Writes one Markdown file with:

* per level, mean ± sd over seeds (and the number of seeds) of every metric;
* seed-paired differences to ``--reference`` with 95 % CIs, paired t and permutation
  tests, and Holm's correction over the LAU systems of a level and metric;
* the seed spread of BLEU per system (the stability claim);
* λ, r at the start and of the trained model, and drift;
* plots: the LAU − reference gap against target variance, drift against r;
* the runs that are missing, by name.

    python -m espnet_lau.bin.grid_results --grid exp/ablation --levels low high \\
        --systems baseline_1xasr lau_mse_std_r1 --seeds 0 1 2 --out exp/ablation/RESULTS.md
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import List, Optional, Sequence

from espnet_lau.cli import add_log_level_option, parse_args, run_main
from espnet_lau.evaluation.grid_stats import holm, paired_difference
from espnet_lau.evaluation.plots import lines_plot
from espnet_lau.evaluation.results import METRICS, MISSING, figures_markdown, load_run
from espnet_lau.evaluation.stats import format_mean_std, mean_std
from espnet_lau.fileio import read_json_file, write_text_atomic

TESTED = ("bleu", "chrf", "slot_recall", "ami_independent")
TITLES = {key: title for key, title, _ in METRICS}


def _json(path: Path) -> Optional[dict]:
    return read_json_file(path, "delete it and re-run the stage that wrote it") if path.is_file() else None


def collect(grid: Path, levels, systems, seeds, inference_tag: str, extra_seeds=(), extra_seeded=()):
    """``{(level, system): {seed: run info}}`` of the evaluated runs, and the missing ones.

    Every system is planned with ``seeds``, the systems of ``extra_seeded`` also with
    ``extra_seeds`` (run_ablation.sh's plan); an evaluated run outside the plan is used,
    a missing one is not reported.
    """
    found, missing = {}, []
    for level in levels:
        for system in [*systems, "cascade"]:
            planned = list(seeds) + (list(extra_seeds) if system in extra_seeded else [])
            for seed in (list(seeds) + [s for s in extra_seeds if s not in seeds] if system != "cascade" else seeds[:1]):
                exp = grid / level / "exp" / (system if system == "cascade" else f"{system}/seed{seed}")
                decode = exp / inference_tag / "test"
                if not (decode / "score_bleu/scores.json").is_file():
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
                }
    return found, missing


def _cell(values: Sequence[float], digits: int = 2) -> str:
    return format_mean_std(mean_std(values), digits) if values else MISSING


def level_table(level: str, found, systems) -> List[str]:
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


def difference_table(levels, systems, found, reference: str) -> List[str]:
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


def spread_and_balance_table(levels, systems, found) -> List[str]:
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


def plots(levels, systems, found, reference: str, plot_dir: Path) -> List[Path]:
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


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grid", type=Path, required=True, help="the grid's --outdir")
    parser.add_argument("--levels", nargs="+", required=True)
    parser.add_argument("--systems", nargs="+", required=True)
    parser.add_argument("--seeds", nargs="+", type=int, required=True, help="the seeds of every system")
    parser.add_argument("--extra_seeds", nargs="*", type=int, default=[], help="more seeds for --extra_seeded")
    parser.add_argument("--extra_seeded", nargs="*", default=[], help="the systems that also get --extra_seeds")
    parser.add_argument("--inference_tag", default="decode_st_st_model_valid.acc.ave")
    parser.add_argument("--reference", default="baseline_1xasr", help="the system the others are compared to")
    parser.add_argument("--out", type=Path, required=True, help="the RESULTS.md to write")
    parser.add_argument("--plot_dir", type=Path, required=True)
    parser.add_argument("--title", default="LAU grid")
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd)
    found, missing = collect(args.grid, args.levels, args.systems, args.seeds, args.inference_tag,
                             args.extra_seeds, args.extra_seeded)
    if not found:
        raise SystemExit(f"grid_results: error: no evaluated run under {args.grid}: run local/run_ablation.sh first")
    lines = ["<!-- Generated by `python -m espnet_lau.bin.grid_results` (local/run_ablation.sh step 6). -->",
             f"# {args.title}", "",
             f"Seeds asked for: {' '.join(map(str, args.seeds))}"
             + (f", and {' '.join(map(str, args.extra_seeds))} for {', '.join(args.extra_seeded)}" if args.extra_seeds else "")
             + ". Every number below is a mean ± sample sd "
             "over the seeds it names; a single run proves nothing on this corpus.", ""]
    if missing:
        lines += [f"**Missing ({len(missing)} runs, not evaluated yet):** {', '.join(missing)}.", ""]
    lines += ["## Per level", ""]
    for level in args.levels:
        lines += level_table(level, found, args.systems)
    lines += difference_table(args.levels, args.systems, found, args.reference)
    lines += spread_and_balance_table(args.levels, args.systems, found)
    lines += figures_markdown(plots(args.levels, args.systems, found, args.reference, args.plot_dir), args.out.parent)
    write_text_atomic(args.out, "\n".join(lines) + "\n")
    logging.info("Wrote %s (%d cells, %d runs missing)", args.out, len(found), len(missing))


if __name__ == "__main__":
    run_main(main)
