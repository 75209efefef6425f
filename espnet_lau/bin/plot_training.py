#!/usr/bin/env python3
"""Draw ESPnet's training images (<exp>/images/<statistic>.png) once, after training.

ESPnet's trainer redraws every image of every statistic after each epoch
(``--use_matplotlib true``), each from the whole history: about 3 s per epoch for the
28 images of a LAU ST run on 2 CPU cores, a minute of a 20-epoch recipe. The recipe
trains with ``--use_matplotlib false`` and calls this once at the end: the same images,
drawn by ESPnet's own ``Reporter.matplotlib_plot`` from ``<exp>/checkpoint.pth``, which
loads with ``torch.load(weights_only=True)`` (``--trust_pickle true`` for a file that
holds other pickled objects, only if you made it).

Example:
    python -m espnet_lau.bin.plot_training --exp exp/st_lau_mse_lambda1.0
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import List, Optional

from espnet_lau.evaluation.training_curves import CHECKPOINT, draw_espnet_images
from espnet_lau.utils.checkpoint import add_trust_pickle_option
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--exp", required=True, type=Path,
                        help=f"an ESPnet training directory (holding {CHECKPOINT})")
    parser.add_argument("--image_dir", type=Path, default=None,
                        help="where the PNGs go (default: <exp>/images, as ESPnet)")
    add_trust_pickle_option(parser)
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd)
    checkpoint = args.exp / CHECKPOINT
    if not checkpoint.is_file():
        raise SystemExit(f"plot_training: no {checkpoint}: train first (or point --exp at "
                         "the training directory)")
    try:
        images = draw_espnet_images(checkpoint, args.image_dir or args.exp / "images", args.trust_pickle)
    except ValueError as e:
        raise SystemExit(f"plot_training: {e}") from e
    logging.info("Wrote %d training images to %s", len(images),
                 args.image_dir or args.exp / "images")


if __name__ == "__main__":
    run_main(main)
