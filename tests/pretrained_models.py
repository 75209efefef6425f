"""A tiny OWSM-shaped ESPnet S2T model in the zoo layout, built in the test (no hub):
``e_branchformer`` with ``input_layer: conv2d8`` on 128 mel bins and global_mvn, as OWSM v4,
but 32 wide and one block (random weights, a few hundred kB)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import torch
import yaml
from espnet2.utils.yaml_no_alias_safe_dump import yaml_no_alias_safe_dump

N_MELS = 128
TOKENS = ["<blank>", "<unk>", "<na>", "<nolang>", "<bam>", "<fr>", "<asr>", "<st_fra>", "<notimestamps>",
          "<0.00>", "<30.00>", "a", "b", "<sos>", "<eos>", "<sop>"]
EXP = "exp/s2t_train_owsm_tiny_raw_bpe16"
STATS = "exp/s2t_stats_raw_bpe16/train/feats_stats.npz"
OPTIONS = ["--frontend_conf", f"n_mels={N_MELS}", "--frontend_conf", "n_fft=512", "--frontend_conf", "hop_length=160",
           "--encoder", "e_branchformer", "--encoder_conf", "output_size=32", "--encoder_conf", "attention_heads=2",
           "--encoder_conf", "linear_units=64", "--encoder_conf", "cgmlp_linear_units=64",
           "--encoder_conf", "num_blocks=1", "--encoder_conf", "input_layer=conv2d8",
           "--decoder", "transformer", "--decoder_conf", "attention_heads=2", "--decoder_conf", "linear_units=64",
           "--decoder_conf", "num_blocks=1", "--normalize", "global_mvn"]


def save_tiny_owsm(root: Path, rename: Optional[Callable[[str], str]] = None) -> int:
    """``root/meta.yaml``, ``root/<EXP>/config.yaml`` + ``valid.acc.ave.pth`` and
    ``root/<STATS>`` as a Hugging Face ESPnet repository holds them (config paths relative
    to ``root``); ``rename`` changes the saved keys. Returns the encoder's tensor count."""
    from espnet2.tasks.s2t import S2TTask

    stats = root / STATS
    stats.parent.mkdir(parents=True)
    rng = np.random.default_rng(0)
    feats = rng.normal(-8.0, 3.0, size=(500, N_MELS))
    np.savez(stats, count=np.array(len(feats)), sum=feats.sum(0), sum_square=(feats ** 2).sum(0))
    args = S2TTask.get_parser().parse_args(
        ["--token_list", "unused", "--token_type", "char", *OPTIONS, "--normalize_conf", f"stats_file={stats}"])
    args.token_list = list(TOKENS)
    torch.manual_seed(0)
    model = S2TTask.build_model(args)
    args.normalize_conf = {"stats_file": STATS}  # as packed: relative to the repository
    exp = root / EXP
    exp.mkdir(parents=True)
    (exp / "config.yaml").write_text(yaml_no_alias_safe_dump(vars(args), indent=4))
    state = model.state_dict()
    torch.save({(rename(k) if rename else k): v for k, v in state.items()}, exp / "valid.acc.ave.pth")
    meta = {"espnet": "202511", "yaml_files": {"s2t_train_config": f"{EXP}/config.yaml"},
            "files": {"s2t_model_file": f"{EXP}/valid.acc.ave.pth"}}
    (root / "meta.yaml").write_text(yaml.safe_dump(meta))
    return len(model.encoder.state_dict())


def zip_model(root: Path, zip_path: Path) -> Path:
    """``root`` packed as ``espnet2.bin.pack`` packs (``meta.yaml`` at the top)."""
    with zipfile.ZipFile(zip_path, "w") as z:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            z.write(path, path.relative_to(root).as_posix())
    return zip_path
