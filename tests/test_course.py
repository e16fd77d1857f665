"""Course planner: the seeds' regimens as worked examples, properties, refusals."""

from __future__ import annotations

import datetime as dt
import pickle
from functools import cache

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import Q_, InputError, Patient, PlanningError
from ivig_core.infusion import rate_schedule
from ivig_core.io.text import explain
from ivig_core.plan import Phase, Plan
from ivig_core.planning.calendar import ClosedDays
from ivig_core.planning.course import plan_course
from ivig_core.planning.split import EightyGramRule, SplitLimits
from ivig_core.products import get_product
from ivig_core.rates import RateSchedule
from ivig_core.regimen import (
    DayRange,
    DoseSteps,
    Hold,
    Induction,
    IntervalExtension,
    Maintenance,
    Regimen,
    Stop,
    Taper,
    get_preset,
)
from ivig_core.trace import Trace
from worked import MONDAY, octagam, octagam_dm_schedule, woman


@cache
def cidp_schedule() -> RateSchedule:
    """Gamunex-C CIDP ramp 2 -> 8 mg/kg/min; step size and time are local."""
    return rate_schedule(
        get_product("gamunex-c"), "cidp", increment="2 mg/kg/min", interval="30 min"
    )


def dm_plan(
    regimen: Regimen,
    who: Patient | None = None,
    *,
    start: dt.date = MONDAY,
    limits: SplitLimits | None = None,
    closed: ClosedDays | None = None,
) -> Plan:
    """Plan *regimen* with Octagam 10 % on actual weight, never below."""
    return plan_course(
        who or woman("70 kg"),
        regimen,
        octagam(),
        start=start,
        policy="actual",
        rounding="never-below",
        indication="dermatomyositis",
        rate_weight="dosing",
        rate_schedule=octagam_dm_schedule(),
        limits=limits,
        closed=closed,
    )


def grams(plan: Plan) -> list[tuple[str, float, float]]:
    """(date, calculated g, dispensed g) per infusion."""
    return [
        (i.date.isoformat(), round(i.calculated_g, 6), i.dispensed_g)
        for i in plan.infusions
    ]


def test_seed_004_seventy_kg() -> None:
    """Seed 004 at 70 kg: 70 g on day 1 and day 2, every 4 weeks."""
    plan = dm_plan(get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=3))
    assert grams(plan) == [
        ("2026-01-05", 70.0, 70.0),
        ("2026-01-06", 70.0, 70.0),
        ("2026-02-02", 70.0, 70.0),
        ("2026-02-03", 70.0, 70.0),
        ("2026-03-02", 70.0, 70.0),
        ("2026-03-03", 70.0, 70.0),
    ]
    assert [c.dispensed_g for c in plan.cycles] == [140.0, 140.0, 140.0]
    assert plan.total_dispensed_g == 420.0
    assert {i.phase for i in plan.infusions} == {Phase.MAINTENANCE}
    assert plan.infusions[0].volume_ml == 700.0
    assert plan.ended == "cycles"


def test_seed_004_with_privigen_vials_rounds_up_and_says_so() -> None:
    """Privigen's 5, 10, 20 and 40 g vials: 2 x 69 g (138 g) is dispensed as 2 x 70 g.

    138 g rounds up to the next 5 g, 140 g (+2 g), split in 5 g units: 70 g a day.
    """
    privigen = get_product("privigen")
    plan = plan_course(
        woman("69 kg"),
        get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1),
        privigen,
        start=MONDAY,
        policy="actual",
        rounding="never-below",
        indication="cidp",
        rate_weight="dosing",
        rate_schedule=rate_schedule(
            privigen, "cidp", increment="1 mg/kg/min", interval="30 min"
        ),
    )
    assert grams(plan) == [("2026-01-05", 69.0, 70.0), ("2026-01-06", 69.0, 70.0)]
    assert "+2 g" in explain(plan)


def test_seed_004_eighty_gram_rule_ninety_kg() -> None:
    """Seed 004 at 90 kg: 90 g/day > 80 g, so 5 days of 36 g (0.4 g/kg/day)."""
    plan = dm_plan(
        get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1),
        woman("90 kg"),
        limits=SplitLimits(eighty_gram_rule=EightyGramRule(applies_to="day")),
    )
    assert grams(plan) == [
        ("2026-01-05", 36.0, 36.0),
        ("2026-01-06", 36.0, 36.0),
        ("2026-01-07", 36.0, 36.0),
        ("2026-01-08", 36.0, 36.0),
        ("2026-01-09", 36.0, 36.0),
    ]
    assert all(i.dose_g_per_kg == pytest.approx(0.4) for i in plan.infusions)
    assert any("80 g rule" in note for note in plan.notes)


