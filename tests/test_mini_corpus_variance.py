"""The mini corpus's variance knobs: --paraphrases, --label_noise (with its log), source variants.

Text generation only (no synthesis), on the default size, so the counts are meaningful.
"""

from collections import Counter

import pytest

from espnet_lau.data.mini import MiniCorpusConfig, generate_mini_corpus
from espnet_lau.data.mini.grammar import MAX_PARAPHRASES, meaning_from_id
from espnet_lau.data.mini.noise import LABEL_NOISE, SURFACE_NOISE


@pytest.fixture(scope="module")
def noisy_corpus():
    return generate_mini_corpus(MiniCorpusConfig(paraphrases=10, label_noise=0.2, source_variants=True))


def test_paraphrases_bound_the_training_targets():
    for n in (1, 3, 10):
        train = generate_mini_corpus(MiniCorpusConfig(paraphrases=n, noise_rate=0.0))["train"]
        used = Counter(u.meaning.paraphrases().index(u.target) for u in train)
        assert set(used) == set(range(n))  # every allowed paraphrase is used, no other
    with pytest.raises(ValueError, match="paraphrases must be in"):
        MiniCorpusConfig(paraphrases=MAX_PARAPHRASES + 1)


def test_label_noise_count_and_kinds(noisy_corpus):
    train = noisy_corpus["train"]
    counts = Counter(u.noise for u in train)
    assert sum(counts[k] for k in LABEL_NOISE) == round(0.2 * len(train))
    assert sum(counts[k] for k in SURFACE_NOISE) == round(0.15 * len(train))
    assert all(counts[k] > 0.2 * 0.2 * len(train) for k in LABEL_NOISE)  # roughly uniform


def _differing_slots(a: str, b: str):
    sa, sb = (dict(kv.split("=") for kv in m.split(":")[1].split(",")) for m in (a, b))
    return {k for k in sa if sa[k] != sb[k]}


def test_the_corruption_log_matches_the_targets(noisy_corpus):
    for u in noisy_corpus["train"]:
        if u.noise == "none":
            assert u.target in u.meaning.paraphrases() and u.target_meaning == u.meaning.id
        elif u.noise in SURFACE_NOISE:
            assert u.target not in u.meaning.paraphrases() and u.target_meaning == u.meaning.id
        elif u.noise == "wrong_slot":
            other = meaning_from_id(u.target_meaning)
            assert u.target in other.paraphrases()
            assert other.template == u.meaning.template
            assert len(_differing_slots(u.meaning.id, u.target_meaning)) == 1
        elif u.noise == "other_utterance":
            other = meaning_from_id(u.target_meaning)
            assert u.target in other.paraphrases() and other.template != u.meaning.template
        else:
            assert u.noise == "dropped_clause"
            dropped = [kv.split("=")[0] for kv in u.target_meaning.split(":")[1].split(",") if kv.endswith("=-")]
            assert len(dropped) == 1
            assert u.target in [u.meaning.french_without(dropped[0], i) for i in range(MAX_PARAPHRASES)]
            assert u.target not in u.meaning.paraphrases()


def test_dropped_clause_removes_the_slot_and_its_preposition():
    m = meaning_from_id("market_sell:subj=musa,good=malo,place=segu")
    assert m.french()[0] == "Moussa vend du riz au marché de Ségou."
    assert m.french_without("place", 0) == "Moussa vend du riz au marché."
    assert m.french_without("good", 0) == "Moussa vend au marché de Ségou."


def test_dev_and_test_stay_clean_and_multi_reference(noisy_corpus):
    for name in ("dev", "test"):
        utts = noisy_corpus[name]
        assert all(u.noise == "none" and list(u.references) == u.meaning.french() for u in utts)
        seen = Counter(u.seen for u in utts)
        assert seen[True] and seen[False]  # both seen and unseen slot combinations


def test_source_variants_say_the_same_words(noisy_corpus):
    variants = Counter(u.source_variant for u in noisy_corpus["train"])
    assert set(variants) == {"canonical", "particle", "time_front"}
    for u in noisy_corpus["train"]:
        canonical = u.meaning.bambara()
        if u.source_variant == "time_front":
            assert u.bambara != canonical and sorted(u.bambara.split()) == sorted(canonical.split())
        elif u.source_variant == "particle":
            assert u.bambara.endswith(canonical) and u.bambara != canonical


def test_default_corpus_has_no_label_noise_and_three_paraphrases():
    train = generate_mini_corpus(MiniCorpusConfig(size="tiny"))["train"]
    assert {u.noise for u in train} <= {"none", *SURFACE_NOISE}
    assert all(u.source_variant == "canonical" for u in train)
    clean = [u for u in train if u.noise == "none"]
    assert all(u.target in u.meaning.french() for u in clean)


def test_the_variance_knobs_keep_the_utterances():
    """Levels of a grid differ in their targets only: same meanings, speakers, audio."""
    low = generate_mini_corpus(MiniCorpusConfig(paraphrases=1, noise_rate=0.0))
    high = generate_mini_corpus(MiniCorpusConfig(paraphrases=10, label_noise=0.2))
    for name in ("train", "dev", "test"):
        assert [(u.uttid, u.meaning.id, u.bambara) for u in low[name]] == [
            (u.uttid, u.meaning.id, u.bambara) for u in high[name]]
    assert [u.target for u in low["dev"]] == [u.target for u in high["dev"]]
    assert [u.target for u in low["train"]] != [u.target for u in high["train"]]
