"""The recipe's ``dump/raw`` directories: formatted audio, normalised targets, filtering.

* :func:`format_data_dir` (stage 3): every wav becomes 16 kHz mono 16-bit PCM (files that
  already are are referenced, not copied), ``utt2num_samples`` is written, and the French
  targets (``text``, ``text.ref*``) go through the shared :class:`TextNormalizer`, the
  same normalisation the teacher stage and scoring use.
* :func:`filter_data_dir` (stage 4): drops utterances outside a duration range or with
  an empty or overlong target, and says how many and why.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional

import soundfile
from tqdm import tqdm

from espnet_lau.data.kaldi_dir import (
    REQUIRED_FILES,
    KaldiDataDirError,
    Utterance,
    read_jsonl,
    read_table,
    utterance_files,
    write_data_dir,
)
from espnet_lau.data.synthesis import sox_to_wav
from espnet_lau.text.normalization import TextNormalizer

#: Per-utterance files holding French targets, normalised in ``dump/``.
TARGET_FILES = ("text",)
TARGET_FILE_PREFIX = "text.ref"
NUM_SAMPLES = "utt2num_samples"


def is_target_file(name: str) -> bool:
    return name in TARGET_FILES or name.startswith(TARGET_FILE_PREFIX)


def read_data_dir(data_dir: Path) -> List[Utterance]:
    """Read a data directory written by :func:`write_data_dir` back into utterances."""
    data_dir = Path(data_dir)
    for name in REQUIRED_FILES:
        if not (data_dir / name).is_file():
            raise KaldiDataDirError(f"{data_dir}: missing {name}")
    wavs = read_table(data_dir / "wav.scp")
    utt2spk = read_table(data_dir / "utt2spk")
    fields: Dict[str, Dict[str, str]] = {}
    for name in utterance_files(data_dir):
        if name not in ("wav.scp", "utt2spk"):
            fields[name] = read_table(data_dir / name)
    qa: Dict[str, dict] = {}
    if (data_dir / "qa.jsonl").is_file():
        for record in read_jsonl(data_dir / "qa.jsonl"):
            record = dict(record)
            qa[record.pop("id")] = record
    utterances = []
    for uttid, wav in wavs.items():
        if uttid not in utt2spk:
            raise KaldiDataDirError(f"{data_dir}/utt2spk: utterance {uttid!r}: missing")
        utt_fields = {}
        for name, table in fields.items():
            if uttid not in table:
                raise KaldiDataDirError(f"{data_dir}/{name}: utterance {uttid!r}: missing")
            utt_fields[name] = table[uttid]
        utterances.append(Utterance(uttid, wav, utt2spk[uttid], utt_fields, qa.get(uttid)))
    return utterances


def _formatted_wav(uttid: str, wav: str, wav_dir: Path, sample_rate: int) -> tuple:
    """(path of a 16-bit mono wav at ``sample_rate``, number of samples)."""
    path = Path(wav)
    if not path.is_file():
        raise KaldiDataDirError(
            f"utterance {uttid!r}: wav.scp entry {wav!r} is not a file (pipes and "
            "extended filenames are not supported; write plain paths)"
        )
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError) as e:
        raise KaldiDataDirError(f"utterance {uttid!r}: cannot read {wav}: {e}") from e
    if info.samplerate == sample_rate and info.channels == 1 and info.subtype == "PCM_16":
        return str(path.resolve()), info.frames
    out = wav_dir / f"{uttid}.wav"
    if not out.is_file():
        sox_to_wav(str(path), out, uttid, sample_rate)
    return str(out.resolve()), soundfile.info(str(out)).frames


def format_data_dir(src: Path, dst: Path, normalizer: Optional[TextNormalizer] = None,
                    sample_rate: int = 16000, nj: int = 1) -> int:
    """Stage 3: write ``dst`` from ``src`` with formatted audio and normalised targets.

    Returns:
        the number of utterances.
    """
    src, dst = Path(src), Path(dst)
    utterances = read_data_dir(src)
    wav_dir = dst / "wav"
    wav_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, nj)) as pool:
        jobs = [pool.submit(_formatted_wav, u.uttid, u.wav, wav_dir, sample_rate) for u in utterances]
        results = [job.result() for job in tqdm(jobs, desc=f"format {src.name}", unit="utt",
                                                 mininterval=5)]
    for utt, (wav, num_samples) in zip(utterances, results):
        utt.wav = wav
        utt.fields[NUM_SAMPLES] = str(num_samples)
        if normalizer is not None:
            for name in utt.fields:
                if is_target_file(name):
                    utt.fields[name] = normalizer(utt.fields[name])
    write_data_dir(dst, utterances, corpus_info={
        "source": str(src), "sample_rate": sample_rate,
        "target_normalization": normalizer.describe() if normalizer else "none"})
    return len(utterances)


def filter_data_dir(src: Path, dst: Path, min_duration: float = 0.1,
                    max_duration: float = 20.0, max_target_chars: int = 400,
                    sample_rate: int = 16000) -> int:
    """Stage 4: keep utterances with ``min <= duration <= max`` and a usable target.

    Returns:
        the number of utterances kept.
    """
    utterances = read_data_dir(src)
    reasons: Dict[str, int] = {}
    kept = []
    for utt in utterances:
        if NUM_SAMPLES not in utt.fields:
            raise KaldiDataDirError(f"{src}: no {NUM_SAMPLES}: run stage 3 (format) first")
        duration = int(utt.fields[NUM_SAMPLES]) / sample_rate
        target = utt.fields.get("text")
        if duration < min_duration:
            reason = f"shorter than {min_duration} s"
        elif duration > max_duration:
            reason = f"longer than {max_duration} s"
        elif target is not None and not target.strip():
            reason = "empty target"
        elif target is not None and len(target) > max_target_chars:
            reason = f"target over {max_target_chars} chars"
        else:
            kept.append(utt)
            continue
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items()):
        logging.info(f"{src.name}: dropped {count} utterance(s): {reason}")
    if not kept:
        raise KaldiDataDirError(f"{src}: every utterance was filtered out ({reasons})")
    write_data_dir(dst, kept, corpus_info={
        "source": str(src), "min_duration": min_duration, "max_duration": max_duration,
        "max_target_chars": max_target_chars, "dropped": reasons})
    logging.info(f"{dst}: kept {len(kept)} of {len(utterances)} utterances")
    return len(kept)
