"""The benchmark cases, as library inputs and as reference inputs.

Two courses. The *full* course: seed 000's myositis course (2 g/kg
induction over 5 days), then 5 maintenance cycles of 1 g/kg over 2 days every 4 weeks,
then a 5-step dose taper (90, 75, 50, 25, 10 % of the maintenance dose, one
cycle each) ending at stop: 25 infusions. Gamunex-C (1-40 g vials) with its
CIDP rate ramp (2 → 8 mg/kg/min; 2 mg/kg/min steps every 30 min as local
policy), never-below rounding, per-kg rates on the dosing weight. Patients
differ in sex, age, height, weight, dosing-weight policy and whether the
centre is closed at weekends.

The *short* course (``setup("short")``): seed 000's induction over 2 days,
5 maintenance courses of 1 g/kg on 1 day every 4 weeks, a 4-step dose taper
(90, 75, 50, 25 %, one cycle each) ending at stop: 11 infusions of Octagam
10 % with its dermatomyositis ramp (1 mg/kg/min steps every 30 min as local
policy), every patient on the BloodSTAR 2026 policy.

Used by ``run.py`` (timings) and ``tests/test_reference.py`` (the library
and the reference give the same numbers on every case).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final


sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference
from reference import Policy, RefConfig, RefCourse, RefInfusion, RefPatient, RefPlan

from ivig_core import Patient
from ivig_core.infusion import rate_schedule


try:
    from ivig_core.rates import RateKind, RateSchedule, rate_kind
except ImportError:  # an older tree, for a before/after run (rates.py is new)
    from ivig_core.infusion import RateKind, RateSchedule, rate_kind
from ivig_core.plan import Plan
from ivig_core.planning import ClosedDays, CourseSplit, SplitLimits, plan_course
from ivig_core.planning.split import split_course_g
from ivig_core.products import Product, get_product
from ivig_core.regimen import (
    DayRange,
    DoseSteps,
    Hold,
    Regimen,
    Stop,
    Taper,
    get_preset,
)


START: Final = dt.date(2026, 1, 5)
PRODUCT: Final = "gamunex-c"
INDICATION: Final = "cidp"
TAPER_FRACTIONS: Final = (0.9, 0.75, 0.5, 0.25, 0.1)


@dataclass(frozen=True)
class Course:
    """What a benchmark course is made of."""

    product: str
    indication: str
    increment: str
    induction_days: int
    maintenance_days: int
    cycles: int
    fractions: tuple[float, ...]
    policy: Policy | None  # None: each patient's own


COURSES: Final = {
    "full": Course(PRODUCT, INDICATION, "2 mg/kg/min", 5, 2, 5, TAPER_FRACTIONS, None),
    "short": Course(
        "octagam-10",
        "dermatomyositis",
        "1 mg/kg/min",
        2,
        1,
        5,
        (0.9, 0.75, 0.5, 0.25),
        "bloodstar-2026",
    ),
}

#: (sex, age years, height cm, weight kg, policy, weekends closed)
PATIENTS: Final[tuple[tuple[str, float, float, float, Policy, bool], ...]] = (
    ("female", 54.0, 165.0, 70.0, "actual", False),
    ("male", 40.0, 180.0, 92.3, "adjusted", False),
    ("female", 33.0, 158.0, 110.7, "adjusted", True),
    ("male", 71.0, 172.0, 61.4, "ideal", False),
    ("male", 25.0, 185.4, 92.0, "bloodstar-2026", True),
    ("female", 60.0, 152.4, 48.2, "actual", False),
    ("female", 47.0, 170.0, 131.5, "bloodstar-2026", False),
    ("male", 66.0, 176.0, 84.9, "ideal", True),
)


@dataclass(frozen=True)
class Setup:
    """The shared, per-run configuration (built once, outside the timings)."""

    regimen: Regimen
    product: Product
    schedule: RateSchedule
    config: RefConfig
    course: Course


@dataclass(frozen=True)
class Case:
    """One patient, for the library and for the reference."""

    name: str
    patient: Patient
    policy: Policy
    closed: ClosedDays | None
    ref_patient: RefPatient
    ref_config: RefConfig


def setup(kind: str = "full") -> Setup:
    """Build the regimen, product, schedule and the reference's floats."""
    course = COURSES[kind]
    taper = Taper(
        strategy=DoseSteps(
            fractions=course.fractions,
            hold=Hold(cycles=1),
            source=f"benchmark: a {len(course.fractions)}-step dose taper",
        ),
        end=Stop(),
    )
    regimen = get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=course.induction_days,
        maintenance_days=course.maintenance_days,
        cycles=course.cycles,
        taper=taper,
    )
    product = get_product(course.product)
    schedule = rate_schedule(
        product, course.indication, increment=course.increment, interval="30 min"
    )
    if any(step.kind is not RateKind.MG_PER_KG_PER_MIN for step in schedule.steps):
        msg = "the reference handles mg/kg/min steps only"
        raise AssertionError(msg)
    label_max = product.indication(course.indication).maximum
    if label_max is None or rate_kind(label_max) is not RateKind.MG_PER_KG_PER_MIN:
        msg = "the benchmark needs a labelled maximum in mg/kg/min"
        raise AssertionError(msg)
    induction, maintenance = regimen.induction, regimen.maintenance
    if induction is None or maintenance is None or maintenance.cycles is None:
        msg = "the benchmark regimen has an induction and maintenance cycles"
        raise AssertionError(msg)
    if not isinstance(induction.days, int) or not isinstance(maintenance.days, int):
        msg = "the reference handles a fixed number of days"
        raise AssertionError(msg)  # noqa: TRY004 - a broken benchmark set-up
    config = RefConfig(
        policy="actual",
        induction=RefCourse(
            induction.dose_g_per_kg, induction.days, regimen.first_maintenance_days
        ),
        maintenance=RefCourse(
            maintenance.dose_g_per_kg, maintenance.days, maintenance.interval_days
        ),
        cycles=maintenance.cycles,
        taper_fractions=course.fractions,
        taper_hold_cycles=1,
        vial_sizes_g=tuple(v.grams_g for v in product.vials),
        concentration_g_per_l=product.concentration_g_per_l,
        rates_mg_kg_min=tuple(step.rate_value for step in schedule.steps),
        durations_min=tuple(step.duration_min for step in schedule.steps),
        schedule_max_mg_kg_min=float(schedule.maximum.magnitude),
        label_max_mg_kg_min=float(label_max.magnitude),
        rate_weight="dosing",
        start=START,
    )
    return Setup(
        regimen=regimen,
        product=product,
        schedule=schedule,
        config=config,
        course=course,
    )


