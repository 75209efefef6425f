"""The balance ratio r = ||grad_enc(λ·L_sem)|| / ||grad_enc(L_ST)||: by hand and from the CLI."""

import json

import pytest
import torch
from recipe_helpers import ST_EXP, lau_training_options
from tiny_st import EMB_DIM, LAU_CONFIG, tiny_args, tiny_batch

from espnet_lau.bin import semantic_balance
from espnet_lau.semantic.balance import encoder_parameters, measure_balance, measure_batch
from espnet_lau.tasks.lau_st import LAUSTTask


def tiny_model(semantic_weight=2.5, loss="mse"):
    torch.manual_seed(0)
    args = tiny_args(LAU_CONFIG, "--semantic_head_conf", f"output_size={EMB_DIM}",
                     "--semantic_weight", str(semantic_weight), "--semantic_loss", loss)
    model = LAUSTTask.build_model(args)
    model.eval()  # deterministic: no dropout, no SpecAugment
    return model


def encoder_grad(model, loss):
    grads = torch.autograd.grad(loss.sum(), encoder_parameters(model), allow_unused=True)
    return torch.cat([g.flatten() for g in grads if g is not None])


@pytest.mark.parametrize("loss", ["mse", "cosine"])
def test_ratio_equals_the_hand_computation(loss):
    model = tiny_model(loss=loss)
    batch = tiny_batch()
    # By hand: the gradient of the full LAU loss minus that of the stock loss is λ·∇L_sem.
    g_total = encoder_grad(model, model(**batch)[0])
    stock_batch = {k: v for k, v in batch.items() if k != "sem_emb"}
    g_st = encoder_grad(model, model(**stock_batch)[0])
    r_hand = float((g_total - g_st).norm() / g_st.norm())

    measured = measure_balance(model, [batch], semantic_weight=2.5)
    assert measured.ratio == pytest.approx(r_hand, rel=1e-4)
    assert measured.lambda_for(1.0) * measured.ratio_per_unit_lambda == pytest.approx(1.0)
    assert measured.ratio == pytest.approx(2.5 * measured.ratio_per_unit_lambda)


def test_measurement_does_not_change_the_weights_or_the_lambda_counter():
    model = tiny_model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    measure_batch(model, tiny_batch())
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_training_logs_the_loss_ratio():
    model = tiny_model(semantic_weight=2.5)
    _, stats, _ = model(**tiny_batch())
    assert float(stats["sem_loss_ratio"]) == pytest.approx(
        2.5 * float(stats["loss_sem"]) / (float(stats["loss"]) - 2.5 * float(stats["loss_sem"])), rel=1e-4)


@pytest.mark.slow
def test_cli_on_the_recipe_data(recipe, tmp_path, capsys):
    """The command on real batches of the tiny recipe's training data and ASR encoder."""
    out = tmp_path / "balance.json"
    common = [*lau_training_options(recipe, recipe / "conf/tuning/train_st_lau_debug.yaml"),
              "--num_batches", "2", "--target_ratio", "0.5", "--balance_out", str(out)]
    result = semantic_balance.main(common)
    printed = capsys.readouterr().out
    assert "λ for r = 0.5:" in printed and "2 batches" in printed
    saved = json.loads(out.read_text())
    assert saved["num_batches"] == 2 and saved["ratio"] == pytest.approx(result.ratio)
    assert saved["lambda_for_target_ratio"] == pytest.approx(0.5 / result.ratio_per_unit_lambda)
    assert all(b["grad_norm_st"] > 0 and b["grad_norm_sem"] > 0 for b in saved["batches"])
    # The recipe logged the same measurement once before ST training.
    assert (recipe / ST_EXP / "semantic_balance.json").is_file()
    assert "semantic balance (mse" in (recipe / "run.log").read_text()


def test_cli_refuses_training_data_without_embeddings(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        semantic_balance.main(["--config", str(LAU_CONFIG), "--token_list", "x",
                               "--train_data_path_and_name_and_type", "a.scp,speech,sound"])
    assert exc.value.code == 1
    assert "no sem_emb in the training data" in capsys.readouterr().err
