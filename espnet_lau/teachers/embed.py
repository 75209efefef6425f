"""Precompute teacher sentence embeddings for a Kaldi ``text`` file.

The output directory is what ESPnet's data loader reads as an ``npy`` scp
(``--train_data_path_and_name_and_type <outdir>/sem_emb.scp,sem_emb,npy``)::

    <outdir>/sem_emb.scp            uttid /absolute/path/to/<outdir>/npy/<uttid>.<key>.npy
    <outdir>/meta.json              teacher, fingerprint, dim, text normalisation, counts,
                                    target_stats (mean vector and scale of this set's
                                    vectors, for semantic_target_norm standardize), and for
                                    a control teacher its details and fit set
    <outdir>/npy/<uttid>.<key>.npy  float32, shape (E,)

Embeddings are cached by content, ``key = sha256(teacher fingerprint + normalised text)``,
so repeated sentences and re-runs cost no teacher call. Output file names carry the key,
so a file is never overwritten with different content; ``sem_emb.scp`` and ``meta.json``
are replaced only once every file they describe exists. A run that dies half-way therefore
leaves the previous complete output untouched, and files it no longer references are
removed after the next successful run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional, Sequence

import numpy as np
from tqdm import tqdm

from espnet_lau.data.kaldi_table import read_kaldi_file
from espnet_lau.semantic.target_norm import META_KEY as TARGET_STATS_KEY
from espnet_lau.semantic.target_norm import compute_target_stats
from espnet_lau.teachers import teacher_name
from espnet_lau.teachers.base import SentenceTeacher
from espnet_lau.teachers.fit_set import read_fit_set
from espnet_lau.teachers.targets import Target, TextFileError, read_targets
from espnet_lau.text.normalization import TextNormalizer
from espnet_lau.utils.content_store import ContentStore, sha256_key
from espnet_lau.utils.fileio import PathLike, exclusive_folder, save_npy_atomic, write_json_atomic, write_text_atomic

logger = logging.getLogger(__name__)

SCP_NAME = "sem_emb.scp"
META_NAME = "meta.json"
NPY_DIRNAME = "npy"
DEFAULT_CACHE_DIRNAME = ".sem_emb_cache"
META_FORMAT_VERSION = 1
_SAFE_UTTID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,150}")



@dataclasses.dataclass(frozen=True)
class EmbedTextResult:
    """What :func:`embed_text_file` wrote and how much work it took."""

    scp: Path
    meta: Path
    dim: int
    num_utterances: int
    num_unique: int
    num_cache_hits: int
    num_encoded: int  # sentences the teacher actually embedded in this run
    num_teacher_calls: int  # teacher.encode() calls in this run
    seconds: float
    encode_seconds: float

    @property
    def sentences_per_second(self) -> float:
        """Teacher throughput over the sentences it encoded (0 if it encoded none)."""
        return self.num_encoded / self.encode_seconds if self.encode_seconds > 0 else 0.0


def embedding_cache(root: PathLike, dim: int) -> ContentStore[np.ndarray]:
    """The embedding cache (:mod:`espnet_lau.utils.content_store`): ``<root>/<key[:2]>/<key>.npy``.

    Safe to share between runs, sets and teachers (the key holds the teacher
    fingerprint); an entry that is not a finite ``(dim,)`` float32 vector is a miss.
    """
    return ContentStore(
        root, ".npy",
        load=lambda path: np.load(path, allow_pickle=False),
        save=save_npy_atomic,
        valid=lambda vec: vec.shape == (dim,) and vec.dtype == np.float32 and bool(np.isfinite(vec).all()),
    )


def embedding_key(fingerprint: str, text: str) -> str:
    """The cache key of one normalised sentence under one teacher: a sha256 hex digest."""
    return sha256_key(f"{fingerprint}\n{text}")


def default_cache_dir(outdir: PathLike) -> Path:
    """``<outdir>/../.sem_emb_cache``, i.e. next to ``sem_emb`` in the set's dump folder."""
    return Path(outdir).resolve().parent / DEFAULT_CACHE_DIRNAME


