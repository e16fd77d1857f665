"""The code of the how-to docs/how-to/fhir.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    import datetime as dt
    from pathlib import Path
    from ivig_core.io.fhir import patient_from_fhir
    bundle = Path("examples/fhir/patient-bundle.json").read_text(encoding="utf-8")
    limits = {
        "weight": dt.timedelta(days=30),
        "height": dt.timedelta(days=365),
        "serum_iga": dt.timedelta(days=365),
        "serum_creatinine": dt.timedelta(days=90),
        "abo_group": None,  # a blood group does not change
        "pregnant": dt.timedelta(days=7),
    }
    found = patient_from_fhir(bundle, on=dt.date(2026, 1, 5), max_age=limits)
    p = found.patient
    print((p.weight_kg, p.height_cm, p.age_years, p.serum_iga_mg_dl, p.abo_group.value))
    print(round(p.serum_creatinine_mg_dl, 3))
    print(found.report())
    from ivig_core import RiskFactor
    from ivig_core.io.fhir import ICD10, RISK_FACTOR_CODES, CodeMapping
    mine = CodeMapping(factor=RiskFactor.CARDIOVASCULAR_RISK, resource="Condition",
                       system=ICD10, code="I10", display="Essential hypertension",
                       prefix=True)
    found = patient_from_fhir(bundle, on=dt.date(2026, 1, 5), max_age=limits,
                              codes=(*RISK_FACTOR_CODES, mine))
    print((sorted((f.value for f in found.patient.risk_factors)), found.unmapped))
    import json
    from ivig_core import InputError
    data = json.loads(bundle)
    data["entry"][2]["resource"]["valueQuantity"]["value"] = "seventy"
    try:
        patient_from_fhir(data, on=dt.date(2026, 1, 5), max_age=limits)
    except InputError as err:
        print(err.field)
    data = json.loads(bundle)
    data["entry"][2]["resource"]["valueQuantity"]["value"] = 700
    try:
        patient_from_fhir(data, on=dt.date(2026, 1, 5), max_age=limits)
    except InputError as err:
        print(err.field)
    try:
        patient_from_fhir(bundle, on=dt.date(2026, 3, 1), max_age=limits)
    except InputError as err:
        print(err.field, "|", err.detail)
    from ivig_core.infusion import rate_schedule
    from ivig_core.io.fhir import plan_to_fhir
    from ivig_core.planning import plan_course
    from ivig_core.products import get_product
    from ivig_core.regimen import Induction, Regimen
    found = patient_from_fhir(bundle, on=dt.date(2026, 1, 5), max_age=limits)
    octagam = get_product("octagam 10%")
    order = Regimen(name="order", source="the prescriber's order",
                    induction=Induction.from_daily(daily_dose="1 g/kg/day", days=2,
                                                   source="the prescriber's order"))
    plan = plan_course(found.patient, order, octagam, start=dt.date(2026, 1, 5),
                       policy="actual", rounding="never-below",
                       indication="dermatomyositis", rate_weight="dosing",
                       rate_schedule=rate_schedule(octagam, "dermatomyositis",
                                                   increment="1 mg/kg/min",
                                                   interval="30 min"))
    out = plan_to_fhir(plan, patient=found.reference,
                       patient_identifiers=found.identifiers,
                       identifier=("urn:oid:1.2.3.4.5", "PLAN-2026-0001"),
                       authored=dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC))
    data = json.loads(out.model_dump_json())
    first = data["entry"][0]["resource"]
    print((first['status'], first['intent'], first['groupIdentifier']['value']))
    print(first['dosageInstruction'][0]['doseAndRate'][0]['doseQuantity'])
    print([r['rateQuantity']['value'] for r in first['dosageInstruction'][0]['doseAndRate'][1:]])
    issues = {e["resource"]["code"]["text"]: e["resource"]["severity"]
              for e in data["entry"] if e["resource"]["resourceType"] == "DetectedIssue"}
    print((issues['IGA_DEFICIENCY_PRODUCT'], issues['PREMEDICATION']))
