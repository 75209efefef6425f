"""Packed model zips are unpacked inside their destination only (issue 21): check_packed and
upload_hf stop with one line on an entry or a meta.yaml path that leaves it, take files
from inside the zip only, and upload_hf never replaces a folder it did not make."""

import hashlib
import os
import re
import zipfile
from pathlib import Path

import pytest
import torch
import yaml
from espnet2.bin.pack import main as pack_main
from espnet2.bin.st_inference import Speech2Text
from espnet_model_zoo.downloader import ModelDownloader
from tiny_st import REPO, save_tiny_lau_checkpoint, write_tiny_wavs

from espnet_lau.bin import check_packed, upload_hf
from espnet_lau.export import export_stock
from espnet_lau.utils.archive import ArchiveError, extract, unpack_model

DECODE_CONFIG = REPO / "conf/tuning/decode_st_debug.yaml"


@pytest.fixture(scope="module")
def packed(tmp_path_factory):
    """A tiny exported LAU model packed by ``espnet2.bin.pack st`` (relative names, as the
    recipe packs), with test wavs and the hypotheses stock Speech2Text gives for them."""
    root = tmp_path_factory.mktemp("packed")
    exp = root / "exp/st_tiny"
    exp.mkdir(parents=True)
    save_tiny_lau_checkpoint(exp)
    config, model = export_stock(exp / "config.yaml", exp / "valid.acc.ave.pth", exp / "export")
    (exp / "RESULTS.md").write_text("|BLEU|\n|---|\n|1.0|\n")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        pack_main(["st", "--st_train_config", "exp/st_tiny/export/config.yaml", "--st_model_file",
                   "exp/st_tiny/export/model.pth", "--option", "exp/st_tiny/RESULTS.md",
                   "--outpath", "exp/st_tiny/packed.zip"])
    finally:
        os.chdir(cwd)
    wav_scp = write_tiny_wavs(root / "test", n=2)
    speech2text = Speech2Text(st_train_config=config, st_model_file=model, device="cpu",
                              **yaml.safe_load(DECODE_CONFIG.read_text()))
    import soundfile

    with open(root / "test/hyp", "w") as hyp:
        for line in wav_scp.read_text().splitlines():
            uttid, wav = line.split()
            text = " ".join(speech2text(soundfile.read(wav, dtype="float32")[0])[0][0].split())
            hyp.write(f"{uttid} {text}\n")
    return root, exp / "packed.zip"


def check_packed_args(root, zip_path, cachedir, *extra):
    return ["--zip", str(zip_path), "--wav_scp", str(root / "test/wav.scp"), "--hyp", str(root / "test/hyp"),
            "--decode_config", str(DECODE_CONFIG), "--cachedir", str(cachedir), *extra]


def tree(folder, *skip):
    """{relative path: bytes or 'dir'} of everything under ``folder`` but ``skip``."""
    out = {}
    for path in sorted(Path(folder).rglob("*")):
        if any(path == s or s in path.parents for s in skip):
            continue
        out[str(path.relative_to(folder))] = "dir" if path.is_dir() else path.read_bytes()
    return out


def test_check_packed_unpacks_as_the_model_zoo_and_decodes(packed, tmp_path):
    root, zip_path = packed
    check_packed.main(check_packed_args(root, zip_path, tmp_path / "cache"))
    ours = unpack_model(zip_path, tmp_path / "ours")
    zoo = ModelDownloader(cachedir=str(tmp_path / "zoo")).download_and_unpack(str(zip_path))  # our own zip
    assert set(ours) == set(zoo) == {"st_train_config", "st_model_file"}
    for key in ours:  # the same files, at the same place below the cache dir
        assert Path(ours[key]).relative_to(tmp_path / "ours") == Path(zoo[key]).relative_to(tmp_path / "zoo")
        assert Path(ours[key]).is_file()
    ours_config = yaml.safe_load(Path(ours["st_train_config"]).read_text())
    zoo_config = yaml.safe_load(Path(zoo["st_train_config"]).read_text().replace(str(tmp_path / "zoo"),
                                                                                str(tmp_path / "ours")))
    assert ours_config == zoo_config  # paths inside the config point at the unpacked files alike