def _npy_name(uttid: str, key: str) -> str:
    if _SAFE_UTTID.fullmatch(uttid):
        stem = uttid
    else:  # keep ids with slashes or odd characters from escaping the folder
        digest = hashlib.sha1(uttid.encode("utf-8")).hexdigest()[:8]
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", uttid)[:100].lstrip(".") + "-" + digest
    return f"{stem}.{key[:16]}.npy"


def _batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def embed_text_file(
    text: PathLike,
    outdir: PathLike,
    teacher: SentenceTeacher,
    normalizer: Optional[TextNormalizer] = None,
    cache_dir: Optional[PathLike] = None,
    use_cache: bool = True,
    show_progress: bool = True,
) -> EmbedTextResult:
    """Embed the targets of a Kaldi ``text`` file with a frozen teacher.

    Writes ``<outdir>/npy/*.npy`` (float32, (E,) each), ``<outdir>/sem_emb.scp``
    (``uttid /absolute/path.npy``) and ``<outdir>/meta.json``.

    Args:
        text: Kaldi ``text`` file; validated completely before anything is written.
        outdir: output folder, e.g. ``dump/raw/<set>/sem_emb``.
        teacher: a loaded teacher (see :func:`espnet_lau.teachers.load_teacher`).
        normalizer: text normalisation applied before embedding; ``None`` for the default
            :class:`TextNormalizer`, ``TextNormalizer.disabled()`` for none.
        cache_dir: embedding cache; ``None`` for ``<outdir>/../.sem_emb_cache``.
        use_cache: read and fill the cache (duplicates within the file are embedded
            once either way).
        show_progress: show a tqdm progress bar.

    Raises:
        TextFileError: a bad line in ``text`` (nothing is written).
        FolderBusyError: another process is writing ``outdir`` (nothing is written).
        RuntimeError: the teacher returned NaN or Inf for an utterance.
    """
    start_time = time.perf_counter()
    normalizer = TextNormalizer() if normalizer is None else normalizer
    utterances = read_targets(text, normalizer)
    outdir = Path(outdir).resolve()
    with exclusive_folder(outdir, "embed_text"):
        return _write_embeddings(text, utterances, outdir, teacher, normalizer, cache_dir, use_cache,
                                 show_progress, start_time)


