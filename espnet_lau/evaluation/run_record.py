"""One ST run of the grid in one small file: ``<run>/run_record.json``.

Written by ``bin/save_run_record.py`` right after a run (``local/run_ablation.sh``), read
by the grid's report (:mod:`espnet_lau.evaluation.grid_report`). It keeps what the large
files of the run hold and the committed copy of the grid (``local/save_ablation.sh``)
does not: ``checkpoint.pth``'s per-epoch statistics, the wall time, the machine, and the
collapse measures of every test decoding. Layout (format 1, at most ``MAX_RECORD_BYTES``)::

    {"format": 1,
     "epochs": [{"epoch": 1, "train": {"loss", "loss_st", "loss_sem", "acc", "train_time"},
                 "valid": {...}, "seconds": {"train": s, "valid": s}}, ...],
     "training_seconds": {"reporter_total": s | null, "stage_times": {"11": s, ...} | null,
                          "stage_times_total": s | null},
     "machine": {"cpu", "logical_cores", "platform", "omp_num_threads",
                 "omp_num_threads_source", "torch_num_threads"},
     "train_targets": {"utterances", "distinct", "most_frequent_share"},
     "most_frequent_bleu": BLEU of the most-frequent-sentence system | null,
     "evaluations": [{"name": "ep6" | ... | "final", "epoch": E, "dir": relative folder,
                      "bleu", "chrf", "collapse": {collapse measures} | null}, ...]}

The statistics keys are those of ``CURVE_KEYS`` the Reporter holds (ESPnet's
``train_time`` is its mean seconds per iteration); ``seconds`` are the Reporter's wall
time of each phase of the epoch. The evaluations are the test decodings copied after
each evaluation epoch E (``<run>/by_epoch/ep<E>/``, laid out as ``<inference_tag>/test``)
and the final one. ``stage_times`` are ``lau_st.sh``'s ``stage_times.tsv`` (a stage run
several times adds up). No absolute path and no host name is recorded.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import re
from pathlib import Path
from typing import Dict, List, Optional, Sequence


from espnet_lau.evaluation.collapse import collapse_measures, most_frequent_target
from espnet_lau.evaluation.kaldi_text import read_kaldi_text
from espnet_lau.evaluation.report_io import read_json
from espnet_lau.evaluation.training_curves import CHECKPOINT, read_curves, read_epoch_seconds
from espnet_lau.evaluation.translation import corpus_translation_scores, load_aligned
from espnet_lau.text.normalization import TextNormalizer
from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import PathLike, format_json, write_text_atomic

RECORD_NAME = "run_record.json"
RECORD_FORMAT = 1
MAX_RECORD_BYTES = 100_000
#: The folder of the test decodings after each evaluation epoch: ``by_epoch/ep<E>/``.
BY_EPOCH = "by_epoch"
EPOCH_DIR = re.compile(r"^ep([0-9]+)$")
#: Reporter statistics kept per epoch and phase (those present).
CURVE_KEYS = ("loss", "loss_st", "loss_sem", "acc", "train_time")
STAGE_TIMES = "stage_times.tsv"
TRAIN_LOG = "train.log"
OMP_IN_LOG = re.compile(r"\bOMP_NUM_THREADS=([0-9]+)")
SCORES = Path("score_bleu/scores.json")


class RunRecordError(UserError, ValueError):
    """A run's file cannot make or be read as a run record; the message names it."""


def evaluation_dirs(exp: PathLike) -> Dict[int, Path]:
    """``{E: <exp>/by_epoch/ep<E>}`` of the evaluation epochs copied so far, by epoch."""
    root = Path(exp) / BY_EPOCH
    found = {}
    if root.is_dir():
        for d in root.iterdir():
            m = EPOCH_DIR.match(d.name)
            if m and d.is_dir():
                found[int(m.group(1))] = d
    return dict(sorted(found.items()))


