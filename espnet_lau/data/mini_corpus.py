"""A SYNTHETIC Bambara→French speech-translation mini corpus, generated offline.

No Bambara speech corpus can be downloaded on our machines, so the recipe and the tests
run on this stand-in (see ``docs/data.md``). It is **synthetic**: Bambara-like sentences
from a small slot grammar, spoken by the espeak-ng Swahili voice, with hand-written French
paraphrases. It exercises the same problem as Jeli-ASR on a tiny scale:

* **Grammar.** 16 sentence templates over 6 topics (market, farming, weather, health,
  family, travel). A *meaning* is a template plus one value per slot (who, what, where,
  when…); it is rendered as one Bambara sentence (Bambara orthography with ɛ ɔ ɲ; with
  ``source_variants`` also with a discourse particle or the time word fronted) and
  :data:`MAX_PARAPHRASES` French paraphrases: :data:`NUM_PARAPHRASES` careful ones (the
  dev/test references) and seven loose, free ones
  (:mod:`espnet_lau.data.mini_free_translations`).
* **Speakers.** espeak-ng voice variants × pitch × speed (:data:`SPEAKER_POOL`); dev and
  test speakers never occur in train.
* **Held-out combinations.** A share of the slot combinations of every multi-slot template
  never occurs in train (each of their values does); half of dev and test is drawn from
  them, so test measures generalisation to unseen combinations.
* **High-variance, noisy targets.** A training utterance carries one of the first
  ``paraphrases`` paraphrases (1-10, default 3), drawn at random. A ``noise_rate`` share
  is corrupted on the surface like an amateur translation (one word dropped, or two
  neighbouring words swapped: the meaning survives), and a ``label_noise`` share in
  meaning (``wrong_slot``: one slot value replaced; ``dropped_clause``: one slot's words
  removed; ``other_utterance``: the translation of another meaning). ``utt2noise`` names
  the corruption of every training utterance and ``utt2target_meaning`` the meaning its
  target actually expresses. Dev and test stay clean, with the three careful paraphrases
  as references (``text.tc.fr``, ``text.tc.fr.ref2``, ``text.tc.fr.ref3``) and ``utt2combination`` saying
  whether the slot combination occurs in train (``seen``) or not (``unseen``).
* **Gold semantics.** ``topic`` (one of :data:`~espnet_lau.data.mini_templates.TOPICS`) and ``qa.jsonl`` (a French
  question and its accepted answers, from the slots) for the semantic evaluations.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import random
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import soundfile

from espnet_lau.data.mini_grammar import (
    BAMBARA_PARTICLES,
    MAX_PARAPHRASES,
    NUM_PARAPHRASES,
    SOURCE_VARIANTS,
    Meaning,
    all_meanings,
)
from espnet_lau.data.mini_lexicon import SLOTS
from espnet_lau.data.mini_templates import TEMPLATES
from espnet_lau.data.datadir_check import DataDirSummary, validate_data_dir
from espnet_lau.data.kaldi_dir import Utterance, write_data_dir
from espnet_lau.data.synthesis import (
    EspeakSynthesizer,
    SynthesisJob,
    Voice,
    transliterate_for_espeak,
)
from espnet_lau.fileio import write_text_atomic

CORPUS_NAME = "lau-mini-bambara-fr (SYNTHETIC)"
GENERATOR_VERSION = 2
#: Kinds of surface noise (the meaning survives) and of semantic label noise.
SURFACE_NOISE = ("drop", "swap")
LABEL_NOISE = ("wrong_slot", "dropped_clause", "other_utterance")
#: Names of the reference files of dev and test: reference ``i`` is in ``REFERENCE_FILES[i]``.
REFERENCE_FILES = ("text.tc.fr", "text.tc.fr.ref2", "text.tc.fr.ref3")
#: The files of the French target and the Bambara transcript (ESPnet's text.<case>.<lang>).
TARGET_FILE = REFERENCE_FILES[0]
SOURCE_FILE = "text.tc.bam"
EXTRA_ASR_SET = "train_asr_extra"
SYNTHETIC_NOTE = (
    "SYNTHETIC DATA. Bambara-like sentences from a small slot grammar, spoken by the "
    "espeak-ng Swahili voice (Bambara letters transliterated ɛ→e ɔ→o ɲ→ny ŋ→ng), with "
    "hand-written French paraphrases. Not real Bambara speech: use it to test the "
    "pipeline, never to report results on Bambara."
)

# =======================================================================================
# Speakers and sizes
# =======================================================================================


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


@dataclasses.dataclass(frozen=True)
class CorpusSize:
    """Number of utterances and speakers per set."""

    train: int
    dev: int
    test: int
    train_speakers: int
    dev_speakers: int
    test_speakers: int

    @property
    def num_speakers(self) -> int:
        return self.train_speakers + self.dev_speakers + self.test_speakers


SIZES: Dict[str, CorpusSize] = {
    # Seconds to generate: for CI and unit tests.
    "tiny": CorpusSize(train=60, dev=12, test=12, train_speakers=8, dev_speakers=2, test_speakers=2),
    # For the 2-core CPU recipe (ASR + ST training of a small transformer in ~30 min).
    "default": CorpusSize(train=1600, dev=150, test=150, train_speakers=14, dev_speakers=3, test_speakers=3),
}


@dataclasses.dataclass(frozen=True)
class MiniCorpusConfig:
    """What to generate.

    Attributes:
        seed: everything (held-out combinations, speakers of each set, sentences, noise)
            is a deterministic function of the seed and the sizes.
        size: a key of :data:`SIZES`.
        noise_rate: share of training utterances whose target is corrupted on the
            surface (exactly ``round(noise_rate × num_train)`` of them).
        paraphrases: training targets are drawn from the first N paraphrases of their
            meaning (1-10): 1-3 careful ones, 4-10 adding loose, free translations.
        label_noise: share of training utterances whose target is corrupted in meaning
            (exactly ``round(label_noise × num_train)``, disjoint from the surface-noised
            ones; the kind is drawn uniformly from :data:`LABEL_NOISE`).
        source_variants: vary the Bambara side (a discourse particle, or the time word
            fronted), so that one meaning is spoken in several ways.
        heldout_rate: share of the slot combinations of each multi-slot template that
            never occurs in train (nor in the extra ASR set).
        extra_asr: number of extra ASR-only utterances (train speakers, Bambara only).
        num_train, num_dev, num_test: override the utterance counts of ``size``.
    """

    seed: int = 1
    size: str = "default"
    noise_rate: float = 0.15
    heldout_rate: float = 0.15
    extra_asr: int = 0
    paraphrases: int = NUM_PARAPHRASES
    label_noise: float = 0.0
    source_variants: bool = False
    num_train: Optional[int] = None
    num_dev: Optional[int] = None
    num_test: Optional[int] = None

    def __post_init__(self):
        if self.size not in SIZES:
            raise ValueError(f"unknown size {self.size!r}; choose from {sorted(SIZES)}")
        if not 0.0 <= self.noise_rate <= 1.0:
            raise ValueError(f"noise_rate must be in [0, 1], got {self.noise_rate}")
        if not 0.0 <= self.heldout_rate < 1.0:
            raise ValueError(f"heldout_rate must be in [0, 1), got {self.heldout_rate}")
        if not 1 <= self.paraphrases <= MAX_PARAPHRASES:
            raise ValueError(f"paraphrases must be in [1, {MAX_PARAPHRASES}], got {self.paraphrases}")
        if not 0.0 <= self.label_noise <= 1.0 or self.noise_rate + self.label_noise > 1.0:
            raise ValueError(
                f"label_noise must be in [0, 1] and noise_rate + label_noise <= 1, got "
                f"{self.label_noise} and {self.noise_rate}"
            )

    def counts(self) -> Dict[str, int]:
        base = SIZES[self.size]
        counts = {
            "train": self.num_train if self.num_train is not None else base.train,
            "dev": self.num_dev if self.num_dev is not None else base.dev,
            "test": self.num_test if self.num_test is not None else base.test,
        }
        if self.extra_asr > 0:
            counts[EXTRA_ASR_SET] = self.extra_asr
        for name, n in counts.items():
            if n <= 0:
                raise ValueError(f"set {name} needs at least one utterance, got {n}")
        return counts


# =======================================================================================
# Generation (text only)
# =======================================================================================


@dataclasses.dataclass(frozen=True)
class MiniUtterance:
    """A generated utterance, before synthesis.

    Attributes:
        target: the French target (train: one paraphrase, maybe noised; dev/test: the
            first reference). Empty for the extra ASR set.
        references: all paraphrases (dev/test) or empty.
        noise: ``none``, one of :data:`SURFACE_NOISE` or of :data:`LABEL_NOISE` (train).
        target_meaning: the meaning the target expresses: the utterance's own, another
            one (``wrong_slot``, ``other_utterance``), or its own with the dropped slot
            as ``-`` (``dropped_clause``).
        source_variant: one of :data:`SOURCE_VARIANTS`; ``bambara`` is that sentence.
        seen: whether the slot combination occurs in the training pool.
    """

    uttid: str
    set_name: str
    speaker: Speaker
    meaning: Meaning
    target: str
    references: Tuple[str, ...] = ()
    noise: str = "none"
    target_meaning: str = ""
    source_variant: str = "canonical"
    particle: str = BAMBARA_PARTICLES[0]
    seen: bool = True

    @property
    def bambara(self) -> str:
        return self.meaning.bambara(self.source_variant, self.particle)


def _rng(seed: int, purpose: str) -> random.Random:
    return random.Random(f"lau-mini:{seed}:{purpose}")


def split_combinations(seed: int, heldout_rate: float) -> Tuple[List[Meaning], List[Meaning]]:
    """Split every template's combinations into (train pool, held-out).

    Only templates with two or more slots hold combinations out, and a combination is held
    out only if each of its values still occurs in the train pool of its template.
    """
    rng = _rng(seed, "heldout")
    pool, heldout = [], []
    for template in TEMPLATES:
        meanings = all_meanings(template)
        if len(template.slots) < 2 or heldout_rate <= 0:
            pool.extend(meanings)
            continue
        order = list(range(len(meanings)))
        rng.shuffle(order)
        target = max(1, round(heldout_rate * len(meanings)))
        remaining = {(slot, v.key): 0 for m in meanings for slot, v in m.values}
        for m in meanings:
            for slot, v in m.values:
                remaining[(slot, v.key)] += 1
        held = set()
        for i in order:
            if len(held) >= target:
                break
            pairs = [(slot, v.key) for slot, v in meanings[i].values]
            if all(remaining[p] > 1 for p in pairs):
                held.add(i)
                for p in pairs:
                    remaining[p] -= 1
        pool.extend(m for i, m in enumerate(meanings) if i not in held)
        heldout.extend(m for i, m in enumerate(meanings) if i in held)
    return pool, heldout


def assign_speakers(seed: int, size: CorpusSize) -> Dict[str, List[Speaker]]:
    """Speakers of each set: the first ``size.num_speakers`` of :data:`SPEAKER_POOL`, with
    dev and test drawn (seeded, alternating female/male) so both have both genders."""
    if size.num_speakers > len(SPEAKER_POOL):
        raise ValueError(f"{size.num_speakers} speakers requested, the pool has {len(SPEAKER_POOL)}")
    chosen = list(SPEAKER_POOL[: size.num_speakers])
    rng = _rng(seed, "speakers")
    by_gender = {g: [s for s in chosen if s.gender == g] for g in ("f", "m")}
    for group in by_gender.values():
        rng.shuffle(group)
    interleaved = [
        s for pair in itertools.zip_longest(by_gender["f"], by_gender["m"]) for s in pair if s is not None
    ]
    n_test, n_dev = size.test_speakers, size.dev_speakers
    sets = {
        "test": interleaved[:n_test],
        "dev": interleaved[n_test : n_test + n_dev],
        "train": interleaved[n_test + n_dev :],
    }
    return {name: sorted(spks, key=lambda s: s.id) for name, spks in sets.items()}


def add_translation_noise(text: str, rng: random.Random, avoid: Sequence[str] = ()) -> Tuple[str, str]:
    """Corrupt a French sentence like an amateur translator: drop one word or swap two
    neighbouring words. The result differs from ``text`` and from every string in ``avoid``.

    Returns:
        (noisy text, ``"drop"`` or ``"swap"``).
    """
    body, end = (text[:-1], text[-1]) if text[-1:] in ".!?" else (text, "")
    words = body.split()
    forbidden = {text, *avoid}
    for _ in range(20):
        kind = rng.choice(("drop", "swap"))
        noisy = list(words)
        if kind == "drop" and len(words) > 2:
            del noisy[rng.randrange(len(words))]
        else:
            kind = "swap"
            i = rng.randrange(len(words) - 1)
            noisy[i], noisy[i + 1] = noisy[i + 1], noisy[i]
        result = " ".join(noisy) + end
        result = result[:1].upper() + result[1:]
        if result not in forbidden:
            return result, kind
    raise ValueError(f"could not corrupt {text!r}")


def corrupt_meaning(
    meaning: Meaning, index: int, pool: Sequence[Meaning], rng: random.Random
) -> Tuple[str, str, str]:
    """Corrupt paraphrase ``index`` of ``meaning`` in meaning, like a careless translator.

    Kinds (drawn uniformly): ``wrong_slot`` (one slot's value replaced by another value
    of that slot), ``dropped_clause`` (one slot's words left out), ``other_utterance``
    (a paraphrase of another meaning of the training pool).

    Returns:
        (target, kind, id of the meaning the target expresses).
    """
    kind = rng.choice(LABEL_NOISE)
    slots = [slot for slot, _ in meaning.values]
    if kind == "wrong_slot":
        slot = rng.choice(slots)
        current = dict(meaning.values)[slot]
        replacement = rng.choice([v for v in SLOTS[slot] if v.key != current.key])
        other = Meaning(meaning.template, tuple((s, replacement if s == slot else v) for s, v in meaning.values))
        return other.paraphrases()[index], kind, other.id
    if kind == "dropped_clause":
        slot = rng.choice(slots)
        dropped = ",".join(f"{s}={'-' if s == slot else v.key}" for s, v in meaning.values)
        return meaning.french_without(slot, index), kind, f"{meaning.template.name}:{dropped}"
    other = rng.choice([m for m in pool if m.template.name != meaning.template.name])
    return rng.choice(other.paraphrases()), kind, other.id


def _sample_meaning(rng: random.Random, by_topic: Mapping[str, Mapping[str, List[Meaning]]]) -> Meaning:
    topic = rng.choice(sorted(by_topic))
    template = rng.choice(sorted(by_topic[topic]))
    return rng.choice(by_topic[topic][template])


def _group(meanings: Sequence[Meaning]) -> Dict[str, Dict[str, List[Meaning]]]:
    grouped: Dict[str, Dict[str, List[Meaning]]] = {}
    for m in meanings:
        grouped.setdefault(m.topic, {}).setdefault(m.template.name, []).append(m)
    return grouped


def generate_mini_corpus(config: MiniCorpusConfig) -> Dict[str, List[MiniUtterance]]:
    """Generate the text side of the corpus: ``{set name: utterances sorted by uttid}``.

    Sets: ``train``, ``dev``, ``test`` and, if ``config.extra_asr``, ``train_asr_extra``.
    Uttids are ``<speaker>-<set>-<index:06d>``. Dev and test draw half of their meanings
    from the held-out combinations (see :func:`split_combinations`).
    """
    size = SIZES[config.size]
    counts = config.counts()
    speakers = assign_speakers(config.seed, size)
    speakers[EXTRA_ASR_SET] = speakers["train"]
    pool, heldout = split_combinations(config.seed, config.heldout_rate)
    pool_groups, heldout_groups = _group(pool), _group(heldout)

    corpus: Dict[str, List[MiniUtterance]] = {}
    for set_name, n in counts.items():
        rng = _rng(config.seed, f"sentences:{set_name}")
        # Own streams for the target and the source variant: the utterances (meanings,
        # speakers, audio) of a seed are the same whatever --paraphrases and the noise.
        target_rng = _rng(config.seed, f"targets:{set_name}")
        variant_rng = _rng(config.seed, f"source-variants:{set_name}")
        spks = speakers[set_name]
        evaluation = set_name in ("dev", "test")
        noisy, corrupted = set(), set()
        if set_name == "train":
            noisy = set(_rng(config.seed, "noise-choice").sample(range(n), round(config.noise_rate * n)))
            clean = sorted(set(range(n)) - noisy)
            corrupted = set(_rng(config.seed, "label-noise-choice").sample(clean, round(config.label_noise * n)))
        noise_rng = _rng(config.seed, f"noise:{set_name}")
        label_rng = _rng(config.seed, f"label-noise:{set_name}")
        utts = []
        for index in range(n):
            use_heldout = evaluation and heldout and index % 2 == 1
            meaning = _sample_meaning(rng, heldout_groups if use_heldout else pool_groups)
            speaker = spks[index % len(spks)]
            uttid = f"{speaker.id}-{set_name}-{index:06d}"
            source = {"seen": not use_heldout}
            if config.source_variants:
                variants = [v for v in SOURCE_VARIANTS if v != "time_front" or meaning.has_time_front()]
                source.update(source_variant=variant_rng.choice(variants),
                              particle=variant_rng.choice(BAMBARA_PARTICLES))
            if set_name == EXTRA_ASR_SET:
                utts.append(MiniUtterance(uttid, set_name, speaker, meaning, target="", **source))
            elif evaluation:
                paraphrases = meaning.french()
                utts.append(MiniUtterance(uttid, set_name, speaker, meaning, paraphrases[0], tuple(paraphrases),
                                          target_meaning=meaning.id, **source))
            else:
                index_in_meaning = target_rng.randrange(config.paraphrases)
                target, noise, target_meaning = meaning.paraphrases(config.paraphrases)[index_in_meaning], "none", meaning.id
                if index in noisy:
                    target, noise = add_translation_noise(target, noise_rng, avoid=meaning.paraphrases())
                elif index in corrupted:
                    target, noise, target_meaning = corrupt_meaning(meaning, index_in_meaning, pool, label_rng)
                utts.append(MiniUtterance(uttid, set_name, speaker, meaning, target, noise=noise,
                                          target_meaning=target_meaning, **source))
        corpus[set_name] = sorted(utts, key=lambda u: u.uttid)
    return corpus


# =======================================================================================
# Preparation: synthesis + Kaldi data directories
# =======================================================================================


def _fields(utt: MiniUtterance, duration: float) -> Dict[str, str]:
    fields = {
        SOURCE_FILE: utt.bambara,
        "topic": utt.meaning.topic,
        "utt2meaning": utt.meaning.id,
        "utt2dur": f"{duration:.3f}",
    }
    if utt.set_name == "train":
        fields[TARGET_FILE] = utt.target
        fields["utt2noise"] = utt.noise
        fields["utt2target_meaning"] = utt.target_meaning
    elif utt.references:
        fields.update(zip(REFERENCE_FILES, utt.references))
        fields["utt2combination"] = "seen" if utt.seen else "unseen"
    fields["utt2source_variant"] = utt.source_variant
    return fields


def _corpus_info(config: MiniCorpusConfig, set_name: str, utts: Sequence[MiniUtterance], tools: str) -> Dict:
    info: Dict[str, object] = {
        "corpus": CORPUS_NAME,
        "synthetic": True,
        "note": SYNTHETIC_NOTE,
        "generator": f"espnet_lau.data.mini_corpus v{GENERATOR_VERSION}",
        "set": set_name,
        "seed": config.seed,
        "size": config.size,
        "heldout_rate": config.heldout_rate,
        "speakers": {s.id: s.as_dict() for s in sorted({u.speaker for u in utts}, key=lambda s: s.id)},
        "tts": tools,
        "source_language": "bam (Bambara-like, synthetic)",
        "target_language": "fr",
    }
    info["source_variants"] = config.source_variants
    if set_name == "train":
        info["noise_rate"] = config.noise_rate
        info["label_noise"] = config.label_noise
        info["paraphrases"] = config.paraphrases
        info["target"] = (
            f"{TARGET_FILE}: one of the first {config.paraphrases} paraphrases, drawn at random; "
            "utt2noise names its corruption (none, surface: drop/swap, meaning: "
            "wrong_slot/dropped_clause/other_utterance); utt2target_meaning the meaning it expresses"
        )
    elif set_name in ("dev", "test"):
        info["references"] = list(REFERENCE_FILES)
    else:
        info["target"] = f"none (ASR-only: {SOURCE_FILE})"
    return info


def _readme(config: MiniCorpusConfig, counts: Mapping[str, int]) -> str:
    sets = ", ".join(f"{name} ({n} utt.)" for name, n in counts.items())
    return (
        f"{CORPUS_NAME}\n\n{SYNTHETIC_NOTE}\n\n"
        f"Generated by espnet_lau.data.mini_corpus v{GENERATOR_VERSION}: seed {config.seed}, "
        f"size {config.size}, noise_rate {config.noise_rate}, label_noise {config.label_noise}, "
        f"paraphrases {config.paraphrases}, source_variants {config.source_variants}.\nSets: {sets}.\n"
        "Files per set: wav.scp text.tc.fr text.tc.bam utt2spk spk2utt spk2gender utt2dur topic "
        "utt2meaning qa.jsonl corpus.json;\ntrain also utt2noise utt2target_meaning; dev and test also "
        "text.tc.fr.ref2 text.tc.fr.ref3 (text.tc.fr = reference 1) utt2combination; train_asr_extra has no French.\n"
        "Audio: wav/<set>/<uttid>.wav, 16 kHz mono 16-bit. See docs/data.md.\n"
    )


def prepare_mini_corpus(
    output_dir: Union[str, Path],
    config: MiniCorpusConfig = MiniCorpusConfig(),
    nj: int = 1,
    progress: bool = True,
) -> Dict[str, DataDirSummary]:
    """Generate, synthesise and write the mini corpus under ``output_dir``.

    Writes ``<output_dir>/{train,dev,test[,train_asr_extra]}/`` (Kaldi data dirs),
    ``<output_dir>/wav/<set>/<uttid>.wav`` and ``<output_dir>/README.txt``. Up-to-date
    files are left untouched, so a re-run is a no-op.

    Returns:
        ``{set name: summary of its validated data directory}``.
    """
    output_dir = Path(output_dir).absolute()
    corpus = generate_mini_corpus(config)
    synthesizer = EspeakSynthesizer(nj=nj, progress=progress)
    summaries = {}
    for set_name, utts in corpus.items():
        jobs = [SynthesisJob(u.uttid, transliterate_for_espeak(u.bambara), u.speaker.voice) for u in utts]
        wavs = synthesizer.synthesize(jobs, output_dir / "wav" / set_name, desc=f"synthesis {set_name}")
        records = []
        for u in utts:
            duration = soundfile.info(str(wavs[u.uttid])).duration
            records.append(
                Utterance(
                    uttid=u.uttid,
                    wav=str(wavs[u.uttid]),
                    speaker=u.speaker.id,
                    fields=_fields(u, duration),
                    qa=u.meaning.qa() if set_name != EXTRA_ASR_SET else None,
                )
            )
        data_dir = output_dir / set_name
        changed = write_data_dir(
            data_dir,
            records,
            spk2gender={u.speaker.id: u.speaker.gender for u in utts},
            corpus_info=_corpus_info(config, set_name, utts, synthesizer.tool_versions),
            check_wav_files=True,
        )
        summaries[set_name] = validate_data_dir(data_dir)
        logging.info(
            "%s: %d utterances, %d speakers%s", data_dir, len(utts), len(summaries[set_name].speakers),
            f" (updated: {' '.join(changed)})" if changed else " (unchanged)",
        )
    write_text_atomic(output_dir / "README.txt", _readme(config, config.counts()))
    return summaries
