"""plot_training: ESPnet's training images drawn once, from checkpoint.pth."""

import datetime

import pytest
import torch
from espnet2.train.reporter import Reporter

from espnet_lau.bin import plot_training

PNG = b"\x89PNG\r\n\x1a\n"


def write_checkpoint(exp, epochs=3, stats=None, seconds=None, extra=None):
    """exp/checkpoint.pth with the Reporter of a short training, as ESPnet's trainer saves it.

    Args:
        stats: epoch -> {"train"|"valid": {key: value}} registered per epoch (default: a
            train loss and a valid acc).
        seconds: {"train"|"valid": s}, each phase's wall time (else the Reporter's own).
        extra: more top-level entries of the checkpoint.
    """
    reporter = Reporter()
    stats = stats or (lambda epoch: {"train": {"loss": 2.0 / epoch}, "valid": {"acc": 0.2 * epoch}})
    for epoch in range(1, epochs + 1):
        reporter.set_epoch(epoch)
        for phase, values in stats(epoch).items():
            with reporter.observe(phase) as sub:
                sub.register(values)
                sub.next()
    state = reporter.state_dict()
    for epoch_stats in state["stats"].values():  # the Reporter's own timedelta, set to a known value
        for phase, s in (seconds or {}).items():
            epoch_stats[phase]["time"] = datetime.timedelta(seconds=s)
    exp.mkdir(parents=True, exist_ok=True)
    torch.save({"model": {}, "reporter": state, **(extra or {})}, exp / "checkpoint.pth")


def test_draws_espnets_images_of_every_statistic(tmp_path):
    write_checkpoint(tmp_path / "exp")
    plot_training.main(["--exp", str(tmp_path / "exp")])
    images = sorted(p.name for p in (tmp_path / "exp/images").glob("*.png"))
    assert images == ["acc.png", "loss.png"]
    assert all((tmp_path / "exp/images" / name).read_bytes()[:8] == PNG for name in images)


def test_image_dir_option(tmp_path):
    write_checkpoint(tmp_path / "exp")
    plot_training.main(["--exp", str(tmp_path / "exp"), "--image_dir", str(tmp_path / "png")])
    assert (tmp_path / "png/acc.png").is_file() and not (tmp_path / "exp/images").exists()


def test_errors_name_the_file(tmp_path):
    with pytest.raises(SystemExit, match="no .*nothing/checkpoint.pth: train first"):
        plot_training.main(["--exp", str(tmp_path / "nothing")])
    (tmp_path / "bare").mkdir()
    torch.save({"model": {}}, tmp_path / "bare/checkpoint.pth")
    with pytest.raises(SystemExit, match="bare/checkpoint.pth: no ESPnet Reporter statistics"):
        plot_training.main(["--exp", str(tmp_path / "bare")])
