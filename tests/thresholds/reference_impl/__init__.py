"""FROZEN reference of the threshold engine (test-only code): the tests' oracle.

A copy of ``registry/thresholds/{analytes,model,rules}.py`` and of the plain evaluation
of ``evaluate.py`` (``evaluate_by_rules``, with the helpers it used) as they were at
commit 1979114, before the engine's fast path (``compiled.py``) and its plain path were
made one implementation (issue 10, point 11); only the import paths are changed to point
here, and ``evaluate_by_rules`` is named ``evaluate``. ``tests/thresholds/test_differential.py``
asserts that :func:`registry.thresholds.evaluate` gives exactly the verdict (``repr`` of
the verdict and of ``to_dict()``: key order, wording and value types included) that
:func:`evaluate` here gives, or raises the same exception, for random batches under
every shipped profile and random valid ones. ``bench/evaluate_engine.py`` times it
beside the engine in the same run.

Do not edit these modules to follow a change of the engine: a deliberate change of
verdicts needs the differential test (and this docstring) updated on purpose. The
reference reads the registry's own ``Profile``, ``Rule``, ``LabResult`` and
``ProductInfo`` objects by their attributes; it returns its own ``Verdict``.
(``tests/thresholds/reference_pre12`` is the older copy, from before issue 12's fair
verdicts: an oracle of "no new fails" only.)
"""

from tests.thresholds.reference_impl.evaluate import evaluate, latest_results

__all__ = ["evaluate", "latest_results"]
