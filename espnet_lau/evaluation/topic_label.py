"""Gold topic labels: read from a ``uttid label`` file, or given by an LLM per reference.

The LLM route is the paper's: each reference gets one topic of a closed list, or
``AUTRE`` when none fits.
"""

from __future__ import annotations

import logging
from typing import Dict, Mapping, Optional, Sequence, Tuple

from espnet_lau.evaluation.kaldi_text import KaldiTextError, read_kaldi_text
from espnet_lau.evaluation.llm import LLMClient
from espnet_lau.evaluation.prompts import Prompt, load_prompt
from espnet_lau.utils.fileio import PathLike

OTHER_TOPIC = "AUTRE"


def read_topics(path: PathLike) -> Dict[str, str]:
    """Read ``uttid label`` lines (the label may hold spaces, never be empty)."""
    labels = read_kaldi_text(path)
    empty = [u for u, lab in labels.items() if not lab]
    if empty:
        raise KaldiTextError(f"{path}: utterances without a topic label: {', '.join(empty[:10])}")
    return labels


def label_topics(
    refs: Mapping[str, str],
    client: LLMClient,
    topics: Sequence[str],
    prompt: Optional[Prompt] = None,
) -> Tuple[Dict[str, str], int]:
    """Ask the LLM for the topic of each reference.

    A reply outside ``topics`` (compared case-insensitively) becomes ``AUTRE``; an
    utterance whose call failed gets no label.

    Returns:
        ``({uttid: topic}, n_failed)``.
    """
    prompt = prompt or load_prompt("topic_label")
    by_lower = {t.lower(): t for t in topics}
    listing = ", ".join(list(topics) + [OTHER_TOPIC])
    labels: Dict[str, str] = {}
    n_failed = 0
    for uttid, ref in refs.items():
        obj = client.complete_json(prompt, valid=lambda o: isinstance(o.get("theme"), str),
                                   reference=ref, topics=listing)
        theme = obj.get("theme") if obj else None
        if not isinstance(theme, str):
            n_failed += 1
            continue
        labels[uttid] = by_lower.get(theme.strip().lower(), OTHER_TOPIC)
    logging.info("LLM topic labels for %d references (%d failed)", len(labels), n_failed)
    return labels, n_failed
