"""bench/data_scale.py: the stages' growth with the corpus, in a reduced form (2 tiny scales,
debug configs, the session recipe's model for decoding), and its arithmetic."""

import json
import math

import pytest
from recipe_helpers import DEBUG, ST_EXP

from bench import data_scale


def test_growth_and_projection_arithmetic():
    scales = [{"train_utterances": n, "test_utterances": 150, "mean_seconds": data_scale.JELI_MEAN_SECONDS / 2,
               "stages": {"4": {"seconds": 1e-4 * n ** 2}, "12": {"seconds": 15.0}}} for n in (100, 400, 1600)]
    assert data_scale.growth(scales, "4") == pytest.approx(2.0)
    assert data_scale.projection(scales, "4", 2.0) == pytest.approx(1e-4 * 32180 ** 2)  # not audio-bound
    assert data_scale.projection(scales, "4", 0.5) == pytest.approx(1e-4 * 1600 ** 2 * 32180 / 1600)  # at least linear
    assert data_scale.projection(scales, "12", None) == pytest.approx(15.0 * 1463 / 150 * 2)  # per utt., 2x longer
    assert data_scale.growth(scales[:1], "4") is None


def test_reduced_run_measures_every_stage_at_every_scale(recipe, tmp_path, capsys):
    report = data_scale.main([
        "--scales", "1", "2", "--base_train", "16", "--mini_size", "tiny", "--nj", "1",
        "--model_dir", str(recipe / ST_EXP), "--workdir", str(tmp_path / "work"), "--out_dir", str(tmp_path),
        "--plot", str(tmp_path / "scale.png"), "--jeli_clips", "20", "--recipe_args", *DEBUG[2:]])
    saved = json.loads((tmp_path / "data_scale.json").read_text())
    assert saved["scales"].keys() == {"x1", "x2"} and saved == json.loads(json.dumps(report))
    assert [saved["scales"][k]["train_utterances"] for k in ("x1", "x2")] == [16, 32]
    for scale in saved["scales"].values():
        assert set(scale["stages"]) == {str(s) for s in data_scale.STAGES}
        assert all(m["seconds"] > 0 and m["peak_rss_mib"] > 10 for m in scale["stages"].values())
    assert all(math.isfinite(b) for b in saved["growth"].values())
    assert set(saved["jeli_conversion"]) == {"16000_1ch", "44100_2ch"}
    assert all(m["seconds_per_audio_hour"] > 0 and m["clips"] == 20 for m in saved["jeli_conversion"].values())
    out = capsys.readouterr().out
    assert "| 6 ASR statistics (collect_stats) |" in out and "min |" in out
    assert (tmp_path / "scale.png").stat().st_size > 10_000
    assert not (tmp_path / "work" / "x1").exists()  # working copies go unless --keep
    data_scale.main(["--scales", "1", "--base_train", "16", "--workdir", str(tmp_path / "work"),
                     "--out_dir", str(tmp_path), "--model_dir", str(recipe / ST_EXP)])
    assert "x1: measured already" in capsys.readouterr().out
