"""The code of the how-to docs/how-to/follow-a-course.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    import datetime as dt
    from ivig_core import Patient, PlanRequest, get_preset, rate_schedule, replan
    from ivig_core.plan import Administered, History
    from ivig_core.planning import plan as make_plan
    from ivig_core.regimen import DoseSteps, Stop, Taper
    request = PlanRequest(
        patient=Patient(sex="female", age="54 year", height="165 cm",
                        weight="70 kg"),
        regimen=get_preset("cidp-ice").choose(
            induction_days=2, maintenance_days=1,
            taper=Taper(strategy=DoseSteps.jnd_2023(), end=Stop())),
        product="gamunex-c", start=dt.date(2026, 1, 5), indication="cidp",
        policy="actual", rounding="never-below", rate_weight="dosing",
        rate_schedule=rate_schedule("gamunex-c", "cidp",
                                    increment="1 mg/kg/min", interval="30 min"))
    plan = make_plan(request)
    print([(c.number, c.start.isoformat(), c.dose_g_per_kg) for c in plan.cycles[7:10]])
    print(plan.reviews[0])
    given = [Administered(date=i.date, grams=f"{i.dispensed_g} g",
                          product="gamunex-c", lot="A100")
             for i in plan.infusions if i.date < dt.date(2026, 6, 1)]
    history = History().add(given).add([
        Administered(date=dt.date(2026, 6, 2), grams="70 g", product="gamunex-c",
                     lot="A217", rate_reached_ml_h="350 mL/h",
                     reactions=("headache",))])
    print(history.cumulative_g)
    now = Patient(sex="female", age="54 year", height="165 cm", weight="66 kg")
    new = replan(plan, request=request, administered=history, patient=now,
                 from_date=dt.date(2026, 6, 22), decision="step-down")
    print([(c.start.isoformat(), c.dose_g_per_kg, c.calculated_g) for c in new.cycles[:2]])
    print((new.history == history, new.history.cumulative_g))
    print(new.maintenance_started)
    for note in new.notes[:3]:
        print(note)
    try:
        replan(plan, request=request, administered=history,
               from_date=dt.date(2026, 6, 22), decision="step-up")
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    since = [Administered(date=i.date, grams=f"{i.dispensed_g} g",
                          product="gamunex-c", lot="A300")
             for i in new.infusions if i.date < dt.date(2026, 9, 14)]
    later = replan(new, request=request, administered=new.history.add(since),
                   patient=now, from_date=dt.date(2026, 9, 14),
                   decision="continue")
    print([(c.start.isoformat(), c.dose_g_per_kg) for c in later.cycles[:2]])
    print(later.history.records[:len(history.records)] == history.records)
    print(replan(plan, request=request) == plan)
    from ivig_core.io.json import plan_from_json, plan_to_json
    print(plan_from_json(plan_to_json(later)) == later)
