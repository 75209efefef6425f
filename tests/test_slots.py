"""utt2slots: the mini corpus's slot gold, written into each data directory and read by slot
recall without the corpus generator (semantic_eval --slots; --meaning renders the same)."""

import json

import pytest

from espnet_lau.bin import semantic_eval as semantic_eval_cli
from espnet_lau.data.kaldi_dir import Utterance, read_data_dir, write_data_dir
from espnet_lau.data.kaldi_table import KaldiDataDirError
from espnet_lau.data.mini.grammar import meaning_from_id, slots_from_meanings
from espnet_lau.data.slots import SLOTS_FILE, format_slots, parse_slots, read_slots
from espnet_lau.utils.cli import run_main

MEANINGS = {
    "u1": "market_buy:subj=musa,good=malo",
    "u2": "weather_rain:place=bamako,ftime=sini",
    "u3": "market_buy:subj=n,good=tulu",
}
HYPS = {
    "u1": "Moussa achète du mil au marché.",  # subj yes, good no
    "u2": "Il va pleuvoir à Bamako demain.",  # both
    "u3": "J'achète de l'huile au marché.",  # "je" elided: subj no; good yes
}


def _table(path, mapping):
    path.write_text("".join(f"{k} {v}\n" for k, v in sorted(mapping.items())), encoding="utf-8")
    return str(path)


def test_a_meanings_slots_are_its_french_renderings_without_the_pronoun():
    slots = meaning_from_id(MEANINGS["u1"]).slot_renderings()
    assert list(slots) == ["subj", "good"]
    assert slots["subj"] == ["Moussa"]  # not "il": it would match almost any sentence
    assert {"riz", "le riz", "du riz", "de riz"} <= set(slots["good"])
    assert len(slots["good"]) == len(set(slots["good"]))


def test_the_value_is_one_json_line_that_reads_back():
    slots = slots_from_meanings(MEANINGS)
    for utt_slots in slots.values():
        value = format_slots(utt_slots)
        assert "\n" not in value and value.startswith('{"')
        assert parse_slots(value) == utt_slots
    assert format_slots({"good": ["à l'huile"]}) == '{"good":["à l\'huile"]}'


@pytest.mark.parametrize("value, problem", [
    ("{not json", "not JSON"),
    ('["riz"]', "expected a JSON object of slots"),
    ("{}", "expected a JSON object of slots"),
    ('{"good":[]}', "slot 'good': expected a non-empty list of non-empty strings"),
    ('{"good":["riz",""]}', "slot 'good': expected a non-empty list of non-empty strings"),
    ('{"good":"riz"}', "slot 'good': expected a non-empty list of non-empty strings"),
])
def test_a_bad_line_is_named_with_its_file_line_and_utterance(tmp_path, value, problem):
    path = tmp_path / SLOTS_FILE
    path.write_text(f'u1 {{"good":["riz"]}}\nu2 {value}\n', encoding="utf-8")
    with pytest.raises(KaldiDataDirError, match=rf"^{path}:2: utterance 'u2': {problem}"):
        read_slots(path)


def test_utt2slots_passes_through_a_data_directory_unchanged(tmp_path):
    """The dump stages read and rewrite every table: the JSON values survive."""
    values = {u: format_slots(s) for u, s in slots_from_meanings(MEANINGS).items()}
    utts = [Utterance(f"spk-{u}", f"/x/{u}.wav", "spk", {SLOTS_FILE: v}) for u, v in values.items()]
    write_data_dir(tmp_path / "d", utts)
    back = {u.uttid: u.fields[SLOTS_FILE] for u in read_data_dir(tmp_path / "d")}
    assert back == {f"spk-{u}": v for u, v in values.items()}
    assert read_slots(tmp_path / "d" / SLOTS_FILE) == {f"spk-{u}": s for u, s in slots_from_meanings(MEANINGS).items()}


def _slot_recall_through_the_cli(tmp_path, name, *gold):
    out = tmp_path / name
    semantic_eval_cli.main([
        "--hyp", _table(tmp_path / "hyp", HYPS), "--ref", _table(tmp_path / "ref", HYPS),
        *gold, "--combination", _table(tmp_path / "comb", {"u1": "seen", "u2": "unseen", "u3": "unseen"}),
        "--teacher", "none", "--measures", "slots", "--outdir", str(out),
    ])
    return json.loads((out / "semantic_eval.json").read_text(encoding="utf-8"))


def test_slot_recall_reads_utt2slots_and_utt2meaning_gives_the_same(tmp_path):
    slots_file = _table(tmp_path / SLOTS_FILE, {u: format_slots(s) for u, s in slots_from_meanings(MEANINGS).items()})
    by_slots = _slot_recall_through_the_cli(tmp_path, "slots", "--slots", slots_file)
    by_meaning = _slot_recall_through_the_cli(tmp_path, "meaning", "--meaning", _table(tmp_path / "utt2meaning", MEANINGS))
    assert by_slots["slots"]["status"] == "ok"
    assert (by_slots["slots"]["n_slots"], by_slots["slots"]["n_found"]) == (6, 4)
    assert by_slots["slots"]["by_combination"]["seen"]["n_found"] == 1
    assert by_slots["slots"] == by_meaning["slots"]
    assert by_slots["files"]["slots"] == slots_file and by_meaning["files"]["slots"] is None


def test_slots_and_meaning_together_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        _slot_recall_through_the_cli(tmp_path, "both", "--slots", "a", "--meaning", "b")
    assert exit_.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("option, content, message", [
    ("--slots", "u1 riz\n", "{path}:1: utterance 'u1': not JSON"),
    ("--meaning", "u1 nonsense\n", "utterance 'u1': 'nonsense' is not a mini-corpus meaning id"),
])
def test_a_bad_gold_file_is_one_line_and_exit_1(tmp_path, capsys, option, content, message):
    path = tmp_path / "gold"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        run_main(lambda: _slot_recall_through_the_cli(tmp_path, "bad", option, str(path)), prog="semantic_eval")
    err = capsys.readouterr().err
    assert exit_.value.code == 1 and "Traceback" not in err
    assert err.startswith(f"semantic_eval: error: {message.format(path=path)}") and err.count("\n") == 1
