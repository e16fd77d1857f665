"""FHIR R4 in and out (ivig_core.io.fhir): realistic bundles, refusals, validation.

Every resource the library writes is validated again here with the
fhir.resources R4B model of its type. The patients are the worked ones
(tests/worked.py), written as the FHIR an EHR would send.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import attrs
import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

import ivig_core
import worked
from ivig_core import InputError, Override, RiskFactor, UnitError
from ivig_core.findings import Finding, FindingCode, SafetyReport
from ivig_core.io.fhir import (
    OBSERVATION_CODES,
    RISK_FACTOR_CODES,
    CodeMapping,
    finding_sources,
    parse_resource,
    patient_from_fhir,
    plan_to_fhir,
)
from ivig_core.patient import BloodGroup
from ivig_core.planning import plan_course
from ivig_core.planning.scig import plan_scig
from ivig_core.regimen import get_preset
from ivig_core.scig import Weekly
from ivig_core.sources import get_source


ROOT = Path(__file__).parent.parent
ON = dt.date(2026, 1, 5)
YEAR = dt.timedelta(days=365)
AUTHORED = dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC)
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"


def limits(**days: int | None) -> dict[str, dt.timedelta | None]:
    """A limit per field: a year unless given (``None``: no limit)."""
    out: dict[str, dt.timedelta | None] = {k.field: YEAR for k in OBSERVATION_CODES}
    for field, n in days.items():
        out[field] = None if n is None else dt.timedelta(days=n)
    return out


def patient(
    pid: str = "p1", gender: str = "female", born: str = "1971-03-02"
) -> dict[str, Any]:
    """Patient."""
    return {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [
            {"system": "urn:oid:2.16.840.1.113883.2.1.4.1", "value": "943 476 5919"}
        ],
        "gender": gender,
        "birthDate": born,
    }


def quantity_obs(
    oid: str,
    loinc: str,
    value: object,
    code: str | None,
    *,
    when: str = "2026-01-02",
    status: str = "final",
    subject: str = "Patient/p1",
    **quantity: object,
) -> dict[str, Any]:
    """Quantity obs."""
    q: dict[str, object] = {"value": value, **quantity}
    if code is not None:
        q.update(unit=code, system=UCUM, code=code)
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": status,
        "subject": {"reference": subject},
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "effectiveDateTime": when,
        "valueQuantity": q,
    }


def coded_obs(
    oid: str, loinc: str, system: str, code: str, when: str = "2025-11-20"
) -> dict[str, Any]:
    """Coded obs."""
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "effectiveDateTime": when,
        "valueCodeableConcept": {"coding": [{"system": system, "code": code}]},
    }


def condition(
    cid: str, system: str, code: str, status: str = "active"
) -> dict[str, Any]:
    """Condition."""
    return {
        "resourceType": "Condition",
        "id": cid,
        "subject": {"reference": "Patient/p1"},
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": status,
                }
            ]
        },
        "code": {"coding": [{"system": system, "code": code}]},
    }


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    """Bundle."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def weight(value: object = 92, code: str | None = "kg", **kw: Any) -> dict[str, Any]:
    """Weight."""
    return quantity_obs(kw.pop("oid", "w1"), "29463-7", value, code, **kw)


def height(value: object = 165, code: str | None = "cm", **kw: Any) -> dict[str, Any]:
    """Height."""
    return quantity_obs(
        kw.pop("oid", "h1"),
        "8302-2",
        value,
        code,
        when=kw.pop("when", "2025-06-01"),
        **kw,
    )


# --------------------------------------------------------------------------
# Realistic bundles: adult, child, obese, IgA-deficient


