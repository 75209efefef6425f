"""Corpus fixtures with the real schemas: Jeli-ASR clips (named like Jeli's,
``<recording>-<start>-<end>.wav``) as ``save_to_disk`` datasets or NeMo manifests."""

from __future__ import annotations

import io
import json
from pathlib import Path

import datasets
import numpy as np
import soundfile

from espnet_lau.data.lfs import LFS_POINTER_PREFIX

DEV_PERMILLE = 300  # the fixture is small: a large dev share keeps dev non-empty
RECORDINGS = {"train": 8, "test": 2}  # per config
CLIPS_PER_RECORDING = 3
NO_FRENCH = {1: None, 2: "   "}  # row index → a missing / blank translation
SECONDS = 0.4
PREFIX = {"bam-asr-oza": "oza_r", "jeli-asr-rmai": "griots_r"}
POINTER = LFS_POINTER_PREFIX + b"\noid sha256:" + b"0" * 64 + b"\nsize 12345\n"


def wav_bytes(rate: int, channels: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * SECONDS)) / rate
    tone = 0.3 * np.sin(2 * np.pi * (200 + 10 * seed) * t)
    samples = np.stack([tone + 0.01 * rng.standard_normal(t.size)] * channels, axis=1)
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def jeli_clips(config: str, split: str):
    """Rows of one config and split: (clip name, wav bytes, bam, french); row 0 is 22.05 kHz stereo."""
    rows = []
    for r in range(RECORDINGS[split]):
        for c in range(CLIPS_PER_RECORDING):
            i = len(rows)
            name = f"{PREFIX[config]}{r + (50 if split == 'test' else 0):02d}-{1000 * c:07d}-{1000 * c + 900:07d}"
            rate, channels = (22050, 2) if i == 0 else (16000, 1)
            rows.append((name, wav_bytes(rate, channels, i), f"{name} kuma {i}  bɛ\nna", NO_FRENCH.get(i, f"{name} phrase {i}\n")))
    return rows


def audio_dataset(rows, audio_dir: Path, by_path=(3,)):
    """A Dataset with the Jeli-ASR columns; the rows of ``by_path`` store their audio as a file path."""
    columns = {"audio": [], "duration": [], "bam": [], "french": []}
    for i, (name, data, bam, french) in enumerate(rows):
        if i in by_path:
            audio_dir.mkdir(parents=True, exist_ok=True)
            (audio_dir / f"{name}.wav").write_bytes(data)
            columns["audio"].append({"bytes": None, "path": str(audio_dir / f"{name}.wav")})
        else:
            columns["audio"].append({"bytes": data, "path": f"{name}.wav"})
        columns["duration"].append(SECONDS)
        columns["bam"].append(bam)
        columns["french"].append(french)
    # a storage cast of the {bytes, path} struct: no encoder needed
    return datasets.Dataset.from_dict(columns).cast_column("audio", datasets.Audio())


def write_nemo(root: Path, clips) -> None:
    """NeMo manifests: row 1 only on the Bambara side, row 2 blank in French, one French-only row,
    absolute paths for the test split (one from another machine), relative for train."""
    for config, by_split in clips.items():
        subset = {"bam-asr-oza": "oza-bam-asr"}.get(config, config)
        for split, rows in by_split.items():
            audio_dir = root / "audios" / subset / split
            audio_dir.mkdir(parents=True, exist_ok=True)
            bam_lines, fr_lines = [], []
            for i, (name, data, bam, french) in enumerate(rows):
                (audio_dir / f"{name}.wav").write_bytes(data)
                rel = f"audios/{subset}/{split}/{name}.wav"
                path = rel if split == "train" else (f"/elsewhere/jeli/{rel}" if i == 0 else str(root / rel))
                bam_lines.append({"audio_filepath": path, "duration": 99.0, "text": bam})
                if french is not None:
                    fr_lines.append({"audio_filepath": path, "duration": 99.0, "text": french})
            (audio_dir / "stray-0-1.wav").write_bytes(rows[0][1])
            fr_lines.append({"audio_filepath": f"audios/{subset}/{split}/stray-0-1.wav", "duration": 1.0, "text": "seul"})
            for folder, name, lines in (("manifests", f"{subset}-{split}-manifest.json", bam_lines),
                                        ("french-manifests", f"{subset}-{split}-french-manifest.json", fr_lines[::-1])):
                (root / folder).mkdir(exist_ok=True)
                (root / folder / name).write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
