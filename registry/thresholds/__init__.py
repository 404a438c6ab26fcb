"""Threshold profiles and verdicts: pure domain logic, no Flask, no database.

Placeholder docstring; replaced below once the API settles.
"""

from registry.thresholds.analytes import ANALYTES, COMPOSITES, Analyte, analyte
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
    "ANALYTES", "COMPOSITES", "OPERATORS", "RULE_FUNCTIONS", "Analyte", "Defaults", "LabResult",
    "ProductInfo", "Profile", "ProfileError", "Rule", "Source", "Verdict", "analyte", "evaluate",
    "latest_results", "load_profile_file", "load_shipped_profiles", "next_state",
    "profile_digest", "profile_from_dict", "profile_to_dict",
]