def test_seed_000_myositis_course() -> None:
    """Seed 000: 2 g/kg over 3 days, then 1 g/kg every 4 weeks from day 1."""
    regimen = get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=3, maintenance_days=1, cycles=3
    )
    plan = dm_plan(regimen)
    assert grams(plan) == [
        ("2026-01-05", pytest.approx(46.666667), 47.0),
        ("2026-01-06", pytest.approx(46.666667), 47.0),
        ("2026-01-07", pytest.approx(46.666667), 46.0),
        ("2026-02-02", 70.0, 70.0),
        ("2026-03-02", 70.0, 70.0),
        ("2026-03-30", 70.0, 70.0),
    ]
    assert [c.phase for c in plan.cycles] == [
        Phase.INDUCTION,
        Phase.MAINTENANCE,
        Phase.MAINTENANCE,
        Phase.MAINTENANCE,
    ]
    assert plan.cycles[0].dispensed_g == 140.0


def test_octagam_dm_fewest_days_under_cap() -> None:
    """Octagam DM 2 g/kg at 70 kg with a 60 g/day cap: 3 days, every 4 weeks."""
    regimen = get_preset("octagam10-dm").choose(maintenance_days="fewest", cycles=2)
    plan = dm_plan(regimen, limits=SplitLimits(max_daily_grams="60 g/day"))
    assert [(i.date.isoformat(), i.dispensed_g) for i in plan.infusions] == [
        ("2026-01-05", 47.0),
        ("2026-01-06", 47.0),
        ("2026-01-07", 46.0),
        ("2026-02-02", 47.0),
        ("2026-02-03", 47.0),
        ("2026-02-04", 46.0),
    ]


def test_cidp_ice() -> None:
    """ICE at 70 kg: 2 x 70 g load, then 70 g every 3 weeks, 7 times."""
    regimen = get_preset("cidp-ice").choose(induction_days=2, maintenance_days=1)
    plan = plan_course(
        woman("70 kg"),
        regimen,
        "gamunex-c",
        start=MONDAY,
        policy="actual",
        rounding="never-below",
        indication="cidp",
        rate_weight="actual",
        rate_schedule=cidp_schedule(),
    )
    dates = [i.date for i in plan.infusions]
    assert dates[:2] == [MONDAY, MONDAY + dt.timedelta(days=1)]
    assert dates[2:] == [MONDAY + dt.timedelta(weeks=3 * k) for k in range(1, 8)]
    assert [i.dispensed_g for i in plan.infusions] == [70.0] * 9
    assert plan.total_calculated_g == pytest.approx(630.0)


def test_taper_after_maintenance() -> None:
    """The J Neuromuscul Dis 2023 steps follow maintenance, then stop."""
    regimen = get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=2,
        maintenance_days=1,
        cycles=1,
        taper=Taper(strategy=DoseSteps.jnd_2023(), end=Stop()),
    )
    plan = dm_plan(regimen)
    taper = [c for c in plan.cycles if c.phase is Phase.TAPER]
    assert [c.dose_g_per_kg for c in taper] == [0.9] * 3 + [0.75] * 3 + [0.5] * 3 + [
        0.25
    ] * 3
    assert [c.calculated_g for c in taper[::3]] == pytest.approx([63, 52.5, 35, 17.5])
    assert [c.dispensed_g for c in taper[::3]] == [63.0, 53.0, 35.0, 18.0]
    assert taper[0].start == dt.date(2026, 3, 2)  # 4 weeks after maintenance
    assert plan.ended == "stop"
    text = explain(plan)
    assert "taper = 4 steps, ends at stop" in text
    assert "J Neuromuscul Dis 2023" in text
    assert "Ends: at stop" in text
    intensities = [c.intensity_g_per_kg_per_week for c in plan.cycles[1:]]
    assert intensities == sorted(intensities, reverse=True)


