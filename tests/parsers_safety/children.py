"""Misbehaving child bodies for ``run_isolated`` (imported by name in the child process).

Each stands for a way a parser could fail on a hostile file: crash in native code,
exhaust memory, spin, hang in a subprocess, raise something unexpected.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any


def segfault() -> dict[str, Any]:
    """Read address 0, as a buggy C library would."""
    ctypes.string_at(0)
    return {}


def abort() -> dict[str, Any]:
    os.abort()


def killed() -> dict[str, Any]:
    """What the kernel's OOM killer does."""
    os.kill(os.getpid(), signal.SIGKILL)
    return {}


def exit_silently(code: int) -> dict[str, Any]:
    os._exit(code)


def allocate_forever() -> dict[str, Any]:
    """Grow until the address-space limit stops us."""
    hoard = []
    while True:
        hoard.append(bytearray(8 * 1024 * 1024))


def spin() -> dict[str, Any]:
    """Burn CPU forever."""
    n = 0
    while True:
        n += 1


def sleep_with_grandchild(pid_file: str) -> dict[str, Any]:
    """Start a long subprocess (like tesseract), note its pid, and wait for it."""
    proc = subprocess.Popen(["sleep", "60"])
    Path(pid_file).write_text(str(proc.pid))
    proc.wait()
    return {}


def unexpected() -> dict[str, Any]:
    raise ValueError("bad\nthing\n  happened")


def echo(value: Any) -> dict[str, Any]:
    return {"value": value}


def slow(seconds: float) -> dict[str, Any]:
    time.sleep(seconds)
    return {"slept": seconds}


def parse_out_of_memory(path: str) -> dict[str, Any]:
    """``parse`` of a real file whose text reader raises MemoryError (as a huge page would)."""
    import parsers.pdf

    def exhausted(page: object) -> list[object]:
        raise MemoryError

    parsers.pdf.page_words = exhausted  # type: ignore[assignment]
    from parsers.api import parse

    return parse(path).to_dict()


def note_pids_then_sleep(pid_file: str) -> dict[str, Any]:
    """Like a parse stuck in Tesseract: start a long subprocess, note both pids, wait."""
    proc = subprocess.Popen(["sleep", "120"])
    Path(pid_file).write_text(f"{os.getpid()} {proc.pid}")
    proc.wait()
    return {}


def killed_with_grandchild(pid_file: str) -> dict[str, Any]:
    """Start a long subprocess (like tesseract), note its pid, then die as the OOM killer
    ends a process: SIGKILL, with no chance to clean up."""
    proc = subprocess.Popen(["sleep", "60"])
    Path(pid_file).write_text(str(proc.pid))
    os.kill(os.getpid(), signal.SIGKILL)
    return {}


def ocr_noting_group(pid_file: str, data: bytes) -> dict[str, Any]:
    """Note this child's process group, then read a scan (Tesseract, page by page)."""
    from parsers.api import parse

    Path(pid_file).write_text(str(os.getpgid(0)))
    return parse(data, ocr=True).to_dict()
