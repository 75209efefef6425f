"""The recipe's ``dump/raw`` directories: formatted audio, normalised targets, filtering.

* :func:`format_data_dir` (stage 3): every wav becomes 16 kHz mono 16-bit PCM (files that
  already are are referenced, not copied), ``utt2num_samples`` is written, and the text
  files are named as ESPnet's ST recipes name them, ``text.<case>.<lang>`` (extra
  references ``text.<case>.<lang>.ref2`` …). For every ``(lang, case)`` asked for, the
  ``text.<case>.<lang>`` files are made from the most-cased version the data directory
  has (``tc`` > ``lc`` > ``lc.rm``) with :data:`CASE_NORMALIZERS`; ``lc.rm`` is the shared
  :class:`TextNormalizer`, the same normalisation the teacher stage and scoring use.
* :func:`filter_data_dir` (stage 4): drops utterances outside a duration range or with
  an empty or overlong target, and says how many and why.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import soundfile
from tqdm import tqdm

from espnet_lau.data.kaldi_audio import cut_utterances, needs_cutting
from espnet_lau.data.kaldi_dir import Utterance, read_data_dir, write_data_dir
from espnet_lau.data.kaldi_table import KaldiDataDirError, read_kaldi_file, some_ids
from espnet_lau.data.synthesis import sox_to_wav
from espnet_lau.data.wav_manifest import WavManifest
from espnet_lau.text.normalization import TextNormalizer
from espnet_lau.utils.fileio import PathLike

NUM_SAMPLES = "utt2num_samples"
#: ESPnet's text cases, most-cased first, and how each is made from a more-cased one.
CASES = ("tc", "lc", "lc.rm")
CASE_NORMALIZERS = {
    "tc": TextNormalizer.disabled(),
    "lc": TextNormalizer(remove_punctuation=False),
    "lc.rm": TextNormalizer(),
}
_TEXT_NAME = re.compile(r"^text\.(tc|lc|lc\.rm)\.([A-Za-z_-]+)((?:\.ref\d+)?)$")


def text_file_name(case: str, lang: str, suffix: str = "") -> str:
    """``text.<case>.<lang>[<suffix>]``, e.g. ``text.lc.rm.fr.ref2``."""
    return f"text.{case}.{lang}{suffix}"


def derive_case_files(fields: Mapping[str, str], lang: str, case: str,
                      orthography: Optional[Callable[[str], str]] = None) -> Dict[str, str]:
    """The ``text.<case>.<lang>[.refN]`` values of one utterance, from its fields.

    Each (reference) text is made from the most-cased file the utterance has, so that
    a must_c-style directory (``text.tc.de``, ``text.lc.rm.de``) and one with only
    ``text.tc.fr`` give the same result. ``orthography`` (e.g. a
    :class:`~espnet_lau.text.bambara.BambaraNormalizer`) is applied first.

    Raises:
        KaldiDataDirError: ``case`` can only be made from a more-cased file than exists.
    """
    available: Dict[str, Dict[str, str]] = {}  # suffix -> case -> value
    for name, value in fields.items():
        match = _TEXT_NAME.match(name)
        if match and match.group(2) == lang:
            available.setdefault(match.group(3), {})[match.group(1)] = value
    out = {}
    for suffix, by_case in available.items():
        sources = [c for c in CASES[: CASES.index(case) + 1] if c in by_case]
        if not sources:
            raise KaldiDataDirError(
                f"{text_file_name(case, lang, suffix)} cannot be made from "
                f"{', '.join(text_file_name(c, lang, suffix) for c in by_case)}: give a "
                "more-cased text, or another --src_case/--tgt_case"
            )
        text = by_case[sources[0]]
        out[text_file_name(case, lang, suffix)] = CASE_NORMALIZERS[case](orthography(text) if orthography else text)
    return out


_WAV_DATA_SIZE = re.compile(r"^data\s*:\s*(\d+) \(should be (\d+)\)", re.MULTILINE)
#: Data sizes that streaming writers put in a header whose length they do not know.
_STREAMED_SIZES = (0, 0xFFFFFFFF, 0x7FFFFFFF)


def _declared_frames(info) -> Optional[int]:
    """The frame count a truncated wav's header announces (more than the file holds), or None.

    libsndfile reads what there is and says so only in its log (``data : 32000 (should be
    15978)``); a header of a streamed wav (size 0 or 0xFFFFFFFF) is not a truncation.
    """
    match = _WAV_DATA_SIZE.search(info.extra_info or "")
    if not match:
        return None
    announced, present = int(match.group(1)), int(match.group(2))
    if announced in _STREAMED_SIZES or announced <= present:
        return None
    return int(info.frames * announced / present) if present else None


def _formatted_wav(uttid: str, wav: str, manifest: WavManifest, sample_rate: int) -> tuple:
    """(path of a 16-bit mono wav at ``sample_rate``, number of samples).

    A converted file is reused only while its source is the one it was made from (same
    path, size and modification time, recorded in ``manifest``); a replaced recording is
    converted again.
    """
    path = Path(wav)
    if not path.is_file():
        raise KaldiDataDirError(
            f"utterance {uttid!r}: wav.scp entry {wav!r} is not a file (a moved corpus? "
            "commands ending in '|' and a segments file are read as Kaldi does)"
        )
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError) as e:
        raise KaldiDataDirError(f"utterance {uttid!r}: cannot read {wav}: {e}") from e
    declared = _declared_frames(info)
    if declared is not None:
        logging.warning(f"utterance {uttid!r}: {wav} is truncated: its header announces "
                        f"{declared / info.samplerate:.2f} s, the file holds {info.duration:.2f} s; "
                        "the part that is there is used (copy the recording again if it is cut)")
    if info.samplerate == sample_rate and info.channels == 1 and info.subtype == "PCM_16":
        return str(path.resolve()), info.frames
    out = manifest.wav_path(uttid)
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{sample_rate}"
    if not manifest.is_current(uttid, key):
        sox_to_wav(str(path), out, uttid, sample_rate)
        manifest.update(uttid, key)
    return str(out.resolve()), soundfile.info(str(out)).frames


def format_data_dir(src: PathLike, dst: PathLike, langs: Sequence[Tuple[str, str]] = (),
                    sample_rate: int = 16000, nj: int = 1,
                    orthography: Optional[Mapping[str, Callable[[str], str]]] = None) -> int:
    """Stage 3: write ``dst`` from ``src`` with formatted audio and ESPnet-named texts.

    Args:
        langs: ``(lang, case)`` pairs, e.g. ``[("bam", "tc"), ("fr", "lc.rm")]``: the
            ``text.<case>.<lang>`` files to make (:func:`derive_case_files`). Every
            file of ``src`` is kept as well.
        orthography: ``{lang: normaliser}`` applied before the case, e.g.
            ``{"bam": BambaraNormalizer("expand", "text")}``.

    Returns:
        the number of utterances.
    """
    src, dst = Path(src), Path(dst)
    cutting = needs_cutting(src)  # reads wav.scp: its ids are checked before anything is written
    utterances = None if cutting else read_data_dir(src)
    wav_dir = dst / "wav"
    wav_dir.mkdir(parents=True, exist_ok=True)
    manifest = WavManifest(wav_dir)
    try:
        if cutting:
            utterances = read_data_dir(src, cut_utterances(src, wav_dir, manifest, sample_rate, nj))
        with ThreadPoolExecutor(max_workers=max(1, nj)) as pool:
            jobs = [pool.submit(_formatted_wav, u.uttid, u.wav, manifest, sample_rate) for u in utterances]
            results = [job.result() for job in tqdm(jobs, desc=f"format {src.name}", unit="utt",
                                                     mininterval=5)]
    finally:
        manifest.save()  # what was converted stays known, also when a later file fails
    made = set()
    for utt, (wav, num_samples) in zip(utterances, results):
        utt.wav = wav
        utt.fields[NUM_SAMPLES] = str(num_samples)
        for lang, case in langs:
            try:
                derived = derive_case_files(utt.fields, lang, case, (orthography or {}).get(lang))
            except KaldiDataDirError as exc:
                raise KaldiDataDirError(f"{src}: utterance {utt.uttid!r}: {exc}") from None
            for name, value in derived.items():
                if not value.strip():
                    raise _empty_once_normalised(src, utt, name)
            utt.fields.update(derived)
            made.update(derived)
    for lang, case in langs:
        if text_file_name(case, lang) not in made:
            logging.warning(f"{src}: no text.*.{lang} file (an ASR-only set?): no {text_file_name(case, lang)}")
    write_data_dir(dst, utterances, corpus_info={
        "source": str(src), "sample_rate": sample_rate,
        "texts": {text_file_name(case, lang): _describe(case, (orthography or {}).get(lang)) for lang, case in langs}},
        check_wav_files=True)
    return len(utterances)


def _describe(case: str, orthography) -> str:
    """How a ``text.<case>.<lang>`` file was made, e.g. ``bambara-text-normalizer ... + lc``."""
    parts = [orthography.describe()] if orthography is not None and orthography.describe() != "none" else []
    return " + ".join(parts + [CASE_NORMALIZERS[case].describe()])


def _empty_once_normalised(src: Path, utt: Utterance, name: str) -> KaldiDataDirError:
    """The error for a text (e.g. punctuation only) that normalisation makes empty, naming
    the line of ``src`` it was made from."""
    match = _TEXT_NAME.match(name)
    sources = [text_file_name(c, match.group(2), match.group(3)) for c in CASES]
    source = next(f for f in sources if f in utt.fields)
    lineno = next(line.lineno for line in read_kaldi_file(src / source) if line.key == utt.uttid)
    return KaldiDataDirError(
        f"{src / source}:{lineno}: utterance {utt.uttid!r}: {utt.fields[source]!r} is empty once "
        f"normalised into {name}: give it words, or remove the utterance from {src}"
    )


def _warn_too_long(set_name: str, too_long: List[Tuple[float, str]], max_duration: float,
                   shown: int = 5, kept: bool = False) -> None:
    """Name the longest utterances dropped for their length: a dropped test utterance
    changes what the set measures, and long clips are often whole recordings. With
    ``kept``, name those a set keeps beyond the limit (a test set is scored whole): their
    decoding needs time and memory in proportion to their length."""
    longest = sorted(too_long, key=lambda item: (-item[0], item[1]))
    named = [f"{uttid} ({duration:.1f} s)" for duration, uttid in longest]
    if kept:
        logging.warning(f"{set_name}: {len(too_long)} utterance(s) longer than --max_wav_duration {max_duration:g} s "
                        f"are kept (a test set is scored whole): {some_ids(named, shown)}; decoding needs time and "
                        "memory in proportion to their length (the hypothesis length is capped at the encoder's)")
        return
    logging.warning(f"{set_name}: {len(too_long)} utterance(s) longer than {max_duration:g} s are dropped: "
                    f"{some_ids(named, shown)}; raise --max_wav_duration (prepare_dump --max_duration) to keep them")


def filter_data_dir(src: PathLike, dst: PathLike, min_duration: float = 0.1,
                    max_duration: float = 20.0, max_target_chars: int = 400,
                    sample_rate: int = 16000, target_file: str = "text.lc.rm.fr",
                    warn_above: Optional[float] = None) -> int:
    """Stage 4: keep utterances with ``min <= duration <= max`` and a usable target.

    ``target_file`` is the training target (absent in an ASR-only set: not checked).
    ``warn_above``: name the kept utterances longer than this (a test set, kept whole).

    Returns:
        the number of utterances kept.
    """
    src, dst = Path(src), Path(dst)
    utterances = read_data_dir(src)
    dropped: Dict[str, List[str]] = {}
    too_long: List[Tuple[float, str]] = []
    kept = []
    for utt in utterances:
        if NUM_SAMPLES not in utt.fields:
            raise KaldiDataDirError(f"{src}: no {NUM_SAMPLES}: run stage 3 (format) first")
        duration = int(utt.fields[NUM_SAMPLES]) / sample_rate
        target = utt.fields.get(target_file)
        if duration < min_duration:
            reason = f"shorter than {min_duration} s"
        elif duration > max_duration:
            reason = f"longer than {max_duration} s"
            too_long.append((duration, utt.uttid))
        elif target is not None and not target.strip():
            reason = "empty target"
        elif target is not None and len(target) > max_target_chars:
            reason = f"target over {max_target_chars} chars"
        else:
            kept.append(utt)
            continue
        dropped.setdefault(reason, []).append(utt.uttid)
    reasons = {reason: len(ids) for reason, ids in sorted(dropped.items())}
    for reason, ids in sorted(dropped.items()):
        logging.info(f"{src.name}: dropped {len(ids)} utterance(s): {reason}: {some_ids(ids)}")
    if too_long:
        _warn_too_long(src.name, too_long, max_duration)
    if warn_above is not None:
        long_kept = [(int(u.fields[NUM_SAMPLES]) / sample_rate, u.uttid) for u in kept]
        long_kept = [(d, uttid) for d, uttid in long_kept if d > warn_above]
        if long_kept:
            _warn_too_long(src.name, long_kept, warn_above, kept=True)
    if not kept:
        raise KaldiDataDirError(f"{src}: every utterance was filtered out ({reasons})")
    write_data_dir(dst, kept, corpus_info={
        "source": str(src), "min_duration": min_duration, "max_duration": max_duration,
        "max_target_chars": max_target_chars, "dropped": reasons}, check_wav_files=True)
    logging.info(f"{dst}: kept {len(kept)} of {len(utterances)} utterances")
    return len(kept)
