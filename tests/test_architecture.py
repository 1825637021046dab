"""The house rules of ``zi_nb``, checked on the source: rooms depend one way, no import cycles (imports inside
functions count), no private name crosses a module, one exception module, the public API pinned (as httpx's
``test_exported_members.py``), modules of a readable size."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import zi_nb
from tests.helpers import ROOT

PACKAGE = ROOT / "zi_nb"
# each room may import the rooms before it (and itself), never one after it
LAYERS = ["common", "engine", "lke", "review", "team", "report", "audit", "bulk", "app", "cli"]
MAX_LINES = 450  # the aim is ~400; a module past this is split before it grows further

PUBLIC_API = [
    "Evaluation", "Finding", "InputError", "Ledger", "LedgerError", "LkeData", "ParameterError", "PolicyError",
    "ReportError", "Rubric", "RubricError", "Scores", "TierResult", "WorkerError", "ZiError", "__version__",
    "apply_ledger", "available_rubrics", "compute", "evaluate", "load_rubric", "read_inputs", "score_answers",
    "score_document", "unit_records", "validate",
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, imported names, line) for every import of a zi_nb module, at any depth of the file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names if a.name.split(".")[0] == "zi_nb"]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import (name the room: from zi_nb.x import)"
            if node.module and node.module.split(".")[0] == "zi_nb":
                names = [a.name for a in node.names]
                submodules = [f"{node.module}.{n}" for n in names if f"{node.module}.{n}" in MODULES]
                out += [(m, [], node.lineno) for m in submodules]
                rest = [n for n in names if f"{node.module}.{n}" not in MODULES]
                if rest:
                    out.append((node.module, rest, node.lineno))
    return out


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_lives_in_a_room():
    loose = sorted(m for m in MODULES if m.count(".") == 1 and _room(m) is None)
    assert loose == ["zi_nb.errors"], "a new top-level module belongs in a room (subpackage)"
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()) == sorted(LAYERS)


def test_rooms_depend_one_way():
    wrong = []
    for name, path in MODULES.items():
        here = _room(name)
        for target, _, line in _imports(name, path):
            there = _room(target)
            if target == "zi_nb":
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports the package root (use the room)")
            elif here is not None and there is not None and LAYERS.index(there) > LAYERS.index(here):
                wrong.append(f"{path.relative_to(ROOT)}:{line} ({here}) imports {target} ({there})")
            elif name == "zi_nb.errors" and target != "zi_nb.common.findings":
                wrong.append(f"{path.relative_to(ROOT)}:{line} errors imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles_counting_imports_inside_functions():
    edges = {name: {t for t, _, _ in _imports(name, path) if t in MODULES and t != name} for name, path in
             MODULES.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in MODULES:
        if v not in index:
            visit(v)
    assert cycles == []


def test_no_private_name_is_imported_from_another_module():
    private = [f"{path.relative_to(ROOT)}:{line} imports {n} from {target}"
               for name, path in MODULES.items() for target, names, line in _imports(name, path)
               for n in names if n.startswith("_") and n != "__version__"]
    assert not private, "\n".join(private)


def test_exceptions_are_defined_in_one_module():
    elsewhere = []
    for name, path in MODULES.items():
        if name == "zi_nb.errors":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(b) for b in node.bases]
                if any(b.endswith(("Error", "Exception")) for b in bases):
                    elsewhere.append(f"{path.relative_to(ROOT)}:{node.lineno} class {node.name}")
    assert not elsewhere, "\n".join(elsewhere)
    from zi_nb import errors

    tree = errors.__doc__ or ""
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.ZiError)
        assert name in tree, f"{name} missing from the tree in zi_nb.errors' docstring"


def test_public_api():
    assert zi_nb.__all__ == sorted(zi_nb.__all__)
    assert sorted(zi_nb.__all__) == sorted(PUBLIC_API)
    for name in zi_nb.__all__:
        assert getattr(zi_nb, name) is not None, name
    exported = {n for n in dir(zi_nb) if not n.startswith("_")} - set(LAYERS) - {"errors", "annotations"}
    assert exported <= set(PUBLIC_API), f"names exported without being in __all__: {exported - set(PUBLIC_API)}"


def test_modules_stay_readable():
    long = {str(p.relative_to(ROOT)): n for p in MODULES.values() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long
