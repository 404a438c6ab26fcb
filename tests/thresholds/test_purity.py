"""The engine is pure domain logic: no Flask, no SQLAlchemy, nothing else of the registry."""

from __future__ import annotations

import ast
from pathlib import Path

import registry.thresholds

PACKAGE = Path(registry.thresholds.__file__).parent
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_smorest", "sqlalchemy", "werkzeug")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_web_or_database_imports() -> None:
    for path in PACKAGE.glob("*.py"):
        for name in imported_modules(path):
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
            if name.startswith("registry"):
                assert name.startswith("registry.thresholds"), f"{path.name} imports {name}"
