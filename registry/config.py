"""Configuration: defaults, then ``REGISTRY_*`` environment variables, then the test
mapping given to ``create_app``. Nothing is read at import time.

Keys carry no prefix inside the app (``REGISTRY_MAX_UPLOAD_MB`` → ``MAX_UPLOAD_MB``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from flask import Flask

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # SQLite file in the instance folder
    "DATA_DIR": None,  # originals under <instance>/data
    "SECRET_KEY": None,  # generated once and kept in the instance folder
    "BASE_URL": "http://127.0.0.1:5000",
    "MAX_UPLOAD_MB": 25,
    "DEFAULT_PROFILE": "utah-r70-580",
    "BROKER_URL": None,
    "SMTP_URL": None,
    "REDIS_URL": None,  # rate-limit storage shared by several web hosts
    "RATE_LIMITS": "600/minute;20000/hour",  # public API, per client address
    "UPLOAD_RATE_LIMITS": "60/minute;1000/hour",  # uploads, per client address
    "WEBHOOK_ALLOWED_HOSTS": "",
    "WEBHOOK_TIMEOUT_S": 15,  # total per attempt (connecting: at most 5 s)
    "MAIL_FROM": None,  # alerts@<host of BASE_URL>
    "ALERT_WORKER": "auto",  # "off": neither the embedded thread nor Celery runs alerts
    "ALERT_DIGEST_S": 120,  # an email subscriber's events within this window: one mail
    "ALERT_POLL_S": 1.0,  # the embedded runner's sweep when nothing woke it
    "ALERT_SWEEP_S": 30,  # each Celery worker's sweep for work a crash left behind
    "ALERT_LEASE_S": 60,  # a claimed delivery is another worker's again after this
    "ALERT_RETRY_DELAYS_S": None,  # comma-separated waits; default 5 s ... 24 h in all
    "ALERT_DISABLE_AFTER_S": 86400,  # an endpoint failing this long is disabled
    "ALERT_JITTER": 0.1,
    "ALERT_CHUNK": 100,  # deliveries claimed per round (embedded); one Celery task per this many
    "ALERT_TASK_CHUNK": 25,  # deliveries claimed per round inside a Celery task (it loops)
    "ALERT_CONCURRENCY": 8,  # sends in flight per process
    "ALERT_LANES": 2,  # embedded runner: claim-send-record loops running side by side
    "LOAD_PROFILES_ON_UPGRADE": True,  # `db upgrade` puts the shipped threshold profiles in force
    "PARSE_TIMEOUT_S": 60,
    "PARSE_MEMORY_MB": 1536,
    "PARSE_MAX_PAGES": 60,
    "PARSE_NICE": 10,  # parse processes run at this lower CPU priority: requests come first
    "PARSE_CONCURRENCY": None,  # parses at once on one host (all its processes); default: cores
    "PARSE_SWEEP_S": 30,  # how often parse jobs a dead process left are picked up again
    "UPLOAD_WAIT_S": 10,  # an upload waits this long for its parse, then answers 202
    "PROXY_FIX": 0,  # trusted reverse proxies in front (X-Forwarded-For/-Proto/-Host)
    "METRICS_TOKEN": None,  # when set, /metrics needs "Authorization: Bearer <token>"
    "LOG_LEVEL": "INFO",
    "LOG_JSON": False,
}


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Layer defaults, environment and test mapping, then derive the rest."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("REGISTRY")
    if test_config:
        app.config.from_mapping(test_config)
    # Links in answers to a request (problem types) use the request's own host unless a
    # public URL was configured; alerts and QR codes, made outside requests, use BASE_URL.
    app.config["BASE_URL_SET"] = bool(
        os.environ.get("REGISTRY_BASE_URL") or (test_config and "BASE_URL" in test_config)
    )
    _derive(app)


def _derive(app: Flask) -> None:
    cfg = app.config
    instance = Path(app.instance_path)
    if not cfg["DATABASE_URL"] or not cfg["DATA_DIR"] or not cfg["SECRET_KEY"]:
        instance.mkdir(parents=True, exist_ok=True)
    cfg["DATABASE_URL"] = cfg["DATABASE_URL"] or f"sqlite:///{instance / 'registry.db'}"
    cfg["DATA_DIR"] = str(cfg["DATA_DIR"] or instance / "data")
    cfg["SECRET_KEY"] = cfg["SECRET_KEY"] or _instance_secret(instance)
    cfg["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(cfg["DATABASE_URL"])
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "json_serializer": json_dumps,
        "json_deserializer": orjson.loads,
        **cfg.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    cfg["MAX_UPLOAD_MB"] = float(cfg["MAX_UPLOAD_MB"])
    # Room for the multipart envelope and form fields around the file itself.
    cfg["MAX_CONTENT_LENGTH"] = int(cfg["MAX_UPLOAD_MB"] * 1024 * 1024) + 64 * 1024
    cfg["RATE_LIMITS"] = str(cfg["RATE_LIMITS"] or "").strip()
    cfg["UPLOAD_RATE_LIMITS"] = str(cfg["UPLOAD_RATE_LIMITS"] or "").strip()
    if float(cfg["ALERT_LEASE_S"]) <= float(cfg["WEBHOOK_TIMEOUT_S"]):
        # A lease shorter than an attempt would let a second worker send it meanwhile.
        raise ValueError("ALERT_LEASE_S must be longer than WEBHOOK_TIMEOUT_S")


def json_dumps(value: Any) -> str:
    """JSON columns are written by orjson: several times faster than ``json.dumps``,
    which matters where verdicts are compared by their stored text
    (``services/verdicts.py``)."""
    return orjson.dumps(value, default=_json_default).decode()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _sqlalchemy_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance: Path) -> str:
    path = instance / "secret_key"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text().strip()
