"""The code of the how-to docs/how-to/presets.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    from ivig_core.regimen import PRESETS, get_preset
    print(len(PRESETS))
    r = get_preset("pi-privigen")
    print((r.indication, r.products, r.sources))
    print(r.open_choices)
    import datetime as dt
    from ivig_core import InputError, Patient, plan_course
    from ivig_core.infusion import rate_schedule
    patient = Patient(sex="female", age="54 year", height="165 cm", weight="70 kg")
    def steps(product, indication):
        """The label's schedule; an example step size and interval where it has none."""
        for local in ({}, {"increment": "1 mg/kg/min"},
                      {"increment": "1 mg/kg/min", "interval": "30 min"}):
            try:
                return rate_schedule(product, indication, **local)
            except InputError:
                continue
    def plan(regimen, product, **extra):
        if "rate_schedule" not in extra:
            extra["rate_schedule"] = steps(product, regimen.indication)
        return plan_course(patient, regimen, product, start=dt.date(2026, 1, 5),
                           policy="actual", rounding="never-below",
                           rate_weight="dosing", **extra)
    def days(p, cycle=1):
        return [(i.date.isoformat(), round(i.calculated_g, 2))
                for i in p.infusions if i.cycle == cycle]
    pi = get_preset("pi-gamunex-c")
    print(pi.advice[0])
    p = plan(pi.choose(dose="0.4 g/kg", interval="4 week", maintenance_days=1,
                       cycles=3), "gamunex-c")
    print(([c.start.isoformat() for c in p.cycles], days(p)))
    try:
        pi.choose(dose="0.7 g/kg")
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    p = plan(get_preset("itp-octagam-10"), "octagam-10")
    print((p.indication, days(p)))
    print(round(max((i.run.maximum_ml_h for i in p.infusions)), 1))
    from ivig_core.rates import RateSchedule
    local = RateSchedule.ramp(start="0.5 mL/kg/h", increment="0.5 mL/kg/h",
        every="30 min", maximum="4 mL/kg/h", source="example unit protocol")
    p = plan(get_preset("itp-gammagard-sd").choose(cycles=3), "gammagard-sd",
             rate_schedule=local)
    print([c.start.isoformat() for c in p.cycles])
    cidp = get_preset("cidp-panzyga").choose(dose="1 g/kg", cycles=2)
    p = plan(cidp, "panzyga")
    print([(c.phase.value, c.start.isoformat(), c.days) for c in p.cycles])
    print(days(p, 2))
    mmn = get_preset("mmn-gammagard-liquid").choose(
        dose="1 g/kg", maintenance_days=2, cycles=1)
    p = plan(mmn, "gammagard-liquid")
    print(days(p))
    p = plan(get_preset("kawasaki-gammagard-sd-4-days"), "gammagard-sd",
             rate_schedule=local)
    print(days(p))
    cll = get_preset("cll-gammagard-sd").choose(interval="3 week",
        maintenance_days=1, cycles=2)
    p = plan(cll, "gammagard-sd", rate_schedule=local)
    print(([c.start.isoformat() for c in p.cycles], days(p)))
    dm = get_preset("octagam10-dm").choose(maintenance_days=4, cycles=1)
    p = plan(dm, "octagam-10")
    print(days(p))
    r = get_preset("dm-privigen-1gkg-2d-4w")
    print((r.off_label, r.sources))
    print(r.advice[0])
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        get_preset("seed-000-myositis").name
    print(caught[0].message)
