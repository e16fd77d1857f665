"""FHIR in and out: a patient from an EHR's Bundle, a plan back as FHIR.

Needs the ``fhir`` extra: pip install "ivig-core[fhir]". Run it from
anywhere: python examples/fhir_round_trip.py
"""

import datetime as dt
import json
from pathlib import Path

from ivig_core.infusion import rate_schedule
from ivig_core.io.fhir import patient_from_fhir, plan_to_fhir
from ivig_core.planning import plan_course
from ivig_core.products import get_product
from ivig_core.regimen import Induction, Regimen


BUNDLE = Path(__file__).parent / "fhir" / "patient-bundle.json"
ON = dt.date(2026, 1, 5)

# In: the latest usable observation of each kind; what was not used, and why.
found = patient_from_fhir(
    BUNDLE.read_text(encoding="utf-8"),
    on=ON,
    max_age={  # a local decision, one limit per measurement (None: no limit)
        "weight": dt.timedelta(days=30),
        "height": dt.timedelta(days=365),
        "serum_iga": dt.timedelta(days=365),
        "serum_creatinine": dt.timedelta(days=90),
        "abo_group": None,
        "pregnant": dt.timedelta(days=7),
    },
)
print(found.report())

# Plan with the patient read (your site's choices, all explicit).
octagam = get_product("octagam 10%")
plan = plan_course(
    found.patient,
    Regimen(  # the prescriber's order: 1 g/kg a day on 2 days
        name="order",
        induction=Induction.from_daily(
            daily_dose="1 g/kg/day", days=2, source="the prescriber's order"
        ),
        source="the prescriber's order",
    ),
    octagam,
    start=ON,
    policy="actual",
    rounding="never-below",
    indication="dermatomyositis",
    rate_weight="dosing",
    rate_schedule=rate_schedule(
        octagam, "dermatomyositis", increment="1 mg/kg/min", interval="30 min"
    ),
)

# Out: a Bundle of MedicationRequests, DetectedIssues and a Provenance.
bundle = plan_to_fhir(
    plan,
    patient=found.reference or "Patient/unknown",
    patient_identifiers=found.identifiers,
    identifier=("urn:oid:1.2.3.4.5", "PLAN-2026-0001"),
    authored=dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC),
)
data = json.loads(bundle.model_dump_json())
for entry in data["entry"]:
    resource = entry["resource"]
    kind = resource["resourceType"]
    if kind == "MedicationRequest":
        print(kind, resource["dosageInstruction"][0]["text"])
    elif kind == "DetectedIssue":
        print(kind, resource["severity"], resource["code"]["text"])
    else:
        print(kind, resource["agent"][0]["who"]["display"])
