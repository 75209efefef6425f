"""Jeli-ASR (RobotsMali/jeli-asr, CC-BY-4.0) → Kaldi data directories.

Sources accepted by :func:`load_jeli_asr`:

a. a local copy of the dataset repository: config folders ``bam-asr-oza/`` and
   ``jeli-asr-rmai/``, each holding ``train/`` and ``test/`` folders written by
   ``Dataset.save_to_disk`` (or one ``DatasetDict.save_to_disk`` folder);
b. one ``DatasetDict.save_to_disk`` folder with ``train`` and ``test`` splits;
c. a hub name (``RobotsMali/jeli-asr``), loaded with ``datasets.load_dataset(name, subset)``
   when the hub is reachable.

Subsets: ``jeli-asr`` (default) is the union of ``bam-asr-oza`` and ``jeli-asr-rmai``.
Columns used: ``audio`` (an ``Audio`` feature), ``bam`` (Bambara transcript), ``french``
(French translation); ``duration`` is ignored (durations are measured on the audio).

Preparation (:func:`prepare_jeli_asr`):

* uttid ``<config>-<split>-<row index:06d>`` (row index in the source split, so ids do
  not move when rows are dropped); no speaker information exists, so ``utt2spk`` maps
  every utterance to itself;
* rows whose ``french`` (or ``bam``) is missing or blank are dropped and counted;
* dev is carved from train by :func:`is_dev_utterance`: an utterance goes to dev when
  ``int(sha1(uttid), 16) % 1000 < dev_permille`` (default 30, i.e. ~3 %); the rule depends
  on the uttid only, so it is stable across machines, runs and subsets;
* audio is read without ``torchcodec`` (``Audio(decode=False)``: the stored bytes, or the
  file path, are decoded with soundfile), down-mixed to mono, resampled to 16 kHz with
  soxr and written as 16-bit wav under ``<output_dir>/wav/<set>/<uttid>.wav``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple, Union

import numpy as np
import soundfile
import soxr
from tqdm import tqdm

from espnet_lau.data.kaldi_dir import (
    DataDirSummary,
    Utterance,
    WavManifest,
    validate_data_dir,
    write_data_dir,
)
from espnet_lau.fileio import atomic_write, write_text_atomic

DEFAULT_HUB_NAME = "RobotsMali/jeli-asr"
JELI_CONFIGS = ("bam-asr-oza", "jeli-asr-rmai")
#: ``jeli-asr`` is the union of the two configs.
JELI_SUBSETS = ("jeli-asr", *JELI_CONFIGS)
REQUIRED_COLUMNS = ("audio", "bam", "french")
SOURCE_SPLITS = ("train", "test")
OUTPUT_SETS = ("train", "dev", "test")
DEFAULT_DEV_PERMILLE = 30


class JeliSchemaError(ValueError):
    """The source does not have the Jeli-ASR columns or splits."""


@dataclasses.dataclass
class SourceSplit:
    """One split of one config of the source, e.g. ``bam-asr-oza`` / ``train``."""

    config: str
    split: str
    dataset: "datasets.Dataset"  # noqa: F821
    origin: str
    base_dir: Optional[Path] = None

    @property
    def name(self) -> str:
        return f"{self.config}/{self.split}"


def make_uttid(config: str, split: str, index: int) -> str:
    """``<config>-<split>-<index:06d>``, e.g. ``bam-asr-oza-train-000042``."""
    return f"{config}-{split}-{index:06d}"


def is_dev_utterance(uttid: str, dev_permille: int = DEFAULT_DEV_PERMILLE) -> bool:
    """The dev rule: ``int(sha1(uttid), 16) % 1000 < dev_permille``."""
    return int(hashlib.sha1(uttid.encode("utf-8")).hexdigest(), 16) % 1000 < dev_permille


def check_schema(dataset, where: str) -> None:
    """Raise :class:`JeliSchemaError` naming the missing column(s)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in dataset.column_names]
    if missing:
        raise JeliSchemaError(
            f"{where}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"found {dataset.column_names}; Jeli-ASR needs {list(REQUIRED_COLUMNS)}"
        )


