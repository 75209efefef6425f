"""export_stock records its source checkpoint (issue 21): ``<outdir>/source.json``, no
export of another checkpoint overwritten unless asked, and ``--verify true`` before decoding."""

import hashlib
import json
import logging
import os

import pytest
import torch
from tiny_st import save_tiny_lau_checkpoint

from espnet_lau.bin import export_stock


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """(config.yaml, checkpoint A, checkpoint B): two different weights of one tiny LAU model."""
    expdir = tmp_path_factory.mktemp("lau_exp")
    save_tiny_lau_checkpoint(expdir)
    state = torch.load(expdir / "valid.acc.ave.pth")
    state["decoder.output_layer.bias"] += 1.0
    torch.save(state, expdir / "other.pth")
    return expdir / "config.yaml", expdir / "valid.acc.ave.pth", expdir / "other.pth"


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export(config, model, outdir, *extra):
    export_stock.main(["--config", str(config), "--model_file", str(model), "--outdir", str(outdir), *extra])


def one_line_error(capsys, *args):
    with pytest.raises(SystemExit) as exit_:
        export_stock.main(list(args))
    assert exit_.value.code == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("export_stock: error: ")
    return err[0][len("export_stock: error: "):]


def test_an_export_records_its_source(checkpoints, tmp_path, monkeypatch):
    config, model, _ = checkpoints
    link = tmp_path / "valid.acc.ave.pth"  # ESPnet's valid.acc.ave.pth is a symbolic link
    link.symlink_to(model)
    monkeypatch.chdir(tmp_path)
    export(config, "valid.acc.ave.pth", "export")
    record = json.loads((tmp_path / "export/source.json").read_text())
    assert record == {"model_file": "valid.acc.ave.pth", "absolute": str(link), "resolved": str(model.resolve()),
                      "sha256": sha256(model)}
    export_stock.main(["--verify", "true", "--model_file", "valid.acc.ave.pth", "--outdir", "export"])


def test_another_checkpoint_is_not_exported_over_an_export_unless_asked(checkpoints, tmp_path, capsys):
    config, model, other = checkpoints
    outdir = tmp_path / "export"
    export(config, model, outdir)
    before = {name: (outdir / name).read_bytes() for name in ("config.yaml", "model.pth", "source.json")}
    message = one_line_error(capsys, "--config", str(config), "--model_file", str(other), "--outdir", str(outdir))
    assert message == (f"{outdir} holds the export of {model} (sha256 {sha256(model)[:12]}), not of {other}: "
                       "give another --outdir, or pass --overwrite true to replace it")
    assert {name: (outdir / name).read_bytes() for name in before} == before
    export(config, other, outdir, "--overwrite", "true")
    assert json.loads((outdir / "source.json").read_text())["sha256"] == sha256(other)
    assert (outdir / "model.pth").read_bytes() != before["model.pth"]


def test_the_same_checkpoint_changed_is_exported_again(checkpoints, tmp_path, caplog):
    config, model, other = checkpoints
    source = tmp_path / "valid.acc.ave.pth"
    source.write_bytes(model.read_bytes())
    outdir = tmp_path / "export"
    export(config, source, outdir)
    first = (outdir / "model.pth").read_bytes()
    source.write_bytes(other.read_bytes())  # trained again: the same path, other weights
    with caplog.at_level(logging.INFO):
        export(config, source, outdir)
    assert (f"{source} changed since {outdir} was exported from it (sha256 {sha256(model)[:12]} -> "
            f"{sha256(other)[:12]}): exporting it again") in caplog.text
    assert json.loads((outdir / "source.json").read_text())["sha256"] == sha256(other)
    assert (outdir / "model.pth").read_bytes() != first


def test_verify_names_the_export_and_the_checkpoint_that_differ(checkpoints, tmp_path, capsys):
    config, model, other = checkpoints
    source = tmp_path / "valid.acc.ave.pth"
    source.write_bytes(model.read_bytes())
    outdir = tmp_path / "export"
    verify = ["--verify", "true", "--outdir", str(outdir), "--model_file"]
    assert one_line_error(capsys, *verify, str(source)) == (
        f"{outdir} has no source.json: it was not exported by export_stock, or the export was interrupted: "
        f"re-run stage 11 (export_stock) to export {source}")
    export(config, source, outdir)
    export_stock.main([*verify, str(source)])  # the same file: exit 0
    assert one_line_error(capsys, *verify, str(other)) == (
        f"{outdir} was exported from {source} (sha256 {sha256(model)[:12]}), not from {other} "
        f"(sha256 {sha256(other)[:12]}): re-run stage 11 (export_stock) to export {other}")
    source.write_bytes(other.read_bytes())  # trained again after the export
    assert one_line_error(capsys, *verify, str(source)) == (
        f"{outdir} was exported from {source} (sha256 {sha256(model)[:12]}), not from {source} "
        f"(sha256 {sha256(other)[:12]}): re-run stage 11 (export_stock) to export {source}")
    (outdir / "source.json").write_text("{")
    assert one_line_error(capsys, *verify, str(source)).startswith(f"{outdir / 'source.json'} is not JSON")


def test_an_interrupted_export_leaves_no_record(checkpoints, tmp_path, monkeypatch):
    config, model, other = checkpoints
    outdir = tmp_path / "export"
    export(config, model, outdir)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", killed)
    with pytest.raises(KeyboardInterrupt):
        export(config, other, outdir, "--overwrite", "true")
    assert not (outdir / "source.json").exists()  # verify fails: re-run the export
    assert sorted(os.listdir(outdir)) == ["config.yaml", "model.pth"]


def test_the_check_before_decoding_does_not_start_espnet(checkpoints, tmp_path):
    """Stage 12 runs ``export_stock --verify true`` before every decoding: a file hash, not
    the seconds of an ESPnet ST import (a process of its own, as the recipe runs it)."""
    import subprocess
    import sys

    config, model, _ = checkpoints
    outdir = tmp_path / "export"
    export(config, model, outdir)
    probe = ("import sys; from espnet_lau.bin import export_stock; "
             f"export_stock.main(['--verify', 'true', '--model_file', {str(model)!r}, '--outdir', {str(outdir)!r}]); "
             "print(sorted(m for m in ('espnet2.tasks.st', 'espnet_lau.export') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
