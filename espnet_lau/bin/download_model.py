#!/usr/bin/env python3
"""A packed ST model to decode and score in the recipe (st.sh's ``--download_model``): a
local zip made by ``espnet2.bin.pack st``, a model folder with its ``meta.yaml`` (a Hugging
Face ESPnet repository as downloaded), or an ESPnet model zoo name (needs the network).

    python -m espnet_lau.bin.download_model --model exp/st_x/st_x_valid.acc.ave.zip \\
        --outdir exp/st_x_downloaded/export/downloaded

writes ``<outdir>/config.yaml`` and ``<outdir>/model.pth`` (the layout of
``export_stock``, which stage 12 decodes) and ``<outdir>/source.json`` naming the model.
A zip is unpacked only inside ``<outdir>/unpacked`` (:mod:`espnet_lau.utils.archive`); the
paths a folder's ``meta.yaml`` names must lie inside it; the model file must load
weights-only unless ``--trust_pickle true``.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from espnet_lau.bin.check_packed import unpack_checked
from espnet_lau.utils.archive import META, ArchiveError, inside
from espnet_lau.utils.checkpoint import add_trust_pickle_option, check_before_unpickling
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main, user_errors
from espnet_lau.utils.fileio import file_sha256, write_json_atomic


def from_folder(folder: Path, trust_pickle: bool) -> Dict[str, str]:
    """``{st_train_config, st_model_file}`` of a model folder, read from its ``meta.yaml``
    (as ``espnet_model_zoo`` reads a Hugging Face repository), every path inside it."""
    meta_path = folder / META
    if not meta_path.is_file():
        raise ArchiveError(f"{folder} has no {META}: not a packed ESPnet model folder")
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    files = {**(meta.get("yaml_files") or {}), **(meta.get("files") or {})}
    for key, name in files.items():
        if not isinstance(name, str) or not inside(folder, name) or not (folder / name).is_file():
            raise ArchiveError(f"{meta_path}: {key} names {name!r}, not a file inside {folder}")
    if "st_model_file" not in files or "st_train_config" not in files:
        raise ArchiveError(f"{meta_path} names no st_model_file and st_train_config: not an ST model")
    check_before_unpickling(str(folder / files["st_model_file"]), trust_pickle, "stock Speech2Text")
    return {key: str(folder / name) for key, name in files.items()}


def resolve(model: str, outdir: Path, trust_pickle: bool) -> Dict[str, str]:
    """The unpacked model's files, from a local zip, a model folder or a zoo name."""
    path = Path(model)
    if path.is_dir():
        return from_folder(path, trust_pickle)
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise ArchiveError(f"{model} is not a zip made by espnet2.bin.pack st")
        return unpack_checked(path, outdir / "unpacked", trust_pickle)
    if model.endswith(".zip") or "/" not in model:
        raise FileNotFoundError(f"{model}: no such zip or folder (a zoo name looks like 'user/model')")
    from espnet_model_zoo.downloader import ModelDownloader  # a name: the network

    downloaded = Path(ModelDownloader(str(outdir / "zoo_cache")).download(model))
    return from_folder(downloaded, trust_pickle) if downloaded.is_dir() else \
        unpack_checked(downloaded, outdir / "unpacked", trust_pickle)


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a packed zip, a model folder with meta.yaml, or a zoo name")
    parser.add_argument("--outdir", required=True, type=Path, help="e.g. exp/<name>/export/downloaded")
    add_trust_pickle_option(parser)
    add_log_level_option(parser)
    return parser


def main(cmd: Optional[List[str]] = None) -> None:
    args = parse_args(get_parser(), cmd)
    with user_errors("download_model", ArchiveError):
        files = resolve(args.model, args.outdir, args.trust_pickle)
        args.outdir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(files["st_train_config"], args.outdir / "config.yaml")
        shutil.copyfile(files["st_model_file"], args.outdir / "model.pth")
        digest = file_sha256(args.outdir / "model.pth")
        write_json_atomic(args.outdir / "source.json", {"downloaded": args.model, "sha256": digest,
                                                        "files": sorted(files)})
    logging.info(f"{args.model} -> {args.outdir}/config.yaml, model.pth (sha256 {digest[:16]})")


if __name__ == "__main__":
    run_main(main)
