"""The code of the how-to docs/how-to/protocol.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    import datetime as dt
    from ivig_core import Patient, get_preset, load_protocol, plan_course
    protocol = load_protocol("examples/protocols/district-hospital.toml")
    print((protocol.name, protocol.version))
    patient = Patient(sex="female", age="54 year", height="165 cm", weight="92 kg")
    plan = plan_course(patient, get_preset("itp-privigen"), "privigen",
                       start=dt.date(2026, 12, 24), protocol=protocol)
    print((plan.dosing_weight.policy, plan.rounding, plan.indication))
    print(plan.cycles[0].start)
    print((plan.protocol.name, plan.protocol.version, len(plan.protocol.sha256)))
    print(plan.notes[0])
    plan = plan_course(patient, get_preset("itp-privigen"), "privigen",
                       start=dt.date(2026, 1, 5), policy="actual",
                       protocol=protocol)
    print(plan.dosing_weight.policy)
    print([n for n in plan.notes if 'explicitly' in n])
    unit = load_protocol("examples/protocols/iga-deficiency-clinic.toml")
    plan = plan_course(patient, get_preset("kawasaki-gammagard-sd-single"),
                       "gammagard-sd", start=dt.date(2026, 1, 5), protocol=unit)
    print(plan.infusions[0].run.schedule_source)
    import pathlib, tempfile
    bad = pathlib.Path(tempfile.mkdtemp()) / "bad.toml"
    _ = bad.write_text('''
    [protocol]
    name = "Ward 7"
    version = "2"
    [dosing_weight]
    policy = "adjusted"
    factor = -1
    [rounding]
    policy = "sometimes"
    [rates]
    weight = "heavy"
    ''', encoding="utf-8")
    try:
        load_protocol(bad)
    except Exception as exc:
        for where, message in exc.errors:
            print(where.rsplit("/", 1)[-1], "|", message[:60])
    from ivig_core.io.json import plan_from_json, plan_to_json
    plan = plan_course(patient, get_preset("itp-privigen"), "privigen",
                       start=dt.date(2026, 1, 5), protocol=protocol)
    text = plan_to_json(plan)
    print(plan_from_json(text) == plan)
    print(plan_from_json(text).inputs.request.protocol == protocol)
    import json
    doc = json.loads(text)
    doc["inputs"]["protocols"][0]["text"] = doc["inputs"]["protocols"][0][
        "text"].replace('"65 year"', '"60 year"')
    try:
        plan_from_json(json.dumps(doc))
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
