"""The package as an ESPnet user installs it: a wheel with the core requirements only,
into an environment that already has ESPnet (and torch), replacing neither."""

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(REPO)], check=True, capture_output=True, text=True)
    (path,) = out.glob("espnet_lau-*.whl")
    return path


def test_the_wheel_declares_the_core_and_the_extras(wheel):
    import zipfile

    with zipfile.ZipFile(wheel) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith("METADATA"))).decode()
        names = z.namelist()
    requires = [line.split(": ", 1)[1] for line in meta.splitlines() if line.startswith("Requires-Dist: ")]
    core = [r for r in requires if "extra ==" not in r]
    assert sorted(r.split(">")[0].split("<")[0].split("=")[0].strip() for r in core) == \
        ["PyYAML", "filelock", "numpy", "torch", "typeguard"]
    assert any(r.startswith("espnet") and 'extra == "espnet"' in r for r in requires)
    assert {"Provides-Extra: " + e for e in ("recipe", "teachers", "eval", "hub", "ssl", "all", "espnet")} <= set(meta.splitlines())
    assert any(r.startswith("transformers") and 'extra == "ssl"' in r for r in requires)
    assert "License-Expression: Apache-2.0" in meta
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "espnet_lau/prompts/" in " ".join(names) and "espnet_lau/tasks/lau_st.py" in names


def test_the_wheel_installs_beside_an_existing_espnet_and_imports_the_task(wheel, tmp_path):
    """A fresh venv that already has ESPnet and torch (those of this environment, through a
    .pth file): `pip install --no-deps` the wheel, then the task, model and export import
    from the installed wheel, not from the source tree."""
    env = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin/python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    espnet_site = next(p for p in sys.path if p.endswith("site-packages") and (Path(p) / "espnet2").is_dir())
    Path(site, "existing_espnet.pth").write_text(espnet_site + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    probe = ("import espnet_lau, espnet2, torch\n"
             "from espnet_lau.tasks.lau_st import LAUSTTask\nfrom espnet_lau.espnet_model import LAUSTModel\n"
             "from espnet_lau.export import export_stock\n"
             "print(espnet_lau.__file__); print(torch.__version__)")
    proc = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    installed, torch_version = proc.stdout.splitlines()[-2:]  # after ESPnet's own import notices
    assert installed.startswith(site) and torch_version == __import__("torch").__version__


def test_installing_every_extra_replaces_neither_torch_nor_espnet(wheel):
    """pip's resolver on this (the demo's) environment: with [all], only espnet-lau would be
    installed. (Declaring espnet as a hard requirement made it swap torch and setuptools.)"""
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--report", "-",
                           f"{wheel}[all]"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert [item["metadata"]["name"] for item in report["install"]] == ["espnet-lau"]