def _write_embeddings(
    text: PathLike,
    utterances: list[Target],
    outdir: Path,
    teacher: SentenceTeacher,
    normalizer: TextNormalizer,
    cache_dir: Optional[PathLike],
    use_cache: bool,
    show_progress: bool,
    start_time: float,
) -> EmbedTextResult:
    """The body of :func:`embed_text_file`, while it holds ``outdir``."""
    npy_dir = outdir / NPY_DIRNAME
    npy_dir.mkdir(parents=True, exist_ok=True)
    cache = None
    if use_cache:
        root = default_cache_dir(outdir) if cache_dir is None else cache_dir
        cache = embedding_cache(root, teacher.dim)

    fingerprint = teacher.fingerprint
    groups: dict[str, list[Target]] = {}
    for utt in utterances:
        groups.setdefault(embedding_key(fingerprint, utt.text), []).append(utt)
    paths: dict[str, Path] = {}
    vectors: dict[str, np.ndarray] = {}  # key -> (E,)

    def write_outputs(key: str, vec: np.ndarray) -> None:
        vectors[key] = vec
        for utt in groups[key]:
            path = npy_dir / _npy_name(utt.uttid, key)
            if not path.is_file():  # the name holds the key: an existing file is this vector
                save_npy_atomic(path, vec)
            paths[utt.uttid] = path

    missing: list[str] = []  # keys the teacher must embed
    for key in groups:
        vec = cache.get(key) if cache is not None else None
        if vec is None:
            missing.append(key)
        else:
            write_outputs(key, vec)
    num_cache_hits = len(groups) - len(missing)
    encode_seconds, num_calls = 0.0, 0
    with tqdm(
        total=len(groups), initial=num_cache_hits, desc=f"embedding {Path(text).name}",
        unit="sent", disable=not show_progress,
    ) as progress:
        for batch in _batches(missing, teacher.batch_size):
            tic = time.perf_counter()
            emb = teacher.encode([groups[key][0].text for key in batch])
            encode_seconds += time.perf_counter() - tic
            num_calls += 1
            for key, vec in zip(batch, emb):
                if not np.isfinite(vec).all():
                    first = groups[key][0]
                    raise RuntimeError(
                        f"teacher {teacher.name} returned NaN/Inf for utterance "
                        f"{first.uttid!r} ({text}, line {first.lineno}): {first.text!r}"
                    )
                vec = np.ascontiguousarray(vec, dtype=np.float32)
                if cache is not None:
                    cache.put(key, vec)
                write_outputs(key, vec)
            progress.update(len(batch))

    scp_text = "".join(f"{u.uttid} {paths[u.uttid]}\n" for u in utterances)
    meta = _metadata(teacher, normalizer, text, utterances, len(groups), scp_text)
    if len(utterances) >= 2 and len(groups) >= 2:
        # Per utterance, as the training loss sees them (repeated sentences count each time).
        per_utterance = np.stack([vectors[k] for k, utts in groups.items() for _ in utts])
        meta[TARGET_STATS_KEY] = compute_target_stats(per_utterance).as_json()
    else:
        logger.warning("%s: fewer than two distinct sentences, no %s in meta.json", text, TARGET_STATS_KEY)
    # meta first, scp last: the scp is what the data loader reads, and meta's scp_sha256
    # tells whether the pair belongs together.
    write_json_atomic(outdir / META_NAME, meta, sort_keys=False)
    write_text_atomic(outdir / SCP_NAME, scp_text)
    _remove_unreferenced(npy_dir, set(paths.values()))

    result = EmbedTextResult(
        scp=outdir / SCP_NAME,
        meta=outdir / META_NAME,
        dim=teacher.dim,
        num_utterances=len(utterances),
        num_unique=len(groups),
        num_cache_hits=num_cache_hits,
        num_encoded=len(missing),
        num_teacher_calls=num_calls,
        seconds=time.perf_counter() - start_time,
        encode_seconds=encode_seconds,
    )
    logger.info(
        "%s: %d utterances, %d unique sentences, %d cache hits, %d encoded by %s in %d "
        "calls (%.1f sentences/s); %.1f s in all (%.1f utterances/s) -> %s",
        text, result.num_utterances, result.num_unique, result.num_cache_hits,
        result.num_encoded, teacher.name, result.num_teacher_calls,
        result.sentences_per_second, result.seconds,
        result.num_utterances / max(result.seconds, 1e-9), result.scp,
    )
    return result


