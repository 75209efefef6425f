"""ASR-only Bambara data from real corpora → one Kaldi data directory (``data/train_asr_extra``).

The paper's "2× ASR data" baseline pretrains its encoder on more Bambara speech than the ST
training set holds. Accepted corpora, in any form of :mod:`espnet_lau.data.sources`:

* **Jeli-style** (``audio``, ``bam``, ``french`` possibly missing), e.g. Jeli-ASR itself or
  ``RobotsMali/bam-asr-early``: the transcript is ``bam``;
* **kunkado-style** (``audio``, ``semi-label``, ``corrected-label``), e.g.
  ``RobotsMali/kunkado``: the transcript is chosen by ``label``: ``corrected`` (only rows
  with a corrected label), ``semi``, or ``corrected_else_semi`` (default);
* NeMo manifests: the Bambara manifest's ``text``.

Only the splits asked for are read (default ``train``: bam-asr-early shares Jeli-ASR's test
split). Clips whose audio equals a clip of the ``exclude`` data directories (the ST sets:
compared by their 16-bit samples, :func:`~espnet_lau.data.clips.pcm_digest`), or whose id
is one of theirs, are left out and counted, so the extra data never repeats, or leaks, an ST utterance: taking Jeli-ASR
itself yields exactly its rows without French. Ids as in
:mod:`espnet_lau.data.recordings`; rows without a transcript are dropped and counted.
Files: ``wav.scp text.tc.bam utt2spk spk2utt utt2dur utt2recording corpus.json``.
"""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Union

from tqdm import tqdm

from espnet_lau.data.clips import Clip, audio_paths, clean_text, convert_split, pcm_digest, uttids
from espnet_lau.data.datadir_check import DataDirSummary
from espnet_lau.data.kaldi_dir import write_data_dir
from espnet_lau.data.kaldi_table import read_table
from espnet_lau.data.recordings import DEFAULT_RECORDING_REGEX, compile_recording_regex, recording_id
from espnet_lau.data.sources import SourceLayoutError, SourceSplit, open_source
from espnet_lau.data.wav_manifest import WavManifest

#: label option → the columns tried in order, for kunkado-style sets.
KUNKADO_LABELS = {
    "corrected_else_semi": ("corrected-label", "semi-label"),
    "corrected": ("corrected-label",),
    "semi": ("semi-label",),
}
DEFAULT_LABEL = "corrected_else_semi"


def label_columns(split: SourceSplit, label: str) -> Sequence[str]:
    """The transcript column(s) of ``split``: ``bam``, else the kunkado columns of ``label``."""
    columns = split.dataset.column_names
    if "audio" not in columns:
        raise SourceLayoutError(f"{split.origin}: no 'audio' column (found {columns})")
    if "bam" in columns:
        return ("bam",)
    wanted = [c for c in KUNKADO_LABELS[label] if c in columns]
    if not wanted:
        raise SourceLayoutError(
            f"{split.origin}: no transcript column: needs 'bam' (Jeli-style) or {list(KUNKADO_LABELS[label])} "
            f"(kunkado-style, --label {label}); found {columns}"
        )
    return wanted


def digests_of(wavs: Sequence[str], nj: int = 1, progress: bool = True) -> Set[str]:
    """:func:`pcm_digest` of every wav file given."""
    with ThreadPoolExecutor(max_workers=max(1, nj)) as pool:
        return set(tqdm(pool.map(pcm_digest, wavs), total=len(wavs), desc="excluded sets", unit="utt",
                        disable=not progress, mininterval=1.0))


@dataclasses.dataclass
class ExtraStats:
    """Row counts of one source split."""

    rows: int = 0
    kept: int = 0
    dropped_no_label: int = 0
    excluded_same_id: int = 0
    excluded_same_audio: int = 0
    label_columns: Sequence[str] = ()


