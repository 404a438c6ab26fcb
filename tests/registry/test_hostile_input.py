"""Hostile input: every route, every parameter, on SQLite and PostgreSQL, gets a clear
answer below 500; values read from a PDF that no column can hold are cleaned and cut;
one file that cannot be recorded never ends an import; gc never takes an upload's file.
"""

from __future__ import annotations

import os
import re
import string
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

import parsers
from registry import unit_of_work
from registry.extensions import db
from registry.models import Batch, Certificate
from registry.services import certificates, storage_gc
from registry.storage import get_storage
from tests.registry.coa import make_coa

HOSTILE = (
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "9" * 40,
    str(2**63),
    "-1",
    "0",
    "%",
    "_",
    "'",
    '"',
    "\\",
    "*",
    "(",
    ")",
    "NEAR(a b)",
    "a OR b",
    "é" * 300,
    "\u202e",
    "<script>alert(1)</script>",
    string.punctuation,
    "1e309",
    "NaN",
    "2024-13-45",
    "../../etc/passwd",
)
SAMPLE_PATH_VALUES = {"int": "1", "default": "x", "string": "x", "path": "x.js"}


def _routes(app: Flask) -> list[tuple[str, str, dict[str, str]]]:
    """(method, rule, converters by argument) for every route the app serves."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "swagger_assets") or rule.rule.startswith("/api/docs"):
            continue
        converters = {name: type(conv).__name__.lower() for name, conv in rule._converters.items()}
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((method, rule.rule, converters))
    return out


def _query_params(app: Flask, rule: str, method: str) -> list[str]:
    """The query parameters the OpenAPI document declares for a route."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)
    for prefix in ("", "/api/v1"):
        item = spec["paths"].get(path.removeprefix(prefix) if prefix else path)
        if item and method.lower() in item:
            return [
                p["name"]
                for p in item[method.lower()].get("parameters", [])
                if p.get("in") == "query"
            ]
    return []


def _fill(rule: str, converters: dict[str, str], value: str | None = None) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        return (
            value
            if value is not None
            else SAMPLE_PATH_VALUES.get(
                "int"
                if "integer" in converters.get(name, "") or "boundedint" in converters.get(name, "")
                else "default",
                "x",
            )
        )

    return re.sub(r"<(?:[^:>]+:)?(\w+)>", sub, rule)


