"""The code of the how-to docs/how-to/switch-to-scig.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    import datetime as dt
    from ivig_core import Patient
    from ivig_core.scig import (
        EveryTwoWeeks, LabelFactor, OneToOne, SameAsIvig, ScLimits,
        TimesPerWeek, UserFactor, Weekly, convert_to_scig)
    dose = convert_to_scig(ivig_dose="30 g", ivig_interval="4 week",
        product="hizentra", rule=LabelFactor(), frequency=Weekly(),
        last_ivig=dt.date(2026, 1, 5))
    print((dose.factor, round(dose.weekly_g, 3), dose.first_dose_earliest))
    from ivig_core.io.text import conversion, sc_table
    print(conversion(dose))  # doctest: +ELLIPSIS
    common = dict(ivig_dose="30 g", ivig_interval="4 week", product="hizentra")
    print(round(convert_to_scig(rule=OneToOne(), frequency=Weekly(), **common).weekly_g, 3))
    print(round(convert_to_scig(rule=UserFactor(1.2, reason='unit policy'), frequency=Weekly(), **common).weekly_g, 3))
    print(round(convert_to_scig(rule=LabelFactor(), frequency=EveryTwoWeeks(), **common).dose_g, 2))
    print(round(convert_to_scig(rule=LabelFactor(), frequency=TimesPerWeek(3), **common).dose_g, 3))
    eu = convert_to_scig(ivig_dose="1 g/kg", ivig_interval="3 week",
        product="hizentra", rule=OneToOne(), frequency=Weekly())
    print((round(eu.weekly_g_per_kg, 3), eu.weekly_g))
    try:
        convert_to_scig(ivig_dose="30 g", ivig_interval="4 week", product="privigen",
            rule=LabelFactor(), frequency=Weekly())
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    try:
        UserFactor(0)
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    from ivig_core.scig import sc_situations
    print(sc_situations('hizentra'))
    later = ScLimits.from_product("hizentra", situation="PI, later infusions",
        max_sites=4, parameter_source="infusion-centre protocol 12")
    first = ScLimits.from_product("hizentra", situation="PI, first infusion",
        max_sites=4, parameter_source="infusion-centre protocol 12")
    print((later.volume_limit_ml(1), later.rate_per_site_ml_h, first.volume_limit_ml(1)))
    try:
        ScLimits.from_product("hizentra", situation="PI, later infusions",
            max_sites=4, volume_per_site="40 mL")
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    from ivig_core.planning.request import FirstInfusions
    from ivig_core.planning.scig import plan_scig
    patient = Patient(sex="female", age="54 year", height="165 cm", weight="70 kg")
    sc = plan_scig(patient, dose, policy="actual", rounding="never-below",
        limits=later, first_infusions=FirstInfusions(limits=first, count=1),
        site_rate="label-maximum", cycles=4)
    print(sc_table(sc.plan))
    print((sc.plan.product, len(sc.plan.infusions), sc.plan.total_dispensed_g))
    print(sc.plan.route.value)
    first_sc = sc.plan.infusions[0].sc
    print((first_sc.sites, first_sc.volume_per_site_ml, first_sc.volume_limit_per_site_ml))
    from ivig_core import explain
    print(explain(sc.plan))  # doctest: +ELLIPSIS
    print(sc.plan.ready_to_issue)
    print([f.code.value for f in sc.plan.safety.findings if f.assessed])
    big = convert_to_scig(ivig_dose="60 g", ivig_interval="4 week",
        product="hizentra", rule=LabelFactor(), frequency=Weekly(),
        last_ivig=dt.date(2026, 1, 5))
    try:
        plan_scig(patient, big, policy="actual", rounding="never-below",
            limits=later, site_rate="label-maximum", cycles=1)
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    from ivig_core.safety import FindingCode
    hyq = convert_to_scig(ivig_dose="30 g", ivig_interval="4 week",
        product="hyqvia", rule=LabelFactor(), frequency=SameAsIvig())
    hyq_limits = ScLimits.from_product("hyqvia", situation=[
        "per site, 1 or 2 sites", "per site, 3 sites", "per day, patients ≥ 40 kg"],
        rate_per_site="300 mL/h", parameter_source="infusion-centre protocol 12")
    ramp = plan_scig(patient, hyq, policy="actual", rounding="never-below",
        limits=hyq_limits, site_rate="label-maximum", cycles=2,
        first_dose=dt.date(2026, 1, 12))
    print([(str(i.date), i.dispensed_g) for i in ramp.plan.infusions])
    print([c.phase.value for c in ramp.plan.cycles])
    print(ramp.plan.safety.with_code(FindingCode.COURSE_INTERVAL_SHORT))
    from ivig_core.planning.scig import plan_scig_regimen
    from ivig_core.scig import get_scig_preset
    regimen = get_scig_preset("hizentra-cidp-0.2").choose(maintenance_days=1, cycles=2)
    cidp = ScLimits.from_product("hizentra", situation="CIDP, later infusions",
        max_sites=4, parameter_source="infusion-centre protocol 12")
    plan = plan_scig_regimen(patient, regimen, "hizentra", last_ivig=dt.date(2026, 1, 5),
        policy="actual", rounding="never-below", limits=cidp, site_rate="label-maximum")
    print([(str(i.date), round(i.calculated_g, 2), i.dispensed_g) for i in plan.plan.infusions])
