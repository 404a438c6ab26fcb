"""Score parse-contract documents against a ``truth.canonical.json``.

Results
    *recall*: a truth result counts as found when a reported result has the same
    analyte, qualifier and unit and a value within 1 % (a truth ``value`` of null with a
    ``value_alt`` accepts either null or ``value_alt``, e.g. ``<LOQ`` with the LOQ).
    *precision*: of the reported results whose category is in the record's
    ``enumerated_categories`` (``physical`` covers moisture and water activity), the
    share that match a truth result; analytes listed in ``excused_extras`` are not
    counted. Each truth result can be matched once.

Silent misses
    truth results missed in a document whose ``needs_review`` is false: a failing
    batch can look clean only through these.

Metadata
    Fields ``lab`` (name), ``vendor``, ``product``, ``batch``, ``sample_id``,
    ``report_number``, ``dates.received``, ``dates.tested``, ``dates.reported``. A field
    is scored where the truth is not null: correct when the normalised parser value
    equals the normalised truth or one of ``meta_alternatives[field]``. Normalisation:
    case-folded, accents kept, runs of whitespace collapsed, surrounding whitespace and
    trailing ``.,;:`` removed. Values reported where the truth is null are counted
    separately as ``spurious`` (they do not lower accuracy).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

META_FIELDS = (
    "lab",
    "vendor",
    "product",
    "batch",
    "sample_id",
    "report_number",
    "dates.received",
    "dates.tested",
    "dates.reported",
)
_PHYSICAL = {"moisture", "water_activity"}


@dataclass
class Score:
    """Counts that add up across documents."""

    truth: int = 0
    found: int = 0
    reported: int = 0
    correct: int = 0
    meta_total: dict[str, int] = field(default_factory=dict)
    meta_ok: dict[str, int] = field(default_factory=dict)
    spurious: int = 0
    silent: int = 0  # truth results missed in documents the parser did not send to review
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    meta_wrong: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.truth += other.truth
        self.found += other.found
        self.reported += other.reported
        self.correct += other.correct
        self.spurious += other.spurious
        self.silent += other.silent
        for k, v in other.meta_total.items():
            self.meta_total[k] = self.meta_total.get(k, 0) + v
            self.meta_ok[k] = self.meta_ok.get(k, 0) + other.meta_ok.get(k, 0)
        self.misses += other.misses
        self.extras += other.extras
        self.meta_wrong += other.meta_wrong

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.reported if self.reported else 1.0

    @property
    def metadata(self) -> float:
        total = sum(self.meta_total.values())
        return sum(self.meta_ok.values()) / total if total else 1.0


def load_truth(folder: Path) -> list[dict[str, Any]]:
    """The records of ``folder/truth.canonical.json``."""
    data: list[dict[str, Any]] = json.loads(
        (folder / "truth.canonical.json").read_text(encoding="utf-8")
    )
    return data


def normalise(value: Any) -> str:
    """Comparison form of a metadata value (see module docstring)."""
    text = re.sub(r"\s+", " ", str(value)).strip().casefold()
    return text.rstrip(".,;:").strip()


def _value_ok(truth: dict[str, Any], value: Any) -> bool:
    wanted = [truth.get("value")]
    if truth.get("value") is None and truth.get("value_alt") is not None:
        wanted.append(truth["value_alt"])
    for w in wanted:
        if w is None and value is None:
            return True
        if (
            w is not None
            and value is not None
            and abs(float(value) - float(w)) <= 0.01 * abs(float(w)) + 1e-12
        ):
            return True
    return False


def result_matches(truth: dict[str, Any], got: dict[str, Any]) -> bool:
    """Same analyte, qualifier and unit, value within 1 %."""
    return (
        truth["analyte"] == got.get("analyte")
        and truth["qualifier"] == got.get("qualifier")
        and truth.get("unit") == got.get("unit")
        and _value_ok(truth, got.get("value"))
    )


def _category_enumerated(result: dict[str, Any], enumerated: Iterable[str]) -> bool:
    cats = set(enumerated)
    if result.get("analyte") in _PHYSICAL or result.get("category") == "physical":
        return "physical" in cats or result.get("analyte") in cats
    return result.get("category") in cats


def score_results(record: dict[str, Any], doc: dict[str, Any]) -> Score:
    """Recall and precision counts of one document."""
    s = Score()
    truth = list(record.get("results") or [])
    got = list(doc.get("results") or [])
    s.truth = len(truth)
    used: set[int] = set()
    for t in truth:
        hit = next((i for i, g in enumerate(got) if i not in used and result_matches(t, g)), None)
        if hit is None:
            s.misses.append(
                f"{record['file']}: missed {t['analyte']} {t['qualifier']} {t.get('value')} {t.get('unit')}"
            )
        else:
            used.add(hit)
            s.found += 1
    excused = set(record.get("excused_extras") or [])
    for i, g in enumerate(got):
        if (
            not _category_enumerated(g, record.get("enumerated_categories") or [])
            or g.get("analyte") in excused
        ):
            continue
        s.reported += 1
        if i in used:
            s.correct += 1
        else:
            s.extras.append(
                f"{record['file']}: extra {g.get('analyte')} {g.get('qualifier')} {g.get('value')} "
                f"{g.get('unit')} p{g.get('page')} raw={g.get('raw')!r}"
            )
    return s


def _field(doc: dict[str, Any], name: str) -> Any:
    if name == "lab":
        return (doc.get("lab") or {}).get("name")
    if name.startswith("dates."):
        return (doc.get("dates") or {}).get(name[6:])
    return doc.get(name)


def score_metadata(record: dict[str, Any], doc: dict[str, Any]) -> Score:
    """Metadata counts of one document."""
    s = Score()
    alts = record.get("meta_alternatives") or {}
    for name in META_FIELDS:
        want, got = _field(record, name), _field(doc, name)
        if want is None:
            s.spurious += got is not None
            continue
        ok_values = {normalise(want), *(normalise(a) for a in alts.get(name.split(".")[-1], []))}
        ok_values |= {normalise(a) for a in alts.get(name, [])}
        ok = got is not None and normalise(got) in ok_values
        s.meta_total[name] = 1
        s.meta_ok[name] = int(ok)
        if not ok:
            s.meta_wrong.append(f"{record['file']}: {name} want {want!r} got {got!r}")
    return s


def score_document(record: dict[str, Any], doc: dict[str, Any]) -> Score:
    """All counts of one document. Misses in a document that was not flagged for review
    (``needs_review`` false) are *silent*: nothing tells a reader that a result is absent."""
    s = score_results(record, doc)
    if not doc.get("needs_review"):
        s.silent = s.truth - s.found
    s.add(score_metadata(record, doc))
    return s