def adult_bundle() -> dict[str, Any]:
    """The worked woman (54 years, 165 cm, 92 kg) with labs, as an EHR sends her."""
    return bundle(
        patient(),
        weight(95, oid="w0", when="2025-10-01"),  # older: set aside
        weight(92, oid="w1"),
        height(),
        quantity_obs("cr1", "14682-9", 70.72, "umol/L", when="2025-12-20"),
        quantity_obs("iga1", "2458-8", 2.0, "g/L", when="2025-12-20"),
        coded_obs("abo1", "883-9", SNOMED, "112144000"),  # Blood group A
        coded_obs(
            "preg1", "82810-3", LOINC, "LA26683-5", when="2026-01-02"
        ),  # Not pregnant
    )


def test_adult_bundle_gives_the_worked_woman() -> None:
    """Adult bundle gives the worked woman."""
    found = patient_from_fhir(adult_bundle(), on=ON, max_age=YEAR)
    p = found.patient
    assert (p.sex.value, p.age_years, p.height_cm, p.weight_kg) == (
        "female",
        54.0,
        165.0,
        92.0,
    )
    # 70.72 µmol/L × 113.12 / 10 000 = 0.8 mg/dL (creatinine's molar mass, PubChem)
    assert p.serum_creatinine_mg_dl == pytest.approx(0.8, abs=1e-4)
    assert p.serum_iga_mg_dl == pytest.approx(200.0)  # 2 g/L = 200 mg/dL
    assert p.abo_group is BloodGroup.A
    assert p.pregnant is False
    assert [u.resource for u in found.used] == [
        "Observation/w1",
        "Observation/h1",
        "Observation/iga1",
        "Observation/cr1",
        "Observation/abo1",
        "Observation/preg1",
    ]
    assert str(found.used[0]) == "weight: 92 kg from Observation/w1 (2026-01-02)"
    (older,) = found.set_aside
    assert older.resource == "Observation/w0"
    assert "later one was used" in older.reason
    assert found.reference == "Patient/p1"
    assert found.identifiers == (("urn:oid:2.16.840.1.113883.2.1.4.1", "943 476 5919"),)
    assert "used weight: 92 kg" in found.report()


def test_child_weight_in_pounds_and_age_in_years() -> None:
    """An 8-year-old weighed in pounds: 55 lb = 55 × 0.45359237 = 24.948 kg."""
    found = patient_from_fhir(
        bundle(
            patient("c1", "male", "2017-09-30"),
            quantity_obs("w", "29463-7", 55, "[lb_av]", subject="Patient/c1"),
            quantity_obs("h", "8302-2", 128, "cm", subject="Patient/c1"),
        ),
        on=ON,
        max_age=YEAR,
    )
    assert found.patient.weight_kg == pytest.approx(24.94758, rel=1e-6)
    assert found.patient.age_years == 8.0


def test_infant_age_is_exact_in_days() -> None:
    """Born 2025-10-07, seen 2026-01-05: 90 days = 90 / 365.25 years."""
    found = patient_from_fhir(
        bundle(
            patient("i1", "female", "2025-10-07"),
            quantity_obs("w", "29463-7", 5200, "g", subject="Patient/i1"),
            quantity_obs("h", "8302-2", 58, "cm", subject="Patient/i1"),
        ),
        on=ON,
        max_age=YEAR,
    )
    assert found.patient.weight_kg == pytest.approx(5.2)
    assert found.patient.age_years == pytest.approx(90 / 365.25)


def obese_bundle() -> dict[str, Any]:
    """Obese bundle."""
    return bundle(
        patient("p1", "male", "1968-05-12"),
        weight(152.4),
        height(170),
        condition("dm", ICD10, "E11.9"),
        condition("hf", SNOMED, "84114007"),
        condition("dvt", ICD10, "I82.4", status="resolved"),  # past thrombosis counts
        condition("sep", ICD10, "A41.9", status="resolved"),  # a past sepsis does not
        condition("htn", ICD10, "I10"),  # not in the table: reported
    )


