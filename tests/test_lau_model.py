"""LAUSTModel / LAUSTTask on tiny models: equality with stock, gradients, options, errors."""

import numpy as np
import pytest
import torch
from espnet2.st.espnet_model import ESPnetSTModel
from espnet2.tasks.st import STTask
from espnet2.torch_utils.set_all_random_seed import set_all_random_seed
from tiny_st import BASELINE_CONFIG, EMB_DIM, LAU_CONFIG, tiny_args, tiny_batch

from espnet_lau.espnet_model import LAUSTModel
from espnet_lau.semantic.head import SemanticHead
from espnet_lau.tasks.lau_st import PLACEHOLDER_SRC_TOKENS, LAUSTTask
from espnet_lau.tasks.sem_emb import read_sem_emb_dim


def build(extra=(), seed=0):
    """A LAU model; default-layout convolutions, to compare bit for bit with the stock model."""
    torch.manual_seed(seed)
    args = tiny_args(LAU_CONFIG, "--semantic_head_conf", f"output_size={EMB_DIM}",
                     "--conv_channels_last", "false", *extra)
    return LAUSTTask.build_model(args), args


def build_stock(seed=0):
    """The upstream model; it needs a source vocabulary (the upstream crash otherwise)."""
    torch.manual_seed(seed)
    args = tiny_args(BASELINE_CONFIG, "--src_token_type", "char")
    args.src_token_list = list(PLACEHOLDER_SRC_TOKENS)
    return STTask.build_model(args)


def run(model, batch, seed=1):
    torch.manual_seed(seed)
    return model(**{k: (v.clone() if torch.is_tensor(v) else v) for k, v in batch.items()})


def test_state_dict_is_stock_plus_semantic_head():
    lau, _ = build()
    stock = build_stock()
    lau_keys = set(lau.state_dict())
    assert set(stock.state_dict()) == {k for k in lau_keys if not k.startswith("semantic_head.")}
    assert any(k.startswith("semantic_head.") for k in lau_keys)
    assert isinstance(lau, ESPnetSTModel) and lau.semantic_head.output_size == EMB_DIM


def test_baseline_config_builds_no_head():
    torch.manual_seed(0)
    model = LAUSTTask.build_model(tiny_args(BASELINE_CONFIG))
    assert model.semantic_head is None
    assert set(model.state_dict()) == set(build_stock().state_dict())


def test_without_sem_emb_the_loss_is_the_stock_loss():
    lau, _ = build()
    stock = build_stock()
    batch = tiny_batch()
    no_emb = {k: v for k, v in batch.items() if k != "sem_emb"}
    assert torch.equal(run(lau, no_emb)[0], run(stock, no_emb)[0])


def test_lambda_zero_equals_stock_loss_and_still_logs():
    stock = build_stock()
    same = build_stock()
    lau = LAUSTModel.from_stock(same, SemanticHead(32, EMB_DIM), semantic_weight=0.0)
    batch = tiny_batch()
    loss, stats, _ = run(lau, batch)
    stock_loss, stock_stats, _ = run(stock, batch)
    assert torch.equal(loss, stock_loss)
    assert torch.equal(stats["loss_st"], stock_stats["loss_st"])
    assert "loss_sem" in stats and "cos_sem" in stats


@pytest.mark.parametrize("loss_name", ["mse", "cosine", "infonce"])
def test_lau_loss_adds_lambda_times_semantic_loss(loss_name):
    lau, _ = build(["--semantic_weight", "2.5", "--semantic_loss", loss_name])
    stock = build_stock()
    batch = tiny_batch()
    loss, stats, weight = run(lau, batch)
    stock_loss = run(stock, batch)[0]
    torch.testing.assert_close(loss, stock_loss + 2.5 * stats["loss_sem"])
    assert -1.0 <= stats["cos_sem"].item() <= 1.0 and weight.item() == 3


