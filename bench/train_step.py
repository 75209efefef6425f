#!/usr/bin/env python3
"""Training step time of LAU (λ=1, MSE, precomputed sem_emb) vs the baseline (λ=0).

Both models are built from their config (``--preset mini``: the recipe's
``train_st_baseline.yaml`` and ``train_st_lau_mse_lambda1.0.yaml``, identical but for the
semantic keys) with the same seed and trained on the same batches; one step is forward +
backward + optimiser step. The variants alternate (A B, B A, ...) within one process, so
machine load hits both alike; each repeat times ``steps`` steps per variant after one
untimed warm-up step, and the figure is the per-repeat ratio LAU ÷ baseline (median and
min–max over the repeats; target ≤ 1.03).

A second figure answers whether LAUSTModel's per-batch check of ``sem_emb`` (shape and
NaN/Inf, ``_check_sem_emb``) shows up: the time of one check ÷ one LAU step, timed in the
same alternation.

Writes ``<out_dir>/train_step.json``.

    python bench/train_step.py [--preset mini|debug] [--repeats 12] [--threads 1]
"""

from __future__ import annotations

import sys
from pathlib import Path
from statistics import fmean as mean
from typing import Callable, Dict, List, Optional, Sequence

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from bench.common import (  # noqa: E402
    Figure,
    alternate,
    at_most,
    base_parser,
    ratio_figure,
    ratios,
    setup,
    timed,
    write_report,
)
from bench.workload import (  # noqa: E402
    Preset,
    build_model,
    get_teacher,
    make_optimizer,
    precompute,
    synthetic_batches,
    synthetic_token_list,
    to_device,
    train_step,
)

STEP_TARGET = 1.03
CHECK_CALLS = 200  # checks timed per repeat (one check takes microseconds)

SemEmbSource = Optional[Callable[[int], torch.Tensor]]  # batch index -> (B, E), or None


class StepBench:
    """Models trained side by side on the same batches.

    Args:
        preset: configs and sizes.
        repeats: alternating repeats; ``preset.steps`` batches are used per repeat.
        teacher: the teacher whose precomputed embeddings LAU reads (``sem_emb``).
        device: where the models train; batches and embeddings are put there beforehand.
    """

    def __init__(self, preset: Preset, repeats: int, teacher, device: str = "cpu"):
        self.preset, self.repeats, self.teacher = preset, repeats, teacher
        self.device = torch.device(device)
        batches = synthetic_batches(preset, preset.steps * repeats)
        self.sem_emb = [e.to(self.device) for e in precompute(teacher, batches)]
        self.batches = [to_device(batch, self.device) for batch in batches]
        self.tokens = synthetic_token_list(preset.vocab_size)
        self.models: Dict[str, torch.nn.Module] = {}
        self.optimizers: Dict[str, torch.optim.Optimizer] = {}
        self.steps: Dict[str, Callable[[int], None]] = {}
        self.variants: Dict[str, Callable[[int], float]] = {}

    def add(self, name: str, config: Path, sem_emb: SemEmbSource, sem_dim: Optional[int] = None,
            options: Sequence[str] = ()):
        """A variant training its own model from ``config``; ``sem_emb`` feeds LAU (None: baseline).

        ``options``: more training options (:func:`bench.workload.build_model`). One untimed
        warm-up step runs now (it allocates the optimiser state).
        """
        model, _ = build_model(config, self.tokens, sem_dim, options=options)
        model.to(self.device).train()
        optimizer = make_optimizer(model)

        def step(i: int) -> None:
            train_step(model, optimizer, self.batches[i], None if sem_emb is None else sem_emb(i))

        step(0)
        steps = self.preset.steps
        self.models[name], self.optimizers[name], self.steps[name] = model, optimizer, step
        self.variants[name] = lambda r: mean(timed(step)(r * steps + s) for s in range(steps))

    def add_baseline_and_lau(self) -> None:
        """``baseline`` (the baseline config, no sem_emb) and ``lau`` (LAU config, precomputed)."""
        self.add("baseline", self.preset.baseline_config, None)
        self.add("lau", self.preset.lau_config, self.sem_emb.__getitem__, self.teacher.dim)

    def add_check(self) -> None:
        """``sem_emb_check``: seconds of one ``LAUSTModel._check_sem_emb`` call on a real batch."""
        lau, sem_emb = self.models["lau"], self.sem_emb[0]
        ids = [f"utt{i}" for i in range(len(sem_emb))]

        def checks(_r: int) -> float:
            return mean(timed(lau._check_sem_emb)(sem_emb, ids) for _ in range(CHECK_CALLS))

        self.variants["sem_emb_check"] = checks

    def measure(self) -> Dict[str, List[float]]:
        """Seconds per step (per check) of every variant, one value per repeat."""
        print(f"step times (s), {self.preset.steps} steps per variant per repeat, "
              f"threads={torch.get_num_threads()}:", flush=True)
        return alternate(self.variants, self.repeats)

    def settings(self) -> dict:
        """What was compared and how, for the JSON."""
        p = self.preset
        return dict(preset=p.name, baseline_config=str(p.baseline_config),
                    lau_config=str(p.lau_config), sem_emb_teacher=self.teacher.name,
                    device=str(self.device),
                    batch_size=p.batch_size, seconds_per_utterance=p.seconds,
                    audio="synthetic (seeded Gaussian noise)", steps_per_repeat=p.steps)


def step_figures(bench: StepBench, times: Dict[str, List[float]]) -> List[Figure]:
    """LAU ÷ baseline step time, and the sem_emb check's share of a LAU step."""
    figures = [ratio_figure(
        "train_step_time_ratio", "LAU ÷ baseline training step time (fwd+bwd+optim)",
        f"≤ {STEP_TARGET:.2f}", ratios(times["lau"], times["baseline"]),
        at_most(STEP_TARGET), seconds_per_step={k: times[k] for k in ("baseline", "lau")},
        **bench.settings())]
    if "sem_emb_check" in times:
        figures.append(ratio_figure(
            "sem_emb_check_share", "sem_emb NaN/Inf+shape check ÷ LAU step time",
            "≤ 0.01 (negligible)", ratios(times["sem_emb_check"], times["lau"]),
            at_most(0.01), calls_per_repeat=CHECK_CALLS,
            seconds_per_check=times["sem_emb_check"]))
    return figures


def run(preset: Preset, repeats: int) -> List[Figure]:
    """Figure 1 (and the check's share), measured side by side."""
    bench = StepBench(preset, repeats, get_teacher(preset.teachers[0]))
    bench.add_baseline_and_lau()
    bench.add_check()
    return step_figures(bench, bench.measure())


def main(cmd=None):
    args = base_parser(__doc__).parse_args(cmd)
    preset, repeats = setup(args, "train_step")
    write_report("train_step", run(preset, repeats), args.out_dir)


if __name__ == "__main__":
    main()
