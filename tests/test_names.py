"""Every class in ``registry/`` and ``parsers/`` has a name of its own, so that a reader
(and a grep) can tell which one is meant: the ORM row ``ProfileVersion`` is not the
engine's ``Profile``, the parse contract's ``ParsedResult`` is not the ``results`` row
``Result``. Top-level and nested classes alike; no exceptions. Read from the source, so a
new class that takes a name already in use fails here, naming both files."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("registry", "parsers")


def class_names(files: Iterable[Path], root: Path) -> dict[str, list[str]]:
    """Class name -> ``path:line`` of every class statement with that name."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                found[node.name].append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def shared(found: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: where for name, where in sorted(found.items()) if len(where) > 1}


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (REPO / package).rglob("*.py"))


def test_no_two_classes_share_a_name() -> None:
    files = _sources()
    assert len(files) > 50, "the walk found too few modules; is REPO right?"
    clashes = shared(class_names(files, REPO))
    assert not clashes, "classes sharing a name:\n" + "\n".join(
        f"  {name}: {', '.join(where)}" for name, where in clashes.items()
    )


def test_the_check_sees_nested_and_top_level_classes(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("class Page:\n    class Meta:\n        pass\n")
    (tmp_path / "b.py").write_text("def f():\n    class Page:\n        pass\n")
    (tmp_path / "c.py").write_text("class Other:\n    class Meta:\n        pass\n")
    clashes = shared(class_names(sorted(tmp_path.glob("*.py")), tmp_path))
    assert clashes == {"Meta": ["a.py:2", "c.py:2"], "Page": ["a.py:1", "b.py:2"]}
