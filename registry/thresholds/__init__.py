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
effect, when that date was read; else null and the note says why), ``note`` (scope,
what is not modelled, how sure), ``defaults`` (``serving_g``, ``servings_per_day``:
the intake used when the product label does not give it; null when the profile
assumes none) and ``rules``. A rule has ``id``, ``kind``, its fields, ``op`` (``<=``
or ``<``, from the text: "not more than" / "greater than ... prohibited" give ``<=``,
"less than" gives ``<``), ``severity`` (``fail``, or ``warning`` for Prop 65),
optional ``applies_to`` (product forms), ``source`` (``citation``, ``url``) and
``verified``: ``primary`` (read in the statute, rule or standard, or a near-verbatim
copy: thresholds.md's [V]), ``secondary`` (news, vendor, law-firm, advocacy: [S]) or
``unverified`` ([U]: not found, recollection, or the registry's own choice); a rule
not marked primary says why in its ``note``.

Rule kinds
----------
=============  ==========================================================================
``max``        value <= (or <) limit, in the analyte's canonical unit (``ug/g``, ``%``,
               ``CFU/g``, ``ug/kg``); a whole not printed is summed from its parts
``absent``     a presence test must be negative
``ratio``      ``analyte`` as % of ``denominator``; total alkaloids, when not printed, are
               the sum of the printed alkaloids (needs mitragynine)
``exposure``   value x serving (g) x servings per day <= ``ug/day``; reports the exposure
``per_serving`` value x serving (g) <= ``mg/serving`` (a per-serving result as printed)
``required``   tests that must be present; missing ones make the verdict ``incomplete``
=============  ==========================================================================

Qualifiers and units (``rules.py``): every result becomes the interval its true value
lies in, and a rule passes only when the whole interval meets the limit, fails when
none of it does, and is *inconclusive* otherwise. So ``<`` LOQ at or below the limit
passes and above it is inconclusive; ``>`` at or above the limit fails; ``nd`` passes
unless its printed LOQ is above the limit; a unit that does not convert is
inconclusive with a reason. Status (``evaluate.py``): ``fail`` > ``incomplete`` >
``pass``. A Prop 65 breach is listed under ``warnings`` and does not change the status.

Speed
-----
:func:`evaluate` runs each profile compiled once into per-rule checks (``compiled.py``:
units, conversion factors and composites resolved up front; a rule that passes costs a
few comparisons, and only failures, warnings and inconclusive rules build their
entries). ``rules.py`` remains the readable definition of each kind (``rules.judge``)
and :func:`~registry.thresholds.evaluate.evaluate_by_rules` the plain evaluation; the
verdicts are held to a frozen pre-optimisation copy by
``tests/thresholds/test_differential.py``. ``bench/evaluate_engine.py`` prints µs per
call, before and after, per shipped profile.

Shipped profiles and how sure each figure is
--------------------------------------------
Intakes: exposure profiles default to 10 g/day (2.5 g x 4), the registry's basis from
thresholds.md section 7, used only when the label gives no serving; Georgia assumes no
serving size (its per-serving caps are inconclusive without one).

| profile (v1) | effective | primary (read in the text) | secondary | unverified |
|---|---|---|---|---|
| `utah-r70-580` | not read (copy current to 1 Dec 2024) | R70-580-5: aerobic count <= 10^7, yeast & mold <= 10^5, bile-tolerant Gram-negatives < 10^4 CFU/g; Salmonella, E. coli absent; As < 2, Cd < 0.82, Pb < 1.2, Hg < 0.4 ug/g; required panel. 4-45-104(1)(c): 7-OH <= 2 % of alkaloids | - | absence-test sample mass ("100 g", maybe 10 g) not checked |
| `usp-dietary-supplement` | 2023-06-01 (<2232>) | <2232> PDEs Pb 5, As 15, Cd 5, Hg 15 ug/day; <2023> dried botanicals: TAMC <= 10^5, TYMC <= 10^3, bile-tolerant Gram-negatives <= 10^3 CFU/g; Salmonella, E. coli absent | - | 10 g/day default; required panel (registry's choice) |
| `ahpa` | not read | chart copy: aerobic count <= 10^7, yeast & mold <= 10^5, coliforms / enterobacteria <= 10^4 CFU/g; E. coli, Salmonella absent | As 10, Cd 4.1 ug/day (2008 interim, trade press) | Pb 10 ug/day (2009 revision not read, maybe 6); "<=" reading of the chart's bare figures; 10 g/day default; required panel |
| `prop65-lead` (warning) | not read | - | Pb 0.5 ug/day MADL (thresholds.md says [V]; read via an advocacy group's and a vendor's pages, 27 CCR 25805 not read) | 10 g/day default; required lead |
| `eu-food-supplement` | not read | - | Reg. (EU) 2023/915: Pb 3.0, Cd 1.0, Hg 0.10 mg/kg as sold | required panel |
| `oklahoma` | not read | 7-OH <= 1 % of alkaloids (1-1432.4(A)(3)); leaf total alkaloids <= 3.5 % dry basis (HB 3574), compared as printed, leaf only | - | required mitragynine and 7-OH |
| `georgia` | 2025-01-01 | 16-13-122(b): 7-OH <= 0.5 mg/g (0.05 %), <= 1 mg/serving; mitragynine <= 150 mg/serving | - | required mitragynine and 7-OH |
| `texas` | 2023-09-01 | 444.003(3): 7-OH <= 2 % of alkaloids | - | required mitragynine and 7-OH |
| `arizona` | not read | 7-OH <= 2 % of alkaloids (the Attorney General's restatement of A.R.S. 36-795.02) | - | required mitragynine and 7-OH |
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
)
from registry.thresholds.rules import OPERATORS, RULE_FUNCTIONS, next_state

__all__ = [
    "ANALYTES", "COMPOSITES", "analytes_read", "OPERATORS", "RULE_FUNCTIONS", "Analyte", "Defaults", "LabResult",
    "ProductInfo", "Profile", "ProfileError", "Rule", "Source", "Verdict", "analyte", "evaluate",
    "latest_results", "load_profile_file", "load_shipped_profiles", "next_state",
    "profile_digest", "profile_from_dict", "profile_to_dict", "rule_changes", "same_outcomes",
]
