"""Verdicts, results and figures in the words and shapes people read.

Pure functions over what the services return (verdict rows' ``detail`` JSON, results,
chart points): no database, no Flask. The verdict JSON is read defensively: keys other
helpers add later (``assumptions``, ``would_fail_if``, ...) are shown generically, and
an entry missing a key is still said in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from markupsafe import Markup, escape

from registry.services.analytes import name_of
from registry.thresholds.model import VerdictStatus

#: US state codes as the profiles' jurisdictions spell them (``US-UT``), for "Utah's limit".
US_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "DC": "the District of Columbia",
}

#: How the results table groups categories, in reading order.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("alkaloid", "Alkaloids"),
    ("heavy_metal", "Heavy metals"),
    ("microbial", "Microbiology"),
    ("mycotoxin", "Mycotoxins"),
    ("physical", "Moisture and water activity"),
)
STATUS_WORDS: dict[str, str] = {s: s.value.capitalize() for s in VerdictStatus}
#: Worst first, for sorting verdicts and picking the worst.
STATUSES_ORDER: dict[str, int] = {
    VerdictStatus.FAIL: 0,
    VerdictStatus.WARNING: 1,
    VerdictStatus.INCOMPLETE: 2,
    VerdictStatus.PASS: 3,
}
STATUS_ICONS: dict[str, str] = {
    VerdictStatus.PASS: "✓",
    VerdictStatus.FAIL: "✗",
    VerdictStatus.INCOMPLETE: "?",
    VerdictStatus.WARNING: "!",
}
VERIFIED_WORDS = {
    "primary": "read in the rule's own text",
    "secondary": "from a secondary source, not yet read in the rule's text",
    "unverified": "not verified",
}
_KNOWN_DETAIL = {
    "failures",
    "missing",
    "inconclusive",
    "warnings",
    "passed",
    "not_tested",
    "not_applicable",
    "intake",
    "profile",
    "profile_version",
    "status",
    "evaluated_at",
    "failing_since",
    "reason",
}


def badge(status: str | None, label: str | None = None) -> Markup:
    """A verdict's badge: its icon (hidden from screen readers) and its word, so that no
    status is told by colour alone. A function, not a template macro: a page of 50
    batches draws 100 of them."""
    if not status:
        return Markup('<span class="badge none">Not judged</span>')
    icon, words = STATUS_ICONS.get(status, ""), label or STATUS_WORDS.get(status, status)
    return Markup(
        f'<span class="badge {escape(status)}"><span aria-hidden="true">{escape(icon)}</span> '
        f"{escape(words)}</span>"
    )


def unit_text(unit: str | None) -> str:
    """Units as printed for people: ``ug/g`` reads µg/g."""
    if not unit:
        return ""
    return unit.replace("ug/", "µg/").replace("ug", "µg") if "ug" in unit else unit


def number(value: Any) -> str:
    """A figure without float noise (2.1, not 2.1000000000000001; 10,000,000 grouped)."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    return f"{value:.6g}"


def quantity(value: Any, unit: str | None) -> str:
    shown = unit_text(unit)
    return f"{number(value)} {shown}".strip()


def owner(profile: Mapping[str, Any] | None, code: str) -> str:
    """Whose limit, as the words around "limit of X": "Utah's" for a state's law, else
    "the" (the standard's name then follows the figure: see :func:`failure_sentence`)."""
    jurisdiction = str((profile or {}).get("jurisdiction") or "")
    if jurisdiction.startswith("US-") and jurisdiction[3:] in US_STATES:
        return f"{US_STATES[jurisdiction[3:]]}'s"
    return "the"


def set_by(profile: Mapping[str, Any] | None, code: str) -> str:
    """ " set by <the standard>" where the owner is not a state ("" for a state)."""
    if owner(profile, code) != "the":
        return ""
    return f" set by {short_name(str((profile or {}).get('name') or code))}"


def short_name(name: str) -> str:
    """A profile's name up to its first comma ("Georgia Kratom Consumer Protection Act")."""
    return name.split(",", 1)[0].strip()


def analyte_label(code: Any) -> str:
    return name_of(str(code)) if code else "A result"


@dataclass(frozen=True)
class Reason:
    """One sentence about a verdict, its source citation and link."""

    kind: str  # fail, warning, missing, inconclusive, note
    text: str
    source: str | None = None
    source_url: str | None = None


def _over_word(entry: Mapping[str, Any]) -> str:
    value, limit = entry.get("value"), entry.get("limit")
    if (
        entry.get("op") == "<"
        and isinstance(value, int | float)
        and isinstance(limit, int | float)
        and value == limit
    ):
        return "is at"
    return "is over"


