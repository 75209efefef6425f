"""The recipe as an ESPnet user expects it (issue 13): no stale reuse, names that record
what makes outputs incompatible, logs kept on resume, file modes, a loadable upload, a
must_c-style data directory, and a plain run that writes nothing outside data/ dump/ exp/."""

import json
import shutil
import socket
import stat
import zipfile

import pytest
import yaml

from recipe_helpers import (
    DEBUG, INFERENCE_TAG, RECIPE, ST_EXP, ST_STATS, TGT_BPE, make_recipe_copy, run_recipe,
)

from espnet_lau.data.kaldi_table import read_table


@pytest.fixture
def copy(recipe, tmp_path):
    """A writable copy of the finished tiny recipe."""
    dst = tmp_path / "st1"
    shutil.copytree(recipe, dst, symlinks=True)
    for marker in dst.glob("*/.made_in"):  # reusing the original's files on purpose
        marker.unlink()
    return dst


@pytest.mark.slow
def test_an_edited_config_is_refused_not_silently_resumed(copy):
    edited = copy / "edited.yaml"
    config = yaml.safe_load((copy / "conf/tuning/train_st_lau_debug.yaml").read_text())
    config["semantic_head_conf"]["pooling"] = "max"
    edited.write_text(yaml.safe_dump(config))
    before = (copy / ST_EXP / "valid.acc.ave.pth").read_bytes()
    proc = run_recipe(copy, *DEBUG, "--stage", "11", "--stop_stage", "11", "--st_config", "edited.yaml",
                      "--st_exp", ST_EXP, check=False)
    assert proc.returncode != 0
    assert f"{ST_EXP} was made from other inputs: config changed since" in proc.stderr
    assert "Remove" in proc.stderr and "--st_exp" in proc.stderr
    assert (copy / ST_EXP / "valid.acc.ave.pth").read_bytes() == before  # nothing touched


@pytest.mark.slow
def test_a_new_token_list_gives_new_statistics_and_experiment_names(copy):
    log = run_recipe(copy, *DEBUG, "--stage", "15", "--stop_stage", "15", "--tgt_nbpe", "50").stdout
    assert "st_stats_dir=exp/st_stats_raw_bam_fr_bpe50 " in log
    assert "st_exp=exp/st_train_st_lau_debug_raw_bam_fr_bpe_lc.rm50 " in log
    log = run_recipe(copy, *DEBUG, "--stage", "15", "--stop_stage", "15", "--speed_perturb_factors", "0.9 1.0").stdout
    assert "st_stats_dir=exp/st_stats_raw_bam_fr_bpe60_sp " in log and "_lc.rm60_sp " in log
    # Forced into the old statistics folder, another token list is refused, not reused.
    run_recipe(copy, *DEBUG, "--stage", "5", "--stop_stage", "5", "--tgt_nbpe", "50")
    before = (copy / ST_STATS / "train/feats_stats.npz").read_bytes()
    proc = run_recipe(copy, *DEBUG, "--stage", "10", "--stop_stage", "10", "--st_stats_dir", ST_STATS,
                      "--tgt_nbpe", "50", check=False)
    assert proc.returncode != 0
    assert f"{ST_STATS} was made from other inputs: token list changed since" in proc.stderr
    assert (copy / ST_STATS / "train/feats_stats.npz").read_bytes() == before


@pytest.mark.slow
def test_a_resumed_training_keeps_the_log_of_its_earlier_epochs(copy):
    log_file = copy / ST_EXP / "train.log"
    first = log_file.read_text()
    assert "1epoch results" in first
    run_recipe(copy, *DEBUG, "--stage", "11", "--stop_stage", "11")
    after = log_file.read_text()
    assert after.startswith(first) and f"resumed from {ST_EXP}/checkpoint.pth" in after


@pytest.mark.slow
def test_outputs_and_zip_entries_are_readable_per_the_umask(recipe):
    # The tests run under the usual umask 022: files 0644.
    for rel in ("dump/raw/train/text.lc.rm.fr", f"{ST_EXP}/export/valid.acc.ave/model.pth", f"{ST_EXP}/RESULTS.md"):
        assert stat.S_IMODE((recipe / rel).stat().st_mode) & 0o044 == 0o044, rel
    packed = next((recipe / ST_EXP).glob("*.zip"))
    with zipfile.ZipFile(packed) as z:
        for info in z.infolist():
            assert (info.external_attr >> 16) & 0o044 == 0o044, info.filename


