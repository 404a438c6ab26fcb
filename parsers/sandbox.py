"""Parse an untrusted PDF in a resource-limited child process.

:func:`parse_isolated` runs :func:`parsers.parse` in a child process so that a hostile
or broken file costs at most the :class:`Limits` (CPU time, wall-clock time, address
space, pages, bytes) and can never hang, crash or bloat the caller. Every failure comes
back as a :class:`~parsers.errors.ParseError` subclass with a stable ``code``.

Design decisions:

* **Process start-up: multiprocessing's "forkserver".** The registry calls this once per
  upload from a multi-threaded Flask server, and the bulk importer from a thread pool.
  Plain ``fork()`` of such a caller copies locks held by other threads and can deadlock
  the child, and "spawn" pays a fresh interpreter plus the pdfplumber/pypdfium2 imports
  (~0.4 s) per file. The forkserver is a single-threaded helper started once (by
  fork+exec, which is safe in a threaded parent) that has already imported ``parsers``,
  ``pdfplumber`` and ``pypdfium2``; each parse is a ``fork()`` of that helper, about
  10-20 ms. ``__main__`` is preloaded too, so children do not re-run the caller's main
  script (multiprocessing otherwise does that in every child). :func:`warm_up` starts the
  helper ahead of the first upload.
* **Limits are applied in the child, before it reads the file**: ``RLIMIT_AS`` (memory),
  ``RLIMIT_CPU`` (soft limit ends the child with ``SIGXCPU``), ``RLIMIT_CORE`` = 0 (a
  crash leaves no core file). The child leads its own process group, so on the
  wall-clock timeout the parent kills it together with any ``tesseract`` it started.
  Size is checked in the parent before a child is started; the page limit is the
  parser's own ``max_pages`` (pdfium reads the page count without parsing the pages).
* **A child never outlives its limits or its caller.** The parent's timeout needs a live
  parent: a web worker killed mid-parse (gunicorn's own timeout, ``kill -9``) would leave
  the child and its ``tesseract`` running with parent 1. So the child also polices
  itself: a watchdog thread kills the child's whole process group (``tesseract``
  included) when the wall-clock limit passes, or as soon as its caller is gone. The
  child's parent is the forkserver, which outlives a dead caller (every child holds
  the forkserver's "alive" pipe, so a parent-death signal would never fire); instead
  the caller holds the only write end of a *lifeline* pipe whose read end the child
  watches: end of file there means the caller died. An ``ITIMER_REAL`` alarm with its
  default, fatal action backs the deadline up where no thread can run. The child also
  asks for a parent-death signal (``PR_SET_PDEATHSIG``, Linux) so that it dies with the
  forkserver, and Tesseract is started the same way (:func:`die_with_parent`), so that
  it dies with the child even where the child is killed outright (the kernel's OOM
  killer): the parent then also kills the dead child's process group.
* **The reply is JSON, not pickle**: a child that a malicious file managed to subvert
  must not be able to run code in the parent through ``pickle.loads``. The parent reads
  at most :data:`MAX_REPLY_BYTES` and rebuilds the document with ``Document.from_dict``.
* **Classifying a child that died without replying**: ``SIGXCPU`` is the CPU limit;
  exit code :data:`EXIT_MEMORY` is a ``MemoryError`` the child could not even report;
  ``SIGKILL`` that the parent did not send is the kernel's OOM killer. Native code
  (pdfium, C++) that fails an allocation under ``RLIMIT_AS`` usually aborts rather than
  raising, which looks like any other crash; the parent samples the child's peak
  address space (``VmPeak`` in ``/proc``) while it waits, and a crash at 85 % or more
  of the limit is reported as :class:`MemoryLimitExceeded`, any other crash as
  :class:`CorruptPDF` naming the signal.
* **``MemoryError`` passes through ``parse()``** (which turns every other unexpected
  exception into ``CorruptPDF``); the child reports it as :class:`MemoryLimitExceeded`.
  It also looks through the exception chain (a ``MemoryError`` wrapped by a library) and
  the messages of Tesseract failures such as OpenMP's "Thread creation failed".
* **Tesseract runs single-threaded** in the child (``OMP_THREAD_LIMIT=1`` unless set):
  the bulk importer runs several parses side by side, and every OpenMP thread reserves
  stack and malloc arenas that count against ``RLIMIT_AS`` (on a many-core machine that
  alone exceeded the limit).
* A child that cannot even start (the caller's ``__main__`` is not importable, e.g. a
  script read from ``<stdin>``) raises ``RuntimeError``: that is a deployment problem,
  not a bad file.
"""

