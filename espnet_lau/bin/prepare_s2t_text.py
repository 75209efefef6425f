#!/usr/bin/env python3
"""Write OWSM's ``text``, ``text.prev`` and ``text.ctc`` in data directories of the recipe.

``text`` is ``<src_symbol><task_symbol><notimestamps> <target>`` (from ``--target_file``,
e.g. ``text.lc.rm.fr``), ``text.prev`` is ``<na>``, ``text.ctc`` is the source transcript
(``--source_file``, e.g. ``text.tc.bam``; none: ``<na>``). The teacher of LAU embeds the
target file, without the prompt symbols.

Example::

    python -m espnet_lau.bin.prepare_s2t_text --data_dir dump/raw/train dump/raw/dev \\
        --target_file text.lc.rm.fr --source_file text.tc.bam --src_symbol '<bam>' --task_symbol '<st_fra>'
"""

import argparse
import logging

from espnet_lau.data.kaldi_table import KaldiFileError
from espnet_lau.owsm.prompt_text import PromptTextError, write_prompt_texts
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main, user_errors


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data_dir", nargs="+", required=True, help="data directories to write the files in")
    parser.add_argument("--target_file", required=True, help="the translations, e.g. text.lc.rm.fr")
    parser.add_argument("--source_file", default=None,
                        help="the source transcripts for text.ctc, e.g. text.tc.bam (default: <na>)")
    parser.add_argument("--src_symbol", default="<bam>", help="the source language symbol (default: %(default)s)")
    parser.add_argument("--task_symbol", default="<st_fra>", help="the task symbol (default: %(default)s)")
    add_log_level_option(parser)
    return parser


def main(cmd=None):
    args = parse_args(get_parser(), cmd)
    with user_errors("prepare_s2t_text", PromptTextError, KaldiFileError):
        for data_dir in args.data_dir:
            written = write_prompt_texts(data_dir, args.target_file, args.source_file, args.src_symbol,
                                         args.task_symbol)
            logging.info(f"{data_dir}: {', '.join(written)}")


if __name__ == "__main__":
    run_main(main)
