"""Threshold profiles and verdicts: pure domain logic (no Flask, no database).

A *profile* is a law, standard or guidance as data: one YAML file per profile in
``profiles/``, validated by marshmallow (``loader.py``) into frozen dataclasses
(``model.py``). A *verdict* judges one batch's results under one profile with pure
functions (``rules.py``, ``evaluate.py``). The registry's services call::

    profiles = load_shipped_profiles()                    # list[Profile], by code
    profile_digest(profile)                               # sha256 hex: store a new version when it changes
    profile_to_dict(profile) / profile_from_dict(data)    # JSON for the DB and the admin API
    verdict = evaluate(profile, results, ProductInfo(serving_g=2.5, servings_per_day=4, form="leaf"))
    verdict.to_dict()                                     # the contract's verdict JSON

``results`` are :class:`LabResult` (the parse contract's analyte, category, value, unit,
qualifier, loq, plus ``certificate_id`` and ``tested``) from all of a batch's
certificates; :func:`evaluate` keeps the latest result per analyte
(:func:`latest_results`, see ``evaluate.py``). Bad profiles raise
:class:`ProfileError` (a ``ValueError``; ``.errors`` per field, for a 422).

Profile fields
--------------
``code`` (slug, the file name), ``name``, ``jurisdiction``, ``version`` (an integer,
like the registry's ``profiles.version`` column: bump it when a figure changes; the
digest catches a forgotten bump), ``effective`` (the date the text followed took
effect, when that date was read; else null and the note says why), ``as_of`` (the date
this reading of the sources was last checked), ``note`` (scope, what is not modelled,
how sure, every source relied on), ``defaults`` (``serving_g``, ``servings_per_day``:
an *illustrative* intake, shown in ``would_fail_if`` when the product's intake is not
known; never the basis of a verdict), ``minus_uncertainty`` (judge ``value - U`` where
the COA prints an expanded uncertainty) and ``rules``. A rule has ``id``, ``kind``, its
fields, ``op`` (``<=`` or ``<``, from the text) with ``op_wording`` (the source's
sentence that decides it: "does not exceed" and "greater than ... prohibited" give
``<=``, "less than" gives ``<``), ``severity`` (``fail``, or ``warning`` for Prop 65),
optional ``applies_to`` (product forms, see ``model.FORMS``), ``source`` (``citation``,
``url``) and ``verified``: ``primary`` (read in the statute, rule or standard, or a
near-verbatim copy), ``secondary`` (news, vendor, law-firm, advocacy) or ``unverified``
(not found, not confirmed in force, recollection, or the registry's own choice); a
rule not marked primary says why in its ``note``. An unverified rule never gives a
public fail. Optional fields by kind: ``method_loq`` (the standard method's LOQ, for an
ND printed without one), ``species`` (``inorganic``: a total above the limit needs
speciation), ``max_daily_g`` (exposure: the source covers only intakes up to it),
``denominator_set`` (ratio: the alkaloids the rule's text sums), ``sample_g`` and
``retest_clears`` (absent: the mass absence is required in; whether a negative retest
clears a positive).

Rule kinds
----------
=============  ==========================================================================
``max``        value <= (or <) limit, in the analyte's canonical unit (``ug/g``, ``%``,
               ``CFU/g``, ``ug/kg``); a whole not printed is summed from its parts (a
               sum of printed alkaloids is a lower bound on the total)
``absent``     a presence test must be negative, in the mass the source names
``ratio``      ``analyte`` as % of ``denominator``: the printed total, else the rule's
               named set when all printed; else the share over the printed alkaloids is
               an upper bound (pass or inconclusive, never fail)
``exposure``   value x serving (g) x servings per day <= ``ug/day``, on the product's
               intake only; reports the exposure
``per_serving`` value x serving (g) <= ``mg/serving`` (a per-serving result as printed)
``required``   tests that must be present; missing ones make the verdict ``incomplete``
=============  ==========================================================================

The principle (``rules.py``): a rule gives ``fail`` only when the printed values and
the rule's own text prove it; what would rest on an assumption is inconclusive, with
``reason``, ``assumptions`` and ``would_fail_if`` in its entry. Qualifiers and units:
every result becomes the interval its true value lies in, and a rule passes only when
the whole interval meets the limit, fails when none of it does, and is inconclusive
otherwise. So ``<`` LOQ at or below the limit passes and above it is inconclusive;
``>`` at or above the limit fails; ``nd`` passes when its printed LOQ (or the rule's
``method_loq``) is at or below the limit; a unit that does not convert is inconclusive
with a reason. Status (``evaluate.py``, ``VerdictStatus``): ``fail`` > ``warning`` >
``incomplete`` > ``pass``. A Prop 65 breach is listed under ``warnings`` and makes the
status ``warning`` (a label is needed; nothing is banned). A verdict no rule could judge
(no result the profile reads) is ``incomplete``, with ``reason`` "nothing this profile
judges was tested", never ``pass``.

Speed
-----
:func:`evaluate` has one path and each rule kind one implementation (``rules.py``): a
profile is prepared once (cached per profile object) into one judge per rule, with the
analyte's unit, conversion factors (memoised per printed spelling), composites, the
per-gram factor and the comparison resolved up front. A judge computes the rule's
bounds and state once; a rule that passes returns a shared marker and costs a few
comparisons, any other outcome is worded from the same figures.
``tests/thresholds/test_differential.py`` holds every verdict to a frozen copy of the
engine (``tests/thresholds/reference_impl``, the oracle), and one-sidedly (no new
fails) to a frozen pre-issue-12 copy (``tests/thresholds/reference_pre12``).
``bench/evaluate_engine.py`` prints CPU µs per call per shipped profile, beside the
oracle's.

Shipped profiles and how sure each figure is (v2, as of 2026-12-03)
-------------------------------------------------------------------
Intakes: no profile assumes one; USP, AHPA and Prop 65 illustrate 10 g/day (2.5 g x 4)
in ``would_fail_if``. Georgia's per-serving caps need the label's serving size.

| profile (v2) | effective | primary (read in the text) | secondary | unverified |
|---|---|---|---|---|
| `utah-r70-580` | not read (copy current to 1 Dec 2024) | - | - | every rule: R70-580-5 tables (aerobic count <= 10^7, yeast & mold <= 10^5, bile-tolerant Gram-negatives <= 10^4 CFU/g, Salmonella and E. coli absent in 100 g, As 2, Cd 0.82, Pb 1.2, Hg 0.4 ug/g, "do not exceed": equal passes; retest clears) while R70-580 is being replaced; 4-45-104(1)(c) 7-OH <= 2 %, which the 2026 amendment's text as read no longer has |
| `usp-dietary-supplement` | 2023-06-01 (<2232>) | <2232> PDEs Pb 5, As (inorganic) 15, Cd 5, Hg 15 ug/day; <2023> dried botanicals: TAMC <= 10^5, TYMC <= 10^3, bile-tolerant Gram-negatives <= 10^3 CFU/g; Salmonella, E. coli absent in 10 g | - | required panel (registry's choice) |
| `ahpa` | not read | chart copy: aerobic count <= 10^7, yeast & mold <= 10^5, coliforms / enterobacteria <= 10^4 CFU/g; E. coli absent in 10 g, Salmonella in 25 g | As (inorganic) 10, Cd 4.1 ug/day, <= 5 g/day scope at the highest labelled dose (lab page quoting AHPA) | Pb 6 ug/day (July 2012 revision, figure not legible in the copy found); required panel |
| `prop65-lead` (warning) | not read | - | Pb 0.5 ug/day MADL (read via an advocacy group's and a vendor's pages, 27 CCR 25805 not read) | required lead |
| `eu-food-supplement` | not read | - | Reg. (EU) 2023/915: Pb 3.0, Cd 1.0, Hg 0.10 mg/kg as sold; value - U (Reg. 333/2007, recalled) | required panel |
| `oklahoma` | not read | - | 7-OH <= 1 % of alkaloids (1-1432.4(A)(3), 2024 text; SB 891 (2025) kept it per summaries); leaf total alkaloids <= 3.5 % (HB 3574), leaf powder and capsules only | required mitragynine and 7-OH |
| `georgia` | 2025-01-01 | 16-13-122(b): 7-OH <= 0.5 mg/g (0.05 %), <= 1 mg/serving; mitragynine <= 150 mg/serving | - | required mitragynine and 7-OH |
| `texas` | 2023-09-01 | 444.003(3): 7-OH <= 2 % of alkaloids | - | required mitragynine and 7-OH |
| `arizona` | not read | - | 7-OH <= 2 % of alkaloids (the Attorney General's restatement of A.R.S. 36-795.02) | required mitragynine and 7-OH |
"""