from __future__ import annotations

import base64
import ctypes
import json
import math
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import popen_forkserver, spawn
from multiprocessing.connection import Connection
from typing import Any

from parsers.document import Document
from parsers.errors import (
    CorruptPDF,
    MemoryLimitExceeded,
    ParseError,
    TimeLimitExceeded,
    TooLarge,
    error_from_code,
)

#: Modules the forkserver imports once, so that each child starts warm. Not
#: ``"__main__"``: children never need the caller's main module (see :class:`_Process`).
PRELOAD = ["parsers", "pdfplumber", "pypdfium2"]
#: Largest reply (a document as JSON) the parent accepts from a child.
MAX_REPLY_BYTES = 32 * 1024 * 1024
#: Exit code of a child that ran out of memory and could not say so through the pipe.
EXIT_MEMORY = 86
#: Exit code of a child whose watchdog ended it (deadline passed, or its parent is gone).
EXIT_ORPHANED = 87
#: How often the parent samples the child's peak address space while waiting (seconds).
SAMPLE_INTERVAL = 0.05
#: A crash at or above this fraction of the memory limit counts as running out of memory.
MEMORY_CRASH_FRACTION = 0.85
#: Messages of native tools that ran out of address space (Tesseract/OpenMP, C++, glibc).
MEMORY_MESSAGES = (
    "Thread creation failed",
    "Cannot allocate memory",
    "std::bad_alloc",
    "Out of memory",
)
#: Environment of the child: single-threaded Tesseract (several parses run side by side, and
#: each OpenMP thread reserves address space that counts against ``RLIMIT_AS``).
CHILD_ENV = {"OMP_THREAD_LIMIT": "1"}
#: Longest message carried from the child (one line).
MAX_MESSAGE = 300
#: How often the child's watchdog looks at its parent and its deadline (seconds).
WATCHDOG_INTERVAL = 0.1
#: The child's own deadline runs this much past the parent's (the parent, when alive,
#: kills first and reports the timeout; the child's deadline is for an absent parent).
WATCHDOG_GRACE_S = 2.0

_LOCK = threading.Lock()  # multiprocessing's start()/join() bookkeeping is not thread-safe
_CONTEXT: Any = None


@dataclass(frozen=True)
class Limits:
    """What one parse may cost. ``cpu_seconds`` defaults to ``seconds``."""

    seconds: float = 60.0  # wall clock, enforced by the parent
    memory_mb: int = 1024  # address space (RLIMIT_AS) of the child and its subprocesses
    max_pages: int = 60
    max_bytes: int = 50 * 1024 * 1024
    cpu_seconds: float | None = None  # RLIMIT_CPU, rounded up to whole seconds
    ocr: bool = True
    nice: int = 0  # added to the child's niceness: parses yield the CPU to the caller's other work


PdfSource = str | os.PathLike[str] | bytes


def parse_isolated(source: PdfSource, limits: Limits = Limits()) -> Document:
    """Parse ``source`` (a path or the PDF bytes) in a limited child process.

    Raises :class:`TooLarge`, :class:`TooManyPages`, :class:`TimeLimitExceeded`,
    :class:`MemoryLimitExceeded`, the parser's own errors (``NotAPDF``,
    ``EncryptedPDF``, ``CorruptPDF``, ``NoText``) with their code and message, or a
    plain :class:`ParseError` for anything unexpected.
    """
    payload = _checked_payload(source, limits.max_bytes)
    reply = run_isolated(_parse_in_child, (payload, limits.max_pages, limits.ocr), limits)
    return Document.from_dict(reply)


