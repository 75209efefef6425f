"""Speed perturbation of a training set with sox (stage 2).

Each factor f != 1 makes a copy of every utterance, ``sp<f>-<uttid>`` spoken by speaker
``sp<f>-<spk>``, resampled by sox ``speed f`` (tempo and pitch change, as in Kaldi).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Sequence

from tqdm import tqdm

from espnet_lau.data.kaldi_dir import Utterance, read_data_dir, write_data_dir
from espnet_lau.data.kaldi_table import file_for_id
from espnet_lau.data.synthesis import sox_to_wav


def _perturb(utt: Utterance, dst: Path, factor: float) -> None:
    if not dst.is_file():
        sox_to_wav(utt.wav, dst, utt.uttid, effects=("speed", str(factor)))


def speed_perturb(src: Path, dst: Path, factors: Sequence[float], nj: int = 1) -> int:
    """Write ``dst`` = the utterances of ``src`` at every factor (1.0 keeps the originals).

    Returns:
        the number of utterances written.
    """
    src, dst = Path(src), Path(dst)
    originals = read_data_dir(src)
    wav_dir = dst / "wav"
    wav_dir.mkdir(parents=True, exist_ok=True)
    out: List[Utterance] = []
    jobs = []
    with ThreadPoolExecutor(max_workers=max(1, nj)) as pool:
        for factor in factors:
            for utt in originals:
                if factor == 1.0:
                    out.append(utt)
                    continue
                prefix = f"sp{factor}-"
                wav = file_for_id(wav_dir, f"{prefix}{utt.uttid}.wav")
                jobs.append(pool.submit(_perturb, utt, wav, factor))
                qa = dict(utt.qa) if utt.qa else None
                out.append(Utterance(prefix + utt.uttid, str(wav.resolve()), prefix + utt.speaker,
                                     dict(utt.fields), qa))
        for job in tqdm(jobs, desc="speed perturbation", unit="utt", mininterval=5):
            job.result()
    write_data_dir(dst, out, corpus_info={"source": str(src), "speed_perturb_factors": list(factors)},
                   check_wav_files=True)
    return len(out)