def test_closed_days_move_whole_course() -> None:
    """A course planned over a weekend moves whole, and the plan says so."""
    friday = dt.date(2026, 1, 9)
    plan = dm_plan(
        get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=2),
        start=friday,
        closed=ClosedDays.weekends(),
    )
    assert [i.date.isoformat() for i in plan.infusions] == [
        "2026-01-12",
        "2026-01-13",
        "2026-02-09",
        "2026-02-10",
    ]
    assert plan.cycles[0].moved_days == 3
    assert "moved 3 days from 2026-01-09 to 2026-01-12" in plan.notes[0]


def test_explain_traces_every_number() -> None:
    """explain(plan) gives formula, inputs and source for the numbers."""
    text = explain(dm_plan(get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=2)))
    for needle in (
        "dosing weight = 70.00 kg (actual)",
        "course 1 (maintenance) calculated = 140.00 g",
        "2 g/kg (maintenance 2 g/kg) × 70.00 kg",
        "course 2 (maintenance) grams = as course 1",
        "infusion of 70 g = 700 mL",
        "Regimen source: AI-generated summary (droracle.ai)",
        "source:",
        "formula:",
    ):
        assert needle in text


def test_plans_are_deterministic() -> None:
    """Equal inputs give equal plans and equal explanations."""
    regimen = get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=5, maintenance_days=2, cycles=2
    )
    first, second = dm_plan(regimen), dm_plan(regimen)
    assert first == second
    assert explain(first) == explain(second)


@given(
    kg=st.floats(min_value=40.0, max_value=140.0),
    cm=st.floats(min_value=150.0, max_value=200.0),
)
def test_lb_in_and_kg_cm_give_the_same_plan(kg: float, cm: float) -> None:
    """The same patient in lb/in and kg/cm gives the same plan; replans are equal."""
    metric = Patient(
        sex="male", age="50 year", height=Q_(cm, "cm"), weight=Q_(kg, "kg")
    )
    imperial = Patient(
        sex="male",
        age="50 year",
        height=Q_(cm, "cm").to("inch"),
        weight=Q_(kg, "kg").to("lb"),
    )
    regimen = get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=2, maintenance_days=1, cycles=2
    )
    try:
        a = dm_plan(regimen, metric)
    except PlanningError:
        with pytest.raises(PlanningError):
            dm_plan(regimen, imperial)
        return
    b = dm_plan(regimen, imperial)
    assert a == dm_plan(regimen, metric)
    assert a.dates == b.dates
    assert [i.dispensed_g for i in a.infusions] == [i.dispensed_g for i in b.infusions]
    assert [i.calculated_g for i in a.infusions] == pytest.approx(
        [i.calculated_g for i in b.infusions], rel=1e-9
    )


def test_open_choices_refused() -> None:
    """A regimen whose ranges are still open is refused, naming the choices."""
    with pytest.raises(
        InputError,
        match=(
            r"^regimen: choices still open in 'myositis-2gkg-then-1gkg-4w': "
            r"induction_days \(allowed 2-5 days\); .*; allowed: a regimen with every "
            r"choice made \(Regimen\.choose\(\.\.\.\)\)$"
        ),
    ):
        dm_plan(get_preset("myositis-2gkg-then-1gkg-4w"))


def test_zero_dose_refused() -> None:
    """A zero maintenance dose is refused where the regimen is built."""
    with pytest.raises(
        InputError, match=r"^maintenance\.dose: 0 g/kg; allowed: a value > 0 g/kg$"
    ):
        attrs.evolve(get_preset("octagam10-dm").maintenance, dose="0 g/kg")  # type: ignore[misc]


def test_impossible_cap_refused() -> None:
    """A daily cap no allowed split meets is refused with the excess."""
    regimen = get_preset("octagam10-dm").choose(maintenance_days="fewest", cycles=1)
    with pytest.raises(PlanningError, match=r"max_daily_grams.*above the limit"):
        dm_plan(regimen, limits=SplitLimits(max_daily_grams="20 g/day"))


def test_rule_course_longer_than_interval_refused() -> None:
    """A course the 80 g rule stretches past the interval is refused."""
    regimen = Regimen(
        name="tight",
        maintenance=Maintenance(
            dose="2 g/kg",
            interval="4 day",
            allowed_days=DayRange.exactly(2),
            days=2,
            allowed_cycles=DayRange(low=1),
            cycles=2,
            source="test",
        ),
        source="test",
    )
    with pytest.raises(PlanningError, match=r"interval.*overlap"):
        dm_plan(
            regimen,
            woman("90 kg"),
            limits=SplitLimits(eighty_gram_rule=EightyGramRule(applies_to="day")),
        )