def test_semantic_gradient_reaches_encoder_and_head_never_decoder():
    lau, _ = build(["--semantic_weight", "3.0"])
    stock = build_stock()
    batch = tiny_batch()
    run(lau, batch)[0].sum().backward()
    run(stock, batch)[0].sum().backward()
    lau_params = dict(lau.named_parameters())
    for name, param in stock.named_parameters():
        if name.startswith("decoder."):
            torch.testing.assert_close(lau_params[name].grad, param.grad, rtol=0, atol=0)
    encoder_diff = [
        (lau_params[n].grad - p.grad).abs().max().item()
        for n, p in stock.named_parameters()
        if n.startswith("encoder.")
    ]
    assert max(encoder_diff) > 0, "L_sem must change the encoder gradients"
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in lau.semantic_head.parameters())


def test_lambda_warmup_counts_training_batches():
    lau, _ = build(["--semantic_weight", "2.0", "--semantic_lambda_warmup_steps", "4"])
    batch = tiny_batch()
    lau.train()
    seen = [run(lau, batch)[1]["semantic_weight"].item() for _ in range(5)]
    assert seen == pytest.approx([0.5, 1.0, 1.5, 2.0, 2.0])
    lau.eval()
    run(lau, batch)
    assert int(lau.semantic_head.lambda_step) == 5


def test_wrong_embedding_dimension_names_the_utterance():
    lau, _ = build()
    batch = tiny_batch()
    batch["sem_emb"] = torch.randn(3, EMB_DIM + 1)
    with pytest.raises(ValueError, match=r"utterance 'utt0' has shape \(9,\) but the semantic head outputs 8"):
        run(lau, batch)


def test_non_finite_embedding_names_the_utterance():
    lau, _ = build()
    batch = tiny_batch()
    batch["sem_emb"][1, 3] = float("nan")
    batch["sem_emb"][2, 0] = float("inf")
    with pytest.raises(ValueError, match="NaN or Inf for utterance\\(s\\) 'utt1', 'utt2'"):
        run(lau, batch)


def write_scp(tmp_path, dim, n=2, meta_dim=None):
    lines = []
    for i in range(n):
        path = tmp_path / f"u{i}.npy"
        np.save(path, np.ones(dim, dtype=np.float32))
        lines.append(f"u{i} {path}\n")
    scp = tmp_path / "sem_emb.scp"
    scp.write_text("".join(lines))
    if meta_dim is not None:
        (tmp_path / "meta.json").write_text(f'{{"dim": {meta_dim}}}')
    return scp


def test_head_output_size_is_read_from_the_data(tmp_path):
    scp = write_scp(tmp_path, 6)
    torch.manual_seed(0)
    args = tiny_args()
    args.train_data_path_and_name_and_type = [(str(scp), "sem_emb", "npy")]
    model = LAUSTTask.build_model(args)
    assert model.semantic_head.output_size == 6 and args.semantic_head_conf["output_size"] == 6


def test_head_size_mismatch_fails_before_training_with_both_numbers(tmp_path):
    scp = write_scp(tmp_path, 6)
    args = tiny_args(LAU_CONFIG, "--semantic_head_conf", "output_size=768")
    args.train_data_path_and_name_and_type = [(str(scp), "sem_emb", "npy")]
    with pytest.raises(ValueError, match="holds 6-dim embeddings but the semantic head outputs 768"):
        LAUSTTask.build_model(args)


def test_meta_json_must_agree_with_the_vectors(tmp_path):
    scp = write_scp(tmp_path, 6, meta_dim=512)
    with pytest.raises(ValueError, match="meta.json says dim=512 but .*u0.npy has 6 values"):
        read_sem_emb_dim(str(scp))


def test_lau_without_embeddings_or_output_size_is_refused():
    with pytest.raises(ValueError, match="needs teacher embeddings"):
        LAUSTTask.build_model(tiny_args())


def test_st_without_source_transcripts_gets_a_placeholder_vocabulary():
    args = tiny_args(LAU_CONFIG, "--semantic_head_conf", f"output_size={EMB_DIM}")
    assert args.src_token_list is None
    model = LAUSTTask.build_model(args)
    assert args.src_token_type == "char" and model.src_token_list == args.src_token_list


