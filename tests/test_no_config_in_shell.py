"""No config value reaches shell code: the recipe asks Python entry points (lau_st_train
resolves λ itself, guard_inputs reads yaml:/json: keys, check_configs checks the files),
and a hostile value in a shared config is refused as a number before anything runs."""

import re
from pathlib import Path

import pytest
import yaml
from tiny_st import LAU_CONFIG

from espnet_lau.bin import lau_st_train

RECIPE = Path(__file__).resolve().parents[1] / "egs2/bambara_fr/st1"
S2T1 = RECIPE.parent / "s2t1"
SCRIPTS = sorted([RECIPE / "run.sh", RECIPE / "lau_st.sh", *RECIPE.glob("local/*.sh"),
                  S2T1 / "run.sh", S2T1 / "lau_s2t.sh"])


def test_a_command_hidden_in_semantic_weight_runs_nothing(tmp_path, monkeypatch, capsys):
    """The audit's config: stage 11 used to paste semantic_weight into an awk program."""
    marker = tmp_path / "PWNED"
    config = yaml.safe_load(LAU_CONFIG.read_text())
    config["semantic_weight"] = f'1) + system("touch {marker}") + (1'
    hostile = tmp_path / "shared.yaml"
    hostile.write_text(yaml.safe_dump(config))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        lau_st_train.main(["--config", str(hostile), "--token_list", "x", "--output_dir", str(tmp_path / "exp")])
    # ESPnet's parser passes a string config value through the option's type: its last line
    # names the option and the value (exit 2, after its usage, as for any bad option).
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert exc.value.code == 2 and "argument --semantic_weight: invalid float_or_none value" in last
    assert not marker.exists() and not (tmp_path / "exp").exists()


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.relative_to(RECIPE.parent).as_posix() for p in SCRIPTS])
def test_the_recipe_scripts_read_no_config_value_and_run_no_inline_python(script):
    text = script.read_text()
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"python\}?\"?\s+-c\b", code), f"{script.name}: inline Python (python -c)"
    assert "yaml_value" not in code and "yaml.safe_load" not in code, f"{script.name} reads a YAML value"
    assert not re.search(r'awk\s+"[^"]*\$\(', code), f"{script.name}: a command's output pasted into awk"