def read_stage_seconds(path: Path) -> Optional[Dict[str, float]]:
    """``{stage: seconds}`` of a ``stage_times.tsv``, or None when there is none.

    ``lau_st.sh`` appends one ``<stage>\\t<seconds>\\t<finished>`` row per stage run, under a
    ``stage\\tseconds\\tfinished`` header; a stage run several times (a training resumed
    for the next evaluation epoch) adds up. Rows of two fields (older files) are read too.

    Raises:
        RunRecordError: a row that is not a stage and a number of seconds, with file and line.
    """
    if not path.is_file():
        return None
    out: Dict[str, float] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split("\t")
        if not line.strip() or (lineno == 1 and fields[0] == "stage"):
            continue
        try:
            if len(fields) not in (2, 3):
                raise ValueError
            stage = str(int(fields[0]))
            out[stage] = out.get(stage, 0.0) + float(fields[1])
        except ValueError:
            raise RunRecordError(f"{path}:{lineno}: expected '<stage>\\t<seconds>\\t<finished>', got {line!r}: "
                                 "remove the line or re-run the stage") from None
    return out


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``, else ``platform``), or ``unknown``."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name") and ":" in line:
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def machine_description(exp: Path) -> Dict[str, object]:
    """The machine of the run: save_run_record runs on it right after the training.

    The thread count is the run's ``OMP_NUM_THREADS`` (which sets torch's intra-op
    threads, ``torch.get_num_threads()``): from a ``OMP_NUM_THREADS=N`` line of
    ``train.log`` if there is one, else from this process's environment (the recipe gives
    save_run_record the run's), else ``unknown``.
    """
    omp, source = None, "unknown"
    log = exp / TRAIN_LOG
    if log.is_file():
        found = OMP_IN_LOG.findall(log.read_text(encoding="utf-8", errors="replace"))
        if found:
            omp, source = int(found[-1]), TRAIN_LOG
    if omp is None and os.environ.get("OMP_NUM_THREADS", "").strip().isdigit():
        omp, source = int(os.environ["OMP_NUM_THREADS"]), "environment of save_run_record"
    return {"cpu": cpu_model(), "logical_cores": os.cpu_count(), "platform": f"{platform.system()} {platform.machine()}",
            "omp_num_threads": omp if omp is not None else "unknown", "omp_num_threads_source": source,
            "torch_num_threads": omp if omp is not None else "unknown"}


def scoring_normalizer(decode_dir: Path) -> TextNormalizer:
    """The normaliser ``score_st`` used for this decoding (its ``scores.json``'s
    ``normalization``), the default one when the decoding is not scored.

    Raises:
        RunRecordError: a normalisation other than the French target one or none.
    """
    scores = decode_dir / SCORES
    if not scores.is_file():
        return TextNormalizer()
    name = read_json(scores).get("normalization")
    for normalizer in (TextNormalizer(), TextNormalizer.disabled()):
        if name == normalizer.describe():
            return normalizer
    raise RunRecordError(f"{scores}: normalization {name!r} is not the French target normalisation "
                         f"({TextNormalizer().describe()!r}) or 'none': not an ST output of this recipe")


def _evaluation(name: str, epoch: Optional[int], decode_dir: Path, exp: Path, training: set) -> Dict[str, object]:
    """BLEU, chrF and collapse measures of one test decoding folder."""
    entry: Dict[str, object] = {"name": name, "epoch": epoch, "dir": decode_dir.relative_to(exp).as_posix(),
                                "bleu": None, "chrf": None, "collapse": None}
    if (decode_dir / SCORES).is_file():
        scores = read_json(decode_dir / SCORES)
        entry["bleu"], entry["chrf"] = scores.get("bleu"), scores.get("chrf")
    if (decode_dir / "text").is_file():
        normalizer = scoring_normalizer(decode_dir)
        hyps = [normalizer(h) for h in read_kaldi_text(decode_dir / "text").values()]
        if hyps:
            entry["collapse"] = collapse_measures(hyps, training)
    if entry["collapse"] is None:
        logging.warning("%s: no hypotheses (text): no collapse measures", decode_dir)
    return entry


def most_frequent_bleu(decode_dir: Path, sentence: str, refs: Sequence[PathLike]) -> float:
    """BLEU of ``sentence`` given for every utterance of the decoding, against ``refs``,
    normalised as the decoding was scored."""
    normalizer = scoring_normalizer(decode_dir)
    uttids, _, ref_streams = load_aligned(decode_dir / "text", refs, normalizer)
    return float(corpus_translation_scores([normalizer(sentence)] * len(uttids), ref_streams).bleu)


