"""Unpacking a packed model zip (``espnet2.bin.pack``) without writing outside the destination.

A zip names its entries, and its ``meta.yaml`` names the model's files (``yaml_files``,
``files``); ESPnet's ``pack_funcs.unpack`` (and so ``espnet_model_zoo``'s
``ModelDownloader``) writes and returns ``<outpath>/<name>`` for them unchecked, so an
entry ``../x`` or a ``meta.yaml`` path ``/tmp/x`` reaches outside. Here every entry and
every ``meta.yaml`` path must resolve inside the destination (symbolic links already there
included) and every ``meta.yaml`` path must be an entry of the zip; otherwise nothing is
written and the tool stops with one line naming the entry and the archive. Entries are
written as plain files (a symbolic link stored in a zip is not made), each atomically.

:func:`extract` gives the zip's files as they are (``upload_hf``'s folder);
:func:`unpack_model` gives the layout and the keys of ``ModelDownloader.download_and_unpack``
for a local zip (``<cachedir>/<md5 of the zip's absolute path>/``, the ``yaml_files``
rewritten to name the unpacked files, ``{key: path}`` for ``Speech2Text(**kwargs)``).
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

import yaml

from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import PathLike, atomic_write, write_text_atomic

META = "meta.yaml"
#: The sections of ``meta.yaml`` that map a key (``st_train_config``) to an entry of the zip.
META_SECTIONS = ("yaml_files", "files")


class ArchiveError(UserError, ValueError):
    """A zip is unreadable, not a packed model, or names a path outside its destination."""


def inside(dest: Path, name: str) -> bool:
    """Whether ``dest/name`` resolves inside ``dest`` (and is not ``dest`` itself)."""
    root = dest.resolve()
    target = (root / name).resolve()
    return target != root and target.is_relative_to(root)


def read_meta(archive: zipfile.ZipFile, zip_path: PathLike) -> Dict[str, Dict[str, str]]:
    """The ``yaml_files`` and ``files`` sections of the zip's ``meta.yaml``.

    Raises:
        ArchiveError: no ``meta.yaml`` at the root, or a section that is not a mapping of
            names.
    """
    if META not in archive.namelist():
        raise ArchiveError(f"{zip_path} has no {META}: it was not made by espnet2.bin.pack")
    try:
        meta = yaml.safe_load(archive.read(META))
    except yaml.YAMLError as exc:
        raise ArchiveError(f"{zip_path}: {META} is not valid YAML: " + " ".join(str(exc).split())) from None
    sections = {}
    for section in META_SECTIONS:
        entries = meta.get(section) if isinstance(meta, Mapping) else None
        if not isinstance(entries, Mapping) or not all(isinstance(v, str) for v in entries.values()):
            raise ArchiveError(f"{zip_path}: {META} has no {section} mapping of file names: it was not "
                               "made by espnet2.bin.pack")
        sections[section] = dict(entries)
    return sections


def check_names(zip_path: PathLike, names: List[str], meta: Dict[str, Dict[str, str]], dest: Path) -> None:
    """Refuse an entry or a ``meta.yaml`` path that leaves ``dest``, or a ``meta.yaml`` path
    that is not an entry.

    Raises:
        ArchiveError: naming the entry and the archive.
    """
    for name in names:
        if not inside(dest, name):
            raise ArchiveError(f"{zip_path}: entry {name!r} would be written outside {dest}: refusing to "
                               "unpack it (not a zip made by espnet2.bin.pack)")
    files = set(names)
    for section, entries in meta.items():
        for key, name in entries.items():
            if not inside(dest, name):
                raise ArchiveError(f"{zip_path}: {META} names {name!r} ({section}: {key}), outside {dest}: "
                                   "refusing to unpack it (not a zip made by espnet2.bin.pack)")
            if name not in files:
                raise ArchiveError(f"{zip_path}: {META} names {name!r} ({section}: {key}), which the zip "
                                   "does not hold: re-run stage 14")


def extract(zip_path: PathLike, dest: PathLike) -> Tuple[Dict[str, Dict[str, str]], List[str]]:
    """Write every entry of the packed model ``zip_path`` under ``dest``, after checking
    every name (:func:`check_names`); nothing is written when one is refused.

    Returns:
        (the ``yaml_files`` and ``files`` sections of ``meta.yaml``, the names of the file
        entries).

    Raises:
        ArchiveError: an unreadable zip, no ``meta.yaml``, or a name that leaves ``dest``.
    """
    dest = Path(dest)
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArchiveError(f"{zip_path} is not a readable zip ({exc}): re-run stage 14") from None
    with archive:
        infos = archive.infolist()
        meta = read_meta(archive, zip_path)
        check_names(zip_path, [info.filename for info in infos], meta, dest)
        dest.mkdir(parents=True, exist_ok=True)
        for info in infos:
            target = dest / info.filename
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as member:
                atomic_write(target, lambda f, member=member: shutil.copyfileobj(member, f))
    return meta, [info.filename for info in infos if not info.is_dir()]


def _point_at_unpacked(value: Any, unpacked: Mapping[Path, str]) -> Any:
    """``value`` with every string that names an entry replaced by the unpacked file's path."""
    if isinstance(value, Mapping):
        return {k: _point_at_unpacked(v, unpacked) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_point_at_unpacked(v, unpacked) for v in value]
    if isinstance(value, str) and value:
        return unpacked.get(Path(value), value)
    return value


def unpack_model(zip_path: PathLike, cachedir: PathLike) -> Dict[str, str]:
    """Unpack a packed model as ``ModelDownloader(cachedir).download_and_unpack(zip_path)``
    does for a local zip, but checked (:func:`extract`).

    The files go to ``<cachedir>/<md5 of the zip's absolute path>/<entry>``; each
    ``yaml_files`` config has its paths that name an entry rewritten to the unpacked file.

    Returns:
        ``{key: path}`` of ``meta.yaml``'s ``yaml_files`` and ``files`` (e.g.
        ``st_train_config``, ``st_model_file``), the keyword arguments of ``Speech2Text``.
    """
    dest = Path(cachedir) / hashlib.md5(str(Path(zip_path).absolute()).encode("utf-8")).hexdigest()
    meta, names = extract(zip_path, dest)
    unpacked = {Path(name): str(dest / name) for name in names}
    for name in meta["yaml_files"].values():
        config = yaml.safe_load((dest / name).read_text(encoding="utf-8"))
        write_text_atomic(dest / name, yaml.safe_dump(_point_at_unpacked(config, unpacked), allow_unicode=True))
    return {key: str(dest / name) for section in META_SECTIONS for key, name in meta[section].items()}
