"""The OpenAPI document (``GET /api/v1/openapi.json``): valid OpenAPI 3, the upload as
one multipart body, every query parameter described with an example, exports and
problems documented; and an upload sent the way the document describes it works."""

from __future__ import annotations

import io
import json
from typing import Any

from openapi_spec_validator import validate

from tests.registry.coa import make_coa

QUERY_METHODS = ("get", "delete")


def document(client: Any) -> dict[str, Any]:
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "responses" in op
    ]


def test_the_document_is_valid_openapi_3(client) -> None:
    doc = document(client)
    validate(doc)  # raises on any error
    assert doc["openapi"].startswith("3.")
    assert "formData" not in str(doc)


def test_the_upload_is_one_multipart_body_with_the_file_and_form_fields(client) -> None:
    doc = document(client)
    post = doc["paths"]["/api/v1/certificates"]["post"]
    assert "parameters" not in post
    body = post["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
    ref = body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = doc["components"]["schemas"][ref]
    assert schema["required"] == ["file"]
    assert schema["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": "the COA, a PDF",
    }
    assert {"vendor", "product", "batch", "form", "serving_g", "servings_per_day"} <= set(
        schema["properties"]
    )


def test_every_query_parameter_has_a_description_and_an_example(client) -> None:
    doc = document(client)
    seen = 0
    for method, path, op in operations(doc):
        for param in op.get("parameters", []):
            if param["in"] != "query":
                continue
            seen += 1
            where = f"{method.upper()} {path} ?{param['name']}"
            assert param.get("description"), f"{where} has no description"
            assert "example" in param or "example" in param["schema"] or "examples" in param, (
                f"{where} has no example"
            )
    assert seen >= 25


def test_errors_are_documented_as_problem_documents(client) -> None:
    doc = document(client)
    problem = doc["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"):
        assert list(doc["components"]["responses"][name]["content"]) == ["application/problem+json"]
    for method, path, op in operations(doc):
        assert op["responses"]["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}, (
            method,
            path,
        )


def test_exports_are_documented(client) -> None:
    doc = document(client)
    content = doc["paths"]["/api/v1/batches"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/x-ndjson"} <= set(content)
    assert content["text/csv"]["example"].startswith("id,vendor,")


def test_result_exports_are_documented_as_they_are_sent(client, uploader, shipped_profiles) -> None:
    """Point 5 of issue 10: ``/api/v1/results`` documents its CSV and JSON Lines answers
    (and the ``format`` that asks for them), and the documented CSV header is the one an
    export sends; each JSON Lines row has the fields of the documented ResultRow."""
    doc = document(client)
    op = doc["paths"]["/api/v1/results"]["get"]
    content = op["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/x-ndjson"} <= set(content)
    formats = next(p for p in op["parameters"] if p["name"] == "format")["schema"]["enum"]
    assert {"json", "csv", "jsonl"} <= set(formats)
    client.post(
        "/api/v1/certificates",
        headers=uploader,
        data={"file": (io.BytesIO(make_coa(salt="export-doc")), "coa.pdf")},
    )
    sent = client.get("/api/v1/results", query_string={"format": "csv"})
    assert sent.mimetype == "text/csv"
    header = sent.get_data(as_text=True).splitlines()[0]
    assert content["text/csv"]["example"].splitlines()[0] == header
    assert header.split(",") == content["text/csv"]["schema"]["description"].split(": ")[-1].split(
        ","
    )
    lines = client.get("/api/v1/results", query_string={"format": "jsonl"})
    assert lines.mimetype == "application/x-ndjson"
    rows = [json.loads(line) for line in lines.get_data(as_text=True).splitlines()]
    assert rows, "the uploaded certificate's results"
    documented = doc["components"]["schemas"]["ResultRow"]["properties"]
    assert all(set(row) == set(documented) for row in rows)


def test_an_upload_sent_as_documented_keeps_its_form_fields(
    client, uploader, shipped_profiles
) -> None:
    pdf = make_coa(vendor="", lot="", product="", salt="documented")
    resp = client.post(
        "/api/v1/certificates",
        headers=uploader,
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(pdf), "coa.pdf"),
            "vendor": "Documented Botanicals",
            "product": "Green Malay",
            "batch": "GM.2024.7",
            "form": "capsules",
        },
    )
    assert resp.status_code in (200, 201, 202), resp.get_data(as_text=True)
    batch = resp.get_json().get("batch")
    if batch is None:  # a slow parse answers 202 first: read the certificate when it is done
        cert = client.get(resp.headers["Location"]).get_json()
        batch = cert["batch"]
    assert (batch["vendor"], batch["product"], batch["lot"], batch["form"]) == (
        "Documented Botanicals",
        "Green Malay",
        "GM.2024.7",
        "capsules",
    )


def test_a_form_field_out_of_range_names_the_field(client, uploader) -> None:
    resp = client.post(
        "/api/v1/certificates",
        headers=uploader,
        data={"file": (io.BytesIO(make_coa()), "coa.pdf"), "serving_g": "0"},
    )
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
    assert set(resp.get_json()["errors"]) == {"serving_g"}


def test_a_stored_profile_keeps_its_component_name(client) -> None:
    """The schema classes were renamed apart from the loader's; the document's names are
    the contract's and stay: a profile version is ``Profile`` wherever it is answered."""
    doc = document(client)
    schemas = doc["components"]["schemas"]
    assert "StoredProfile" not in schemas
    assert {"Profile", "ProfileVersion", "ProfileSaved", "ProfileDefinition"} <= set(schemas)
    profile = {"$ref": "#/components/schemas/Profile"}
    paths = doc["paths"]
    ok = paths["/api/v1/profiles"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"type": "array", "items": profile}
    for path in ("/api/v1/profiles/{code}", "/api/v1/profiles/{code}/versions/{version}"):
        ok = paths[path]["get"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"] == profile, path
