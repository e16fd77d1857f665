"""Splitting a course into days: whole units, per-day limits, "fewest" days.

The per-day limits are tested at, below and above their boundary (the 80 g rule
is left to its own tests: it is being redesigned).

A limit is "at most": a day exactly at it meets it, anything above is refused.
"""

from __future__ import annotations

import pytest

from ivig_core import InputError, PlanningError
from ivig_core.planning.split import SplitLimits, split_course_g, split_units
from ivig_core.regimen import DayRange


def test_split_units_largest_remainder_first() -> None:
    """29 in 2: 15 + 14; 36 in 5: 8 + 7 × 4; 10 in 5: 2 each; 0 in 3: zeros."""
    assert split_units(29, 2) == (15, 14)
    assert split_units(36, 5) == (8, 7, 7, 7, 7)
    assert split_units(38, 5) == (8, 8, 8, 7, 7)
    assert split_units(10, 5) == (2, 2, 2, 2, 2)
    assert split_units(0, 3) == (0, 0, 0)
    assert split_units(7, 1) == (7,)
    for bad, field, allowed in (
        ((-1, 2), "total_units", "a whole number >= 0"),
        ((5, 0), "days", "a whole number >= 1 and <= 1000"),
    ):
        with pytest.raises(InputError) as caught:
            split_units(*bad)
        assert (caught.value.field, caught.value.allowed) == (field, allowed)


def split(
    dose: float,
    *,
    weight: float = 70.0,
    days: int | str = 2,
    low: int = 2,
    high: int = 5,
    limits: SplitLimits | None = None,
    granularity: float = 1.0,
    total: float | None = None,
) -> tuple[int, tuple[float, ...], str]:
    """(days, grams per day, reason)."""
    s = split_course_g(
        dose_g_per_kg=dose,
        weight_kg=weight,
        days=days,  # type: ignore[arg-type]
        allowed_days=DayRange(low=low, high=high),
        limits=limits or SplitLimits(),
        granularity_g=granularity,
        total_g=total,
    )
    return s.days, s.daily_g, s.reason


def test_chosen_days_and_units() -> None:
    """2 g/kg × 70 kg = 140 g over 2 days: 70 g each; in 2.5 g units too."""
    assert split(2.0) == (2, (70.0, 70.0), "2 days (chosen)")
    assert split(2.0, granularity=2.5)[1] == (70.0, 70.0)
    # 142.5 g in 5 g units over 2 days is 28.5 units: not whole, refused
    with pytest.raises(PlanningError) as caught:
        split(2.0, total=142.5, granularity=5.0)
    assert str(caught.value) == (
        "granularity: the course total 142.5 g is not a whole number of 5 g units "
        "(28.5 units); round the course total first with a rounding policy, or "
        "choose a granularity that divides it"
    )
    # 150 g in 10 g units: 15 units, 80 + 70 g
    assert split(2.0, total=150.0, granularity=10.0)[1] == (80.0, 70.0)


def test_one_day_reason_is_singular() -> None:
    """One day: "1 day (chosen)"."""
    assert split(1.0, days=1, low=1)[2] == "1 day (chosen)"


def test_fewer_units_than_days_refused() -> None:
    """5 g in 5 g units over 2 days: one unit (singular), a day would get nothing.

    10 g in 5 g units over 3 days: two units (plural), fewer than the days.
    """
    with pytest.raises(PlanningError) as caught:
        split(0.1, weight=50.0, total=5.0, granularity=5.0)
    assert str(caught.value) == (
        "granularity: 5 g in 5 g units is 1 unit, fewer than the 2 days; a day "
        "would get nothing"
    )
    with pytest.raises(PlanningError) as caught:
        split(0.2, weight=50.0, days=3, total=10.0, granularity=5.0)
    assert str(caught.value) == (
        "granularity: 10 g in 5 g units is 2 units, fewer than the 3 days; a day "
        "would get nothing"
    )


def test_max_daily_dose_at_and_above() -> None:
    """2 g/kg over 2 days is 1 g/kg/day: at a 1 g/kg/day limit, allowed.

    Over a 0.99 limit it is refused, 0.01 g/kg/day above; "fewest" then takes
    3 days (0.6667 g/kg/day).
    """
    at = SplitLimits(max_daily_dose="1 g/kg/day")
    assert split(2.0, limits=at)[0] == 2
    below = SplitLimits(max_daily_dose="0.99 g/kg/day")
    with pytest.raises(PlanningError) as caught:
        split(2.0, limits=below)
    assert str(caught.value) == (
        "no split over 2 days meets the limits: max_daily_dose: 2 g/kg over 2 days "
        "is 1 g/kg/day, 0.01 g/kg/day above the limit of 0.99 g/kg/day"
    )
    assert split(2.0, days="fewest", limits=below) == (
        3,
        (47.0, 47.0, 46.0),
        "3 days: the fewest of 2-5 days meeting the limits",
    )


def test_max_daily_grams_at_and_above() -> None:
    """140 g over 2 days is 70 g/day: at a 70 g/day limit, allowed; 69 refused."""
    assert split(2.0, limits=SplitLimits(max_daily_grams="70 g/day"))[0] == 2
    with pytest.raises(PlanningError) as caught:
        split(2.0, limits=SplitLimits(max_daily_grams="69 g/day"))
    assert str(caught.value) == (
        "no split over 2 days meets the limits: max_daily_grams: 140 g over 2 days "
        "is 70 g/day, 1 g/day above the limit of 69 g/day"
    )
    fewest = split(2.0, days="fewest", limits=SplitLimits(max_daily_grams="69 g/day"))
    assert fewest[:2] == (3, (47.0, 47.0, 46.0))


def test_fewest_none_meets_the_limits() -> None:
    """2 g/kg at 0.3 g/kg/day needs 7 days: none of 2-5 meets it."""
    with pytest.raises(PlanningError) as caught:
        split(2.0, days="fewest", limits=SplitLimits(max_daily_dose="0.3 g/kg/day"))
    assert str(caught.value) == (
        "no split over any of 2-5 days meets the limits: max_daily_dose: 2 g/kg "
        "over 5 days is 0.4 g/kg/day, 0.1 g/kg/day above the limit of 0.3 g/kg/day"
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "allowed"),
    [
        ({"dose": 0.0}, "dose", "a dose > 0 g/kg"),
        ({"dose": 2.0, "weight": 0.0}, "weight", "a dosing weight > 0 kg"),
        ({"dose": 2.0, "granularity": 0.0}, "granularity", "a mass > 0 g"),
        ({"dose": 2.0, "total": 0.0}, "total", "a course total > 0 g"),
    ],
)
def test_bad_floats_refused(kwargs: dict[str, float], field: str, allowed: str) -> None:
    """Each float input not above 0 is refused naming its field and range."""
    with pytest.raises(InputError) as caught:
        split(**kwargs)  # type: ignore[arg-type]  # dose is in kwargs
    assert (caught.value.field, caught.value.allowed) == (field, allowed)
