"""Audio of Kaldi data directories as ESPnet's own data preparations write them.

ESPnet's must_c and fisher_callhome preparations (and most Kaldi ones) write ``wav.scp``
with *extended filenames*, commands whose standard output is the audio
(``ted_1 cat /data/ted_1.wav |``, ``fsp_1 sph2pipe -f wav -p -c 1 /data/fsp_1.sph |``),
and a ``segments`` file that cuts utterances out of those recordings
(``<uttid> <recording-id> <start s> <end s>``). Stage 3 turns such a directory into one
16 kHz mono 16-bit wav per utterance; a plain ``wav.scp`` of one file per utterance is
converted as before (:mod:`espnet_lau.data.dump`).

The commands of a ``wav.scp`` are run through the shell, as Kaldi and ESPnet (kaldiio's
``load_mat``) run them: a data directory is the user's own preparation, and the log says
how many commands it runs. They are run here rather than through kaldiio so that a failing
command is reported with its exit status and its own error message (kaldiio raises a bare
``AssertionError``); the audio they write is read by soundfile.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, NamedTuple, Tuple

import io
import subprocess

import numpy as np
import soundfile
import soxr
from tqdm import tqdm

from espnet_lau.data.kaldi_table import KaldiDataDirError, read_kaldi_file, read_table
from espnet_lau.data.wav_manifest import WavManifest
from espnet_lau.utils.fileio import atomic_output_path


class Segment(NamedTuple):
    """One line of ``segments``: an utterance cut from a recording (seconds; end <= 0: to the end)."""

    uttid: str
    recording: str
    start: float
    end: float
    lineno: int


def is_command(entry: str) -> bool:
    """A ``wav.scp`` value that is a command piping the audio (``... |``)."""
    return entry.rstrip().endswith("|")


def needs_cutting(data_dir: Path) -> bool:
    """Whether ``data_dir``'s audio is not one plain file per utterance (commands or segments)."""
    data_dir = Path(data_dir)
    return (data_dir / "segments").is_file() or any(
        is_command(entry) for entry in read_table(data_dir / "wav.scp").values())


def read_segments(path: Path, recordings: Dict[str, str]) -> List[Segment]:
    """The lines of a ``segments`` file, each checked against ``wav.scp``'s recordings."""
    segments = []
    for line in read_kaldi_file(path, error=KaldiDataDirError):
        fields = line.value.split()
        where = f"{path}:{line.lineno}: utterance {line.key!r}"
        if len(fields) not in (3, 4):
            raise KaldiDataDirError(f"{where}: expected '<uttid> <recording> <start> <end>', got {line.value!r}")
        try:
            start, end = float(fields[1]), float(fields[2])
        except ValueError:
            raise KaldiDataDirError(f"{where}: start and end must be seconds, got {fields[1]!r} {fields[2]!r}") from None
        if not (np.isfinite(start) and np.isfinite(end)) or start < 0 or (end > 0 and end <= start):
            raise KaldiDataDirError(f"{where}: segment {start:g}-{end:g} s is not a time range")
        if fields[0] not in recordings:
            raise KaldiDataDirError(f"{where}: recording {fields[0]!r} is not in {path.parent}/wav.scp")
        segments.append(Segment(line.key, fields[0], start, end, line.lineno))
    return segments


def read_recording(recording: str, entry: str, wav_scp: Path) -> Tuple[int, np.ndarray]:
    """(rate, samples (T,) float32 mono) of one ``wav.scp`` entry: a command's standard
    output or a file, read by soundfile."""
    entry = entry.strip()
    try:
        if is_command(entry):
            proc = subprocess.run(entry[:-1], shell=True, capture_output=True, check=False)
            if proc.returncode != 0:
                message = " ".join(proc.stderr.decode("utf-8", "replace").split())[:300]
                raise OSError(f"the command exited with status {proc.returncode}: {message}")
            samples, rate = soundfile.read(io.BytesIO(proc.stdout), dtype="float32", always_2d=False)
        else:
            samples, rate = soundfile.read(entry, dtype="float32", always_2d=False)
    except (OSError, soundfile.LibsndfileError, RuntimeError) as exc:
        reason = " ".join(str(exc).split())[:400]
        raise KaldiDataDirError(f"{wav_scp}: recording {recording!r}: cannot read {entry!r} ({reason})") from None
    if samples.ndim == 2:
        samples = samples.mean(axis=1)  # mono, as sox's remix of stage 3
    return int(rate), samples.astype(np.float32)


def _cut(segment: Segment, rate: int, samples: np.ndarray, segments_path: Path) -> np.ndarray:
    first = int(round(segment.start * rate))
    last = len(samples) if segment.end <= 0 else int(round(segment.end * rate))
    if first >= len(samples) or last > len(samples) + rate // 100:  # 10 ms of rounding allowed
        raise KaldiDataDirError(
            f"{segments_path}:{segment.lineno}: utterance {segment.uttid!r}: segment "
            f"{segment.start:g}-{segment.end:g} s lies outside recording {segment.recording!r} "
            f"({len(samples) / rate:.2f} s)")
    return samples[first:last]


def cut_utterances(data_dir: Path, wav_dir: Path, manifest: WavManifest,
                   sample_rate: int = 16000, nj: int = 1) -> Dict[str, str]:
    """One 16-bit mono wav at ``sample_rate`` per utterance of ``data_dir``, made from its
    ``wav.scp`` commands or files and its ``segments`` (when present).

    A wav is made again only when its ``wav.scp`` entry or segment changed (``manifest``).

    Returns:
        ``{uttid: wav path}``, in ``segments`` (or ``wav.scp``) order.
    """
    data_dir, wav_scp = Path(data_dir), Path(data_dir) / "wav.scp"
    entries = read_table(wav_scp)
    segments_path = data_dir / "segments"
    if segments_path.is_file():
        segments = read_segments(segments_path, entries)
    else:
        segments = [Segment(uttid, uttid, 0.0, -1.0, 0) for uttid in entries]
    commands = sum(is_command(entry) for entry in entries.values())
    if commands:
        logging.info(f"{wav_scp}: {commands} entries are commands (Kaldi extended filenames): "
                     "they are run through the shell, as Kaldi and ESPnet run them")
    by_recording: Dict[str, List[Segment]] = defaultdict(list)
    wanted: Dict[str, str] = {}
    for segment in segments:
        wanted[segment.uttid] = f"{entries[segment.recording]}|{segment.start}|{segment.end}|{sample_rate}"
        if not manifest.is_current(segment.uttid, wanted[segment.uttid]):
            by_recording[segment.recording].append(segment)

    def convert(recording: str) -> None:
        rate, samples = read_recording(recording, entries[recording], wav_scp)
        for segment in by_recording[recording]:
            piece = _cut(segment, rate, samples, segments_path)
            if rate != sample_rate:
                piece = soxr.resample(piece, rate, sample_rate)
            with atomic_output_path(manifest.wav_path(segment.uttid), suffix=".wav") as tmp:
                soundfile.write(str(tmp), np.clip(piece, -1.0, 1.0), sample_rate, subtype="PCM_16", format="WAV")
            manifest.update(segment.uttid, wanted[segment.uttid])

    with ThreadPoolExecutor(max_workers=max(1, nj)) as pool:
        jobs = [pool.submit(convert, recording) for recording in by_recording]
        for job in tqdm(jobs, desc=f"cut {data_dir.name}", unit="recording", mininterval=5):
            job.result()
    return {uttid: str(manifest.wav_path(uttid).resolve()) for uttid in wanted}
