"""Recipe stages 2-5 as units: speed perturbation, formatting, filtering, BPE, trivial system."""

import re

import numpy as np
import pytest
import soundfile

from espnet_lau.bin.most_frequent_baseline import most_frequent_hypotheses
from espnet_lau.bin.prepare_dump import main as prepare_dump
from espnet_lau.bin.speed_perturb import main as speed_perturb_main
from espnet_lau.bin.train_bpe import main as train_bpe_main, train_bpe
from espnet_lau.data.datadir_check import check_disjoint_sets
from espnet_lau.data.dump import derive_case_files, filter_data_dir, format_data_dir
from espnet_lau.data.kaldi_dir import Utterance, read_data_dir, write_data_dir
from espnet_lau.data.kaldi_table import KaldiDataDirError, read_table


def tone(path, seconds, rate=16000, channels=1):
    t = np.arange(int(seconds * rate)) / rate
    wave = 0.3 * np.sin(2 * np.pi * 220 * t)
    soundfile.write(path, np.stack([wave] * channels, axis=1) if channels > 1 else wave, rate,
                    subtype="PCM_16")
    return str(path)


@pytest.fixture
def data_dir(tmp_path):
    wavs = tmp_path / "wavs"
    wavs.mkdir()
    utts = [
        Utterance("spk1-a", tone(wavs / "a.wav", 1.0), "spk1",
                  {"text.tc.fr": "L’eau, c'est la vie !", "text.tc.fr.ref2": "L'EAU EST LA VIE.", "text.tc.bam": "ji ye ɲɛnamaya ye"}),
        Utterance("spk1-b", tone(wavs / "b.wav", 0.5, rate=22050, channels=2), "spk1",
                  {"text.tc.fr": "Peut-être demain…", "text.tc.fr.ref2": "demain peut-être", "text.tc.bam": "sini"}),
        Utterance("spk2-c", tone(wavs / "c.wav", 3.0), "spk2",
                  {"text.tc.fr": "Bonjour", "text.tc.fr.ref2": "salut", "text.tc.bam": "i ni ce"}),
    ]
    src = tmp_path / "data/train"
    write_data_dir(src, utts)
    return src


LANGS = [("bam", "tc"), ("fr", "lc.rm")]


def test_format_converts_audio_and_names_texts_as_espnet(data_dir, tmp_path):
    dst = tmp_path / "dump/org/train"
    assert format_data_dir(data_dir, dst, LANGS, nj=2) == 3
    text, ref2 = read_table(dst / "text.lc.rm.fr"), read_table(dst / "text.lc.rm.fr.ref2")
    bam = read_table(dst / "text.tc.bam")
    assert text["spk1-a"] == "l'eau c'est la vie" and ref2["spk1-a"] == "l'eau est la vie"
    assert text["spk1-b"] == "peut-être demain"
    assert bam["spk1-a"] == "ji ye ɲɛnamaya ye"  # the source transcript is left alone (tc)
    assert read_table(dst / "text.tc.fr")["spk1-a"] == "L’eau, c'est la vie !"  # the original is kept
    wavs = read_table(dst / "wav.scp")
    info = soundfile.info(wavs["spk1-b"])
    assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
    assert wavs["spk1-a"] == str((data_dir.parent.parent / "wavs/a.wav").resolve())  # not copied
    assert read_table(dst / "utt2num_samples") == {"spk1-a": "16000", "spk1-b": "8000", "spk2-c": "48000"}


def test_a_case_is_made_from_the_most_cased_text_and_never_invented():
    fields = {"text.tc.de": "Guten Tag!", "text.lc.rm.de": "guten tag", "text.lc.rm.de.ref2": "hallo"}
    assert derive_case_files(fields, "de", "lc.rm") == {"text.lc.rm.de": "guten tag", "text.lc.rm.de.ref2": "hallo"}
    assert derive_case_files({"text.tc.de": "Guten Tag!"}, "de", "lc") == {"text.lc.de": "guten tag!"}
    with pytest.raises(KaldiDataDirError, match="text.lc.de.ref2 cannot be made from text.lc.rm.de.ref2"):
        derive_case_files(fields, "de", "lc")
    assert derive_case_files(fields, "fr", "lc.rm") == {}