def test_obese_bundle_maps_conditions() -> None:
    """Obese bundle maps conditions."""
    found = patient_from_fhir(obese_bundle(), on=ON, max_age=YEAR)
    assert found.patient.weight_kg == pytest.approx(152.4)
    assert found.patient.risk_factors == {
        RiskFactor.DIABETES,
        RiskFactor.HEART_FAILURE,
        RiskFactor.PRIOR_THROMBOSIS,
    }
    assert dict(found.risk_factors)[RiskFactor.DIABETES] == "Condition/dm"
    assert found.unmapped == ("Condition/htn (http://hl7.org/fhir/sid/icd-10|I10)",)


def iga_deficient_bundle() -> dict[str, Any]:
    """Iga deficient bundle."""
    return bundle(
        patient(),
        weight(70),
        height(),
        quantity_obs("iga", "2458-8", 4, "mg/dL", when="2025-11-02"),
        condition("igad", ICD10, "D80.2"),
        coded_obs("abo", "883-9", SNOMED, "58460004"),  # Blood group O
    )


def test_iga_deficient_bundle_to_plan_to_fhir() -> None:
    """Iga deficient bundle to plan to fhir."""
    found = patient_from_fhir(iga_deficient_bundle(), on=ON, max_age=YEAR)
    assert RiskFactor.IGA_DEFICIENCY in found.patient.risk_factors
    assert found.patient.serum_iga_mg_dl == 4.0
    plan = plan_course(
        found.patient,
        worked.seed_000_with_taper(),
        worked.octagam(),
        start=ON,
        policy="actual",
        rounding="never-below",
        indication="dermatomyositis",
        rate_weight="dosing",
        rate_schedule=worked.octagam_dm_schedule(),
    )
    out = plan_to_fhir(
        plan,
        patient=found.reference or "",
        authored=AUTHORED,
        patient_identifiers=found.identifiers,
    )
    issues = _of(out, "DetectedIssue")
    iga = [i for i in issues if i["code"]["text"].startswith("IGA_DEFICIENCY_PRODUCT")]
    assert iga
    assert iga[0]["patient"]["identifier"]["value"] == "943 476 5919"


def test_codes_table_is_extensible() -> None:
    """Codes table is extensible."""
    mine = CodeMapping(
        factor=RiskFactor.HYPERTENSION
        if hasattr(RiskFactor, "HYPERTENSION")
        else RiskFactor.CARDIOVASCULAR_RISK,
        resource="Condition",
        system=ICD10,
        code="I10",
        display="Essential hypertension",
        prefix=True,
    )
    found = patient_from_fhir(
        obese_bundle(), on=ON, max_age=YEAR, codes=(*RISK_FACTOR_CODES, mine)
    )
    assert mine.factor in found.patient.risk_factors
    assert found.unmapped == ()


# --------------------------------------------------------------------------
# Set aside, reported, refused: never guessed


@pytest.mark.parametrize(
    ("newer", "reason"),
    [
        (weight(90, status="preliminary"), "status 'preliminary' is not final"),
        (
            weight(90, code=None, unit="kg"),
            "no UCUM unit code (unit text 'kg' is not read)",
        ),
        (weight(90, code="kg/m2"), "UCUM unit 'kg/m2' is not one the library reads"),
        (weight(90, when="2026-01-09"), "after the day of the request"),
        (weight(90, subject="Patient/other"), "another patient"),
        (weight(90, comparator="<"), "a bound (<), not a value"),
    ],
)
def test_unusable_newer_weight_is_set_aside_with_reason(
    newer: dict[str, Any], reason: str
) -> None:
    """Unusable newer weight is set aside with reason."""
    newer["id"] = "w9"
    found = patient_from_fhir(
        bundle(patient(), weight(92, when="2025-12-01"), newer, height()),
        on=ON,
        max_age=YEAR,
    )
    assert found.patient.weight_kg == 92.0
    aside = [s for s in found.set_aside if s.resource == "Observation/w9"]
    assert len(aside) == 1
    assert reason in aside[0].reason


