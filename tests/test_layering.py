"""The house's layering, read from the source (AST over espnet_lau/, nothing imported).

* The core (``lau_model.py``, ``espnet_model.py``, ``s2t_model.py``, ``export.py``, ``tasks/``,
  ``semantic/``) is what training runs: it never imports the data preparation, the
  evaluation, the offline teachers (training reads the teachers' vectors, never runs them)
  or the OWSM checkpoint tools.
* ``evaluation/`` never imports the mini corpus's generator (``data/mini/``): slot recall
  reads ``utt2slots`` from the data directory.
* ``utils/`` imports nothing of ours outside ``utils/``.
* ``teachers/base.py`` imports no teacher subclass (the registry, ``teachers/__init__.py``,
  imports them).
* No module imports a name from a module that merely re-exports it (a package's
  ``__init__.py`` may export the names of its modules).

Every import counts: at module level, inside a function, under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "espnet_lau"

CORE = ("espnet_lau.lau_model", "espnet_lau.espnet_model", "espnet_lau.s2t_model", "espnet_lau.export",
        "espnet_lau.tasks", "espnet_lau.semantic")
#: (who, what it must not import, why)
RULES = (
    (CORE, ("espnet_lau.data", "espnet_lau.evaluation", "espnet_lau.teachers", "espnet_lau.owsm"),
     "the core (model, export, tasks, semantic) is what training runs"),
    (("espnet_lau.evaluation",), ("espnet_lau.data.mini",),
     "evaluation scores data directories; it never runs the corpus generator"),
)


def _within(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_sources(root: Path = ROOT, top: str = PACKAGE) -> Dict[str, str]:
    """``{module name: source}`` of every module under ``root/top``."""
    return {module_name(p, root): p.read_text(encoding="utf-8") for p in sorted((root / top).rglob("*.py"))}


def imported_modules(source: str, module: str, is_package: bool, known: Set[str]) -> Iterator[Tuple[str, int]]:
    """``(module, line)`` for every import of ``source``: ``from a.b import c`` is ``a.b.c``
    when that is a module of ``known``, else ``a.b``; relative imports are resolved;
    ``importlib.import_module("a.b")`` counts too."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield (full if full in known else base), node.lineno
        elif (isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))
              and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            yield node.args[0].value, node.lineno


def _is_package(module: str, sources: Mapping[str, str]) -> bool:
    return any(other.startswith(module + ".") for other in sources)


def teacher_subclass_modules(sources: Mapping[str, str], base: str = "SentenceTeacher") -> Set[str]:
    """The modules that define a class deriving, directly or not, from ``base``."""
    classes: Dict[str, Tuple[str, List[str]]] = {}
    for module, source in sources.items():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                bases = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
                classes[node.name] = (module, bases)
    derived = {base}
    grew = True
    while grew:
        new = {name for name, (_, bases) in classes.items() if set(bases) & derived} - derived
        derived |= new
        grew = bool(new)
    return {classes[name][0] for name in derived - {base} if name in classes}


def layering_violations(sources: Mapping[str, str]) -> List[str]:
    """Every import that breaks a rule of this module's docstring, as ``module:line: message``."""
    known = set(sources)
    problems = []
    subclasses = teacher_subclass_modules({m: s for m, s in sources.items() if _within(m, ("espnet_lau.teachers",))})
    for module, source in sources.items():
        for target, line in imported_modules(source, module, _is_package(module, sources), known):
            where = f"{module}:{line}: imports {target}"
            for who, forbidden, why in RULES:
                if _within(module, who) and _within(target, forbidden):
                    problems.append(f"{where} ({why})")
            if _within(module, ("espnet_lau.utils",)) and _within(target, (PACKAGE,)) \
                    and not _within(target, ("espnet_lau.utils",)):
                problems.append(f"{where} (utils/ imports nothing of ours outside utils/)")
            if module == "espnet_lau.teachers.base" and (target in subclasses or target == "espnet_lau.teachers"):
                problems.append(f"{where} (the base of the teachers imports no teacher subclass)")
    return problems


def _names(source: str) -> Tuple[Set[str], Set[str]]:
    """The names a module defines (def, class, assignment) and those it only imports."""
    defined: Set[str] = set()
    imported: Set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imported |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return defined, imported - defined


def reexport_imports(importers: Mapping[str, str], sources: Mapping[str, str]) -> List[str]:
    """``from m import x`` where ``m`` (not a package's ``__init__``) only imports ``x``:
    ``x`` should come from where it is defined."""
    problems = []
    names = {m: _names(s) for m, s in sources.items()}
    for where, source in importers.items():
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in sources):
                continue
            if _is_package(node.module, sources):
                continue  # a package's __init__ may export its modules' names
            _, only_imported = names[node.module]
            for alias in node.names:
                if alias.name in only_imported:
                    problems.append(f"{where}:{node.lineno}: imports {alias.name} from {node.module}, "
                                    "which only re-exports it")
    return problems


# --- The detectors, on synthetic sources: an upward import must be seen in every form.

