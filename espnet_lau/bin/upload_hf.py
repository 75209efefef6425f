#!/usr/bin/env python3
"""Recipe stage 16: upload the packed model to the Hugging Face hub, loadable by name.

``espnet_model_zoo`` (and so ``Speech2Text.from_pretrained("<user>/<repo>")``) reads
``meta.yaml`` at the root of a hub repository. This unpacks the zip of stage 14 into
``--folder`` (``meta.yaml``, the stock config and weights, the BPE model, the feature
statistics, RESULTS.md), adds a model card ``README.md`` (what LAU is, how the model was
trained, the results table) and uploads that folder. Only files inside the zip are used,
and no entry or ``meta.yaml`` path may leave the folder (:mod:`espnet_lau.utils.archive`).
``--folder`` must be new, empty, or made by an earlier upload_hf (it holds
``.upload_hf_made``, which is not uploaded): any other folder is refused, never replaced.
The folder is prepared first, so it
can be checked (``Speech2Text.from_pretrained`` on a copy, as the tests do) or uploaded
by hand from another machine; the upload itself needs network access to the hub and a
token (``HF_TOKEN`` or ``huggingface-cli login``), and stops with a message without them.
"""

import argparse
import logging
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Optional

import yaml
from espnet2.utils.types import str2bool

from espnet_lau.utils.archive import ArchiveError, extract
from espnet_lau.utils.cli import add_log_level_option, parse_args, run_main, user_errors
from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import replace_dir, staged_dir, write_text_atomic
from espnet_lau.utils.hub import hub_endpoint, hub_is_reachable
from espnet_lau.utils.redaction import redact_url

#: The file that marks a folder upload_hf made (and may replace).
MADE_MARK = ".upload_hf_made"

CARD = """---
library_name: espnet
tags:
- espnet
- audio
- speech-translation
- lau
language:
- {src_lang}
- {tgt_lang}
license: {license}
---

# {repo}
{synthetic}
An ESPnet end-to-end speech-translation model ({src_lang} speech → {tgt_lang} text), trained
with **LAU** (*Listen, Attend, Understand*; Diarra & Leventhal, arXiv 2601.01121) by the
`{recipe}` recipe of espnet-lau.

LAU is a training-time regulariser: a small semantic head pools the ST encoder output and
is pulled toward a frozen sentence embedding of the target translation,
`L = L_ST + λ · L_sem`. The head is removed at export, so this is a plain ESPnet
`ESPnetSTModel`: it decodes with stock ESPnet at no extra cost.

## Use

```python
from espnet2.bin.st_inference import Speech2Text
speech2text = Speech2Text.from_pretrained("{repo}")
text, *_ = speech2text(speech)[0]   # speech: 16 kHz mono float array
```

## Training

- ST config (stock keys; the LAU keys are in `lau_config.yaml`): `{config}`
- LAU: semantic_weight (λ) {semantic_weight}, loss {semantic_loss}, target norm {target_norm}
- Experiment directory in the recipe: `{st_exp}`

## Results

{results}
"""


class FolderNotOursError(UserError, ValueError):
    """``--folder`` exists and was not made by upload_hf: it is never replaced."""


def check_folder_is_ours(folder: Path) -> None:
    """Refuse a ``--folder`` that exists, is not empty and lacks upload_hf's mark.

    Raises:
        FolderNotOursError: ``<folder> exists and was not made by upload_hf: give an empty
            or new --folder``.
    """
    if not (folder.exists() or folder.is_symlink()):
        return
    ours = folder.is_dir() and not folder.is_symlink() and (folder / MADE_MARK).is_file()
    empty = folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir())
    if not (ours or empty):
        raise FolderNotOursError(f"{folder} exists and was not made by upload_hf: give an empty or new --folder")


SYNTHETIC_NOTE = """
> **Synthetic data.** This model was trained on the recipe's synthetic mini corpus
> (espeak-ng speech of generated Bambara sentences). It exists to test the pipeline: it is
> not a Bambara speech-translation model and its scores say nothing about real speech.
"""
LICENSE = re.compile(r"^[A-Za-z0-9.+-]+$")


