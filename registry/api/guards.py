"""Input that no route can take, refused before any view or database sees it.

- Control characters (NUL above all: PostgreSQL cannot store it in text and SQLite's
  FTS5 cannot match it) in any query parameter, path segment, form field or uploaded
  file name: 422 naming the field.
- Over-long values in a query parameter or form field beyond any column's length: 422
  naming the field (each schema still sets its own, tighter limits).
- Integer path segments beyond what an id column holds (``INTEGER``, 32-bit signed on
  PostgreSQL): 404, like any id that does not exist (``BoundedInt`` replaces Flask's
  ``int`` converter, so the database never sees a number it cannot hold).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Flask, request
from werkzeug.routing import IntegerConverter, Map

from registry.errors import Unprocessable

#: C0 controls but tab, line feed and carriage return, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The longest value any parameter or form field may have (the widest text column is 500).
MAX_FIELD_CHARS = 2000
#: The largest id any table holds (primary keys are ``INTEGER``: 32-bit on PostgreSQL).
MAX_ID = 2**31 - 1


class BoundedInt(IntegerConverter):
    """Flask's ``int`` converter, bounded by the largest id a table can hold."""

    def __init__(self, map: Map, *args: object, **kwargs: object) -> None:  # noqa: A002
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)  # type: ignore[arg-type]


def _label(name: str) -> str:
    """A field name safe to echo back (its control characters escaped)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)[:100]


def _problems(location: str, pairs: Iterable[tuple[str, object]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value in pairs:
        if not isinstance(value, str):
            continue
        if _CONTROL.search(name) or _CONTROL.search(value):
            errors.setdefault(_label(name), []).append(
                f"{location} must not contain control characters (such as NUL)"
            )
        elif len(value) > MAX_FIELD_CHARS:
            errors.setdefault(_label(name), []).append(
                f"{location} is {len(value):,} characters long; at most {MAX_FIELD_CHARS:,} are taken"
            )
    return errors


def refuse_unusable_input() -> None:
    """``before_request``: raise 422 for control characters or over-long values."""
    errors = _problems("the path", (request.view_args or {}).items())
    errors |= _problems("the parameter", request.args.items(multi=True))
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        errors |= _problems("the field", request.form.items(multi=True))
        errors |= _problems(
            "the file name",
            ((name, f.filename or "") for name, f in request.files.items(multi=True)),
        )
    if errors:
        raise Unprocessable(
            "the request holds characters or lengths no field accepts", errors=errors
        )


def init_app(app: Flask) -> None:
    """Bind the converter (before any route is added) and the request check."""
    app.url_map.converters["int"] = BoundedInt
    app.before_request(refuse_unusable_input)