def test_too_old_is_the_callers_limit_per_field() -> None:
    """Too old is the callers limit per field."""
    data = bundle(patient(), weight(92, when="2025-12-01"), height(when="2020-01-01"))
    with pytest.raises(
        InputError,
        match=(
            r"^Observation\[height\]: no usable height observation "
            r"\(Observation/h1 \(height\): taken 2020-01-01, older than "
            r"the limit of 36 days\); allowed: a final observation coded "
            r"LOINC 8302-2 with a UCUM unit, within the age limit$"
        ),
    ) as info:
        patient_from_fhir(data, on=ON, max_age=dt.timedelta(days=36))
    assert info.value.field == "Observation[height]"
    found = patient_from_fhir(data, on=ON, max_age=limits(weight=35, height=None))
    assert found.patient.height_cm == 165.0


def test_limit_boundary_at_below_above() -> None:
    """35 days old: kept at a 35-day limit, set aside at 34."""
    data = bundle(patient(), weight(92, when="2025-12-01"), height())
    assert (
        patient_from_fhir(data, on=ON, max_age=limits(weight=35)).patient.weight_kg
        == 92
    )
    assert (
        patient_from_fhir(data, on=ON, max_age=limits(weight=36)).patient.weight_kg
        == 92
    )
    with pytest.raises(
        InputError,
        match=(
            r"^Observation\[weight\]: no usable weight observation "
            r"\(Observation/w1 \(weight\): taken 2025-12-01, older than "
            r"the limit of 34 days\); allowed: a final observation coded "
            r"LOINC 29463-7 with a UCUM unit, within the age limit$"
        ),
    ):
        patient_from_fhir(data, on=ON, max_age=limits(weight=34))


def test_no_usable_weight_names_the_observation_and_why() -> None:
    """No usable weight names the observation and why."""
    with pytest.raises(
        InputError,
        match=(
            r"^Observation\[weight\]: no usable weight observation "
            r"\(Observation/w1 \(weight\): no UCUM unit code\); allowed: a "
            r"final observation coded LOINC 29463-7 with a UCUM unit, "
            r"within the age limit$"
        ),
    ) as info:
        patient_from_fhir(
            bundle(patient(), weight(92, code=None), height()), on=ON, max_age=YEAR
        )
    assert info.value.field == "Observation[weight]"
    assert "29463-7" in info.value.allowed


def test_implausible_latest_value_is_refused_not_skipped() -> None:
    """920 kg (a slip for 92) is refused, not replaced by an older weight."""
    data = bundle(
        patient(), weight(92, oid="w0", when="2025-12-01"), weight(920), height()
    )
    with pytest.raises(InputError) as info:
        patient_from_fhir(data, on=ON, max_age=YEAR)
    assert info.value.field == "Observation/w1.value (weight)"


def test_wrong_dimension_is_a_unit_error_naming_the_observation() -> None:
    """Wrong dimension is a unit error naming the observation."""
    data = bundle(patient(), weight(92, code="cm"), height())
    with pytest.raises(UnitError) as info:
        patient_from_fhir(data, on=ON, max_age=YEAR)
    assert info.value.field == "Observation/w1.value (weight)"


def test_two_different_latest_values_are_refused() -> None:
    """Two different latest values are refused."""
    data = bundle(patient(), weight(92), weight(93, oid="w2"), height())
    with pytest.raises(
        InputError,
        match=(
            r"^weight: Observation/w1 and Observation/w2 are both the "
            r"latest \(2026-01-02\) and differ \(92 kg vs 93 kg\); "
            r"allowed: one latest observation$"
        ),
    ) as info:
        patient_from_fhir(data, on=ON, max_age=YEAR)
    assert info.value.field == "weight"