def write_card(folder: Path, meta: dict, names: list, zip_path: Path, repo: str, recipe: str,
               st_exp: Optional[Path], license: str = "cc-by-4.0", synthetic: bool = False) -> None:
    """``README.md`` (the model card) and ``lau_config.yaml`` in the unpacked ``folder``,
    from files of the zip only (``meta`` and ``names``: :func:`espnet_lau.utils.archive.extract`)
    and the LAU keys of ``st_exp``'s config. The plots its RESULTS.md shows, from
    ``<st_exp>/plots``, are copied beside it so that the card's images are uploaded."""
    config_rel = meta["yaml_files"].get("st_train_config")
    if config_rel is None:
        raise ArchiveError(f"{zip_path}: meta.yaml names no st_train_config: not an ST model packed by "
                           "espnet2.bin.pack st")
    lau = {}
    if st_exp is not None and (st_exp / "config.yaml").is_file():
        full = yaml.safe_load((st_exp / "config.yaml").read_text(encoding="utf-8"))
        lau = {k: v for k, v in full.items() if k.startswith("semantic_")}
        write_text_atomic(folder / "lau_config.yaml", yaml.safe_dump(lau, allow_unicode=True, sort_keys=False))
    results = "(no RESULTS.md)"
    results_files = [n for n in names if n.endswith("RESULTS.md")]
    if results_files:
        results = (folder / results_files[0]).read_text(encoding="utf-8")
    for image in sorted(set(re.findall(r"\]\((plots/[\w.-]+\.png)\)", results))):
        source = (st_exp / image) if st_exp is not None else None
        if source is None or not source.is_file():
            logging.warning(f"{image}: shown by RESULTS.md but not in {st_exp}/plots: the card's image is missing")
            continue
        (folder / image).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / image)
    stock = yaml.safe_load((folder / config_rel).read_text(encoding="utf-8"))
    write_text_atomic(folder / "README.md", CARD.format(
        license=license, synthetic=SYNTHETIC_NOTE if synthetic else "",
        repo=repo, recipe=recipe, config=config_rel, st_exp=st_exp or "?",
        src_lang=stock.get("src_lang") or "bm", tgt_lang=stock.get("tgt_lang") or "fr",
        semantic_weight=lau.get("semantic_weight", "?"), semantic_loss=lau.get("semantic_loss", "?"),
        target_norm=lau.get("semantic_target_norm", "none"), results=results))


def prepare_folder(zip_path: Path, folder: Path, repo: str, recipe: str, st_exp: Optional[Path],
                   license: str = "cc-by-4.0", synthetic: bool = False) -> Path:
    """Unpack ``zip_path`` into ``folder`` and write the model card.

    The folder is built beside ``folder`` and then takes its place: an earlier folder of
    upload_hf (it holds :data:`MADE_MARK`) or an empty one is replaced, any other is refused
    (:func:`check_folder_is_ours`). The zip is unpacked by :func:`espnet_lau.utils.archive.extract`:
    an entry or a ``meta.yaml`` path outside the folder stops it, and the card is written
    from files inside the zip only.
    """
    check_folder_is_ours(folder)
    with staged_dir(folder) as new:
        meta, names = extract(zip_path, new)
        write_card(new, meta, names, zip_path, repo, recipe, st_exp, license, synthetic)
        write_text_atomic(new / MADE_MARK, f"made by espnet_lau.bin.upload_hf from {zip_path}; upload_hf "
                          "replaces this folder as a whole (this file is not uploaded)\n")
        if folder.is_dir() and not (folder / MADE_MARK).is_file():
            folder.rmdir()  # empty (checked above): nothing is lost
        replace_dir(new, folder)
    return folder


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", type=Path, required=True, help="the packed model zip (stage 14)")
    parser.add_argument("--repo", required=True, help="e.g. yourname/lau-st-bambara-fr")
    parser.add_argument("--folder", type=Path, required=True,
                        help="where to unpack the upload, e.g. exp/st_x/hf_upload: a new or empty folder, "
                        "or one an earlier upload_hf made (replaced)")
    parser.add_argument("--recipe", default="bambara_fr/st1", help="recipe name for the model card")
    parser.add_argument("--st_exp", type=Path, default=None,
                        help="the experiment directory (its config.yaml gives the LAU settings)")
    parser.add_argument("--license", default="cc-by-4.0",
                        help="the model card's license (an SPDX-like id; Jeli-ASR is CC-BY-4.0: a "
                        "model trained on your data takes the license you may give it)")
    parser.add_argument("--synthetic", type=str2bool, default=False,
                        help="true: the model was trained on the synthetic mini corpus; the card says "
                        "so at the top (the recipe sets it with --corpus mini)")
    parser.add_argument("--prepare_only", type=str2bool, default=False,
                        help="true: prepare --folder, do not upload")
    add_log_level_option(parser)
    return parser


def main(cmd=None):
    parser = get_parser()
    args = parse_args(parser, cmd)
    with user_errors("upload_hf", ValueError, OSError, KeyError):
        if not LICENSE.match(args.license):
            raise ValueError(f"--license {args.license!r}: give a license id such as cc-by-4.0 or apache-2.0")
        folder = prepare_folder(args.zip, args.folder, args.repo, args.recipe, args.st_exp,
                                args.license, args.synthetic)
    logging.info(f"Prepared {folder} (meta.yaml, model, README.md model card)")
    if args.prepare_only:
        return folder
    hint = (f"upload {folder} from a machine with network access: huggingface-cli upload {args.repo} {folder} . "
            f"--exclude {MADE_MARK}")
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false"):
        parser.exit(1, f"upload_hf: error: HF_HUB_OFFLINE is set (path.sh sets it to 1): unset it, or {hint}\n")
    if not hub_is_reachable():
        parser.exit(1, f"upload_hf: error: the Hugging Face hub is not reachable: {hint}\n")
    from huggingface_hub import HfApi, get_token

    if not get_token():
        parser.exit(1, "upload_hf: error: no Hugging Face token: set HF_TOKEN or run `huggingface-cli login`\n")
    api = HfApi()
    api.create_repo(args.repo, exist_ok=True)
    api.upload_folder(folder_path=str(folder), repo_id=args.repo, ignore_patterns=[MADE_MARK])
    logging.info(f"Uploaded {folder} to {redact_url(hub_endpoint())}/{args.repo}")
    return folder


if __name__ == "__main__":
    sys.exit(0 if run_main(main) else 1)
