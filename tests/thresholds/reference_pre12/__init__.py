"""FROZEN pre-issue-12 reference of the threshold engine (test-only code).

A verbatim copy of ``registry/thresholds/{analytes,model,rules,evaluate}.py`` as they
were before the engine was compiled for speed (commit 21603b6), and so before issue 12
("fair verdicts"), with only the import paths changed to point here (this package was
``tests/thresholds/reference_impl`` until that name went to the oracle of equality).
Its verdicts differ from today's on purpose (see ``tests/thresholds/test_differential.py``):
the test checks one-sidedly that :func:`registry.thresholds.evaluate` fails no rule this
reference did not fail (a positive kept after a retest aside) and raises only where it
raises.

Do not edit these modules. The reference reads the registry's own ``Profile``, ``Rule``,
``LabResult`` and ``ProductInfo`` objects by their attributes; it returns its own
``Verdict``.
"""

from tests.thresholds.reference_pre12.evaluate import evaluate, latest_results

__all__ = ["evaluate", "latest_results"]