def render_page_isolated(
    source: PdfSource, number: int, limits: Limits = Limits(), *, scale: float | None = None
) -> bytes | None:
    """Page ``number`` (from 1) of ``source`` as PNG bytes, drawn in a limited child
    exactly as a parse runs (a hostile page costs at most ``limits``); None when the PDF
    has no such page or cannot be opened. Failures raise as for :func:`parse_isolated`."""
    payload = _checked_payload(source, limits.max_bytes)
    reply = run_isolated(_render_in_child, (payload, number, scale), limits)
    png = reply.get("png")
    return base64.b64decode(png) if isinstance(png, str) else None


def warm_up() -> None:
    """Start the forkserver and wait until it has its imports (else the first parse pays ~0.4 s)."""
    run_isolated(_ping, (), Limits(seconds=60))


def run_isolated(
    func: Callable[..., dict[str, Any]], args: tuple[Any, ...], limits: Limits
) -> dict[str, Any]:
    """Run ``func(*args)`` in a limited child and return its JSON-able dict.

    ``func`` must be a module-level function (the child imports it by name). One of
    ``__main__`` works, but then every child runs the main script again first. Failures
    become :class:`ParseError` subclasses exactly as for :func:`parse_isolated`.
    """
    ctx = _context()
    reader, writer = ctx.Pipe(duplex=False)
    lifeline, held = ctx.Pipe(duplex=False)  # the child watches ``lifeline``; we hold ``held``
    # A function of __main__ needs the child to run the main script again (slow);
    # functions of importable modules (the parser's own) start straight from the server.
    launcher = ctx.Process if getattr(func, "__module__", None) == "__main__" else _Process
    process = launcher(
        target=_child_main,
        args=(writer, lifeline, func, args, limits),
        name="coa-parse",
        daemon=True,
    )
    try:
        with _LOCK:
            process.start()
    except OSError as exc:  # the child died while importing the caller's __main__, say
        for conn in (writer, reader, lifeline, held):
            conn.close()
        raise RuntimeError(
            f"cannot start a parser process ({exc}); is the main module importable (not <stdin>)?"
        ) from exc
    writer.close()
    lifeline.close()
    try:
        return _await_reply(process, reader, limits)
    finally:
        reader.close()
        _reap(process)
        held.close()


class _Popen(popen_forkserver.Popen):
    """The forkserver's process launcher, telling the child nothing of ``__main__``.

    multiprocessing has each child re-run the caller's main script (the ``flask`` or
    ``gunicorn`` entry point, a benchmark, pytest) so that objects defined there can be
    unpickled; on Python 3.11 preloading ``"__main__"`` in the forkserver does not
    help (the forkserver is never told the path). A child here runs
    :func:`_child_main` from this module and needs none of it, and re-running a main
    that imports the app cost every parse 70-500 ms. Launching happens under
    ``_LOCK``, so the preparation data is filtered only for our own starts.
    """

    def _launch(self, process_obj: Any) -> None:
        original = spawn.get_preparation_data

        def without_main(name: str) -> dict[str, Any]:
            data: dict[str, Any] = original(name)
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
            return data

        spawn.get_preparation_data = without_main
        try:
            super()._launch(process_obj)  # type: ignore[misc]
        finally:
            spawn.get_preparation_data = original


class _Process(multiprocessing.context.ForkServerProcess):
    """A forkserver process started by :class:`_Popen`."""

    @staticmethod
    def _Popen(process_obj: Any) -> Any:  # noqa: N802 - multiprocessing's name
        _context()  # the forkserver's preload list is set before it first starts
        return _Popen(process_obj)


def _context() -> Any:
    global _CONTEXT
    if _CONTEXT is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        _CONTEXT = ctx
    return _CONTEXT


def _checked_payload(source: PdfSource, max_bytes: int) -> bytes | str:
    """The bytes or the path (as ``str``) to send to the child; :class:`TooLarge` when over."""
    if isinstance(source, bytes | bytearray | memoryview):
        size = len(source)
        payload: bytes | str = bytes(source)
    else:
        payload = os.fspath(source)
        try:
            size = os.stat(payload).st_size
        except OSError:
            size = 0  # the parser reports unreadable paths in its own words
    if size > max_bytes:
        raise TooLarge(f"file too large ({size:,} bytes > {max_bytes:,})")
    return payload