from registry.thresholds.analytes import ANALYTES, COMPOSITES, Analyte, analyte
from registry.thresholds.changes import analytes_read, rule_changes, same_outcomes
from registry.thresholds.evaluate import evaluate, latest_results
from registry.thresholds.loader import (
    ProfileError,
    load_profile_file,
    load_shipped_profiles,
    profile_digest,
    profile_from_dict,
    profile_to_dict,
)
from registry.thresholds.model import (
    Defaults,
    LabResult,
    ProductInfo,
    Profile,
    Rule,
    Source,
    Verdict,
    VerdictStatus,
)
from registry.thresholds.rules import OPERATORS, PREPARERS, next_state, prepare

__all__ = [
    "ANALYTES",
    "COMPOSITES",
    "analytes_read",
    "OPERATORS",
    "PREPARERS",
    "Analyte",
    "Defaults",
    "LabResult",
    "ProductInfo",
    "Profile",
    "ProfileError",
    "Rule",
    "Source",
    "Verdict",
    "VerdictStatus",
    "analyte",
    "evaluate",
    "latest_results",
    "load_profile_file",
    "load_shipped_profiles",
    "next_state",
    "prepare",
    "profile_digest",
    "profile_from_dict",
    "profile_to_dict",
    "rule_changes",
    "same_outcomes",
]
