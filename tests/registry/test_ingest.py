"""``flask ingest PATH...``: a folder of COAs imported with a summary and an honest exit."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from registry.extensions import db
from registry.models import Certificate, CertificateStatus
from tests.registry.coa import DEFAULT_RESULTS, make_coa

#: Lead over the EU maximum level (3.0 mg/kg): a proven fail under a rule that is not unverified.
FAILING = tuple((a, "3.5" if a.startswith("Lead") else v, u, q) for a, v, u, q in DEFAULT_RESULTS)


def count(output: str, outcome: str) -> int:
    match = re.search(rf"{outcome}\s*│\s*(\d+)", output)
    assert match, (outcome, output)
    return int(match.group(1))


def test_ingest_a_folder(app, tmp_path: Path, shipped_profiles) -> None:
    folder = tmp_path / "coas"
    (folder / "2024" / "march").mkdir(parents=True)
    good = make_coa(lot="IN-1")
    (folder / "in-1.pdf").write_bytes(good)
    (folder / "2024" / "in-2.PDF").write_bytes(make_coa(lot="IN-2", report="R-2"))
    (folder / "2024" / "march" / "lead.pdf").write_bytes(make_coa(lot="IN-3", results=FAILING))
    (folder / "2024" / "march" / "copy-of-in-1.pdf").write_bytes(good)
    (folder / "truncated.pdf").write_bytes(good[: len(good) // 3])
    (folder / "notes.pdf").write_bytes(b"just some text, not a PDF\n")
    (folder / "readme.txt").write_text("not picked up")

    app.config["DEFAULT_PROFILE"] = "eu-food-supplement"  # Utah's rules are unverified today
    # Wide enough that no path is wrapped: where rich breaks a line depends on how long
    # the temporary folder's path is (longer under pytest-xdist).
    result = app.test_cli_runner().invoke(
        args=["ingest", str(folder), "--jobs", "2"], env={"COLUMNS": "1000"}
    )
    assert result.exit_code == 1, (result.output, result.exception)  # unreadable + refused
    out = result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert count(out, "parsed") == 3 and count(out, "duplicate") == 1
    assert count(out, "unreadable") == 1 and count(out, "refused") == 1
    assert count(out, "failing") == 1
    assert "truncated.pdf" in out and "notes.pdf" in out and "readme.txt" not in out

    with app.app_context():
        statuses = sorted(s.value for s in db.session.scalars(sa.select(Certificate.status)))
        assert statuses == ["parsed", "parsed", "parsed", "unreadable"]
        bad = db.session.scalar(
            sa.select(Certificate).where(Certificate.status == CertificateStatus.UNREADABLE)
        )
        assert bad.filename == "truncated.pdf" and bad.status_reason

    again = app.test_cli_runner().invoke(args=["ingest", str(folder / "in-1.pdf")])
    assert again.exit_code == 0, again.output
    assert count(again.output, "duplicate") == 1


def test_ingest_needs_pdfs(app, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = app.test_cli_runner().invoke(args=["ingest", str(tmp_path / "empty")])
    assert result.exit_code != 0 and "no PDF files" in result.output
    missing = app.test_cli_runner().invoke(args=["ingest", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
