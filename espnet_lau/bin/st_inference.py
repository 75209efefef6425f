#!/usr/bin/env python3
"""Decode with stock ``espnet2.bin.st_inference``, with ``frontend: hf_ssl`` registered.

A model trained on a self-supervised frontend (``--ssl_model``, ``frontend: hf_ssl``) is a
stock ``ESPnetSTModel`` whose frontend ESPnet's ``STTask`` does not know by name. This tool
registers it, checks ``--st_model_file`` loads with ``torch.load(weights_only=True)`` (stock
``Speech2Text`` unpickles it; ``--trust_pickle true`` for one you made that holds other
pickled objects), then runs ESPnet's own decoding with every one of its options. The
frontend reads its ``model_dir`` (the SSL model folder) again; in Python,
``register_ssl_frontend()`` from ``espnet_lau.pretrained.ssl_frontend`` followed by
``espnet2.bin.st_inference.Speech2Text(...)`` does the same.

Example:
    python -m espnet_lau.bin.st_inference --st_train_config exp/st/export/config.yaml \\
        --st_model_file exp/st/export/model.pth --output_dir out \\
        --data_path_and_name_and_type dump/raw/test/wav.scp,speech,sound
"""

from espnet2.bin import st_inference as stock

from espnet_lau.pretrained.ssl_frontend import register_ssl_frontend
from espnet_lau.utils.checkpoint import add_trust_pickle_option, check_before_unpickling
from espnet_lau.utils.cli import run_main, user_errors


def get_parser():
    parser = stock.get_parser()
    parser.description = __doc__
    add_trust_pickle_option(parser)
    return parser


def main(cmd=None):
    args = get_parser().parse_args(cmd)
    with user_errors("st_inference"):
        if args.st_model_file:
            check_before_unpickling(args.st_model_file, args.trust_pickle, "espnet2's Speech2Text")
    register_ssl_frontend()
    kwargs = vars(args)
    for key in ("config", "trust_pickle"):
        kwargs.pop(key, None)
    stock.inference(**kwargs)


if __name__ == "__main__":
    run_main(main)
