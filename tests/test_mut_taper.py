"""Taper: the timing of the first taper course, and the numbers mutation left unpinned.

Dates are worked by hand from the steps as a prescriber reads them: "the next
course comes at this dose after this interval".
"""

from __future__ import annotations

import datetime as dt

import pytest

from ivig_core import InputError, PlanningError
from ivig_core.plan import Phase
from ivig_core.planning.courses import course_list
from ivig_core.planning.taper import TaperPlan, taper_steps
from ivig_core.regimen import (
    Combined,
    DoseSteps,
    Floor,
    Hold,
    IntervalExtension,
    PercentPerInfusion,
    Regimen,
    Stop,
    Taper,
    get_preset,
)
from mutation_helpers import refused
from test_course import dm_plan
from worked import MONDAY


def _myositis(taper: Taper, cycles: int = 2) -> Regimen:
    return get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=2, maintenance_days=1, cycles=cycles, taper=taper
    )


def _extension() -> Taper:
    return Taper(
        strategy=IntervalExtension(
            intervals=("5 week", "6 week"), hold=Hold(cycles=2), source="x"
        ),
        end=Stop(),
    )


def test_interval_extension_first_course_one_extended_interval_later() -> None:
    """Every 4 weeks, then "every 5 weeks" ×2, "every 6 weeks" ×2.

    Courses start (day offsets from the induction): induction 0; maintenance
    28 and 56; the first taper course 5 weeks after the last maintenance
    course (56 + 35 = 91), then 126; the 6-week step 126 + 42 = 168, 210.
    """
    plan = dm_plan(_myositis(_extension()))
    firsts: dict[int, dt.date] = {}
    for infusion in plan.infusions:
        firsts.setdefault(infusion.cycle, infusion.date)
    offsets = [(d - MONDAY).days for d in sorted(firsts.values())]
    assert offsets == [0, 28, 56, 91, 126, 168, 210]


def test_interval_extension_gaps_in_the_course_list() -> None:
    """Each taper course has its step's interval *before* it."""
    courses, _ = course_list(_myositis(_extension()))
    assert [(c.phase, c.interval_days) for c in courses] == [
        (Phase.INDUCTION, 28.0),
        (Phase.MAINTENANCE, 28.0),
        (Phase.MAINTENANCE, 35.0),  # the last maintenance course: 5 weeks to T1
        (Phase.TAPER, 35.0),
        (Phase.TAPER, 42.0),  # the last 5-week course: 6 weeks to the next
        (Phase.TAPER, 42.0),
        (Phase.TAPER, 42.0),  # the last course keeps its own step's interval
    ]


def test_dose_steps_keep_the_maintenance_interval() -> None:
    """ProCID: "reduced by 25 % at each sequential infusion" at 4 weeks.

    The first reduced course is the next infusion, 4 weeks after the last full
    one: 1 g/kg at days 28 and 56, then 0.75 at 84, 0.5 at 112, 0.25 at 140.
    """
    taper = Taper(strategy=PercentPerInfusion.procid(of="starting"), end=Stop())
    courses, _ = course_list(_myositis(taper))
    assert [c.interval_days for c in courses] == [28.0] * 6
    assert [c.dose_g_per_kg for c in courses] == [2.0, 1.0, 1.0, 0.75, 0.5, 0.25]


def test_jnd_2023_taper_starts_one_interval_after_maintenance() -> None:
    """JND 2023 steps (90 → 75 → 50 → 25 → 0 %, 12 weeks each) at 4 weeks."""
    taper = Taper(strategy=DoseSteps.jnd_2023(), end=Stop())
    courses, plan = course_list(_myositis(taper, cycles=1))
    assert plan is not None
    assert [c.dose_g_per_kg for c in courses] == [
        2.0,
        1.0,
        *[0.9] * 3,
        *[0.75] * 3,
        *[0.5] * 3,
        *[0.25] * 3,
    ]
    assert {c.interval_days for c in courses} == {28.0}


