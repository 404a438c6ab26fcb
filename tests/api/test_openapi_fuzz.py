"""schemathesis against the real app, on SQLite and PostgreSQL: every operation of the
OpenAPI document, with generated valid and invalid input, must answer as the document
says (status codes, content types, headers, bodies) and never with a server error.

The database holds the shipped profiles and two uploaded COAs, so reads find something;
requests carry an admin token, so the writes run past authentication. Examples are
bounded (``MAX_EXAMPLES`` per operation) to keep the run to a minute or two a database.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.registry.coa import make_coa

MAX_EXAMPLES = 25
UPLOADED = make_coa(lot="RB-2024-0117", salt="0")


@pytest.fixture
def api_schema(app: Any, shipped_profiles: list[str], admin: dict[str, str]) -> Any:
    client = app.test_client()
    token = admin["Authorization"].removeprefix("Bearer ")
    for pdf in (UPLOADED, make_coa(lot="GMD 7.1", salt="1")):
        resp = client.post(
            "/api/v1/certificates",
            headers={"Authorization": f"Bearer {token}"},
            data={"file": (io.BytesIO(pdf), "coa.pdf")},
        )
        assert resp.status_code in (200, 201, 202), resp.get_data(as_text=True)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return schema


#: Query parameters whose value must name something the registry knows (an analyte, a
#: profile): any string fits the document, and a name nobody knows is a 422 naming it.
LOOKUPS = {"analyte", "profile", "category"}
#: Query parameters whose rule the document cannot state: a ``cursor`` is opaque (only one
#: the registry gave is valid), and ``page`` × ``per_page`` is capped (a deeper page is a
#: 422 pointing to the cursor).
OPAQUE = {"cursor": "", "page": "cursor"}


def _accepted_but_unknown_names(ctx: Any, response: Any, case: Any) -> None:
    """Schema-valid input is accepted (2xx), or refused only for naming an unknown
    analyte, profile or category (422 whose errors are those fields, each saying
    ``unknown``), for a cursor the registry did not give, or for a page past the cap."""
    if 200 <= response.status_code < 300:
        return None
    assert response.status_code == 422, f"schema-valid request answered {response.status_code}"
    errors = json.loads(response.content)["errors"]
    for name, messages in errors.items():
        text = " ".join(messages)
        if name in OPAQUE:
            assert OPAQUE[name] in text, errors
        else:
            assert name in LOOKUPS and "unknown" in text, errors
    return None


#: Bodies with rules across fields that the document cannot state: a profile rule's kind
#: decides which of its fields are required; a subscription's channel decides whether it
#: needs ``url`` or ``email``.
CROSS_FIELD = {"PUT /api/v1/profiles/{code}", "POST /api/v1/subscriptions"}


def _accepted_or_cross_field_refusal(ctx: Any, response: Any, case: Any) -> None:
    """Schema-valid input is accepted, or refused as a validation problem naming fields."""
    if 200 <= response.status_code < 300:
        return None
    assert response.status_code == 422, f"schema-valid request answered {response.status_code}"
    body = json.loads(response.content)
    assert body["type"].endswith("/problems/validation") and body["errors"], body
    return None


def _a_pdf(case: Any) -> Any:
    """A schema-valid upload carries a PDF: what a PDF is, the document cannot say (any
    other bytes are a 415, which the positive-data check would count as a rejection)."""
    if isinstance(case.body, dict) and "file" in case.body:
        case.body["file"] = UPLOADED
    return case


def _run(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> None:
    strategy = operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.POSITIVE:
        strategy = strategy.map(_a_pdf)

    checks: dict[str, Any] = {}
    if mode is GenerationMode.POSITIVE and operation.label in CROSS_FIELD:
        checks = {
            "excluded_checks": [positive_data_acceptance],
            "additional_checks": [_accepted_or_cross_field_refusal],
        }
    elif mode is GenerationMode.POSITIVE and {p.name for p in operation.query} & LOOKUPS:
        checks = {
            "excluded_checks": [positive_data_acceptance],
            "additional_checks": [_accepted_but_unknown_names],
        }

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, **checks)

    run()


@pytest.mark.slow
def test_every_operation_answers_as_documented(api_schema: Any, admin: dict[str, str]) -> None:
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        takes_input = operation.body or any(
            len(group) for group in (operation.path_parameters, operation.query, operation.headers)
        )
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)[: 2 if takes_input else 1]:
            try:
                _run(operation, mode, admin)
            except (
                Exception,
                BaseExceptionGroup,
            ) as exc:  # every operation is tried; all are reported
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
