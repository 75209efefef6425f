"""Jeli-ASR (RobotsMali/jeli-asr, CC-BY-4.0) → Kaldi data directories ``train``, ``dev``, ``test``.

Sources: every form of :mod:`espnet_lau.data.sources` (a repository copy with config
folders ``bam-asr-oza/`` and ``jeli-asr-rmai/``, one ``DatasetDict`` folder, the NeMo
manifests of release 1.0.0, a hub name). Subsets: ``jeli-asr`` (default) is the union of
``bam-asr-oza`` and ``jeli-asr-rmai``. Columns used: ``audio``, ``bam`` (Bambara
transcript), ``french`` (French translation); ``duration`` is ignored (the audio is measured).

Preparation (:func:`prepare_jeli_asr`):

* uttids and recordings come from the clips' file names
  (:mod:`espnet_lau.data.recordings`): ``griots_r17-0012340-0015670`` is utterance
  ``griots_r17-0012340-0015670`` of recording ``griots_r17``; so the ids and the split are
  the same whichever form the corpus came from. A split without distinct file names gets
  ``<config>-<split>-<row index:06d>`` (logged);
* rows whose ``french`` (or ``bam``) is missing or blank are dropped and counted; so are
  manifest rows on one side only;
* dev is carved from train **by recording**: a recording goes to dev when
  ``int(sha1(recording), 16) % 1000 < dev_permille`` (default 30, ~3 % of the recordings);
  a clip whose name carries no recording is a recording of its own. Dev and train share no
  recording; the recordings and utterances of each set are reported, and so are test
  recordings that also occur in train (the source's own split);
* ``utt2spk`` maps each utterance to itself (no speaker information); ``utt2recording``
  names its recording;
* audio: :mod:`espnet_lau.data.clips` (16 kHz mono 16-bit, ``<output_dir>/wav/<set>/``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Union

from tqdm import tqdm

from espnet_lau.data.clips import Clip, audio_paths, clean_text, convert_split, uttids
from espnet_lau.data.datadir_check import DataDirSummary
from espnet_lau.data.kaldi_dir import Utterance, write_data_dir
from espnet_lau.data.recordings import DEFAULT_RECORDING_REGEX, compile_recording_regex, is_dev_recording, recording_id
from espnet_lau.data.sources import SourceLayoutError, SourceSplit, open_source
from espnet_lau.data.wav_manifest import WavManifest
from espnet_lau.utils.fileio import write_text_atomic

DEFAULT_HUB_NAME = "RobotsMali/jeli-asr"
JELI_CONFIGS = ("bam-asr-oza", "jeli-asr-rmai")
#: ``jeli-asr`` is the union of the two configs.
JELI_SUBSETS = ("jeli-asr", *JELI_CONFIGS)
REQUIRED_COLUMNS = ("audio", "bam", "french")
SOURCE_SPLITS = ("train", "test")
OUTPUT_SETS = ("train", "dev", "test")
DEFAULT_DEV_PERMILLE = 30

#: A wrong schema is a layout problem of the source.
JeliSchemaError = SourceLayoutError


def check_schema(dataset, where: str, required=REQUIRED_COLUMNS) -> None:
    """Raise :class:`JeliSchemaError` naming the missing column(s)."""
    missing = [c for c in required if c not in dataset.column_names]
    if missing:
        raise JeliSchemaError(
            f"{where}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"found {dataset.column_names}; needed: {list(required)}"
        )


def load_jeli_asr(source: Union[str, Path], subset: str = "jeli-asr") -> List[SourceSplit]:
    """Open the ``train`` and ``test`` splits of every config of ``subset``, schema-checked.

    Raises:
        JeliSchemaError: a missing column, split or config.
        FileNotFoundError: ``source`` looks like a path but does not exist.
        LFSPointerError: the clone lacks its LFS files.
    """
    if subset not in JELI_SUBSETS:
        raise ValueError(f"unknown subset {subset!r}; choose from {JELI_SUBSETS}")
    path = Path(source).expanduser()
    union = subset == "jeli-asr" and path.is_dir() and not (path / subset).is_dir()
    splits = open_source(source, SOURCE_SPLITS, list(JELI_CONFIGS) if union else [subset], default_config=subset)
    for split in splits:
        check_schema(split.dataset, split.origin)
    return splits


@dataclasses.dataclass
class SplitStats:
    """Row counts of one source split."""

    rows: int = 0
    kept: int = 0
    to_dev: int = 0
    dropped_no_french: int = 0
    dropped_no_bam: int = 0
    only_french: int = 0
    ids_from: str = "file names"


def plan_split(split: SourceSplit, dev_permille: int, regex, stats: SplitStats) -> List[Optional[Clip]]:
    """One :class:`Clip` (uttid, set, texts, recording) per kept row of ``split``, None per dropped row."""
    ids, from_names = uttids(split.config, split.split, audio_paths(split.dataset))
    if not from_names:
        stats.ids_from = "row indices"
        logging.warning(
            "%s: the rows have no distinct audio file names: ids are <config>-<split>-<row index>, which "
            "differ between source forms, and dev is split by utterance", split.origin,
        )
    texts = split.dataset.select_columns(["bam", "french"])[:]
    stats.rows = len(ids)
    stats.only_french = split.pair_stats.only_french if split.pair_stats else 0
    plans: List[Optional[Clip]] = []
    for uttid, bam, french in zip(ids, texts["bam"], texts["french"]):
        bam, french = clean_text(bam), clean_text(french)
        if not french or not bam:
            stats.dropped_no_french += not french
            stats.dropped_no_bam += bool(french) and not bam
            plans.append(None)
            continue
        recording = recording_id(uttid, regex, from_names)
        if split.split == "test":
            set_name = "test"
        else:
            set_name = "dev" if is_dev_recording(recording, dev_permille) else "train"
        stats.kept += 1
        stats.to_dev += set_name == "dev"
        fields = {"text.tc.fr": french, "text.tc.bam": bam, "utt2recording": recording}
        plans.append(Clip(uttid, set_name, fields))
    return plans


def split_report(records: Dict[str, List[Utterance]]) -> Dict[str, Dict[str, int]]:
    """``{set: {"utterances", "recordings"}}`` plus the test recordings also in train."""
    recordings = {s: {u.fields["utt2recording"] for u in utts} for s, utts in records.items()}
    report = {s: {"utterances": len(records[s]), "recordings": len(recordings[s])} for s in records}
    report["test"]["recordings_also_in_train"] = len(recordings["test"] & (recordings["train"] | recordings["dev"]))
    return report


def _readme(source: str, subset: str, dev_permille: int, report: Dict[str, Dict[str, int]], regex) -> str:
    sets = ", ".join(f"{name} ({r['utterances']} utt., {r['recordings']} recordings)" for name, r in report.items())
    return (
        "Jeli-ASR (RobotsMali/jeli-asr, CC-BY-4.0): real Bambara speech with French translations.\n"
        f"Source: {source}; subset: {subset}.\nSets: {sets}.\n"
        f"dev = the train utterances of the recordings with int(sha1(recording), 16) % 1000 < {dev_permille}; "
        f"recording = the group 'recording' of {regex.pattern} on the clip's file name (else the clip itself).\n"
        "uttid = the clip's file name (else <config>-<split>-<row index:06d>); utt2spk maps each utterance to "
        "itself (no speaker information).\nFiles per set: wav.scp text.tc.fr (French) text.tc.bam utt2spk "
        "spk2utt utt2dur utt2recording corpus.json. Audio: wav/<set>/<uttid>.wav, 16 kHz mono 16-bit. "
        "See docs/data.md.\n"
    )


def prepare_jeli_asr(
    source: Union[str, Path],
    output_dir: Union[str, Path],
    subset: str = "jeli-asr",
    dev_permille: int = DEFAULT_DEV_PERMILLE,
    nj: int = 1,
    sample_rate: int = 16000,
    progress: bool = True,
    recording_regex: str = DEFAULT_RECORDING_REGEX,
) -> Dict[str, DataDirSummary]:
    """Write ``<output_dir>/{train,dev,test}`` from Jeli-ASR (see the module docstring).

    Returns:
        ``{set name: summary of its validated data directory}``.

    Raises:
        JeliSchemaError: wrong schema (see :func:`load_jeli_asr`).
        ValueError: a set ends up empty, or a clip cannot be decoded (naming the uttid).
    """
    if not 0 <= dev_permille <= 1000:
        raise ValueError(f"dev_permille must be in [0, 1000], got {dev_permille}")
    regex = compile_recording_regex(recording_regex)
    output_dir = Path(output_dir).absolute()
    splits = load_jeli_asr(source, subset)
    all_stats = {split.name: SplitStats() for split in splits}
    plans = {split.name: plan_split(split, dev_permille, regex, all_stats[split.name]) for split in splits}
    ids = Counter(clip.uttid for clips in plans.values() for clip in clips if clip)
    repeated = [u for u, n in ids.items() if n > 1]
    if repeated:
        raise JeliSchemaError(f"{source}: {len(repeated)} clip names occur in several splits or configs, e.g. {repeated[0]}")
    for set_name in OUTPUT_SETS:
        if not any(c and c.set_name == set_name for clips in plans.values() for c in clips):
            hint = " (raise --dev_permille)" if set_name == "dev" else ""
            raise JeliSchemaError(f"{source}: set {set_name} is empty after preparation{hint}")

    manifests = {s: WavManifest(output_dir / "wav" / s) for s in OUTPUT_SETS}
    records: Dict[str, List[Utterance]] = {s: [] for s in OUTPUT_SETS}
    try:
        with ThreadPoolExecutor(max_workers=max(1, nj)) as pool:
            for split in splits:
                stats = all_stats[split.name]
                with tqdm(total=len(split.dataset), desc=split.name, unit="utt", disable=not progress, mininterval=1.0) as bar:
                    for clip, utt in convert_split(split, plans[split.name], manifests, pool, sample_rate, bar.update):
                        records[clip.set_name].append(utt)
                logging.info(
                    "%s: %d rows, kept %d (%d to dev), dropped %d without French and %d without Bambara%s; ids from %s",
                    split.name, stats.rows, stats.kept, stats.to_dev, stats.dropped_no_french, stats.dropped_no_bam,
                    f", {stats.only_french} French-only manifest rows left out" if stats.only_french else "",
                    stats.ids_from,
                )
    finally:
        for manifest in manifests.values():
            manifest.save()

    report = split_report(records)
    for set_name, counts in report.items():
        logging.info("%s: %d utterances from %d recordings", set_name, counts["utterances"], counts["recordings"])
    if report["test"]["recordings_also_in_train"]:
        logging.warning(
            "test shares %d of its %d recordings with train/dev (the source's split): test scores are optimistic",
            report["test"]["recordings_also_in_train"], report["test"]["recordings"],
        )
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
            "dev_rule": f"train utterances of the recordings with int(sha1(recording), 16) % 1000 < {dev_permille}",
            "recording_regex": regex.pattern,
            "speakers": "none in the source: utt2spk maps each utterance to itself",
            "split_report": report,
            "source_splits": {name: dataclasses.asdict(st) for name, st in sorted(all_stats.items())},
        }
        data_dir = output_dir / set_name
        written = write_data_dir(data_dir, records[set_name], corpus_info=info, check_wav_files=True)
        summaries[set_name] = written.summary
        logging.info("%s: %d utterances", data_dir, len(records[set_name]))
    write_text_atomic(output_dir / "README.txt", _readme(str(source), subset, dev_permille, report, regex))
    return summaries
