"""Embedding similarity between system outputs and references."""

from __future__ import annotations

from typing import Dict

import numpy as np
from sklearn.metrics.pairwise import paired_cosine_distances


def embedding_similarity(hyp_emb: np.ndarray, ref_emb: np.ndarray) -> Dict[str, float]:
    """Mean and std of the cosine between each output and its reference embedding.

    cos_i = <h_i, r_i> / (‖h_i‖ ‖r_i‖) (scikit-learn's paired cosine; a zero vector
    gives cos 0).

    Args:
        hyp_emb: (N, E) embeddings of the system outputs.
        ref_emb: (N, E) embeddings of the references, same order.

    Returns:
        ``{"mean_cosine", "std_cosine", "n"}`` (cosines in [-1, 1], population std).
    """
    hyp_emb, ref_emb = np.asarray(hyp_emb), np.asarray(ref_emb)
    if hyp_emb.shape != ref_emb.shape:
        raise ValueError(f"shape mismatch: {hyp_emb.shape} vs {ref_emb.shape}")
    cos = 1.0 - paired_cosine_distances(hyp_emb, ref_emb)
    return {"mean_cosine": float(cos.mean()), "std_cosine": float(cos.std()), "n": int(cos.size)}
