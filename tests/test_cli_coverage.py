"""Every bin/ tool is tested through its command line: some test calls its ``main([...])``
with a list of arguments (or runs it with ``run_module``), as the recipe and users run it.

A function tested only in-process is not tested: the recipe hands a tool strings, and a
tool once crashed on the first utterance it dropped because its tests passed ``Path``s.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
BIN = TESTS.parent / "espnet_lau/bin"
TOOLS = sorted(p.stem for p in BIN.glob("*.py") if p.stem != "__init__")


def tools_called_through_main(source: str) -> set:
    """The bin tools a test module calls as ``<tool>.main([...])``, ``main([...])`` after
    ``from espnet_lau.bin.<tool> import main [as x]``, or ``run_module("<tool>", ...)``."""
    tree = ast.parse(source)
    module_alias, main_alias = {}, {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "espnet_lau.bin":
            for name in node.names:
                module_alias[name.asname or name.name] = name.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("espnet_lau.bin."):
            for name in node.names:
                if name.name == "main":
                    main_alias[name.asname or "main"] = node.module.rsplit(".", 1)[1]
    called = set()
    for func in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        # @pytest.mark.parametrize("tool", [lau_st_train, asr_train]) ... tool.main([...])
        params = {a.arg for a in func.args.args}
        calls_main = any(isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr == "main"
                         and isinstance(c.func.value, ast.Name) and c.func.value.id in params
                         for c in ast.walk(func))
        for deco in func.decorator_list if calls_main else []:
            for name in (n for n in ast.walk(deco) if isinstance(n, ast.Name) and n.id in module_alias):
                called.add(module_alias[name.id])
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func, args = node.func, node.args
        if isinstance(func, ast.Attribute) and func.attr == "main" and isinstance(func.value, ast.Name) \
                and func.value.id in module_alias and args and isinstance(args[0], (ast.List, ast.Name)):
            called.add(module_alias[func.value.id])
        elif isinstance(func, ast.Name) and func.id in main_alias and args:
            called.add(main_alias[func.id])
        elif isinstance(func, ast.Name) and func.id == "run_module" and args \
                and isinstance(args[0], ast.Constant):
            called.add(args[0].value)
    return called


def test_the_detector_sees_each_form():
    source = (
        "from espnet_lau.bin import score_st as s\nfrom espnet_lau.bin.embed_text import main as e\n"
        "from espnet_lau.bin.param_drift import main\n"
        "s.main(['--hyp', 'x'])\ne(['--text', 'y'])\nmain(['--init', 'z'])\nrun_module('upload_hf', '--zip')\n"
        "from espnet_lau.bin import asr_train\n"
        "@pytest.mark.parametrize('tool', [asr_train])\ndef test_x(tool):\n    tool.main(['--init_param', 'x'])\n"
    )
    assert tools_called_through_main(source) == {"score_st", "embed_text", "param_drift", "upload_hf", "asr_train"}


def test_every_bin_tool_has_a_test_through_its_command_line():
    called = set()
    for path in TESTS.glob("test_*.py"):
        called |= tools_called_through_main(path.read_text(encoding="utf-8"))
    missing = [tool for tool in TOOLS if tool not in called]
    assert not missing, f"bin tools without a test through main([...]) or run_module: {missing}"
