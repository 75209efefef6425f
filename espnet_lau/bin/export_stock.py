#!/usr/bin/env python3
"""Export a LAU checkpoint as a stock ESPnet model (semantic head removed).

The output directory holds ``config.yaml`` and ``model.pth`` that stock
``espnet2.bin.st_inference``, ``espnet2.bin.pack st`` and the ESPnet model zoo load
as a plain ``ESPnetSTModel`` (``--task s2t``, a checkpoint of ``lau_s2t_train``: an
``ESPnetS2TModel`` that stock ``espnet2.bin.s2t_inference`` loads), and ``source.json``: the checkpoint it was exported from
(path and sha256). A folder exported from another checkpoint is refused unless
``--overwrite true``. ``--verify true`` exports nothing: it exits 1 with one line unless
``--outdir`` holds the export of ``--model_file`` as it is now (the recipe runs it before
decoding).
"""

import argparse
import logging

from espnet2.utils.types import str2bool

from espnet_lau.utils.export_record import ExportError, verify_export
from espnet_lau.utils.checkpoint import add_trust_pickle_option
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main, user_errors


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--config", default=None,
                        help="exp/<st_exp>/config.yaml (required unless --verify true)")
    parser.add_argument(
        "--model_file",
        required=True,
        help="exp/<st_exp>/valid.acc.ave.pth (or any *.pth / checkpoint.pth)",
    )
    parser.add_argument("--task", choices=["st", "s2t"], default="st",  # export.STOCK_TASKS (not imported: no ESPnet for --verify)
                        help="st: a checkpoint of lau_st_train; s2t: one of lau_s2t_train (OWSM fine-tuning)")
    parser.add_argument("--outdir", required=True, help="where config.yaml, model.pth and source.json go")
    parser.add_argument("--overwrite", type=str2bool, default=False,
                        help="true: replace an export of another checkpoint in --outdir")
    parser.add_argument("--verify", type=str2bool, default=False,
                        help="true: export nothing; check that --outdir holds the export of --model_file "
                        "as it is now (its source.json: path and sha256), else exit 1")
    add_trust_pickle_option(parser)
    add_log_level_option(parser)
    return parser


def main(cmd=None):
    parser = get_parser()
    args = parse_args(parser, cmd)
    if args.verify:
        with user_errors("export_stock", ExportError):
            record = verify_export(args.outdir, args.model_file)
        logging.info(f"{args.outdir} holds the export of {args.model_file} (sha256 {record['sha256'][:12]})")
        return
    if args.config is None:
        parser.error("--config is required (unless --verify true)")
    from espnet_lau.export import export_stock  # ESPnet's ST task: only an export needs it

    with user_errors("export_stock", ExportError):
        config, model = export_stock(args.config, args.model_file, args.outdir, trust_pickle=args.trust_pickle,
                                     overwrite=args.overwrite, task=args.task)
    logging.info(f"Wrote the stock {args.task.upper()} model: {config} {model}")


if __name__ == "__main__":
    run_main(main)