def hand_made_zip(packed, path, entries=(), meta_changes=None):
    """The packed zip's files plus ``entries``, with ``meta_changes`` applied to its meta.yaml."""
    _, zip_path = packed
    with zipfile.ZipFile(zip_path) as z:
        files = {name: z.read(name) for name in z.namelist()}
    meta = yaml.safe_load(files["meta.yaml"])
    for section, key, value in meta_changes or ():
        meta[section][key] = value
    files["meta.yaml"] = yaml.safe_dump(meta).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in [*files.items(), *entries]:
            z.writestr(zipfile.ZipInfo(name), data)  # a ZipInfo keeps the name as it is
    return path


#: case -> outside folder -> (hand_made_zip's arguments, how the error names the path)
HOSTILE = {
    "entry ../../evil": lambda outside: (dict(entries=[("../../evil", b"escaped")]), "entry '../../evil'"),
    "absolute entry": lambda outside: (dict(entries=[(f"{outside}/abs_evil", b"escaped")]),
                                       f"entry '{outside}/abs_evil'"),
    "meta.yaml yaml_files ../x": lambda outside: (dict(meta_changes=[("yaml_files", "st_train_config", "../x")]),
                                                  "meta.yaml names '../x' (yaml_files: st_train_config)"),
    "meta.yaml config entry ../../evil.yaml": lambda outside: (  # ESPnet's unpack writes it unchecked
        dict(entries=[("../../evil.yaml", b"a: 1\n")], meta_changes=[("yaml_files", "st_train_config",
                                                                     "../../evil.yaml")]),
        "entry '../../evil.yaml'"),
    "meta.yaml files /tmp/x": lambda outside: (dict(meta_changes=[("files", "st_model_file", f"{outside}/x")]),
                                               f"meta.yaml names '{outside}/x' (files: st_model_file)"),
}


