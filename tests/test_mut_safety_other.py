"""Other checks (safety/other.py), pinned where mutants survived.

The thresholds, in their sources' words:

* Haemolysis (Transfusion 2021): "≥ 2 g/kg" in non-O patients: a 2 g/kg
  course fires, 1.9 does not; group O never.
* Obesity (Ontario calculator, UK request form): "BMI > 30": 30.0 is quiet,
  30.1 fires, on actual weight only.
* Large daily volume: a local threshold (no source gives one); a day
  *above* it fires.
* Product switch (Privigen: "always start at the minimum rate"): the first
  step compared with the label's initial rate, 0.5 mg/kg/min for Privigen
  in PI: at 70 kg and 100 mg/mL, 0.5 × 70 × 60 / 100 = **21.0 mL/h**.

Every expected message is written out.
"""

from __future__ import annotations

import attrs

from ivig_core import Patient
from ivig_core.findings import Concern
from ivig_core.plan import Plan
from ivig_core.products import get_product
from ivig_core.safety import (
    Finding,
    FindingCode,
    PremedicationProtocol,
    SafetyConfig,
    SafetyReport,
    Severity,
    assess,
)
from safety_plans import START, make_plan
from worked import recorded_woman


HAEMOLYSIS = FindingCode.HAEMOLYSIS_MONITOR
MALTOSE = FindingCode.MALTOSE_GLUCOSE_METER
FLUID = FindingCode.FLUID_LOAD_HEART_FAILURE
VOLUME = FindingCode.LARGE_DAILY_VOLUME
SWITCH = FindingCode.PRODUCT_SWITCH
OBESE = FindingCode.OBESE_ACTUAL_WEIGHT
HYDRATION = FindingCode.HYDRATION
PREMEDICATION = FindingCode.PREMEDICATION

#: Privigen 2 g/kg over 2 days at 70 kg: 70 g a day = 700 mL at 10 %.
PRIVIGEN = make_plan(product="privigen", rates_mg_kg_min=(0.5, 1, 2))


def only(report: SafetyReport, code: FindingCode) -> Finding:
    """The one finding with *code* (assessed or not)."""
    (f,) = report.with_code(code)
    return f


def found(
    code: FindingCode,
    patient: Patient | None = None,
    plan: Plan = PRIVIGEN,
    **options: object,
) -> tuple[Finding, ...]:
    """The findings with *code*."""
    who = recorded_woman() if patient is None else patient
    return assess(who, plan, **options).with_code(code)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# HAEMOLYSIS_MONITOR: ≥ 2 g/kg, non-O


_HAEMOLYSIS_TAIL = (
    " at or above 2 g/kg: measure haemoglobin or haematocrit at baseline and "
    "about 36 to 96 h after each infusion (label), and monitor for haemolysis "
    "(haemoglobin, signs) for 5 to 10 days after each course (Transfusion "
    "2021); inflammation adds to the risk."
)


def test_haemolysis_at_2_g_kg_in_group_a_is_a_warning_for_the_course() -> None:
    """Group A and a 2 g/kg course: "≥ 2 g/kg"; a warning for course 1."""
    report = assess(recorded_woman(abo_group="A"), PRIVIGEN)
    f = only(report, HAEMOLYSIS)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        True,
        Severity.WARNING,
        Concern.course(1),
        "Blood group A (non-O) and course 1 (2 g/kg)" + _HAEMOLYSIS_TAIL,
    )
    assert f not in report.blocking


def test_haemolysis_below_2_g_kg_or_group_o_is_quiet() -> None:
    """1.9 g/kg in group A, or 2 g/kg in group O: nothing."""
    low = make_plan(product="privigen", course_g_per_kg=1.9)
    assert found(HAEMOLYSIS, recorded_woman(abo_group="A"), low) == ()
    assert found(HAEMOLYSIS, recorded_woman(abo_group="O")) == ()


def test_haemolysis_over_several_courses_is_for_the_plan() -> None:
    """Two 2 g/kg courses in group B: one finding for the plan, both listed."""
    two = make_plan(product="privigen", cycles=2)
    (f,) = found(HAEMOLYSIS, recorded_woman(abo_group="B"), two)
    assert f.concerns == Concern.whole_plan()
    assert f.message == (
        "Blood group B (non-O) and courses 1 (2 g/kg), 2 (2 g/kg)" + _HAEMOLYSIS_TAIL
    )


def test_haemolysis_without_a_blood_group_is_not_assessed() -> None:
    """No ABO group on record: a not-assessed warning naming the courses."""
    two = make_plan(product="privigen", cycles=2)
    (f,) = found(HAEMOLYSIS, recorded_woman(abo_group=None), two)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.WARNING,
        Concern.whole_plan(),
        (
            "Courses 1 (2 g/kg), 2 (2 g/kg) at or above 2 g/kg and the ABO blood "
            "group is not recorded: haemolysis risk not assessed. Record the blood "
            "group."
        ),
    )