def failure_sentence(entry: Mapping[str, Any], whose: str, setter: str = "") -> str:
    """ "Lead 2.1 µg/g is over Utah's limit of 1.2 µg/g"; ``setter`` follows the limit
    (" set by USP <2232> ...") where ``whose`` is not a possessive."""
    rule = entry.get("rule")
    name = analyte_label(entry.get("analyte"))
    unit = entry.get("unit")
    if rule == "absent":
        return f"{name} was found; {whose} rule{setter} requires it to be absent"
    if rule == "required":
        return str(entry.get("message") or f"A required test is missing under {whose} rule{setter}")
    if entry.get("value") is None and entry.get("limit") is None:
        return str(entry.get("message") or f"{name} breaks {whose} rule{setter}")
    limit_unit = unit if rule != "ratio" else "%"
    if rule == "ratio":
        share = entry.get("value")
        shown = f"{share:.3g}" if isinstance(share, float) else number(share)
        what = f"{name} as a share of the alkaloids, {shown} %,"
    else:
        what = f"{name} {quantity(entry.get('value'), unit)}"
        if rule == "exposure" and not str(unit or "").endswith("/day"):
            what += " a day"
        if rule == "exposure" and isinstance(entry.get("daily_intake_g"), int | float):
            what += f" (at {number(entry['daily_intake_g'])} g of product a day)"
        elif rule == "per_serving" and not str(unit or "").endswith("/serving"):
            what += " a serving"
    limit = quantity(entry.get("limit"), limit_unit)
    return f"{what} {_over_word(entry)} {whose} limit of {limit}{setter}"


def reasons(verdict: Mapping[str, Any], profile: Mapping[str, Any] | None) -> list[Reason]:
    """The verdict's reasons as sentences, failures first."""
    code = str(verdict.get("profile") or "")
    whose, setter = owner(profile, code), set_by(profile, code)
    out: list[Reason] = []
    for entry in _dicts(verdict.get("failures")):
        out.append(
            Reason(
                "fail",
                failure_sentence(entry, whose, setter),
                _str(entry.get("source")),
                _str(entry.get("source_url")),
            )
        )
    for code in _list(verdict.get("missing")):
        out.append(Reason("missing", f"No {analyte_label(code)} test on this certificate"))
    for entry in _dicts(verdict.get("inconclusive")):
        why = str(entry.get("message") or "the printed result cannot show it either way")
        code = str(entry.get("analyte") or "")
        why = why.removeprefix(f"{code}: ") if code else why
        out.append(
            Reason(
                "inconclusive",
                f"{analyte_label(entry.get('analyte'))} could not be judged: {why}",
                _str(entry.get("source")),
                _str(entry.get("source_url")),
            )
        )
    for entry in _dicts(verdict.get("warnings")):
        out.append(
            Reason(
                "warning",
                "Warning: " + failure_sentence(entry, whose, setter),
                _str(entry.get("source")),
                _str(entry.get("source_url")),
            )
        )
    if verdict.get("reason"):
        out.append(Reason("inconclusive", str(verdict["reason"]).capitalize()))
    return out