def _metadata(
    teacher: SentenceTeacher,
    normalizer: TextNormalizer,
    text: PathLike,
    utterances: list[Target],
    num_unique: int,
    scp_text: str,
) -> dict:
    """The content of ``meta.json``."""
    return {
        "format_version": META_FORMAT_VERSION,
        "teacher": teacher.name,
        "fingerprint": teacher.fingerprint,
        # getattr: any object with SentenceTeacher's encode and identity can embed
        "teacher_details": getattr(teacher, "details", dict)(),
        "fit_set": fit_set.as_meta() if (fit_set := getattr(teacher, "fit_set", None)) is not None else None,
        "dim": teacher.dim,
        "dtype": "float32",
        "normalize_embeddings": teacher.normalize_embeddings,
        "text_normalization": {"description": normalizer.describe(), **normalizer.as_dict()},
        "num_utterances": len(utterances),
        "num_unique_texts": num_unique,
        "text": str(Path(text).resolve()),
        "scp": SCP_NAME,
        "scp_sha256": hashlib.sha256(scp_text.encode("utf-8")).hexdigest(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def check_embeddings_current(text: PathLike, outdir: PathLike, fit_text: Optional[PathLike] = None,
                             teacher: Optional[str] = None) -> int:
    """Fail when ``outdir``'s embeddings were made from another version of ``text``.

    The name of every ``npy`` file holds its cache key, the hash of the teacher fingerprint
    and the normalised sentence, so the current ``text`` can be checked utterance by
    utterance without calling the teacher.

    Args:
        text: the Kaldi ``text`` file the embeddings should describe.
        outdir: the ``sem_emb`` folder.
        fit_text: the fit set's file: when the embeddings were made by a set-dependent
            teacher (``meta.json`` has a ``fit_set``), its digest must match this file's
            (ignored for other teachers).
        teacher: the teacher spec they must have been made by (``meta.json``'s ``teacher``).

    Returns:
        the number of utterances checked.

    Raises:
        TextFileError: naming the first utterance that is new, gone or changed, or the fit
            set that changed, and the fix.
    """
    outdir = Path(outdir)
    meta_path, scp_path = outdir / META_NAME, outdir / SCP_NAME
    if not meta_path.is_file() or not scp_path.is_file():
        raise TextFileError(f"{outdir} has no {SCP_NAME} and {META_NAME}: run embed_text (stage 7) first")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    options = {k: v for k, v in meta["text_normalization"].items() if k != "description"}
    normalizer = TextNormalizer(**options)
    utterances = read_targets(text, normalizer)
    fix = f"re-run embed_text on {text} (recipe stage 7)"
    if teacher is not None and meta["teacher"] != teacher_name(teacher):
        raise TextFileError(
            f"{outdir} was made by teacher {meta['teacher']}, not by --teacher {teacher}: {fix} "
            f"with --teacher {teacher}, or train with --teacher {meta['teacher']}"
        )
    made_with = meta.get("fit_set")
    if fit_text is not None and made_with is not None:
        digest = read_fit_set(fit_text, normalizer).digest
        if digest != made_with["sha256"]:
            raise TextFileError(
                f"{outdir} is stale: teacher {meta['teacher']} was fitted on {made_with['text']} "
                f"(sha256 {made_with['sha256'][:16]}), and the fit set {fit_text} has changed since "
                f"(sha256 {digest[:16]}): {fix}"
            )
    names = {}
    for line in read_kaldi_file(scp_path, error=TextFileError):
        names[line.key] = Path(line.value).name
    for utt in utterances:
        if utt.uttid not in names:
            raise TextFileError(f"{outdir} is stale: utterance {utt.uttid!r} of {text} has no embedding: {fix}")
        key = embedding_key(meta["fingerprint"], utt.text)
        if not names[utt.uttid].endswith(f".{key[:16]}.npy"):
            raise TextFileError(
                f"{outdir} is stale: the text of utterance {utt.uttid!r} ({text}, line {utt.lineno}) "
                f"changed since its embedding was made (now {utt.text!r}): {fix}"
            )
    gone = sorted(set(names) - {u.uttid for u in utterances})
    if gone:
        raise TextFileError(f"{outdir} is stale: utterance {gone[0]!r} is no longer in {text}: {fix}")
    return len(utterances)


def _remove_unreferenced(npy_dir: Path, keep: set[Path]) -> None:
    """Delete files of earlier runs (and temporary files of crashed ones) in ``npy_dir``."""
    removed = 0
    for path in npy_dir.iterdir():
        if path.is_file() and path not in keep and path.name.endswith((".npy", ".tmp")):
            path.unlink()
            removed += 1
    if removed:
        logger.info("removed %d embedding files no longer in %s", removed, SCP_NAME)
