"""The ``sentence-transformers:<folder or hub name>`` teacher, and finding its model:
a local folder, the hub, or the local Hugging Face cache when the hub is unreachable."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from espnet_lau.teachers.base import ST_PREFIX, SentenceTeacher
from espnet_lau.teachers.model_digest import folder_digest
from espnet_lau.utils.hub import hub_endpoint, hub_is_reachable
from espnet_lau.utils.redaction import redact_url

logger = logging.getLogger(__name__)


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


def load_sentence_transformer(
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
                else f"the hub ({redact_url(hub_endpoint())}) is unreachable"
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


def _looks_like_path(name: str) -> bool:
    """A hub name is ``name`` or ``org/name``; anything else must be a folder."""
    return name.startswith(("/", ".", "~")) or name.count("/") > 1


def _local_folder(name_or_path: str) -> Path | None:
    folder = Path(name_or_path).expanduser()
    if folder.is_dir() and any((folder / f).is_file() for f in ("modules.json", "config.json")):
        return folder.resolve()
    return None


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