def _splits_of(obj, where: str, base_dir: Optional[Path], config: str) -> List[SourceSplit]:
    import datasets

    if isinstance(obj, datasets.Dataset):
        raise JeliSchemaError(f"{where}: a single Dataset; expected a DatasetDict with splits {SOURCE_SPLITS}")
    missing = [s for s in SOURCE_SPLITS if s not in obj]
    if missing:
        raise JeliSchemaError(f"{where}: no split(s) {missing}; found {sorted(obj)}")
    ignored = sorted(set(obj) - set(SOURCE_SPLITS))
    if ignored:
        logging.warning("%s: ignoring split(s) %s (dev is carved from train)", where, ignored)
    return [SourceSplit(config, s, obj[s], f"{where}[{s}]", base_dir) for s in SOURCE_SPLITS]


def _load_config_folder(folder: Path, config: str) -> List[SourceSplit]:
    import datasets

    if (folder / "dataset_dict.json").is_file():
        return _splits_of(datasets.load_from_disk(str(folder)), str(folder), folder, config)
    splits = []
    for split in SOURCE_SPLITS:
        split_dir = folder / split
        if not split_dir.is_dir():
            raise JeliSchemaError(f"{folder}: no {split}/ folder (expected {SOURCE_SPLITS} save_to_disk folders)")
        splits.append(SourceSplit(config, split, datasets.load_from_disk(str(split_dir)), str(split_dir), split_dir))
    return splits


def load_jeli_asr(source: Union[str, Path], subset: str = "jeli-asr") -> List[SourceSplit]:
    """Open Jeli-ASR from a repository copy, a ``save_to_disk`` folder or a hub name.

    Args:
        source: a local folder (layouts a and b of the module docstring) or a hub name.
        subset: ``jeli-asr`` (union), ``bam-asr-oza`` or ``jeli-asr-rmai``.

    Returns:
        The ``train`` and ``test`` splits of every config of ``subset``, schema-checked.

    Raises:
        JeliSchemaError: a missing column, split or config folder.
        FileNotFoundError: ``source`` looks like a path but does not exist.
    """
    if subset not in JELI_SUBSETS:
        raise ValueError(f"unknown subset {subset!r}; choose from {JELI_SUBSETS}")
    path = Path(source).expanduser()
    if path.is_dir():
        if any((path / c).is_dir() for c in JELI_SUBSETS):  # (a) a repository copy
            configs = [subset] if (path / subset).is_dir() or subset != "jeli-asr" else list(JELI_CONFIGS)
            for config in configs:
                if not (path / config).is_dir():
                    present = sorted(p.name for p in path.iterdir() if p.is_dir())
                    raise JeliSchemaError(f"{path}: no config folder {config}/ for subset {subset!r} (found {present})")
            splits = [s for c in configs for s in _load_config_folder(path / c, c)]
        else:  # (b) one DatasetDict folder
            import datasets

            splits = _splits_of(datasets.load_from_disk(str(path)), str(path), path, subset)
    elif str(source).startswith(("/", ".", "~")) or path.exists():
        raise FileNotFoundError(f"{source}: no such directory (expected a Jeli-ASR copy or a hub name)")
    else:  # (c) the hub
        import datasets

        logging.info("Loading %s (%s) with datasets.load_dataset", source, subset)
        splits = _splits_of(datasets.load_dataset(str(source), subset), f"{source}:{subset}", None, subset)
    for split in splits:
        check_schema(split.dataset, split.origin)
    return splits


