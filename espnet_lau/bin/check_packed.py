#!/usr/bin/env python3
"""Recipe stage 14 check: unpack a packed ST model offline and decode with stock ESPnet.

The zip made by ``espnet2.bin.pack st`` is unpacked with ``espnet_model_zoo``'s
``ModelDownloader`` (no network), loaded by stock ``Speech2Text`` (so it must be a plain
``ESPnetSTModel``), and the first utterances are decoded and compared with the recipe's
own hypotheses of stage 11.
"""

import argparse
import logging
import sys
from pathlib import Path

import soundfile
import yaml
from espnet2.bin.st_inference import Speech2Text
from espnet_model_zoo.downloader import ModelDownloader

from espnet_lau.cli import setup_logging
from espnet_lau.data.kaldi_dir import read_table


def check_packed(zip_path: Path, wav_scp: Path, hyp: Path, decode_config: Path,
                 cachedir: Path, num_utts: int = 3) -> int:
    """Decode ``num_utts`` utterances with the unpacked model.

    Returns:
        the number of utterances whose hypothesis differs from ``hyp``.
    """
    kwargs = ModelDownloader(cachedir=str(cachedir)).download_and_unpack(str(zip_path))
    options = yaml.safe_load(Path(decode_config).read_text(encoding="utf-8")) or {}
    speech2text = Speech2Text(**kwargs, **options, device="cpu")
    model_class = type(speech2text.st_model).__name__
    if model_class != "ESPnetSTModel":
        raise RuntimeError(f"{zip_path} unpacks to {model_class}, not a stock ESPnetSTModel")
    wavs, hyps = read_table(wav_scp), read_table(hyp)
    mismatches = 0
    for uttid in list(wavs)[:num_utts]:
        speech, _ = soundfile.read(wavs[uttid], dtype="float32")
        # Kaldi text files do not keep trailing blanks: compare the words.
        text = " ".join(speech2text(speech)[0][0].split())
        expected = hyps.get(uttid, "")
        status = "same as stage 11" if text == expected else f"DIFFERS from stage 11: {expected!r}"
        logging.info(f"{uttid}: {text!r} ({status})")
        mismatches += text != expected
    return mismatches


def main(cmd=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--zip", type=Path, required=True, help="packed model zip")
    parser.add_argument("--wav_scp", type=Path, required=True)
    parser.add_argument("--hyp", type=Path, required=True, help="stage-11 hypotheses (text)")
    parser.add_argument("--decode_config", type=Path, required=True)
    parser.add_argument("--cachedir", type=Path, required=True, help="where to unpack")
    parser.add_argument("--num_utts", type=int, default=3)
    args = parser.parse_args(cmd)
    setup_logging()
    mismatches = check_packed(args.zip, args.wav_scp, args.hyp, args.decode_config,
                              args.cachedir, args.num_utts)
    if mismatches:
        logging.error(f"{mismatches} hypothesis(es) of the packed model differ from stage 11")
        sys.exit(1)
    logging.info(f"{args.zip}: unpacked offline, stock Speech2Text decodes as stage 11")


if __name__ == "__main__":
    main()