def hostile_zip(packed, tmp_path, case):
    """(the hand-made zip of ``case``, how the error names its path)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x").write_text("src_lang: SECRET\n")  # what a meta.yaml path outside would give
    spec, named = HOSTILE[case](outside)
    return hand_made_zip(packed, tmp_path / "hostile.zip", **spec), named


@pytest.mark.parametrize("case", list(HOSTILE))
def test_check_packed_stops_at_a_path_outside_the_cache_and_writes_nothing(packed, tmp_path, case, capsys):
    root, _ = packed
    zip_path, named = hostile_zip(packed, tmp_path, case)
    cachedir = tmp_path / "cache"
    before = tree(tmp_path.parent, cachedir, zip_path)  # check_packed may fix the zip's modes
    with pytest.raises(SystemExit) as exit_:
        check_packed.main(check_packed_args(root, zip_path, cachedir))
    assert exit_.value.code == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and re.match(rf"check_packed: error: {re.escape(str(zip_path))}: {re.escape(named)}", err[0])
    assert tree(tmp_path.parent, cachedir, zip_path) == before  # nothing outside the cache dir
    assert not [p for p in cachedir.rglob("*") if p.is_file()]  # and nothing in it either


@pytest.mark.parametrize("case", list(HOSTILE))
def test_upload_hf_stops_at_a_path_outside_its_folder_and_writes_nothing(packed, tmp_path, case, capsys):
    zip_path, named = hostile_zip(packed, tmp_path, case)
    before = tree(tmp_path.parent)
    with pytest.raises(SystemExit) as exit_:
        upload_hf.main(["--zip", str(zip_path), "--repo", "someone/x", "--folder", str(tmp_path / "hf_upload"),
                        "--prepare_only", "true"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and re.match(rf"upload_hf: error: {re.escape(str(zip_path))}: {re.escape(named)}", err[0])
    assert tree(tmp_path.parent) == before  # no folder, no README.md with SECRET in it


def test_a_symbolic_link_already_in_the_destination_is_not_followed(packed, tmp_path):
    _, zip_path = packed
    (tmp_path / "outside").mkdir()
    (tmp_path / "dest").mkdir()
    (tmp_path / "dest/exp").symlink_to(tmp_path / "outside")
    with pytest.raises(ArchiveError, match=r"entry 'exp/st_tiny/.*' would be written outside"):
        extract(zip_path, tmp_path / "dest")
    assert not list((tmp_path / "outside").iterdir())


def test_a_zip_entry_that_is_a_symbolic_link_is_written_as_a_plain_file(packed, tmp_path):
    link = zipfile.ZipInfo("exp/link")
    link.external_attr = (0o120777 << 16)  # S_IFLNK, as zip -y stores one
    zip_path = hand_made_zip(packed, tmp_path / "link.zip", entries=[(link.filename, b"/etc/passwd")])
    extract(zip_path, tmp_path / "dest")
    assert not (tmp_path / "dest/exp/link").is_symlink()
    assert (tmp_path / "dest/exp/link").read_bytes() == b"/etc/passwd"


class CreatesAFile:
    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_check_packed_refuses_a_pickled_model_file_before_speech2text(packed, tmp_path, capsys):
    root, zip_path = packed
    with zipfile.ZipFile(zip_path) as z:
        model_name = yaml.safe_load(z.read("meta.yaml"))["files"]["st_model_file"]
        state = torch.load(z.open(model_name))
    marker = tmp_path / "PWNED"
    state["extra"] = CreatesAFile(marker)
    torch.save(state, tmp_path / "model.pth")
    with zipfile.ZipFile(zip_path) as z:
        files = {name: z.read(name) for name in z.namelist()}
    files[model_name] = (tmp_path / "model.pth").read_bytes()
    with zipfile.ZipFile(tmp_path / "pickled.zip", "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    with pytest.raises(SystemExit) as exit_:
        check_packed.main(check_packed_args(root, tmp_path / "pickled.zip", tmp_path / "cache"))
    assert exit_.value.code == 1
    model_file = Path(unpack_model(tmp_path / "pickled.zip", tmp_path / "cache")["st_model_file"])
    assert capsys.readouterr().err.splitlines() == [
        f"check_packed: error: {model_file}: holds pickled objects other than tensors (io.open); it can run "
        "code when loaded: pass --trust_pickle true only if you made this file"]
    assert not marker.exists()


def test_upload_hf_never_replaces_a_folder_it_did_not_make(packed, tmp_path, capsys):
    _, zip_path = packed
    exp = tmp_path / "exp/st_x"  # an experiment folder given as --folder by mistake
    exp.mkdir(parents=True)
    (exp / "config.yaml").write_text("semantic_weight: 1.0\n")
    (exp / "valid.acc.ave.pth").write_bytes(b"weights")
    before = tree(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        upload_hf.main(["--zip", str(zip_path), "--repo", "someone/x", "--folder", str(exp),
                        "--prepare_only", "true"])
    assert exit_.value.code == 1
    assert capsys.readouterr().err.splitlines() == [
        f"upload_hf: error: {exp} exists and was not made by upload_hf: give an empty or new --folder"]
    assert tree(tmp_path) == before


def test_upload_hf_replaces_only_its_own_folder(packed, tmp_path):
    root, zip_path = packed
    args = ["--zip", str(zip_path), "--repo", "someone/x", "--st_exp", str(root / "exp/st_tiny"),
            "--prepare_only", "true", "--folder"]
    folder = upload_hf.main([*args, str(tmp_path / "hf_upload")])
    assert (folder / upload_hf.MADE_MARK).is_file() and (folder / "meta.yaml").is_file()
    card = (folder / "README.md").read_text()
    assert "|BLEU|" in card and "semantic_weight (λ) 1.0" in card
    (folder / "stale.txt").write_text("from an earlier run")
    assert upload_hf.main([*args, str(folder)]) == folder  # its own folder: replaced as a whole
    assert not (folder / "stale.txt").exists() and (folder / "README.md").is_file()
    (tmp_path / "empty").mkdir()
    assert (upload_hf.main([*args, str(tmp_path / "empty")]) / "meta.yaml").is_file()
    assert hashlib.sha256((folder / "meta.yaml").read_bytes()).digest() == hashlib.sha256(
        (tmp_path / "empty/meta.yaml").read_bytes()).digest()


def test_stage_14_accepts_empty_hypotheses_and_compares_them_as_empty(packed, tmp_path, caplog):
    """A model that says nothing for an utterance leaves `uttid` alone on its line in stage
    12's text; check_packed read it with the strict data-directory reader and stopped."""
    root, zip_path = packed
    ids = [line.split()[0] for line in (root / "test/wav.scp").read_text().splitlines()]
    hyp = tmp_path / "hyp_with_empty"
    hyp.write_text("".join(f"{uttid}\n" for uttid in ids))
    args = check_packed_args(root, zip_path, tmp_path / "cache")
    args[args.index("--hyp") + 1] = str(hyp)
    with caplog.at_level("INFO"):
        try:
            check_packed.main(args)
        except SystemExit as exc:  # the packed model says something: a mismatch, not a crash
            assert exc.code == 1
    assert "has no text" not in caplog.text
    assert f"{ids[0]}: " in caplog.text and ("same as stage 12" in caplog.text or "DIFFERS from stage 12: ''" in caplog.text)
