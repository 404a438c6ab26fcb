"""Request ids, structured logs and Prometheus metrics.

Every request gets an id (the client's ``X-Request-ID`` when it is sane, else a new
one), echoed in the response and stamped on every log line written while serving it.
Logs are ``key=value`` lines, or JSON objects with ``LOG_JSON``.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"time={self.formatTime(record)} level={record.levelname} logger={record.name} "
            f"request_id={getattr(record, 'request_id', '-')} msg={json.dumps(record.getMessage())}"
        )
        if record.exc_info:
            line += " exc=" + json.dumps(self.formatException(record.exc_info))
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "msg": record.getMessage(),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out)


def _configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if app.config["LOG_JSON"] else KeyValueFormatter())
    for name in (app.logger.name, "registry"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(app.config["LOG_LEVEL"])
        logger.propagate = False
    # httpx logs every request at INFO: a line (and a lock) per webhook POST in a worker
    # logging at INFO. Each attempt is in the delivery's own log; warnings still show.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


class Metrics:
    """The app's Prometheus collectors, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "registry_http_requests",
            "HTTP requests",
            ["method", "endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "registry_http_request_seconds",
            "HTTP request latency",
            ["method", "endpoint"],
            registry=self.registry,
        )
        self.uploads = Counter(
            "registry_uploads",
            "Certificates taken in, by status",
            ["status"],
            registry=self.registry,
        )


def _before() -> None:
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if _SANE_ID.match(supplied) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _after(response: Response) -> Response:
    from flask import current_app

    response.headers["X-Request-ID"] = g.get("request_id", "")
    metrics: Metrics = current_app.extensions["registry.metrics"]
    endpoint = request.endpoint or "unmatched"
    metrics.requests.labels(request.method, endpoint, str(response.status_code)).inc()
    metrics.latency.labels(request.method, endpoint).observe(
        time.perf_counter() - g.get("started", time.perf_counter())
    )
    return response


def metrics_view() -> Response:
    from flask import current_app

    metrics: Metrics = current_app.extensions["registry.metrics"]
    return Response(generate_latest(metrics.registry), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    _configure_logging(app)
    app.extensions["registry.metrics"] = Metrics()
    app.before_request(_before)
    app.after_request(_after)
