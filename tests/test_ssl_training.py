"""LAU on a self-supervised frontend, end to end on the recipe run's data: a tiny wav2vec2
made here, prepare_ssl_config, one epoch of lau_st_train, the export to a stock ESPnet model,
and decoding with ESPnet's own inference (espnet_lau.bin.st_inference registers hf_ssl)."""

import pytest
import torch
import yaml
from recipe_helpers import lau_training_options
from tiny_ssl import save_tiny_ssl_model
from tiny_st import LAU_CONFIG

from espnet_lau.bin import export_stock, lau_st_train, prepare_ssl_config, st_inference

#: What stage 11 gives lau_st_train for an fbank model and not for an SSL one: the global
#: statistics of stage 10 (of the waveform, with extract_feats_in_collect_stats false) and
#: the ASR encoder (its input layer does not fit the pre-encoder's width).
FBANK_ONLY = ("--normalize", "--normalize_conf", "--init_param")


def ssl_training_options(recipe, config):
    options = lau_training_options(recipe, config)
    kept = []
    for i, item in enumerate(options):
        if item in FBANK_ONLY or (i and options[i - 1] in FBANK_ONLY):
            continue
        kept.append(item)
    return kept


@pytest.mark.slow
def test_lau_trains_on_a_frozen_wav2vec2_exports_stock_and_decodes(recipe, tmp_path, monkeypatch):
    ssl = save_tiny_ssl_model(tmp_path / "w2v")
    config = tmp_path / "ssl.yaml"
    prepare_ssl_config.main(["--ssl_model", str(ssl), "--st_config", str(LAU_CONFIG), "--output", str(config)])
    exp = tmp_path / "exp"
    from espnet_lau.tasks import semantic_weight

    measured_upstream_trains = []
    measure = semantic_weight.measure_balance

    def spy(model, *args, **kwargs):  # the λ measurement at the start sees the frozen upstream too
        measured_upstream_trains.append(any(p.requires_grad for p in model.frontend.upstream.parameters()))
        return measure(model, *args, **kwargs)

    monkeypatch.setattr(semantic_weight, "measure_balance", spy)
    lau_st_train.main([*ssl_training_options(recipe, config), "--ngpu", "0", "--num_workers", "0",
                       "--use_tensorboard", "false", "--use_matplotlib", "false", "--max_epoch", "1",
                       "--output_dir", str(exp)])
    assert measured_upstream_trains == [False]
    trained = torch.load(exp / "valid.acc.ave.pth", weights_only=True)
    from transformers import AutoModel

    original = AutoModel.from_pretrained(str(ssl), local_files_only=True).state_dict()
    frozen = {k: v for k, v in trained.items() if k.startswith("frontend.upstream.")}
    assert len(frozen) == len(original)
    assert all(torch.equal(v, original[k[len("frontend.upstream."):]]) for k, v in frozen.items())
    assert not torch.equal(trained["frontend.layer_weights"], torch.zeros(3))  # the layer sum learned
    assert trained["preencoder.linear_out.weight"].shape == (80, 32)

    export = tmp_path / "export"
    export_stock.main(["--config", str(exp / "config.yaml"), "--model_file", str(exp / "valid.acc.ave.pth"),
                       "--outdir", str(export)])
    exported = yaml.safe_load((export / "config.yaml").read_text())
    assert exported["frontend"] == "hf_ssl" and "semantic_weight" not in exported
    scp = tmp_path / "test.scp"
    scp.write_text("".join((recipe / "dump/raw/test/wav.scp").read_text().splitlines(True)[:2]))
    st_inference.main(["--st_train_config", str(export / "config.yaml"), "--st_model_file", str(export / "model.pth"),
                       "--output_dir", str(tmp_path / "decode"), "--ngpu", "0", "--beam_size", "2",
                       "--maxlenratio", "0.3", "--data_path_and_name_and_type", f"{scp},speech,sound"])
    hyps = (tmp_path / "decode/1best_recog/text").read_text().splitlines()
    assert [line.split()[0] for line in hyps] == [line.split()[0] for line in scp.read_text().splitlines()]