def extras(verdict: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """Keys of the verdict JSON this page has no words for (``assumptions``,
    ``would_fail_if``, ...), each as a heading and lines of text."""
    out = []
    for key, value in verdict.items():
        if key in _KNOWN_DETAIL or value in (None, "", [], {}):
            continue
        out.append((key.replace("_", " ").capitalize(), _lines(value)))
    return out


def _lines(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [f"{_label(k)}: {_flat(v)}" for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [_flat(v) for v in value]
    return [_flat(value)]


def _flat(value: Any) -> str:
    if isinstance(value, Mapping):
        if "analyte" in value and ("limit" in value or "value" in value):
            text = failure_sentence(value, "the")
            return text if not value.get("message") else f"{text} ({value['message']})"
        if "message" in value:
            return str(value["message"])
        return "; ".join(
            f"{_label(k)}: {_flat(v)}" for k, v in value.items() if v not in (None, "")
        )
    if isinstance(value, list | tuple):
        return ", ".join(_flat(v) for v in value)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return number(value)
    return str(value)


def _label(key: Any) -> str:
    return str(key).replace("_", " ")


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list | tuple) else []


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _str(value: Any) -> str | None:
    return str(value) if value else None


# ---------------------------------------------------------------------------------------
# The results table


@dataclass
class Row:
    code: str
    name: str
    shown: str  # the value in canonical units, in words ("0.31 µg/g", "Not detected")
    printed: str  # the text as printed on the COA
    limit: str | None  # the limit under the profile shown, in words
    over: bool  # fails that profile
    page: int | None
    certificate_id: int
    certificate_label: str


@dataclass
class Group:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)


def result_value(result: Any) -> str:
    qualifier = result.qualifier or "="
    if qualifier in ("nd", "not_detected"):
        return "Not detected"
    if qualifier == "detected":
        return "Detected"
    if result.value is None:
        return {"<": "Below the limit of quantitation", ">": "Above the range"}.get(qualifier, "—")
    prefix = "" if qualifier == "=" else f"{qualifier} "
    return prefix + quantity(result.value, result.unit)


def limits_by_analyte(definition: Mapping[str, Any] | None) -> dict[str, str]:
    """The profile's per-analyte limits in words (max and absent rules; ratio on 7-OH)."""
    out: dict[str, str] = {}
    for rule in _dicts((definition or {}).get("rules")):
        code, kind = rule.get("analyte"), rule.get("kind")
        if not code or code in out:
            continue
        op = "<" if rule.get("op") == "<" else "≤"
        if kind == "max":
            out[code] = f"{op} {quantity(rule.get('limit'), rule.get('unit'))}"
        elif kind == "absent":
            out[code] = "Absent"
        elif kind == "ratio":
            out[code] = f"{op} {number(rule.get('limit'))} % of alkaloids"
        elif kind in ("exposure", "per_serving"):
            out[code] = f"{op} {quantity(rule.get('limit'), rule.get('unit'))}"
    return out


def limits_values(profile: Mapping[str, Any] | None) -> dict[str, float]:
    """The profile's numeric limits by analyte (max rules in µg/g by code, and a ratio
    rule's share in % as ``code:share``), for chart lines."""
    out: dict[str, float] = {}
    for rule in _dicts(((profile or {}).get("definition") or {}).get("rules")):
        code, limit = rule.get("analyte"), rule.get("limit")
        if not code or not isinstance(limit, int | float):
            continue
        if rule.get("kind") == "max" and rule.get("unit") in ("ug/g", "ppm", "mg/kg"):
            out.setdefault(code, float(limit))
        elif rule.get("kind") == "ratio":
            out.setdefault(f"{code}:share", float(limit))
    return out


def group_results(
    results: Iterable[Any],
    labels: Mapping[int, str],
    limits: Mapping[str, str],
    failing: Iterable[str],
) -> list[Group]:
    """The batch's results grouped by category in reading order, names sorted within."""
    bad = set(failing)
    groups = {key: Group(key, title) for key, title in CATEGORIES}
    for result in results:
        group = groups.setdefault(
            result.category, Group(result.category, _label(result.category).capitalize())
        )
        group.rows.append(
            Row(
                code=result.analyte,
                name=name_of(result.analyte),
                shown=result_value(result),
                printed=result.raw or "",
                limit=limits.get(result.analyte),
                over=result.analyte in bad,
                page=result.page,
                certificate_id=result.certificate_id,
                certificate_label=labels.get(
                    result.certificate_id, f"certificate {result.certificate_id}"
                ),
            )
        )
    for group in groups.values():
        group.rows.sort(key=lambda r: r.name.casefold())
    return [g for g in groups.values() if g.rows]


def failing_analytes(verdict: Mapping[str, Any] | None) -> list[str]:
    return [str(e["analyte"]) for e in _dicts((verdict or {}).get("failures")) if e.get("analyte")]


def age_days(tested: date | None, uploaded: datetime | None) -> int | None:
    """Days between the test and the upload (how old the certificate was when shown)."""
    if tested is None or uploaded is None:
        return None
    return (uploaded.date() - tested).days


# ---------------------------------------------------------------------------------------
# Charts: geometry for a server-side SVG line chart (the template draws it, escaped).


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[dict[str, Any]]  # x, y, label
    path: str
    y_ticks: list[dict[str, Any]]  # y, label
    x_labels: list[dict[str, Any]]  # x, label
    limit_y: float | None
    limit_label: str | None
    dots: Markup = Markup(
        ""
    )  # the points as SVG circles, each titled (built here, not in a template loop)


def chart(
    points: Sequence[Any],
    *,
    unit: str,
    limit: float | None = None,
    width: int = 640,
    height: int = 220,
) -> Chart | None:
    """A line chart of ``points`` (each with ``tested``, ``lot``, ``value``) over time,
    with an optional limit line; None when there is nothing to draw."""
    if not points:
        return None
    left, right, top, bottom = 56, 12, 12, 28
    values = [p.value for p in points]
    hi = max([*values, limit or 0.0]) or 1.0
    hi *= 1.1
    days = [p.tested.toordinal() for p in points]
    first, span = min(days), (max(days) - min(days)) or 1
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(day: int) -> float:
        return round(
            left + (day - first) / span * plot_w if len(points) > 1 else left + plot_w / 2, 1
        )

    def y_of(value: float) -> float:
        return round(top + plot_h - value / hi * plot_h, 1)

    shown_unit = unit_text(unit)
    coords = [
        {
            "x": x_of(d),
            "y": y_of(p.value),
            "batch_id": p.batch_id,
            "label": f"{p.lot}, tested {p.tested.isoformat()}: {number(p.value)} {shown_unit}",
        }
        for d, p in zip(days, points, strict=True)
    ]
    path = "M" + " L".join(f"{c['x']},{c['y']}" for c in coords)
    ticks = [
        {"y": y_of(hi / 1.1 * f), "label": number(round(hi / 1.1 * f, 3))} for f in (0, 0.5, 1)
    ]
    xs = [{"x": coords[0]["x"], "label": points[0].tested.isoformat()}]
    if len(points) > 1:
        xs.append({"x": coords[-1]["x"], "label": points[-1].tested.isoformat()})
    dots = Markup(
        "".join(  # numbers need no escaping; each label is escaped once
            f'<circle cx="{c["x"]}" cy="{c["y"]}" r="4" class="dot"><title>{escape(c["label"])}</title></circle>'
            for c in coords
        )
    )
    return Chart(
        width,
        height,
        coords,
        path,
        ticks,
        xs,
        y_of(limit) if limit is not None else None,
        f"limit {quantity(limit, unit)}" if limit is not None else None,
        dots,
    )


# ---------------------------------------------------------------------------------------
# The review desk's history: each correction as "was ..., now ..." in words

_CORRECTION_WORDS = {
    "review.correct_result": "Corrected a result",
    "review.add_result": "Added a result",
    "review.delete_result": "Deleted a result",
    "review.correct_dates": "Corrected dates",
    "review.correct_batch": "Corrected vendor, product or lot",
    "review.correct_product": "Corrected the product's form or intake",
    "review.confirm": "Confirmed",
}


def _result_words(snapshot: Mapping[str, Any], printed: bool = True) -> str:
    qualifier = snapshot.get("qualifier")
    if qualifier in ("nd", "not_detected"):
        text = "not detected"
    elif qualifier == "detected":
        text = "detected"
    else:
        prefix = qualifier if qualifier in ("<", ">") else ""
        text = f"{prefix}{quantity(snapshot.get('value'), snapshot.get('unit'))}".strip()
    if printed and snapshot.get("raw"):
        text += f" (printed “{snapshot['raw']}”)"
    return text


def correction_lines(action: str, details: Mapping[str, Any] | None) -> tuple[str, list[str]]:
    """A correction event's title and one line per changed field: "Lead: was 2.1 µg/g
    (printed “Lead (Pb) 2.1 ppm”), now 0.21 µg/g"."""
    details = details or {}
    before, after = details.get("printed"), details.get("corrected")
    title = _CORRECTION_WORDS.get(action, action)
    if (
        isinstance(before, Mapping)
        and "analyte" in before
        or isinstance(after, Mapping)
        and "analyte" in after
    ):
        name = name_of(str((after or before or {}).get("analyte")))
        was = _result_words(before) if isinstance(before, Mapping) else None
        now = _result_words(after, printed=was is None) if isinstance(after, Mapping) else None
        if was and now:
            return title, [f"{name}: was {was}, now {now}"]
        return title, [f"{name}: {now}" if now else f"{name}: was {was}"]
    lines = []
    if isinstance(before, Mapping) or isinstance(after, Mapping):
        before, after = before or {}, after or {}
        for key in dict.fromkeys([*before, *after]):
            if before.get(key) != after.get(key):
                lines.append(
                    f"{_label(key)}: was {_or_dash(before.get(key))}, now {_or_dash(after.get(key))}"
                )
    read = details.get("read")
    if isinstance(read, Mapping) and any(read.values()):
        lines.append(
            "Read from the PDF: "
            + "; ".join(f"{_label(k)} {_flat(v)}" for k, v in read.items() if v)
        )
    return title, lines


def _or_dash(value: Any) -> str:
    return "—" if value in (None, "") else _flat(value)
