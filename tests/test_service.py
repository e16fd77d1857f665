"""The CDS Hooks service: discovery and the order hooks, with CDS Hooks 2.0 requests.

FastAPI's TestClient (httpx) sends the requests an EHR would send: a hook
instance, the context with the draft orders, and the prefetch.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.medicationrequest import MedicationRequest
from hypothesis import given, settings
from hypothesis import strategies as st

import worked
from ivig_core import InputError, load_protocol
from ivig_core.findings import Severity
from ivig_core.plan import Plan
from ivig_core.planning import SplitLimits, plan_course
from ivig_core.planning.split import EightyGramRule
from ivig_core.regimen import Induction, Regimen
from ivig_core.service import (
    INDICATOR,
    ServiceConfig,
    create_app,
    discovery,
    handle,
    read_order,
)
from test_fhir import (
    ICD10,
    SNOMED,
    UCUM,
    condition,
    height,
    iga_deficient_bundle,
    patient,
    quantity_obs,
    weight,
)


ON = dt.date(2026, 1, 5)
CONFIG = ServiceConfig(
    policy="actual",
    rounding="never-below",
    rate_weight="dosing",
    max_age=dt.timedelta(days=365),
    rate_schedules={("octagam-10", "dermatomyositis"): worked.octagam_dm_schedule()},
    split_limits=SplitLimits(eighty_gram_rule=EightyGramRule(applies_to="day")),
    today=lambda: ON,
)


@pytest.fixture(scope="module")
def client() -> TestClient:
    """The service, as an EHR reaches it."""
    return TestClient(create_app(CONFIG))


def draft(
    oid: str = "draft1",
    product: str = "Octagam 10%",
    daily: object = 1,
    days: object = 2,
    unit: str = "g/kg",
) -> dict[str, Any]:
    """A draft IVIg order: *daily* g/kg a day for *days* days from 2026-01-05."""
    return {
        "resourceType": "MedicationRequest",
        "id": oid,
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": product},
        "reasonCode": [{"text": "dermatomyositis"}],
        "dosageInstruction": [
            {
                "timing": {
                    "repeat": {"count": days, "boundsPeriod": {"start": "2026-01-05"}}
                },
                "doseAndRate": [
                    {
                        "doseQuantity": {
                            "value": daily,
                            "unit": unit,
                            "system": UCUM,
                            "code": unit,
                        }
                    }
                ],
            }
        ],
    }


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    """A search result Bundle, as prefetch returns it."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }


def request(
    hook: str = "order-sign",
    orders: tuple[dict[str, Any], ...] = (),
    observations: tuple[dict[str, Any], ...] = (),
    conditions: tuple[dict[str, Any], ...] = (),
    **context: Any,
) -> dict[str, Any]:
    """A CDS Hooks 2.0 request for the worked woman (92 kg, 165 cm, 54 years)."""
    return {
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "https://ehr.example.org/fhir",
        "hook": hook,
        "context": {
            "userId": "Practitioner/dr1",
            "patientId": "p1",
            "encounterId": "e1",
            "draftOrders": searchset(*(orders or (draft(),))),
            **context,
        },
        "prefetch": {
            "patient": patient(),
            "observations": searchset(*(observations or (weight(92), height()))),
            "conditions": searchset(*conditions),
        },
    }


