"""Open a Hugging Face speech corpus in whatever form a user holds it, as named splits.

Forms, all found from one ``source`` argument:

a. a copy of the dataset repository: ``<config>/<split>/`` folders written by
   ``Dataset.save_to_disk`` (or ``<config>/`` ``DatasetDict`` folders);
b. one ``DatasetDict.save_to_disk`` folder, or ``<split>/`` folders at the top;
c. NeMo manifests (:mod:`espnet_lau.data.nemo_manifest`), e.g. Jeli-ASR 1.0.0;
d. a hub name, read with ``datasets.load_dataset(name, config)`` (needs network).

Arrow files are checked for Git LFS pointers before ``datasets`` opens them, so a clone
without git-lfs gets a message that says so instead of a pyarrow error.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

from espnet_lau.data.lfs import check_folder_has_no_pointers
from espnet_lau.data.nemo_manifest import (
    MANIFEST_DIR, MANIFEST_SUBSET, PairStats, is_nemo_layout, manifest_paths, pair_manifests,
)
from espnet_lau.utils.errors import UserError


class SourceLayoutError(UserError, ValueError):
    """The source lacks a config, split or column that is needed."""


@dataclasses.dataclass
class SourceSplit:
    """One split of one config of a source, e.g. ``bam-asr-oza`` / ``train``.

    ``base_dir`` is where relative audio paths are looked up; ``pair_stats`` is set for
    NeMo manifests (how the Bambara and French sides matched).
    """

    config: str
    split: str
    dataset: "datasets.Dataset"  # noqa: F821
    origin: str
    base_dir: Optional[Path] = None
    pair_stats: Optional[PairStats] = None

    @property
    def name(self) -> str:
        return f"{self.config}/{self.split}"


def load_from_disk(folder: Path):
    """``datasets.load_from_disk`` after checking its Arrow files for LFS pointers."""
    import datasets

    check_folder_has_no_pointers(folder)
    return datasets.load_from_disk(str(folder))


def _is_dataset_folder(folder: Path) -> bool:
    return (folder / "state.json").is_file() or (folder / "dataset_dict.json").is_file()


def _arrow_splits(folder: Path, config: str, depth: int = 0) -> List[SourceSplit]:
    """Every split under ``folder``: a DatasetDict folder, a Dataset folder, or sub-folders of them."""
    if (folder / "dataset_dict.json").is_file():
        dataset_dict = load_from_disk(folder)
        return [SourceSplit(config, s, dataset_dict[s], f"{folder}[{s}]", folder) for s in dataset_dict]
    if (folder / "state.json").is_file():
        return [SourceSplit(config, folder.name, load_from_disk(folder), str(folder), folder)]
    found = []
    if depth < 2:
        for child in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if _is_dataset_folder(child) or any(_is_dataset_folder(c) for c in child.iterdir() if c.is_dir()):
                # <config>/<split>/ or <split>/: a child holding split folders is a config
                child_config = child.name if not (child / "state.json").is_file() else config
                found += _arrow_splits(child, child_config, depth + 1)
    return found


def _manifest_configs(root: Path) -> List[str]:
    """The configs whose manifests ``root/manifests`` holds (manifest subset names mapped back)."""
    config_of = {subset: config for config, subset in MANIFEST_SUBSET.items()}
    subsets = {p.name.rsplit("-", 2)[0] for p in (root / MANIFEST_DIR).glob("*-*-manifest.json")}
    return sorted(config_of.get(s, s) for s in subsets)


def _manifest_splits(root: Path, configs: Sequence[str], splits: Sequence[str]) -> List[SourceSplit]:
    import datasets

    found = []
    for config in configs:
        for split in splits:
            columns, stats = pair_manifests(root, config, split)
            origin = str(manifest_paths(root, config, split)["bam"])
            logging.info(
                "%s: %d rows paired with a French translation, %d on the Bambara side only, %d on the French side only",
                origin, stats.paired, stats.only_bambara, stats.only_french,
            )
            found.append(SourceSplit(config, split, datasets.Dataset.from_dict(columns), origin, root, stats))
    return found


def open_source(
    source: Union[str, Path],
    splits: Sequence[str],
    configs: Optional[Sequence[str]] = None,
    default_config: str = "default",
    required_splits: bool = True,
) -> List[SourceSplit]:
    """The splits ``splits`` of the configs ``configs`` (all found when None) of ``source``.

    Args:
        source: a local folder (forms a-c of the module docstring) or a hub name (d).
        splits: split names to return, e.g. ``("train", "test")``.
        configs: config names to return (for a hub name: the ``load_dataset`` configs).
        default_config: the config name of a source without config folders.
        required_splits: raise when a config lacks one of ``splits`` (else skip it).

    Raises:
        SourceLayoutError: a config or split is missing (naming what was found).
        FileNotFoundError: ``source`` looks like a path but does not exist.
        LFSPointerError: an Arrow, manifest or audio file is a Git LFS pointer.
    """
    path = Path(source).expanduser()
    if path.is_dir():
        if is_nemo_layout(path):
            available = _manifest_configs(path)
            chosen = list(configs) if configs else available
            missing = [c for c in chosen if c not in available]
            if missing:
                raise SourceLayoutError(f"{path / MANIFEST_DIR}: no manifests of {missing} (found {available})")
            present = [
                s for s in splits
                if all(manifest_paths(path, c, s)["bam"].is_file() for c in chosen)
            ]
            if required_splits and present != list(splits):
                raise SourceLayoutError(f"{path / MANIFEST_DIR}: no {sorted(set(splits) - set(present))} manifests for {chosen}")
            return _manifest_splits(path, chosen, present)
        found = _arrow_splits(path, default_config)
        if not found:
            raise SourceLayoutError(
                f"{path}: no save_to_disk dataset (state.json or dataset_dict.json) in it or its sub-folders, "
                f"and no {MANIFEST_DIR}/*-manifest.json"
            )
    elif str(source).startswith(("/", ".", "~")) or path.exists():
        raise FileNotFoundError(f"{source}: no such directory (expected a dataset folder or a hub name)")
    else:
        import datasets

        found = []
        for config in configs or [None]:
            logging.info("Loading %s (%s) with datasets.load_dataset", source, config or "default config")
            loaded = datasets.load_dataset(str(source), config) if config else datasets.load_dataset(str(source))
            found += [SourceSplit(config or default_config, s, loaded[s], f"{source}:{config}[{s}]") for s in loaded]
    by_config: Dict[str, Dict[str, SourceSplit]] = {}
    for split in found:
        by_config.setdefault(split.config, {})[split.split] = split
    chosen = list(configs) if configs else sorted(by_config)
    if configs and set(by_config) == {default_config} and default_config not in configs:
        chosen = [default_config]  # one dataset without config folders: take it as it is
    result = []
    for config in chosen:
        if config not in by_config:
            raise SourceLayoutError(f"{source}: no config folder {config}/ (found {sorted(by_config)})")
        for split in splits:
            if split in by_config[config]:
                result.append(by_config[config][split])
            elif required_splits:
                raise SourceLayoutError(f"{source}: config {config} has no split {split!r} (found {sorted(by_config[config])})")
        ignored = sorted(set(by_config[config]) - set(splits))
        if ignored:
            logging.warning("%s: ignoring split(s) %s of %s", source, ignored, config)
    return result
