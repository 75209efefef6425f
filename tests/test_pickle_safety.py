"""Model files are loaded weights only (issue 21): a hostile ``.pth`` is refused in one line
by every tool that reads one, and runs nothing; a real ESPnet ``checkpoint.pth`` loads
without trust; ``--trust_pickle true`` is the only way past, with a WARNING."""

import json
import logging
import re

import pytest
import torch
import yaml
from tiny_st import train_tiny_st

from espnet_lau.bin import asr_train, export_stock, lau_st_train, make_results, param_drift, plot_training
from espnet_lau.bin import semantic_balance
from espnet_lau.utils.checkpoint import UntrustedPickleError, check_init_params, load_checkpoint


class CreatesAFile:
    """Unpickling this creates ``path`` (what a hostile file could do instead)."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def refusal(path):
    return (f"{path}: holds pickled objects other than tensors (io.open); it can run code when loaded: "
            "pass --trust_pickle true only if you made this file")


@pytest.fixture(scope="module")
def espnet_exp(tmp_path_factory):
    """A real ESPnet experiment folder after one epoch of a tiny training."""
    return train_tiny_st(tmp_path_factory.mktemp("tiny_training"))


@pytest.fixture
def hostile(tmp_path, espnet_exp):
    """(exp dir whose checkpoint.pth also holds a hostile object, the file it would create)."""
    marker = tmp_path / "PWNED"
    exp = tmp_path / "exp"
    exp.mkdir()
    state = torch.load(espnet_exp / "checkpoint.pth", weights_only=False)
    state["extra"] = CreatesAFile(marker)
    torch.save(state, exp / "checkpoint.pth")
    (exp / "config.yaml").write_text((espnet_exp / "config.yaml").read_text())
    assert not marker.exists()
    return exp, marker


def test_a_real_espnet_checkpoint_loads_weights_only(espnet_exp, caplog):
    checkpoint = espnet_exp / "checkpoint.pth"
    # ESPnet pickles more than tensors: plain weights_only=True refuses it ...
    assert {"datetime.timedelta", "numpy.dtype"} <= set(torch.serialization.get_unsafe_globals_in_checkpoint(checkpoint))
    with pytest.raises(Exception, match="Weights only load failed"):
        torch.load(checkpoint, weights_only=True)
    # ... the package's loader allows exactly what the Reporter holds, and draws its images
    with caplog.at_level(logging.WARNING):
        assert set(load_checkpoint(checkpoint)) == {"model", "reporter", "optimizers", "schedulers", "scaler"}
        plot_training.main(["--exp", str(espnet_exp), "--image_dir", str(espnet_exp / "png")])
        check_init_params([f"{checkpoint}:encoder:encoder", str(espnet_exp / "valid.acc.ave.pth")], False)
    assert (espnet_exp / "png/acc.png").is_file() and (espnet_exp / "png/loss.png").is_file()
    assert "weights_only=False" not in caplog.text
    config = yaml.safe_load((espnet_exp / "config.yaml").read_text())
    assert "trust_pickle" not in config  # lau_st_train's option stays out of ESPnet's config.yaml


def test_plot_training_refuses_a_hostile_checkpoint_and_runs_nothing(hostile):
    exp, marker = hostile
    with pytest.raises(SystemExit, match="^plot_training: " + re.escape(refusal(exp / "checkpoint.pth")) + "$"):
        plot_training.main(["--exp", str(exp)])
    assert not marker.exists() and not (exp / "images").exists()


def test_trust_pickle_true_is_the_only_way_past_and_says_so(hostile, caplog):
    exp, marker = hostile
    with caplog.at_level(logging.WARNING):
        plot_training.main(["--exp", str(exp), "--trust_pickle", "true"])
    assert marker.exists()  # the file was hostile indeed: trusting it ran its code
    assert (exp / "images/acc.png").is_file()
    warning = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning == [f"{exp / 'checkpoint.pth'}: loaded with torch.load(weights_only=False), as --trust_pickle "
                       "true allows: it holds pickled objects other than tensors (io.open)"]


def test_param_drift_and_export_stock_refuse_with_the_same_line(hostile, tmp_path, capsys):
    exp, marker = hostile
    checkpoint = str(exp / "checkpoint.pth")
    with pytest.raises(UntrustedPickleError) as refused:
        param_drift.main(["--init", checkpoint, "--final", checkpoint, "--outdir", str(tmp_path / "drift")])
    assert str(refused.value) == refusal(checkpoint)
    with pytest.raises(SystemExit) as exit_:
        export_stock.main(["--config", str(exp / "config.yaml"), "--model_file", checkpoint,
                           "--outdir", str(tmp_path / "export")])
    assert exit_.value.code == 1
    assert capsys.readouterr().err.splitlines() == ["export_stock: error: " + refusal(checkpoint)]
    assert not marker.exists() and not (tmp_path / "drift").exists() and not (tmp_path / "export").exists()


@pytest.mark.parametrize("tool", [lau_st_train, asr_train], ids=["lau_st_train", "asr_train"])
def test_init_param_is_checked_before_espnet_unpickles_it(tool, hostile, tmp_path, capsys):
    exp, marker = hostile
    checkpoint = exp / "checkpoint.pth"
    name = tool.__name__.rpartition(".")[2]
    with pytest.raises(SystemExit) as exit_:
        tool.main(["--init_param", f"{checkpoint}:encoder:encoder:encoder.embed",
                   "--output_dir", str(tmp_path / "out")])
    assert exit_.value.code == 1
    assert capsys.readouterr().err.splitlines()[-1] == f"{name}: error: " + refusal(checkpoint)
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_semantic_balance_checks_init_param_before_building_the_model(hostile, tmp_path, capsys):
    exp, marker = hostile
    with pytest.raises(SystemExit) as exit_:
        semantic_balance.main(["--train_data_path_and_name_and_type", f"{tmp_path}/sem_emb.scp,sem_emb,npy",
                               "--init_param", f"{exp / 'checkpoint.pth'}:encoder:encoder"])
    assert exit_.value.code == 1
    assert capsys.readouterr().err.splitlines()[-1] == "semantic_balance: error: " + refusal(exp / "checkpoint.pth")
    assert not marker.exists()


def test_check_init_params_reads_the_file_as_espnet_splits_it(hostile, caplog):
    exp, marker = hostile
    with pytest.raises(UntrustedPickleError, match=f"^{exp / 'checkpoint.pth'}: holds"):
        check_init_params([f"{exp / 'checkpoint.pth'}:encoder:encoder:encoder.embed,encoder.norm"], False)
    with caplog.at_level(logging.WARNING):
        check_init_params([f"{exp / 'checkpoint.pth'}::encoder"], True)  # ESPnet will unpickle it
    assert "ESPnet's --init_param loads it with torch.load(weights_only=False), as --trust_pickle true" in caplog.text
    assert not marker.exists()  # the check itself never unpickles it
    with pytest.raises(FileNotFoundError):
        check_init_params([f"{exp / 'missing.pth'}:encoder:encoder"], False)


def write_scored_run(run):
    run.mkdir(parents=True)
    (run / "scores.json").write_text(json.dumps({"bleu": 12.0}))
    return run


def test_make_results_reads_only_the_runs_own_experiment(hostile, tmp_path):
    exp, marker = hostile
    # A stranger's checkpoint.pth three folders above a decode dir of an experiment without one.
    (tmp_path / "stranger").mkdir()
    (exp / "checkpoint.pth").rename(tmp_path / "stranger/checkpoint.pth")
    run = write_scored_run(tmp_path / "stranger/exp_b/decode_st/test")
    (tmp_path / "stranger/exp_b/config.yaml").write_text("semantic_weight: 0.0\n")
    make_results.main(["--run", f"b={run}", "--out", str(tmp_path / "RESULTS.md"),
                       "--plot_dir", str(tmp_path / "plots")])
    assert not marker.exists()
    assert not list((tmp_path / "plots").glob("valid_*_per_epoch.png"))  # no curves: no checkpoint of its own
    # The experiment's own checkpoint.pth (st.sh's <exp>/<inference_tag>/<test_set>) is read, weights only.
    (tmp_path / "stranger/checkpoint.pth").rename(tmp_path / "stranger/exp_b/checkpoint.pth")
    with pytest.raises(UntrustedPickleError, match="exp_b/checkpoint.pth: holds pickled objects"):
        make_results.main(["--run", f"b={run}", "--out", str(tmp_path / "RESULTS.md")])
    assert not marker.exists()
    make_results.main(["--run", f"b={run}", "--out", str(tmp_path / "RESULTS.md"),
                       "--plot_dir", str(tmp_path / "plots"), "--trust_pickle", "true"])
    assert (tmp_path / "plots/valid_acc_per_epoch.png").is_file()
