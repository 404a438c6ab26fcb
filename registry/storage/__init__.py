"""Content-addressed storage of original PDFs.

A blob's key is the sha256 of its bytes. ``put`` is atomic and durable before it
returns (temporary file, fsync, rename, fsync of the directory), so a certificate row
is only committed after its file is safe. A crash between the two leaves at most an
orphan blob, which ``flask storage gc`` removes.

Backends implement :class:`Storage`; :class:`LocalStorage` is the embedded default.
An S3-compatible backend only needs the same five methods.
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
