"""Splitting a course into days: whole units, per-day limits, "fewest" days.

The per-day limits are tested at, below and above their boundary (the 80 g rule
is left to its own tests: it is being redesigned).

A limit is "at most": a day exactly at it meets it, anything above is refused.
"""

from __future__ import annotations

import pytest

from ivig_core import InputError, PlanningError, UnitError
from ivig_core.planning.split import (
    CourseSplit,
    EightyGramRule,
    SplitLimits,
    split_course,
    split_course_g,
    split_units,
)
from ivig_core.regimen import DayRange
from mutation_helpers import refused


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


# --------------------------------------------------------------------------
# Limits: each converter's refusal (field, value, allowed) and its boundary


def test_limit_converters_refuse_zero_and_accept_below_one() -> None:
    """Each limit is "> 0": 0 is refused, 0.5 (under 1) is accepted as given."""
    with refused("max_daily_grams", "0 g/day", "a mass per day > 0 g/day"):
        SplitLimits(max_daily_grams="0 g/day")
    with refused("max_daily_dose", "0 g/kg/day", "a dose > 0 g/kg/day"):
        SplitLimits(max_daily_dose="0 g/kg/day")
    with refused("granularity", "0 g", "a mass > 0 g, e.g. '1 g' or '5 g'"):
        SplitLimits(granularity="0 g")
    with refused("granularity", "-1 g", "a mass > 0 g, e.g. '1 g' or '5 g'"):
        SplitLimits(granularity="-1 g")
    half = SplitLimits(
        max_daily_grams="0.5 g/day", max_daily_dose="0.5 g/kg/day", granularity="0.5 g"
    )
    assert (half.max_daily_g, half.max_daily_g_per_kg, half.granularity_g) == (
        0.5,
        0.5,
        0.5,
    )
    assert str(half.granularity) == "0.5 gram"
    none = SplitLimits()
    assert (none.max_daily_g, none.max_daily_g_per_kg, none.granularity_g) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("field", "value", "allowed", "detail"),
    [
        (
            "max_daily_grams",
            "5 kg",
            "a mass per day, e.g. '80 g/day'",
            "5.0 kg is not a mass per day (its dimension is [mass])",
        ),
        (
            "granularity",
            "5 kg/day",
            "a mass, e.g. '35 g' or '35000 mg'",
            "5.0 kg/d is not a mass (its dimension is [mass] / [time])",
        ),
    ],
)
def test_limit_units_refused_naming_the_field(
    field: str, value: str, allowed: str, detail: str
) -> None:
    """A limit in the wrong dimension is refused under its own name."""
    with refused(field, value, allowed, detail, error=UnitError):
        SplitLimits(**{field: value})  # str converted


def test_eighty_gram_rule_refusals() -> None:
    """The rule's own fields: threshold, days, daily dose, applies_to, the type."""
    with refused("eighty_gram_rule", "yes", "an EightyGramRule or None"):
        SplitLimits(eighty_gram_rule="yes")
    with refused("threshold", "0 g", "a mass > 0 g"):
        EightyGramRule(applies_to="day", threshold="0 g")
    with refused(
        "threshold",
        "5 kg/day",
        "a mass, e.g. '35 g' or '35000 mg'",
        "5.0 kg/d is not a mass (its dimension is [mass] / [time])",
        error=UnitError,
    ):
        EightyGramRule(applies_to="day", threshold="5 kg/day")
    with refused("max_daily_dose", "0 g/kg/day", "a dose > 0 g/kg/day"):
        EightyGramRule(
            applies_to="day",
            max_daily_dose="0 g/kg/day",
        )
    for days in (DayRange(low=3), (3, 5)):
        with refused("allowed_days", days, "a DayRange with an upper bound"):
            EightyGramRule(applies_to="day", allowed_days=days)
    with refused(
        "applies_to",
        "both",
        "'day' (the daily dose is over the threshold) or 'course' (the course "
        "total is)",
    ):
        EightyGramRule(applies_to="both")
    # the defaults (droracle-privigen-dm, weak): "higher than 80 g ... over 3 to
    # 5 days at 0.4 g/kg"; a threshold of 0.5 g (under 1 g) is taken as given
    rule = EightyGramRule(applies_to="day")
    assert (rule.applies_to, rule.threshold_g, rule.max_daily_g_per_kg) == (
        "day",
        80.0,
        0.4,
    )
    assert rule.allowed_days == DayRange(low=3, high=5)
    assert EightyGramRule(applies_to="course").applies_to == "course"
    assert EightyGramRule(applies_to="day", threshold="0.5 g").threshold_g == 0.5


