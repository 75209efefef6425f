"""A disk that refuses a write, and a state file that does not read back: one line each,
naming the file and the fix, through the entry points' ``main([...])``."""

import builtins
import errno
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch

import espnet_lau.export  # imported here: ESPnet's import-time noise is not the test's stderr
from espnet_lau.bin import export_stock, guard_inputs, prepare_dump
from espnet_lau.data.kaldi_dir import Utterance, write_data_dir
from espnet_lau.utils.fileio import atomic_output_path


@pytest.fixture
def formatted(tmp_path):
    """A formatted (stage 3) data dir of two utterances."""
    wav = tmp_path / "a.wav"
    soundfile.write(wav, np.zeros(16000), 16000, subtype="PCM_16")
    src = tmp_path / "data/train"
    write_data_dir(src, [Utterance(f"s-{i}", str(wav), "s", {"text.tc.fr": "Bonjour"}) for i in "ab"])
    org = tmp_path / "dump/org/train"
    prepare_dump.main(["format", "--src", str(src), "--dst", str(org)])
    return org


def refusing_writes(monkeypatch, error_number):
    """Make every file that fileio opens for writing refuse its writes with ``error_number``
    (``f.write`` on a full disk raises OSError(ENOSPC) without a file name)."""
    class Refusing:
        def __init__(self, f):
            self._f = f

        def write(self, data):
            raise OSError(error_number, os.strerror(error_number))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._f.close()

    monkeypatch.setattr("espnet_lau.utils.fileio.open", lambda path, mode="r", *a, **k: (
        Refusing(builtins.open(path, mode, *a, **k)) if "w" in mode else builtins.open(path, mode, *a, **k)),
        raising=False)


def leftovers(folder):
    """Temporary files and staged folders left behind."""
    return sorted(p.name for p in Path(folder).rglob(".*") if p.name.endswith((".tmp", ".new", ".old")))


@pytest.mark.parametrize("error_number, says", [
    (errno.ENOSPC, "no space left on device: free space and re-run; nothing was half-written"),
    (errno.EROFS, "read-only file system: write the outputs to a writable folder (or remount it read-write) "
                  "and re-run; nothing was half-written"),
])
def test_a_full_or_read_only_disk_is_one_line_naming_the_file(formatted, tmp_path, monkeypatch, capsys,
                                                               error_number, says):
    dst = tmp_path / "dump/train"
    refusing_writes(monkeypatch, error_number)
    with pytest.raises(SystemExit) as exc:
        prepare_dump.main(["filter", "--src", str(formatted), "--dst", str(dst)])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"prepare_dump filter: error: {dst}/") and err.endswith(f": {says}\n")
    assert err.count("\n") == 1 and ".new" not in err and ".tmp" not in err  # the file asked for
    assert not dst.exists() and leftovers(tmp_path / "dump") == []


def test_a_name_too_long_for_the_file_system_is_one_line(formatted, tmp_path, capsys):
    dst = tmp_path / ("d" * 300)
    with pytest.raises(SystemExit):
        prepare_dump.main(["filter", "--src", str(formatted), "--dst", str(dst)])
    err = capsys.readouterr().err  # the OS names the first path it refused: dst or a sibling of it
    assert re.fullmatch(rf"prepare_dump filter: error: {tmp_path}/\.?{'d' * 300}\S*: name too long \(30\d bytes in "
                        r"one part; most file systems take at most 255\): give a shorter name \(or utterance id\)\n", err)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("atomic", [False, True])
def test_torch_save_on_a_full_disk_is_one_line(tmp_path, monkeypatch, capsys, atomic):
    """torch.save to a path on a full disk raises ``RuntimeError: [enforce fail at
    inline_container.cc:...] . unexpected pos ...`` (/dev/full is a real full disk); in an
    atomic write, the destination is named."""
    out = tmp_path / "exp/model.pth"

    def export_to_a_full_disk(*args, **kwargs):
        if atomic:
            with atomic_output_path(out):
                torch.save({"w": torch.zeros(100_000)}, "/dev/full")
        torch.save({"w": torch.zeros(100_000)}, "/dev/full")

    # export_stock's main imports the export when it exports (not for --verify)
    monkeypatch.setattr(espnet_lau.export, "export_stock", export_to_a_full_disk)
    with pytest.raises(SystemExit) as exc:
        export_stock.main(["--config", "c.yaml", "--model_file", "m.pth", "--outdir", str(tmp_path / "exp")])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    where = f"{out}: " if atomic else ""
    assert err.startswith(f"export_stock: error: {where}PyTorch could not write its file ([enforce fail at ")
    assert "unexpected pos" in err and err.count("\n") == 1
    assert err.endswith("the disk is probably full: free space and re-run" + ("; nothing was half-written\n"
                                                                             if atomic else "\n"))
    assert not out.exists()


@pytest.mark.parametrize("content", ['{"config": "sha256:ab', "\x00\x00\x00", "[1, 2]"])
def test_a_corrupt_inputs_record_is_one_line_naming_it(tmp_path, capsys, content):
    folder = tmp_path / "exp/st"
    folder.mkdir(parents=True)
    (folder / ".inputs.json").write_text(content)
    with pytest.raises(SystemExit) as exc:
        guard_inputs.main(["--dir", str(folder), "config=abc"])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"guard_inputs: error: {folder}/.inputs.json ") and err.count("\n") == 1
    assert err.endswith(f"delete it to take {folder} as made from the current inputs, or remove {folder} to "
                        "redo it\n")
    assert (folder / ".inputs.json").read_text() == content  # left for the user to look at


def test_a_corrupt_result_json_names_the_file(tmp_path):
    from espnet_lau.evaluation.report_io import read_json
    from espnet_lau.utils.fileio import CorruptFileError

    path = tmp_path / "semantic_eval.json"
    path.write_text(json.dumps({"a": 1})[:5])
    with pytest.raises(CorruptFileError, match=rf"^{path} is not valid JSON \(Expecting .* at line 1, column \d+\): "
                                               r"it is truncated or corrupt .*; delete it and re-run"):
        read_json(path)


def test_a_synthesis_killed_by_sigterm_leaves_no_temporary_file(tmp_path):
    """espeak-ng | sox write into a hidden scratch folder of the wav folder; SIGTERM (a
    job scheduler's kill) used to end the process there and then, leaving ``.<utt>.wav.*``
    files in data/wav/ for good. Now the scratch folder goes, and what was done is kept."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-m", "espnet_lau.bin.prepare_mini_corpus", "--size", "tiny",
                             "--output_dir", str(out), "--progress", "false"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not any(out.glob("wav/**/.*.wav")):  # a wav being written
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) == 128 + signal.SIGTERM
    hidden = sorted(p.relative_to(out) for p in out.rglob(".*") if p.name != ".manifest.json")
    assert hidden == [], hidden
    assert any(out.glob("wav/*/.manifest.json"))  # the wavs made so far are recorded: a re-run skips them
