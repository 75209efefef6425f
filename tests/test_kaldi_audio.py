"""Kaldi data directories as ESPnet's own preparations write them (must_c: `cat x.wav |`
entries and a `segments` file; fisher_callhome: a converting pipe), through stage 3's
command line: one 16 kHz mono wav per utterance, cut where the segments say."""

import subprocess

import numpy as np
import pytest
import soundfile

from espnet_lau.bin.prepare_dump import main as prepare_dump
from espnet_lau.data.kaldi_table import read_table


def speak(path, text, rate=22050):
    """A real recording: espeak-ng speech, resampled by sox to ``rate``, two channels."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "fr", "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), "-r", str(rate), "-c", "2", str(path)], check=True)
    raw.unlink()
    return soundfile.info(str(path)).duration


def must_c_style_dir(root, pipe_template="cat {} |", suffix=".wav"):
    """Two talks, three utterances cut from them by `segments`, wav.scp holding commands."""
    audio, data = root / "audio", root / "data/train"
    audio.mkdir(parents=True)
    data.mkdir(parents=True)
    durations = {}
    for talk, text in [("ted_1", "bonjour à tous et merci d'être venus ce soir"),
                       ("ted_2", "la science avance pas à pas")]:
        wav = audio / f"{talk}.wav"
        durations[talk] = speak(wav, text)
        if suffix != ".wav":
            subprocess.run(["sox", str(wav), str(wav.with_suffix(suffix))], check=True)
            wav.unlink()
    (data / "wav.scp").write_text("".join(
        f"{talk} {pipe_template.format(audio / (talk + suffix))}\n" for talk in ("ted_1", "ted_2")))
    segments = [("spk1-ted_1-a", "ted_1", 0.0, 1.0), ("spk1-ted_1-b", "ted_1", 1.0, round(durations["ted_1"] - 0.05, 2)),
                ("spk2-ted_2-a", "ted_2", 0.2, 1.2)]
    (data / "segments").write_text("".join(f"{u} {r} {s:.2f} {e:.2f}\n" for u, r, s, e in segments))
    (data / "utt2spk").write_text("".join(f"{u} {u.split('-')[0]}\n" for u, *_ in segments))
    (data / "spk2utt").write_text("spk1 spk1-ted_1-a spk1-ted_1-b\nspk2 spk2-ted_2-a\n")
    (data / "text.tc.en").write_text("".join(f"{u} Hello, there number {i}.\n" for i, (u, *_) in enumerate(segments)))
    (data / "text.tc.de").write_text("".join(f"{u} Hallo, Nummer {i}!\n" for i, (u, *_) in enumerate(segments)))
    return data, segments


def test_a_must_c_style_dir_with_cat_pipes_and_segments_is_cut_per_utterance(tmp_path):
    data, segments = must_c_style_dir(tmp_path)
    dst = tmp_path / "dump/raw/org/train"
    prepare_dump(["format", "--src", str(data), "--dst", str(dst), "--langs", "en:tc", "de:lc.rm"])
    wavs, samples = read_table(dst / "wav.scp"), read_table(dst / "utt2num_samples")
    assert sorted(wavs) == sorted(u for u, *_ in segments)
    for uttid, _, start, end in segments:
        info = soundfile.info(wavs[uttid])
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
        assert info.frames == int(samples[uttid]) == pytest.approx((end - start) * 16000, abs=2)
    assert read_table(dst / "text.lc.rm.de")["spk2-ted_2-a"] == "hallo nummer 2"
    # The cut is the recording's own samples: compare with the talk read directly.
    talk, rate = soundfile.read(str(tmp_path / "audio/ted_2.wav"))
    direct = talk.mean(axis=1)[int(0.2 * rate):int(1.2 * rate)]
    cut, _ = soundfile.read(wavs["spk2-ted_2-a"])
    assert np.corrcoef(np.interp(np.linspace(0, 1, len(cut)), np.linspace(0, 1, len(direct)), direct), cut)[0, 1] > 0.95


def test_a_fisher_style_converting_pipe_is_read(tmp_path):
    """fisher_callhome pipes sph2pipe; a pipe through sox from FLAC is the same shape."""
    data, segments = must_c_style_dir(tmp_path, "sox {} -t wav - |", ".flac")
    dst = tmp_path / "dump/raw/org/train"
    prepare_dump(["format", "--src", str(data), "--dst", str(dst), "--langs", "en:tc"])
    assert len(read_table(dst / "wav.scp")) == len(segments)


def test_a_failing_command_or_a_segment_outside_its_recording_is_one_line(tmp_path, capsys):
    data, _ = must_c_style_dir(tmp_path)
    wav_scp = (data / "wav.scp").read_text()
    (data / "wav.scp").write_text(wav_scp.replace("cat ", "cat /nonexistent/", 1))
    with pytest.raises(SystemExit) as exc:
        prepare_dump(["format", "--src", str(data), "--dst", str(tmp_path / "out1"), "--langs", "en:tc"])
    err = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert exc.value.code == 1 and len(err) == 1
    assert "wav.scp: recording 'ted_1': cannot read 'cat /nonexistent/" in err[0]
    assert "the command exited with status 1: cat: /nonexistent/" in err[0]
    (data / "wav.scp").write_text(wav_scp)
    (data / "segments").write_text((data / "segments").read_text().replace("0.20 1.20", "30.00 31.00"))
    with pytest.raises(SystemExit):
        prepare_dump(["format", "--src", str(data), "--dst", str(tmp_path / "out2"), "--langs", "en:tc"])
    err = capsys.readouterr().err
    assert "segments:3: utterance 'spk2-ted_2-a': segment 30-31 s lies outside recording 'ted_2'" in err
