"""Tiny ST models and batches built from the debug configs, for the model-level tests."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import soundfile
import torch
from espnet2.utils.yaml_no_alias_safe_dump import yaml_no_alias_safe_dump

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



def save_tiny_lau_checkpoint(outdir: Path, seed: int = 0):
    """A tiny LAU model with random (untrained) weights, saved as lau_st_train does
    (``outdir/config.yaml``, ``outdir/valid.acc.ave.pth``); returns the model."""
    torch.manual_seed(seed)
    args = tiny_args(LAU_CONFIG, "--semantic_head_conf", f"output_size={EMB_DIM}")
    args.train_data_path_and_name_and_type = [
        ("dump/train/wav.scp", "speech", "sound"),
        ("dump/train/sem_emb/sem_emb.scp", "sem_emb", "npy"),
    ]
    model = LAUSTTask.build_model(args)
    with torch.no_grad():  # make the decoder prefer real tokens over <sos/eos>
        model.decoder.output_layer.bias[-1] = -5.0
    (outdir / "config.yaml").write_text(yaml_no_alias_safe_dump(vars(args), indent=4))
    torch.save(model.state_dict(), outdir / "valid.acc.ave.pth")
    return model


def write_tiny_wavs(folder: Path, n: int = 4, seconds: float = 0.5) -> Path:
    """``folder/wav.scp`` of ``n`` short noise wavs (absolute paths) and ``folder/text``
    of char transcripts in :data:`TOKENS`; returns the wav.scp."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    with open(folder / "wav.scp", "w") as scp, open(folder / "text", "w") as text, \
            open(folder / "shape", "w") as shape:
        for i in range(n):
            wav = folder / f"utt{i}.wav"
            soundfile.write(wav, (0.1 * rng.standard_normal(int(16000 * seconds))).astype("float32"), 16000)
            scp.write(f"utt{i} {wav}\n")
            text.write(f"utt{i} abc d\n")
            shape.write(f"utt{i} {int(16000 * seconds)}\n")
    return folder / "wav.scp"


def train_tiny_st(outdir: Path, *extra: str) -> Path:
    """One epoch of a real ESPnet training (``lau_st_train``, the baseline debug config, four
    utterances, about 10 s on a CPU; ``extra``: more options); returns its output dir
    (``checkpoint.pth``, ...)."""
    from espnet_lau.bin import lau_st_train

    data = outdir / "data"
    wav_scp = write_tiny_wavs(data)
    (outdir / "tokens.txt").write_text("\n".join(TOKENS) + "\n")
    data_args = []
    for phase in ("train", "valid"):
        data_args += [f"--{phase}_data_path_and_name_and_type", f"{wav_scp},speech,sound",
                      f"--{phase}_data_path_and_name_and_type", f"{data / 'text'},text,text",
                      f"--{phase}_shape_file", str(data / "shape")]
    exp = outdir / "exp"
    lau_st_train.main(["--config", str(BASELINE_CONFIG), "--token_type", "char",
                       "--token_list", str(outdir / "tokens.txt"), *data_args, "--output_dir", str(exp),
                       "--max_epoch", "1", "--batch_type", "unsorted", "--batch_size", "2",
                       "--use_matplotlib", "false", "--num_workers", "0", "--seed", "0", *extra])
    return exp
