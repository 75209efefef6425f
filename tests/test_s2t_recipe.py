"""egs2/bambara_fr/s2t1 end to end on the tiny corpus: a tiny OWSM-layout checkpoint without
<bam> (made here) -> the language symbol appended -> OWSM's text files -> LAU fine-tuning
(1 epoch) -> export -> stock espnet2.bin.s2t_inference, as a user runs the recipe.

The data stages are the session fixture ``recipe``'s (../st1's stages 1-4 and its teacher
embeddings, copied, never written); this run starts at stage 5 and stops after decoding
(stage 13 is ../st1/local/score_set.sh, which the st1 tests run)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tiny_s2t import TRAIN_DIR, save_tiny_owsm

REPO = Path(__file__).resolve().parents[1]
S2T1 = REPO / "egs2/bambara_fr/s2t1"
ST1 = REPO / "egs2/bambara_fr/st1"
S2T_EXP = "exp/s2t_train_s2t_owsm_lau_debug_raw_bam_fr_lc.rm"
TEST_DIR = f"{S2T_EXP}/decode_s2t_debug_s2t_model_valid.acc.ave/test"
DEBUG = ["--s2t_config", "conf/tuning/train_s2t_owsm_lau_debug.yaml",
         "--inference_config", "conf/tuning/decode_s2t_debug.yaml", "--nj", "1", "--inference_nj", "1"]


def make_s2t1_copy(root: Path) -> Path:
    """s2t1 beside the ../st1 scripts it uses (its local/, path.sh and cmd.sh are links to them)."""
    (root / "st1").mkdir(parents=True)
    for name in ("path.sh", "cmd.sh"):
        shutil.copy2(ST1 / name, root / "st1" / name)
    shutil.copytree(ST1 / "local", root / "st1/local")
    shutil.copytree(S2T1, root / "s2t1", symlinks=True, ignore=shutil.ignore_patterns("conf"))
    (root / "s2t1/conf").mkdir()
    (root / "s2t1/conf/tuning").symlink_to(REPO / "conf/tuning")
    return root / "s2t1"


def run_s2t1(recipe: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}", PYTHONPATH=str(REPO),
               VIRTUAL_ENV=str(Path(sys.executable).parents[1]))
    proc = subprocess.run(["./lau_s2t.sh", "--python", sys.executable, *args], cwd=recipe, env=env,
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        pytest.fail(f"lau_s2t.sh {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def test_the_recipe_refuses_bad_options_in_one_line(tmp_path):
    recipe = make_s2t1_copy(tmp_path)
    proc = run_s2t1(recipe, "--ctc_text", "both", check=False)
    assert proc.returncode == 1 and "--ctc_text must be source or na, got 'both'" in proc.stderr
    proc = run_s2t1(recipe, "--nbpe", "100", check=False)
    assert proc.returncode == 1 and "the checkpoint's BPE model is reused" in proc.stderr
    proc = run_s2t1(recipe, "--stage", "5", "--stop_stage", "5", check=False)
    assert proc.returncode == 1 and "--pretrained_s2t is required" in proc.stderr


@pytest.mark.slow
def test_owsm_without_bam_is_fine_tuned_with_lau_and_decodes_with_stock_espnet(recipe, tmp_path):
    s2t1 = make_s2t1_copy(tmp_path / "egs")
    for dset in ("train", "dev", "test"):  # ../st1's stages 1-4 and 7 (read-only: copied)
        shutil.copytree(recipe / "dump/raw" / dset, s2t1 / "dump/raw" / dset)
    train = s2t1 / "dump/raw/train"
    texts = [line.split(" ", 1)[1].strip() for name in ("text.lc.rm.fr", "text.tc.bam")
             for line in (train / name).read_text(encoding="utf-8").splitlines()]
    owsm = save_tiny_owsm(tmp_path / "owsm_tiny", texts)
    owsm_config = (owsm / TRAIN_DIR / "config.yaml").read_text(encoding="utf-8")
    assert "<bam>" not in yaml.safe_load(owsm_config)["token_list"]

    run_s2t1(s2t1, *DEBUG, "--pretrained_s2t", str(owsm), "--stage", "5", "--stop_stage", "5")
    run_s2t1(s2t1, *DEBUG, "--pretrained_s2t", str(owsm), "--stage", "10", "--stop_stage", "12")

    assert (owsm / TRAIN_DIR / "config.yaml").read_text(encoding="utf-8") == owsm_config  # never written
    tokens = (s2t1 / "exp/pretrained_s2t_bam/tokens.txt").read_text(encoding="utf-8").split()
    assert tokens[-1] == "<bam>" and tokens.count("<bam>") == 1
    first = (train / "text").read_text(encoding="utf-8").splitlines()[0]
    assert first.split(" ", 1)[1].startswith("<bam><st_fra><notimestamps> ")
    assert set((train / "text.prev").read_text().split()[1::2]) == {"<na>"}
    log = (s2t1 / S2T_EXP / "train.log").read_text(encoding="utf-8")
    assert "loss_sem=" in log and "semantic_weight=1.000" in log
    exported = yaml.safe_load((s2t1 / S2T_EXP / "export/valid.acc.ave/config.yaml").read_text(encoding="utf-8"))
    assert exported["token_list"] == tokens and not any(k.startswith("semantic_") for k in exported)
    # stock s2t_inference decoded every test utterance, primed with <bam><st_fra><notimestamps>
    hyps = (s2t1 / TEST_DIR / "text").read_text(encoding="utf-8").splitlines()
    assert len(hyps) == len((s2t1 / "dump/raw/test/wav.scp").read_text().splitlines())
    assert not any("<" in line.split(" ", 1)[-1] for line in hyps)  # the prompt symbols are not scored
    token_lines = (s2t1 / TEST_DIR / "token").read_text(encoding="utf-8").splitlines()
    assert all(line.split()[1:4] == ["<bam>", "<st_fra>", "<notimestamps>"] for line in token_lines)
