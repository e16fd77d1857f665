"""The code of the how-to docs/how-to/review-points.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    import datetime as dt
    from ivig_core import Patient, get_preset, plan_course, rate_schedule
    from ivig_core.regimen import DoseSteps, Stop, Taper
    regimen = get_preset("cidp-ice").choose(
        induction_days=2, maintenance_days=1,
        taper=Taper(strategy=DoseSteps.jnd_2023(), end=Stop()))
    plan = plan_course(
        Patient(sex="female", age="54 year", height="165 cm", weight="70 kg"),
        regimen, "gamunex-c", start=dt.date(2026, 1, 5), policy="actual",
        rounding="never-below", rate_weight="dosing",
        rate_schedule=rate_schedule("gamunex-c", "cidp", increment="1 mg/kg/min",
                                    interval="30 min"))
    for point in plan.reviews[:2]:
        print(point)
    print(plan.reviews[-1].if_stable)