@pytest.mark.parametrize(
    ("resource", "field"),
    [
        (
            {
                **weight(),
                "valueQuantity": {"value": "ninety", "code": "kg", "system": UCUM},
            },
            "Observation/w1.valueQuantity.value",
        ),
        ({**weight(), "status": 7}, "Observation/w1.status"),
        ({**patient(), "birthDate": "02/03/1971"}, "Patient/p1.birthDate"),
        ({"resourceType": "Observaton", "id": "x"}, "Observaton/x.resourceType"),
    ],
)
def test_bad_fhir_names_resource_and_field(
    resource: dict[str, Any], field: str
) -> None:
    """Bad fhir names resource and field."""
    others = [
        r for r in (patient(), weight(), height()) if r["id"] != resource.get("id")
    ]
    with pytest.raises(InputError) as info:
        patient_from_fhir(bundle(*others, resource), on=ON, max_age=YEAR)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("pat", "field", "allowed"),
    [
        (patient(gender="unknown"), "Patient/p1.gender", "'male' or 'female'"),
        (patient(born="1971"), "Patient/p1.birthDate", "a full date"),
        (patient(born="2026-02-01"), "Patient/p1.birthDate", "on or before 2026-01-05"),
    ],
)
def test_patient_refusals(pat: dict[str, Any], field: str, allowed: str) -> None:
    """Patient refusals."""
    with pytest.raises(InputError) as info:
        patient_from_fhir(bundle(pat, weight(), height()), on=ON, max_age=YEAR)
    assert info.value.field == field
    assert allowed in info.value.allowed


def test_exactly_one_patient() -> None:
    """Exactly one patient."""
    with pytest.raises(
        InputError,
        match=(
            r"^Patient: found 2 Patient resources; allowed: exactly one "
            r"Patient resource$"
        ),
    ):
        patient_from_fhir(
            bundle(patient(), patient("p2"), weight(), height()), on=ON, max_age=YEAR
        )
    with pytest.raises(
        InputError,
        match=(
            r"^Patient: found 0 Patient resources; allowed: exactly one "
            r"Patient resource$"
        ),
    ):
        patient_from_fhir(bundle(weight(), height()), on=ON, max_age=YEAR)


@pytest.mark.parametrize(
    "bad",
    [None, 3, "not json", {"entry": []}, {"resourceType": "Bundle", "entry": [{}]}],
)
def test_not_fhir_at_all(bad: object) -> None:
    """Not fhir at all."""
    with pytest.raises(InputError):
        patient_from_fhir(bad, on=ON, max_age=YEAR)


def test_bad_arguments() -> None:
    """Bad arguments: a datetime for a date, a bare number or a partial table."""
    with pytest.raises(
        InputError,
        match=(
            r"^on: got datetime\.datetime\(2026, 1, 2, 9, 30, "
            r"tzinfo=datetime\.timezone\.utc\); allowed: a datetime\.date "
            r"\(the day of the request\)$"
        ),
    ):
        patient_from_fhir(adult_bundle(), on=AUTHORED, max_age=YEAR)
    with pytest.raises(
        InputError,
        match=(
            r"^max_age: got 30; allowed: a datetime\.timedelta, a mapping "
            r"of field to timedelta, or None$"
        ),
    ):
        patient_from_fhir(adult_bundle(), on=ON, max_age=30)  # type: ignore[arg-type]  # deliberately wrong
    with pytest.raises(
        InputError,
        match=(
            r"^max_age: got limits for \['weight'\]: every field needs its "
            r"own; allowed: a limit \(a timedelta, or None for none\) for "
            r"each of \['weight', 'height', 'serum_iga', "
            r"'serum_creatinine', 'abo_group', 'pregnant'\]$"
        ),
    ) as info:
        patient_from_fhir(adult_bundle(), on=ON, max_age={"weight": YEAR})
    assert info.value.field == "max_age"


def test_refuted_conditions_are_set_aside() -> None:
    """Refuted conditions are set aside."""
    refuted = condition("x", ICD10, "D80.2")
    refuted["verificationStatus"] = {"coding": [{"code": "refuted"}]}
    found = patient_from_fhir(
        bundle(patient(), weight(), height(), refuted), on=ON, max_age=YEAR
    )
    assert not found.patient.risk_factors
    assert found.set_aside[0].resource == "Condition/x"


