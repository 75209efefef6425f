"""The mini corpus's 20 synthetic speakers: espeak-ng Swahili voice variants × pitch × speed.

Which of them speak in which set is drawn by
:func:`espnet_lau.data.mini.generate.assign_speakers`.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Tuple

from espnet_lau.data.synthesis import Voice


@dataclasses.dataclass(frozen=True)
class Speaker:
    """A synthetic speaker: an id and an espeak-ng voice."""

    id: str
    voice: Voice
    gender: str

    def as_dict(self) -> Dict[str, object]:
        return {"voice": self.voice.name, "pitch": self.voice.pitch, "speed": self.voice.speed, "gender": self.gender}


def _speaker(index: int, variant: str, pitch: int, speed: int) -> Speaker:
    return Speaker(f"spk{index:02d}", Voice(f"sw+{variant}", pitch, speed), "f" if variant.startswith("f") else "m")


#: 20 speakers: espeak-ng variants (formant voices m*/f*, the klatt synthesiser) × pitch × speed.
SPEAKER_POOL: Tuple[Speaker, ...] = tuple(
    _speaker(i, *spec)
    for i, spec in enumerate(
        [
            ("m1", 45, 165), ("f1", 60, 160), ("m2", 40, 175), ("f2", 65, 165),
            ("m3", 35, 170), ("f3", 70, 155), ("klatt", 50, 165), ("f4", 55, 175),
            ("m4", 45, 160), ("f5", 75, 165), ("m5", 30, 180), ("klatt2", 60, 170),
            ("m6", 50, 155), ("f2", 45, 185), ("m7", 55, 165), ("klatt3", 40, 175),
            ("f1", 80, 175), ("m8", 35, 160), ("klatt4", 65, 165), ("f3", 50, 180),
        ],
        start=1,
    )
)