def test_missing_sem_emb_for_a_training_utterance_is_named(tmp_path):
    """LAUSTTask.build_dataset checks sem_emb covers every utterance it will load."""
    import argparse

    import soundfile
    from espnet2.tasks.abs_task import IteratorOptions

    wav = tmp_path / "a.wav"
    soundfile.write(wav, np.zeros(1600, dtype=np.float32), 16000)
    (tmp_path / "wav.scp").write_text(f"u0 {wav}\nu1 {wav}\nu2 {wav}\n")
    (tmp_path / "text").write_text("u0 a\nu1 b\nu2 c\n")
    scp = write_scp(tmp_path, EMB_DIM, n=2)  # u0 and u1 only
    data = [(str(tmp_path / "wav.scp"), "speech", "sound"), (str(tmp_path / "text"), "text", "text"),
            (str(scp), "sem_emb", "npy")]
    iter_options = IteratorOptions(
        preprocess_fn=None, collate_fn=None, data_path_and_name_and_type=data, shape_files=[],
        batch_size=1, batch_bins=0, batch_type="folded", max_cache_size=0.0, max_cache_fd=0,
        allow_multi_rates=False, distributed=False, num_batches=None, num_iters_per_epoch=None,
        train=True)
    args = argparse.Namespace(multi_task_dataset=False, train_dtype="float32",
                              allow_variable_data_keys=False)
    assert LAUSTTask.build_dataset(args, iter_options, {"u0", "u1"}) is not None
    with pytest.raises(RuntimeError, match="sem_emb.scp has no sem_emb for 1 utterance.*u2"):
        LAUSTTask.build_dataset(args, iter_options, {"u0", "u1", "u2"})


def test_a_wrong_size_embedding_fails_before_the_first_step_naming_the_utterance(tmp_path):
    """ESPnet's collate function would zero-pad a 256-dim vector among 512-dim ones."""
    from espnet_lau.tasks.sem_emb import check_sem_emb_vectors
    from espnet2.fileio.npy_scp import NpyScpReader

    scp = write_scp(tmp_path, 512, n=3, meta_dim=512)
    np.save(tmp_path / "u1.npy", np.ones(256, dtype=np.float32))  # shortened
    with pytest.raises(ValueError, match=r"utterance 'u1' has a sem_emb of shape \(256,\).*u1.npy.*re-run embed_text"):
        check_sem_emb_vectors(str(scp), NpyScpReader(scp), ["u0", "u1", "u2"])
    np.save(tmp_path / "u1.npy", np.full(512, np.nan, dtype=np.float32))
    with pytest.raises(ValueError, match="utterance 'u1'.*NaN or Inf"):
        check_sem_emb_vectors(str(scp), NpyScpReader(scp), ["u0", "u1", "u2"])
    np.save(tmp_path / "u1.npy", np.ones(512, dtype=np.float32))
    assert check_sem_emb_vectors(str(scp), NpyScpReader(scp), ["u0", "u1", "u2"]) == 512


def test_the_same_seed_gives_identical_weights_after_training_steps():
    """The recipe's claim 'same seed, identical checkpoints', at the model: build + 2 steps."""
    def train(seed):
        set_all_random_seed(seed)
        model, _ = build(seed=seed)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for step in range(2):
            loss = model(**tiny_batch(seed=step))[0]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return model.state_dict()

    first, again, other = train(0), train(0), train(1)
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not all(torch.equal(first[k], other[k]) for k in first)


def test_the_constructor_is_type_checked_as_espnets_are():
    from espnet_lau.espnet_model import LAUSTModel

    with pytest.raises(TypeError, match="semantic_weight"):
        LAUSTModel(semantic_weight="1.0")  # a string from a hand-edited config, caught before building


@pytest.mark.parametrize("option, value, message", [
    ("--semantic_head_conf", "droput=0.1", r"semantic_head_conf: unknown key 'droput' \(did you mean 'dropout'\?\); it takes: output_size, hidden_size, pooling, dropout"),
    ("--semantic_loss_conf", "temprature=0.1", r"semantic_loss_conf \(semantic_loss: mse\): unknown key 'temprature'; it takes: no keys"),
])
def test_a_misspelt_conf_key_names_its_option_and_the_keys_it_takes(option, value, message):
    from espnet_lau.tasks.choices import ConfKeyError

    with pytest.raises(ConfKeyError, match=message):
        LAUSTTask.build_model(tiny_args(LAU_CONFIG, option, value))