def test_list_of_models_and_json_text_are_read() -> None:
    """List of models and json text are read."""
    resources = [parse_resource(r) for r in (patient(), weight(), height())]
    assert patient_from_fhir(resources, on=ON, max_age=YEAR).patient.weight_kg == 92
    text = json.dumps(adult_bundle())
    assert patient_from_fhir(text, on=ON, max_age=YEAR).patient.weight_kg == 92


# --------------------------------------------------------------------------
# Out: the plan as a Bundle


def _entries(out: Bundle) -> list[dict[str, Any]]:
    """Entries."""
    entries: list[dict[str, Any]] = json.loads(out.model_dump_json())["entry"]
    return entries


def _of(out: Bundle, kind: str) -> list[dict[str, Any]]:
    """Of."""
    return [
        e["resource"] for e in _entries(out) if e["resource"]["resourceType"] == kind
    ]


def example_bundle() -> Bundle:
    """Example bundle."""
    return plan_to_fhir(
        worked.example_plan_at_risk(),
        patient="Patient/p1",
        authored=AUTHORED,
        identifier=("urn:oid:1.2.3.4", "PLAN-7"),
        patient_identifiers=[("urn:mrn", "123")],
        requester="Practitioner/dr1",
        encounter="Encounter/e1",
    )


def test_every_resource_validates_with_fhir_resources() -> None:
    """Every resource validates with fhir resources."""
    out = example_bundle()
    data = json.loads(out.model_dump_json())
    Bundle.model_validate(data)
    for entry in data["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    kinds = [e["resource"]["resourceType"] for e in data["entry"]]
    plan = worked.example_plan_at_risk()
    assert plan.safety is not None
    assert kinds.count("MedicationRequest") == len(plan.infusions) == 17
    assert kinds.count("DetectedIssue") == len(plan.safety.findings)
    assert kinds[-1] == "Provenance"


def test_medication_requests_hold_dose_rates_date_reason() -> None:
    """Medication requests hold dose rates date reason."""
    requests = _of(example_bundle(), "MedicationRequest")
    first = requests[0]
    assert (first["status"], first["intent"]) == ("draft", "proposal")
    dosage = first["dosageInstruction"][0]
    dose = dosage["doseAndRate"][0]["doseQuantity"]
    # 57 g on day 1 (worked.example_plan: 56.91 g, never-below rounding)
    assert (dose["value"], dose["code"], dose["system"]) == (57.0, "g", UCUM)
    rate = dosage["doseAndRate"][1]["rateQuantity"]
    assert rate["code"] == "mL/h"
    assert rate["value"] == pytest.approx(worked.EXAMPLE_FIRST_RATE_ML_H, abs=1e-4)
    assert dosage["timing"]["event"] == ["2026-01-05"]
    assert first["reasonCode"] == [{"text": "dermatomyositis"}]
    assert [
        r["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"]
        for r in requests
    ] == list(worked.EXAMPLE_DISPENSED_G)


def test_identifiers_round_trip() -> None:
    """Identifiers round trip."""
    out = example_bundle()
    data = json.loads(out.model_dump_json())
    assert data["identifier"] == {"system": "urn:oid:1.2.3.4", "value": "PLAN-7"}
    for r in _of(out, "MedicationRequest"):
        assert r["groupIdentifier"] == data["identifier"]
        assert r["subject"] == {
            "reference": "Patient/p1",
            "identifier": {"system": "urn:mrn", "value": "123"},
        }
        assert r["requester"] == {"reference": "Practitioner/dr1"}
        assert r["encounter"] == {"reference": "Encounter/e1"}


def test_severity_mapping_and_provenance() -> None:
    """Severity mapping and provenance."""
    out = example_bundle()
    plan = worked.example_plan_at_risk()
    assert plan.safety is not None
    expected = {
        "hard_limit": "high",
        "soft_limit": "moderate",
        "warning": "low",
        "advice": "low",
        "info": "low",
    }
    issues = _of(out, "DetectedIssue")
    for finding, issue in zip(plan.safety.findings, issues, strict=True):
        assert issue["severity"] == expected[finding.severity.value]
        assert issue["code"]["text"].startswith(finding.code.value)
        assert finding.message in issue["detail"]
    (prov,) = _of(out, "Provenance")
    assert prov["agent"][0]["who"]["display"] == f"ivig_core {ivig_core.__version__}"
    assert len(prov["target"]) == len(_entries(out)) - 1


def test_override_is_the_mitigation() -> None:
    """A soft limit accepted with a reason is a moderate issue with that mitigation."""
    plan = plan_course(
        worked.diabetic_woman(),
        get_preset("octagam10-dm").choose(maintenance_days=2, cycles=1),
        worked.octagam(),
        start=worked.MONDAY,
        policy="actual",
        rounding="never-below",
        indication="dermatomyositis",
        rate_weight="dosing",
        rate_schedule=worked.octagam_dm_schedule(),
        overrides=[
            Override(
                code="RATE_ABOVE_AT_RISK_CAP",
                reason="discussed with consultant",
                by="Dr A",
            )
        ],
    )
    assert plan.safety is not None
    assert plan.safety.overridden
    out = plan_to_fhir(plan, patient="Patient/p1", authored=AUTHORED)
    issue = next(
        i
        for i in _of(out, "DetectedIssue")
        if i["code"]["text"] == "RATE_ABOVE_AT_RISK_CAP"
    )
    assert issue["severity"] == "moderate"
    assert issue["mitigation"][0]["action"]["text"] == (
        "Soft limit accepted by Dr A: discussed with consultant"
    )


def test_same_plan_same_bundle() -> None:
    """Same plan same bundle."""
    assert example_bundle().model_dump_json() == example_bundle().model_dump_json()


def test_medication_code_from_the_caller() -> None:
    """Medication code from the caller."""
    concept = {
        "coding": [{"system": "http://hl7.org/fhir/sid/ndc", "code": "0000-0000-00"}],
        "text": "Octagam 10 %",
    }
    out = plan_to_fhir(
        worked.example_plan(),
        patient="Patient/p1",
        authored=AUTHORED,
        medication=concept,
    )
    assert _of(out, "MedicationRequest")[0]["medicationCodeableConcept"] == concept


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"authored": dt.datetime(2026, 1, 2, 9, 30)}, "authored"),  # noqa: DTZ001 - naive on purpose
        ({"patient": " "}, "patient"),
        ({"identifier": ("urn:x",)}, "identifier"),
        ({"patient_identifiers": [("", "1")]}, "patient_identifiers"),
        (
            {"medication": {"coding": "NDC"}},
            "Bundle.entry.0.resource.medicationCodeableConcept.coding",
        ),
    ],
)
def test_plan_to_fhir_refusals(kwargs: dict[str, Any], field: str) -> None:
    """Plan to fhir refusals."""
    args: dict[str, Any] = {"patient": "Patient/p1", "authored": AUTHORED, **kwargs}
    with pytest.raises(InputError) as info:
        plan_to_fhir(worked.example_plan(), **args)
    assert info.value.field.startswith(field)


