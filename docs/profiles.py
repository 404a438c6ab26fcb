"""Writes docs/profiles.md from the shipped profile files (registry/thresholds/profiles/).

    .venv/bin/python docs/profiles.py > docs/profiles.md

tests/test_docs.py fails when docs/profiles.md is not what this prints, so the page
always shows what the files say.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry.thresholds import Profile, Rule, load_shipped_profiles  # noqa: E402

DEFAULT = "utah-r70-580"


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _num(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{int(x):,}" if float(x).is_integer() and abs(x) >= 10_000 else f"{x:g}"


def _what(rule: Rule) -> str:
    """The rule's test in a few words."""
    op = "≤" if rule.op == "<=" else "<"
    if rule.kind == "max":
        return f"{rule.analyte} {op} {_num(rule.limit)} {rule.unit}"
    if rule.kind == "absent":
        mass = f" in {_num(rule.sample_g)} g" if rule.sample_g is not None else ""
        clears = "; a negative retest clears a positive" if rule.retest_clears else ""
        return f"{rule.analyte} absent{mass}{clears}"
    if rule.kind == "ratio":
        of = rule.denominator or ""
        named = f" ({' + '.join(rule.denominator_set)})" if rule.denominator_set else ""
        return f"{rule.analyte} {op} {_num(rule.limit)} % of {of}{named}"
    if rule.kind == "exposure":
        scope = f", intakes up to {_num(rule.max_daily_g)} g/day" if rule.max_daily_g else ""
        return f"{rule.analyte} intake {op} {_num(rule.limit)} {rule.unit}{scope}"
    if rule.kind == "per_serving":
        return f"{rule.analyte} per serving {op} {_num(rule.limit)} {rule.unit}"
    return "tested: " + ", ".join(rule.analytes)


def _extras(rule: Rule) -> str:
    out = []
    if rule.species:
        out.append(f"{rule.species} only")
    if rule.method_loq is not None:
        out.append(f"method LOQ {_num(rule.method_loq)}")
    if rule.applies_to:
        out.append("only " + ", ".join(rule.applies_to))
    if rule.severity != "fail":
        out.append(f"severity {rule.severity}")
    return "; ".join(out)


def _source(rule: Rule) -> str:
    citation = _cell(rule.source.citation)
    return f"[{citation}]({rule.source.url})" if rule.source.url else citation


def profile_section(p: Profile) -> list[str]:
    lines = [f"## `{p.code}`: {p.name}", ""]
    facts = [
        f"jurisdiction {p.jurisdiction}",
        f"version {p.version}",
        f"effective {p.effective.isoformat() if p.effective else 'not read'}",
        f"sources checked {p.as_of.isoformat() if p.as_of else 'no date'}",
    ]
    if p.minus_uncertainty:
        facts.append("judges value − U where the COA prints U")
    if p.code == DEFAULT:
        facts.append("the default profile (`REGISTRY_DEFAULT_PROFILE`)")
    lines += ["; ".join(facts) + ".", "", _cell(p.note), ""]
    lines += [
        "| rule | kind | what | also | how sure | source | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in p.rules:
        lines.append(
            f"| `{r.id}` | {r.kind} | {_cell(_what(r))} | {_cell(_extras(r))} | {r.verified} "
            f"| {_source(r)} | {_cell(r.note)} |"
        )
    return [*lines, ""]


def render() -> str:
    lines = [
        "# Shipped threshold profiles and their sources",
        "",
        "Generated from `registry/thresholds/profiles/*.yaml` by `docs/profiles.py`; do not",
        "edit by hand (`tests/test_docs.py` checks that this page is what the files say).",
        'How the rules are applied is in [verdicts.md](verdicts.md). "How sure" is the',
        "rule's `verified`: `primary` (read in the law's or standard's own text),",
        "`secondary` (read in a source quoting it) or `unverified` (not confirmed; such a",
        "rule never gives a public fail). Limits are in the analyte's canonical unit",
        "(`ug/g` for metals, `%` for alkaloids, `CFU/g` for counts) unless the rule says",
        "otherwise.",
        "",
    ]
    for p in sorted(load_shipped_profiles(), key=lambda p: (p.code != DEFAULT, p.code)):
        lines += profile_section(p)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