def test_one_maintenance_cycle_takes_the_extended_gap() -> None:
    """With one maintenance cycle, that course is followed 5 weeks later."""
    courses, _ = course_list(_myositis(_extension(), cycles=1))
    assert [c.interval_days for c in courses[:3]] == [28.0, 35.0, 35.0]


# --------------------------------------------------------------------------
# taper_steps: floors, ends and refusals (intensity = dose ÷ interval in weeks)


def _steps(plan: TaperPlan) -> list[tuple[float, float, int, bool]]:
    return [
        (round(s.dose_g_per_kg, 9), s.interval_days, s.cycles, s.at_floor)
        for s in plan.steps
    ]


def test_floor_replaces_the_step_below_it() -> None:
    """1 g/kg every 4 weeks = 0.25 g/kg/week; JND steps 0.9, 0.75, 0.5.

    0.5 g/kg every 4 weeks is 0.125 g/kg/week, below a floor of 0.15: that step
    is given at the floor, 0.15 × 4 = 0.6 g/kg, and the taper ends.
    """
    t = taper_steps(
        DoseSteps.jnd_2023(),
        Floor(intensity="0.15 g/kg/week"),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert _steps(t) == [
        (0.9, 28.0, 3, False),
        (0.75, 28.0, 3, False),
        (0.6, 28.0, 3, True),
    ]
    assert t.ended == "floor"
    assert t.notes == (
        (
            "'50 % of 1 g/kg' would fall below the floor of 0.15 g/kg/week; that step "
            "is given at the floor and the taper ends there"
        ),
    )
    assert t.steps[-1].label == (
        "floor 0.15 g/kg/week: 0.6 g/kg every 4 weeks (instead of 50 % of 1 g/kg)"
    )


def test_step_exactly_at_the_floor_ends_there() -> None:
    """0.75 g/kg every 4 weeks is 0.1875 g/kg/week: at a floor of 0.1875."""
    t = taper_steps(
        DoseSteps.jnd_2023(),
        Floor(intensity="0.1875 g/kg/week"),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert _steps(t) == [(0.9, 28.0, 3, False), (0.75, 28.0, 3, True)]
    assert t.ended == "floor"
    assert t.notes == ("75 % of 1 g/kg reaches the floor 0.1875 g/kg/week",)


def test_floor_at_the_start_and_above_it() -> None:
    """A floor equal to the start intensity is allowed; above it, refused."""
    t = taper_steps(
        DoseSteps.jnd_2023(),
        Floor(intensity="0.25 g/kg/week"),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert _steps(t) == [(1.0, 28.0, 3, True)]
    with pytest.raises(PlanningError) as caught:
        taper_steps(
            DoseSteps.jnd_2023(),
            Floor(intensity="0.26 g/kg/week"),
            start_dose_g_per_kg=1.0,
            start_interval_days=28.0,
        )
    assert str(caught.value) == (
        "taper.end: the floor 0.26 g/kg/week is above the starting dose intensity "
        "0.25 g/kg/week; a taper to it would raise the intensity"
    )


def test_floor_never_reached() -> None:
    """One 90 % step (0.225 g/kg/week) never reaches a floor of 0.1."""
    with pytest.raises(PlanningError) as caught:
        taper_steps(
            DoseSteps(fractions=(0.9,), hold=Hold(cycles=1), source="x"),
            Floor(intensity="0.1 g/kg/week"),
            start_dose_g_per_kg=1.0,
            start_interval_days=28.0,
        )
    assert str(caught.value) == (
        "taper.end: the strategy ends at 0.225 g/kg/week, above the floor of "
        "0.1 g/kg/week; add steps or end at Stop()"
    )


def test_stop_step_with_a_floor_is_given_at_the_floor() -> None:
    """90 % then 0 %: the stop becomes the floor, 0.1 × 4 = 0.4 g/kg."""
    t = taper_steps(
        DoseSteps(fractions=(0.9, 0.0), hold=Hold(cycles=2), source="x"),
        Floor(intensity="0.1 g/kg/week"),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert _steps(t) == [(0.9, 28.0, 2, False), (0.4, 28.0, 2, True)]
    assert t.ended == "floor"


def test_interval_extension_past_the_floor_keeps_the_previous_interval() -> None:
    """1 g/kg: every 8 weeks is 0.125 g/kg/week, below a floor of 0.2.

    At 8 weeks the floor dose would be 1.6 g/kg, more than the 1 g/kg before: so
    the floor step is at the previous 4 weeks, 0.2 × 4 = 0.8 g/kg.
    """
    t = taper_steps(
        IntervalExtension(intervals=("8 week",), hold=Hold(cycles=2), source="x"),
        Floor(intensity="0.2 g/kg/week"),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert _steps(t) == [(0.8, 28.0, 2, True)]
    assert t.steps[0].label == (
        "floor 0.2 g/kg/week: 0.8 g/kg every 4 weeks (instead of 1 g/kg every 8 weeks)"
    )


def test_previous_percent_with_a_floor() -> None:
    """−25 % of the previous dose: 0.75, 0.5625, 0.421875, 0.31640625 g/kg.

    At 4 weeks their intensities are 0.1875, 0.140625, 0.10546875 and
    0.0791015625 g/kg/week; the fourth is below 0.1: 0.4 g/kg at the floor.
    """
    t = taper_steps(
        PercentPerInfusion.procid(of="previous"),
        Floor(intensity="0.1 g/kg/week"),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert _steps(t) == [
        (0.75, 28.0, 1, False),
        (0.5625, 28.0, 1, False),
        (0.421875, 28.0, 1, False),
        (0.4, 28.0, 1, True),
    ]
    assert t.steps[1].label == "−25 % of the previous dose (step 2)"


def test_previous_percent_max_steps_and_never_ending() -> None:
    """max_steps=2 stops after 0.75 and 0.5625; with neither, refused."""
    t = taper_steps(
        PercentPerInfusion(percent=25, of="previous", max_steps=2, source="x"),
        Stop(),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert _steps(t) == [(0.75, 28.0, 1, False), (0.5625, 28.0, 1, False)]
    assert t.notes == ("treatment stops after the strategy's last step",)
    with pytest.raises(PlanningError) as caught:
        taper_steps(
            PercentPerInfusion.procid(of="previous"),
            Stop(),
            start_dose_g_per_kg=1.0,
            start_interval_days=28.0,
        )
    assert str(caught.value) == (
        "taper.strategy: PercentPerInfusion(of='previous') never reaches zero; "
        "give it max_steps or end the taper at a Floor"
    )


def test_starting_percent_labels_and_stop() -> None:
    """−25 % of the starting dose: 75, 50, 25 %, then 0: stop after step 3."""
    t = taper_steps(
        PercentPerInfusion.procid(of="starting"),
        Stop(),
        start_dose_g_per_kg=2.0,
        start_interval_days=21.0,
    )
    assert _steps(t) == [
        (1.5, 21.0, 1, False),
        (1.0, 21.0, 1, False),
        (0.5, 21.0, 1, False),
    ]
    assert t.steps[0].label == "−25 % of 2 g/kg (step 1)"
    assert t.notes == (
        "−100 % of 2 g/kg (step 4): stop: treatment stops after the previous step",
    )


def test_interval_labels_in_weeks_or_days() -> None:
    """35 days reads "5 weeks"; 38 days reads "38 days"."""
    t = taper_steps(
        IntervalExtension(
            intervals=("35 day", "38 day"), hold=Hold(cycles=1), source="x"
        ),
        Stop(),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert [s.label for s in t.steps] == [
        "1 g/kg every 5 weeks",
        "1 g/kg every 38 days",
    ]


def test_shorter_interval_refused_with_intensities() -> None:
    """3 weeks after 4 raises 0.25 to 0.3333 g/kg/week."""
    with pytest.raises(PlanningError) as caught:
        taper_steps(
            IntervalExtension(intervals=("3 week",), hold=Hold(cycles=1), source="x"),
            Stop(),
            start_dose_g_per_kg=1.0,
            start_interval_days=28.0,
        )
    assert str(caught.value) == (
        "taper.strategy: an interval of 3 weeks after 4 weeks would raise the dose "
        "intensity from 0.25 to 0.3333 g/kg/week"
    )


def test_combined_parts_start_where_the_last_ended() -> None:
    """6 weeks ×2, then 50 % of the 1 g/kg at 6 weeks ×2, then stop."""
    t = taper_steps(
        Combined(
            parts=(
                IntervalExtension(
                    intervals=("6 week",), hold=Hold(cycles=2), source="a"
                ),
                DoseSteps(fractions=(0.5, 0.0), hold=Hold(cycles=2), source="b"),
            )
        ),
        Stop(),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert _steps(t) == [(1.0, 42.0, 2, False), (0.5, 42.0, 2, False)]
    assert t.source == "a; b"


@pytest.mark.parametrize(
    ("dose", "interval", "field", "allowed"),
    [
        (0.0, 28.0, "maintenance.dose", "a dose > 0 g/kg"),
        (float("inf"), 28.0, "maintenance.dose", "a dose > 0 g/kg (finite)"),
        (1.0, 0.0, "maintenance.interval", "an interval >= 1 day"),
        (1.0, float("nan"), "maintenance.interval", "an interval >= 1 day (finite)"),
    ],
)
def test_start_refused(dose: float, interval: float, field: str, allowed: str) -> None:
    """A start dose or interval not above 0 (or not finite) names its field."""
    with pytest.raises(InputError) as caught:
        taper_steps(
            DoseSteps.jnd_2023(),
            Stop(),
            start_dose_g_per_kg=dose,
            start_interval_days=interval,
        )
    assert (caught.value.field, caught.value.allowed) == (field, allowed)


def test_step_raising_intensity_refused() -> None:
    """A dose step above 100 % would raise the intensity."""
    with pytest.raises(InputError):
        DoseSteps(fractions=(1.1,), hold=Hold(cycles=1), source="x")


# --------------------------------------------------------------------------
# Ends: every way a taper ends keeps its strategy's source


def test_every_ending_keeps_the_strategy_source() -> None:
    """Each way to end names the strategy's source ("x").

    Stop after the last step, a 0 % stop, a step at the floor, a step below it,
    a stop given at the floor.
    """
    one = DoseSteps(fractions=(0.5,), hold=Hold(cycles=1), source="x")
    stops = DoseSteps(fractions=(0.5, 0.0), hold=Hold(cycles=1), source="x")
    start = {"start_dose_g_per_kg": 1.0, "start_interval_days": 28.0}
    # 0.5 g/kg every 4 weeks is 0.125 g/kg/week
    ends = [
        taper_steps(one, Stop(), **start),  # after the strategy's last step
        taper_steps(stops, Stop(), **start),  # at the 0 % step
        taper_steps(one, Floor(intensity="0.125 g/kg/week"), **start),  # at it
        taper_steps(one, Floor(intensity="0.2 g/kg/week"), **start),  # below it
        taper_steps(stops, Floor(intensity="0.1 g/kg/week"), **start),  # stop
    ]
    assert [(t.ended, t.source) for t in ends] == [
        ("stop", "x"),
        ("stop", "x"),
        ("floor", "x"),
        ("floor", "x"),
        ("floor", "x"),
    ]


def test_dose_step_stop_label() -> None:
    """A 0 % step reads "0 % of 1 g/kg: stop", in the note and the floor step."""
    stops = DoseSteps(fractions=(0.5, 0.0), hold=Hold(cycles=1), source="x")
    t = taper_steps(stops, Stop(), start_dose_g_per_kg=1.0, start_interval_days=28.0)
    assert t.notes == ("0 % of 1 g/kg: stop: treatment stops after the previous step",)
    t = taper_steps(
        stops,
        Floor(intensity="0.1 g/kg/week"),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert t.steps[-1].label == (
        "floor 0.1 g/kg/week: 0.4 g/kg every 4 weeks (instead of 0 % of 1 g/kg: stop)"
    )


def test_floor_step_dose_is_floor_times_interval_in_weeks() -> None:
    """A low floor: 0.001 g/kg/week × 4 weeks = 0.004 g/kg at the 0 % step.

    (Far below the previous 0.9 g/kg, so the dose is not capped by it.)
    """
    t = taper_steps(
        DoseSteps(fractions=(0.9, 0.0), hold=Hold(cycles=2), source="x"),
        Floor(intensity="0.001 g/kg/week"),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert _steps(t) == [(0.9, 28.0, 2, False), (0.004, 28.0, 2, True)]


def test_starting_percent_reaching_zero_above_the_floor() -> None:
    """ProCID −25 % of the start: 0.75, 0.5, 0.25 g/kg every 4 weeks.

    The lowest, 0.0625 g/kg/week, is above a floor of 0.01; the next step is
    0 % (stop), given at the floor: 0.01 × 4 = 0.04 g/kg, for one infusion, at
    the same 4 weeks.
    """
    t = taper_steps(
        PercentPerInfusion.procid(of="starting"),
        Floor(intensity="0.01 g/kg/week"),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert _steps(t) == [
        (0.75, 28.0, 1, False),
        (0.5, 28.0, 1, False),
        (0.25, 28.0, 1, False),
        (0.04, 28.0, 1, True),
    ]
    assert t.ended == "floor"


def test_interval_extension_equal_interval_and_hold_by_duration() -> None:
    """An extension to the same 4 weeks keeps the intensity: allowed.

    A hold of 12 weeks lasts 3 courses at 4 weeks, 2 at 6 weeks.
    """
    t = taper_steps(
        IntervalExtension(
            intervals=("4 week", "6 week"),
            hold=Hold(duration="12 week"),
            source="x",
        ),
        Stop(),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert _steps(t) == [(1.0, 28.0, 3, False), (1.0, 42.0, 2, False)]


def test_combined_part_reaches_the_floor() -> None:
    """6 weeks, then −25 % of the previous dose, ending at a floor of 0.1.

    1 g/kg every 6 weeks (0.1667 g/kg/week); 0.75 g/kg (0.125); 0.5625 g/kg
    would be 0.09375 g/kg/week, below 0.1: the floor, 0.1 × 6 = 0.6 g/kg. (The
    'previous' part ends only because the floor reaches into the Combined.)
    """
    t = taper_steps(
        Combined(
            parts=(
                IntervalExtension(
                    intervals=("6 week",), hold=Hold(cycles=1), source="a"
                ),
                PercentPerInfusion(percent=25, of="previous", source="b"),
            )
        ),
        Floor(intensity="0.1 g/kg/week"),
        start_dose_g_per_kg=1.0,
        start_interval_days=28.0,
    )
    assert _steps(t) == [
        (1.0, 42.0, 1, False),
        (0.75, 42.0, 1, False),
        (0.6, 42.0, 1, True),
    ]
    assert t.source == "a; b"


def test_start_interval_of_one_day_at_the_bound() -> None:
    """The bound is "an interval >= 1 day": 1 day is accepted, 0.5 day refused."""
    t = taper_steps(
        DoseSteps(fractions=(0.5,), hold=Hold(cycles=1), source="x"),
        Stop(),
        start_dose_g_per_kg=1.0,
        start_interval_days=1.0,
    )
    assert _steps(t) == [(0.5, 1.0, 1, False)]
    with refused("maintenance.interval", 0.5, "an interval >= 1 day"):
        taper_steps(
            DoseSteps.jnd_2023(),
            Stop(),
            start_dose_g_per_kg=1.0,
            start_interval_days=0.5,
        )


def test_strategy_and_end_refused_in_full() -> None:
    """Not a strategy, not an end: the field, the value and what is allowed."""
    with refused("strategy", "x", "a taper strategy of ivig_core.regimen"):
        taper_steps(
            "x",  # type: ignore[arg-type]
            Stop(),
            start_dose_g_per_kg=1.0,
            start_interval_days=28.0,
        )
    with refused("end", "stop", "Floor or Stop"):
        taper_steps(
            DoseSteps.jnd_2023(),
            "stop",  # type: ignore[arg-type]
            start_dose_g_per_kg=1.0,
            start_interval_days=28.0,
        )
