"""Point 14 of issue 10: ``make lint``'s mypy checks every module of ``registry/`` and
``parsers/`` by name (not only those registry imports), strict on ``parsers/``."""

from __future__ import annotations

import configparser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_mypy_names_registry_and_parsers() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    files = {f.strip() for f in cfg["mypy"]["files"].split(",")}
    assert {"registry", "parsers"} <= files
    strict = cfg["mypy-parsers.*"]
    for flag in ("disallow_untyped_defs", "disallow_any_generics", "warn_return_any"):
        assert strict.getboolean(flag), flag
    # the one parsers module registry never imports is under mypy only through `files`
    assert (REPO / "parsers/__main__.py").exists()
    assert "$(BIN)/mypy\n" in (REPO / "Makefile").read_text()
