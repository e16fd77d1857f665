"""The code of the how-to docs/how-to/add-a-check.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    from ivig_core.findings import Concern
    def weekend_start(rule, ctx):
        first = ctx.plan.infusions[0]
        if first.date.weekday() >= 5:
            yield rule.fired(
                f"The first infusion is on a {first.date:%A}: check the "
                "unit's staffing.",
                Concern.infusion_on(first.date, first.cycle),
            )
    import datetime as dt
    from ivig_core import Patient, Severity, get_preset, plan_course, rate_schedule
    from ivig_core.safety.registry import check, registered
    patient = Patient(sex="female", age="54 year", height="165 cm", weight="70 kg",
                      serum_iga="200 mg/dL", serum_creatinine="0.8 mg/dL",
                      abo_group="O")
    def plan_from(start):
        return plan_course(
            patient, get_preset("octagam10-dm").choose(maintenance_days=2, cycles=1),
            "octagam 10%", start=start, policy="actual", rounding="never-below",
            indication="dermatomyositis", rate_weight="dosing",
            rate_schedule=rate_schedule("octagam 10%", "dermatomyositis",
                                        increment="1 mg/kg/min", interval="30 min"))
    with registered(check(
            code="WEEKEND_START",
            severity=Severity.SOFT_LIMIT,
            rule="The first infusion falls on a Saturday or Sunday.",
            action="Check the unit's staffing, or accept with the reason.",
            source="Local protocol: infusion unit staffing (example)",
        )(weekend_start)):
        saturday = plan_from(dt.date(2026, 1, 10))
        monday = plan_from(dt.date(2026, 1, 12))
    print([f.message for f in saturday.safety.findings if f.code == 'WEEKEND_START'])
    print((saturday.ready_to_issue, monday.ready_to_issue))
    from ivig_core.findings import FindingCode
    print('WEEKEND_START' in FindingCode)
