"""A tiny S2T model in OWSM's layout, made in the test: what ``espnet_model_zoo`` unpacks
for an OWSM checkpoint (``exp/<train>/config.yaml``, the ``.pth``,
``data/token_list/<bpe>/bpe.model``, ``exp/<stats>/train/feats_stats.npz``).

The token list has OWSM's special symbols in OWSM's order: ``<blank> <unk> <na> <nolang>``,
language symbols (no ``<bam>``), task symbols, ``<notimestamps>``, the timestamps
``<0.00>`` … ``<30.00>`` (a coarser step than OWSM's 0.02 keeps the test small; the
preprocessor only needs them contiguous), the BPE pieces, then ``<sos> <eos> <sop>``. All
special symbols are user-defined symbols of the sentencepiece model, as in OWSM.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Iterable, List, Sequence

import numpy as np
import sentencepiece as spm
import torch
from espnet2.tasks.s2t import S2TTask
from espnet2.utils.yaml_no_alias_safe_dump import yaml_no_alias_safe_dump

LANGUAGES = ("<deu>", "<eng>", "<fra>", "<ful>")
TASKS = ("<asr>", "<st_deu>", "<st_eng>", "<st_fra>")
N_MELS = 16
TRAIN_DIR = "exp/s2t_train_tiny_raw_bpe"
MODEL_NAME = "valid.total_count.ave_5best.pth"
BPE_DIR = "data/token_list/bpe_unigram"
STATS_DIR = "exp/s2t_stats_raw_bpe/train"


def timestamps(step: float = 1.0, last: float = 30.0) -> List[str]:
    n = int(round(last / step))
    return [f"<{i * step:.2f}>" for i in range(n + 1)]


def special_symbols(time_step: float = 1.0) -> List[str]:
    """OWSM's user-defined symbols, in order (after ``<blank> <unk>``)."""
    return ["<na>", "<nolang>", *LANGUAGES, *TASKS, "<notimestamps>", *timestamps(time_step)]


def train_owsm_bpe(texts: Iterable[str], model_prefix: Path, vocab_size: int = 120,
                   time_step: float = 1.0) -> List[str]:
    """A sentencepiece model with OWSM's special symbols; returns the token list
    (s2t.sh's stage 5: ``<blank> <unk>``, the pieces after ``<unk> <s> </s>``, ``<sos> <eos> <sop>``)."""
    model_prefix.parent.mkdir(parents=True, exist_ok=True)
    text = model_prefix.parent / "train.txt"
    text.write_text("\n".join(texts) + "\n", encoding="utf-8")
    symbols = special_symbols(time_step)
    spm.SentencePieceTrainer.train(
        input=str(text), model_prefix=str(model_prefix), vocab_size=vocab_size + len(symbols),
        model_type="unigram", character_coverage=1.0, user_defined_symbols=symbols,
        hard_vocab_limit=False, minloglevel=2,
    )
    processor = spm.SentencePieceProcessor(model_file=f"{model_prefix}.model")
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    return ["<blank>", "<unk>", *pieces[3:], "<sos>", "<eos>", "<sop>"]


def tiny_owsm_config(token_list: Sequence[str], bpemodel: str, stats_file: str,
                     speech_length: float = 4.0) -> dict:
    """The training config of the tiny OWSM (what ``s2t_train`` writes as config.yaml)."""
    args = S2TTask.get_parser().parse_args([
        "--token_type", "bpe", "--token_list", "unused", "--bpemodel", bpemodel,
        "--frontend", "default", "--normalize", "global_mvn", "--encoder", "transformer",
        "--decoder", "transformer", "--preprocessor", "s2t",
    ])
    args.frontend_conf = dict(n_fft=400, hop_length=160, n_mels=N_MELS)
    args.normalize_conf = dict(stats_file=stats_file)
    args.encoder_conf = dict(output_size=16, attention_heads=2, linear_units=32, num_blocks=1,
                             input_layer="conv2d")
    args.decoder_conf = dict(attention_heads=2, linear_units=32, num_blocks=1)
    args.model_conf = dict(ctc_weight=0.3, lsm_weight=0.1, length_normalized_loss=False, sym_na="<na>")
    args.token_list = list(token_list)
    args.preprocessor_conf = dict(
        text_prev_name="text_prev", text_ctc_name="text_ctc", fs=16000, na_symbol="<na>",
        speech_length=speech_length, speech_resolution=0.02, speech_init_silence=1.0,
        text_prev_apply_prob=0.5, time_apply_prob=0.5, notime_symbol="<notimestamps>",
        first_time_symbol="<0.00>", last_time_symbol="<30.00>",
    )
    return vars(args)


def save_tiny_owsm(root: Path, texts: Iterable[str], seed: int = 0) -> Path:
    """A random tiny OWSM in the zoo layout under ``root``; returns ``root``."""
    root = Path(root)
    token_list = train_owsm_bpe(texts, root / BPE_DIR / "bpe")
    stats = root / STATS_DIR / "feats_stats.npz"
    stats.parent.mkdir(parents=True)
    np.savez(stats, count=np.array(1000), sum=np.zeros(N_MELS), sum_square=np.full(N_MELS, 1000.0))
    config = tiny_owsm_config(token_list, str(root / BPE_DIR / "bpe.model"), str(stats))
    torch.manual_seed(seed)
    model = S2TTask.build_model(argparse.Namespace(**config))
    with torch.no_grad():  # make the decoder prefer real tokens over <eos>
        model.decoder.output_layer.bias[token_list.index("<eos>")] = -5.0
    train_dir = root / TRAIN_DIR
    train_dir.mkdir(parents=True)
    (train_dir / "config.yaml").write_text(yaml_no_alias_safe_dump(config, indent=4), encoding="utf-8")
    torch.save(model.state_dict(), train_dir / MODEL_NAME)
    return root
