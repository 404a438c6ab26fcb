"""parse_isolated: real limits, real parser errors, crashes, in a forkserver child."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from parsers import (
    CorruptPDF,
    EncryptedPDF,
    Limits,
    MemoryLimitExceeded,
    NotAPDF,
    ParseError,
    TimeLimitExceeded,
    TooLarge,
    TooManyPages,
    parse,
    parse_isolated,
)
from parsers.sandbox import run_isolated, warm_up
from tests.parsers_safety import children

QUICK = Limits(seconds=20, memory_mb=1024)


@pytest.fixture(scope="module", autouse=True)
def _server() -> None:
    warm_up()


def test_same_document_as_in_process(pdf: Callable[..., Path]) -> None:
    path = pdf()
    expected = parse(path)
    assert parse_isolated(path) == expected
    assert parse_isolated(path.read_bytes(), QUICK) == expected
    assert any(r.analyte == "lead" for r in expected.results)


def test_too_many_pages(pdf: Callable[..., Path]) -> None:
    with pytest.raises(TooManyPages, match="61 > 60"):
        parse_isolated(pdf(pages=61, rows=1))
    with pytest.raises(TooManyPages):
        parse_isolated(pdf("three.pdf", pages=3), Limits(max_pages=2))


def test_too_large_bytes_and_path(pdf: Callable[..., Path]) -> None:
    path = pdf()
    small = Limits(max_bytes=path.stat().st_size - 1)
    with pytest.raises(TooLarge, match="too large"):
        parse_isolated(path, small)
    with pytest.raises(TooLarge):
        parse_isolated(path.read_bytes(), small)


def test_tiny_memory_limit(pdf: Callable[..., Path]) -> None:
    with pytest.raises(MemoryLimitExceeded) as info:
        parse_isolated(pdf(pages=10, rows=60), Limits(memory_mb=16))
    assert info.value.code == "memory"


def test_memory_hog_is_stopped_at_the_limit() -> None:
    start = time.monotonic()
    with pytest.raises(MemoryLimitExceeded):
        run_isolated(children.allocate_forever, (), Limits(seconds=20, memory_mb=256))
    assert time.monotonic() - start < 10


def test_wall_clock_limit_on_a_heavy_pdf(pdf: Callable[..., Path]) -> None:
    heavy = pdf("heavy.pdf", pages=40, rows=60)  # ~5 s of parsing here
    start = time.monotonic()
    with pytest.raises(TimeLimitExceeded, match="longer than 0.5 s"):
        parse_isolated(heavy, Limits(seconds=0.5))
    assert time.monotonic() - start < 3


def test_cpu_limit_on_a_heavy_pdf(pdf: Callable[..., Path]) -> None:
    # About 15 s of CPU on this project's 2-core CI machine: the 1 s limit (the least RLIMIT_CPU allows)
    # lies far below the work on any machine, however fast.
    heavy = pdf("heavy.pdf", pages=60, rows=480)
    with pytest.raises(TimeLimitExceeded, match="CPU time"):
        parse_isolated(heavy, Limits(seconds=60, cpu_seconds=1))


def test_cpu_limit_on_a_spinning_child() -> None:
    with pytest.raises(TimeLimitExceeded, match="1 s of CPU"):
        run_isolated(children.spin, (), Limits(seconds=30, cpu_seconds=0.5))


def test_timeout_kills_grandchildren(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    with pytest.raises(TimeLimitExceeded):
        run_isolated(children.sleep_with_grandchild, (str(pid_file),), Limits(seconds=1))
    grandchild = int(pid_file.read_text())
    for _ in range(50):
        if not _alive(grandchild):
            break
        time.sleep(0.05)
    assert not _alive(grandchild)


@pytest.mark.ocr
def test_scan_is_read_by_tesseract_inside_the_limits() -> None:
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract missing: apt-get install tesseract-ocr")
    from tests.synthetic import samples

    scan = next(
        data
        for _name, family, _s, data in samples(per_family=1, seed=0)
        if family.name == "scanned"
    )
    doc = parse_isolated(scan, Limits(seconds=120, memory_mb=512))
    assert doc.ocr and doc.pages == 1


def test_garbage_is_not_a_pdf(tmp_path: Path) -> None:
    with pytest.raises(NotAPDF, match="no %PDF- header"):
        parse_isolated(os.urandom(4096), QUICK)
    with pytest.raises(NotAPDF, match="cannot read file"):
        parse_isolated(tmp_path / "missing.pdf", QUICK)


def test_truncated_pdf_is_corrupt(pdf: Callable[..., Path]) -> None:
    data = pdf().read_bytes()
    with pytest.raises(CorruptPDF) as info:
        parse_isolated(data[: len(data) // 3], QUICK)
    assert info.value.code == "corrupt"
    assert info.value.message == _in_process_error(data[: len(data) // 3]).message


def test_encrypted_pdf(pdf: Callable[..., Path]) -> None:
    with pytest.raises(EncryptedPDF) as info:
        parse_isolated(pdf(encrypt="s3cret"), QUICK)
    assert info.value.code == "encrypted"


@pytest.mark.parametrize("body", [children.segfault, children.abort])
def test_native_crash_is_corrupt_pdf(body: Callable[[], dict[str, object]]) -> None:
    with pytest.raises(CorruptPDF, match=r"crashed on this file \(SIG(SEGV|ABRT)\)"):
        run_isolated(body, (), QUICK)


def test_killed_child_is_out_of_memory() -> None:
    with pytest.raises(MemoryLimitExceeded, match="killed"):
        run_isolated(children.killed, (), QUICK)


def test_silent_exit_is_a_plain_parse_error() -> None:
    with pytest.raises(ParseError, match=r"exit code 3") as info:
        run_isolated(children.exit_silently, (3,), QUICK)
    assert type(info.value) is ParseError


def test_unexpected_exception_is_one_line() -> None:
    with pytest.raises(ParseError) as info:
        run_isolated(children.unexpected, (), QUICK)
    assert type(info.value) is ParseError
    assert info.value.message == "internal parser error: ValueError: bad thing happened"


def test_concurrent_callers_get_their_own_answers(pdf: Callable[..., Path]) -> None:
    good = pdf()
    jobs = [(children.echo, (i,)) for i in range(8)] + [(children.slow, (0.2,))] * 4
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(lambda job: run_isolated(job[0], job[1], QUICK), jobs))
        documents = list(pool.map(lambda _: parse_isolated(good, QUICK), range(4)))
    assert replies[:8] == [{"value": i} for i in range(8)]
    assert replies[8:] == [{"slept": 0.2}] * 4
    assert len({d.batch for d in documents}) == 1


def test_children_do_not_rerun_the_main_script(tmp_path: Path) -> None:
    """A child starts from the forkserver, not by running the caller's main script
    again (which, under the app, imported the whole registry for every parse)."""
    marker = tmp_path / "runs.txt"
    script = tmp_path / "main_script.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})\n"
        f"with open({str(marker)!r}, 'a') as fh:\n"
        "    fh.write('ran\\n')\n"
        "from parsers.sandbox import Limits, run_isolated\n"
        "from tests.parsers_safety import children\n"
        "def own():\n"
        "    return {'own': True}\n"
        "if __name__ == '__main__':\n"
        "    for i in range(3):\n"
        "        assert run_isolated(children.echo, (i,), Limits(seconds=30)) == {'value': i}\n"
        "    assert run_isolated(own, (), Limits(seconds=30)) == {'own': True}\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    # Three parses, one run of the script; a function of __main__ still works, its
    # child running the script first (the one extra run).
    assert marker.read_text().splitlines() == ["ran", "ran"]


def _in_process_error(data: bytes) -> ParseError:
    try:
        parse(data)
    except ParseError as exc:
        return exc
    raise AssertionError("expected a ParseError")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_memory_error_in_parse_is_not_a_corrupt_file(
    pdf: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import parsers.pdf

    def exhausted(page: object) -> list[object]:
        raise MemoryError

    monkeypatch.setattr(parsers.pdf, "page_words", exhausted)
    with pytest.raises(MemoryError):
        parse(pdf())


def test_memory_error_in_child_reports_the_memory_limit(pdf: Callable[..., Path]) -> None:
    with pytest.raises(MemoryLimitExceeded, match="memory limit exceeded") as info:
        run_isolated(children.parse_out_of_memory, (str(pdf()),), Limits(seconds=20, memory_mb=768))
    assert info.value.code == "memory"
    assert "768 MB" in info.value.message


CALLER = """
import sys
from parsers.sandbox import Limits, run_isolated
from tests.parsers_safety import children
run_isolated(children.note_pids_then_sleep, (sys.argv[1],), Limits(seconds=float(sys.argv[2])))
"""


def _caller_with_stuck_child(
    tmp_path: Path, seconds: float
) -> tuple[subprocess.Popen[bytes], list[int]]:
    """A separate process (standing for a web worker) whose parse is stuck in a subprocess."""
    pid_file = tmp_path / "pids"
    caller = subprocess.Popen(
        [sys.executable, "-c", CALLER, str(pid_file), str(seconds)],
        cwd=Path(__file__).resolve().parents[2],
    )
    for _ in range(300):
        if pid_file.exists() and len(pid_file.read_text().split()) == 2:
            break
        time.sleep(0.05)
    else:
        caller.kill()
        pytest.fail("the child never started")
    return caller, [int(p) for p in pid_file.read_text().split()]


def _gone(pids: list[int], within: float) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


def test_no_parse_process_survives_its_caller_killed(tmp_path: Path) -> None:
    """SIGKILL of the caller mid-parse (gunicorn killing a worker at its timeout) leaves
    no parse process and no subprocess of it (Tesseract) running with parent 1."""
    caller, pids = _caller_with_stuck_child(tmp_path, seconds=600)
    try:
        assert all(_alive(p) for p in pids)
        caller.kill()
        caller.wait()
        assert _gone(pids, within=5), [p for p in pids if _alive(p)]
    finally:
        for p in pids:
            if _alive(p):
                os.kill(p, 9)


def test_the_time_limit_holds_while_the_caller_cannot_enforce_it(tmp_path: Path) -> None:
    """A caller that is alive but stopped (or wedged) cannot kill at the deadline; the
    child's own watchdog ends it and its subprocess shortly after the limit."""
    import signal

    caller, pids = _caller_with_stuck_child(tmp_path, seconds=1)
    try:
        os.kill(caller.pid, signal.SIGSTOP)
        assert _gone(pids, within=8), [p for p in pids if _alive(p)]
    finally:
        os.kill(caller.pid, signal.SIGKILL)
        caller.wait()
        for p in pids:
            if _alive(p):
                os.kill(p, 9)


