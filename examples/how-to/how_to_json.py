"""The code of the how-to docs/how-to/json.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    import datetime as dt
    from ivig_core import Patient
    from ivig_core.infusion import rate_schedule
    from ivig_core.planning.course import plan_course
    from ivig_core.products import get_product
    from ivig_core.regimen import get_preset
    octagam = get_product("octagam 10%")
    patient = Patient(sex="female", age="54 year", height="165 cm", weight="92 kg")
    plan = plan_course(
        patient,
        get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=2),
        octagam,
        start=dt.date(2026, 1, 5),
        policy="ideal",
        rounding="never-below",
        indication="dermatomyositis",
        rate_weight="dosing",
        rate_schedule=rate_schedule(octagam, "dermatomyositis",
                                    increment="1 mg/kg/min", interval="30 min"),
    )
    from ivig_core.io.json import plan_from_json, plan_to_json
    text = plan_to_json(plan)
    print(plan_from_json(text) == plan)
    print(plan_to_json(plan_from_json(text)) == text)
    import json
    doc = json.loads(text)
    print((doc['schema'], doc['version']))
    print(doc['totals'])
    print(doc['dosing_weight']['weight'])
    print(doc['infusions'][0]['vials']['volume'])
    print((doc['infusions'][0]['date'], doc['infusions'][0]['dispensed_g']))
    print(sorted(doc['safety']))
    finding = next(f for f in doc["safety"]["findings"]
                    if f["code"] == "IGA_NOT_MEASURED")
    print((finding['severity'], finding['concerns']))
    from ivig_core.io.json import UNIT_SYMBOLS
    print(('mg/kg/min' in UNIT_SYMBOLS, 'lb' in UNIT_SYMBOLS))
    doc["infusions"][1]["dispensed_g"] = 80.0
    try:
        plan_from_json(json.dumps(doc))
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    from ivig_core.errors import DocumentError
    try:
        plan_from_json(json.dumps(doc))
    except DocumentError as exc:
        for path, message in exc.errors:
            print(path)
    doc = json.loads(text)
    doc["version"] = 2
    try:
        plan_from_json(json.dumps(doc))
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    doc = json.loads(text)
    doc["infusions"][0]["run"]["steps"][0]["rate_ml_h"] *= 10
    try:
        plan_from_json(json.dumps(doc))
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    print(sorted(doc['inputs']))
    print((doc['inputs']['planner'], doc['inputs']['request']['product']))
    print(doc['inputs']['request']['patient']['weight'])
    doc = json.loads(text)
    doc["safety"]["findings"] = [f for f in doc["safety"]["findings"]
                                 if f["code"] != "IGA_NOT_MEASURED"]
    try:
        plan_from_json(json.dumps(doc))
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    doc = json.loads(text)
    doc["inputs"]["catalogue"] = "2999.1.1"
    try:
        plan_from_json(json.dumps(doc))
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    from ivig_core import load_protocol
    district = load_protocol("examples/protocols/district-hospital.toml")
    under = plan_course(patient, get_preset("itp-privigen"), "privigen",
                        start=dt.date(2026, 1, 5), protocol=district)
    stored = json.loads(plan_to_json(under))
    print(sorted(stored['inputs']['protocols'][0]))
    print(stored['inputs']['protocols'][0]['sha256'] == district.sha256)
    print(plan_from_json(plan_to_json(under)) == under)
    del doc["inputs"]
    try:
        plan_from_json(json.dumps(doc))
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    print(plan_from_json(json.dumps(doc), verify='arithmetic').inputs is None)
    from ivig_core.io.json import seal_plan
    key = b"the host's secret, 16+ bytes"
    seal = seal_plan(text, key=key)
    print(plan_from_json(text, key=key, seal=seal) == plan)
    try:
        plan_from_json(text.replace("Octagam", "Octagan"), key=key, seal=seal)
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    from ivig_core.io.json import (patient_from_json, patient_to_json,
                                   regimen_from_json, regimen_to_json)
    print(patient_from_json(patient_to_json(patient)) == patient)
    preset = get_preset("cidp-ice")
    print(regimen_from_json(regimen_to_json(preset)) == preset)
    from importlib.resources import files
    shipped = json.loads(files("ivig_core.io").joinpath("plan.schema.json").read_text())
    from ivig_core.io.json import plan_json_schema
    print(shipped == plan_json_schema())
    print(shipped['properties']['version'])