def cases(s: Setup) -> list[Case]:
    """The fixed set of patients."""
    out = []
    for i, (sex, age, height, weight, own, weekends) in enumerate(PATIENTS):
        policy = s.course.policy or own
        patient = Patient(
            sex=sex, age=f"{age} year", height=f"{height} cm", weight=f"{weight} kg"
        )
        out.append(
            Case(
                name=f"{i}: {sex} {weight:g} kg {height:g} cm, {policy}",
                patient=patient,
                policy=policy,
                closed=ClosedDays.weekends() if weekends else None,
                ref_patient=RefPatient(
                    sex="male" if sex == "male" else "female",
                    age_years=patient.age_years,
                    height_cm=patient.height_cm,
                    weight_kg=patient.weight_kg,
                ),
                ref_config=dataclasses.replace(
                    s.config, policy=policy, weekends_closed=weekends
                ),
            )
        )
    return out


def plan_library(s: Setup, case: Case) -> Plan:
    """The library's plan for one case."""
    return plan_course(
        case.patient,
        s.regimen,
        s.product,
        start=START,
        policy=case.policy,
        rounding="never-below",
        indication=s.course.indication,
        rate_weight="dosing",
        rate_schedule=s.schedule,
        closed=case.closed,
    )


def plan_reference(case: Case) -> RefPlan:
    """The reference's plan for one case."""
    return reference.plan(case.ref_patient, case.ref_config)


def summary(plan: Plan) -> RefPlan:
    """The library's plan in the reference's terms, to compare them."""
    return RefPlan(
        dosing_weight_kg=plan.dosing_weight.weight_kg,
        infusions=tuple(
            RefInfusion(
                date=i.date,
                cycle=i.cycle,
                day=i.day,
                calculated_g=i.calculated_g,
                dispensed_g=i.dispensed_g,
                vials=tuple((vial.grams_g, n) for vial, n in i.vials.vials),
                volume_ml=i.volume_ml,
                steps=tuple(
                    (step.rate_ml_h, step.duration_min, step.volume_ml)
                    for step in i.run.steps
                ),
                duration_min=i.run.duration_min,
            )
            for i in plan.infusions
        ),
        course_calculated_g=tuple(c.calculated_g for c in plan.cycles),
        course_dispensed_g=tuple(c.dispensed_g for c in plan.cycles),
    )


# --------------------------------------------------------------------------
# The smaller benchmarks: dosing weight alone, one split course


def weight_library(case: Case) -> Callable[[], object]:
    """``dosing_weight`` for one case."""
    from ivig_core import dosing_weight  # noqa: PLC0415 - keep the top light

    patient, policy = case.patient, case.policy
    return lambda: dosing_weight(patient, policy)


def weight_reference(case: Case) -> Callable[[], object]:
    """The reference's dosing weight for one case."""
    patient, policy = case.ref_patient, case.policy
    return lambda: reference.dosing_weight_kg(patient, policy)


#: The split benchmark: the induction course (2 g/kg over 5 days), split
#: in 1 g units from a dispensed total.
SPLIT_DAYS: Final = 5
SPLIT_DOSE_G_PER_KG: Final = 2.0


def split_library(weight_kg: float) -> Callable[[], CourseSplit]:
    """``split_course_g`` for one weight."""
    limits = SplitLimits()
    allowed = DayRange(low=2, high=5)
    total = float(round(SPLIT_DOSE_G_PER_KG * weight_kg))

    def run() -> CourseSplit:
        return split_course_g(
            dose_g_per_kg=SPLIT_DOSE_G_PER_KG,
            weight_kg=weight_kg,
            days=SPLIT_DAYS,
            allowed_days=allowed,
            limits=limits,
            granularity_g=1.0,
            total_g=total,
        )

    return run


def split_reference(weight_kg: float) -> Callable[[], object]:
    """The reference's split for one weight."""
    total = float(round(SPLIT_DOSE_G_PER_KG * weight_kg))

    def run() -> object:
        calculated = SPLIT_DOSE_G_PER_KG * weight_kg
        return reference.split_course(calculated, total, SPLIT_DAYS, 1.0)

    return run