@pytest.mark.slow
def test_the_upload_folder_loads_and_decodes_offline(recipe, tmp_path, monkeypatch, capsys):
    """Stage 16's folder, exactly as uploaded, through Speech2Text.from_pretrained."""
    import soundfile
    from espnet2.bin.st_inference import Speech2Text
    from espnet_model_zoo.downloader import ModelDownloader

    from espnet_lau.bin import upload_hf

    packed = next((recipe / ST_EXP).glob("*.zip"))
    folder = upload_hf.main(["--zip", str(packed), "--repo", "someone/lau-test", "--folder",
                             str(tmp_path / "hf_upload"), "--st_exp", str(recipe / ST_EXP),
                             "--prepare_only", "true", "--license", "apache-2.0", "--synthetic", "true"])
    assert (folder / "meta.yaml").is_file() and (folder / "lau_config.yaml").is_file()
    card = (folder / "README.md").read_text()
    assert "LAU" in card and 'Speech2Text.from_pretrained("someone/lau-test")' in card and "|BLEU|" in card
    assert "license: apache-2.0" in card and "**Synthetic data.**" in card
    # Every image the card's results show is in the folder that is uploaded.
    import re

    images = re.findall(r"\]\((plots/[\w.-]+\.png)\)", card)
    assert images and all((folder / image).is_file() for image in images)
    with socket.socket() as probe:  # a port nothing listens on: the package's one hub probe says so
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    with pytest.raises(SystemExit) as exit_info:
        upload_hf.main(["--zip", str(packed), "--repo", "someone/lau-test", "--folder", str(tmp_path / "hf_upload")])
    assert exit_info.value.code == 1 and "the Hugging Face hub is not reachable" in capsys.readouterr().err
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub_copy = tmp_path / "hub_snapshot"  # what snapshot_download would give back
    shutil.copytree(folder, hub_copy)
    monkeypatch.setattr(ModelDownloader, "huggingface_download", lambda self, name=None, **kw: str(hub_copy))
    speech2text = Speech2Text.from_pretrained("someone/lau-test", **yaml.safe_load(
        (RECIPE / "conf/tuning/decode_st_debug.yaml").read_text()))
    wavs = dict(line.split(maxsplit=1) for line in (recipe / "dump/raw/test/wav.scp").read_text().splitlines())
    hyps = dict(line.split(maxsplit=1) if " " in line else (line, "")
                for line in (recipe / ST_EXP / INFERENCE_TAG / "test/text").read_text().splitlines())
    for uttid in sorted(wavs)[:2]:
        speech, _ = soundfile.read(wavs[uttid].strip())
        assert " ".join(speech2text(speech)[0][0].split()) == hyps[uttid].strip()


@pytest.mark.slow
def test_a_plain_run_writes_only_under_data_dump_exp(recipe):
    scripts = {p.relative_to(RECIPE) for p in RECIPE.rglob("*") if p.is_file() or p.is_symlink()}
    for path in recipe.rglob("*"):
        rel = path.relative_to(recipe)
        if rel.parts[0] in ("data", "dump", "exp") or rel.name == "run.log":
            continue
        if path.is_file() and not path.is_symlink():
            assert rel in scripts, f"the recipe wrote {rel} outside data/ dump/ exp/"


def must_c_style_audio(src, dst, audio):
    """wav.scp and segments as must_c's data_prep writes them: recordings (here two
    utterances' audio, concatenated by sox) read through `cat <wav> |`, cut by segments."""
    import subprocess

    import soundfile

    wavs = [line.split(maxsplit=1) for line in (src / "wav.scp").read_text().splitlines()]
    scp, segments = [], []
    for i in range(0, len(wavs), 2):
        pair = wavs[i:i + 2]
        recording = f"rec{i // 2:03d}"
        out = audio / f"{dst.name}_{recording}.wav"
        subprocess.run(["sox", *[w for _, w in pair], str(out)], check=True)
        scp.append(f"{recording} cat {out} |")
        start = 0.0
        for uttid, wav in pair:
            end = start + soundfile.info(wav).frames / 16000
            segments.append(f"{uttid} {recording} {start:.6f} {end:.6f}")
            start = end
    (dst / "wav.scp").write_text("\n".join(scp) + "\n")
    (dst / "segments").write_text("\n".join(sorted(segments)) + "\n")


@pytest.mark.slow
def test_a_must_c_style_data_directory_runs_through_stages_2_to_13(recipe, tmp_path):
    """ESPnet's ST data directories as must_c's data_prep.sh writes them: text.tc.<lang>,
    text.lc.rm.<lang> (here en -> de), and wav.scp commands (`cat x.wav |`) with segments."""
    st1 = make_recipe_copy(tmp_path)
    audio = tmp_path / "must_c_audio"
    audio.mkdir()
    for dset in ("train", "dev", "test"):
        src, dst = recipe / "data" / dset, st1 / "data" / dset
        dst.mkdir(parents=True)
        must_c_style_audio(src, dst, audio)
        for name in ("utt2spk", "spk2utt"):
            shutil.copy(src / name, dst / name)
        shutil.copy(src / "text.tc.bam", dst / "text.tc.en")
        french = (src / "text.tc.fr").read_text()
        (dst / "text.tc.de").write_text(french)
        (dst / "text.lc.rm.de").write_text((recipe / "dump/raw" / dset / "text.lc.rm.fr").read_text())
    proc = run_recipe(st1, *DEBUG, "--stage", "2", "--stop_stage", "13", "--src_lang", "en", "--tgt_lang", "de",
                      "--score_most_frequent", "false")
    exp = "exp/st_train_st_lau_debug_raw_en_de_bpe_lc.rm60"
    scores = json.loads((st1 / exp / INFERENCE_TAG / "test/score_bleu/scores.json").read_text())
    assert scores["n_refs"] == 1 and 0 <= scores["bleu"] <= 100
    assert (st1 / "dump/raw/train/text.lc.rm.de").read_text() == (recipe / "dump/raw/train/text.lc.rm.fr").read_text()
    assert "Stage 13:" in proc.stdout and (st1 / exp / "RESULTS.md").is_file()
    assert (st1 / "data/token_list" / TGT_BPE.split("/")[-1] / "tokens.txt").is_file()
    # The cut utterances are the original audio, sample for sample.
    import soundfile

    for uttid, wav in (line.split(maxsplit=1) for line in (recipe / "dump/raw/test/wav.scp").read_text().splitlines()):
        cut = read_table(st1 / "dump/raw/test/wav.scp")[uttid]
        assert (soundfile.read(cut)[0] == soundfile.read(wav)[0]).all(), uttid
