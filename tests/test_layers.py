"""The layers import only downwards: ``parsers`` knows nothing of the registry, and the
registry's rules (models, services, thresholds, errors) know nothing of Flask, the
HTTP API, the web pages or the commands. Read from the source, so a new import that
breaks a layer fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: folder (or module) -> import prefixes it must not use
RULES = {
    "parsers": ("registry", "flask", "sqlalchemy"),
    "registry/models": (
        "flask",
        "registry.api",
        "registry.cli",
        "registry.web",
        "registry.services",
    ),
    "registry/services": ("flask", "registry.api", "registry.cli", "registry.web"),
    "registry/thresholds": (
        "flask",
        "sqlalchemy",
        "registry.api",
        "registry.cli",
        "registry.web",
        "registry.services",
        "registry.models",
    ),
    "registry/errors.py": ("flask", "werkzeug", "registry.api"),
    # Alert channels: sending only; what to send and what happened is the services' part.
    "registry/alerts": (
        "flask",
        "sqlalchemy",
        "registry.api",
        "registry.cli",
        "registry.web",
        "registry.services",
        "registry.models",
        "registry.tasks",
    ),
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("where", sorted(RULES))
def test_layer_imports(where: str) -> None:
    root = REPO / where
    files = [root] if root.suffix == ".py" else sorted(root.rglob("*.py"))
    assert files, where
    bad = [
        f"{f.relative_to(REPO)}: {name}"
        for f in files
        for name in _imports(f)
        if any(name == p or name.startswith(p + ".") for p in RULES[where])
    ]
    assert not bad, bad


#: Services that still commit: none (ingest's loop is the task layer's, one unit of work
#: per file). Keep it empty.
STILL_COMMITTING: set[str] = set()


def test_services_never_commit() -> None:
    """The unit of work lives outside ``services/`` (``registry/unit_of_work.py``): a
    service that imports it, or calls ``commit()`` itself, takes the caller's commit."""
    files = sorted((REPO / "registry/services").rglob("*.py"))
    committing = set()
    for f in files:
        tree = ast.parse(f.read_text(encoding="utf-8"))
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "commit"
        ]
        if calls or any(
            name.startswith("registry.unit_of_work") or name == "registry.unit_of_work"
            for name in _imports(f)
        ):
            committing.add(str(f.relative_to(REPO)))
    assert committing == STILL_COMMITTING
    assert not (REPO / "registry/services/unit_of_work.py").exists()