def test_haemolysis_threshold_is_the_configured_one() -> None:
    """haemolysis_course_from = 1.5 g/kg: a 1.5 g/kg course fires, 1.4 not."""
    cfg = SafetyConfig(haemolysis_course_from="1.5 g/kg")
    group_a = recorded_woman(abo_group="A")
    at = make_plan(product="privigen", course_g_per_kg=1.5)
    (f,) = found(HAEMOLYSIS, group_a, at, config=cfg)
    assert f.message.startswith(
        "Blood group A (non-O) and course 1 (1.5 g/kg) at or above 1.5 g/kg:"
    )
    below = make_plan(product="privigen", course_g_per_kg=1.4)
    assert found(HAEMOLYSIS, group_a, below, config=cfg) == ()


# --------------------------------------------------------------------------
# MALTOSE_GLUCOSE_METER


_MALTOSE_TAIL = (
    " recorded: GDH-PQQ and glucose-dye-oxidoreductase meters read maltose as "
    "glucose (falsely high readings, wrong insulin, masked hypoglycaemia). Use "
    "glucose-specific methods during and after the infusion; tell the patient "
    "and the ward."
)
OCTAGAM = make_plan(product="octagam-10")


def test_maltose_with_diabetes_or_meter_monitoring_is_a_warning() -> None:
    """Octagam 10 % (maltose) and diabetes, meter monitoring, or both."""
    cases = {
        ("diabetes",): "diabetes is",
        ("glucose_meter_monitoring",): "glucose-meter monitoring is",
        ("diabetes", "glucose_meter_monitoring"): (
            "diabetes and glucose-meter monitoring is"
        ),
    }
    for factors, who in cases.items():
        report = assess(recorded_woman("70 kg", *factors), OCTAGAM)
        f = only(report, MALTOSE)
        assert (f.assessed, f.severity, f.concerns, f.message) == (
            True,
            Severity.WARNING,
            Concern.whole_plan(),
            f"Octagam 10 % contains maltose and {who}" + _MALTOSE_TAIL,
        )
        assert f not in report.blocking


def test_maltose_rule_needs_both() -> None:
    """Privigen (no maltose) with diabetes, or Octagam without: quiet."""
    assert found(MALTOSE, recorded_woman("70 kg", "diabetes")) == ()
    assert found(MALTOSE, plan=OCTAGAM) == ()


def test_maltose_unknown_composition_is_not_assessed() -> None:
    """A product without composition data, diabetes recorded: not assessed."""
    bare = attrs.evolve(get_product("privigen"), composition=None)
    p = recorded_woman("70 kg", "diabetes", "glucose_meter_monitoring")
    (f,) = found(MALTOSE, p, product=bare)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.WARNING,
        Concern.whole_plan(),
        (
            "Diabetes and glucose-meter monitoring recorded and the composition of "
            "Privigen is not known: maltose not assessed."
        ),
    )


# --------------------------------------------------------------------------
# FLUID_LOAD_HEART_FAILURE and LARGE_DAILY_VOLUME (700 mL a day)


def test_heart_failure_names_the_largest_day_and_the_concentration() -> None:
    """Heart failure: 700 mL a day (70 g at 10 %); a warning for the patient.

    Day 2 made larger (900 mL): the largest day is named.
    """
    p = recorded_woman("70 kg", "heart_failure")
    report = assess(p, PRIVIGEN)
    f = only(report, FLUID)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        True,
        Severity.WARNING,
        Concern.patient(),
        (
            "Heart failure recorded; the largest day is 700 mL. Privigen is 10 %. "
            "Consider splitting the dose over more days or a higher concentration, and "
            "watch for volume overload."
        ),
    )
    assert f not in report.blocking
    bigger = attrs.evolve(PRIVIGEN.infusions[1], volume_ml=900.0)
    plan = attrs.evolve(PRIVIGEN, infusions=(PRIVIGEN.infusions[0], bigger))
    (g,) = found(FLUID, p, plan)
    assert g.message.startswith("Heart failure recorded; the largest day is 900 mL.")


def test_heart_failure_without_infusions_says_0_ml() -> None:
    """No infusions: the largest day is 0 mL (not an error)."""
    empty = attrs.evolve(PRIVIGEN, infusions=())
    (f,) = found(FLUID, recorded_woman("70 kg", "heart_failure"), empty)
    assert f.message.startswith("Heart failure recorded; the largest day is 0 mL.")
    assert found(FLUID) == ()


def test_large_volume_not_assessed_without_a_threshold() -> None:
    """No threshold (the default, no sourced number): INFO naming the day."""
    (f,) = found(VOLUME)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.INFO,
        Concern.whole_plan(),
        (
            "The largest day is 700 mL; no large-volume threshold is configured "
            "(SafetyConfig.large_volume_per_day; no sourced number): not assessed."
        ),
    )