def plan_extra_split(
    split: SourceSplit, set_name: str, regex, stats: ExtraStats, seen: Dict[str, str], excluded_ids: Set[str]
) -> List[Optional[Clip]]:
    """One :class:`Clip` per row with a transcript (None per row without, or whose id is in
    ``excluded_ids``); ``seen`` maps the uttids planned so far to their origin (a clip in two
    sources is an error)."""
    ids, from_names = uttids(split.config, split.split, audio_paths(split.dataset))
    texts = split.dataset.select_columns(list(stats.label_columns))[:]
    plans: List[Optional[Clip]] = []
    for i, uttid in enumerate(ids):
        text = next(filter(None, (clean_text(texts[c][i]) for c in stats.label_columns)), "")
        if not text:
            stats.dropped_no_label += 1
            plans.append(None)
            continue
        if uttid in excluded_ids:
            stats.excluded_same_id += 1
            plans.append(None)
            continue
        if uttid in seen:
            raise SourceLayoutError(f"{split.origin}: clip {uttid} is also in {seen[uttid]}")
        seen[uttid] = split.origin
        recording = recording_id(uttid, regex, from_names)
        plans.append(Clip(uttid, set_name, {"text.tc.bam": text, "utt2recording": recording}))
    stats.rows = len(ids)
    return plans


def prepare_asr_extra(
    sources: Sequence[Union[str, Path]],
    output_dir: Union[str, Path],
    label: str = DEFAULT_LABEL,
    splits: Sequence[str] = ("train",),
    exclude_dirs: Sequence[Union[str, Path]] = (),
    nj: int = 1,
    sample_rate: int = 16000,
    progress: bool = True,
    recording_regex: str = DEFAULT_RECORDING_REGEX,
) -> DataDirSummary:
    """Write one data directory ``output_dir`` from the ASR-only corpora ``sources``.

    Wavs go to ``<output_dir>/../wav/<name of output_dir>/`` as for the other sets.

    Returns:
        The summary of the validated data directory.

    Raises:
        SourceLayoutError: a source without audio or a transcript column, or a missing split.
        ValueError: no utterance is left, or a clip cannot be decoded (naming the uttid).
    """
    if label not in KUNKADO_LABELS:
        raise ValueError(f"unknown label {label!r}; choose from {list(KUNKADO_LABELS)}")
    regex = compile_recording_regex(recording_regex)
    output_dir = Path(output_dir).absolute()
    set_name = output_dir.name
    opened = [(str(source), split) for source in sources for split in open_source(source, splits, default_config=Path(str(source)).name or "extra")]
    excluded = [read_table(Path(d) / "wav.scp") for d in exclude_dirs]  # each read once
    excluded_ids = {uttid for table in excluded for uttid in table}
    exclude = digests_of([wav for table in excluded for wav in table.values()], nj, progress) if exclude_dirs else set()
    manifests = {set_name: WavManifest(output_dir.parent / "wav" / set_name)}
    records, all_stats, seen = [], {}, {}
    try:
        with ThreadPoolExecutor(max_workers=max(1, nj)) as pool:
            for source, split in opened:
                stats = all_stats[f"{source}:{split.name}"] = ExtraStats(label_columns=label_columns(split, label))
                plans = plan_extra_split(split, set_name, regex, stats, seen, excluded_ids)
                with tqdm(total=len(plans), desc=split.name, unit="utt", disable=not progress, mininterval=1.0) as bar:
                    for _, utt in convert_split(split, plans, manifests, pool, sample_rate, bar.update, exclude=exclude):
                        if utt is None:
                            stats.excluded_same_audio += 1
                        else:
                            records.append(utt)
                            stats.kept += 1
                logging.info(
                    "%s: %d rows, kept %d, dropped %d without a transcript (%s), left out %d with the id and %d with "
                    "the audio of an utterance of the excluded sets",
                    split.origin, stats.rows, stats.kept, stats.dropped_no_label, " else ".join(stats.label_columns),
                    stats.excluded_same_id, stats.excluded_same_audio,
                )
    finally:
        manifests[set_name].save()
    if not records:
        raise SourceLayoutError(f"{output_dir}: no utterance left from {list(map(str, sources))}")
    info = {
        "corpus": "ASR-only Bambara speech",
        "synthetic": False,
        "sources": [str(s) for s in sources],
        "splits": list(splits),
        "label": label,
        "excluded_sets": [str(d) for d in exclude_dirs],
        "sample_rate": sample_rate,
        "speakers": "none in the sources: utt2spk maps each utterance to itself",
        "source_splits": {name: dataclasses.asdict(st) for name, st in sorted(all_stats.items())},
    }
    summary = write_data_dir(output_dir, records, corpus_info=info, check_wav_files=True).summary
    logging.info("%s: %d utterances, %.1f h", output_dir, len(records),
                 sum(float(u.fields["utt2dur"]) for u in records) / 3600)
    return summary

