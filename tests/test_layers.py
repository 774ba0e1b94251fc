"""The statistics layer (casestats.stats) imports nothing of the calcinosis domain.

The imports are read from the source with :mod:`ast`, so a lazy import inside a
function counts as much as one at the top of a module.
"""

import ast
from pathlib import Path

import pytest

STATS = Path(__file__).resolve().parents[1] / "casestats" / "stats"

# What the statistics layer may use of casestats: itself, the result contract,
# the warnings and the generic figures. Everything else is the domain.
ALLOWED = ("casestats.stats", "casestats.results", "casestats.exceptions", "casestats.plotting")
DOMAIN_ONLY_FIGURES = ("casestats.plotting.bodymap",)


def _casestats_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # ``from casestats import schema`` names a module in the alias
            if node.module == "casestats":
                found += [(node.lineno, f"casestats.{a.name}") for a in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "casestats"]


def _is_allowed(name: str) -> bool:
    if name == "casestats" or name.startswith(DOMAIN_ONLY_FIGURES):
        return False
    return any(name == root or name.startswith(root + ".") for root in ALLOWED)


MODULES = sorted(STATS.rglob("*.py"))


def test_the_stats_package_is_there():
    assert len(MODULES) >= 7


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_stats_module_imports_no_domain_code(path):
    imports = _casestats_imports(path)
    bad = [f"line {line}: {name}" for line, name in imports if not _is_allowed(name)]
    assert not bad, f"{path.name} imports the domain layer: {bad}"


def test_the_check_itself_catches_a_domain_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from casestats.schema import load_schema\n")
    assert [name for _, name in _casestats_imports(sample)] == ["casestats.schema"]
    assert not _is_allowed("casestats.schema")
    assert not _is_allowed("casestats")
    assert _is_allowed("casestats.stats.intervals")
