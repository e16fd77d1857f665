"""Split-dose planner: exact daily amounts under explicit limits."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import InputError, PlanningError
from ivig_core.planning.split import (
    EightyGramRule,
    SplitLimits,
    split_course,
    split_course_g,
    split_units,
)
from ivig_core.regimen import DayRange


TWO_TO_FIVE = DayRange(low=2, high=5)
TWO = DayRange.exactly(2)


def test_seed_004_seventy_kg() -> None:
    """Seed 004 at 70 kg: 70 g on day 1 and 70 g on day 2."""
    s = split_course(
        dose="2 g/kg",
        weight="70 kg",
        days=2,
        allowed_days=TWO,
        limits=SplitLimits(eighty_gram_rule=EightyGramRule(applies_to="day")),
        granularity="1 g",
    )
    assert s.daily_g == (70.0, 70.0)
    assert not s.eighty_gram_rule_applied


def test_eighty_gram_rule_per_day_at_ninety_kg() -> None:
    """Seed 004 at 90 kg: 90 g/day > 80 g, so 5 days of 36 g (0.4 g/kg/day)."""
    s = split_course(
        dose="2 g/kg",
        weight="90 kg",
        days=2,
        allowed_days=TWO,
        limits=SplitLimits(eighty_gram_rule=EightyGramRule(applies_to="day")),
        granularity="1 g",
    )
    assert s.days == 5
    assert s.daily_g == (36.0,) * 5
    assert s.eighty_gram_rule_applied
    assert "80 g rule" in s.reason
    assert "droracle.ai summary" in s.reason
    assert "weak: AI-generated summary" in s.reason


def test_eighty_gram_rule_per_course() -> None:
    """A 140 g course (> 80 g) goes over 5 days at 0.4 g/kg/day: 28 g/day."""
    s = split_course(
        dose="2 g/kg",
        weight="70 kg",
        days=2,
        allowed_days=TWO,
        limits=SplitLimits(eighty_gram_rule=EightyGramRule(applies_to="course")),
        granularity="1 g",
    )
    assert s.days == 5
    assert s.daily_g == (28.0,) * 5


def test_eighty_gram_rule_short_course_three_days() -> None:
    """1.2 g/kg at 100 kg (120 g) goes over 3 days at 0.4 g/kg/day."""
    s = split_course_g(
        dose_g_per_kg=1.2,
        weight_kg=100.0,
        days=1,
        allowed_days=DayRange(low=1, high=2),
        limits=SplitLimits(eighty_gram_rule=EightyGramRule(applies_to="course")),
        granularity_g=1.0,
    )
    assert s.days == 3
    assert s.daily_g == (40.0, 40.0, 40.0)


def test_eighty_gram_rule_impossible() -> None:
    """2.4 g/kg cannot fit 3-5 days at 0.4 g/kg/day: says by how much."""
    with pytest.raises(PlanningError, match=r"eighty_gram_rule.*0\.08 g/kg/day above"):
        split_course_g(
            dose_g_per_kg=2.4,
            weight_kg=100.0,
            days=2,
            allowed_days=TWO,
            limits=SplitLimits(eighty_gram_rule=EightyGramRule(applies_to="course")),
            granularity_g=1.0,
        )


def test_fewest_days_meeting_daily_cap() -> None:
    """2 g/kg at most 0.5 g/kg/day needs the fewest 4 days, 35 g each."""
    s = split_course_g(
        dose_g_per_kg=2.0,
        weight_kg=70.0,
        days="fewest",
        allowed_days=TWO_TO_FIVE,
        limits=SplitLimits(max_daily_dose="0.5 g/kg/day"),
        granularity_g=1.0,
    )
    assert s.days == 4
    assert s.daily_g == (35.0,) * 4
    assert "fewest" in s.reason


def test_grams_per_day_cap() -> None:
    """A 60 g/day cap spreads 140 g over the fewest 3 days: 47, 47, 46."""
    s = split_course_g(
        dose_g_per_kg=2.0,
        weight_kg=70.0,
        days="fewest",
        allowed_days=TWO_TO_FIVE,
        limits=SplitLimits(max_daily_grams="60 g/day"),
        granularity_g=1.0,
    )
    assert s.days == 3
    assert s.daily_g == (47.0, 47.0, 46.0)
    assert sum(s.daily_g) == 140.0


def test_impossible_cap_names_constraint_and_excess() -> None:
    """A cap no allowed split meets names the limit and the excess."""
    with pytest.raises(PlanningError, match=r"max_daily_grams.*8 g/day above"):
        split_course_g(
            dose_g_per_kg=2.0,
            weight_kg=90.0,
            days="fewest",
            allowed_days=TWO_TO_FIVE,
            limits=SplitLimits(max_daily_grams="28 g/day"),
            granularity_g=1.0,
        )


def test_fixed_days_over_cap_refused() -> None:
    """A fixed number of days that breaks a cap is refused, not changed."""
    with pytest.raises(PlanningError, match=r"max_daily_dose.*over 2 days"):
        split_course_g(
            dose_g_per_kg=2.0,
            weight_kg=70.0,
            days=2,
            allowed_days=TWO_TO_FIVE,
            limits=SplitLimits(max_daily_dose="0.5 g/kg/day"),
            granularity_g=1.0,
        )


def test_granularity_splits_dispensed_total() -> None:
    """A 145 g total in 5 g units over 2 days is 75 g + 70 g."""
    s = split_course_g(
        dose_g_per_kg=2.0,
        weight_kg=71.3,
        days=2,
        allowed_days=TWO,
        limits=SplitLimits(),
        granularity_g=5.0,
        total_g=145.0,
    )
    assert s.daily_g == (75.0, 70.0)
    assert s.calculated_g == pytest.approx(142.6)
    assert s.daily_calculated_g == pytest.approx((71.3, 71.3))


def test_total_not_multiple_of_granularity_refused() -> None:
    """A total that is not whole units of the granularity is refused."""
    with pytest.raises(
        PlanningError,
        match=r"^granularity: the course total 141\.8 g is not a whole number",
    ):
        split_course_g(
            dose_g_per_kg=2.0,
            weight_kg=70.9,
            days=2,
            allowed_days=TWO,
            limits=SplitLimits(),
            granularity_g=1.0,
        )


@pytest.mark.parametrize(
    ("dose", "weight", "expected"),
    [
        (0.0, 70.0, r"^dose: got 0\.0; allowed: a dose > 0 g/kg$"),
        (-1.0, 70.0, r"^dose: got -1\.0; allowed: a dose > 0 g/kg$"),
        (2.0, 0.0, r"^weight: got 0\.0; allowed: a dosing weight > 0 kg$"),
    ],
)
def test_zero_or_negative_inputs_refused(
    dose: float, weight: float, expected: str
) -> None:
    """Zero or negative doses and weights are refused, naming the field."""
    with pytest.raises(InputError, match=expected):
        split_course_g(
            dose_g_per_kg=dose,
            weight_kg=weight,
            days=2,
            allowed_days=TWO,
            limits=SplitLimits(),
            granularity_g=1.0,
        )


def test_days_outside_allowed_refused() -> None:
    """Days outside the allowed range name the field."""
    with pytest.raises(
        InputError,
        match=(
            r"^days: 6 days is outside the allowed 2-5 days; allowed: 2-5 "
            r"days \(the regimen's allowed days\) or 'fewest'$"
        ),
    ):
        split_course_g(
            dose_g_per_kg=2.0,
            weight_kg=70.0,
            days=6,
            allowed_days=TWO_TO_FIVE,
            limits=SplitLimits(),
            granularity_g=1.0,
        )


def test_limits_refuse_bad_values() -> None:
    """Zero caps and a g/kg cap given as a percent are refused."""
    with pytest.raises(
        InputError, match=r"^max_daily_grams: .*; allowed: a mass per day > 0 g/day"
    ):
        SplitLimits(max_daily_grams="0 g/day")
    with pytest.raises(
        InputError, match=r"^max_daily_dose: .*; allowed: a dose per body mass per day"
    ):
        SplitLimits(max_daily_dose="40 %/day")
    with pytest.raises(
        InputError, match=r"^applies_to: .*; allowed: 'day' \(the daily dose is over"
    ):
        EightyGramRule(applies_to="both")


def test_split_units_largest_remainder() -> None:
    """Left-over units go one each to the earliest days."""
    assert split_units(10, 3) == (4, 3, 3)
    assert split_units(9, 3) == (3, 3, 3)


@given(
    dose=st.sampled_from([0.4, 1.0, 1.2, 2.0]),
    weight=st.floats(min_value=20.0, max_value=200.0),
    granularity=st.sampled_from([1.0, 2.0, 2.5, 5.0, 10.0]),
    cap=st.one_of(st.none(), st.floats(min_value=20.0, max_value=120.0)),
    rule=st.sampled_from([None, "day", "course"]),
)
def test_split_adds_up_and_respects_caps(
    dose: float, weight: float, granularity: float, cap: float | None, rule: str | None
) -> None:
    """Every split adds up exactly to its total and respects every cap."""
    calculated = dose * weight
    total = math.ceil(calculated / granularity) * granularity
    limits = SplitLimits(
        max_daily_grams=None if cap is None else f"{cap} g/day",
        eighty_gram_rule=None if rule is None else EightyGramRule(applies_to=rule),
    )
    try:
        s = split_course_g(
            dose_g_per_kg=dose,
            weight_kg=weight,
            days="fewest",
            allowed_days=DayRange(low=1, high=5),
            limits=limits,
            granularity_g=granularity,
            total_g=total,
        )
    except PlanningError as exc:
        refused = str(exc)
    else:
        refused = ""
    if refused:
        assert "above the limit" in refused or "granularity" in refused
        return
    units = [round(g / granularity) for g in s.daily_g]
    assert sum(units) * granularity == pytest.approx(total)
    assert max(units) - min(units) <= 1
    per_day = calculated / s.days
    if cap is not None:
        assert per_day <= cap * (1 + 1e-9)
    if s.eighty_gram_rule_applied:
        assert dose / s.days <= 0.4 * (1 + 1e-9)
        assert 3 <= s.days <= 5