def test_filter_drops_by_duration_and_says_why(data_dir, tmp_path, caplog):
    org = tmp_path / "dump/org/train"
    format_data_dir(data_dir, org, LANGS)
    with caplog.at_level("INFO"):
        kept = filter_data_dir(org, tmp_path / "dump/train", min_duration=0.6, max_duration=2.0)
    assert kept == 1 and [u.uttid for u in read_data_dir(tmp_path / "dump/train")] == ["spk1-a"]
    assert "dropped 1 utterance(s): shorter than 0.6 s" in caplog.text
    assert "dropped 1 utterance(s): longer than 2.0 s" in caplog.text
    with pytest.raises(KaldiDataDirError, match="every utterance was filtered out"):
        filter_data_dir(org, tmp_path / "dump/none", min_duration=10)


def test_filter_needs_stage_3(data_dir, tmp_path):
    with pytest.raises(KaldiDataDirError, match="no utt2num_samples: run stage 3"):
        filter_data_dir(data_dir, tmp_path / "out")


def test_unreadable_audio_names_the_utterance(data_dir, tmp_path):
    bad = read_table(data_dir / "wav.scp")["spk2-c"]
    with open(bad, "wb") as f:
        f.write(b"not audio at all")
    with pytest.raises(KaldiDataDirError, match="utterance 'spk2-c': cannot read .*c.wav"):
        format_data_dir(data_dir, tmp_path / "out", LANGS)
    assert not (tmp_path / "out/wav.scp").exists()


def test_speed_perturbation(data_dir, tmp_path):
    dst = tmp_path / "data/train_sp"
    speed_perturb_main(["--src", str(data_dir), "--dst", str(dst), "--factors", "0.9", "1.0", "1.1", "--nj", "2"])
    assert len(read_table(dst / "wav.scp")) == 9
    wavs = read_table(dst / "wav.scp")
    assert soundfile.info(wavs["sp1.1-spk2-c"]).frames == pytest.approx(48000 / 1.1, rel=0.01)
    assert read_table(dst / "utt2spk")["sp0.9-spk1-a"] == "sp0.9-spk1"
    assert read_table(dst / "text.tc.fr")["sp0.9-spk1-a"] == read_table(data_dir / "text.tc.fr")["spk1-a"]


def test_bpe_token_list_layout(tmp_path):
    text = tmp_path / "text"
    text.write_text("".join(f"u{i:03d} le riz coûte {i} francs au marché\n" for i in range(50)))
    with pytest.raises(ValueError, match="cannot train 10 pieces.*raise the BPE size"):
        train_bpe(text, tmp_path / "small/bpe", vocab_size=10)
    tokens = train_bpe(text, tmp_path / "bpe/bpe", vocab_size=40).read_text().split("\n")[:-1]
    assert tokens[:2] == ["<blank>", "<unk>"] and tokens[-1] == "<sos/eos>"
    assert len(tokens) == len(set(tokens)) and (tmp_path / "bpe/bpe.model").is_file()


def test_most_frequent_baseline(tmp_path):
    (tmp_path / "train").write_text("a1 bonjour\na2 merci\na3 bonjour\n")
    (tmp_path / "test").write_text("t1 x\nt2 y\n")
    assert most_frequent_hypotheses(tmp_path / "train", tmp_path / "test") == {"t1": "bonjour", "t2": "bonjour"}


