"""semantic_target_norm standardize: statistics, the loss against the hand formula, export."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from tiny_st import EMB_DIM, LAU_CONFIG, tiny_args, tiny_batch

from espnet_lau.export import stock_config
from espnet_lau.semantic.target_norm import (
    TargetStats,
    TargetStatsError,
    compute_target_stats,
    read_target_stats,
)
from espnet_lau.tasks.lau_st import LAUSTTask
from espnet_lau.tasks.semantic_task import LAU_CONFIG_KEYS
from espnet_lau.teachers.embed import embed_text_file


def test_stats_are_the_mean_and_the_per_element_rms_deviation():
    rng = np.random.default_rng(0)
    vectors = rng.normal(3.0, 0.05, size=(50, 7))
    stats = compute_target_stats(vectors)
    np.testing.assert_allclose(stats.mean, vectors.mean(axis=0))
    assert stats.scale == pytest.approx(np.sqrt(((vectors - vectors.mean(axis=0)) ** 2).mean()))
    # The best constant prediction (0 after standardising) has element-mean MSE exactly 1.
    standardized = (vectors - stats.mean) / stats.scale
    assert np.mean(standardized**2) == pytest.approx(1.0)
    assert stats.num_vectors == 50


def test_identical_vectors_cannot_be_standardized():
    with pytest.raises(TargetStatsError, match="identical"):
        compute_target_stats(np.ones((4, 3)))


def write_embeddings(tmp_path, vectors):
    """sem_emb.scp and a meta.json with the statistics of ``vectors`` (N, E)."""
    lines = []
    for i, vec in enumerate(vectors):
        path = tmp_path / f"u{i}.npy"
        np.save(path, vec.astype(np.float32))
        lines.append(f"utt{i} {path}\n")
    (tmp_path / "sem_emb.scp").write_text("".join(lines))
    stats = compute_target_stats(vectors)
    meta = {"dim": vectors.shape[1], "target_stats": stats.as_json()}
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    return tmp_path / "sem_emb.scp", stats


def build_with_data(scp, *extra):
    torch.manual_seed(0)
    args = tiny_args(LAU_CONFIG, "--conv_channels_last", "false", *extra)
    args.train_data_path_and_name_and_type = [(str(scp), "sem_emb", "npy")]
    return LAUSTTask.build_model(args), args


@pytest.mark.parametrize("loss_name", ["mse", "cosine"])
def test_standardized_loss_equals_the_hand_formula_with_stats_from_meta_json(tmp_path, loss_name):
    rng = np.random.default_rng(1)
    vectors = rng.normal(0.5, 0.02, size=(6, EMB_DIM))
    scp, stats = write_embeddings(tmp_path, vectors)
    model, _ = build_with_data(
        scp, "--semantic_target_norm", "standardize", "--semantic_loss", loss_name
    )
    head = model.semantic_head
    torch.testing.assert_close(head.target_standardizer.mean, torch.tensor(stats.mean, dtype=torch.float32))
    assert float(head.target_standardizer.scale) == pytest.approx(stats.scale)

    batch = tiny_batch()
    batch["sem_emb"] = torch.tensor(vectors[:3], dtype=torch.float32)
    model.eval()
    captured = {}
    original = head.forward
    head.forward = lambda xs, lengths: captured.setdefault("pred", original(xs, lengths))
    _, stats_out, _ = model(**batch)
    pred = captured["pred"]
    target = (batch["sem_emb"] - torch.tensor(stats.mean, dtype=torch.float32)) / stats.scale
    if loss_name == "mse":
        expected = ((pred - target) ** 2).mean()
    else:  # cosine against the centred targets
        centred = batch["sem_emb"] - torch.tensor(stats.mean, dtype=torch.float32)
        expected = (1 - F.cosine_similarity(pred, centred, dim=-1)).mean()
    assert float(stats_out["loss_sem"]) == pytest.approx(float(expected), rel=1e-5)


def test_none_keeps_the_raw_targets(tmp_path):
    vectors = np.random.default_rng(2).normal(size=(4, EMB_DIM))
    scp, _ = write_embeddings(tmp_path, vectors)
    model, _ = build_with_data(scp)
    assert model.semantic_head.target_standardizer is None
    raw = torch.randn(2, EMB_DIM)
    assert model.semantic_head.prepare_target(raw) is raw


def test_standardize_without_statistics_names_the_file(tmp_path):
    vectors = np.random.default_rng(3).normal(size=(4, EMB_DIM))
    scp, _ = write_embeddings(tmp_path, vectors)
    (tmp_path / "meta.json").write_text(json.dumps({"dim": EMB_DIM}))
    with pytest.raises(TargetStatsError, match="meta.json has no 'target_stats'.*re-run"):
        build_with_data(scp, "--semantic_target_norm", "standardize")


def test_rebuilt_model_takes_the_statistics_from_its_checkpoint(tmp_path):
    vectors = np.random.default_rng(4).normal(size=(5, EMB_DIM))
    scp, stats = write_embeddings(tmp_path, vectors)
    trained, args = build_with_data(scp, "--semantic_target_norm", "standardize")
    args.train_data_path_and_name_and_type = []  # config.yaml rebuilt without the data
    rebuilt = LAUSTTask.build_model(args)
    assert float(rebuilt.semantic_head.target_standardizer.scale) == 1.0  # placeholder
    rebuilt.load_state_dict(trained.state_dict())
    assert float(rebuilt.semantic_head.target_standardizer.scale) == pytest.approx(stats.scale)


def test_export_strips_the_option_and_the_buffers():
    assert "semantic_target_norm" in LAU_CONFIG_KEYS
    config = {"src_token_list": [], "token_list": [], "semantic_weight": 1.0,
              "semantic_target_norm": "standardize"}
    assert "semantic_target_norm" not in stock_config(config, "config.yaml")


def test_embed_text_stores_per_utterance_statistics(tmp_path):
    class Teacher:
        name, fingerprint, dim, batch_size, normalize_embeddings = "fake", "fake-v1", 3, 8, False

        def encode(self, sentences):
            return np.array([[len(s), s.count("a"), 1.0] for s in sentences], dtype=np.float32)

    text = tmp_path / "text"
    text.write_text("u1 a a a\nu2 bb\nu3 bb\n")
    embed_text_file(text, tmp_path / "out", Teacher(), use_cache=False, show_progress=False)
    stats = read_target_stats(tmp_path / "out" / "meta.json")
    expected = compute_target_stats(np.array([[5, 3, 1], [2, 0, 1], [2, 0, 1]], dtype=np.float32))
    np.testing.assert_allclose(stats.mean, expected.mean, rtol=1e-6)
    assert stats.scale == pytest.approx(expected.scale) and stats.num_vectors == 3
    assert isinstance(stats, TargetStats)
