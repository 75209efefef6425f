#!/usr/bin/env python3
"""Parameter counts of S2T models of OWSM's published shapes (random weights, CPU).

docs/owsm.md estimates the memory and time of fine-tuning OWSM base and small from these
counts (no checkpoint and no GPU on our machines). Each model is built by stock
``S2TTask.build_model``:

* base: E-Branchformer encoder, 384 dimensions, 6 blocks; Transformer decoder, 6 blocks;
* small: the same at 768 dimensions, 9 + 9 blocks;

both with ``conv2d8`` subsampling, 128 mel bins and a vocabulary of 50,058 tokens (50k BPE
pieces and OWSM's special symbols). About a minute on a CPU.

    python bench/owsm_param_count.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from espnet2.tasks.s2t import S2TTask

VOCAB = 50058
SHAPES = {"base": (384, 6, 1536, 6, 6), "small": (768, 12, 3072, 9, 9)}  # d, heads, ffn, encoder, decoder blocks


def build(name: str, stats_file: str):
    d, heads, ffn, enc_blocks, dec_blocks = SHAPES[name]
    args = S2TTask.get_parser().parse_args(["--token_list", "x", "--encoder", "e_branchformer",
                                            "--decoder", "transformer", "--normalize", "global_mvn"])
    args.token_list = ["<blank>", "<unk>", "<na>", "<nolang>", *(f"<t{i}>" for i in range(VOCAB - 7)),
                       "<sos>", "<eos>", "<sop>"]
    args.frontend_conf = dict(n_fft=512, win_length=400, hop_length=160, n_mels=128)
    args.normalize_conf = dict(stats_file=stats_file)
    args.encoder_conf = dict(
        output_size=d, attention_heads=heads, attention_layer_type="rel_selfattn", pos_enc_layer_type="rel_pos",
        rel_pos_type="latest", cgmlp_linear_units=ffn, cgmlp_conv_kernel=31, use_linear_after_conv=False,
        gate_activation="identity", num_blocks=enc_blocks, input_layer="conv2d8", linear_units=ffn,
        positionwise_layer_type="linear", use_ffn=True, macaron_ffn=True, merge_conv_kernel=31)
    args.decoder_conf = dict(attention_heads=heads, linear_units=ffn, num_blocks=dec_blocks)
    args.model_conf = dict(ctc_weight=0.3, lsm_weight=0.1, sym_na="<na>")
    return S2TTask.build_model(args)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        stats = str(Path(tmp) / "feats_stats.npz")
        np.savez(stats, count=np.array(10), sum=np.zeros(128), sum_square=np.full(128, 10.0))
        for name in SHAPES:
            model = build(name, stats)
            count = {prefix: sum(p.numel() for k, p in model.named_parameters() if k.startswith(prefix))
                     for prefix in ("encoder.", "decoder.", "ctc.", "decoder.embed", "decoder.output_layer")}
            total = sum(p.numel() for p in model.parameters())
            vocab = count["decoder.embed"] + count["decoder.output_layer"] + count["ctc."]
            print(f"{name}: {total / 1e6:.1f}M parameters; encoder {count['encoder.'] / 1e6:.1f}M, decoder "
                  f"{count['decoder.'] / 1e6:.1f}M, CTC {count['ctc.'] / 1e6:.1f}M; vocabulary rows "
                  f"(embedding, output, CTC) {vocab / 1e6:.1f}M", flush=True)
            del model


if __name__ == "__main__":
    main()