@pytest.mark.slow
def test_the_recipe_trains_on_ssl_model_without_asr_pretraining(recipe, tmp_path):
    """lau_st.sh --ssl_model, stages 6-13 on a copy of the recipe run's dumps: stage 6 is
    skipped, stage 10 collects lengths only, stage 11 trains on the generated config (no ASR
    encoder, no global statistics) and exports a stock model, stage 12 decodes it (ESPnet's
    Speech2Text, hf_ssl registered) and stage 13 scores it."""
    import shutil

    from recipe_helpers import DEBUG, INFERENCE_TAG, make_recipe_copy, run_recipe

    copy = make_recipe_copy(tmp_path)
    shutil.copytree(recipe / "dump", copy / "dump", symlinks=True)
    shutil.copytree(recipe / "data/token_list", copy / "data/token_list")
    (copy / "dump/.made_in").unlink()  # its scp files name the fixture's audio: read, never written
    ssl = save_tiny_ssl_model(tmp_path / "w2v")
    proc = run_recipe(copy, *DEBUG, "--ssl_model", str(ssl), "--stage", "6", "--stop_stage", "13",
                      "--st_max_epoch", "1", "--inference_nj", "1")
    assert "Stage 6 skipped: with --ssl_model" in proc.stdout and not (copy / "exp/asr_stats_raw_bam_bpe40").exists()
    assert "No drift: with --ssl_model" in proc.stdout
    stats = copy / "exp/st_stats_raw_bam_fr_bpe60_ssl/train"
    assert (stats / "speech_shape").is_file() and not (stats / "feats_stats.npz").exists()
    exp = copy / "exp/st_train_st_lau_debug_ssl_w2v_raw_bam_fr_bpe_lc.rm60"
    trained = yaml.safe_load((exp / "config.yaml").read_text())
    assert trained["frontend"] == "hf_ssl" and trained["normalize"] == "utterance_mvn"
    assert trained["init_param"] == [] and trained["freeze_param"] == ["frontend.upstream"]
    assert (exp / "export/valid.acc.ave/model.pth").is_file()
    decoded = exp / INFERENCE_TAG / "test"
    assert "espnet_lau.bin.st_inference" in (decoded / "logdir/st_inference.1.log").read_text()
    assert 0 <= yaml.safe_load((decoded / "score_bleu/scores.json").read_text())["bleu"] <= 100


@pytest.mark.parametrize("options,message", [
    (["--ssl_model", "{tmp}/nope"], "prepare_ssl_config: error: --ssl_model {tmp}/nope: no such folder"),
    (["--ssl_model", "{tmp}/w2v", "--ssl_frozen_steps", "100"], "--ssl_frozen_steps 100 needs --ssl_finetune true"),
    (["--ssl_finetune", "yes"], "--ssl_finetune must be true or false, got 'yes'"),
    (["--ssl_frozen_steps", "-1"], "--ssl_frozen_steps must be >= 0, got -1"),
])
def test_the_recipe_refuses_bad_ssl_options_before_any_stage(tmp_path, options, message):
    from recipe_helpers import make_recipe_copy, run_recipe

    (tmp_path / "w2v").mkdir()
    (tmp_path / "w2v/config.json").write_text('{"model_type": "wav2vec2", "hidden_size": 8, '
                                              '"num_hidden_layers": 1, "conv_stride": [320]}')
    (tmp_path / "w2v/model.safetensors").write_bytes(b"")
    (tmp_path / "w2v/preprocessor_config.json").write_text("{}")
    recipe = make_recipe_copy(tmp_path)
    proc = run_recipe(recipe, *[o.format(tmp=tmp_path) for o in options], check=False)
    assert proc.returncode == 1 and message.format(tmp=tmp_path) in proc.stderr
    assert "Stage 1" not in proc.stdout
