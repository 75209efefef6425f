"""Tiny ST models and batches built from the debug configs, for the model-level tests."""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from espnet_lau.tasks.lau_st import LAUSTTask

REPO = Path(__file__).resolve().parents[1]
BASELINE_CONFIG = REPO / "conf/tuning/train_st_debug.yaml"
LAU_CONFIG = REPO / "conf/tuning/train_st_lau_debug.yaml"
TOKENS = ["<blank>", "<unk>", "a", "b", "c", "d", "<space>", "<sos/eos>"]
EMB_DIM = 8


def tiny_args(config: Path = LAU_CONFIG, *extra: str) -> argparse.Namespace:
    """Parsed training options of a tiny char-level ST model."""
    args = LAUSTTask.get_parser().parse_args(
        ["--config", str(config), "--token_type", "char", "--token_list", "unused", *extra]
    )
    args.token_list = list(TOKENS)
    return args


def tiny_batch(batch_size: int = 3, seed: int = 0) -> dict:
    """A batch in the layout ESPnet's collate function produces (+ sem_emb, utt_id)."""
    g = torch.Generator().manual_seed(seed)
    speech_lengths = torch.tensor([8000 - 1500 * i for i in range(batch_size)])
    speech = torch.randn(batch_size, int(speech_lengths.max()), generator=g)
    for b, n in enumerate(speech_lengths.tolist()):
        speech[b, n:] = 0.0
    text_lengths = torch.tensor([4 - (i % 3) for i in range(batch_size)])
    text = torch.randint(2, 7, (batch_size, int(text_lengths.max())), generator=g)
    for b, n in enumerate(text_lengths.tolist()):
        text[b, n:] = -1
    return dict(
        speech=speech,
        speech_lengths=speech_lengths,
        text=text,
        text_lengths=text_lengths,
        sem_emb=torch.randn(batch_size, EMB_DIM, generator=g),
        utt_id=[f"utt{i}" for i in range(batch_size)],
    )