def build_run_record(exp: PathLike, train_text: PathLike, inference_tag: str, test_set: str = "test",
                     refs: Sequence[PathLike] = (), trust_pickle: bool = False) -> Dict[str, object]:
    """The record of the run folder ``exp`` (see the module docstring).

    Args:
        train_text: the training targets (Kaldi text), as the run was trained on them.
        inference_tag, test_set: the final decoding is ``<exp>/<inference_tag>/<test_set>``.
        refs: the test references; given, the most-frequent-sentence system is scored.
        trust_pickle: read ``checkpoint.pth`` with an unrestricted unpickler; by default
            it must hold nothing but tensors and the Reporter's plain statistics.

    Raises:
        RunRecordError: no ``checkpoint.pth`` (not trained), or a malformed run file.
        CheckpointError: a checkpoint holding other objects without ``trust_pickle``.
    """
    exp = Path(exp)
    checkpoint = exp / CHECKPOINT
    if not checkpoint.is_file():
        raise RunRecordError(f"{checkpoint}: no such file: train the run first (lau_st.sh stage 11)")
    try:  # weights-only unless trust_pickle (espnet_lau.utils.checkpoint, the one .pth reader)
        curves, seconds = read_curves(checkpoint, trust_pickle), read_epoch_seconds(checkpoint, trust_pickle)
    except ValueError as e:
        if isinstance(e, UserError):
            raise
        raise RunRecordError(f"{e}: train the run again or give a checkpoint.pth of ESPnet's trainer") from e
    epochs: List[Dict[str, object]] = []
    for epoch, phases in curves.items():
        row: Dict[str, object] = {"epoch": epoch}
        for phase in ("train", "valid"):
            row[phase] = {k: phases[phase][k] for k in CURVE_KEYS if k in phases.get(phase, {})}
        row["seconds"] = seconds.get(epoch, {})
        epochs.append(row)
    stage_seconds = read_stage_seconds(exp / STAGE_TIMES)
    reporter_total = sum(sum(s.values()) for s in seconds.values()) if any(seconds.values()) else None

    targets = read_kaldi_text(train_text)
    if not targets:
        raise RunRecordError(f"{train_text}: no training targets")
    final_dir = exp / inference_tag / test_set
    normalizer = scoring_normalizer(final_dir)
    training = {normalizer(t) for t in targets.values()}
    sentence, count = most_frequent_target(targets)

    evaluations = [_evaluation(f"ep{e}", e, d, exp, training) for e, d in evaluation_dirs(exp).items()]
    if final_dir.is_dir():
        evaluations.append(_evaluation("final", max(curves) if curves else None, final_dir, exp, training))
    else:
        logging.warning("%s: no final decoding yet", final_dir)
    mf_bleu = None
    if refs and (final_dir / "text").is_file():
        mf_bleu = most_frequent_bleu(final_dir, sentence, refs)
    return {
        "format": RECORD_FORMAT,
        "epochs": epochs,
        "training_seconds": {"reporter_total": reporter_total, "stage_times": stage_seconds,
                             "stage_times_total": sum(stage_seconds.values()) if stage_seconds else None},
        "machine": machine_description(exp),
        "train_targets": {"utterances": len(targets), "distinct": len(training),
                          "most_frequent_share": count / len(targets)},
        "most_frequent_bleu": mf_bleu,
        "evaluations": evaluations,
    }


def write_run_record(exp: PathLike, record: Dict[str, object]) -> Path:
    """``<exp>/run_record.json``, atomically."""
    text = format_json(record, sort_keys=False)
    if len(text.encode("utf-8")) > MAX_RECORD_BYTES:
        raise RuntimeError(f"run record of {exp} is {len(text)} bytes, more than {MAX_RECORD_BYTES}")
    path = Path(exp) / RECORD_NAME
    write_text_atomic(path, text)
    return path


def load_run_record(exp: PathLike) -> Optional[Dict[str, object]]:
    """The run record of ``exp``, or None when it has none.

    Raises:
        RunRecordError: not JSON, or not a record of format ``RECORD_FORMAT``.
    """
    path = Path(exp) / RECORD_NAME
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise RunRecordError(f"{path}: not JSON ({e}): write it again with save_run_record") from None
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        raise RunRecordError(f"{path}: not a run record of format {RECORD_FORMAT}: write it again with save_run_record")
    return record