def test_taper_raising_intensity_refused() -> None:
    """A taper that would shorten the interval (raise intensity) is refused."""
    regimen = get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=2,
        maintenance_days=1,
        cycles=1,
        taper=Taper(
            strategy=IntervalExtension(
                intervals=("3 week",), hold=Hold(cycles=1), source="x"
            ),
            end=Stop(),
        ),
    )
    with pytest.raises(PlanningError, match="raise the dose intensity"):
        dm_plan(regimen)


_ALLOWED = {
    "start": r"a datetime\.date \(not a datetime\)$",
    "rate_weight": r"'dosing' or 'actual': the weight per-kg infusion rates",
    "policy": r"one of \['actual', 'ideal', 'ideal-or-actual', 'adjusted',",
    "product": r"one of \['asceniv', 'bivigam', 'cuvitru', 'gammagard-liquid',",
    "limits": r"a SplitLimits or None$",
}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start": dt.datetime(2026, 1, 5, 9, 0)}, "start"),  # noqa: DTZ001
        ({"rate_weight": "ideal"}, "rate_weight"),
        ({"policy": "heaviest"}, "policy"),
        ({"product": "no such product"}, "product"),
        ({"limits": "80 g"}, "limits"),
    ],
)
def test_bad_arguments_refused(changes: dict[str, object], field: str) -> None:
    """Bad arguments are library errors naming the field."""
    arguments: dict[str, object] = {
        "start": MONDAY,
        "policy": "actual",
        "rounding": "never-below",
        "indication": "dermatomyositis",
        "rate_weight": "dosing",
        "rate_schedule": octagam_dm_schedule(),
        "product": octagam(),
    }
    arguments.update(changes)
    product = arguments.pop("product")
    with pytest.raises(InputError, match=rf"^{field}: .*; allowed: {_ALLOWED[field]}"):
        plan_course(
            woman("70 kg"),
            get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1),
            product,  # type: ignore[arg-type]
            **arguments,  # type: ignore[arg-type]
        )


def test_plan_is_frozen() -> None:
    """A plan is immutable."""
    plan = dm_plan(get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        plan.notes = ()  # type: ignore[misc]


REGIMENS: list[Regimen] = [
    get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=2),
    get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=3,
        maintenance_days=1,
        cycles=2,
        taper=Taper(strategy=DoseSteps.jnd_2023(), end=Stop()),
    ),
    get_preset("octagam10-dm").choose(maintenance_days="fewest", cycles=3),
]


@given(
    kg=st.floats(min_value=40.0, max_value=140.0),
    regimen=st.sampled_from(REGIMENS),
    start=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2030, 1, 1)),
    weekends=st.booleans(),
    rule=st.sampled_from([None, "day", "course"]),
)
def test_plan_totals_calendar_and_intensity(
    kg: float, regimen: Regimen, start: dt.date, weekends: bool, rule: str | None
) -> None:
    """Totals add up, courses never overlap, intervals hold, intensity never rises."""
    limits = SplitLimits(
        eighty_gram_rule=None if rule is None else EightyGramRule(applies_to=rule)
    )
    closed = ClosedDays.weekends() if weekends else None
    try:
        plan = dm_plan(
            regimen, woman(f"{kg} kg"), start=start, limits=limits, closed=closed
        )
    except PlanningError as exc:
        refused = str(exc)
    else:
        refused = ""
    if refused:
        assert "limit" in refused or "vials" in refused or "overlap" in refused
        return
    assert plan.infusions[0].date >= start
    for cycle in plan.cycles:
        days = plan.in_cycle(cycle.number)
        assert len(days) == cycle.days
        assert sum(i.dispensed_g for i in days) == pytest.approx(cycle.dispensed_g)
        assert sum(i.calculated_g for i in days) == pytest.approx(cycle.calculated_g)
        assert cycle.calculated_g == pytest.approx(cycle.dose_g_per_kg * kg)
        assert [i.date for i in days] == [
            cycle.start + dt.timedelta(days=d) for d in range(cycle.days)
        ]
        if closed is not None:
            assert not any(closed(i.date) for i in days)
    for here, there in zip(plan.cycles, plan.cycles[1:], strict=False):
        assert here.start + dt.timedelta(days=here.days - 1) < there.start
        assert (there.start - here.start).days >= here.interval_days
        assert there.planned_start == here.start + dt.timedelta(days=here.interval_days)
    after_induction = [c for c in plan.cycles if c.phase is not Phase.INDUCTION]
    intensities = [c.intensity_g_per_kg_per_week for c in after_induction]
    assert intensities == sorted(intensities, reverse=True)
    assert plan.total_dispensed_g == pytest.approx(
        sum(c.dispensed_g for c in plan.cycles)
    )