def test_discovery(client: TestClient) -> None:
    """GET /cds-services lists both hooks with their prefetch templates."""
    response = client.get("/cds-services")
    assert response.status_code == 200
    services = response.json()["services"]
    assert [(s["id"], s["hook"]) for s in services] == [
        ("ivig-order-select", "order-select"),
        ("ivig-order-sign", "order-sign"),
    ]
    for s in services:
        assert s["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        assert "http://loinc.org|29463-7" in s["prefetch"]["observations"]
    assert response.json() == discovery()


def _expected_codes() -> list[tuple[str, str]]:
    """The cards the library's own plan of the same order must give."""
    p = worked.woman()
    plan = plan_course(
        p,
        Regimen(
            name="draft order",
            induction=Induction.from_daily(daily_dose="1 g/kg/day", days=2, source="x"),
            source="x",
        ),
        worked.octagam(),
        start=ON,
        policy="actual",
        rounding="never-below",
        indication="dermatomyositis",
        rate_weight="dosing",
        rate_schedule=worked.octagam_dm_schedule(),
    )
    assert plan.safety is not None
    seen: dict[tuple[str, str, bool], tuple[str, str]] = {}
    for f in plan.safety.findings:
        if INDICATOR[f.severity] is not None:
            key = (f.code.value, f.message, f.assessed)
            seen.setdefault(key, (f.code.value, str(INDICATOR[f.severity])))
    return list(seen.values())


def test_order_sign_cards_one_per_finding(client: TestClient) -> None:
    """One card per finding a prescriber must see, indicator by severity.

    The 92 g on day 1 and on day 2 are one card that names both days.
    """
    response = client.post("/cds-services/ivig-order-sign", json=request())
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    got = [(c["summary"].split(":")[0].split(" ")[0], c["indicator"]) for c in cards]
    assert got == _expected_codes()
    assert got  # 92 g a day at least: DAILY_DOSE_ABOVE_80G
    for card in cards:
        assert len(card["summary"]) < 140
        assert card["indicator"] in {"info", "warning", "critical"}
        assert card["source"]["label"] == "ivig_core (Octagam 10 %)"
        assert "Source: " in card["detail"]
    assert len({c["uuid"] for c in cards}) == len(cards)
    eighty = next(c for c in cards if c["summary"].startswith("DAILY_DOSE_ABOVE_80G"))
    assert (
        "2 infusion days are above 80 g (2026-01-05: 92 g; 2026-01-06: 92 g)"
        in (eighty["detail"])
    )


def test_indicator_mapping() -> None:
    """Hard limit → critical, soft limit → warning, advice → info, info → no card."""
    assert INDICATOR == {
        Severity.HARD_LIMIT: "critical",
        Severity.SOFT_LIMIT: "warning",
        Severity.WARNING: "warning",
        Severity.ADVICE: "info",
        Severity.INFO: None,
    }


def test_80g_card_suggests_a_split(client: TestClient) -> None:
    """92 g a day (92 kg × 1 g/kg) is over 80 g: the site's rule gives 5 days.

    The 80 g rule is an advice (an info card); as the site configured it: 2 g/kg
    over the fewest of 3-5 days at no more than 0.4 g/kg a day: 2 / 0.4 = 5 days.
    """
    cards = client.post("/cds-services/ivig-order-sign", json=request()).json()["cards"]
    card = next(c for c in cards if c["summary"].startswith("DAILY_DOSE_ABOVE_80G"))
    assert card["indicator"] == "info"
    (suggestion,) = card["suggestions"]
    assert suggestion["label"] == "Give the course over 5 days (0.4 g/kg a day)"
    resource = suggestion["actions"][0]["resource"]
    MedicationRequest.model_validate(resource)
    dosage = resource["dosageInstruction"][0]
    assert dosage["timing"]["repeat"]["count"] == 5
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 0.4


def test_iga_deficient_card_suggests_an_iga_depleted_product(
    client: TestClient,
) -> None:
    """Recorded IgA deficiency with Octagam: a warning suggesting two products.

    The IgA-depleted IV products (IgA at most 2 µg/mL): Gammagard Liquid ERC and
    Gammagard S/D.
    """
    resources = [e["resource"] for e in iga_deficient_bundle()["entry"]]
    observations = tuple(r for r in resources if r["resourceType"] == "Observation")
    conditions = tuple(r for r in resources if r["resourceType"] == "Condition")
    body = request(observations=observations, conditions=conditions)
    cards = client.post("/cds-services/ivig-order-sign", json=body).json()["cards"]
    card = next(c for c in cards if c["summary"].startswith("IGA_DEFICIENCY_PRODUCT"))
    assert card["indicator"] == "warning"
    labels = [s["label"] for s in card["suggestions"]]
    assert labels == [
        "Use an IgA-depleted product: Gammagard Liquid ERC",
        "Use an IgA-depleted product: Gammagard S/D",
    ]
    resource = card["suggestions"][1]["actions"][0]["resource"]
    MedicationRequest.model_validate(resource)
    assert resource["medicationCodeableConcept"] == {"text": "Gammagard S/D"}


def test_order_select_only_the_selected_orders(client: TestClient) -> None:
    """order-select checks the selected orders only."""
    orders = (draft("a"), draft("b", daily=0.4, days=5))
    selected = request("order-select", orders, selections=["MedicationRequest/b"])
    cards = client.post("/cds-services/ivig-order-select", json=selected).json()[
        "cards"
    ]
    assert not any(c["summary"].startswith("DAILY_DOSE_ABOVE_80G") for c in cards)
    both = request(
        "order-select",
        orders,
        selections=["MedicationRequest/a", "MedicationRequest/b"],
    )
    cards = client.post("/cds-services/ivig-order-select", json=both).json()["cards"]
    assert any(c["summary"].startswith("DAILY_DOSE_ABOVE_80G") for c in cards)


def test_other_orders_are_not_ours(client: TestClient) -> None:
    """A draft order for another medicine gets no card."""
    body = request(orders=(draft(product="Amoxicillin 500 mg capsule"),))
    response = client.post("/cds-services/ivig-order-sign", json=body)
    assert response.status_code == 200
    assert response.json() == {"cards": []}


def _with(body: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """*body* with the value at dotted *path* replaced (``None`` removes it)."""
    out = copy.deepcopy(body)
    *parents, last = path.split(".")
    node: Any = out
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return out


ORDER = "context.draftOrders.entry[0].resource"


@pytest.mark.parametrize(
    ("path", "value", "status", "field"),
    [
        ("hook", None, 400, "hook"),
        ("hook", "patient-view", 400, "hook"),
        ("hookInstance", None, 400, "hookInstance"),
        ("context", None, 400, "context"),
        ("context.patientId", None, 400, "context.patientId"),
        ("context.draftOrders", None, 400, "context.draftOrders"),
        ("context.draftOrders", [1], 400, "context.draftOrders"),
        ("prefetch", None, 412, "prefetch"),
        ("prefetch.patient", None, 412, "prefetch.patient"),
        ("prefetch.observations", None, 412, "prefetch.observations"),
        (
            "context.draftOrders.entry.0.resource.reasonCode",
            None,
            400,
            f"{ORDER}.reasonCode",
        ),
        (
            "context.draftOrders.entry.0.resource.dosageInstruction.0.doseAndRate.0.doseQuantity.code",
            "mg",
            400,
            f"{ORDER}.dosageInstruction[0].doseAndRate[0].doseQuantity",
        ),
        (
            "context.draftOrders.entry.0.resource.dosageInstruction.0.timing.repeat.count",
            "two",
            400,
            f"{ORDER}.dosageInstruction[0].timing.repeat.count",
        ),
        (
            "context.draftOrders.entry.0.resource.dosageInstruction.0.timing.repeat.boundsPeriod",
            None,
            400,
            f"{ORDER}.dosageInstruction[0].timing.repeat.boundsPeriod.start",
        ),
        (
            "prefetch.observations.entry.0.resource.valueQuantity.value",
            "ninety",
            400,
            "Observation/w1.valueQuantity.value",
        ),
        (
            "prefetch.observations.entry.0.resource.valueQuantity.code",
            "kg/m2",
            400,
            "Observation[weight]",
        ),
        ("prefetch.patient.gender", "unknown", 400, "Patient/p1.gender"),
    ],
)
def test_request_errors_name_the_field(
    client: TestClient, path: str, value: object, status: int, field: str
) -> None:
    """Every request the service cannot read is refused, naming the field."""
    body = _with(request(), path, value)
    response = client.post("/cds-services/ivig-order-sign", json=body)
    assert response.status_code == status, response.text
    error = response.json()
    assert error["field"] == field
    assert error["allowed"]
    assert error["error"] == ("PrefetchMissing" if status == 412 else "InputError")


def test_a_dose_out_of_range_names_the_order(client: TestClient) -> None:
    """A negative daily dose is refused with the order's path."""
    body = request(orders=(draft(daily=-1),))
    response = client.post("/cds-services/ivig-order-sign", json=body)
    assert response.status_code == 400
    assert response.json()["field"].startswith(f"{ORDER}.dosageInstruction[0]")


def test_not_json_and_unknown_service(client: TestClient) -> None:
    """A body that is not JSON is a 400; an unknown service a 404."""
    response = client.post(
        "/cds-services/ivig-order-sign",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert (response.status_code, response.json()["field"]) == (400, "body")
    response = client.post("/cds-services/nope", json=request())
    assert response.status_code == 404
    body = client.post("/cds-services/ivig-order-sign", json=[1, 2]).json()
    assert body["field"] == "body"


def test_conditions_from_prefetch_reach_the_checks(client: TestClient) -> None:
    """A diabetes Condition in prefetch adds the renal-risk findings."""
    plain = client.post("/cds-services/ivig-order-sign", json=request()).json()["cards"]
    body = request(conditions=(condition("dm", ICD10, "E11.9"),))
    diabetic = client.post("/cds-services/ivig-order-sign", json=body).json()["cards"]
    assert len(diabetic) >= len(plain)
    assert {c["summary"] for c in diabetic} != {c["summary"] for c in plain}


def test_same_request_same_cards(client: TestClient) -> None:
    """Deterministic: the same request gives the same cards (uuids included)."""
    first = client.post("/cds-services/ivig-order-sign", json=request()).json()
    assert client.post("/cds-services/ivig-order-sign", json=request()).json() == first


def test_abo_from_prefetch(client: TestClient) -> None:
    """An ABO group observation is read (group A: the haemolysis card changes)."""
    obs = (
        weight(92),
        height(),
        {
            "resourceType": "Observation",
            "id": "abo",
            "status": "final",
            "subject": {"reference": "Patient/p1"},
            "code": {"coding": [{"system": "http://loinc.org", "code": "883-9"}]},
            "effectiveDateTime": "2025-11-20",
            "valueCodeableConcept": {
                "coding": [{"system": SNOMED, "code": "112144000"}]
            },
        },
        quantity_obs("iga", "2458-8", 200, "mg/dL"),
    )
    response = client.post(
        "/cds-services/ivig-order-sign", json=request(observations=obs)
    )
    assert response.status_code == 200
    summaries = " ".join(c["summary"] for c in response.json()["cards"])
    assert "IGA_NOT_MEASURED" not in summaries


def test_links_render_bibliography_ids() -> None:
    """A finding whose source is a bibliography ID gets a link to it."""
    from ivig_core.findings import Finding, FindingCode  # noqa: PLC0415 - after the checks register
    from ivig_core.service.hooks import _links  # noqa: PLC0415 - private helper
    from ivig_core.sources import get_source  # noqa: PLC0415 - ditto

    code = FindingCode.DAILY_DOSE_ABOVE_80G
    finding = Finding(
        code=code,
        severity=code.rule.severity,
        message="92 g on one day.",
        source="privigen-uspi, not-an-id",
    )
    sources = [get_source("privigen-uspi"), get_source("droracle-privigen-dm")]
    assert _links(finding) == [  # the finding's IDs, then its rule's
        {"label": s.citation, "url": s.url, "type": "absolute"} for s in sources
    ]


_SPOILABLE = (
    "hook",
    "hookInstance",
    "context",
    "context.patientId",
    "context.draftOrders",
    "context.draftOrders.entry",
    "context.draftOrders.entry.0.resource",
    "context.draftOrders.entry.0.resource.medicationCodeableConcept",
    "context.draftOrders.entry.0.resource.reasonCode",
    "context.draftOrders.entry.0.resource.dosageInstruction",
    "context.draftOrders.entry.0.resource.dosageInstruction.0.timing",
    "context.draftOrders.entry.0.resource.dosageInstruction.0.doseAndRate",
    "prefetch",
    "prefetch.patient",
    "prefetch.observations",
    "prefetch.observations.entry.0.resource.valueQuantity",
    "prefetch.conditions",
)
_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


@settings(max_examples=40)
@given(path=st.sampled_from(_SPOILABLE), value=_JUNK)
def test_cards_or_an_error_naming_the_field(path: str, value: object) -> None:
    """Any one part of a request spoiled: cards, or 400/412 naming a field, no crash."""
    body = (
        _with(request(), path, value)
        if value is not None
        else _with(request(), path, None)
    )
    status, answer = handle("ivig-order-sign", body, CONFIG)
    assert status in {200, 400, 412}
    if status != 200:
        assert answer["field"]
        assert answer["allowed"]


# --------------------------------------------------------------------------
# Under the site's local protocol

DISTRICT = (
    Path(__file__).parent.parent / "examples" / "protocols" / "district-hospital.toml"
)


def _gammaplex_order() -> dict[str, Any]:
    """1 g/kg a day for 2 days of Gammaplex 5 % for ITP.

    The label gives no rate step; the example protocol does (and its
    formulary the vials).
    """
    order = draft(product="Gammaplex 5 %")
    order["reasonCode"] = [{"text": "itp"}]
    return order


def _protocol_config(**changes: Any) -> ServiceConfig:
    return ServiceConfig(
        max_age=dt.timedelta(days=365),
        protocol=load_protocol(DISTRICT),
        today=lambda: ON,
        **changes,
    )


def _cards_of(plan: Plan) -> list[tuple[str, str]]:
    assert plan.safety is not None
    seen: dict[tuple[str, str, bool], tuple[str, str]] = {}
    for f in plan.safety.findings:
        if INDICATOR[f.severity] is not None and not plan.safety.is_overridden(f):
            key = (f.code.value, f.message, f.assessed)
            seen.setdefault(key, (f.code.value, str(INDICATOR[f.severity])))
    return list(seen.values())


def test_the_service_plans_under_the_sites_protocol() -> None:
    """With a protocol, the app's cards are those of the plan made under it.

    The protocol gives the policy, rounding and rate weight (none is in the
    configuration), the Gammaplex 5 % rate step its label lacks, the vials of
    its formulary and its safety configuration. Without it the same order
    is refused: the label gives no step size.
    """
    client = TestClient(create_app(_protocol_config()))
    body = request(orders=(_gammaplex_order(),))
    response = client.post("/cds-services/ivig-order-sign", json=body)
    assert response.status_code == 200, response.text
    got = [
        (c["summary"].split(":")[0].split(" ")[0], c["indicator"])
        for c in response.json()["cards"]
    ]
    plan = plan_course(
        worked.woman(),
        Regimen(
            name="draft order",
            induction=Induction.from_daily(daily_dose="1 g/kg/day", days=2, source="x"),
            source="x",
        ),
        "gammaplex-5",
        start=ON,
        indication="itp",
        protocol=load_protocol(DISTRICT),
    )
    assert got == _cards_of(plan)
    assert got
    for card in response.json()["cards"]:
        assert card["source"]["label"] == "ivig_core (Gammaplex 5 %)"
    status, refused = handle("ivig-order-sign", body, CONFIG)
    assert status == 400
    assert refused["field"] == "increment"


def test_the_protocols_formulary_names_the_products() -> None:
    """An order for a product only the protocol's formulary has is planned."""
    protocol = load_protocol(DISTRICT)
    assert protocol.formulary is not None
    order = _gammaplex_order()
    read = read_order(order, where="o", catalogue=protocol.catalogue)
    assert read is not None
    assert read.product == protocol.formulary["gammaplex-5"]
    assert read_order(order, where="o") is not None  # the catalogue's, by name
    assert read_order(order, where="o").product != read.product  # type: ignore[union-attr]
    with pytest.raises(InputError, match=r"^catalogue: "):
        read_order(order, where="o", catalogue="formulary.toml")  # type: ignore[arg-type]


def test_a_configured_choice_wins_over_the_protocol() -> None:
    """A policy given in the configuration is used; the protocol's the rest."""
    config = _protocol_config(policy="actual")
    assert config.policy == "actual"
    assert config.rounding is None
    status, body = handle(
        "ivig-order-sign", request(orders=(_gammaplex_order(),)), config
    )
    assert status == 200, body


@pytest.mark.parametrize("missing", ["policy", "rounding", "rate_weight"])
def test_a_choice_no_one_makes_is_refused_naming_it(missing: str) -> None:
    """Without a protocol, policy, rounding and rate weight are each required."""
    given = {"policy": "actual", "rounding": "never-below", "rate_weight": "dosing"}
    del given[missing]
    with pytest.raises(InputError, match=rf"^{missing}: ") as caught:
        ServiceConfig(max_age=None, **given)  # type: ignore[arg-type]
    assert "or a protocol that sets one" in str(caught.value)


def test_a_protocol_that_is_no_protocol_is_refused() -> None:
    """``protocol=`` takes a loaded Protocol, not its path."""
    with pytest.raises(InputError, match=r"^protocol: "):
        ServiceConfig(
            policy="actual",
            rounding="never-below",
            rate_weight="dosing",
            max_age=None,
            protocol=str(DISTRICT),
        )
