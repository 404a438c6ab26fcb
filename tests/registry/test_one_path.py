"""Point 12 of issue 10: an API upload and ``flask ingest`` take a COA in through the same
service functions, and so do a profile saved over HTTP and ``flask profiles load``.

Shown twice: at run time, the service functions are wrapped (they still run: a recorder,
not a stand-in) and each entry point is seen to call them, recording the same fields; and
statically, the view and command modules neither store, parse nor write rows themselves.
"""

from __future__ import annotations

import ast
import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.api.test_verdict_statuses import LEAD_ONLY
from tests.registry.coa import make_coa

REPO = Path(__file__).resolve().parents[2]


def record_calls(
    monkeypatch: pytest.MonkeyPatch, module: Any, names: tuple[str, ...]
) -> Counter[str]:
    """Count the calls of ``module.name`` for each name; the real function still runs."""
    calls: Counter[str] = Counter()
    for name in names:
        real: Callable[..., Any] = getattr(module, name)

        def wrapper(*args: Any, _real: Callable[..., Any] = real, _name: str = name, **kw: Any):
            calls[_name] += 1
            return _real(*args, **kw)

        monkeypatch.setattr(module, name, wrapper)
    return calls


#: What a certificate records from its reading: the same for either way in.
RECORDED = (
    "size_bytes",
    "report_number",
    "sample_id",
    "received",
    "tested",
    "reported",
    "status",
    "status_reason",
    "layout",
    "parser_version",
    "pages",
    "warnings",
)
RESULT_FIELDS = (
    "analyte",
    "category",
    "value",
    "unit",
    "qualifier",
    "loq",
    "uncertainty",
    "printed_value",
    "printed_unit",
    "lab_status",
    "page",
    "raw",
)


def recorded(app: Any, certificate_id: int) -> dict[str, Any]:
    from registry.extensions import db
    from registry.models import Certificate

    with app.app_context():
        cert = db.session.get(Certificate, certificate_id)
        assert cert is not None
        return {
            **{f: getattr(cert, f) for f in RECORDED},
            "lab": cert.lab.name if cert.lab else None,
            "vendor": cert.batch.product.vendor.name if cert.batch else None,
            "lot": cert.batch.lot if cert.batch else None,
            "results": sorted(tuple(getattr(r, f) for f in RESULT_FIELDS) for r in cert.results),
        }


def test_upload_and_ingest_take_a_coa_in_through_one_service(
    app, client, uploader, shipped_profiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.extensions import db
    from registry.models import AuditEvent, Certificate
    from registry.services import certificates

    calls = record_calls(monkeypatch, certificates, ("store", "accept", "complete"))
    # Two PDFs that say the same thing in different bytes (one certificate each).
    over_http, on_disk = make_coa(salt="api"), make_coa(salt="cli")
    assert over_http != on_disk

    resp = client.post(
        "/api/v1/certificates",
        headers=uploader,
        data={"file": (io.BytesIO(over_http), "coa.pdf")},
    )
    assert resp.status_code == 201, resp.get_json()
    assert calls == {"store": 1, "accept": 1, "complete": 1}

    (tmp_path / "coa.pdf").write_bytes(on_disk)
    out = app.test_cli_runner().invoke(args=["ingest", str(tmp_path / "coa.pdf")])
    assert out.exit_code == 0, out.output
    assert calls == {"store": 2, "accept": 2, "complete": 2}

    with app.app_context():
        ids = db.session.scalars(sa.select(Certificate.id).order_by(Certificate.id)).all()
        actions = Counter(db.session.scalars(sa.select(AuditEvent.action)))
    assert len(ids) == 2
    api_cert, cli_cert = (recorded(app, i) for i in ids)
    assert api_cert["status"].value == "parsed" and api_cert["results"]
    assert api_cert == cli_cert
    # each way in leaves the same trail: one upload entry per certificate
    assert actions["certificate.upload"] == 2, actions


def test_profile_save_and_load_put_a_profile_in_force_through_one_service(
    app, client, admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.services import profiles

    calls = record_calls(monkeypatch, profiles, ("store", "_put_in_force"))
    resp = client.put("/api/v1/profiles/lead-only", headers=admin, json=LEAD_ONLY)
    assert resp.status_code == 201, resp.get_json()
    assert calls == {"store": 1, "_put_in_force": 1}

    out = app.test_cli_runner().invoke(args=["profiles", "load", "--no-rejudge"])
    assert out.exit_code == 0, out.output
    shipped = len(list((REPO / "registry/thresholds/profiles").glob("*.yaml")))
    assert calls == {"store": 1 + shipped, "_put_in_force": 2}


def _calls(tree: ast.AST) -> set[str]:
    """Every called name, as written (``a.b.c``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            names.add(ast.unparse(node.func))
    return names


def _imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
    return found


@pytest.mark.parametrize(
    "module,through",
    [
        ("registry/api/certificates.py", "parsing.upload"),
        ("registry/cli/ingest.py", "parsing.ingest_files"),
        ("registry/api/profiles.py", "profiles.save"),
        ("registry/cli/profiles.py", "profiles.sync_shipped"),
    ],
)
def test_views_and_commands_neither_store_nor_parse_themselves(module: str, through: str) -> None:
    tree = ast.parse((REPO / module).read_text())
    calls = _calls(tree)
    assert through in calls, f"{module} no longer goes through {through}"
    assert not {i for i in _imports(tree) if i == "parsers" or i.startswith("parsers.")}, module
    for call in calls:
        leaf = call.rsplit(".", 1)[-1]
        assert leaf not in {"add", "add_all", "put", "parse", "parse_isolated", "execute"}, (
            module,
            call,
        )
        assert call not in {"certificates.accept", "certificates.complete", "profiles.store"}


def test_both_ways_in_share_the_tasks_take_in_and_record_steps() -> None:
    """In registry/tasks/parsing.py, the upload and the ingest loop both take a file in with
    ``take_in`` and record its reading with ``run_claimed``."""
    tree = ast.parse((REPO / "registry/tasks/parsing.py").read_text())
    funcs = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}

    def reaches(name: str, seen: set[str] | None = None) -> set[str]:
        seen = seen if seen is not None else set()
        if name in seen or name not in funcs:
            return seen
        seen.add(name)
        for call in _calls(funcs[name]):
            reaches(call, seen)
        return seen

    api = reaches("upload") | reaches("run")
    cli = reaches("ingest_files")
    assert {"take_in", "run_claimed", "_complete"} <= api & cli, (api, cli)
