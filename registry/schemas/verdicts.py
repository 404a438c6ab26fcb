"""Verdicts as the contract shows them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields


class FailureSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    analyte = fields.String()
    value = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    limit = fields.Float(allow_none=True)
    rule = fields.String()
    source = fields.String(allow_none=True)


class VerdictSchema(ma.Schema):
    profile = fields.String()
    profile_version = fields.Integer()
    status = fields.String(
        metadata={"description": "fail, warning (a Prop 65 label), incomplete or pass"}
    )
    failures = fields.List(
        fields.Dict(),
        metadata={"description": "rules the printed values and the rule's own text prove broken"},
    )
    missing = fields.List(fields.String())
    inconclusive = fields.List(
        fields.Dict(),
        metadata={
            "description": "rules that cannot be judged: each has a plain-words reason, and where a "
            "conclusion would rest on an assumption, its assumptions and would_fail_if"
        },
    )
    warnings = fields.List(
        fields.Dict(),
        metadata={
            "description": "failing rules of severity warning (a Prop 65 label), not failures"
        },
    )
    passed = fields.List(fields.String(), metadata={"description": "ids of the rules met"})
    not_tested = fields.List(
        fields.String(),
        metadata={"description": "analytes of optional rules that no certificate reports"},
    )
    not_applicable = fields.List(
        fields.String(),
        metadata={
            "description": "ids of rules that do not apply to the product (its form, its intake)"
        },
    )
    intake = fields.Dict(metadata={"description": "the serving basis used by exposure rules"})
    assumptions = fields.List(
        fields.String(),
        load_default=list,
        metadata={
            "description": "what the verdict did not take as printed (rule id: assumption); each "
            "made a rule inconclusive instead of failing"
        },
    )
    cleared = fields.List(
        fields.Dict(),
        load_default=list,
        metadata={
            "description": "positives a later retest cleared where the profile's source allows it"
        },
    )
    reason = fields.String(
        allow_none=True,
        metadata={
            "description": "why the status is what it is when no entry says so: "
            '"nothing this profile judges was tested" (incomplete)'
        },
    )
    evaluated_at = fields.DateTime()
    failing_since = fields.DateTime(allow_none=True)


class VerdictChangeSchema(ma.Schema):
    profile = fields.String()
    profile_version = fields.Integer()
    old_status = fields.String(allow_none=True)
    new_status = fields.String()
    at = fields.DateTime()