def decode_audio(audio: Mapping, sample_rate: int = 16000, base_dir: Optional[Path] = None) -> np.ndarray:
    """Decode an undecoded ``Audio`` cell (``{"bytes", "path"}``) to mono float32 at ``sample_rate``.

    The bytes win over the path; a relative path is looked up under ``base_dir``.
    """
    data, path = audio.get("bytes"), audio.get("path")
    if data:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    elif path:
        file = Path(path)
        if not file.is_absolute() and base_dir is not None and not file.exists():
            file = base_dir / file
        samples, rate = soundfile.read(str(file), dtype="float32", always_2d=True)
    else:
        raise ValueError("the audio cell has neither bytes nor a path")
    mono = samples.mean(axis=1)
    if rate != sample_rate:
        mono = soxr.resample(mono, rate, sample_rate)
    return np.asarray(mono, dtype=np.float32)


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """Write 16-bit PCM atomically (clipped to [-1, 1])."""
    samples = np.clip(samples, -1.0, 1.0)
    atomic_write(path, lambda f: soundfile.write(f, samples, sample_rate, subtype="PCM_16", format="WAV"))


def _clean(text) -> str:
    return " ".join(str(text).split()) if text is not None else ""


def _audio_key(audio: Mapping, sample_rate: int) -> str:
    h = hashlib.sha1(f"sr={sample_rate};".encode())
    if audio.get("bytes"):
        h.update(audio["bytes"])
    else:
        h.update(str(audio.get("path")).encode("utf-8"))
    return h.hexdigest()


@dataclasses.dataclass
class _Row:
    uttid: str
    set_name: str
    audio: Mapping
    bam: str
    french: str
    base_dir: Optional[Path]


@dataclasses.dataclass
class SplitStats:
    """Row counts of one source split."""

    rows: int = 0
    kept: int = 0
    to_dev: int = 0
    dropped_no_french: int = 0
    dropped_no_bam: int = 0


def _rows(split: SourceSplit, dev_permille: int, stats: SplitStats, batch_size: int = 64):
    """Yield ``(rows read, kept rows as :class:`_Row`)`` for each batch of a split."""
    from datasets import Audio

    dataset = split.dataset.select_columns(list(REQUIRED_COLUMNS)).cast_column("audio", Audio(decode=False))
    index = 0
    for batch in dataset.iter(batch_size=batch_size):
        rows = []
        for audio, bam, french in zip(batch["audio"], batch["bam"], batch["french"]):
            uttid = make_uttid(split.config, split.split, index)
            index += 1
            stats.rows += 1
            bam, french = _clean(bam), _clean(french)
            if not french:
                stats.dropped_no_french += 1
                continue
            if not bam:
                stats.dropped_no_bam += 1
                continue
            set_name = "test" if split.split == "test" else ("dev" if is_dev_utterance(uttid, dev_permille) else "train")
            stats.kept += 1
            stats.to_dev += set_name == "dev"
            rows.append(_Row(uttid, set_name, audio, bam, french, split.base_dir))
        yield len(batch["bam"]), rows


def _readme(source: str, subset: str, dev_permille: int, counts: Mapping[str, int]) -> str:
    sets = ", ".join(f"{name} ({n} utt.)" for name, n in counts.items())
    return (
        "Jeli-ASR (RobotsMali/jeli-asr, CC-BY-4.0): real Bambara speech with French translations.\n"
        f"Source: {source}; subset: {subset}.\nSets: {sets}.\n"
        f"dev = train utterances with int(sha1(uttid), 16) % 1000 < {dev_permille}.\n"
        "uttid = <config>-<split>-<row index:06d>; utt2spk maps each utterance to itself "
        "(no speaker information).\nFiles per set: wav.scp text.tc.fr (French) text.tc.bam utt2spk spk2utt "
        "utt2dur corpus.json. Audio: wav/<set>/<uttid>.wav, 16 kHz mono 16-bit. See docs/data.md.\n"
    )


