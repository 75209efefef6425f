"""Topic clustering of sentence embeddings: KMeans over seeds, scored by NMI, AMI, purity, ARI.

The paper's protocol: L2-normalise the sentence embeddings of the system outputs, run
KMeans with K = the number of gold topics (``n_init=20``), and compare the clusters with
the gold topic labels. We repeat KMeans over several seeds and report mean ± std.
NMI, AMI (NMI corrected for chance: 0 for random clusters, whatever K and N) and ARI come
from scikit-learn; purity, which scikit-learn lacks, is computed from its contingency
matrix.
"""

from __future__ import annotations

import logging
from typing import Dict, Optional, Sequence

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_mutual_info_score,
    adjusted_rand_score,
    normalized_mutual_info_score,
)
from sklearn.metrics.cluster import contingency_matrix
from sklearn.preprocessing import normalize

from espnet_lau.evaluation.statistics import mean_std


def purity_score(labels_true: Sequence, labels_pred: Sequence) -> float:
    """Cluster purity in [0, 1].

    purity = (1 / N) · Σ_k max_c |cluster_k ∩ class_c|: each cluster is credited with
    its most frequent gold class.

    Args:
        labels_true: (N,) gold classes.
        labels_pred: (N,) cluster ids.
    """
    cm = contingency_matrix(labels_true, labels_pred)  # (n_classes, n_clusters)
    return float(cm.max(axis=0).sum() / cm.sum())


def cluster_scores(
    embeddings: np.ndarray,
    labels: Sequence,
    n_clusters: Optional[int] = None,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    n_init: int = 20,
) -> Dict[str, object]:
    """KMeans of L2-normalised embeddings against gold labels, over several seeds.

    Args:
        embeddings: (N, E) sentence embeddings (normalised here).
        labels: (N,) gold topic labels.
        n_clusters: K; default the number of distinct gold labels.
        seeds: one KMeans run (``random_state=seed``) per seed.
        n_init: KMeans restarts per run.

    Returns:
        ``{"k", "n", "n_init", "seeds", "nmi", "ami", "purity", "ari"}``; each score is
        ``mean_std`` of percentages (0-100) over the seeds.
    """
    x = normalize(np.asarray(embeddings, dtype=np.float64))
    labels = list(labels)
    if x.shape[0] != len(labels):
        raise ValueError(f"{x.shape[0]} embeddings but {len(labels)} labels")
    k = len(set(labels)) if n_clusters is None else int(n_clusters)
    if k < 2 or k > x.shape[0]:
        raise ValueError(f"cannot cluster {x.shape[0]} items into K={k} clusters")
    nmi, ami, purity, ari = [], [], [], []
    for seed in seeds:
        pred = KMeans(n_clusters=k, n_init=n_init, random_state=int(seed)).fit_predict(x)
        nmi.append(100.0 * normalized_mutual_info_score(labels, pred))
        ami.append(100.0 * adjusted_mutual_info_score(labels, pred))
        purity.append(100.0 * purity_score(labels, pred))
        ari.append(100.0 * adjusted_rand_score(labels, pred))
    out = {
        "k": k,
        "n": int(x.shape[0]),
        "n_init": n_init,
        "seeds": [int(s) for s in seeds],
        "nmi": mean_std(nmi),
        "ami": mean_std(ami),
        "purity": mean_std(purity),
        "ari": mean_std(ari),
    }
    logging.info(
        "Clustering K=%d: NMI %.2f AMI %.2f purity %.2f ARI %.2f",
        k, out["nmi"]["mean"], out["ami"]["mean"], out["purity"]["mean"], out["ari"]["mean"],
    )
    return out
