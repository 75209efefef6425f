"""Translation / recognition scores: hand-worked values, the libraries' own results,
multi-reference BLEU, id matching and the score_st CLI."""

import json
import math

import jiwer
import pytest
from sacrebleu.metrics import BLEU, CHRF, TER

from espnet_lau.bin import score_st as score_st_cli
from espnet_lau.evaluation.kaldi_text import (
    IdMismatchError,
    KaldiTextError,
    check_same_ids,
    read_kaldi_text,
)
from espnet_lau.evaluation.translation import (
    corpus_translation_scores,
    error_rates,
    score_st,
    sentence_scores,
)
from espnet_lau.text.normalization import TextNormalizer

REF = "le chat dort sur le tapis"


def write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- Kaldi text


def test_read_kaldi_text_empty_text_and_blank_lines(tmp_path):
    f = write(tmp_path / "text", ["u1 bonjour à tous", "u2", "", "u3   deux  espaces "])
    assert read_kaldi_text(f) == {"u1": "bonjour à tous", "u2": "", "u3": "deux  espaces"}


def test_read_kaldi_text_duplicate_id_names_file_and_lines(tmp_path):
    f = write(tmp_path / "text", ["u1 a", "u2 b", "u1 c"])
    with pytest.raises(KaldiTextError, match=r"text:3: duplicated utterance id 'u1' \(first seen on line 1\)"):
        read_kaldi_text(f)


def test_read_kaldi_text_bad_utf8(tmp_path):
    f = tmp_path / "text"
    f.write_bytes(b"u1 ok\nu2 \xff\xfe\n")
    with pytest.raises(KaldiTextError, match="text:2"):
        read_kaldi_text(f)


def test_id_mismatch_lists_first_ids_and_counts():
    ref = {f"u{i:02d}": "x" for i in range(20)}
    hyp = {f"u{i:02d}": "x" for i in range(5, 20)}
    hyp["zz"] = "x"
    with pytest.raises(IdMismatchError) as err:
        check_same_ids(ref, hyp, "ref.txt", "hyp.txt")
    msg = str(err.value)
    assert "missing from hyp.txt: 5 ids: u00, u01, u02, u03, u04" in msg
    assert "extra in hyp.txt: 1 id: zz" in msg
    assert err.value.missing == ["u00", "u01", "u02", "u03", "u04"]
    many = {f"v{i:02d}": "x" for i in range(15)}
    with pytest.raises(IdMismatchError, match=r"15 ids: v00, .*v09, \.\.\. \(\+5 more\)"):
        check_same_ids(ref, {**ref, **many}, "ref.txt", "hyp.txt")
    assert check_same_ids(ref, dict(reversed(list(ref.items()))), "r", "h") == list(ref)


# --------------------------------------------------------------------------- metrics


def test_wer_cer_hand_worked_and_jiwer():
    # "chat" -> "chien" (1 substitution), "le" deleted: 2 errors over 6 words.
    hyp = "le chien dort sur tapis"
    rates = error_rates([REF], [hyp])
    assert rates["wer"] == pytest.approx(100 * 2 / 6)
    assert rates["wer"] == pytest.approx(100 * jiwer.wer(REF, hyp))
    assert rates["wer_details"] == {
        "substitutions": 1, "deletions": 1, "insertions": 0, "hits": 4, "ref_len": 6
    }
    # one substituted character over 4
    assert error_rates(["abcd"], ["abed"])["cer"] == pytest.approx(25.0)
    # corpus level: errors and lengths are summed (1 + 2 errors over 2 + 4 words)
    corpus = error_rates(["a b", "c d e f"], ["a x", "c d"])
    assert corpus["wer"] == pytest.approx(100 * 3 / 6)
    assert corpus["wer"] == pytest.approx(100 * jiwer.wer(["a b", "c d e f"], ["a x", "c d"]))
    assert corpus["cer"] == pytest.approx(100 * jiwer.cer(["a b", "c d e f"], ["a x", "c d"]))


