"""Running copies of the egs2/bambara_fr/st1 recipe from the tests (tiny corpus, debug
configs); the finished stages 1-14 are a session fixture (``recipe`` in conftest.py).
Also :func:`run_module`, one entry point in a process of its own."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RECIPE = REPO / "egs2/bambara_fr/st1"
DEBUG = [
    "--mini_size", "tiny", "--src_nbpe", "40", "--tgt_nbpe", "60",
    "--asr_config", "conf/tuning/train_asr_debug.yaml",
    "--st_config", "conf/tuning/train_st_lau_debug.yaml",
    "--inference_config", "conf/tuning/decode_st_debug.yaml",
]
# The names lau_st.sh derives from DEBUG (st.sh's scheme).
ASR_EXP = "exp/asr_train_asr_debug_raw_bam_bpe_tc40"
ST_EXP = "exp/st_train_st_lau_debug_raw_bam_fr_bpe_lc.rm60"
ST_STATS = "exp/st_stats_raw_bam_fr_bpe60"
INFERENCE_TAG = "decode_st_debug_st_model_valid.acc.ave"
TGT_TEXT, SRC_TEXT = "text.lc.rm.fr", "text.tc.bam"
TGT_BPE = "data/token_list/tgt_bpe_unigram60"


def make_recipe_copy(root: Path) -> Path:
    """The recipe's scripts in a fresh directory (outputs go to its data/ dump/ exp/)."""
    recipe = root / "st1"
    recipe.mkdir()
    for name in ("run.sh", "lau_st.sh", "path.sh", "cmd.sh"):
        shutil.copy2(RECIPE / name, recipe / name)
    shutil.copytree(RECIPE / "local", recipe / "local")
    (recipe / "conf").mkdir()
    (recipe / "conf/tuning").symlink_to(REPO / "conf/tuning")
    return recipe


def run_recipe(
    recipe: Path, *args: str, check: bool = True, script: str = "./run.sh"
) -> subprocess.CompletedProcess:
    """``script --python <this Python> args...`` in ``recipe``; fails the test on error
    (with the output's tail) unless ``check`` is false."""
    # PYTHONPATH: this checkout's espnet_lau, also where the venv's is another checkout's.
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
               VIRTUAL_ENV=str(Path(sys.executable).parents[1]),
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([script, "--python", sys.executable, *args], cwd=recipe, env=env,
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        pytest.fail(f"{script} {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def run_module(module: str, *args: str) -> subprocess.CompletedProcess:
    """``python -m espnet_lau.bin.<module> args...`` from the repository, as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", f"espnet_lau.bin.{module}", *args], cwd=REPO,
                          capture_output=True, text=True, env=env)


def lau_training_options(recipe: Path, config: Path) -> list:
    """The data and model options stage 11 gives ``lau_st_train`` (and ``semantic_balance``)
    on the recipe run's dumps, as strings: data with the source text and the embeddings,
    shapes, statistics and the ASR encoder (no ``--output_dir``)."""
    d, stats, tok = recipe / "dump/raw", recipe / ST_STATS, recipe / TGT_BPE
    src = recipe / "data/token_list/src_bpe_unigram40"
    options = ["--config", str(config), "--use_preprocessor", "true", "--token_type", "bpe",
               "--bpemodel", f"{tok}/bpe.model", "--token_list", f"{tok}/tokens.txt",
               "--src_token_type", "bpe", "--src_bpemodel", f"{src}/bpe.model", "--src_token_list", f"{src}/tokens.txt"]
    for option, dset in (("--train_data_path_and_name_and_type", "train"), ("--valid_data_path_and_name_and_type", "dev")):
        options += [option, f"{d}/{dset}/wav.scp,speech,sound", option, f"{d}/{dset}/{TGT_TEXT},text,text",
                    option, f"{d}/{dset}/{SRC_TEXT},src_text,text", option, f"{d}/{dset}/sem_emb/sem_emb.scp,sem_emb,npy"]
    return options + [
        "--train_shape_file", f"{stats}/train/speech_shape", "--train_shape_file", f"{stats}/train/text_shape",
        "--valid_shape_file", f"{stats}/valid/speech_shape", "--valid_shape_file", f"{stats}/valid/text_shape",
        "--fold_length", "80000", "--fold_length", "150",
        "--normalize", "global_mvn", "--normalize_conf", f"stats_file={stats}/train/feats_stats.npz",
        "--init_param", f"{recipe}/{ASR_EXP}/valid.acc.ave.pth:encoder:encoder",
    ]
