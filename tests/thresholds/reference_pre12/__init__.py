"""FROZEN pre-optimisation, pre-issue-12 reference of the threshold engine (test-only code).

A verbatim copy of ``registry/thresholds/{analytes,model,rules,evaluate}.py`` as they
were before the engine was compiled for speed (commit 21603b6), with only the import
paths changed to point here. ``tests/thresholds/test_differential.py`` asserts that
:func:`registry.thresholds.evaluate` gives exactly the verdict (``to_dict()``, key order
and value types included) that :func:`evaluate` here gives, for random batches under
every shipped profile. ``bench/evaluate_engine.py --reference`` times it for a before
figure.

Do not edit these modules to follow a change of the engine: a deliberate change of
verdicts needs the differential test (and this docstring) updated on purpose.
The reference reads the registry's own ``Profile``, ``Rule``, ``LabResult`` and
``ProductInfo`` objects by their attributes; it returns its own ``Verdict``.
"""

from tests.thresholds.reference_pre12.evaluate import evaluate, latest_results

__all__ = ["evaluate", "latest_results"]
