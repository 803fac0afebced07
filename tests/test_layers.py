"""The apps import one way (docs/ARCHITECTURE.md, "Layers"): import-linter's contract in pyproject.toml holds, and
every app of the project has its place in it, so a new app cannot slip past the layers by not being listed."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def _layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    rows = []
    for layer in contract["layers"]:
        names = layer.replace("|", " ").replace(":", " ").split()
        rows.append([n.strip("()") for n in names])
    return rows


def test_the_layers_contract_holds():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_every_app_of_the_project_has_a_layer():
    listed = {name for row in _layers() for name in row}
    apps = {app for app in settings.INSTALLED_APPS if app.startswith("ashyq.")}
    packages = {f"ashyq.{p.name}" for p in (SRC / "ashyq").iterdir() if (p / "__init__.py").exists() and p.name != "locale"}
    assert apps <= listed, f"apps without a layer: {sorted(apps - listed)}"
    assert packages <= listed, f"packages without a layer: {sorted(packages - listed)}"


def _rank() -> dict[str, int]:
    return {name: depth for depth, row in enumerate(reversed(_layers())) for name in row}


def test_no_import_inside_a_function_reaches_a_higher_layer():
    """import-linter sees these too; this names the function, which is where such an import hides."""
    rank = _rank()
    found = []
    for path in (SRC / "ashyq").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(SRC).with_suffix("").parts)
        own = next((n for n in rank if module == n or module.startswith(n + ".")), None)
        if own is None:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                    target = next((n for n in rank if inner.module == n or inner.module.startswith(n + ".")), None)
                    if target and rank[target] > rank[own]:
                        found.append(f"{module}.{node.name} imports {inner.module}")
    assert not found, found