def test_a_page_is_drawn_in_the_child(pdf: Callable[..., Path]) -> None:
    """The review desk's page images: drawn in the same limited child as a parse."""
    import io

    from PIL import Image

    from parsers import render_page_isolated

    path = pdf("two.pdf", pages=2, rows=4)
    png = render_page_isolated(path.read_bytes(), 2, QUICK)
    assert png is not None and png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).size == (893, 1263)  # A4 at 108 dpi
    assert render_page_isolated(path, 3, QUICK) is None  # no such page
    assert render_page_isolated(b"%PDF-1.4 not really", 1, QUICK) is None
    with pytest.raises(MemoryLimitExceeded):
        render_page_isolated(path, 1, Limits(memory_mb=16))


def test_a_huge_page_is_drawn_smaller(tmp_path: Path) -> None:
    """A 200-inch page (the largest PDF allows) at 108 dpi would be 466 million pixels:
    it is drawn within :data:`parsers.render.MAX_PIXELS` instead."""
    import io

    from PIL import Image
    from reportlab.pdfgen import canvas

    from parsers import render_page_isolated
    from parsers.render import MAX_PIXELS

    path = tmp_path / "poster.pdf"
    c = canvas.Canvas(str(path), pagesize=(14400, 14400))
    c.drawString(72, 72, "Lead 0.2 ppm")
    c.showPage()
    c.save()
    png = render_page_isolated(path, 1, QUICK)
    assert png is not None
    width, height = Image.open(io.BytesIO(png)).size
    assert width * height <= MAX_PIXELS and width > 3000