# --- the parent side -------------------------------------------------------------


def _await_reply(process: Any, reader: Connection, limits: Limits) -> dict[str, Any]:
    """Wait for the child's reply within the wall-clock limit; raise on failure."""
    deadline = time.monotonic() + limits.seconds
    peak_kb = _vm_peak_kb(process.pid)  # a fresh child already has the forkserver's size
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _kill(process)
            raise TimeLimitExceeded(f"parse took longer than {limits.seconds:g} s")
        if reader.poll(min(remaining, SAMPLE_INTERVAL)):
            break
        peak_kb = max(peak_kb, _vm_peak_kb(process.pid))
    try:
        raw = reader.recv_bytes(MAX_REPLY_BYTES)
    except EOFError:
        raise _died(process, limits, peak_kb) from None
    except OSError:
        _kill(process)
        raise ParseError("parser reply too large") from None
    return _decode(raw)


def _decode(raw: bytes) -> dict[str, Any]:
    """The document dict of a reply, or the error it carries."""
    try:
        reply = json.loads(raw)
        if "document" in reply:
            document: dict[str, Any] = reply["document"]
            return document
        code, message = str(reply["code"]), str(reply["message"])
    except (ValueError, KeyError, TypeError):
        raise ParseError("malformed reply from the parser process") from None
    raise error_from_code(code, message)


def _died(process: Any, limits: Limits, peak_kb: int) -> ParseError:
    """The error for a child that exited without a reply."""
    with _LOCK:
        process.join(5)
    code = process.exitcode
    if code is not None and code < 0:
        _kill_group(process.pid)  # killed outright: its subprocesses had no watchdog left
    if code is None:
        _kill(process)
        return ParseError("parser process closed its pipe and did not exit")
    if code == EXIT_MEMORY:
        return MemoryLimitExceeded(
            f"memory limit exceeded: parse needed more than {limits.memory_mb} MB"
        )
    if code == EXIT_ORPHANED or -code in (signal.SIGALRM,):
        return TimeLimitExceeded(f"parse took longer than {limits.seconds:g} s")
    if code >= 0:
        return ParseError(f"parser process exited without a result (exit code {code})")
    sig = -code
    if sig == signal.SIGXCPU:
        return TimeLimitExceeded(f"parse used more than {_cpu_limit(limits)} s of CPU time")
    if sig == signal.SIGKILL:
        return MemoryLimitExceeded(
            "memory limit exceeded: parser process was killed by the system (out of memory)"
        )
    name = _signal_name(sig)
    if peak_kb >= MEMORY_CRASH_FRACTION * limits.memory_mb * 1024:
        return MemoryLimitExceeded(
            f"memory limit exceeded: parser process crashed ({name}) at its {limits.memory_mb} MB limit"
        )
    return CorruptPDF(f"parser process crashed on this file ({name})")


def _kill_group(pid: int | None) -> None:
    """Kill what is left of a dead child's process group (a Tesseract it started)."""
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:  # nothing left
        pass


def _kill(process: Any) -> None:
    """Kill the child and its process group (a running tesseract, say)."""
    pid = process.pid
    if pid is None or process.exitcode is not None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:  # not yet its own group leader, or already gone
        try:
            process.kill()
        except OSError:
            pass


def _reap(process: Any) -> None:
    """Join the child (killing it if it lingers) and release its file descriptors."""
    with _LOCK:
        process.join(5)
        if process.exitcode is None:
            _kill(process)
            process.join(5)
        if process.exitcode is not None:
            process.close()


