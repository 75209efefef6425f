"""docs/use_in_your_recipe.md's command block, run as it is written, with st.sh's variable
names set to a copy of the tiny recipe's dumps: the teacher stage and LAU training of
another recipe's stage 11, then stock Speech2Text decoding the raw LAU checkpoint."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from recipe_helpers import SRC_TEXT, ST_STATS, TGT_BPE, TGT_TEXT

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs/use_in_your_recipe.md"


def doc_block() -> str:
    """The page's one ```bash block."""
    (block,) = re.findall(r"```bash\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return block


@pytest.mark.slow
def test_the_pages_commands_train_lau_in_another_recipe(recipe, tmp_path):
    data_feats = tmp_path / "dump/raw"
    for dset in ("train", "dev"):  # a user's dumps: their own copy, without our embeddings
        shutil.copytree(recipe / "dump/raw" / dset, data_feats / dset, ignore=shutil.ignore_patterns("sem_emb*"))
    src_bpe = recipe / "data/token_list/src_bpe_unigram40"
    variables = {
        "python": sys.executable, "data_feats": data_feats, "train_set": "train", "valid_set": "dev",
        "tgt_case": "lc.rm", "tgt_lang": "fr", "src_case": "tc", "src_lang": "bam",
        "st_config": REPO / "conf/tuning/train_st_debug_lau_std_r1.0.yaml", "st_stats_dir": recipe / ST_STATS,
        "st_exp": tmp_path / "exp/st_lau", "tgt_bpemodel": recipe / TGT_BPE / "bpe.model",
        "tgt_token_list": recipe / TGT_BPE / "tokens.txt", "src_bpemodel": src_bpe / "bpe.model",
        "src_token_list": src_bpe / "tokens.txt",
        "pretrained_asr": "", "st_args": "--max_epoch 1 --num_workers 0 --use_tensorboard false",
    }
    assert (f"text.{variables['tgt_case']}.{variables['tgt_lang']}", f"text.{variables['src_case']}."
            f"{variables['src_lang']}") == (TGT_TEXT, SRC_TEXT)
    script = "set -euo pipefail\n" + "".join(f"{k}='{v}'\n" for k, v in variables.items()) + doc_block()
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    exp = tmp_path / "exp/st_lau"
    config = yaml.safe_load((exp / "config.yaml").read_text())
    balance = json.loads((exp / "semantic_balance.json").read_text())
    assert config["semantic_weight"] == pytest.approx(balance["semantic_weight_trained"]) and balance["ratio_trained"] == pytest.approx(1.0)
    # Stages 12-14 unchanged: stock Speech2Text on the raw LAU checkpoint.
    from espnet2.bin.st_inference import Speech2Text
    import soundfile

    model = Speech2Text(st_train_config=str(exp / "config.yaml"), st_model_file=str(exp / "valid.acc.ave.pth"),
                        beam_size=1, maxlenratio=0.5)
    first_wav = (data_feats / "dev/wav.scp").read_text().split("\n")[0].split(maxsplit=1)[1]
    speech, _ = soundfile.read(first_wav)
    hyp = model(speech)
    assert isinstance(hyp[0][0], str) and "semantic_head" not in str(type(model.st_model))
