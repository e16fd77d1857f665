"""Taper planner: published strategies, non-increasing intensity, floor or stop."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import InputError, PlanningError
from ivig_core.planning.taper import taper_steps
from ivig_core.regimen import (
    Combined,
    DoseSteps,
    Floor,
    Hold,
    IntervalExtension,
    PercentPerInfusion,
    Stop,
    TaperStrategy,
)


def test_jnd_2023_steps_at_four_weeks() -> None:
    """90/75/50/25/0 % each 12 weeks at a 4-week interval: 3 cycles each, stop."""
    t = taper_steps(
        DoseSteps.jnd_2023(), Stop(), start_dose_g_per_kg=1.0, start_interval_days=28
    )
    assert [(s.dose_g_per_kg, s.cycles) for s in t.steps] == [
        (0.9, 3),
        (0.75, 3),
        (0.5, 3),
        (0.25, 3),
    ]
    assert t.ended == "stop"
    assert "J Neuromuscul Dis 2023" in t.source


def test_jnd_2023_at_three_weeks() -> None:
    """At a 3-week interval, each 12-week step is 4 cycles."""
    t = taper_steps(
        DoseSteps.jnd_2023(), Stop(), start_dose_g_per_kg=1.0, start_interval_days=21
    )
    assert {s.cycles for s in t.steps} == {4}


def test_hold_not_whole_intervals_refused() -> None:
    """12-week steps at a 5-week interval are refused, not rounded."""
    with pytest.raises(
        InputError,
        match=(
            r"^hold\.duration: 84 days is 2\.4 intervals of 35 days; "
            r"allowed: a whole number of 35-day intervals$"
        ),
    ):
        taper_steps(
            DoseSteps.jnd_2023(),
            Stop(),
            start_dose_g_per_kg=1.0,
            start_interval_days=35,
        )


def test_procid_of_starting_dose() -> None:
    """-25 % of the starting dose per infusion: 75, 50, 25 %, then stop."""
    t = taper_steps(
        PercentPerInfusion.procid(of="starting"),
        Stop(),
        start_dose_g_per_kg=1.0,
        start_interval_days=21,
    )
    assert [s.dose_g_per_kg for s in t.steps] == [0.75, 0.5, 0.25]
    assert all(s.cycles == 1 for s in t.steps)
    assert t.ended == "stop"


def test_procid_of_previous_to_floor() -> None:
    """-25 % of the previous dose runs to a floor, given at the floor."""
    t = taper_steps(
        PercentPerInfusion.procid(of="previous"),
        Floor.per_course(dose="0.5 g/kg", interval="3 week"),
        start_dose_g_per_kg=1.0,
        start_interval_days=21,
    )
    assert [round(s.dose_g_per_kg, 4) for s in t.steps] == [0.75, 0.5625, 0.5]
    assert t.steps[-1].at_floor
    assert t.ended == "floor"


def test_previous_percent_without_end_refused() -> None:
    """A 'previous' percentage taper with no floor or max_steps never ends."""
    with pytest.raises(
        PlanningError,
        match=r"^taper\.strategy: PercentPerInfusion\(of='previous'\) never "
        r"reaches zero; give it max_steps or end the taper at a Floor$",
    ):
        taper_steps(
            PercentPerInfusion.procid(of="previous"),
            Stop(),
            start_dose_g_per_kg=1.0,
            start_interval_days=21,
        )


def test_interval_extension() -> None:
    """4 -> 5 -> 6 -> 8 weeks keeps the dose and lowers the intensity."""
    s = IntervalExtension(
        intervals=("5 week", "6 week", "8 week"), hold=Hold(cycles=2), source="local"
    )
    t = taper_steps(s, Stop(), start_dose_g_per_kg=1.0, start_interval_days=28)
    assert [s.interval_days for s in t.steps] == [35.0, 42.0, 56.0]
    assert [s.dose_g_per_kg for s in t.steps] == [1.0, 1.0, 1.0]


def test_interval_extension_below_floor_keeps_dose_from_rising() -> None:
    """A floor under an interval step is given at the previous interval."""
    s = IntervalExtension(
        intervals=("5 week", "6 week", "8 week"), hold=Hold(cycles=2), source="local"
    )
    t = taper_steps(
        s,
        Floor(intensity="0.15 g/kg/week"),
        start_dose_g_per_kg=1.0,
        start_interval_days=28,
    )
    last = t.steps[-1]
    assert last.at_floor
    assert last.dose_g_per_kg == pytest.approx(0.9)
    assert last.interval_days == 42.0


def test_shorter_interval_than_maintenance_refused() -> None:
    """An interval shorter than the maintenance interval would raise intensity."""
    s = IntervalExtension(intervals=("3 week",), hold=Hold(cycles=1), source="x")
    with pytest.raises(
        PlanningError,
        match=r"^taper\.strategy: an interval of 3 weeks after 4 weeks would raise "
        r"the dose intensity from 0\.25 to 0\.3333 g/kg/week$",
    ):
        taper_steps(s, Stop(), start_dose_g_per_kg=1.0, start_interval_days=28)


def test_floor_above_start_refused() -> None:
    """A floor above the starting intensity would raise it: refused."""
    with pytest.raises(PlanningError, match=r"taper\.end.*above the starting"):
        taper_steps(
            DoseSteps.jnd_2023(),
            Floor(intensity="1 g/kg/week"),
            start_dose_g_per_kg=1.0,
            start_interval_days=28,
        )


def test_floor_never_reached_refused() -> None:
    """A strategy that ends above its floor is refused."""
    s = DoseSteps(fractions=(0.9,), hold=Hold(cycles=1), source="x")
    with pytest.raises(PlanningError, match=r"taper\.end.*above the floor"):
        taper_steps(
            s,
            Floor(intensity="0.01 g/kg/week"),
            start_dose_g_per_kg=1.0,
            start_interval_days=28,
        )


def test_combined_continues_from_last_step() -> None:
    """A combined taper starts each part where the previous ended."""
    c = Combined(
        parts=(
            IntervalExtension(intervals=("6 week",), hold=Hold(cycles=2), source="a"),
            DoseSteps(fractions=(0.5, 0.0), hold=Hold(cycles=1), source="b"),
        )
    )
    t = taper_steps(c, Stop(), start_dose_g_per_kg=1.0, start_interval_days=28)
    assert [(s.dose_g_per_kg, s.interval_days) for s in t.steps] == [
        (1.0, 42.0),
        (0.5, 42.0),
    ]
    assert t.source == "a; b"


def test_zero_start_refused() -> None:
    """A zero starting dose is refused."""
    with pytest.raises(
        InputError, match=r"^maintenance\.dose: got 0\.0; allowed: a dose > 0 g/kg$"
    ):
        taper_steps(
            DoseSteps.jnd_2023(),
            Stop(),
            start_dose_g_per_kg=0.0,
            start_interval_days=28,
        )


STRATEGIES: list[TaperStrategy] = [
    DoseSteps.jnd_2023(),
    DoseSteps(fractions=(1.0, 0.8, 0.6), hold=Hold(cycles=2), source="x"),
    PercentPerInfusion.procid(of="starting"),
    PercentPerInfusion(percent=10, of="previous", max_steps=6, source="x"),
    IntervalExtension(
        intervals=("5 week", "6 week", "8 week"), hold=Hold(cycles=1), source="x"
    ),
    Combined(
        parts=(
            IntervalExtension(intervals=("6 week",), hold=Hold(cycles=2), source="x"),
            PercentPerInfusion(percent=20, of="starting", source="x"),
        )
    ),
]


@given(
    strategy=st.sampled_from(STRATEGIES),
    dose=st.sampled_from([0.5, 1.0, 2.0]),
    floor_fraction=st.one_of(st.none(), st.floats(min_value=0.05, max_value=0.95)),
)
def test_intensity_non_increasing_and_ends(
    strategy: TaperStrategy, dose: float, floor_fraction: float | None
) -> None:
    """Intensity never rises and the taper ends at the floor or at stop."""
    start = dose / 4.0  # g/kg/week at 4 weeks
    end = (
        Stop()
        if floor_fraction is None
        else Floor(intensity=f"{start * floor_fraction} g/kg/week")
    )
    try:
        t = taper_steps(strategy, end, start_dose_g_per_kg=dose, start_interval_days=28)
    except PlanningError as exc:
        refused = str(exc)
    else:
        refused = ""
    if refused:
        assert "above the floor" in refused
        return
    previous = start
    for step in t.steps:
        assert step.intensity_g_per_kg_per_week <= previous * (1 + 1e-9)
        assert step.cycles >= 1
        previous = step.intensity_g_per_kg_per_week
    if floor_fraction is None:
        assert t.ended == "stop"
    else:
        assert t.ended == "floor"
        assert previous == pytest.approx(start * floor_fraction)
        assert all(
            s.intensity_g_per_kg_per_week >= start * floor_fraction * (1 - 1e-9)
            for s in t.steps
        )
