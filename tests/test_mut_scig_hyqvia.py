"""The HyQvia ramp-up, worked by hand from the label's table.

HyQvia US PI (hyqvia-uspi), ramp-up example for 30 g every 4 weeks: "week 1 a
1-week dose (7.5 g); week 2 a 2-week dose (15 g); week 4 a 3-week dose
(22.5 g); week 7 a 4-week dose (30 g)", the 4th infusion marked "(if
required)": a 3-week interval reaches its full dose at the week-4 infusion.
"""

from __future__ import annotations

import math

import pytest

from ivig_core import Q_, UnitError
from ivig_core.scig import HyqviaRampStep, hyqvia_ramp_up
from ivig_core.scig.hyqvia import hyqvia_ramp_up_values
from mutation_helpers import refused


_ALLOWED = (
    "3 week or 4 week: the HyQvia US prescribing information's ramp-up table "
    "covers a 4-week interval (its 4th infusion 'if required', so 3 weeks too); "
    "other intervals (and the CIDP ramp) are not confirmed"
)


def test_three_week_interval_stops_at_the_three_week_dose() -> None:
    """30 g every 3 weeks: 10 g a week; 10 g week 1, 20 g week 2, 30 g week 4."""
    assert hyqvia_ramp_up_values(30.0, 3.0) == (
        (1, 1, 10.0),
        (2, 2, 20.0),
        (4, 3, 30.0),
    )
    steps = hyqvia_ramp_up(full_dose="30 g", interval="21 day")
    assert [(s.week, s.weeks_of_dose, s.dose) for s in steps] == [
        (1, 1, 10.0),
        (2, 2, 20.0),
        (4, 3, 30.0),
    ]
    assert [s.interval_weeks for s in steps] == [3, 3, 3]
    assert [s.is_full for s in steps] == [False, False, True]
    assert [s.day_offset for s in steps] == [0, 7, 21]


def test_four_week_interval_g_per_kg() -> None:
    """0.4 g/kg every 4 weeks: 0.1 g/kg a week; 0.1, 0.2, 0.3, 0.4 g/kg."""
    values = hyqvia_ramp_up_values(0.4, 4.0)
    assert [(w, n) for w, n, _ in values] == [(1, 1), (2, 2), (4, 3), (7, 4)]
    assert [d for _, _, d in values] == pytest.approx([0.1, 0.2, 0.3, 0.4])
    steps = hyqvia_ramp_up(full_dose="0.4 g/kg", interval="4 week")
    assert [s.interval_weeks for s in steps] == [4, 4, 4, 4]
    assert [s.day_offset for s in steps] == [0, 7, 21, 42]  # weeks 1, 2, 4, 7


def test_step_defaults_and_full_flag() -> None:
    """A step's interval defaults to the table's 4 weeks; week 7 holds 4 weeks."""
    step = HyqviaRampStep(week=7, weeks_of_dose=4, dose=30.0, unit="g")
    assert step.interval_weeks == 4
    assert step.is_full
    assert step.day_offset == 42
    assert not HyqviaRampStep(week=4, weeks_of_dose=3, dose=22.5, unit="g").is_full


def test_interval_within_float_slack_is_the_table_interval() -> None:
    """4 weeks × (1 ± 5e-10) is 4 weeks (REL_TOL 1e-9); × (1 + 5e-9) is not."""
    assert len(hyqvia_ramp_up_values(30.0, 4.0 * (1 + 5e-10))) == 4
    assert len(hyqvia_ramp_up_values(30.0, 3.0 * (1 - 5e-10))) == 3
    with refused(
        "interval",
        "4.00000002 week",
        _ALLOWED,
        "no labelled ramp-up is recorded for a 4.00000002-week interval",
    ):
        hyqvia_ramp_up_values(30.0, 4.0 * (1 + 5e-9))


@pytest.mark.parametrize("weeks", [2.0, 2.9, 3.1, 3.5, 3.9, 4.1, 5.0, 6.0])
def test_other_intervals_refused(weeks: float) -> None:
    """Only the table's 3 and 4 weeks have a labelled ramp-up."""
    with refused(
        "interval",
        f"{weeks:g} week",
        _ALLOWED,
        f"no labelled ramp-up is recorded for a {weeks:g}-week interval",
    ):
        hyqvia_ramp_up_values(30.0, weeks)


@pytest.mark.parametrize("dose", [0.0, -1.0, -7.5])
def test_dose_above_zero(dose: float) -> None:
    """A full dose of 0 or below is refused, at either interval."""
    for weeks in (3.0, 4.0):
        with refused("full_dose", dose, "a dose > 0"):
            hyqvia_ramp_up_values(dose, weeks)


def test_float_core_refusals_name_the_argument() -> None:
    """Not a number, or not finite: refused as "dose" or "interval"."""
    with refused("dose", "x", "a number"):
        hyqvia_ramp_up_values("x", 4.0)  # type: ignore[arg-type]
    with refused("interval", "x", "a number"):
        hyqvia_ramp_up_values(30.0, "x")  # type: ignore[arg-type]
    with refused("dose", math.inf, "a number (finite)"):
        hyqvia_ramp_up_values(math.inf, 4.0)
    with refused("interval", math.nan, "a number (finite)"):
        hyqvia_ramp_up_values(30.0, math.nan)


def test_quantity_refusals_name_the_argument() -> None:
    """A wrong unit names full_dose or interval."""
    with refused(
        "interval",
        "4 kg",
        "a duration, e.g. '4 week'",
        "4.0 kg is not a duration (its dimension is [mass])",
        error=UnitError,
    ):
        hyqvia_ramp_up(full_dose="30 g", interval="4 kg")
    with refused(
        "full_dose",
        "30 mL",
        "a dose per body mass, e.g. '2 g/kg' or '400 mg/kg'",
        "30.0 ml is not a dose per body mass (its dimension is [length] ** 3)",
        error=UnitError,
    ):
        hyqvia_ramp_up(full_dose="30 mL", interval="4 week")


def test_full_dose_in_grams_must_be_finite() -> None:
    """A NaN in grams is refused as full_dose (the grams path of the reading)."""
    nan_g = Q_(math.nan, "g")
    with refused("full_dose", nan_g, "a finite number", "nan is not a finite number"):
        hyqvia_ramp_up(full_dose=nan_g, interval="4 week")


def test_full_dose_in_grams_is_bounded_like_the_sc_conversion() -> None:
    """A full dose in grams above 500 g is a unit slip ("30 kg" for "30 g").

    At the bound it is read: 500 g at a 4-week interval ramps as 500/4 =
    125 g in week 1; just above it, and "30 kg" (30 000 g), are refused.
    """
    (first, *_) = hyqvia_ramp_up(full_dose="500 g", interval="4 week")
    assert (first.week, first.dose, first.unit) == (1, 125.0, "g")
    allowed = "(0, 500] g (above 0 g; more than 500 g is taken for a unit slip)"
    for dose, grams in (("500.5 g", 500.5), ("30 kg", 30000.0)):
        with refused(
            "full_dose", grams, allowed, f"{grams:g} g is outside the accepted range"
        ):
            hyqvia_ramp_up(full_dose=dose, interval="4 week")