# --------------------------------------------------------------------------
# The quantity boundary and the whole result


def test_split_course_quantities_and_the_total() -> None:
    """2 g/kg × 70 kg = 140 g, dispensed 150 g in 5 g units: 75 + 75 g."""
    s = split_course(
        dose="2 g/kg",
        weight="70 kg",
        days=2,
        allowed_days=DayRange(low=2, high=2),
        limits=SplitLimits(),
        granularity="5 g",
        total="150 g",
    )
    assert s == CourseSplit(
        days=2,
        dose_g_per_kg=2.0,
        weight_kg=70.0,
        calculated_g=140.0,
        total_g=150.0,  # 30 units × 5 g
        granularity_g=5.0,
        daily_g=(75.0, 75.0),
        daily_calculated_g=(70.0, 70.0),
        reason="2 days (chosen)",
        eighty_gram_rule_applied=False,
    )
    assert s.daily_g_per_kg == 1.0


@pytest.mark.parametrize(
    ("changed", "field", "value", "allowed", "detail"),
    [
        (
            {"dose": "2 g"},
            "dose",
            "2 g",
            "a dose per body mass, e.g. '2 g/kg' or '400 mg/kg'",
            "2.0 g is not a dose per body mass (its dimension is [mass])",
        ),
        (
            {"weight": "70 g/kg"},
            "weight",
            "70 g/kg",
            "a mass, e.g. '70 kg' or '154 lb'",
            "70.0 g/kg is not a mass (its dimension is dimensionless)",
        ),
        (
            {"granularity": "1 kg/day"},
            "granularity",
            "1 kg/day",
            "a mass, e.g. '35 g' or '35000 mg'",
            "1.0 kg/d is not a mass (its dimension is [mass] / [time])",
        ),
        (
            {"total": "150 g/day"},
            "total",
            "150 g/day",
            "a mass, e.g. '35 g' or '35000 mg'",
            "150.0 g/d is not a mass (its dimension is [mass] / [time])",
        ),
    ],
)
def test_split_course_units_refused_naming_the_field(
    changed: dict[str, str], field: str, value: str, allowed: str, detail: str
) -> None:
    """Each quantity in the wrong dimension is refused under its own name."""
    kwargs: dict[str, object] = {
        "dose": "2 g/kg",
        "weight": "70 kg",
        "granularity": "1 g",
        "total": None,
    }
    kwargs.update(changed)
    with refused(field, value, allowed, detail, error=UnitError):
        split_course(
            days=2,
            allowed_days=DayRange(low=2, high=2),
            limits=SplitLimits(),
            **kwargs,
        )


def test_split_course_g_refusals_keep_the_value() -> None:
    """Days outside the range, a granularity or total not above 0: all parts."""
    with refused(
        "days",
        7,
        "2 days (the regimen's allowed days) or 'fewest'",
        "7 days is outside the allowed 2 days",
    ):
        split(2.0, days=7, high=2)
    with refused("granularity", -1.0, "a mass > 0 g"):
        split(2.0, granularity=-1.0)
    with refused("total", -3.0, "a course total > 0 g"):
        split(2.0, total=-3.0)
    with pytest.raises(PlanningError) as caught:
        split(2.0, days=None)  # type: ignore[arg-type]  # an open choice
    assert str(caught.value) == (
        "days: the number of days is not chosen (allowed 2-5 days); choose one, or "
        "'fewest'"
    )


def test_small_totals_and_one_unit_per_day() -> None:
    """A total under 1 g is split; a day of exactly one unit is allowed.

    0.5 g in 0.5 g units over 1 day: one unit. 10 g in 5 g units over 2 days:
    one unit each (5 g + 5 g).
    """
    assert split(0.01, weight=50.0, days=1, low=1, total=0.5, granularity=0.5)[:2] == (
        1,
        (0.5,),
    )
    assert split(0.2, weight=50.0, total=10.0, granularity=5.0)[:2] == (
        2,
        (5.0, 5.0),
    )


