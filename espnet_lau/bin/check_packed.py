#!/usr/bin/env python3
"""Recipe stage 14 check: unpack a packed ST model offline and decode with stock ESPnet.

The zip made by ``espnet2.bin.pack st`` is unpacked offline in the layout of
``espnet_model_zoo``'s ``ModelDownloader``, but checked (:mod:`espnet_lau.utils.archive`: no
entry and no ``meta.yaml`` path may leave ``--cachedir``), its model file must load with
``torch.load(weights_only=True)`` (stock ``Speech2Text`` unpickles it with
``weights_only=False``; ``--trust_pickle true`` only for a zip you made), then it is loaded
by stock ``Speech2Text`` (so it must be a plain ``ESPnetSTModel``; ``frontend: hf_ssl``, the
SSL frontend of ``--ssl_model``, is registered first, and reads its model folder), and the first
utterances are decoded and compared with the recipe's own hypotheses of stage 12. First,
the zip's entries get the file mode the umask gives (``espnet2.bin.pack`` stores
``meta.yaml`` as 0600, unreadable for the people a model zoo entry is shared with); the
zip is rewritten atomically only when a mode changes.
"""

import argparse
import logging
import sys
import zipfile
from pathlib import Path

import soundfile
import yaml
from espnet2.bin.st_inference import Speech2Text

from espnet_lau.data.kaldi_table import read_table
from espnet_lau.evaluation.kaldi_text import read_kaldi_text
from espnet_lau.pretrained.ssl_frontend import register_ssl_frontend
from espnet_lau.utils.archive import ArchiveError, unpack_model
from espnet_lau.utils.checkpoint import add_trust_pickle_option, check_before_unpickling
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main, user_errors
from espnet_lau.utils.fileio import atomic_write, current_umask


def normalise_zip_modes(zip_path: Path) -> int:
    """Give every file entry of ``zip_path`` the mode ``0o666 & ~umask``.

    Returns:
        the number of entries whose mode changed (0: the zip is left untouched).
    """
    mode = 0o666 & ~current_umask()
    try:
        with zipfile.ZipFile(zip_path) as z:
            infos = z.infolist()
            wrong = [i for i in infos if not i.is_dir() and (i.external_attr >> 16) & 0o777 != mode]
            if not wrong:
                return 0
            payload = [(i, z.read(i)) for i in infos]
    except (OSError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{zip_path} is not a readable zip ({exc}): re-run stage 14") from None

    def write(f):
        with zipfile.ZipFile(f, "w") as out:
            for info, data in payload:
                if not info.is_dir():
                    info.external_attr = (info.external_attr & 0xFFFF) | ((0o100000 | mode) << 16)
                out.writestr(info, data)

    atomic_write(zip_path, write)
    return len(wrong)


def unpack_checked(zip_path: Path, cachedir: Path, trust_pickle: bool = False) -> dict:
    """The ``Speech2Text`` keyword arguments of the packed model, unpacked under ``cachedir``
    (:func:`espnet_lau.utils.archive.unpack_model`), its model file checked before stock ESPnet
    unpickles it.

    Raises:
        ArchiveError: the zip is unreadable or names a path outside ``cachedir``.
        UntrustedPickleError: the model file holds pickled objects other than tensors.
    """
    kwargs = unpack_model(zip_path, cachedir)
    if "st_model_file" not in kwargs:
        raise ArchiveError(f"{zip_path}: meta.yaml names no st_model_file: not an ST model packed by "
                           "espnet2.bin.pack st")
    check_before_unpickling(kwargs["st_model_file"], trust_pickle, "stock Speech2Text")
    return kwargs


def check_packed(kwargs: dict, zip_path: Path, wav_scp: Path, hyp: Path, decode_config: Path,
                 num_utts: int = 3) -> int:
    """Decode ``num_utts`` utterances with the unpacked model (``kwargs``: :func:`unpack_checked`).

    Returns:
        the number of utterances whose hypothesis differs from ``hyp``.
    """
    options = yaml.safe_load(Path(decode_config).read_text(encoding="utf-8")) or {}
    register_ssl_frontend()
    speech2text = Speech2Text(**kwargs, **options, device="cpu")
    model_class = type(speech2text.st_model).__name__
    if model_class != "ESPnetSTModel":
        raise RuntimeError(f"{zip_path} unpacks to {model_class}, not a stock ESPnetSTModel")
    # Hypotheses may be empty (a model that said nothing): read as score_st reads them.
    wavs, hyps = read_table(wav_scp), read_kaldi_text(hyp)
    mismatches = 0
    for uttid in list(wavs)[:num_utts]:
        speech, _ = soundfile.read(wavs[uttid], dtype="float32")
        # Kaldi text files do not keep trailing blanks: compare the words.
        text = " ".join(speech2text(speech)[0][0].split())
        expected = hyps.get(uttid, "")
        status = "same as stage 12" if text == expected else f"DIFFERS from stage 12: {expected!r}"
        logging.info(f"{uttid}: {text!r} ({status})")
        mismatches += text != expected
    return mismatches


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--zip", type=Path, required=True, help="packed model zip")
    parser.add_argument("--wav_scp", type=Path, required=True)
    parser.add_argument("--hyp", type=Path, required=True, help="stage-11 hypotheses (text)")
    parser.add_argument("--decode_config", type=Path, required=True)
    parser.add_argument("--cachedir", type=Path, required=True, help="where to unpack")
    parser.add_argument("--num_utts", type=int, default=3)
    add_trust_pickle_option(parser)
    add_log_level_option(parser)
    return parser


def main(cmd=None):
    parser = get_parser()
    args = parse_args(parser, cmd)
    with user_errors("check_packed", ValueError):
        fixed = normalise_zip_modes(args.zip)
        if fixed:
            logging.info(f"{args.zip}: {fixed} entries given mode {0o666 & ~current_umask():o} (the umask's)")
        kwargs = unpack_checked(args.zip, args.cachedir, args.trust_pickle)
    mismatches = check_packed(kwargs, args.zip, args.wav_scp, args.hyp, args.decode_config, args.num_utts)
    if mismatches:
        logging.error(f"{mismatches} hypothesis(es) of the packed model differ from stage 12")
        sys.exit(1)
    logging.info(f"{args.zip}: unpacked offline, stock Speech2Text decodes as stage 12")


if __name__ == "__main__":
    run_main(main)