def test_a_replaced_recording_is_converted_again(data_dir, tmp_path):
    """Stage 3 used to keep an earlier converted wav whatever happened to its source."""
    import os

    dst = tmp_path / "dump/org/train"
    format_data_dir(data_dir, dst, LANGS)
    converted = read_table(dst / "wav.scp")["spk1-b"]  # 22.05 kHz stereo: converted
    first = soundfile.read(converted)[0]
    mtime = os.stat(converted).st_mtime_ns
    format_data_dir(data_dir, dst, LANGS)  # unchanged source: not converted again
    assert os.stat(converted).st_mtime_ns == mtime
    source = str(tmp_path / "wavs/b.wav")
    soundfile.write(source, np.full((11025, 2), 0.25, dtype=np.float32), 22050)  # replaced
    format_data_dir(data_dir, dst, LANGS)
    second = soundfile.read(converted)[0]
    assert len(second) == 8000 and not np.allclose(first[:100], second[:100])


def test_a_truncated_wav_is_named_when_read_and_when_dropped(data_dir, tmp_path, caplog):
    wav = read_table(data_dir / "wav.scp")["spk2-c"]
    data = open(wav, "rb").read()
    open(wav, "wb").write(data[: len(data) // 60])  # 3 s announced, 0.05 s left
    org = tmp_path / "dump/org/train"
    with caplog.at_level("INFO"):
        format_data_dir(data_dir, org, LANGS)
        filter_data_dir(org, tmp_path / "dump/train", min_duration=0.1)
    assert f"utterance 'spk2-c': {wav} is truncated: its header announces 3.00 s, the file holds 0.05 s" in caplog.text
    assert "dropped 1 utterance(s): shorter than 0.1 s: spk2-c" in caplog.text


def test_a_punctuation_only_transcript_names_its_input_file_and_line(data_dir, tmp_path):
    text = data_dir / "text.tc.fr"
    text.write_text(text.read_text().replace("Peut-être demain…", "… !"))
    with pytest.raises(KaldiDataDirError, match=rf"^{text}:2: utterance 'spk1-b': '… !' is empty once "
                                                r"normalised into text.lc.rm.fr: give it words"):
        format_data_dir(data_dir, tmp_path / "dump/org/train", LANGS)


def test_ids_in_a_text_but_not_in_wav_scp_are_named_in_one_line(data_dir, caplog):
    text = data_dir / "text.tc.fr"
    text.write_text(text.read_text() + "spk3-x un\nspk3-y deux\n")
    with caplog.at_level("WARNING"):
        assert len(read_data_dir(data_dir)) == 3
    assert f"{text}: 2 utterance(s) not in wav.scp are left out: spk3-x, spk3-y" in caplog.text


def test_sets_sharing_an_utterance_or_a_recording_are_refused(data_dir, tmp_path, capsys):
    utts = read_data_dir(data_dir)
    test = tmp_path / "data/test"
    write_data_dir(test, [Utterance("spk9-z", tone(tmp_path / "z.wav", 0.5), "spk9", {"text.tc.fr": "z"})])
    check_disjoint_sets([data_dir, test])  # disjoint: nothing said
    write_data_dir(test, [Utterance("spk1-a", tone(tmp_path / "z.wav", 0.5), "spk1", {"text.tc.fr": "z"})])
    with pytest.raises(SystemExit):
        prepare_dump(["disjoint", str(data_dir), str(test)])
    assert capsys.readouterr().err == (
        f"prepare_dump disjoint: error: {data_dir}/wav.scp and {test}/wav.scp share 1 utterance id(s), "
        "e.g. spk1-a: sets must be disjoint; remove them from one of the sets\n")
    copy = Utterance("spk9-a", utts[0].wav, "spk9", {"text.tc.fr": "z"})  # the same audio, renamed
    write_data_dir(test, [copy])
    with pytest.raises(KaldiDataDirError, match=rf"share 1 recording\(s\), e.g. {utts[0].wav} \(spk1-a and spk9-a\)"):
        check_disjoint_sets([data_dir, test])


def test_filter_through_main_with_string_paths_names_the_dropped(data_dir, tmp_path, caplog):
    """``prepare_dump filter`` (stage 4) crashed on the first utterance it dropped: the
    recipe passes strings, and ``src.name`` was taken of a str."""
    org = tmp_path / "dump/org/train"
    prepare_dump(["format", "--src", str(data_dir), "--dst", str(org)])
    dst = tmp_path / "dump/train"
    with caplog.at_level("INFO"):
        prepare_dump(["filter", "--src", str(org), "--dst", str(dst), "--max_duration", "0.5"])
    assert "train: dropped 2 utterance(s): longer than 0.5 s: spk1-a, spk2-c" in caplog.text
    assert [u.uttid for u in read_data_dir(dst)] == ["spk1-b"]


def test_format_without_langs_makes_the_default_texts(data_dir, tmp_path):
    """The default ``--langs`` was a list of raw strings (argparse does not pass a list
    default through ``type=``), and unpacking ``"bam:tc"`` crashed."""
    dst = tmp_path / "dump/org/train"
    prepare_dump(["format", "--src", str(data_dir), "--dst", str(dst)])
    assert read_table(dst / "text.lc.rm.fr")["spk1-a"] == "l'eau c'est la vie"
    assert read_table(dst / "text.tc.bam")["spk1-a"] == "ji ye ɲɛnamaya ye"


def test_a_bpe_size_the_text_cannot_hold_or_fill_is_one_line(tmp_path, capsys, caplog):
    """sentencepiece's C++ assertion (a traceback from the shell) becomes one line with the
    size that works; a size the text cannot fill gives fewer pieces and says so."""
    text = tmp_path / "text"
    text.write_text("".join(f"u{i:03d} le riz coûte {i} francs au marché\n" for i in range(50)))
    with pytest.raises(SystemExit) as exc:
        train_bpe_main(["--text", str(text), "--model_prefix", str(tmp_path / "small/bpe"), "--vocab_size", "10"])
    assert exc.value.code == 1
    assert capsys.readouterr().err == (
        f"train_bpe: error: {text}: sentencepiece cannot train 10 pieces: a vocabulary must hold every "
        "character of the text, which needs at least 31 (its characters plus <unk>, <s>, </s>): raise the "
        "BPE size (--src_nbpe / --tgt_nbpe)\n")
    with caplog.at_level("WARNING"):
        train_bpe_main(["--text", str(text), "--model_prefix", str(tmp_path / "big/bpe"), "--vocab_size", "5000",
                        "--model_type", "bpe"])
    assert re.search(rf"{text}: the text gives 1\d\d pieces, not the 5000 asked", caplog.text)


def test_filter_warns_naming_the_longest_utterances_it_drops(data_dir, tmp_path, caplog):
    """A test set losing its long clips measures something else: the longest are named."""
    org = tmp_path / "dump/org/test"
    prepare_dump(["format", "--src", str(data_dir), "--dst", str(org)])
    with caplog.at_level("WARNING"):
        prepare_dump(["filter", "--src", str(org), "--dst", str(tmp_path / "dump/test"), "--min_duration", "0",
                      "--max_duration", "0.6"])
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["test: 2 utterance(s) longer than 0.6 s are dropped: spk2-c (3.0 s), spk1-a (1.0 s); "
                        "raise --max_wav_duration (prepare_dump --max_duration) to keep them"]


def test_a_test_set_kept_whole_names_its_utterances_above_the_training_limit(data_dir, tmp_path, caplog):
    """Stage 4 keeps every test utterance (max 1e9) and names those above --max_wav_duration."""
    org = tmp_path / "dump/org/test"
    prepare_dump(["format", "--src", str(data_dir), "--dst", str(org)])
    with caplog.at_level("WARNING"):
        prepare_dump(["filter", "--src", str(org), "--dst", str(tmp_path / "dump/test"), "--min_duration", "0",
                      "--max_duration", "1e9", "--max_target_chars", "1000000", "--warn_above", "0.6"])
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and warnings[0].startswith(
        "test: 2 utterance(s) longer than --max_wav_duration 0.6 s are kept (a test set is scored whole): "
        "spk2-c (3.0 s), spk1-a (1.0 s); decoding needs")
    assert len(read_table(tmp_path / "dump/test/wav.scp")) == len(read_table(org / "wav.scp"))
