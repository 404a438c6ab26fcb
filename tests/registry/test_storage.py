"""Content-addressed originals: atomic writes, and orphans collected by ``storage gc``."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from registry.storage import LocalStorage


def test_put_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    data = b"%PDF-1.4 hello"
    key = store.put(data)
    assert key == hashlib.sha256(data).hexdigest()
    assert store.put(data) == key
    assert store.open(key) == data
    assert [k for k, _ in store.keys()] == [key]
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_bad_keys_are_refused(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    with pytest.raises(KeyError):
        store.open("../../etc/passwd")
    with pytest.raises(KeyError):
        store.open("0" * 64)
    assert not store.exists("nope")


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalStorage(tmp_path)

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        store.put(b"%PDF-1.4 doomed")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_gc_removes_only_old_orphans(app, tmp_path: Path) -> None:
    from registry import unit_of_work
    from registry.extensions import db
    from registry.models import Certificate, CertificateStatus
    from registry.storage import get_storage

    with app.app_context():
        store = get_storage()
        kept = store.put(b"%PDF-1.4 referenced")
        orphan = store.put(b"%PDF-1.4 orphan")
        young = store.put(b"%PDF-1.4 just uploaded")
        unit_of_work.commit(
            db.session,
            lambda: db.session.add(
                Certificate(sha256=kept, size_bytes=1, status=CertificateStatus.UNREADABLE)
            ),
        )
        old = time.time() - 7200
        for key in (kept, orphan):
            os.utime(store._path(key), (old, old))  # type: ignore[attr-defined]
    result = app.test_cli_runner().invoke(args=["storage", "gc"])
    assert result.exit_code == 0, result.output
    assert orphan in result.output and "Removed 1 orphan" in result.output
    with app.app_context():
        assert store.exists(kept) and store.exists(young) and not store.exists(orphan)


def _age(store: object, key: str, minutes: float) -> None:
    then = time.time() - minutes * 60
    os.utime(store._path(key), (then, then))  # type: ignore[attr-defined]


def test_gc_grace_minutes_and_dry_run_from_the_command_line(app) -> None:
    """``storage gc --dry-run`` lists and removes nothing; ``--grace-minutes N`` keeps an
    orphan younger than N minutes and removes one older; a referenced file always stays.
    Real files in the app's data folder, a real certificate row."""
    from registry import unit_of_work
    from registry.extensions import db
    from registry.models import Certificate, CertificateStatus
    from registry.storage import get_storage

    with app.app_context():
        store = get_storage()
        kept = store.put(b"%PDF-1.4 referenced, old")
        ten = store.put(b"%PDF-1.4 orphan, ten minutes old")
        thirty = store.put(b"%PDF-1.4 orphan, thirty minutes old")
        unit_of_work.commit(
            db.session,
            lambda: db.session.add(
                Certificate(sha256=kept, size_bytes=1, status=CertificateStatus.UNREADABLE)
            ),
        )
        _age(store, kept, 600)
        _age(store, ten, 10)
        _age(store, thirty, 30)
    files = {kept, ten, thirty}
    runner = app.test_cli_runner()

    # the default grace (60 minutes) keeps both orphans
    out = runner.invoke(args=["storage", "gc", "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "Would remove 0 orphan" in out.output

    out = runner.invoke(args=["storage", "gc", "--grace-minutes", "5", "--dry-run"])
    assert out.exit_code == 0, out.output
    assert ten in out.output and thirty in out.output and kept not in out.output
    assert "Would remove 2 orphan" in out.output
    with app.app_context():
        assert all(store.exists(k) for k in files)  # a dry run removes nothing

    out = runner.invoke(args=["storage", "gc", "--grace-minutes", "20"])
    assert out.exit_code == 0, out.output
    assert thirty in out.output and ten not in out.output and "Removed 1 orphan" in out.output
    with app.app_context():
        assert store.exists(kept) and store.exists(ten) and not store.exists(thirty)

    out = runner.invoke(args=["storage", "gc", "--grace-minutes", "0"])
    assert out.exit_code == 0, out.output
    assert ten in out.output and "Removed 1 orphan" in out.output
    with app.app_context():
        assert store.exists(kept) and not store.exists(ten)

    bad = runner.invoke(args=["storage", "gc", "--grace-minutes", "soon"])
    assert bad.exit_code == 2 and "soon" in bad.output