def _vm_peak_kb(pid: int | None) -> int:
    """Peak address space of a live process in kB (0 when unknown)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmPeak:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def _cpu_limit(limits: Limits) -> int:
    return max(
        1, math.ceil(limits.cpu_seconds if limits.cpu_seconds is not None else limits.seconds)
    )


# --- the child side ----------------------------------------------------------------


def _child_main(
    conn: Connection,
    lifeline: Connection,
    func: Callable[..., dict[str, Any]],
    args: tuple[Any, ...],
    limits: Limits,
) -> None:
    """Entry point of the child: limit, run, reply as JSON, exit without clean-up."""
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    if not die_with_parent():
        os._exit(EXIT_ORPHANED)  # the forkserver is gone already
    if limits.nice:
        try:
            os.nice(limits.nice)  # inherited by Tesseract
        except OSError:
            pass
    _start_watchdog(limits, lifeline)
    _apply_limits(limits)
    for key, value in CHILD_ENV.items():
        os.environ.setdefault(key, value)
    reply: dict[str, Any]
    try:
        reply = {"document": func(*args)}
    except BaseException as exc:  # noqa: BLE001 - everything becomes a one-line reply
        reply = _error_reply(exc, limits)
    try:
        conn.send_bytes(json.dumps(reply).encode())
        conn.close()
    except MemoryError:
        os._exit(EXIT_MEMORY)
    except BaseException:  # noqa: BLE001 - the parent will see a closed pipe
        os._exit(1)
    os._exit(0)


def _start_watchdog(limits: Limits, lifeline: Connection) -> None:
    """Kill this child's process group at its deadline or when its caller is gone (end of
    file on ``lifeline``, whose only write end the caller holds)."""
    deadline = time.monotonic() + limits.seconds + WATCHDOG_GRACE_S
    # Backstop where no thread can run: SIGALRM's default action ends the process.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, limits.seconds + 2 * WATCHDOG_GRACE_S)

    def caller_gone() -> bool:
        try:
            return lifeline.poll(WATCHDOG_INTERVAL)  # readable only at end of file
        except OSError:
            return True

    def watch() -> None:
        while time.monotonic() < deadline and not caller_gone():
            pass
        try:
            os.killpg(0, signal.SIGKILL)  # this child and all it started (tesseract)
        finally:
            os._exit(EXIT_ORPHANED)

    threading.Thread(target=watch, name="coa-parse-watchdog", daemon=True).start()


#: ``prctl`` option: the signal this process gets when its parent dies (Linux).
PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux; a
    no-op elsewhere). False when the parent died already (this process was re-parented
    before the request took effect)."""
    if not sys.platform.startswith("linux"):
        return True
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
    except (OSError, AttributeError):
        return True
    return os.getppid() == parent


def _apply_limits(limits: Limits) -> None:
    """Set this process's resource limits (inherited by anything it starts)."""
    memory = int(limits.memory_mb) * 1024 * 1024
    cpu = _cpu_limit(limits)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _error_reply(exc: BaseException, limits: Limits) -> dict[str, str]:
    """The reply for an exception raised in the child."""
    if _caused_by_memory(exc):
        return {
            "code": MemoryLimitExceeded.code,
            "message": f"memory limit exceeded: parse ran out of memory (limit {limits.memory_mb} MB)",
        }
    if isinstance(exc, ParseError):
        return {"code": exc.code, "message": _one_line(exc.message)}
    detail = _one_line(f"{type(exc).__name__}: {exc}")
    return {"code": ParseError.code, "message": f"internal parser error: {detail}"}


def _caused_by_memory(exc: BaseException | None) -> bool:
    """True for a MemoryError anywhere in the chain, or a subprocess (Tesseract) that said so."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, MemoryError) or any(m in str(exc) for m in MEMORY_MESSAGES):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 3] + "..."


def _ping() -> dict[str, Any]:
    return {}


def _parse_in_child(payload: bytes | str, max_pages: int, ocr: bool) -> dict[str, Any]:
    """What the child runs for :func:`parse_isolated`."""
    from parsers.api import parse

    return parse(payload, max_pages=max_pages, ocr=ocr).to_dict()


def _render_in_child(payload: bytes | str, number: int, scale: float | None) -> dict[str, Any]:
    """What the child runs for :func:`render_page_isolated` (PNG bytes as base64: the
    reply is JSON)."""
    from parsers.render import SCALE, page_png

    png = page_png(payload, number, SCALE if scale is None else scale)
    return {"png": base64.b64encode(png).decode("ascii") if png is not None else None}
