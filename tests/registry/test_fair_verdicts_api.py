"""Issue 12 through the API: the uploader's product form and intake, the form read from
the COA's product words, the tested mass of a presence test, and the profiles' as_of and
certainty counts."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa

from registry.extensions import db
from registry.models import Product, Result
from tests.registry.coa import DEFAULT_RESULTS, make_coa


def post(client: Any, headers: dict[str, str], pdf: bytes, **form: Any) -> Any:
    return client.post(
        "/api/v1/certificates", headers=headers, data={"file": (io.BytesIO(pdf), "coa.pdf"), **form}
    )


def verdict(body: dict[str, Any], profile: str) -> dict[str, Any]:
    return next(v for v in body["verdicts"] if v["profile"] == profile)


#: Total alkaloids of 45 %: an extract's figure, over Oklahoma's 3.5 % leaf cap.
EXTRACT = (*DEFAULT_RESULTS, ("Total Alkaloids", "45.0", "%", "0.1"))


def test_the_leaf_cap_follows_the_product_form(app, client, uploader, shipped_profiles) -> None:
    """'The total alkaloid content of kratom leaf material ... shall not exceed 3.5 %'."""
    unknown = post(client, uploader, make_coa(lot="F-1", product="Gold Blend", results=EXTRACT))
    assert unknown.status_code == 201, unknown.get_json()
    oklahoma = verdict(unknown.get_json(), "oklahoma")
    assert oklahoma["status"] == "incomplete"  # form unknown: no accusation
    [entry] = [i for i in oklahoma["inconclusive"] if i["rule_id"] == "leaf-total-alkaloids"]
    assert "form is not known" in entry["reason"] and entry["would_fail_if"]

    extract = post(
        client, uploader, make_coa(lot="F-2", product="Gold Blend", results=EXTRACT), form="extract"
    ).get_json()
    assert "leaf-total-alkaloids" in verdict(extract, "oklahoma")["not_applicable"]
    assert extract["batch"]["form"] == "extract"

    leaf = post(
        client, uploader, make_coa(lot="F-3", product="Green Maeng Da Powder", results=EXTRACT)
    ).get_json()
    assert leaf["batch"]["form"] == "leaf_powder"  # read from the product's words
    assert [f["rule_id"] for f in verdict(leaf, "oklahoma")["failures"]] == ["leaf-total-alkaloids"]


def test_an_intake_given_by_the_uploader_judges_exposures(
    app, client, uploader, shipped_profiles
) -> None:
    results = tuple(
        (a, "0.6" if a.startswith("Lead") else v, u, q) for a, v, u, q in DEFAULT_RESULTS
    )
    none = post(client, uploader, make_coa(lot="I-1", results=results)).get_json()
    usp = verdict(none, "usp-dietary-supplement")
    assert usp["status"] != "fail"
    [lead] = [i for i in usp["inconclusive"] if i["rule_id"] == "lead-pde"]
    assert lead["would_fail_if"].startswith("taken at 10 g/day")
    assert any(a.startswith("lead-pde: ") for a in usp["assumptions"])

    ten = post(
        client,
        uploader,
        make_coa(lot="I-2", results=results),
        serving_g="2.5",
        servings_per_day="4",
    ).get_json()
    assert "lead-pde" in [f["rule_id"] for f in verdict(ten, "usp-dietary-supplement")["failures"]]
    four = post(
        client, uploader, make_coa(lot="I-3", results=results), serving_g="2", servings_per_day="2"
    ).get_json()
    assert "lead-pde" in verdict(four, "usp-dietary-supplement")["passed"]
    with app.app_context():  # the intake is the product's label: the latest upload's words
        forms = db.session.execute(
            sa.select(Product.serving_g, Product.servings_per_day).where(
                Product.serving_g.is_not(None)
            )
        ).all()
        assert forms == [(2.0, 2.0)]


def test_bad_form_fields_are_refused(client, uploader, shipped_profiles) -> None:
    for bad in ({"form": "gummy"}, {"serving_g": "-1"}, {"servings_per_day": "lots"}):
        resp = post(client, uploader, make_coa(lot="B-1"), **bad)
        assert resp.status_code == 422, (bad, resp.get_json())


def test_the_tested_mass_reaches_the_presence_rules(
    app, client, uploader, shipped_profiles
) -> None:
    """AHPA: Salmonella 'not detected in 25 g'; the COA printed 'Absent in 25 g'."""
    body = post(
        client, uploader, make_coa(lot="M-1"), serving_g="2", servings_per_day="2"
    ).get_json()
    assert "salmonella" in verdict(body, "ahpa")["passed"]
    utah = verdict(body, "utah-r70-580")  # Utah's copy reads "Absence in 100g"
    [entry] = [i for i in utah["inconclusive"] if i["rule_id"] == "salmonella"]
    assert "absent in 25 g does not show absence in the 100 g" in entry["reason"]


def test_profiles_show_as_of_and_rules_by_certainty(client, shipped_profiles) -> None:
    found = {p["code"]: p for p in client.get("/api/v1/profiles").get_json()}
    for profile in found.values():
        assert profile["as_of"] == "2026-12-03"
        assert set(profile["rules_by_certainty"]) == {"primary", "secondary", "unverified"}
    assert found["utah-r70-580"]["rules_by_certainty"]["primary"] == 0
    assert found["oklahoma"]["rules_by_certainty"] == {
        "primary": 0,
        "secondary": 2,
        "unverified": 1,
    }
    one = client.get("/api/v1/profiles/arizona").get_json()
    assert one["as_of"] == "2026-12-03" and one["rules_by_certainty"]["secondary"] == 1


def test_a_printed_uncertainty_is_stored_and_judged_as_value_minus_u(app, shipped_profiles) -> None:
    """EU: a lot is rejected only when the result exceeds the limit beyond reasonable doubt."""
    import parsers
    from registry import unit_of_work
    from registry.services import certificates, verdicts

    doc = parsers.Document(
        vendor="Acme",
        product="Leaf Powder",
        batch="U-1",
        results=(
            parsers.ParsedResult("lead", "heavy_metal", 3.4, "ug/g", uncertainty=0.5),
            parsers.ParsedResult("cadmium", "heavy_metal", 0.1, "ug/g"),
            parsers.ParsedResult("mercury", "heavy_metal", 0.01, "ug/g"),
        ),
    )
    upload = certificates.Upload(data=b"%PDF-1.4 uncertainty test", filename="u.pdf")
    upload.document, upload.prepared = doc, True
    with app.app_context():
        cert, _ = unit_of_work.commit(
            db.session,
            lambda: certificates.record(db.session, upload, uploader_id=None, actor="test"),
        )
        row = db.session.scalars(sa.select(Result).where(Result.analyte == "lead")).one()
        assert row.uncertainty == 0.5
        eu = next(
            v
            for v in verdicts.for_batch(db.session, cert.batch_id)
            if v["profile"] == "eu-food-supplement"
        )
        assert eu["status"] == "pass"  # 3.4 - 0.5 = 2.9 <= 3.0


def test_alerts_fire_only_on_proven_fails(app, client, uploader, shipped_profiles) -> None:
    """An assumed intake never writes batch.failed; the label's intake, given later for the
    same product, re-judges its earlier batch and proves the fail."""
    from registry.models import OutboxEvent

    results = tuple(
        (a, "0.6" if a.startswith("Lead") else v, u, q) for a, v, u, q in DEFAULT_RESULTS
    )
    first = post(
        client, uploader, make_coa(lot="A-1", product="Bali Powder", results=results)
    ).get_json()
    assert verdict(first, "usp-dietary-supplement")["status"] == "incomplete"

    def failed() -> set[tuple[str | None, int | None]]:
        with app.app_context():
            return {
                (e.profile_code, e.batch_id)
                for e in db.session.scalars(
                    sa.select(OutboxEvent).where(OutboxEvent.type == "batch.failed")
                )
            }

    assert ("usp-dietary-supplement", first["batch"]["id"]) not in failed()
    second = post(
        client,
        uploader,
        make_coa(lot="A-2", product="Bali Powder", results=results),
        serving_g="2.5",
        servings_per_day="4",
    ).get_json()
    assert verdict(second, "usp-dietary-supplement")["status"] == "fail"
    assert {
        ("usp-dietary-supplement", first["batch"]["id"]),
        ("usp-dietary-supplement", second["batch"]["id"]),
    } <= failed()
    again = client.get(f"/api/v1/batches/{first['batch']['id']}").get_json()
    assert verdict(again, "usp-dietary-supplement")["status"] == "fail"
