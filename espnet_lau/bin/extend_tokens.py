#!/usr/bin/env python3
"""Give an OWSM checkpoint a language symbol it lacks (``<bam>``), in a new folder.

``--pretrained_s2t`` is the checkpoint folder as ``espnet_model_zoo`` unpacks it
(``config.yaml``, the ``.pth``, ``bpe.model``, ``feats_stats.npz``; the token list inline in
the config or in a tokens file). The symbol is appended to the token list and the
sentencepiece model, and one row is appended to the decoder embedding, the decoder output
layer and the CTC output layer, initialised from ``--init`` (an existing language symbol,
or ``mean``: the mean of all language rows). ``--reuse_symbol true`` instead uses an
existing language symbol for the language (no new token). ``--outdir`` gets
``config.yaml``, ``model.pth``, ``bpe.model``, ``feats_stats.npz``, ``tokens.txt`` and
``token_extension.json``; the input folder is never written.

Example::

    python -m espnet_lau.bin.extend_tokens --pretrained_s2t downloads/owsm_v4_base \\
        --symbol '<bam>' --init mean --outdir exp/owsm_with_bam
"""

import argparse

from espnet2.utils.types import str2bool

from espnet_lau.owsm.checkpoint_dir import CheckpointDirError, locate_checkpoint
from espnet_lau.owsm.token_extension import TokenExtensionError, extend_checkpoint
from espnet_lau.utils.checkpoint import add_trust_pickle_option
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main, user_errors


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pretrained_s2t", required=True, help="the OWSM checkpoint folder (read only)")
    parser.add_argument("--outdir", required=True, help="the new checkpoint folder")
    parser.add_argument("--symbol", default="<bam>", help="the language symbol (default: %(default)s)")
    parser.add_argument("--init", default="mean",
                        help="new rows from this language symbol's rows, or mean: the mean of all "
                        "language symbols' rows (default: %(default)s)")
    parser.add_argument("--reuse_symbol", type=str2bool, default=False,
                        help="true: --symbol is an existing language symbol used for the language; "
                        "nothing is appended (default: %(default)s)")
    parser.add_argument("--verify", type=str2bool, default=True,
                        help="build the stock S2T model of the new config and load the new weights strictly "
                        "(one more copy of the model in memory) (default: %(default)s)")
    for name, what in (("config", "its training config.yaml"), ("model_file", "its weights (.pth)"),
                       ("bpemodel", "its bpe.model"), ("stats_file", "its feats_stats.npz"),
                       ("token_list", "a tokens file, one token a line")):
        parser.add_argument(f"--{name}", default=None, help=f"{what}, when the folder holds several or none")
    add_trust_pickle_option(parser)
    add_log_level_option(parser)
    return parser


def main(cmd=None):
    args = parse_args(get_parser(), cmd, log_as="extend_tokens")
    with user_errors("extend_tokens", CheckpointDirError, TokenExtensionError):
        ckpt = locate_checkpoint(args.pretrained_s2t, config=args.config, model_file=args.model_file,
                                 bpemodel=args.bpemodel, stats_file=args.stats_file, token_list=args.token_list)
        extend_checkpoint(ckpt, args.outdir, args.symbol, init=args.init, reuse=args.reuse_symbol,
                          trust_pickle=args.trust_pickle, verify=args.verify)


if __name__ == "__main__":
    run_main(main)
