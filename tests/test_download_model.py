"""st.sh's --download_model: a packed model decoded and scored by the recipe (stages 12-13),
and the tool that fetches it (a zip, a model folder with meta.yaml; a zoo name needs the
network and is not tested here)."""

import json
import shutil
import zipfile

import pytest
import yaml
from recipe_helpers import DEBUG, ST_EXP, run_recipe

from espnet_lau.bin import download_model


@pytest.fixture(scope="module")
def packed_zip(recipe):
    name = ST_EXP.split("/")[-1]
    return recipe / ST_EXP / f"{name}_valid.acc.ave.zip"


def test_a_zip_or_a_folder_becomes_the_export_layout_and_a_hostile_folder_is_refused(packed_zip, tmp_path, capsys):
    out = tmp_path / "exp/m/export/downloaded"
    download_model.main(["--model", str(packed_zip), "--outdir", str(out)])
    assert yaml.safe_load((out / "config.yaml").read_text())["token_list"]
    source = json.loads((out / "source.json").read_text())
    assert source["downloaded"] == str(packed_zip) and len(source["sha256"]) == 64
    folder = tmp_path / "hf_repo"  # a Hugging Face ESPnet repository as downloaded
    with zipfile.ZipFile(packed_zip) as z:
        z.extractall(folder)
    download_model.main(["--model", str(folder), "--outdir", str(tmp_path / "from_folder")])
    assert (tmp_path / "from_folder/model.pth").read_bytes() == (out / "model.pth").read_bytes()
    meta = yaml.safe_load((folder / "meta.yaml").read_text())
    meta["files"]["st_model_file"] = "../../etc/hostname"
    (folder / "meta.yaml").write_text(yaml.safe_dump(meta))
    with pytest.raises(SystemExit) as exc:
        download_model.main(["--model", str(folder), "--outdir", str(tmp_path / "hostile")])
    assert exc.value.code == 1 and "names '../../etc/hostname', not a file inside" in capsys.readouterr().err
    assert not (tmp_path / "hostile").exists()


@pytest.mark.slow
def test_the_recipe_decodes_and_scores_a_downloaded_model(recipe, packed_zip, tmp_path):
    copy = tmp_path / "st1"
    shutil.copytree(recipe, copy, symlinks=True, ignore=shutil.ignore_patterns("exp"))
    for made_in in copy.glob("*/.made_in"):
        made_in.unlink()  # a copied recipe folder, reused knowingly
    proc = run_recipe(copy, *DEBUG, "--stage", "12", "--stop_stage", "14", "--skip_train", "true",
                      "--download_model", str(packed_zip))
    out = proc.stdout + proc.stderr
    name = packed_zip.stem
    decode = copy / "exp" / name / "decode_st_debug_st_model_valid.acc.ave/test"
    assert (decode / "text").is_file() and (decode / "score_bleu/scores.json").is_file()
    assert f"Use {packed_zip} for decoding and evaluation" in out and "nothing to pack" in out
    assert not (copy / ST_EXP).exists()  # nothing trained here
