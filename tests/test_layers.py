"""The layer order of the code, read from its imports.

Each room may import its own modules and the rooms of lower layers, never a room of its
own or a higher layer: the library never imports ``cli``, ``opinion`` never imports
``scrapers``, and the text stage never imports estimates or reports. Inside a room the
import graph has no cycle. Imports inside functions and under ``TYPE_CHECKING`` count.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import REPO

# room -> layer; a module belongs to the longest room name that prefixes it.
LAYERS = {
    "opinion": 0,  # the package's lazy re-exports resolve names at use, not import
    "opinion.errors": 0,
    "opinion.attributes": 0,
    "opinion.files": 0,
    "tongxin": 0,
    "tongxin.data": 0,
    "opinion.store": 1,
    "opinion.text": 2,
    "weighting": 2,
    "opinion.surveys": 3,
    "scrapers": 3,
    "opinion.estimates": 4,
    "opinion.reports": 5,
    "tongxin.demo": 6,
    "cli": 7,
    "tongxin.__main__": 8,
}
PACKAGES = ("opinion", "scrapers", "weighting", "cli", "tongxin")


def room_of(module: str) -> str | None:
    best = None
    for room in LAYERS:
        if (module == room or module.startswith(room + ".")) and (best is None or len(room) > len(best)):
            best = room
    return best


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """Project modules imported anywhere in ``path`` (at the deepest known name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {module: imports_of(module, path, known) for module, path in modules.items()}


def test_every_module_has_a_room() -> None:
    assert [m for m in project_modules() if room_of(m) is None] == []


def test_imports_follow_the_layer_order() -> None:
    wrong = []
    for module, targets in graph().items():
        room = room_of(module)
        assert room is not None
        for target in targets:
            other = room_of(target)
            assert other is not None
            if other == room or other == "opinion":
                continue
            if LAYERS[other] >= LAYERS[room] and not (LAYERS[room] == 0 and LAYERS[other] == 0):
                wrong.append(f"{module} ({room}, layer {LAYERS[room]}) imports {target} ({other}, layer {LAYERS[other]})")
    assert wrong == []


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles() -> None:
    # Package __init__ modules that only re-export (lazily or not) are left out: a
    # module importing its own package's __init__ is Python's normal import order.
    edges = {m: {t for t in ts if not _is_package(t)} for m, ts in graph().items() if not _is_package(m)}
    assert _cycle(edges) is None


def _is_package(module: str) -> bool:
    return project_modules()[module].name == "__init__.py"


@pytest.mark.parametrize("rule", ["cli", "scrapers"])
def test_the_library_never_imports_the_command_line_or_the_crawler(rule: str) -> None:
    offenders = [m for m, ts in graph().items() if m.startswith("opinion") and any(room_of(t) == rule for t in ts)]
    assert offenders == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text("def f():\n    from cli.main import main\n", encoding="utf-8")
    assert imports_of("opinion.text.mod", path, {"cli.main", "cli"}) == {"cli.main"}
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
