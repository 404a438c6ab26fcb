"""Uploads off the request path: search latency under an upload attack, and upload
throughput of the real corpus, through gunicorn as the README runs it.

    .venv/bin/python bench/upload.py                     # both parts, SQLite
    .venv/bin/python bench/upload.py --attack-s 60 --searches 300
    .venv/bin/python bench/upload.py --part throughput --database postgresql://postgres@127.0.0.1:5432/test

**Under attack.** gunicorn with 4 workers (8 threads each, as the README runs it) serves a registry holding the real corpus
(``tests/corpus/real``). Search (``GET /api/v1/batches`` with a rotation of filters) is
timed with no other load, then while 4 clients upload slow hostile PDFs continuously
(60 pages of dense text, ~800 KB, each copy with other bytes so none is a duplicate:
every one costs a full parse up to the wall-clock limit), in the same run. Printed: p50
and p95 of each, the ratio attack/quiet of p95 (target <= 3), and every failed request
(target: none; an upload answers 201 or 202).

**Throughput.** The real corpus uploaded through the API by 4 clients, from an empty
database, with ``REGISTRY_PARSE_CONCURRENCY`` 1 and then 2 (parses at once on this
host): uploads per second until every certificate is read (none ``processing``).

Figures are printed, never asserted. Times are wall-clock: other work on the machine
shows in them, so the load average is printed beside each figure.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CORPUS = REPO / "tests" / "corpus" / "real"
QUERIES = (
    "/api/v1/batches",
    "/api/v1/batches?status=fail",
    "/api/v1/batches?q=kratom",
    "/api/v1/batches?lot=A",
    "/api/v1/batches?per_page=50",
    "/api/v1/vendors",
    "/api/v1/batches?analyte=lead",
)


def slow_pdf(pages: int = 60, lines: int = 110, seed: int = 0) -> bytes:
    """A text-only PDF whose every page is dense small print: the parse reads every
    character of every page (about a minute on one core)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    words = [
        "Lead",
        "Arsenic",
        "ND",
        "0.05",
        "ug/g",
        "Mitragynine",
        "%",
        "<LOQ",
        "Pass",
        "Batch",
        "Lot",
        "CFU/g",
    ]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=True)
    for _ in range(pages):
        c.setFont("Helvetica", 5)
        y = 780
        for _ in range(lines):
            c.drawString(
                20, y, " ".join(rng.choice(words) + str(rng.randint(0, 99)) for _ in range(40))
            )
            y -= 7
        c.showPage()
    c.save()
    return buf.getvalue()


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _load() -> str:
    return f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


class Registry:
    """A fresh registry (database and data folder) served by gunicorn."""

    def __init__(self, workdir: Path, database: str | None, parse_workers: int) -> None:
        self.workdir = workdir
        self.schema: str | None = None
        if database:
            import uuid

            import sqlalchemy as sa

            self.schema = f"bench_upload_{uuid.uuid4().hex[:8]}"
            self.admin = sa.create_engine(
                database.replace("postgresql://", "postgresql+psycopg://", 1)
            )
            with self.admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
            url = sa.make_url(database).update_query_dict(
                {"options": f"-csearch_path={self.schema}"}
            )
            self.url = url.render_as_string(hide_password=False)
        else:
            self.url = f"sqlite:///{workdir / 'registry.db'}"
        self.env = {
            **os.environ,
            "REGISTRY_DATABASE_URL": self.url,
            "REGISTRY_DATA_DIR": str(workdir / "data"),
            "REGISTRY_SECRET_KEY": "bench",
            "REGISTRY_RATE_LIMITS": "",
            "REGISTRY_UPLOAD_RATE_LIMITS": "",
            "REGISTRY_PARSE_CONCURRENCY": str(parse_workers),
            "REGISTRY_LOG_LEVEL": "WARNING",
            "REGISTRY_ALERT_WORKER": "off",
            "PYTHONPATH": str(REPO),
        }
        self.flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        subprocess.run(
            [*self.flask, "db", "upgrade"],
            cwd=REPO,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        out = subprocess.run(
            [*self.flask, "tokens", "create", "bench", "--role", "uploader"],
            cwd=REPO,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        self.token = next(w for w in out.stdout.split() if w.startswith("kcr_"))
        self.port = _port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [
                str(gunicorn),
                "-w",
                "4",
                "--threads",
                "8",
                "--timeout",
                "120",
                "-b",
                f"127.0.0.1:{self.port}",
                "wsgi:app",
            ],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(300):
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code < 600:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.schema:
            import sqlalchemy as sa

            with self.admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            self.admin.dispose()

    def upload(self, client: httpx.Client, name: str, data: bytes) -> httpx.Response:
        return client.post(
            self.base + "/api/v1/certificates",
            headers={"Authorization": f"Bearer {self.token}"},
            files={"file": (name, data, "application/pdf")},
            timeout=120,
        )

    def processing(self, client: httpx.Client) -> int:
        body = client.get(self.base + "/api/v1/certificates?status=processing&per_page=1").json()
        return int(body["total"])


@contextmanager
def registry(database: str | None, parse_workers: int) -> Iterator[Registry]:
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        reg = Registry(Path(tmp), database, parse_workers)
        try:
            reg.start()
            yield reg
        finally:
            reg.stop()


def corpus() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(CORPUS.glob("*.pdf"))]


def upload_all(
    reg: Registry, files: list[tuple[str, bytes]], clients: int = 4
) -> tuple[float, list[str]]:
    """Upload every file (``clients`` at once) and wait until none is processing."""
    failures: list[str] = []
    queue = list(files)
    lock = threading.Lock()

    def client_loop() -> None:
        with httpx.Client() as client:
            while True:
                with lock:
                    if not queue:
                        return
                    name, data = queue.pop()
                try:
                    r = reg.upload(client, name, data)
                    if r.status_code not in (200, 201, 202):
                        failures.append(f"upload {name}: {r.status_code}")
                except httpx.HTTPError as exc:
                    failures.append(f"upload {name}: {type(exc).__name__}")

    start = time.perf_counter()
    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with httpx.Client() as client:
        while reg.processing(client):
            time.sleep(0.2)
    return time.perf_counter() - start, failures


def searches(reg: Registry, n: int) -> tuple[list[float], list[str]]:
    times, failures = [], []
    with httpx.Client() as client:
        for i in range(n):
            path = QUERIES[i % len(QUERIES)]
            start = time.perf_counter()
            try:
                r = client.get(reg.base + path, timeout=60)
                if r.status_code != 200:
                    failures.append(f"search {path}: {r.status_code}")
            except httpx.HTTPError as exc:
                failures.append(f"search {path}: {type(exc).__name__}")
            times.append(time.perf_counter() - start)
    return times, failures


def p(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100)[int(q) - 1] * 1000
        if len(values) > 1
        else values[0] * 1000
    )


