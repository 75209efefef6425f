"""Command lines of the small recipe tools, called as the recipe calls them (strings):
guard_inputs (stages 6, 10, 11), most_frequent_baseline (stage 13), prepare_mini_corpus
(stage 1)."""

import json

import pytest

from espnet_lau.bin import guard_inputs, most_frequent_baseline, prepare_mini_corpus


def test_guard_inputs_reads_config_keys_itself_and_refuses_a_changed_one(tmp_path, capsys):
    """Stages 6 and 10 pass `front end=yaml:<config>:frontend_conf`: the YAML value is read
    in Python, so no config value passes through shell code."""
    config = tmp_path / "st.yaml"
    config.write_text("frontend_conf:\n    n_mels: 40\nsemantic_weight: 1.0\n")
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"teacher": "usem3", "dim": 512}))
    folder = tmp_path / "exp/st_stats"
    args = ["--dir", str(folder), f"front end=yaml:{config}:frontend_conf", f"teacher=json:{meta}:teacher"]
    guard_inputs.main(args)
    record = json.loads((folder / ".inputs.json").read_text())
    assert record == {"front end": json.dumps({"n_mels": 40}), "teacher": json.dumps("usem3")}
    (folder / "train").mkdir()  # the folder now holds results
    config.write_text("frontend_conf:\n    n_mels: 80\nsemantic_weight: 1.0\n")
    with pytest.raises(SystemExit) as exc:
        guard_inputs.main(args)
    assert "was made from other inputs: front end changed since" in str(exc.value.code)
    config.write_text("frontend_conf:\n    n_mels: 40\nsemantic_weight: 5.0\n")  # another key: fine
    guard_inputs.main(args)
    with pytest.raises(SystemExit) as exc:
        guard_inputs.main(["--dir", str(folder), f"front end=yaml:{tmp_path}/nope.yaml:frontend_conf"])
    assert "nope.yaml does not exist" in str(exc.value.code)


def test_most_frequent_baseline_writes_the_most_frequent_training_target(tmp_path):
    train, keys, out = tmp_path / "train_text", tmp_path / "test_text", tmp_path / "mf/test/text"
    train.write_text("a1 il pleut\na2 bonjour\na3 il pleut\n")
    keys.write_text("t1 le chat\nt2 la pluie\n")
    most_frequent_baseline.main(["--train_text", str(train), "--keys", str(keys), "--out", str(out)])
    assert out.read_text() == "t1 il pleut\nt2 il pleut\n"


def test_prepare_mini_corpus_writes_the_sets_it_is_asked_for(tmp_path, capsys):
    out = tmp_path / "data"
    prepare_mini_corpus.main(["--output_dir", str(out), "--size", "tiny", "--num_train", "6", "--num_dev", "3",
                              "--num_test", "3", "--nj", "2", "--progress", "false", "--log_level", "WARNING"])
    for name, n in (("train", 6), ("dev", 3), ("test", 3)):
        assert len((out / name / "wav.scp").read_text().splitlines()) == n
    assert "train: 6 utterances" in capsys.readouterr().out


def test_check_configs_names_the_option_and_the_file(tmp_path):
    """The recipe's check of its configs before any stage (no YAML read in shell code)."""
    from espnet_lau.bin import check_configs

    good, bad, listed = tmp_path / "good.yaml", tmp_path / "bad.yaml", tmp_path / "list.yaml"
    good.write_text("max_epoch: 2\n")
    bad.write_text("frontend: [a, b\n")
    listed.write_text("- a\n- b\n")
    check_configs.main([f"st_config={good}", f"asr_config={good}"])
    with pytest.raises(SystemExit) as exc:
        check_configs.main([f"st_config={good}", f"asr_config={bad}"])
    assert str(exc.value.code).startswith(f"--asr_config {bad}: not valid YAML: while parsing a flow sequence")
    with pytest.raises(SystemExit) as exc:
        check_configs.main([f"inference_config={listed}"])
    assert exc.value.code == f"--inference_config {listed}: not a mapping of option: value lines"
