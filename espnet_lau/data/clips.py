"""Speech clips of a source split → 16 kHz mono wavs and Kaldi utterances, streamed in batches.

A caller plans each row first (:class:`Clip`: its uttid, output set and texts, or None to
drop it) from the cheap columns, then :func:`convert_split` decodes only the planned rows'
audio, batch by batch (so a 32-hour corpus never sits in memory), in ``nj`` threads.

Audio is read without ``torchcodec`` (``Audio(decode=False)``: the stored bytes, or the
file path, are decoded with soundfile), down-mixed to mono, resampled with soxr and written
as 16-bit wav under ``<wav root>/<set>/<uttid>.wav``. A file already made from the same
audio (same bytes or path, same rate; :class:`~espnet_lau.data.wav_manifest.WavManifest`) is
not rewritten. Durations are measured on the written files, never taken from the source.
The tools that run it share its options (:func:`add_clip_options`).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
from concurrent.futures import Executor
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

import numpy as np
import soundfile
import soxr

from espnet_lau.data.kaldi_dir import Utterance
from espnet_lau.data.lfs import LFSPointerError, is_lfs_pointer, pointer_message
from espnet_lau.data.recordings import DEFAULT_RECORDING_REGEX, clip_name
from espnet_lau.data.wav_manifest import WavManifest
from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import atomic_write
from espnet_lau.utils.numbers import positive_int


class ClipError(UserError, ValueError):
    """A clip whose audio cannot be used (names the utterance and its origin)."""


@dataclasses.dataclass
class Clip:
    """The plan of one source row: where it goes and with which per-utterance fields."""

    uttid: str
    set_name: str
    fields: Dict[str, str]


def clean_text(text) -> str:
    """A transcript or translation cell with its whitespace (line breaks too) collapsed; ``""`` for None."""
    return " ".join(str(text).split()) if text is not None else ""


def audio_paths(dataset) -> List[Optional[str]]:
    """The ``path`` of every row's ``audio`` cell, read from Arrow without touching the bytes."""
    import pyarrow.compute as pc

    if getattr(dataset, "_indices", None) is not None:
        dataset = dataset.flatten_indices()
    column = dataset.data.column("audio")
    if column.type == "string":
        return column.to_pylist()
    return pc.struct_field(column, "path").to_pylist()


def uttids(config: str, split: str, paths: Sequence[Optional[str]]) -> Tuple[List[str], bool]:
    """``(ids, from_names)``: clip names when every row has a distinct one, else row indices.

    See :mod:`espnet_lau.data.recordings` for the rule.
    """
    names = [clip_name(p) for p in paths]
    if names and all(names) and len(set(names)) == len(names):
        return names, True
    return [f"{config}-{split}-{i:06d}" for i in range(len(paths))], False