def test_large_volume_at_and_above_the_threshold() -> None:
    """700 mL against 700 mL: quiet; against 650 mL: each day fires."""
    assert found(VOLUME, config=SafetyConfig(large_volume_per_day="700 mL")) == ()
    day1, day2 = found(VOLUME, config=SafetyConfig(large_volume_per_day="650 mL"))
    assert (day1.assessed, day1.severity, day1.concerns, day1.message) == (
        True,
        Severity.WARNING,
        Concern.infusion_on(START, 1),
        (
            "700 mL on one day is above the configured 650 mL. Privigen is 10 %. "
            "Consider splitting the dose over more days or a higher concentration."
        ),
    )
    assert day2.concerns == Concern.infusion_on(PRIVIGEN.infusions[1].date, 1)


# --------------------------------------------------------------------------
# PRODUCT_SWITCH and the first step against the label's initial rate


_SWITCH = (
    "Switching from Octagam 10 % to Privigen: start again at Privigen's initial "
    "rate and ramp up; rates are not interchangeable between brands, and a new "
    "brand can cause reactions even when the previous one was tolerated."
)


def test_switch_with_the_first_step_at_the_initial_rate() -> None:
    """First step 0.5 mg/kg/min = 21.0 mL/h, the label's initial: within."""
    report = assess(
        recorded_woman(), PRIVIGEN, indication="pi", previous_product="octagam-10"
    )
    f = only(report, SWITCH)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        True,
        Severity.WARNING,
        Concern.whole_plan(),
        _SWITCH + " The first planned step, 21.0 mL/h, is within the label's "
        "initial rate 0.5 mg/kg/min (21.0 mL/h).",
    )
    assert f not in report.blocking


def test_switch_with_the_first_step_above_the_initial_rate() -> None:
    """0.51 mg/kg/min = 0.51 × 42 = 21.42 mL/h, above 21.0: lower it."""
    plan = make_plan(product="privigen", rates_mg_kg_min=(0.51, 1, 2))
    (f,) = found(SWITCH, plan=plan, indication="pi", previous_product="octagam-10")
    assert f.message == (
        _SWITCH + " The first planned step, 21.4 mL/h, is ABOVE the label's "
        "initial rate 0.5 mg/kg/min (21.0 mL/h): lower it."
    )


def test_switch_reads_the_first_step_of_the_first_day() -> None:
    """Day 1 starts at 0.5 and day 2 at 1 mg/kg/min: day 1's first step counts."""
    day2 = make_plan(product="privigen", rates_mg_kg_min=(1, 2)).infusions[1]
    plan = attrs.evolve(PRIVIGEN, infusions=(PRIVIGEN.infusions[0], day2))
    (f,) = found(SWITCH, plan=plan, indication="pi", previous_product="octagam-10")
    assert "The first planned step, 21.0 mL/h, is within" in f.message


def test_switch_without_a_comparison_says_so() -> None:
    """No indication, no label ramp, no infusions, no steps: not compared."""
    not_compared = (
        " The first planned step was not compared with the label's initial rate."
    )
    bare_day = attrs.evolve(
        PRIVIGEN.infusions[0], run=attrs.evolve(PRIVIGEN.infusions[0].run, steps=())
    )
    cases: list[tuple[Plan, str | None]] = [
        (PRIVIGEN, None),
        (attrs.evolve(PRIVIGEN, infusions=()), "pi"),
        (attrs.evolve(PRIVIGEN, infusions=(bare_day,)), "pi"),
    ]
    for plan, indication in cases:
        (f,) = found(
            SWITCH, plan=plan, indication=indication, previous_product="octagam-10"
        )
        assert f.message == _SWITCH + not_compared
    sd = make_plan(product="gammagard-sd")
    (g,) = found(SWITCH, plan=sd, indication="itp", previous_product="privigen")
    assert g.message.endswith(not_compared)


def test_no_switch_is_quiet() -> None:
    """The same product before, or none recorded: nothing."""
    assert found(SWITCH, previous_product="privigen") == ()
    assert found(SWITCH) == ()


def test_switch_from_a_product_not_in_the_catalogue() -> None:
    """A previous product the catalogue does not know is still a switch."""
    (f,) = found(SWITCH, previous_product="Local IVIG X")
    assert f.message.startswith("Switching from ")
    assert f.message.endswith(
        "The first planned step was not compared with the label's initial rate."
    )


# --------------------------------------------------------------------------
# OBESE_ACTUAL_WEIGHT: BMI > 30, 200 cm (BMI = kg / 4)


def tall(weight: str) -> Patient:
    """200 cm, so BMI = weight / 2.0² = weight / 4 (by hand)."""
    return recorded_woman(weight, height="200 cm")


