"""Bambara orthographic normalisation (bambara-text-normalizer): what its page promises,
the source texts of stage 3, and every Bambara WER naming the normalisation it used."""

import json
from importlib.metadata import version

import pytest

from espnet_lau.bin import prepare_dump, score_st
from espnet_lau.data.dump import format_data_dir
from espnet_lau.data.kaldi_table import read_table
from espnet_lau.text.bambara import BambaraNormalizer

from test_dump import LANGS, data_dir  # noqa: F401  (the fixture)


@pytest.mark.parametrize("text", ["k'a ta", "ka a ta", "K’a ta"])
def test_the_package_does_what_its_page_says(text):
    assert BambaraNormalizer("expand", "text")(text) == "ka a ta"
    assert BambaraNormalizer("contract", "text")(text).lower() == "k'a ta"
    assert BambaraNormalizer("expand", "wer")(text + ", dɔ́ɔnin!") == "ka a ta dɔɔnin"  # tones and punctuation off
    assert BambaraNormalizer("none", "text")(text) == text


def test_preserve_keeps_contractions_and_text_keeps_case_and_numbers():
    assert BambaraNormalizer("preserve", "text")("K'a ta 5 sɔgɔma.") == "K'a ta 5 sɔgɔma."
    assert BambaraNormalizer("expand", "wer")("N bɛ taa 5") == "n bɛ taa duuru"  # the WER preset spells numbers
    with pytest.raises(ValueError, match="unknown Bambara normalisation mode 'spread'"):
        BambaraNormalizer("spread")


def test_bambara_wer_is_fair_to_spelling_variants_and_says_how(tmp_path):
    (tmp_path / "hyp").write_text("u1 ka a ta sini\nu2 a y'a fɔ\n", encoding="utf-8")
    (tmp_path / "ref").write_text("u1 K’a ta sini.\nu2 a ye a fɔ\n", encoding="utf-8")
    for mode in ("expand", "none"):
        score_st.main(["--hyp", str(tmp_path / "hyp"), "--ref", str(tmp_path / "ref"), "--outdir", str(tmp_path / mode),
                       "--bambara_norm", mode, "--case", "tc"])
    fair, french = (json.loads((tmp_path / m / "scores.json").read_text()) for m in ("expand", "none"))
    assert fair["wer"] == 0.0 and french["wer"] > 30
    described = f"bambara-text-normalizer {version('bambara-text-normalizer')} for_wer_evaluation(mode=expand)"
    assert fair["normalization"] == described and described in (tmp_path / "expand" / "scores.md").read_text()
    assert french["normalization"].startswith("lc")


def test_source_side_of_score_st_uses_the_bambara_normaliser(tmp_path):
    (tmp_path / "t").write_text("u1 le chat\n", encoding="utf-8")
    (tmp_path / "sh").write_text("u1 ka a ta\n", encoding="utf-8")
    (tmp_path / "sr").write_text("u1 k'a ta\n", encoding="utf-8")
    score_st.main(["--hyp", str(tmp_path / "t"), "--ref", str(tmp_path / "t"), "--src_hyp", str(tmp_path / "sh"),
                   "--src_ref", str(tmp_path / "sr"), "--outdir", str(tmp_path / "o")])
    src = json.loads((tmp_path / "o" / "scores.json").read_text())["src"]
    assert src["wer"] == 0.0 and src["normalization"].endswith("(mode=expand)")


def test_stage_3_normalises_the_bambara_texts_and_records_it(data_dir, tmp_path):  # noqa: F811
    table = read_table(data_dir / "text.tc.bam")
    table["spk1-b"] = "k'a ta"
    (data_dir / "text.tc.bam").write_text("".join(f"{k} {v}\n" for k, v in sorted(table.items())), encoding="utf-8")
    prepare_dump.main(["format", "--src", str(data_dir), "--dst", str(tmp_path / "expand"), "--langs", "bam:tc", "fr:lc.rm"])
    assert read_table(tmp_path / "expand" / "text.tc.bam")["spk1-b"] == "ka a ta"
    texts = json.loads((tmp_path / "expand" / "corpus.json").read_text())["texts"]
    assert texts["text.tc.bam"].startswith("bambara-text-normalizer") and texts["text.lc.rm.fr"].startswith("lc")
    format_data_dir(data_dir, tmp_path / "raw", LANGS)
    assert read_table(tmp_path / "raw" / "text.tc.bam")["spk1-b"] == "k'a ta"
