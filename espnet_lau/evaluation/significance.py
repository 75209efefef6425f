"""Paired bootstrap significance of BLEU differences (sacrebleu's ``PairedTest``, the
Moses ``bootstrap-hypothesis-difference-significance.pl`` procedure).

Every system is compared with one reference system on the same utterances and the same
references. With several training seeds per system, seed ``i`` of a system is paired
with seed ``i`` of the reference (the reference's first seed when it has fewer), and the
reference's own seeds ``1..n`` are tested against its seed 0: how "significant" seed
noise alone looks.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Dict, List, Mapping, Sequence

from sacrebleu.metrics import BLEU
from sacrebleu.significance import PairedTest

from espnet_lau.evaluation.translation import load_aligned
from espnet_lau.text.normalization import TextNormalizer
from espnet_lau.utils.fileio import PathLike


@dataclasses.dataclass
class PairedResult:
    """One system run against one reference run."""

    system: str
    seed_index: int
    reference_seed_index: int
    bleu: float
    reference_bleu: float
    p_value: float

    @property
    def delta(self) -> float:
        return self.bleu - self.reference_bleu

    def significant(self, alpha: float = 0.05) -> bool:
        """``p < alpha`` and a non-zero difference. sacrebleu (after multeval) counts only
        resampled differences strictly above the observed one, so a system scored
        against an identical one gets the smallest p, 1/(n+1), not 1."""
        return self.p_value < alpha and self.delta != 0.0


def paired_bootstrap_bleu(
    reference_hyp: PathLike,
    system_hyps: Mapping[str, PathLike],
    ref_paths: Sequence[PathLike],
    n_samples: int = 1000,
    normalizer: TextNormalizer = None,
) -> Dict[str, Dict[str, float]]:
    """BLEU of each system and its paired-bootstrap p-value against ``reference_hyp``.

    Args:
        reference_hyp: Kaldi text of the reference system's hypotheses.
        system_hyps: system name -> Kaldi text of its hypotheses.
        ref_paths: the reference translations (first file gives the utterance order).
        n_samples: bootstrap resamples.
        normalizer: applied to hypotheses and references, as in ``score_st``.

    Returns:
        name -> ``{"bleu", "reference_bleu", "p_value"}``; the resampling seed is
        sacrebleu's (``SACREBLEU_SEED``, 12345 by default), so results are repeatable.

    Raises:
        IdMismatchError: a hypothesis file does not cover the references' utterances.
    """
    normalizer = TextNormalizer() if normalizer is None else normalizer
    _, ref_sys, refs = load_aligned(reference_hyp, ref_paths, normalizer)
    named = [("__reference__", ref_sys)]
    for name, path in system_hyps.items():
        named.append((name, load_aligned(path, ref_paths, normalizer)[1]))
    _, scores = PairedTest(
        named, metrics={"BLEU": BLEU()}, references=refs, test_type="bs", n_samples=n_samples
    )()
    results = scores["BLEU"]
    return {
        name: {
            "bleu": float(results[i].score),
            "reference_bleu": float(results[0].score),
            "p_value": float(results[i].p_value),
        }
        for i, (name, _) in enumerate(named) if i > 0
    }


def seed_paired_tests(
    reference: str,
    hyps_by_system: Mapping[str, Sequence[PathLike]],
    ref_paths: Sequence[PathLike],
    n_samples: int = 1000,
) -> List[PairedResult]:
    """Seed-matched paired bootstrap tests of every system against ``reference``.

    Args:
        reference: the reference system's name (a key of ``hyps_by_system``).
        hyps_by_system: system -> hypothesis files, one per seed, in seed order.

    Returns:
        One result per (system, seed), the reference's seeds 1.. against its seed 0 first.
    """
    if reference not in hyps_by_system:
        raise KeyError(f"reference system {reference!r} has no hypotheses "
                       f"(systems: {', '.join(hyps_by_system)})")
    ref_hyps = list(hyps_by_system[reference])
    pairs: Dict[int, Dict[str, tuple]] = {}  # reference seed index -> label -> (system, seed)
    for i in range(1, len(ref_hyps)):
        pairs.setdefault(0, {})[f"{reference}#{i}"] = (reference, i)
    for system, hyps in hyps_by_system.items():
        if system == reference:
            continue
        for i in range(len(hyps)):
            j = i if i < len(ref_hyps) else 0
            pairs.setdefault(j, {})[f"{system}#{i}"] = (system, i)
    out = []
    for j, labelled in sorted(pairs.items()):
        logging.info("Paired bootstrap (%d resamples) against %s seed #%d: %s",
                     n_samples, reference, j, ", ".join(labelled))
        tested = paired_bootstrap_bleu(
            ref_hyps[j], {label: hyps_by_system[s][i] for label, (s, i) in labelled.items()},
            ref_paths, n_samples=n_samples,
        )
        for label, (system, i) in labelled.items():
            t = tested[label]
            out.append(PairedResult(system, i, j, t["bleu"], t["reference_bleu"], t["p_value"]))
    return out
