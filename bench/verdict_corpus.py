"""Re-judge the real corpus and print every verdict, one line per file and profile.

Takes the real COAs (``tests/corpus/real`` and ``real-2``) in through the ingest
service into a fresh SQLite database in a temporary folder, loads the shipped profiles,
and prints ``file<TAB>profile<TAB>status<TAB>failing rules<TAB>inconclusive rules`` as
the registry stored them. It writes nothing outside its temporary folder, so it can be
run against another checkout of the registry to compare two engines::

    cd /work/main && .venv/bin/python /path/to/bench/verdict_corpus.py > before.tsv
    .venv/bin/python bench/verdict_corpus.py > after.tsv
    diff before.tsv after.tsv

The corpus is read from ``--corpus`` (default: this checkout's ``tests/corpus``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=HERE / "tests" / "corpus")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    from flask_migrate import upgrade

    from registry import create_app, unit_of_work
    from registry.extensions import db
    from registry.services import certificates, ingest, profiles, verdicts
    from registry.storage import get_storage
    from registry.tasks import parsing

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/r.db",
                "DATA_DIR": f"{tmp}/data",
                "SECRET_KEY": "corpus",
                "RATE_LIMITS": "",
                "LOG_LEVEL": "WARNING",
            }
        )
        with app.app_context():
            upgrade()
            unit_of_work.commit(db.session, lambda: profiles.load_shipped(db.session))
            files = ingest.find_pdfs([args.corpus / "real", args.corpus / "real-2"])
            cfg = app.config
            summary = parsing.ingest_files(
                db.session,
                get_storage(),
                files,
                limits=certificates.limits_from_config(cfg),
                max_size=int(cfg["MAX_UPLOAD_MB"] * 1024 * 1024),
                jobs_at_once=args.jobs,
                default_profile=cfg["DEFAULT_PROFILE"],
            )
            for report in summary.reports:
                name = f"{report.path.parent.name}/{report.path.name}"
                if report.certificate_id is None:
                    print(f"{name}\t-\t{report.outcome.value}\t\t")
                    continue
                cert = certificates.get(db.session, report.certificate_id)
                if cert.batch_id is None:
                    print(f"{name}\t-\tno batch ({cert.status.value})\t\t")
                    continue
                for v in verdicts.for_batch(db.session, cert.batch_id):
                    failing = ",".join(sorted(f["rule_id"] for f in v["failures"]))
                    unsure = ",".join(sorted(i["rule_id"] for i in v["inconclusive"]))
                    print(f"{name}\t{v['profile']}\t{v['status']}\t{failing}\t{unsure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
