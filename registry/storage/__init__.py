"""Content-addressed storage of original PDFs.

A blob's key is the sha256 of its bytes. ``put`` is atomic and durable before it
returns (temporary file, fsync, rename, fsync of the directory), so a certificate row
is only committed after its file is safe. A crash between the two leaves at most an
orphan blob, which ``flask storage gc`` removes.

Backends implement :class:`Storage`; :class:`LocalStorage` is the embedded default.
An S3-compatible backend only needs the same six methods. ``put`` of bytes already\nkept refreshes their time, so ``gc`` never takes the original of an upload in flight.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from flask import Flask, current_app

from registry.storage.local import LocalStorage


class Storage(Protocol):
    def put(self, data: bytes) -> str:
        """Store ``data`` durably; return its sha256 (hex). Idempotent."""

    def open(self, key: str) -> bytes:
        """Return the bytes stored under ``key``; raise ``KeyError`` if absent."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def delete_if_older(self, key: str, cutoff: datetime) -> bool:
        """Delete ``key`` unless it was stored or re-stored since ``cutoff`` (atomically
        with respect to ``put``); return whether it was deleted."""

    def keys(self) -> Iterator[tuple[str, datetime]]:
        """Every stored key with its modification time."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def init_app(app: Flask) -> None:
    app.extensions["registry.storage"] = LocalStorage(app.config["DATA_DIR"])


def get_storage() -> Storage:
    storage: Storage = current_app.extensions["registry.storage"]
    return storage


__all__ = ["LocalStorage", "Storage", "get_storage", "init_app", "sha256_hex"]