def test_whole_units_tolerance_scales_with_the_count() -> None:
    """The whole-unit check allows 1e-9 of the count (at least 1e-9 of a unit).

    1000.0000005 g in 1 g units is 5e-7 units off 1000, within 1e-9 × 1000 =
    1e-6: taken as 1000 g. 1.0000000015 g is 1.5e-9 units off 1, more than
    1e-9 × 1: refused.
    """
    s = split_course_g(
        dose_g_per_kg=2.0,
        weight_kg=500.0,
        days=5,
        allowed_days=DayRange(low=5, high=5),
        limits=SplitLimits(),
        granularity_g=1.0,
        total_g=1000.0000005,
    )
    assert (s.total_g, s.daily_g) == (1000.0, (200.0,) * 5)
    with pytest.raises(PlanningError) as caught:
        split(0.01, weight=100.0, days=1, low=1, total=1.0000000015)
    assert str(caught.value).startswith(
        "granularity: the course total 1 g is not a whole number of 1 g units "
    )


def test_fewest_reason_singular_and_plural() -> None:
    """One day: "1 day: the fewest ..."; two: "2 days: the fewest ..."."""
    assert split(1.0, days="fewest", low=1, high=3)[::2] == (
        1,
        "1 day: the fewest of 1-3 days meeting the limits",
    )
    assert split(2.0, days="fewest", low=1, high=3, limits=_cap(1.0))[::2] == (
        2,
        "2 days: the fewest of 1-3 days meeting the limits",
    )


def _cap(g_per_kg: float) -> SplitLimits:
    return SplitLimits(max_daily_dose=f"{g_per_kg} g/kg/day")


# --------------------------------------------------------------------------
# The 80 g rule (droracle-privigen-dm, weak): "If the dose of IVIG is higher
# than 80 g, it may be administered over 3 to 5 days at 0.4 g/kg"

_SOURCE = (
    "'If the dose of IVIG is higher than 80 g, it may be administered over 3 to 5 "
    "days at 0.4 g/kg'; source: droracle.ai summary on Privigen dosing in "
    "dermatomyositis (weak: AI-generated summary)"
)


def _rule(applies_to: str, **limits: object) -> SplitLimits:
    return SplitLimits(
        eighty_gram_rule=EightyGramRule(applies_to=applies_to),
        **limits,
    )


def test_course_rule_reason_in_full() -> None:
    """1.2 g/kg × 100 kg = 120 g > 80 g: 3 days at ≤ 0.4 g/kg/day (40 g)."""
    days, daily, reason = split(
        1.2, weight=100.0, days=1, low=1, high=2, limits=_rule("course")
    )
    assert (days, daily) == (3, (40.0, 40.0, 40.0))
    assert reason == (
        "3 days by the 80 g rule (course total 120 g > 80 g: over 3-5 days at ≤ "
        f"0.4 g/kg/day, the fewest meeting it; {_SOURCE})"
    )


def test_daily_rule_is_judged_on_the_fewest_days_found() -> None:
    """2 g/kg × 90 kg over the fewest of 2-5 days: 2 days of 90 g each.

    90 g a day is over 80 g, so the rule applies (judged on the 2 days found,
    not on the 5 days at the end of the range, 36 g): 5 days of 36 g.
    """
    days, daily, reason = split(2.0, weight=90.0, days="fewest", limits=_rule("day"))
    assert (days, daily) == (5, (36.0,) * 5)
    assert reason.startswith(
        "5 days by the 80 g rule (daily dose over 2 days 90 g > 80 g: over 3-5 days"
    )


def test_daily_rule_when_the_chosen_days_fail_a_limit() -> None:
    """2 days of 2 g/kg × 90 kg is 90 g a day, over a 60 g/day limit.

    No split over the 2 days meets the limit; the daily dose over them (90 g)
    is over 80 g, so the rule sets 5 days of 36 g, within 60 g/day.
    """
    days, daily, _ = split(
        2.0, weight=90.0, days=2, limits=_rule("day", max_daily_grams="60 g/day")
    )
    assert (days, daily) == (5, (36.0,) * 5)


