"""Originals on local disk, fanned out as ``ab/cd/abcdef…``."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

_KEY = re.compile(r"^[0-9a-f]{64}$")


class LocalStorage:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise KeyError(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        try:
            os.utime(path)  # already kept: now it is fresh, so gc leaves it to this upload
            return key
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)
        return key

    def open(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).exists()
        except KeyError:
            return False

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_if_older(self, key: str, cutoff: datetime) -> bool:
        """Delete ``key`` unless it was stored or re-stored (``put``) since ``cutoff``.

        The file is first moved aside atomically, then its time is read: a ``put`` that
        refreshed it just before the move gets it back; a ``put`` just after the move
        finds no file and writes its own. Either way an upload in flight keeps its file.
        """
        path = self._path(key)
        aside = path.with_name(f".gc-{key}")
        try:
            os.replace(path, aside)
        except FileNotFoundError:
            return False
        if datetime.fromtimestamp(aside.stat().st_mtime, UTC) >= cutoff:
            if not path.exists():
                os.replace(aside, path)
            else:
                aside.unlink(missing_ok=True)
            return False
        aside.unlink(missing_ok=True)
        return True

    def keys(self) -> Iterator[tuple[str, datetime]]:
        if not self.root.exists():
            return
        for path in self.root.glob("??/??/*"):
            if _KEY.match(path.name):
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
