"""The README and docs/ stay true: every repository path they name exists, every API
route is in docs/api.md, docs/profiles.md is what the profile files say, and the custom
profile the README sends (``docs/examples/strict-lead.json``) works as it says."""

from __future__ import annotations

import io
import json
import re
import runpy
from pathlib import Path
from typing import Any

from flask import Flask

from tests.registry.coa import DEFAULT_RESULTS, make_coa

REPO = Path(__file__).resolve().parent.parent
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
EXAMPLE = REPO / "docs/examples/strict-lead.json"
#: What a path named in the docs may start with to be checked: the repository's own
#: top-level folders and files.
TOP_LEVEL = {
    "registry",
    "parsers",
    "tests",
    "bench",
    "docs",
    "migrations",
    ".ci",
    "Makefile",
    "setup.cfg",
    "pyproject.toml",
    "ruff.toml",
    "wsgi.py",
    "README.md",
    "instance",
}


def run_time_folders() -> tuple[str, ...]:
    """Folders made at run time (``instance/``, ``tests/artifacts/``): .gitignore's."""
    lines = (REPO / ".gitignore").read_text().splitlines()
    return tuple(line.strip() for line in lines if line.strip().endswith("/"))


def named_paths(doc: Path) -> set[str]:
    """Repository paths a Markdown file names: in backticks, link targets and code
    blocks (``-d @docs/examples/strict-lead.json``)."""
    text = doc.read_text(encoding="utf-8")
    chunks = re.findall(r"`([^`\n]+)`", text) + re.findall(r"\]\(([^)\s]+)\)", text)
    chunks += [line for line in text.splitlines() if line.startswith("    ")]
    found = set()
    for chunk in chunks:
        for token in chunk.split():
            token = token.lstrip("@").strip(".,;:()'\"").split("#")[0]
            if not re.fullmatch(r"[\w.*-]+(/[\w.*-]*)*", token):
                continue
            if token.split("/")[0] not in TOP_LEVEL or ("/" not in token and "." not in token):
                continue
            if any(re.fullmatch(r"[A-Z]{2,}", part) for part in token.split("/")):
                continue  # a placeholder: tests/corpus/NEW
            if doc.parent.name == "docs" and not (REPO / token.split("/")[0]).exists():
                token = f"docs/{token}"  # a link relative to docs/
            found.add(token)
    return found


def test_every_repository_path_the_docs_name_exists() -> None:
    skipped = run_time_folders()
    missing = []
    checked = 0
    for doc in DOCS:
        for path in sorted(named_paths(doc)):
            if path.startswith(skipped) or f"{path}/".startswith(skipped):
                continue
            checked += 1
            if not list(REPO.glob(path)):
                missing.append(f"{doc.relative_to(REPO)}: {path}")
    assert not missing, "named in the docs but not in the repository:\n" + "\n".join(missing)
    assert checked > 40  # the README alone names that many
    readme = named_paths(REPO / "README.md")
    assert {"docs/examples/strict-lead.json", "docs/api.md", "docs/verdicts.md"} <= readme


def test_every_api_route_is_in_the_api_reference(app: Flask) -> None:
    text = (REPO / "docs/api.md").read_text(encoding="utf-8")
    documented = {
        (method, re.sub(r"<[^>]+>", "<>", path))
        for method, path in re.findall(
            r"\b(GET|POST|PUT|DELETE|PATCH) (/api/v1/[^\s`,]*)", text.replace("`, `", "` `")
        )
    }
    # ``GET /a, DELETE /a`` headings name one path per method
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<[^>]+>", "<>", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (method, path) not in documented:
                missing.append(f"{method} {rule.rule}")
    assert not missing, "routes missing from docs/api.md:\n" + "\n".join(missing)


def test_profiles_page_is_what_the_profile_files_say() -> None:
    render = runpy.run_path(str(REPO / "docs/profiles.py"))["render"]
    expected = render()
    assert (REPO / "docs/profiles.md").read_text(encoding="utf-8") == expected, (
        "docs/profiles.md is out of date: run .venv/bin/python docs/profiles.py > docs/profiles.md"
    )
    for yaml_file in sorted((REPO / "registry/thresholds/profiles").glob("*.yaml")):
        assert f"## `{yaml_file.stem}`" in expected


def _upload(client: Any, headers: dict[str, str], lead: str, lot: str) -> dict[str, Any]:
    results = tuple(
        (a, lead if a.startswith("Lead") else v, u, q) for a, v, u, q in DEFAULT_RESULTS
    )
    resp = client.post(
        "/api/v1/certificates",
        headers=headers,
        data={"file": (io.BytesIO(make_coa(lot=lot, results=results)), "coa.pdf")},
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_the_readme_custom_profile_example_works(app: Flask, admin, uploader) -> None:
    """The README's command, through the HTTP API: the file itself PUT as the body makes
    the profile, and batches are then judged under it (lead over its 0.5 ug/g fails,
    under it passes)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r"-d @(\S+) http://\S+/api/v1/profiles/(\S+)", readme)
    assert command, "the README's custom profile command"
    path, code = command.groups()
    assert REPO / path == EXAMPLE and json.loads(EXAMPLE.read_text())["code"] == code

    client = app.test_client()
    resp = client.put(
        f"/api/v1/profiles/{code}",
        headers={**admin, "Content-Type": "application/json"},
        data=EXAMPLE.read_bytes(),
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["code"], body["version"], body["changed"]) == (code, 1, True)
    assert client.get(f"/api/v1/profiles/{code}").get_json()["rules_by_certainty"] == {
        "primary": 3,
        "secondary": 0,
        "unverified": 0,
    }

    heavy = _upload(client, uploader, "0.8", "STRICT-1")
    light = _upload(client, uploader, "0.31", "STRICT-2")
    for cert, status in ((heavy, "fail"), (light, "pass")):
        batch = client.get(f"/api/v1/batches/{cert['batch']['id']}").get_json()
        verdict = next(v for v in batch["verdicts"] if v["profile"] == code)
        assert verdict["status"] == status, verdict
    [failure] = next(v for v in heavy["verdicts"] if v["profile"] == code)["failures"]
    assert failure["rule_id"] == "lead"
    found = client.get("/api/v1/batches", query_string={"profile": code, "status": "fail"})
    assert [i["id"] for i in found.get_json()["items"]] == [heavy["batch"]["id"]]