def attack(args: argparse.Namespace) -> None:
    print(
        f"\nunder attack: gunicorn -w 4, parse concurrency {args.concurrency}, "
        f"{'PostgreSQL' if args.database else 'SQLite'}"
    )
    hostile = slow_pdf()
    with registry(args.database, args.concurrency) as reg:
        elapsed, failures = upload_all(reg, corpus())
        print(f"  seeded with the real corpus in {elapsed:.1f} s")
        searches(reg, 20)  # warm every worker
        quiet, quiet_failures = searches(reg, args.searches)
        print(
            f"  quiet:        p50 {p(quiet, 50):7.1f} ms  p95 {p(quiet, 95):7.1f} ms  ({_load()})"
        )
        stop = threading.Event()
        attack_failures: list[str] = []
        answers: list[int] = []

        def attacker(k: int) -> None:
            n = 0
            with httpx.Client() as client:
                while not stop.is_set():
                    n += 1
                    data = (
                        hostile + f"\n% copy {k}-{n}-{time.time_ns()}\n".encode()
                    )  # other bytes each time
                    try:
                        r = reg.upload(client, f"hostile-{k}-{n}.pdf", data)
                        answers.append(r.status_code)
                        if r.status_code not in (201, 202):
                            attack_failures.append(f"upload: {r.status_code}")
                    except httpx.HTTPError as exc:
                        attack_failures.append(f"upload: {type(exc).__name__}")

        threads = [threading.Thread(target=attacker, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        time.sleep(args.ramp_s)  # the parse slots fill up
        loud: list[float] = []
        loud_failures: list[str] = []
        end = time.monotonic() + args.attack_s
        while time.monotonic() < end:
            t_, f_ = searches(reg, len(QUERIES))
            loud += t_
            loud_failures += f_
        stop.set()
        for t in threads:
            t.join()
        print(
            f"  under attack: p50 {p(loud, 50):7.1f} ms  p95 {p(loud, 95):7.1f} ms  ({_load()})"
            f"  {len(loud)} searches"
        )
        print(f"  p95 attack/quiet: {p(loud, 95) / p(quiet, 95):.2f} (target <= 3)")
        codes = {c: answers.count(c) for c in sorted(set(answers))}
        print(f"  hostile uploads answered: {codes}")
        failed = failures + quiet_failures + loud_failures + attack_failures
        print(
            f"  failed requests: {len(failed)}"
            + (f" {failed[:10]}" if failed else "")
            + " (target: 0)"
        )


def throughput(args: argparse.Namespace) -> None:
    files = corpus()
    print(
        f"\nthroughput: {len(files)} real COAs through the API (4 clients), gunicorn -w 4, "
        f"{'PostgreSQL' if args.database else 'SQLite'}"
    )
    base = None
    for workers in (1, 2):
        with registry(args.database, workers) as reg:
            elapsed, failures = upload_all(reg, files)
        rate = len(files) / elapsed
        base = base or rate
        print(
            f"  parse concurrency {workers}: {elapsed:6.1f} s = {rate:.2f} uploads/s "
            f"(x{rate / base:.2f})  failed: {len(failures)}  ({_load()})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("attack", "throughput", "both"), default="both")
    parser.add_argument("--database", help="a PostgreSQL URL (a schema of its own; default SQLite)")
    parser.add_argument("--searches", type=int, default=200, help="quiet searches timed")
    parser.add_argument(
        "--attack-s", type=float, default=40.0, help="seconds of searching under attack"
    )
    parser.add_argument("--ramp-s", type=float, default=5.0, help="attack before timing starts")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=os.cpu_count() or 1,
        help="REGISTRY_PARSE_CONCURRENCY under attack (default: cores)",
    )
    args: Any = parser.parse_args(argv)
    print(f"bench/upload.py: {os.cpu_count()} cores, {_load()}")
    if args.part in ("attack", "both"):
        attack(args)
    if args.part in ("throughput", "both"):
        throughput(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