SYNTHETIC = {
    "espnet_lau.utils.fileio": "import os\n",
    "espnet_lau.utils.checkpoint": "def load_state_dict(path):\n    return {}\n",
    "espnet_lau.data.kaldi_table": "def read_table(path):\n    return {}\n",
    "espnet_lau.data.mini.grammar": "def meaning_from_id(x):\n    return x\n",
    "espnet_lau.data.mini": "from espnet_lau.data.mini.grammar import meaning_from_id\n",
    "espnet_lau.evaluation.drift": "from espnet_lau.utils.checkpoint import load_state_dict\n",
    "espnet_lau.teachers.base": "class SentenceTeacher:\n    pass\n",
    "espnet_lau.teachers.usem3": ("from espnet_lau.teachers.base import SentenceTeacher\n"
                                  "class USEM3Teacher(SentenceTeacher):\n    pass\n"),
    "espnet_lau.teachers.controls": ("from espnet_lau.teachers.base import SentenceTeacher\n"
                                     "class _Control(SentenceTeacher):\n    pass\n"
                                     "class RandomTeacher(_Control):\n    pass\n"),
    "espnet_lau.teachers.fit_set": "class FitSet:\n    pass\n",
    "espnet_lau.teachers": "from espnet_lau.teachers.usem3 import USEM3Teacher\n",
}


@pytest.mark.parametrize("module, source, expected", [
    ("espnet_lau.semantic.loss", "from espnet_lau.data.kaldi_table import read_table\n", "imports espnet_lau.data.kaldi_table"),
    ("espnet_lau.tasks.lau_st", "def f():\n    import espnet_lau.evaluation.drift\n", "imports espnet_lau.evaluation.drift"),
    ("espnet_lau.export", "from espnet_lau.data import kaldi_table\n", "imports espnet_lau.data.kaldi_table"),
    ("espnet_lau.semantic.head", "from ..data.kaldi_table import read_table\n", "imports espnet_lau.data.kaldi_table"),
    ("espnet_lau.espnet_model", "import importlib\nimportlib.import_module('espnet_lau.teachers.usem3')\n",
     "imports espnet_lau.teachers.usem3"),
    ("espnet_lau.evaluation.slot_recall", "from espnet_lau.data.mini.grammar import meaning_from_id\n",
     "imports espnet_lau.data.mini.grammar"),
    ("espnet_lau.evaluation.slot_recall", "from espnet_lau.data import mini\n", "imports espnet_lau.data.mini"),
    ("espnet_lau.utils.cli", "def f():\n    from espnet_lau.data.kaldi_table import read_table\n",
     "(utils/ imports nothing of ours outside utils/)"),
    ("espnet_lau.teachers.base", "def load():\n    from espnet_lau.teachers.controls import RandomTeacher\n",
     "(the base of the teachers imports no teacher subclass)"),
    ("espnet_lau.teachers.base", "from espnet_lau.teachers import USEM3Teacher\n",
     "(the base of the teachers imports no teacher subclass)"),
])
def test_the_detector_sees_an_upward_import(module, source, expected):
    sources = {**SYNTHETIC, module: source}
    found = layering_violations(sources)
    assert any(p.startswith(f"{module}:") and expected in p for p in found), found


def test_the_detector_lets_allowed_imports_through():
    sources = {
        **SYNTHETIC,
        "espnet_lau.semantic.loss": "from espnet_lau.utils.checkpoint import load_state_dict\n",
        "espnet_lau.evaluation.slot_recall": "from espnet_lau.data.kaldi_table import read_table\n",
        "espnet_lau.utils.cli": "from espnet_lau.utils.fileio import os\nimport yaml\n",
        "espnet_lau.teachers.base": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                     "    from espnet_lau.teachers.fit_set import FitSet\n"
                                     "class SentenceTeacher:\n    pass\n"),
    }
    assert layering_violations(sources) == []
    assert teacher_subclass_modules(sources) == {"espnet_lau.teachers.usem3", "espnet_lau.teachers.controls"}


def test_the_detector_sees_an_import_through_a_reexport():
    importers = {
        "espnet_lau.bin.param_drift": "from espnet_lau.evaluation.drift import load_state_dict\n",
        "espnet_lau.bin.prepare_mini_corpus": "from espnet_lau.data.mini import meaning_from_id\n",  # a package: fine
        "espnet_lau.bin.ok": "from espnet_lau.utils.checkpoint import load_state_dict\n",
    }
    assert reexport_imports(importers, SYNTHETIC) == [
        "espnet_lau.bin.param_drift:1: imports load_state_dict from espnet_lau.evaluation.drift, which only re-exports it"
    ]


# --- The house as it is.

def test_the_package_keeps_its_layering():
    sources = package_sources()
    assert "espnet_lau.teachers.base" in sources and "espnet_lau.utils.cli" in sources  # the detector reads the package
    assert {"espnet_lau.teachers.usem3", "espnet_lau.teachers.sentence_transformer",
            "espnet_lau.teachers.controls"} <= teacher_subclass_modules(sources)
    assert layering_violations(sources) == []


def test_no_module_imports_a_name_from_a_module_that_only_reexports_it():
    sources = package_sources()
    importers = {**sources, **package_sources(ROOT, "bench"), **package_sources(ROOT, "tests")}
    assert reexport_imports(importers, sources) == []


def test_the_package_root_shows_only_the_models_the_export_and_the_wings():
    root = ROOT / PACKAGE
    modules = sorted(p.name for p in root.glob("*.py") if p.name != "__init__.py")
    assert modules == ["espnet_model.py", "export.py", "lau_model.py", "s2t_model.py"]
    wings = {p.name for p in root.iterdir() if (p / "__init__.py").is_file()}
    assert {"tasks", "semantic", "teachers", "data", "evaluation", "text", "utils", "bin", "owsm"} <= wings