def _group(pgid: int) -> list[int]:
    """Live processes of a process group."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[-1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:
                found.append(int(entry))
    return found


def _group_gone(pgid: int, within: float) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        if not _group(pgid):
            return True
        time.sleep(0.05)
    return False


def test_a_child_killed_outright_leaves_no_subprocess(tmp_path: Path) -> None:
    """The OOM killer's SIGKILL gives the child's watchdog no chance: its subprocess
    (Tesseract) dies with it all the same (parent-death signal, and the caller kills the
    dead child's group)."""
    pid_file = tmp_path / "pid"
    with pytest.raises(MemoryLimitExceeded):
        run_isolated(children.killed_with_grandchild, (str(pid_file),), QUICK)
    grandchild = int(pid_file.read_text())
    assert _gone([grandchild], within=5)


def _scan() -> bytes:
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract missing: apt-get install tesseract-ocr")
    from tests.synthetic import samples

    return next(
        data
        for _name, family, _s, data in samples(per_family=1, seed=0)
        if family.name == "scanned"
    )


@pytest.mark.ocr
def test_slow_ocr_ends_at_the_wall_clock_limit_with_its_tesseract(tmp_path: Path) -> None:
    pid_file = tmp_path / "pgid"
    with pytest.raises(TimeLimitExceeded):
        run_isolated(children.ocr_noting_group, (str(pid_file), _scan()), Limits(seconds=0.5))
    assert _group_gone(int(pid_file.read_text()), within=5)


OCR_CALLER = """
import sys
from pathlib import Path
from parsers.sandbox import Limits, run_isolated
from tests.parsers_safety import children
run_isolated(children.ocr_noting_group, (sys.argv[1], Path(sys.argv[2]).read_bytes()), Limits(seconds=600))
"""


@pytest.mark.ocr
def test_no_tesseract_survives_its_caller_killed_mid_ocr(tmp_path: Path) -> None:
    """A real OCR parse, its caller (a web worker) killed with SIGKILL while Tesseract
    reads: no process of the parse is left."""
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(_scan())
    pid_file = tmp_path / "pgid"
    caller = subprocess.Popen(
        [sys.executable, "-c", OCR_CALLER, str(pid_file), str(scan)],
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        pgid = None
        for _ in range(1200):
            if pid_file.exists() and pid_file.read_text():
                pgid = int(pid_file.read_text())
                if len(_group(pgid)) > 1:  # Tesseract (or setpriv) is running in the group
                    break
            time.sleep(0.05)
        assert pgid is not None
    finally:
        caller.kill()
        caller.wait()
    assert _group_gone(pgid, within=5), _group(pgid)