# --------------------------------------------------------------------------
# The core stays on attrs and pint


def test_importing_ivig_core_does_not_import_the_extras() -> None:
    """Importing ivig core does not import the extras."""
    code = (
        "import sys, ivig_core; ivig_core.Patient; ivig_core.plan_course; "
        "import ivig_core.io.fhir; "
        "bad = [m for m in ('fhir', 'fastapi', 'pydantic', 'uvicorn', 'starlette') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter, our own code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_bibliography_ids_become_references() -> None:
    """A finding citing bibliography IDs: its DetectedIssue references the first URL."""
    code = FindingCode.DAILY_DOSE_ABOVE_80G
    finding = Finding(
        code=code,
        severity=code.rule.severity,
        message="92 g on one day.",
        source="privigen-uspi; free text, octagam10-uspi",
    )
    assert [s.id for s in finding_sources(finding)] == [
        "privigen-uspi",
        "octagam10-uspi",
        "droracle-privigen-dm",  # the rule's own source IDs follow
    ]
    plan = attrs.evolve(worked.example_plan(), safety=SafetyReport(findings=[finding]))
    (issue,) = _of(
        plan_to_fhir(plan, patient="Patient/p1", authored=AUTHORED), "DetectedIssue"
    )
    assert issue["reference"] == get_source("privigen-uspi").url


def test_sc_plan_to_fhir() -> None:
    """A weekly Hizentra plan: route, sites per day, no indication, valid FHIR.

    30 g every 4 weeks × 1.37 ÷ 4 = 10.275 g a week (Hizentra US label),
    dispensed 11 g (never below; 1 g granularity), 55 mL at 200 g/L.
    """
    sc = plan_scig(
        worked.woman("70 kg"),
        worked.hizentra_conversion(Weekly()),
        policy="actual",
        rounding="never-below",
        limits=worked.hizentra_later_limits(),
        first_infusions=worked.hizentra_first_infusions(),
        site_rate="label-maximum",
        cycles=2,
    )
    out = plan_to_fhir(sc.plan, patient="Patient/p1", authored=AUTHORED)
    Bundle.model_validate(json.loads(out.model_dump_json()))
    first = _of(out, "MedicationRequest")[0]
    dosage = first["dosageInstruction"][0]
    assert dosage["route"] == {"text": "subcutaneous"}
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 11.0
    assert "sites" in dosage["text"]
    assert "reasonCode" not in first


def test_allergy_rows_are_the_callers_and_pregnancy_unknown_is_not_recorded() -> None:
    """An AllergyIntolerance mapped by the caller's row; 'Unknown' pregnancy is None."""
    allergy = {
        "resourceType": "AllergyIntolerance",
        "id": "ig",
        "patient": {"reference": "Patient/p1"},
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"coding": [{"system": "urn:local:allergens", "code": "IVIG"}]},
    }
    mine = CodeMapping(
        factor=RiskFactor.IG_HYPERSENSITIVITY_HISTORY,
        resource="AllergyIntolerance",
        system="urn:local:allergens",
        code="IVIG",
        display="Immunoglobulin (local allergen list)",
    )
    data = bundle(
        patient(),
        weight(),
        height(),
        allergy,
        coded_obs("preg", "82810-3", LOINC, "LA4489-6", when="2026-01-04"),
    )
    plain = patient_from_fhir(data, on=ON, max_age=YEAR)
    assert plain.unmapped == ("AllergyIntolerance/ig (urn:local:allergens|IVIG)",)
    assert plain.patient.pregnant is None
    assert plain.used[-1].resource == "Observation/preg"
    found = patient_from_fhir(
        data, on=ON, max_age=YEAR, codes=(*RISK_FACTOR_CODES, mine)
    )
    assert found.patient.risk_factors == {RiskFactor.IG_HYPERSENSITIVITY_HISTORY}
    assert found.risk_factors == (
        (RiskFactor.IG_HYPERSENSITIVITY_HISTORY, "AllergyIntolerance/ig"),
    )


def test_core_depends_on_attrs_and_pint_only() -> None:
    """FHIR and the service are extras, and the dev group installs them for CI."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = meta["project"]
    assert sorted(re.split(r"[<>=! ]", d)[0] for d in project["dependencies"]) == [
        "attrs",
        "pint",
    ]
    extras = project["optional-dependencies"]
    assert any(d.startswith("fhir.resources") for d in extras["fhir"])
    assert {re.split(r"[<>=! ]", d)[0] for d in extras["service"]} >= {
        "fastapi",
        "uvicorn",
        "fhir.resources",
    }
    test_group = " ".join(str(d) for d in meta["dependency-groups"]["test"])
    for package in ("fhir.resources", "fastapi", "uvicorn", "httpx2"):
        assert package in test_group