def decode_audio(audio: Mapping, sample_rate: int = 16000, base_dir: Optional[Path] = None) -> np.ndarray:
    """Decode an undecoded ``Audio`` cell (``{"bytes", "path"}``) to mono float32 at ``sample_rate``.

    The bytes win over the path; a relative path is looked up under ``base_dir``.

    Raises:
        LFSPointerError: the bytes or the file are a Git LFS pointer.
    """
    data, path = audio.get("bytes"), audio.get("path")
    if data:
        if is_lfs_pointer(data):
            raise LFSPointerError(pointer_message(f"the audio of {path or 'a row'}"))
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    elif path:
        file = Path(path)
        if not file.is_absolute() and base_dir is not None and not file.exists():
            file = base_dir / file
        if is_lfs_pointer(file):
            raise LFSPointerError(pointer_message(str(file)))
        samples, rate = soundfile.read(str(file), dtype="float32", always_2d=True)
    else:
        raise ValueError("the audio cell has neither bytes nor a path")
    mono = samples.mean(axis=1)
    if rate != sample_rate:
        mono = soxr.resample(mono, rate, sample_rate)
    return np.asarray(mono, dtype=np.float32)


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM wav file contents (clipped to [-1, 1])."""
    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(samples, -1.0, 1.0), sample_rate, subtype="PCM_16", format="WAV")
    return buffer.getvalue()


def pcm_digest(wav) -> str:
    """sha1 of a wav's 16-bit samples (a path or a file object): equal for equal audio
    whatever the container, so the same clip found in two corpora gets the same digest."""
    samples, _ = soundfile.read(wav, dtype="int16", always_2d=True)
    return hashlib.sha1(np.ascontiguousarray(samples).tobytes()).hexdigest()


def _audio_key(audio: Mapping, sample_rate: int) -> str:
    h = hashlib.sha1(f"sr={sample_rate};".encode())
    if audio.get("bytes"):
        h.update(audio["bytes"])
    else:
        h.update(str(audio.get("path")).encode("utf-8"))
    return h.hexdigest()


def convert_split(
    split,
    plans: Sequence[Optional[Clip]],
    manifests: Dict[str, WavManifest],
    pool: Executor,
    sample_rate: int = 16000,
    on_batch=None,
    batch_size: int = 64,
    exclude: Optional[Set[str]] = None,
) -> Iterator[Tuple[Clip, Optional[Utterance]]]:
    """Convert the planned rows of ``split`` (a :class:`~espnet_lau.data.sources.SourceSplit`).

    Args:
        plans: (rows,) one :class:`Clip` per row of ``split.dataset``, None to skip the row.
        manifests: ``{set: WavManifest of <wav root>/<set>}`` for every planned set; wavs
            go to ``<wav root>/<set>/<uttid>.wav``; the caller saves the manifests.
        on_batch: called with the number of rows read after every batch (a progress bar).
        exclude: :func:`pcm_digest` values of audio to leave out (e.g. the clips of other
            sets); such a clip yields ``(clip, None)`` and writes no file.

    Yields:
        ``(clip, utterance)`` per planned row, ``utt2dur`` measured on the written wav
        (``utterance`` is None for an excluded clip).

    Raises:
        ValueError: a clip cannot be decoded or is empty (naming its uttid and origin).
    """
    from datasets import Audio

    if len(plans) != len(split.dataset):
        raise ValueError(f"{split.origin}: {len(plans)} plans for {len(split.dataset)} rows")
    dataset = split.dataset.select_columns(["audio"]).cast_column("audio", Audio(decode=False))

    def convert(item: Tuple[Clip, Mapping]) -> Tuple[Clip, Optional[Utterance]]:
        clip, audio = item
        manifest = manifests[clip.set_name]
        key, wav = _audio_key(audio, sample_rate), manifest.wav_path(clip.uttid)
        if manifest.is_current(clip.uttid, key):
            if exclude and pcm_digest(str(wav)) in exclude:
                return clip, None
        else:
            try:
                samples = decode_audio(audio, sample_rate, split.base_dir)
            except LFSPointerError as e:
                raise LFSPointerError(f"utterance {clip.uttid} ({split.origin}): {e}") from None
            except Exception as e:
                raise ClipError(f"utterance {clip.uttid} ({split.origin}): cannot decode its audio: {e}") from e
            if samples.size == 0:
                raise ClipError(f"utterance {clip.uttid} ({split.origin}): empty audio")
            data = encode_wav(samples, sample_rate)
            if exclude and pcm_digest(io.BytesIO(data)) in exclude:
                return clip, None
            atomic_write(wav, lambda f: f.write(data))
        manifest.update(clip.uttid, key)
        fields = {**clip.fields, "utt2dur": f"{soundfile.info(str(wav)).duration:.3f}"}
        return clip, Utterance(uttid=clip.uttid, wav=str(wav), speaker=clip.uttid, fields=fields)

    start = 0
    for batch in dataset.iter(batch_size=batch_size):
        audios = batch["audio"]
        todo = [(plans[start + i], a) for i, a in enumerate(audios) if plans[start + i] is not None]
        start += len(audios)
        yield from pool.map(convert, todo)
        if on_batch is not None:
            on_batch(len(audios))


def add_clip_options(parser: argparse.ArgumentParser) -> None:
    """The options of the tools that turn a real corpus's clips into wavs (Jeli-ASR,
    ASR-only sets): ``--recording_regex``, ``--sample_rate``, ``--nj``."""
    parser.add_argument(
        "--recording_regex", default=DEFAULT_RECORDING_REGEX,
        help="regex with a (?P<recording>...) group, matched on the clip's file name; a clip "
        "that does not match is a recording of its own (default: %(default)s)",
    )
    parser.add_argument("--sample_rate", type=positive_int, default=16000, help="output rate in Hz (default: %(default)s)")
    parser.add_argument("--nj", type=positive_int, default=1, help="parallel decoding threads (default: %(default)s)")
