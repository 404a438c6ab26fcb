"""Streamed exports (CSV or JSON Lines) of search answers, for every export route."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from flask import Response, stream_with_context

MIMETYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson"}


def response(
    rows: Iterable[dict[str, Any]], columns: tuple[str, ...], fmt: str, name: str
) -> Response:
    """``rows`` streamed as ``fmt`` (``csv``: a header of ``columns``, then a line per
    row; ``jsonl``: one JSON object per row). Lists become ``;``-separated CSV cells."""
    body = (
        _csv(rows, columns)
        if fmt == "csv"
        else (json.dumps(r, default=_plain) + "\n" for r in rows)
    )
    resp = Response(stream_with_context(body), mimetype=MIMETYPES[fmt])
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _csv(rows: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: ";".join(v) if isinstance(v, list | tuple) else v for k, v in row.items()}
        )
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()