def test_daily_rule_judged_on_the_last_day_count_when_none_fits() -> None:
    """2 g/kg × 190 kg = 380 g, at most 0.3 g/kg/day: no 2-5 days fit (7 needed).

    The daily dose is judged over the last candidate, 5 days: 76 g, not over
    80 g, so the rule does not apply and the limit's failure is reported (over
    3 days, 126.7 g, or 4 days, 95 g, it would have applied).
    """
    with pytest.raises(PlanningError) as caught:
        split(
            2.0,
            weight=190.0,
            days="fewest",
            limits=_rule("day", max_daily_dose="0.3 g/kg/day"),
        )
    assert str(caught.value) == (
        "no split over any of 2-5 days meets the limits: max_daily_dose: 2 g/kg "
        "over 5 days is 0.4 g/kg/day, 0.1 g/kg/day above the limit of 0.3 g/kg/day"
    )


def test_rule_takes_a_lower_own_daily_limit() -> None:
    """With max_daily_dose 0.3 (< the rule's 0.4): 1.2 g/kg needs 4 days.

    1.2 / 0.3 = 4 days of 30 g (at 100 kg); at the rule's own 0.4 it would be 3.
    """
    days, daily, _ = split(
        1.2,
        weight=100.0,
        days=1,
        low=1,
        high=4,
        limits=_rule("course", max_daily_dose="0.3 g/kg/day"),
    )
    assert (days, daily) == (4, (30.0,) * 4)


def test_rule_failure_names_the_binding_limit() -> None:
    """2.4 g/kg over at most 5 days is 0.48 g/kg/day.

    Under the rule's 0.4 alone (or an own limit equal to it, or above it), the
    rule's name is given; under a lower own limit (0.35), that limit's name.
    """
    head = (
        "eighty_gram_rule: course total 240 g > 80 g, so the course goes over 3-5 "
        "days at ≤ 0.4 g/kg/day, but no number of days in that range meets the "
        "limits: "
    )
    for limits, name, limit in (
        (_rule("course"), "eighty_gram_rule", 0.4),
        (_rule("course", max_daily_dose="0.4 g/kg/day"), "eighty_gram_rule", 0.4),
        (_rule("course", max_daily_dose="0.5 g/kg/day"), "eighty_gram_rule", 0.4),
        (_rule("course", max_daily_dose="0.35 g/kg/day"), "max_daily_dose", 0.35),
    ):
        with pytest.raises(PlanningError) as caught:
            split(2.4, weight=100.0, low=2, high=5, limits=limits)
        above = {0.4: "0.08", 0.35: "0.13"}[limit]  # 0.48 - 0.4, 0.48 - 0.35
        assert str(caught.value) == (
            f"{head}{name}: 2.4 g/kg over 5 days is 0.48 g/kg/day, {above} g/kg/day "
            f"above the limit of {limit} g/kg/day"
        )


def test_rule_keeps_the_daily_gram_limit() -> None:
    """1.2 g/kg × 100 kg = 120 g by the rule: 3 days of 40 g, over 35 g/day.

    The g/day limit still holds under the rule: 4 days of 30 g.
    """
    days, daily, _ = split(
        1.2,
        weight=100.0,
        days=1,
        low=1,
        high=2,
        limits=_rule("course", max_daily_grams="35 g/day"),
    )
    assert (days, daily) == (4, (30.0,) * 4)


def test_daily_amounts_as_quantities() -> None:
    """CourseSplit.daily: the daily grams as pint quantities in g.

    2 g/kg × 70 kg = 140 g over 2 days in 10 g units: 70 g and 70 g.
    """
    course = split_course(
        dose="2 g/kg",
        weight="70 kg",
        days=2,
        allowed_days=DayRange(low=2, high=5),
        limits=SplitLimits(),
        granularity="10 g",
    )
    assert course.daily_g == (70.0, 70.0)
    assert [(q.magnitude, str(q.units)) for q in course.daily] == [
        (70.0, "gram"),
        (70.0, "gram"),
    ]