def test_bleu_hand_worked_and_sacrebleu():
    hyp = "le chat dort sur le tapis"
    ref = "le chat dort sur un tapis"
    # clipped n-gram precisions 5/6, 3/5, 2/4, 1/3; same length, so BP = 1
    expected = 100 * (5 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25
    scores = corpus_translation_scores([hyp], [[ref]])
    assert scores.bleu == pytest.approx(expected, abs=1e-6)
    assert scores.bleu == pytest.approx(BLEU().corpus_score([hyp], [[ref]]).score)
    assert scores.chrf == pytest.approx(CHRF().corpus_score([hyp], [[ref]]).score)
    # TER: 1 substitution (le -> un) over 6 reference words
    assert scores.ter == pytest.approx(100 / 6)
    assert scores.ter == pytest.approx(TER().corpus_score([hyp], [[ref]]).score)
    assert scores.signatures["bleu"].startswith("nrefs:1|")
    perfect = corpus_translation_scores([ref], [[ref]])
    assert (perfect.bleu, perfect.chrf, perfect.ter) == pytest.approx((100.0, 100.0, 0.0))


def test_multi_reference_bleu_rises_with_a_matching_reference():
    hyps = ["le chat dort sur le tapis", "il pleut beaucoup"]
    ref1 = ["un chat dort sur la natte", "la pluie est forte"]
    ref2 = ["le chat dort sur le tapis", "il pleut beaucoup"]
    one = corpus_translation_scores(hyps, [ref1])
    two = corpus_translation_scores(hyps, [ref1, ref2])
    assert two.bleu > one.bleu and two.bleu == pytest.approx(100.0)
    assert two.chrf > one.chrf and two.ter < one.ter
    assert two.n_refs == 2 and two.signatures["bleu"].startswith("nrefs:2|")
    assert two.bleu == pytest.approx(BLEU().corpus_score(hyps, [ref1, ref2]).score)


def test_sentence_scores_match_sacrebleu_and_jiwer():
    rows = sentence_scores(["a", "b"], ["le chat dort", ""], [[REF, "bonjour"]])
    assert rows[0]["bleu"] == pytest.approx(
        BLEU(effective_order=True).sentence_score("le chat dort", [REF]).score
    )
    assert rows[0]["chrf"] == pytest.approx(CHRF().sentence_score("le chat dort", [REF]).score)
    assert rows[0]["wer"] == pytest.approx(50.0)  # 3 deletions over 6 words
    assert rows[1] == {"uttid": "b", "bleu": 0.0, "chrf": 0.0, "wer": 100.0, "cer": 100.0,
                       "hyp": "", "ref": "bonjour"}


def test_normalisation_switch(tmp_path):
    hyp = write(tmp_path / "hyp", ["u1 le chat dort sur l'eau"])
    ref = write(tmp_path / "ref", ["u1 Le chat, dort sur l’eau !"])
    normed, _ = score_st(hyp, [ref])
    raw, _ = score_st(hyp, [ref], TextNormalizer.disabled())
    assert normed["wer"] == 0.0 and normed["bleu"] == pytest.approx(100.0)
    assert raw["wer"] > 0 and raw["normalization"] == "none"


def test_mismatched_ids_in_any_reference(tmp_path):
    hyp = write(tmp_path / "hyp", ["u1 a", "u2 b"])
    ref = write(tmp_path / "ref", ["u1 a", "u2 b"])
    bad = write(tmp_path / "ref2", ["u1 a", "u3 b"])
    with pytest.raises(IdMismatchError, match=r"missing from .*ref2: 1 id: u2"):
        score_st(hyp, [ref, bad])
    with pytest.raises(IdMismatchError, match=r"extra in .*hyp: 1 id: u2"):
        score_st(hyp, [write(tmp_path / "ref3", ["u1 a"])])


# --------------------------------------------------------------------------- CLI


def test_score_st_cli_outputs(tmp_path, capsys):
    hyp = write(tmp_path / "hyp", ["u1 le chien dort sur tapis", "u2", "u3 il pleut"])
    ref = write(tmp_path / "ref", [f"u1 {REF.capitalize()}.", "u2 Bonjour !", "u3 Il pleut."])
    ref2 = write(tmp_path / "ref2", [f"u1 {REF}", "u2 salut", "u3 il pleut"])
    src_hyp = write(tmp_path / "src_hyp", ["u1 n be sunɔgɔ", "u2 i ni ce", "u3 sanji bɛ na"])
    src_ref = write(tmp_path / "src_ref", ["u1 N bɛ sunɔgɔ.", "u2 I ni ce", "u3 Sanji bɛ na"])
    out = tmp_path / "score"
    score_st_cli.main(["--hyp", str(hyp), "--ref", str(ref), "--ref", str(ref2),
                       "--src_hyp", str(src_hyp), "--src_ref", str(src_ref), "--outdir", str(out)])
    summary = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    # WER vs the first reference: 2 errors (u1) + 1 deletion (u2) over 6 + 1 + 2 words
    assert summary["wer"] == pytest.approx(100 * 3 / 9)
    assert summary["n_refs"] == 2 and summary["n_empty_hyps"] == 1
    assert summary["error_rate_reference"] == str(ref)
    assert summary["src"]["wer"] == pytest.approx(100 * 1 / 9)  # "n be" vs "n bɛ"
    for key in ("bleu", "chrf", "ter", "cer", "signatures", "normalization", "files", "per_utt"):
        assert key in summary
    rows = (out / "per_utt.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0].split("\t") == ["uttid", "bleu", "chrf", "wer", "cer", "hyp", "ref"]
    assert rows[2].split("\t")[:5] == ["u2", "0.00", "0.00", "100.00", "100.00"]
    assert len(rows) == 4
    md = (out / "scores.md").read_text(encoding="utf-8")
    assert "nrefs:2|" in md and "first reference" in md and "Source side" in md
    assert "BLEU" in capsys.readouterr().out
    assert not math.isnan(summary["bleu"])


def test_cli_text_norm_switch(tmp_path):
    hyp = write(tmp_path / "hyp", ["u1 le chat dort"])
    ref = write(tmp_path / "ref", ["u1 Le chat dort !"])
    for flag in ("true", "false"):
        score_st_cli.main(["--hyp", str(hyp), "--ref", str(ref), "--outdir", str(tmp_path / flag), "--text_norm", flag])
    normed, raw = (json.loads((tmp_path / f / "scores.json").read_text()) for f in ("true", "false"))
    assert normed["wer"] == 0.0 and raw["wer"] > 0 and raw["normalization"] == "none"


def test_result_txt_is_what_show_translation_result_reads(tmp_path):
    """score_bleu/result.<case>.txt as st.sh writes it: ESPnet's show_translation_result.sh
    takes the BLEU from line 5 and the verbose score from line 7 (its own sed, cut and tr)."""
    import subprocess

    hyp = write(tmp_path / "hyp", ["u1 le chien dort sur le tapis", "u2 il pleut fort"])
    ref = write(tmp_path / "ref", ["u1 le chien dort sur le tapis rouge", "u2 il pleut"])
    out = tmp_path / "exp/st_x/decode/test/score_bleu"
    score_st_cli.main(["--hyp", str(hyp), "--ref", str(ref), "--outdir", str(out), "--case", "lc.rm"])
    summary = json.loads((out / "scores.json").read_text())
    result = out / "result.lc.rm.txt"

    def show(line, fields):
        return subprocess.run(
            ["bash", "-c", f"sed -n '{line}p' \"$1\" | cut -d ' ' -f {fields} | tr -d '\",'", "_", str(result)],
            capture_output=True, text=True, check=True).stdout.strip()

    # The JSON after the header line is sacrebleu's own, one object per metric.
    entries = json.loads("".join(result.read_text().splitlines(keepends=True)[1:]))
    assert [e["name"] for e in entries] == ["BLEU", "chrF2", "TER"]
    assert float(show(5, "3")) == pytest.approx(summary["bleu"], abs=0.01) == entries[0]["score"]
    assert show(7, "3-") == entries[0]["verbose_score"].replace(",", "") and "BP = " in show(7, "3-")
    assert entries[0]["signature"] == summary["signatures"]["bleu"]


def test_mostly_empty_hypotheses_are_warned_about(tmp_path, caplog):
    hyp = write(tmp_path / "hyp", ["u1", "u2", "u3 il pleut"])
    ref = write(tmp_path / "ref", ["u1 le chien dort", "u2 bonjour", "u3 il pleut"])
    with caplog.at_level("WARNING"):
        score_st_cli.main(["--hyp", str(hyp), "--ref", str(ref), "--outdir", str(tmp_path / "s")])
    assert "2 of 3 hypotheses are empty" in caplog.text
    caplog.clear()
    hyp = write(tmp_path / "hyp2", ["u1 le chien", "u2", "u3 il pleut"])
    with caplog.at_level("WARNING"):
        score_st_cli.main(["--hyp", str(hyp), "--ref", str(ref), "--outdir", str(tmp_path / "s2")])
    assert "hypotheses are empty" not in caplog.text
