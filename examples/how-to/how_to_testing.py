"""The code of the how-to docs/how-to/testing.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    from hypothesis import HealthCheck, settings
    settings.register_profile(
        "hospital-ci", derandomize=True, deadline=None, database=None, max_examples=200,
        suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("hospital-dev", deadline=None, max_examples=100)
    from ivig_core import Patient
    def patient_from_form(form):
        return Patient(sex=form["sex"], age=form["age"],
                       height=form["height"], weight=form["weight"])
    import math
    from hypothesis import given, strategies as st
    from ivig_core.testing import ages, heights, masses
    @settings(max_examples=100, deadline=None, database=None, derandomize=True)
    @given(weight=masses(), height=heights(), age=ages(), sex=st.sampled_from(["male", "female"]))
    def test_form_text_reads_like_the_quantity(weight, height, age, sex):
        form = {"sex": sex, "age": f"{age.magnitude!r} {age.units}",
                "height": f"{height.magnitude!r} {height.units}",
                "weight": f"{weight.magnitude!r} {weight.units}"}
        from_form = patient_from_form(form)
        direct = Patient(sex=sex, age=age, height=height, weight=weight)
        assert math.isclose(from_form.weight_kg, direct.weight_kg, rel_tol=1e-12)
        assert math.isclose(from_form.height_cm, direct.height_cm, rel_tol=1e-12)
    test_form_text_reads_like_the_quantity()
    import datetime as dt
    from ivig_core import IvigError
    from ivig_core.infusion import rate_schedule
    from ivig_core.planning import plan_course
    from ivig_core.products import get_product
    from ivig_core.regimen import get_preset
    from ivig_core.testing import patients
    OCTAGAM = get_product("octagam 10%")
    REGIMEN = get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1)
    SCHEDULE = rate_schedule(OCTAGAM, "dermatomyositis",
                             increment="1 mg/kg/min", interval="30 min")
    def our_plan(patient):
        """The host's one call into ivig_core (its choices fixed by local policy)."""
        return plan_course(
            patient, REGIMEN, OCTAGAM, start=dt.date(2026, 1, 5),
            policy="bloodstar-2026", rounding="never-below",
            indication="dermatomyositis", rate_weight="dosing", rate_schedule=SCHEDULE)
    @settings(max_examples=50, deadline=None, database=None, derandomize=True)
    @given(patients())
    def test_plans_or_refuses(patient):
        try:
            plan = our_plan(patient)
        except IvigError as err:
            assert str(err)  # refused, with a message
        else:
            assert plan.infusions
    test_plans_or_refuses()
    from ivig_core.testing import adult_patients
    @settings(max_examples=50, deadline=None, database=None, derandomize=True)
    @given(patients(min_age_years=18.0, min_height_cm=152.4, max_height_cm=220.0,
                    weight_kg=(40.0, 150.0)))
    def test_never_below_and_exact_split(patient):
        plan = our_plan(patient)
        for cycle in plan.cycles:
            assert cycle.dispensed_g >= cycle.calculated_g - 1e-3  # 1 mg
            days = plan.in_cycle(cycle.number)
            assert sum(i.dispensed_g for i in days) == cycle.dispensed_g
    test_never_below_and_exact_split()
    @settings(max_examples=25, deadline=None, database=None, derandomize=True)
    @given(adult_patients())
    def test_unit_of_weight_changes_nothing(patient):
        in_lb = Patient(sex=patient.sex, age=patient.age, height=patient.height,
                        weight=patient.weight.to("lb"))
        a, b = our_plan(patient), our_plan(in_lb)
        assert math.isclose(a.dosing_weight.weight_kg, b.dosing_weight.weight_kg,
                            rel_tol=1e-12)
    test_unit_of_weight_changes_nothing()