def prepare_jeli_asr(
    source: Union[str, Path],
    output_dir: Union[str, Path],
    subset: str = "jeli-asr",
    dev_permille: int = DEFAULT_DEV_PERMILLE,
    nj: int = 1,
    sample_rate: int = 16000,
    progress: bool = True,
) -> Dict[str, DataDirSummary]:
    """Write ``<output_dir>/{train,dev,test}`` from Jeli-ASR (see the module docstring).

    Wav files that are already up to date (same audio bytes, same rate) are not rewritten.

    Returns:
        ``{set name: summary of its validated data directory}``.

    Raises:
        JeliSchemaError: wrong schema (see :func:`load_jeli_asr`).
        ValueError: a set ends up empty, or a clip cannot be decoded (naming the uttid).
    """
    if not 0 <= dev_permille <= 1000:
        raise ValueError(f"dev_permille must be in [0, 1000], got {dev_permille}")
    output_dir = Path(output_dir).absolute()
    splits = load_jeli_asr(source, subset)
    manifests = {s: WavManifest(output_dir / "wav" / s) for s in OUTPUT_SETS}
    records: Dict[str, List[Utterance]] = {s: [] for s in OUTPUT_SETS}
    all_stats: Dict[str, SplitStats] = {}

    def convert(row: _Row) -> Tuple[_Row, str, float]:
        manifest = manifests[row.set_name]
        key = _audio_key(row.audio, sample_rate)
        wav = manifest.wav_path(row.uttid)
        if not manifest.is_current(row.uttid, key):
            try:
                samples = decode_audio(row.audio, sample_rate, row.base_dir)
            except Exception as e:
                raise ValueError(f"utterance {row.uttid}: cannot decode its audio: {e}") from e
            if samples.size == 0:
                raise ValueError(f"utterance {row.uttid}: empty audio")
            write_wav(wav, samples, sample_rate)
        return row, key, soundfile.info(str(wav)).duration

    try:
        with ThreadPoolExecutor(max_workers=max(1, nj)) as pool:
            for split in splits:
                stats = all_stats.setdefault(split.name, SplitStats())
                bar = tqdm(total=len(split.dataset), desc=split.name, unit="utt", disable=not progress, mininterval=1.0)
                with bar:
                    for num_read, rows in _rows(split, dev_permille, stats):
                        for row, key, duration in pool.map(convert, rows):
                            manifests[row.set_name].update(row.uttid, key)
                            records[row.set_name].append(
                                Utterance(
                                    uttid=row.uttid,
                                    wav=str(manifests[row.set_name].wav_path(row.uttid)),
                                    speaker=row.uttid,
                                    fields={"text.tc.fr": row.french, "text.tc.bam": row.bam, "utt2dur": f"{duration:.3f}"},
                                )
                            )
                        bar.update(num_read)
                logging.info(
                    "%s: %d rows, kept %d (%d to dev), dropped %d without French and %d without Bambara",
                    split.name, stats.rows, stats.kept, stats.to_dev, stats.dropped_no_french, stats.dropped_no_bam,
                )
    finally:
        for manifest in manifests.values():
            manifest.save()

    for set_name in OUTPUT_SETS:
        if not records[set_name]:
            hint = " (raise --dev_permille)" if set_name == "dev" else ""
            raise ValueError(f"set {set_name} is empty after preparation{hint}")
    summaries = {}
    for set_name in OUTPUT_SETS:
        info = {
            "corpus": "RobotsMali/jeli-asr",
            "synthetic": False,
            "license": "CC-BY-4.0",
            "source": str(source),
            "subset": subset,
            "set": set_name,
            "sample_rate": sample_rate,
            "dev_rule": f"train utterances with int(sha1(uttid), 16) % 1000 < {dev_permille}",
            "speakers": "none in the source: utt2spk maps each utterance to itself",
            "source_splits": {name: dataclasses.asdict(st) for name, st in sorted(all_stats.items())},
        }
        data_dir = output_dir / set_name
        write_data_dir(data_dir, records[set_name], corpus_info=info)
        summaries[set_name] = validate_data_dir(data_dir, check_wav_files=True)
        logging.info("%s: %d utterances", data_dir, len(records[set_name]))
    write_text_atomic(
        output_dir / "README.txt",
        _readme(str(source), subset, dev_permille, {s: len(records[s]) for s in OUTPUT_SETS}),
    )
    return summaries