def test_bmi_exactly_30_is_not_above_30() -> None:
    """120 kg at 200 cm: BMI 30.0, not "> 30"."""
    assert found(OBESE, tall("120 kg"), make_plan(weight_kg=120.0)) == ()


def test_bmi_just_above_30_on_actual_weight_is_an_advice() -> None:
    """120.4 kg: BMI 30.1 > 30; an advice for the patient, not blocking."""
    report = assess(tall("120.4 kg"), make_plan(weight_kg=120.4))
    f = only(report, OBESE)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        True,
        Severity.ADVICE,
        Concern.patient(),
        (
            "BMI 30.1 > 30 and the dose is on actual weight (120.4 kg). Consider an "
            "ideal or adjusted dosing weight per local policy: obesity has little "
            "effect on IgG kinetics, and obese patients get larger doses and carry "
            "more cardiovascular risk."
        ),
    )
    assert f not in report.blocking


def test_bmi_above_30_on_another_weight_is_quiet() -> None:
    """BMI 30.1 dosed on adjusted weight: nothing to advise."""
    plan = make_plan(weight_kg=120.4, basis="adjusted")
    assert found(OBESE, tall("120.4 kg"), plan) == ()


def test_bmi_threshold_is_the_configured_one() -> None:
    """obesity_bmi_above = 35: BMI 30.1 is quiet, 35.1 (140.4 kg) fires."""
    cfg = SafetyConfig(obesity_bmi_above="35 kg/m**2")
    assert found(OBESE, tall("120.4 kg"), make_plan(weight_kg=120.4), config=cfg) == ()
    (f,) = found(OBESE, tall("140.4 kg"), make_plan(weight_kg=140.4), config=cfg)
    assert f.message.startswith("BMI 35.1 > 35 and the dose is on actual weight")


# --------------------------------------------------------------------------
# HYDRATION and PREMEDICATION: every plan


def test_hydration_is_advice_for_every_plan() -> None:
    """Default: no volume; a local protocol is quoted."""
    (f,) = found(HYDRATION)
    assert (f.assessed, f.severity, f.message) == (
        True,
        Severity.ADVICE,
        (
            "Ensure adequate hydration before administration. No label gives a "
            "volume: follow the local protocol."
        ),
    )
    cfg = SafetyConfig(hydration_protocol="500 mL saline before")
    (g,) = found(HYDRATION, config=cfg)
    assert g.message == (
        "Ensure adequate hydration before administration. Local protocol: 500 mL "
        "saline before."
    )


_PREMED_TAIL = (
    " Doses per the local protocol. If side effects come, slow or stop the "
    "infusion and resume at a lower, tolerated rate."
)


def test_premedication_default_protocol() -> None:
    """The default protocol: the agents, and what to add after a reaction."""
    (f,) = found(PREMEDICATION)
    assert (f.assessed, f.severity) == (True, Severity.ADVICE)
    assert f.message == (
        "Consider premedication (default: agents only, no doses): acetaminophen "
        "(paracetamol), diphenhydramine. After a prior infusion reaction: a "
        "corticosteroid ('sometimes corticosteroids')." + _PREMED_TAIL
    )
    assert f.source.endswith("; routine use vs prior reactors is disputed")


def test_premedication_after_a_recorded_reaction() -> None:
    """A prior infusion reaction recorded: "add" the extra agents."""
    (f,) = found(PREMEDICATION, recorded_woman("70 kg", "prior_infusion_reaction"))
    assert (
        "A prior infusion reaction is recorded: add a corticosteroid ('sometimes "
        "corticosteroids')."
    ) in f.message


def test_premedication_local_protocol_without_extras() -> None:
    """A local protocol with no extra agents: its name, agents and source."""
    proto = PremedicationProtocol(
        name="ward 7", agents=("cetirizine",), source="ward 7 protocol 2026"
    )
    (f,) = found(PREMEDICATION, config=SafetyConfig(premedication=proto))
    assert f.message == "Consider premedication (ward 7): cetirizine." + _PREMED_TAIL
    assert f.source == "ward 7 protocol 2026; routine use vs prior reactors is disputed"


def test_premedication_local_protocol_with_two_extras() -> None:
    """Two extra agents after a reaction: listed, joined by a comma."""
    proto = PremedicationProtocol(
        name="ward 7",
        agents=("cetirizine",),
        after_prior_reaction=("hydrocortisone", "montelukast"),
        source="ward 7 protocol 2026",
    )
    (f,) = found(PREMEDICATION, config=SafetyConfig(premedication=proto))
    assert f.message == (
        "Consider premedication (ward 7): cetirizine. After a prior infusion "
        "reaction: hydrocortisone, montelukast." + _PREMED_TAIL
    )