def test_no_route_answers_5xx_to_hostile_input(app: Flask, client, uploader, admin) -> None:
    """Every route, with each hostile value in each path segment and each declared query
    parameter, answers a status below 500; a NUL is always a 422 naming its field."""
    routes = _routes(app)
    assert len(routes) >= 8, routes
    checked = 0
    for method, rule, converters in routes:
        headers = admin if method != "GET" else {}
        params = _query_params(app, rule, method) or ["q"]
        for value in HOSTILE:
            for url in {_fill(rule, converters, value if converters else None)}:
                resp = client.open(url, method=method, headers=headers)
                assert resp.status_code < 500, (
                    method,
                    url[:120],
                    resp.status_code,
                    resp.get_data()[:300],
                )
                checked += 1
            for name in params:
                resp = client.open(
                    _fill(rule, converters),
                    method=method,
                    headers=headers,
                    query_string={name: value},
                )
                assert resp.status_code < 500, (
                    method,
                    rule,
                    name,
                    value[:40],
                    resp.status_code,
                    resp.get_data()[:300],
                )
                if "\x00" in value:
                    assert resp.status_code == 422, (method, rule, name, resp.status_code)
                    assert name in resp.get_json()["errors"], resp.get_json()
                checked += 1
    assert checked > 300


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/batches/99999999999999999999999",
        f"/api/v1/certificates/{2**63}",
        f"/api/v1/certificates/{2**63}/pdf",
        f"/api/v1/batches/{2**63 - 1}",
        f"/api/v1/batches/{2**31}",
    ],
)
def test_ids_out_of_range_are_not_found(client, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 404, resp.get_data()
    assert resp.mimetype == "application/problem+json"


def test_nul_and_over_long_upload_fields_name_the_field(client, uploader) -> None:
    pdf = make_coa(lot="HX-1")
    for field, value in (("vendor", "Acme\x00"), ("batch", "L" * 3000), ("product", "p\x07")):
        resp = client.post(
            "/api/v1/certificates",
            headers=uploader,
            data={"file": (__import__("io").BytesIO(pdf), "coa.pdf"), field: value},
        )
        assert resp.status_code == 422, resp.get_data()
        assert field in resp.get_json()["errors"]
    resp = client.post(
        "/api/v1/certificates",
        headers=uploader,
        data={"file": (__import__("io").BytesIO(pdf), "co\x00a.pdf")},
    )
    assert resp.status_code == 422 and "file" in resp.get_json()["errors"]


def test_exports_refuse_bad_input_before_streaming(client) -> None:
    for fmt in ("csv", "jsonl"):
        resp = client.get("/api/v1/batches", query_string={"format": fmt, "vendor": "a\x00"})
        assert resp.status_code == 422 and resp.mimetype == "application/problem+json"


def _prepared(document: parsers.Document, salt: str) -> certificates.Upload:
    upload = certificates.Upload(data=b"%PDF-1.4 " + salt.encode(), filename="x.pdf")
    upload.document, upload.prepared = certificates.clean_document(document), True
    return upload


def test_values_from_a_pdf_are_cleaned_and_cut_to_their_columns(app: Flask) -> None:
    """A lot over 200 characters, a lab and product over 500 and a NUL inside a vendor's
    name (all printable in a PDF) are recorded, cut, with a warning each: on PostgreSQL
    they used to fail the upload with StringDataRightTruncation."""
    doc = parsers.Document(
        vendor="Acme\x00 Botanicals",
        product="P" * 700,
        batch="L" * 260,
        lab=parsers.ParsedLab(name="Lab " * 200),
        report_number="R\x01-" + "9" * 300,
        results=(
            parsers.ParsedResult(
                analyte="lead",
                category="heavy_metal",
                value=0.3,
                unit="ug/g",
                raw="Lead\x00 0.3 ppm",
            ),
        ),
    )
    with app.app_context():
        cert, created = unit_of_work.commit(
            db.session,
            lambda: certificates.record(
                db.session, _prepared(doc, "long"), uploader_id=None, actor="test"
            ),
        )
        assert created
        cert = db.session.get(Certificate, cert.id)
        batch = db.session.get(Batch, cert.batch_id)
        assert batch.lot == "L" * 200 and batch.vendor.name == "Acme Botanicals"
        assert len(batch.product.name) == 500 and len(cert.lab.name) <= 500
        assert len(cert.report_number) == 200 and "\x01" not in cert.report_number
        assert "\x00" not in cert.results[0].raw and "\x00" not in str(cert.document)
        cut = [w for w in cert.warnings if "characters long" in w]
        assert {w.split(" read")[0] for w in cut} >= {
            "the lot",
            "the product",
            "the lab name",
            "the report number",
        }, cert.warnings


def test_ingest_goes_on_after_a_file_that_cannot_be_recorded(app: Flask, tmp_path: Path) -> None:
    """A database error while recording one file (here a trigger refusing one lot) is
    that file's outcome; the files after it are recorded, and a re-run does the same."""
    with app.app_context(), db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                sa.text(
                    "CREATE FUNCTION refuse_lot() RETURNS trigger AS $$ BEGIN "
                    "IF NEW.lot = 'BOOM-1' THEN RAISE EXCEPTION 'refused by the test'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                sa.text(
                    "CREATE TRIGGER refuse_lot BEFORE INSERT ON batches "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_lot()"
                )
            )
        else:
            conn.execute(
                sa.text(
                    "CREATE TRIGGER refuse_lot BEFORE INSERT ON batches "
                    "WHEN NEW.lot = 'BOOM-1' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
    try:
        folder = tmp_path / "coas"
        folder.mkdir()
        for i, lot in enumerate(("OK-1", "BOOM-1", "OK-2", "OK-3")):
            (folder / f"{i}-{lot}.pdf").write_bytes(make_coa(lot=lot))
        # Wide enough that no path is wrapped (the temporary folder's length varies).
        result = app.test_cli_runner().invoke(
            args=["ingest", str(folder), "--jobs", "1"], env={"COLUMNS": "1000"}
        )
        assert result.exit_code == 1, result.output
        assert re.search(r"failed\s*│\s*1", result.output), result.output
        assert "1-BOOM-1.pdf" in result.output and "refused by the test" in result.output
        with app.app_context():
            lots = sorted(db.session.scalars(sa.select(Batch.lot)))
            # its original is kept and recorded (no orphan), unreadable with the reason
            kept = db.session.scalar(
                sa.select(Certificate).where(Certificate.filename == "1-BOOM-1.pdf")
            )
            assert kept.status.value == "unreadable" and "refused by the test" in kept.status_reason
        assert lots == ["OK-1", "OK-2", "OK-3"], result.output
        # a re-run says so again (not a clean "duplicate"), and leaves the rest as they are
        again = app.test_cli_runner().invoke(args=["ingest", str(folder), "--jobs", "1"])
        assert again.exit_code == 1, again.output
        assert (
            re.search(r"unreadable\s*│\s*1", again.output) and "refused by the test" in again.output
        )
        assert re.search(r"duplicate\s*│\s*3", again.output), again.output
    finally:
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "DROP TRIGGER refuse_lot"
                    + (" ON batches" if conn.dialect.name == "postgresql" else "")
                )
            )
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("DROP FUNCTION refuse_lot()"))


def _age(store: Any, key: str, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(store._path(key), (old, old))


def test_gc_keeps_an_old_orphan_whose_bytes_are_uploaded_again(app: Flask) -> None:
    """``put`` of bytes already kept refreshes their time: an old orphan being uploaded
    again is no longer an orphan to gc (it used to be deleted under the upload)."""
    with app.app_context():
        store = get_storage()
        key = store.put(b"%PDF-1.4 orphan then uploaded")
        _age(store, key, 7200)
        store.put(b"%PDF-1.4 orphan then uploaded")  # the upload in flight
        removed = storage_gc.collect(
            db.session, store, grace=__import__("datetime").timedelta(hours=1), dry_run=False
        )
        assert removed == [] and store.exists(key)


def test_gc_keeps_a_file_uploaded_between_its_listing_and_its_deletion(app: Flask) -> None:
    """The race itself: gc lists an old orphan, an upload of the same bytes comes in,
    then gc deletes: the deletion re-checks the time and leaves the file."""
    from datetime import timedelta

    class UploadDuringListing:
        def __init__(self, inner: Any, data: bytes) -> None:
            self.inner, self.data = inner, data

        def keys(self) -> Any:
            listed = list(self.inner.keys())
            self.inner.put(self.data)  # an upload arrives after the listing
            return iter(listed)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    data = b"%PDF-1.4 racing upload"
    with app.app_context():
        store = get_storage()
        key = store.put(data)
        _age(store, key, 7200)
        gone = store.put(b"%PDF-1.4 a real orphan")
        _age(store, gone, 7200)
        removed = storage_gc.collect(
            db.session, UploadDuringListing(store, data), grace=timedelta(hours=1), dry_run=False
        )
        assert removed == [gone]
        assert store.exists(key) and store.open(key) == data and not store.exists(gone)