def test_planner_checks_hold_with_validators_disabled() -> None:
    """The planner's limits hold even when attrs validators are switched off."""
    regimen = get_preset("octagam10-dm").choose(maintenance_days="fewest", cycles=1)
    with (
        attrs.validators.disabled(),
        pytest.raises(
            PlanningError,
            match=r"^no split over any of 2-5 days meets the limits: "
            r"max_daily_grams: 140 g over 5 days",
        ),
    ):
        dm_plan(regimen, limits=SplitLimits(max_daily_grams="20 g/day"))


def test_refusal_leaves_inputs_unchanged() -> None:
    """A refused plan leaves its inputs as they were (nothing half-built)."""
    regimen = get_preset("octagam10-dm").choose(maintenance_days="fewest", cycles=1)
    before = attrs.evolve(regimen)
    with pytest.raises(PlanningError):
        dm_plan(regimen, limits=SplitLimits(max_daily_grams="20 g/day"))
    assert regimen == before
    assert dm_plan(regimen).cycles[0].days == 2


def test_course_above_vial_ceiling_refused() -> None:
    """A course total above the vial selection's ceiling is a planning error."""
    regimen = get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=5, maintenance_days=1, cycles=1
    )
    assert regimen.induction is not None
    heavier = attrs.evolve(regimen.induction, dose="2.5 g/kg")
    with pytest.raises(
        PlanningError, match=r"course: induction 2.5 g/kg.*above the 1300 g"
    ):
        dm_plan(attrs.evolve(regimen, induction=heavier), woman("600 kg"))


def test_induction_only_regimen() -> None:
    """A single induction course (no maintenance) is planned on its own."""
    regimen = Regimen(
        name="itp-like",
        induction=Induction.from_daily(daily_dose="1 g/kg/day", days=2, source="test"),
        source="test",
    )
    plan = dm_plan(regimen)
    assert [i.dispensed_g for i in plan.infusions] == [70.0, 70.0]
    assert plan.cycles[0].interval_days == 2.0
    assert plan.ended == "cycles"


def test_unequal_days_are_noted() -> None:
    """Days that get unequal amounts are said in the notes.

    61 kg x 1 g/kg x 2 days = 122 g, never below → 125 g: 25 units of 5 g (the
    greatest common divisor of Privigen's 5, 10, 20, 40 g) over 2 days is 13 and
    12 units, 65 g and 60 g.
    """
    privigen = get_product("privigen")
    schedule = rate_schedule(
        privigen, "cidp", increment="1 mg/kg/min", interval="30 min"
    )
    plan = plan_course(
        woman("61 kg"),
        get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1),
        privigen,
        start=MONDAY,
        policy="actual",
        rounding="never-below",
        indication="cidp",
        rate_weight="dosing",
        rate_schedule=schedule,
    )
    assert [i.dispensed_g for i in plan.infusions] == [65.0, 60.0]
    assert any("unequal amounts (65 g, 60 g)" in note for note in plan.notes)


def test_trace_records_are_compact_and_read_as_plain_ones() -> None:
    """A plan's course and day lines are written when read, equal to plain ones."""
    plan = dm_plan(get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=3))
    deferred = [t for t in plan.trace if type(t) is not Trace]
    assert deferred
    for record in deferred:
        plain = Trace(
            what=record.what,
            value=record.value,
            formula=record.formula,
            inputs=record.inputs,
            source=record.source,
        )
        assert record == plain
        assert plain == record
        assert hash(record) == hash(plain)
        assert repr(record) == repr(plain)
        copy = pickle.loads(pickle.dumps(record))  # noqa: S301 - our own bytes
        assert type(copy) is Trace
        assert copy == record
    assert pickle.loads(pickle.dumps(plan)) == plan  # noqa: S301 - our own bytes
