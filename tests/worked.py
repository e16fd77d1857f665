"""Named worked cases: the patients, regimens and plans the tests share.

Every test file that needs a patient or a plan takes it from here, so the
cases cannot drift apart between files. Each case states, next to it, the
numbers a reader can check by hand from the source named; the expected
values are written out (computed by hand from the published formula or
quoted from the label), never produced by calling the library's own formula.

The library only computes and checks; nothing here is a recommendation.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Final

from ivig_core import Patient
from ivig_core.infusion import rate_schedule
from ivig_core.plan import Plan
from ivig_core.planning import plan_course
from ivig_core.planning.request import FirstInfusions
from ivig_core.products import Product, get_product
from ivig_core.rates import RateSchedule
from ivig_core.regimen import DoseSteps, Regimen, Stop, Taper, get_preset
from ivig_core.scig import (
    LabelFactor,
    SameAsIvig,
    ScigDose,
    ScigFrequency,
    ScLimits,
    Weekly,
    convert_to_scig,
)


#: A Monday: every worked plan starts here.
MONDAY: Final = dt.date(2026, 1, 5)

# --------------------------------------------------------------------------
# Patients


def woman(weight: object = "92 kg", **changes: object) -> Patient:
    """The worked-example woman: 54 years, 165 cm, *weight* (default 92 kg).

    Any other :class:`~ivig_core.Patient` field (or a bad value, for the
    refusal tests) is given as a keyword in *changes*.

    By hand (Devine 1974; Pai & Paloucek 2000 for the adjusted weight):

    * 165 cm = 64.961 in, 4.961 in over 5 ft;
    * ideal body weight 45.5 + 2.3 × 4.961 = **56.91 kg**;
    * at 92 kg: BMI 92 / 1.65² = **33.79 kg/m²**; adjusted body weight
      56.91 + 0.4 × (92 − 56.91) = **70.95 kg**.
    """
    fields: dict[str, object] = {
        "sex": "female",
        "age": "54 year",
        "height": "165 cm",
        "weight": weight,
    }
    fields.update(changes)
    return Patient(**fields)


#: Devine ideal body weight of :func:`woman`, kg (by hand, above).
WOMAN_IBW_KG: Final = 56.9094
#: Adjusted body weight of :func:`woman` at 92 kg, kg (by hand, above).
WOMAN_ADJBW_KG: Final = 70.9457
#: BMI of :func:`woman` at 92 kg, kg/m² (by hand, above).
WOMAN_BMI: Final = 33.7925


def recorded_woman(weight: str = "70 kg", *factors: str, **changes: object) -> Patient:
    """:func:`woman` with serum IgA, creatinine and blood group recorded.

    IgA 200 mg/dL, creatinine 0.8 mg/dL, group O, the risk *factors* given;
    *changes* replace any of them (``serum_iga=None`` leaves IgA unknown).

    With the labs on record few checks are "not assessed". Cockcroft-Gault
    (Cockcroft & Gault 1976) at 70 kg and 0.8 mg/dL, female:
    (140 − 54) × 70 / (72 × 0.8) × 0.85 = 6020 / 57.6 × 0.85 = **88.84 mL/min**.
    """
    fields: dict[str, object] = {
        "serum_iga": "200 mg/dL",
        "serum_creatinine": "0.8 mg/dL",
        "abo_group": "O",
        "risk_factors": frozenset(factors),
    }
    fields.update(changes)
    return woman(weight, **fields)


#: Cockcroft-Gault of :func:`recorded_woman` at 70 kg, mL/min (by hand).
RECORDED_WOMAN_CRCL_ML_MIN: Final = 88.8368


def at_risk_woman() -> Patient:
    """:func:`woman` at 92 kg with IgA 90 mg/dL, diabetes, sepsis and oestrogen use.

    Her body size is :func:`woman`'s (the hand figures above); the risk
    factors only add safety findings.
    """
    return woman(
        serum_iga="90 mg/dL",
        risk_factors=["diabetes", "sepsis", "oestrogen_use"],
    )


def diabetic_woman() -> Patient:
    """The safety worked example: 92 kg (BMI 33.8), diabetic, IgA unknown, group A."""
    return woman(abo_group="A", risk_factors={"diabetes"})


# --------------------------------------------------------------------------
# Products and rate schedules


@cache
def octagam() -> Product:
    """Octagam 10 % (100 g/L; 2, 5, 10, 20 and 30 g vials)."""
    return get_product("octagam 10%")


@cache
def octagam_dm_schedule() -> RateSchedule:
    """Octagam 10 % DM ramp 1 → 4 mg/kg/min (label); 1 mg/kg/min every 30 min.

    The label gives the start and the maximum without steps: the step size
    and step time are local policy, stated here.
    """
    return rate_schedule(
        octagam(), "dermatomyositis", increment="1 mg/kg/min", interval="30 min"
    )


# --------------------------------------------------------------------------
# Regimens and plans


def seed_000_with_taper(cycles: int = 3) -> Regimen:
    """Myositis course: 2 g/kg over 2 days, *cycles* × 1 g/kg every 4 weeks, JND taper.

    The taper is the JND 2023 dose steps (90, 75, 50, 25 %, 3 courses each),
    then stop.
    """
    return get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=2,
        maintenance_days=1,
        cycles=cycles,
        taper=Taper(strategy=DoseSteps.jnd_2023(), end=Stop()),
    )


def _example(patient: Patient, policy: str) -> Plan:
    """:func:`seed_000_with_taper` on Octagam 10 % for DM, from :data:`MONDAY`."""
    return plan_course(
        patient,
        seed_000_with_taper(),
        octagam(),
        start=MONDAY,
        policy=policy,
        rounding="never-below",
        indication="dermatomyositis",
        rate_weight="dosing",
        rate_schedule=octagam_dm_schedule(),
    )


@cache
def example_plan(weight: str = "92 kg", policy: str = "ideal") -> Plan:
    """The README's worked example: :func:`seed_000_with_taper` on Octagam 10 %.

    Dosed on the ideal body weight (56.91 kg), never-below vial rounding,
    rates on the dosing weight. By hand, at 92 kg:

    * each 1 g/kg day: 56.91 g calculated, **57 g** dispensed
      (30 + 20 + 5 + 2 g), **570 mL** at 100 g/L;
    * taper steps 90, 75, 50 and 25 % (3 courses each): 51.22 → **52 g**,
      42.68 → **43 g**, 28.45 → **29 g**, 14.23 → **15 g**;
    * 16 courses, 17 infusion days; 12.2 g/kg × 56.91 kg = **694.3 g**
      calculated, **702 g** dispensed (5 × 57 + 3 × (52 + 43 + 29 + 15));
    * first rate step 1 mg/kg/min × 56.91 kg × 60 / 100 mg/mL = **34.1 mL/h**.
    """
    return _example(woman(weight), policy)


@cache
def example_plan_at_risk() -> Plan:
    """:func:`example_plan` for :func:`at_risk_woman`: the same grams, more findings.

    Same height, sex and weight, so the same ideal body weight and the same
    hand figures (:data:`EXAMPLE_DISPENSED_G`); the recorded IgA and risk
    factors show in the safety report.
    """
    return _example(at_risk_woman(), "ideal")


#: The worked example's expected figures (by hand, in :func:`example_plan`).
EXAMPLE_DISPENSED_G: Final = (
    (57.0,) * 5 + (52.0,) * 3 + (43.0,) * 3 + (29.0,) * 3 + (15.0,) * 3
)
#: 12.2 g/kg in all (2 + 3 × 1 + 3 × (0.9 + 0.75 + 0.5 + 0.25)) × 56.9094 kg.
EXAMPLE_TOTAL_CALCULATED_G: Final = 694.2953
EXAMPLE_TOTAL_DISPENSED_G: Final = 702.0
EXAMPLE_FIRST_RATE_ML_H: Final = 34.1457


@cache
def example_plan_on_actual_weight(weight: str = "92 kg") -> Plan:
    """:func:`example_plan` dosed on the *actual* weight, so grams follow *weight*.

    Used where a different weight must give a different plan (calendar UIDs).
    By hand, at 92 kg:

    * each 1 g/kg day is **92 g** (30 + 30 + 30 + 2 g), **920 mL** at 100 g/L;
    * taper steps 90, 75, 50 and 25 %: 82.8 → **83 g** (never below; 83 g
      is reachable, e.g. 30 + 30 + 10 + 5 + 2 × 4), **69 g**, **46 g**, **23 g**;
    * 5 × 92 + 3 × (83 + 69 + 46 + 23) = **1123 g** dispensed;
    * first rate step 1 mg/kg/min × 92 kg × 60 / 100 mg/mL = **55.2 mL/h**.
    """
    return example_plan(weight, policy="actual")


#: Day 1 of :func:`example_plan_on_actual_weight` at 92 kg (by hand, above).
ACTUAL_EXAMPLE_DISPENSED_G: Final = (
    (92.0,) * 5 + (83.0,) * 3 + (69.0,) * 3 + (46.0,) * 3 + (23.0,) * 3
)
ACTUAL_EXAMPLE_TOTAL_DISPENSED_G: Final = 1123.0
ACTUAL_EXAMPLE_DAY_ML: Final = 920.0
ACTUAL_EXAMPLE_FIRST_RATE_ML_H: Final = 55.2


@cache
def diabetic_dm_plan() -> Plan:
    """Octagam 10 % DM label regimen, 2 g/kg over 2 days × 3, actual weight.

    :func:`diabetic_woman` at 92 kg: 92 g a day (184 g a course), above the
    80 g a day that the 3-5 day split applies to.
    """
    return plan_course(
        diabetic_woman(),
        get_preset("octagam10-dm").choose(maintenance_days=2, cycles=3),
        octagam(),
        start=MONDAY,
        policy="actual",
        rounding="never-below",
        indication="dermatomyositis",
        rate_weight="dosing",
        rate_schedule=octagam_dm_schedule(),
    )


# --------------------------------------------------------------------------
# SCIg conversions (label worked figures)

#: Hizentra US label: weekly dose = IVIg dose (g) × 1.37 ÷ IVIg interval
#: (weeks). 30 g every 4 weeks: 30 × 1.37 / 4 = **10.275 g a week**, or
#: **20.55 g every 2 weeks**.
HIZENTRA_30G_WEEKLY_G: Final = 10.275
#: Cuvitru US label factor 1.30: 30 × 1.30 / 4 = **9.75 g a week**.
CUVITRU_30G_WEEKLY_G: Final = 9.75
#: HyQvia US label ramp-up for a 4-week interval at 30 g: 7.5, 15, 22.5 and
#: 30 g in weeks 1, 2, 4 and 7.
HYQVIA_RAMP_G: Final = (7.5, 15.0, 22.5, 30.0)
HYQVIA_RAMP_WEEKS: Final = (1, 2, 4, 7)


#: The parameter source of every local (not label) SC choice in the tests.
LOCAL: Final = "local protocol (test)"


@cache
def hizentra_later_limits(situation: str = "PI, later infusions") -> ScLimits:
    """Hizentra later-infusion limits (label: 25 mL and 25 mL/h per site).

    At most 4 sites at once is a local choice, not label data.
    """
    return ScLimits.from_product(
        "hizentra", situation=situation, max_sites=4, parameter_source=LOCAL
    )


@cache
def hizentra_first_infusions() -> FirstInfusions:
    """Hizentra PI first-infusion limits (label: 15 mL and 15 mL/h per site), once."""
    return FirstInfusions(
        limits=ScLimits.from_product(
            "hizentra",
            situation="PI, first infusion",
            max_sites=4,
            parameter_source=LOCAL,
        ),
        count=1,
    )


@cache
def hyqvia_limits() -> ScLimits:
    """HyQvia per-site tiers and the ≥ 40 kg daily limit (label); 300 mL/h is local."""
    return ScLimits.from_product(
        "hyqvia",
        situation=[
            "per site, 1 or 2 sites",
            "per site, 3 sites",
            "per day, patients ≥ 40 kg",
        ],
        rate_per_site="300 mL/h",
        parameter_source=LOCAL,
    )


#: The last IVIg infusion before every worked SC conversion (a Monday).
LAST_IVIG: Final = MONDAY


def hizentra_conversion(
    frequency: ScigFrequency | None = None, grams: str = "30 g"
) -> ScigDose:
    """*grams* IVIg every 4 weeks → Hizentra at the label factor 1.37.

    Weekly unless *frequency* is given; 30 g gives
    :data:`HIZENTRA_30G_WEEKLY_G` a week (by hand, above).
    """
    return convert_to_scig(
        ivig_dose=grams,
        ivig_interval="4 week",
        product="hizentra",
        rule=LabelFactor(),
        frequency=Weekly() if frequency is None else frequency,
        last_ivig=LAST_IVIG,
    )


def hyqvia_conversion(grams: str = "30 g", interval: str = "4 week") -> ScigDose:
    """*grams* IVIg every *interval* → HyQvia 1:1 at the same interval.

    30 g every 4 weeks ramps up as :data:`HYQVIA_RAMP_G` in
    :data:`HYQVIA_RAMP_WEEKS` (label).
    """
    return convert_to_scig(
        ivig_dose=grams,
        ivig_interval=interval,
        product="hyqvia",
        rule=LabelFactor(),
        frequency=SameAsIvig(),
    )
