"""IVIg → SC conversion and the HyQvia ramp-up, worked by hand.

Weekly SC dose = IVIg dose ÷ IVIg interval in weeks × factor (Hizentra US PI:
"multiply the previous IVIg dose in grams by 1.37, then divide by the number
of weeks between IVIg doses"); every 2 weeks = 2 × weekly; n times a week =
weekly ÷ n (2-7, Hizentra PI); HyQvia: the IVIg dose at the IVIg interval after
its ramp-up of 1-, 2-, 3- and 4-week doses at weeks 1, 2, 4 and 7 (HyQvia US
PI, example 30 g every 4 weeks).
"""

from __future__ import annotations

import datetime as dt
import math

import attrs
import pytest

from ivig_core import Q_, InputError, UnitError, units
from ivig_core.dosing_weight import DosingWeight, WeightBasis
from ivig_core.products import get_product
from ivig_core.scig import conversion, hyqvia_ramp_up
from ivig_core.scig.conversion import (
    EveryTwoWeeks,
    LabelFactor,
    OneToOne,
    SameAsIvig,
    TimesPerWeek,
    UserFactor,
    Weekly,
    convert_to_scig,
    dose_per_administration,
    parse_frequency,
    weekly_scig,
)
from ivig_core.scig.hyqvia import hyqvia_ramp_up_values
from ivig_core.sources import cite
from ivig_core.trace import Trace
from ivig_core.units import KG
from mutation_helpers import refused


def test_hizentra_label_factor_1_37() -> None:
    """30 g every 4 weeks × 1.37: 30 / 4 × 1.37 = 10.275 g a week."""
    d = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hizentra",
        rule=LabelFactor(),
        frequency="weekly",
    )
    assert (d.factor, d.rule) == (1.37, "label factor")
    assert d.weekly_g == pytest.approx(10.275)
    assert d.dose_g == pytest.approx(10.275)
    assert d.interval_days == 7.0
    assert d.ivig_dose_g == 30.0
    assert (d.ivig_dose_g_per_kg, d.weekly_g_per_kg, d.dose_g_per_kg) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("frequency", "dose", "interval_days"),
    [
        (Weekly(), 10.275, 7.0),
        (EveryTwoWeeks(), 20.55, 14.0),  # 2 × 10.275
        (TimesPerWeek(3), 3.425, 7.0),  # 10.275 / 3
        (TimesPerWeek(2), 5.1375, 7.0),
    ],
)
def test_spreads(frequency: object, dose: float, interval_days: float) -> None:
    """The weekly 10.275 g spread weekly, every 2 weeks, 3 and 2 times a week."""
    d = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hizentra",
        rule=UserFactor(1.37),
        frequency=frequency,  # type: ignore[arg-type]
    )
    assert d.dose_g == pytest.approx(dose)
    assert d.interval_days == interval_days
    assert d.rule == "user factor"


def test_g_per_kg_with_a_dosing_weight() -> None:
    """1 g/kg every 3 weeks, 1:1, at 70 kg: 70 g; 0.3333 g/kg = 23.333 g a week."""
    d = convert_to_scig(
        ivig_dose="1 g/kg",
        ivig_interval="21 day",
        product="hizentra",
        rule=OneToOne(),
        frequency="weekly",
        dosing_weight="70 kg",
    )
    assert d.ivig_interval_weeks == 3.0
    assert d.ivig_dose_g == pytest.approx(70.0)
    assert d.ivig_dose_g_per_kg == 1.0
    assert d.weekly_g_per_kg == pytest.approx(1 / 3)
    assert d.weekly_g == pytest.approx(70 / 3)
    assert d.dose_g == pytest.approx(70 / 3)
    assert (d.factor, d.rule) == (1.0, "1:1")


def test_grams_with_a_dosing_weight() -> None:
    """30 g every 4 weeks, 1:1, at 60 kg: 0.5 g/kg; 7.5 g = 0.125 g/kg a week."""
    d = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hizentra",
        rule=OneToOne(),
        frequency="weekly",
        dosing_weight="60 kg",
    )
    assert d.ivig_dose_g_per_kg == pytest.approx(0.5)
    assert d.weekly_g_per_kg == pytest.approx(0.125)
    assert d.dose_g_per_kg == pytest.approx(0.125)
    assert d.weekly_g == pytest.approx(7.5)


def test_hyqvia_same_dose_same_interval() -> None:
    """HyQvia 1:1 after ramp-up: 30 g every 4 weeks stays 30 g every 28 days."""
    d = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hyqvia",
        rule=OneToOne(),
        frequency="same-as-ivig",
    )
    assert d.dose_g == pytest.approx(30.0)
    assert d.weekly_g == pytest.approx(7.5)
    assert d.interval_days == 28.0
    assert d.first_dose_earliest is None


def test_float_core() -> None:
    """Weekly = dose / weeks × factor; per administration by spread."""
    assert weekly_scig(30.0, 4.0, 1.37) == pytest.approx(10.275)
    assert weekly_scig(1.0, 3.0, 1.0) == pytest.approx(1 / 3)
    assert dose_per_administration(
        7.5, SameAsIvig(), ivig_interval_weeks=4.0
    ) == pytest.approx(30.0)
    assert dose_per_administration(
        7.5, TimesPerWeek(5), ivig_interval_weeks=4.0
    ) == pytest.approx(1.5)
    with refused("frequency", "weekly", "a ScigFrequency"):
        dose_per_administration(
            7.5,
            "weekly",  # type: ignore[arg-type]
            ivig_interval_weeks=4.0,
        )


@pytest.mark.parametrize(
    ("times", "offsets"),
    [(2, (0, 3)), (3, (0, 2, 4)), (5, (0, 1, 2, 4, 5)), (7, (0, 1, 2, 3, 4, 5, 6))],
)
def test_even_spread_offsets(times: int, offsets: tuple[int, ...]) -> None:
    """Offset i × 7 // n: an even spread over the week."""
    assert TimesPerWeek(times).week_offsets == offsets
    assert TimesPerWeek(times).name == f"{times}-per-week"


@pytest.mark.parametrize("times", [1, 8])
def test_times_per_week_two_to_seven(times: int) -> None:
    """1 and 8 times a week are outside the label's 2-7."""
    with pytest.raises(InputError) as caught:
        TimesPerWeek(times)
    err = caught.value
    assert (err.field, err.value) == ("frequency.times", times)
    assert err.allowed.startswith("2 to 7 times a week (Hizentra ")
    assert err.allowed.endswith("; use Weekly() for once a week")


def test_times_per_week_days() -> None:
    """Chosen days: one per dose, 0-6, increasing."""
    assert TimesPerWeek(2, days=(1, 4)).week_offsets == (1, 4)
    with refused("frequency.days", (1,), "2 day offsets (one per dose)"):
        TimesPerWeek(2, days=(1,))
    with refused("frequency.days", (4, 1), "distinct day offsets in increasing order"):
        TimesPerWeek(2, days=(4, 1))
    with refused("frequency.days", (0, 7), "day offsets 0-6 within the week"):
        TimesPerWeek(2, days=(0, 7))
    with refused("frequency.times", 2.5, "a whole number from 2 to 7"):
        TimesPerWeek(2.5)


def test_parse_frequency_names() -> None:
    """The names and their spellings."""
    assert parse_frequency(" Weekly ") == Weekly()
    assert parse_frequency("every 2 weeks") == EveryTwoWeeks()
    assert parse_frequency("same_as_ivig") == SameAsIvig()
    assert parse_frequency("3x a week") == TimesPerWeek(3)
    assert parse_frequency("7-per-week") == TimesPerWeek(7)
    with refused(
        "frequency",
        "8-per-week",
        "Weekly(), EveryTwoWeeks(), TimesPerWeek(n) (n 2-7), SameAsIvig(), or "
        "'weekly', 'every-2-weeks', 'n-per-week', 'same-as-ivig'",
    ):
        parse_frequency("8-per-week")


#: The factor's accepted range as the refusal states it (tamper bounds, issue 14).
_FACTOR_RANGE = (
    "a number from 1 to 1.53 (SC grams per IVIg gram: 1:1 in the EU, "
    "1.37 on US labels, 1.53 before 2015)"
)


def test_user_factor_above_zero() -> None:
    """A factor of 0 or a string is refused naming rule.factor."""
    with refused("rule.factor", 0.0, _FACTOR_RANGE, "a factor of 0.0 is not > 0"):
        UserFactor(0.0)
    with refused("rule.factor", "1.2", _FACTOR_RANGE):
        UserFactor("1.2")
    assert UserFactor(1.0).factor == 1.0
    assert UserFactor(1.53).factor == 1.53


def test_conversion_refusals() -> None:
    """Bad dose, interval, product, frequency for the route, last IVIg."""
    base: dict[str, object] = {
        "ivig_dose": "30 g",
        "ivig_interval": "4 week",
        "product": "hizentra",
        "rule": OneToOne(),
        "frequency": "weekly",
    }
    ok = convert_to_scig(**{**base, "ivig_dose": "500 g"})  # type: ignore[arg-type]
    assert ok.weekly_g == 125.0
    with pytest.raises(ValueError, match=r"^ivig_dose: 500.5 g is outside"):
        convert_to_scig(**{**base, "ivig_dose": "500.5 g"})  # type: ignore[arg-type]
    with refused(
        "ivig_interval",
        "0 week",
        "an interval of at least 1 day, e.g. '4 week' or '21 day'",
        "an IVIg interval of 0 weeks cannot be converted",
    ):
        convert_to_scig(**{**base, "ivig_interval": "0 week"})  # type: ignore[arg-type]
    with refused("last_ivig", "2026-01-05", "a datetime.date up to 9998-12-31"):
        convert_to_scig(**{**base, "last_ivig": "2026-01-05"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^frequency: ") as caught:
        convert_to_scig(**{**base, "frequency": "same-as-ivig"})  # type: ignore[arg-type]
    assert getattr(caught.value, "allowed", "") == (
        "Weekly(), EveryTwoWeeks() or TimesPerWeek(n) for a 20 % SC product"
    )
    with pytest.raises(ValueError, match=r"^frequency: ") as caught:
        convert_to_scig(**{**base, "product": "hyqvia"})  # type: ignore[arg-type]
    assert getattr(caught.value, "allowed", "") == (
        "SameAsIvig() for a facilitated SC product"
    )
    with pytest.raises(ValueError, match=r"^product: ") as caught:
        convert_to_scig(**{**base, "product": "privigen"})  # type: ignore[arg-type]
    with refused("product", 3, "a Product or a product name"):
        convert_to_scig(**{**base, "product": 3})  # type: ignore[arg-type]
    with refused("rule", "1:1", "LabelFactor(), OneToOne() or UserFactor(factor)"):
        convert_to_scig(**{**base, "rule": "1:1"})  # type: ignore[arg-type]


def test_first_dose_one_week_after_the_last_ivig() -> None:
    """Hizentra weekly: the first SC dose 1 week after the last IVIg."""
    d = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hizentra",
        rule=OneToOne(),
        frequency="weekly",
        last_ivig=dt.date(2026, 1, 5),
    )
    assert d.first_dose_earliest == dt.date(2026, 1, 12)
    assert d.first_dose_latest == dt.date(2026, 1, 12)


def test_hyqvia_ramp_up_four_weeks() -> None:
    """30 g every 4 weeks: 7.5 g week 1, 15 g week 2, 22.5 g week 4, 30 g week 7."""
    steps = hyqvia_ramp_up(full_dose="30 g", interval="4 week")
    assert [(s.week, s.weeks_of_dose, s.dose, s.unit) for s in steps] == [
        (1, 1, 7.5, "g"),
        (2, 2, 15.0, "g"),
        (4, 3, 22.5, "g"),
        (7, 4, 30.0, "g"),
    ]
    assert [s.day_offset for s in steps] == [0, 7, 21, 42]
    assert [s.is_full for s in steps] == [False, False, False, True]
    per_kg = hyqvia_ramp_up(full_dose="0.4 g/kg", interval="28 day")
    assert [s.dose for s in per_kg] == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert {s.unit for s in per_kg} == {"g/kg"}


def test_hyqvia_ramp_up_refusals() -> None:
    """A dose of 0 is refused; an interval with no labelled ramp names interval."""
    with refused("full_dose", 0.0, "a dose > 0"):
        hyqvia_ramp_up_values(0.0, 4.0)
    with pytest.raises(ValueError, match=r"^interval: ") as caught:
        hyqvia_ramp_up_values(30.0, 6.0)
    assert getattr(caught.value, "value", None) == "6 week"


# --------------------------------------------------------------------------
# Whole conversions with every traced number, worked by hand.


def test_g_per_kg_every_two_weeks_traced() -> None:
    """1 g/kg every 3 weeks, 1:1, every 2 weeks, 70 kg, last IVIg 5 Jan 2026.

    EU CIDP SmPC example: 1 g/kg every 3 weeks → 0.33 g/kg weekly. Every 2
    weeks = 2 × weekly (Hizentra PI): 0.6667 g/kg = 46.67 g at 70 kg (70 g
    IVIg). Hizentra PI: "Biweekly: Start Hizentra 1 or 2 weeks after the last
    IGIV infusion": 12 to 19 January 2026.
    """
    d = convert_to_scig(
        ivig_dose="1 g/kg",
        ivig_interval="3 week",
        product="hizentra",
        rule=OneToOne(),
        frequency=EveryTwoWeeks(),
        dosing_weight="70 kg",
        last_ivig=dt.date(2026, 1, 5),
    )
    formula_src = conversion.SRC_FORMULA
    assert d.trace == (
        Trace(
            what="IVIg dose in grams",
            value="70 g",
            formula="IVIg g/kg × dosing weight",
            inputs="1 g/kg × 70 kg",
            source="dosing weight given by the caller",
        ),
        Trace(
            what="IVIg weekly equivalent",
            value="0.3333 g/kg/week",
            formula="IVIg dose ÷ IVIg interval in weeks",
            inputs="1 g/kg ÷ 3 weeks",
            source=formula_src,
        ),
        Trace(
            what="conversion factor",
            value="1",
            formula="1:1 for Hizentra",
            inputs="rule OneToOne()",
            source=conversion.SRC_ONE_TO_ONE,
        ),
        Trace(
            what="weekly SC dose",
            value="0.3333 g/kg/week",
            formula="IVIg dose ÷ IVIg interval in weeks × factor",
            inputs="1 g/kg ÷ 3 × 1",
            source=formula_src,
        ),
        Trace(
            what="dose per administration",
            value="0.6667 g/kg",
            formula="2 × weekly dose",
            inputs="weekly 0.3333 g/kg, every-2-weeks",
            source=conversion.SRC_EVERY_2_WEEKS,
        ),
        Trace(
            what="dose per administration in grams",
            value="46.67 g",
            formula="dose g/kg × dosing weight",
            inputs="0.6667 g/kg × 70 kg",
            source="dosing weight (see its policy)",
        ),
        Trace(
            what="first SC dose",
            value="2026-01-12 to 2026-01-19",
            formula="last IVIg + 7 to 14 days",
            inputs="last IVIg 2026-01-05",
            source=cite(("hizentra-uspi",)),
        ),
    )
    assert d.notes == (
        "Hizentra's US label factor is 1.37; this conversion uses 1 (1:1).",
    )
    assert (d.first_dose_earliest, d.first_dose_latest) == (
        dt.date(2026, 1, 12),
        dt.date(2026, 1, 19),
    )
    assert d.ivig_dose_g == pytest.approx(70.0)
    assert d.weekly_g == pytest.approx(70 / 3)  # 23.33 g a week
    assert d.dose_g == pytest.approx(140 / 3)  # 46.67 g every 2 weeks
    assert d.dose_g_per_kg == pytest.approx(2 / 3)
    assert d.interval_days == 14.0
    assert d.per_week == 0.5
    assert d.weekly.magnitude == pytest.approx(70 / 3)
    assert str(d.weekly.units) == "gram / week"
    assert d.dose.magnitude == pytest.approx(140 / 3)
    assert str(d.dose.units) == "gram"


def test_g_per_kg_without_a_weight_stays_per_kg() -> None:
    """1 g/kg every 4 weeks, 1:1, weekly, no weight: 0.25 g/kg/week, no grams."""
    d = convert_to_scig(
        ivig_dose="1 g/kg",
        ivig_interval="4 week",
        product="hizentra",
        rule=OneToOne(),
        frequency=Weekly(),
    )
    assert (d.ivig_dose_g, d.weekly_g, d.dose_g) == (None, None, None)
    assert d.weekly.magnitude == 0.25
    assert str(d.weekly.units) == "gram / kilogram / week"
    assert d.dose.magnitude == 0.25
    assert str(d.dose.units) == "gram / kilogram"
    assert d.per_week == 1.0
    assert d.interval_days == 7.0
    assert [t.what for t in d.trace] == [
        "IVIg weekly equivalent",
        "conversion factor",
        "weekly SC dose",
        "dose per administration",
    ]
    assert d.trace[-1].formula == "weekly dose, once a week"
    assert d.trace[-1].source == conversion.SRC_FORMULA


def test_hyqvia_label_factor_traced() -> None:
    """HyQvia, label factor 1.0, 30 g every 4 weeks, 60 kg: 30 g = 0.5 g/kg.

    HyQvia PI: "Same dose and frequency of IVIG (after initial ramp-up)": the
    weekly equivalent 7.5 g (0.125 g/kg) × 4 weeks = 30 g every 28 days.
    """
    d = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hyqvia",
        rule=LabelFactor(),
        frequency=SameAsIvig(),
        dosing_weight="60 kg",
        last_ivig=dt.date(2026, 1, 5),
    )
    assert (d.factor, d.rule) == (1.0, "label factor")
    assert d.trace[1] == Trace(
        what="conversion factor",
        value="1",
        formula="label factor for HyQvia",
        inputs="rule LabelFactor()",
        source=cite(("hyqvia-hcp-site",)),
    )
    assert d.trace[-1] == Trace(
        what="dose per administration",
        value="30 g",
        formula="weekly dose × IVIg interval in weeks",
        inputs="weekly 7.5 g, same-as-ivig",
        source=conversion.SRC_HYQVIA_SAME,
    )
    assert len(d.trace) == 4  # no first-dose date for HyQvia, no grams step
    assert d.notes == (
        (
            "HyQvia: the label's ramp-up (1-, 2-, 3-week doses at weeks 1, 2, 4) "
            "comes before the full dose; plan_scig applies it."
        ),
        (
            "HyQvia's start relative to the last IVIg is not stated in the sources "
            "read (not confirmed): give the first dose date explicitly."
        ),
    )
    assert (d.first_dose_earliest, d.first_dose_latest) == (None, None)
    assert d.ivig_dose_g_per_kg == pytest.approx(0.5)
    assert d.weekly_g_per_kg == pytest.approx(0.125)
    assert d.dose_g_per_kg == pytest.approx(0.5)
    assert d.interval_days == 28.0
    assert d.per_week == 0.25  # one dose every 4 weeks


def test_cuvitru_three_times_a_week_traced() -> None:
    """Cuvitru 1.30: "Previous IGIV ... dose (in grams) × 1.30 / No. of weeks".

    30 g every 4 weeks: 30 × 1.30 / 4 = 9.75 g a week; 3 times a week 3.25 g.
    The catalogue does not list n-per-week for Cuvitru: a note says so.
    """
    d = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="cuvitru",
        rule=LabelFactor(),
        frequency=TimesPerWeek(3),
        last_ivig=dt.date(2026, 1, 5),
    )
    assert d.factor == 1.3
    assert d.weekly_g == pytest.approx(9.75)
    assert d.dose_g == pytest.approx(3.25)
    assert d.trace[2].inputs == "30 g ÷ 4 × 1.3"
    assert d.trace[3] == Trace(
        what="dose per administration",
        value="3.25 g",
        formula="weekly dose ÷ 3",
        inputs="weekly 9.75 g, 3-per-week",
        source=conversion.SRC_N_PER_WEEK,
    )
    assert d.notes == (
        (
            "The 3-per-week spread is from the Hizentra PI (Cuvitru: every 2 weeks = "
            "2 × weekly); check Cuvitru's label for it."
        ),
    )
    assert d.per_week == 3.0
    assert d.interval_days == 7.0
    # Cuvitru: "1 week after ... last IVIG": a single day, written as one date.
    assert (d.first_dose_earliest, d.first_dose_latest) == (
        dt.date(2026, 1, 12),
        dt.date(2026, 1, 12),
    )
    assert d.trace[-1].value == "2026-01-12"
    assert d.trace[-1].formula == "last IVIg + 7 days"


# --------------------------------------------------------------------------
# Refusals, whole, and the boundaries of the factor and the interval.


def test_user_factor_outside_the_factors_in_use() -> None:
    """Below 1 or above 1.53 is "outside the factors in use"; ≤ 0 is "not > 0"."""
    for factor in (0.5, 0.99, 1.54):
        with refused(
            "rule.factor",
            factor,
            _FACTOR_RANGE,
            f"a factor of {factor!r} is outside the factors in use",
        ):
            UserFactor(factor)
    with refused("rule.factor", -1.0, _FACTOR_RANGE, "a factor of -1.0 is not > 0"):
        UserFactor(-1.0)
    with refused("rule.reason", "", "a non-empty string"):
        UserFactor(1.37, reason="")
    assert UserFactor(1.37, reason="local protocol").reason == "local protocol"


def test_day_offsets_must_be_a_sequence() -> None:
    """days: a sequence of offsets, not a number or a string."""
    for bad in (3, "01", (0, "a")):
        with refused("frequency.days", bad, "day offsets 0-6 within the week"):
            TimesPerWeek(2, days=bad)


def test_weekly_scig_refusals() -> None:
    """The float core names its arguments; the interval must be above 0."""
    with refused("ivig_dose", "x", "a number"):
        weekly_scig("x", 4.0, 1.0)  # type: ignore[arg-type]
    with refused("interval", 0.0, "a number > 0"):
        weekly_scig(30.0, 0.0, 1.0)
    with refused("factor", "x", "a number"):
        weekly_scig(30.0, 4.0, "x")  # type: ignore[arg-type]


_BASE: dict[str, object] = {
    "ivig_dose": "30 g",
    "ivig_interval": "4 week",
    "product": "hizentra",
    "rule": OneToOne(),
    "frequency": "weekly",
}


def test_conversion_inputs_named() -> None:
    """A dosing weight, an IVIg dose and a label factor are refused whole."""
    with refused(
        "dosing_weight",
        "5 mL",
        "a mass, e.g. '70 kg' or '154 lb'",
        "5.0 ml is not a mass (its dimension is [length] ** 3)",
        error=UnitError,
    ):
        convert_to_scig(**{**_BASE, "dosing_weight": "5 mL"})  # type: ignore[arg-type]
    nan_g = Q_(math.nan, "g")
    with refused("ivig_dose", nan_g, "a finite number", "nan is not a finite number"):
        convert_to_scig(**{**_BASE, "ivig_dose": nan_g})  # type: ignore[arg-type]
    with refused(
        "ivig_dose",
        0.0,
        "(0, 500] g (above 0 g; more than 500 g is taken for a unit slip)",
        "0 g is outside the accepted range",
    ):
        convert_to_scig(**{**_BASE, "ivig_dose": "0 g"})  # type: ignore[arg-type]
    no_factor = attrs.evolve(get_product("hizentra"), scig_conversion=None)
    with refused(
        "rule",
        LabelFactor(),
        "OneToOne() or UserFactor(...) for this product",
        "Hizentra has no label conversion factor in the catalogue",
    ):
        convert_to_scig(**{**_BASE, "product": no_factor, "rule": LabelFactor()})  # type: ignore[arg-type]


def test_shortest_interval_is_one_day() -> None:
    """1 day (1/7 week) converts: 30 g a day is 210 g a week; 0.99 day does not."""
    d = convert_to_scig(**{**_BASE, "ivig_interval": "1 day"})  # type: ignore[arg-type]
    assert d.weekly_g == pytest.approx(210.0)
    with refused(
        "ivig_interval",
        "0.99 day",
        "an interval of at least 1 day, e.g. '4 week' or '21 day'",
        "an IVIg interval of 0.141429 weeks cannot be converted",
    ):
        convert_to_scig(**{**_BASE, "ivig_interval": "0.99 day"})  # type: ignore[arg-type]


def test_frequency_for_the_route_refused_whole() -> None:
    """HyQvia takes SameAsIvig only; a 20 % SC product never takes it."""
    with refused(
        "frequency",
        SameAsIvig(),
        "Weekly(), EveryTwoWeeks() or TimesPerWeek(n) for a 20 % SC product",
        "Hizentra: the SC labels give a weekly dose spread weekly, every 2 weeks "
        "or 2-7 times a week",
    ):
        convert_to_scig(**{**_BASE, "frequency": "same as ivig"})  # type: ignore[arg-type]
    with refused(
        "frequency",
        Weekly(),
        "SameAsIvig() for a facilitated SC product",
        "HyQvia's label gives the IVIg dose and frequency after ramp-up (HyQvia US "
        "prescribing information), not a weekly spread",
    ):
        convert_to_scig(**{**_BASE, "product": "hyqvia"})  # type: ignore[arg-type]
    assert parse_frequency("Same As IVIg") == SameAsIvig()
    assert parse_frequency("every 2 weeks") == EveryTwoWeeks()


def test_dosing_weight_policy_in_the_trace() -> None:
    """A DosingWeight's policy, reason and source are shown with the grams.

    1 g/kg at an ideal body weight of 60 kg: 60 g IVIg.
    """
    dw = DosingWeight(
        weight=units.quantity(60.0, KG),
        basis=WeightBasis.IDEAL,
        policy="ibw",
        reason="obese patient",
        source="local policy 3",
    )
    d = convert_to_scig(**{**_BASE, "ivig_dose": "1 g/kg", "dosing_weight": dw})  # type: ignore[arg-type]
    assert d.trace[0] == Trace(
        what="IVIg dose in grams",
        value="60 g",
        formula="IVIg g/kg × dosing weight",
        inputs="1 g/kg × 60 kg (ibw: obese patient)",
        source="local policy 3",
    )
    assert d.dosing_weight is dw
    assert d.ivig_dose_g == 60.0


def test_iv_product_refused_whole() -> None:
    """An IV-only product is not a conversion target."""
    with refused(
        "product",
        "Privigen",
        "a subcutaneous product (route sc or facilitated_sc), e.g. Hizentra, "
        "Cuvitru, Xembify, HyQvia, Gamunex-C, Gammagard Liquid",
        "Privigen is labelled for iv only; converting IVIg to an IV product is not "
        "a conversion",
    ):
        convert_to_scig(**{**_BASE, "product": "privigen"})  # type: ignore[arg-type]


def test_result_names_the_product_and_dates() -> None:
    """The dose keeps the product (key, name, entry) and the last IVIg date."""
    product = get_product("hizentra")
    d = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product=product,
        rule=OneToOne(),
        frequency="weekly",
        last_ivig=dt.date(2026, 1, 5),
    )
    assert (d.product, d.product_name) == ("hizentra", "Hizentra")
    assert d.product_entry is product
    assert d.last_ivig == dt.date(2026, 1, 5)
    assert d.dosing_weight is None


def test_facilitated_product_has_no_start_rule() -> None:
    """A facilitated SC product gets no first-dose date, even with start rules.

    HyQvia given Hizentra's conversion entry (which has start rules): still
    none, as HyQvia's start after IVIg is not in the sources read.
    """
    hyqvia = attrs.evolve(
        get_product("hyqvia"),
        scig_conversion=get_product("hizentra").scig_conversion,
    )
    d = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product=hyqvia,
        rule=OneToOne(),
        frequency=SameAsIvig(),
        last_ivig=dt.date(2026, 1, 5),
    )
    assert (d.first_dose_earliest, d.first_dose_latest) == (None, None)


def test_one_day_minus_the_float_slack_converts() -> None:
    """The check is weeks ≥ 1/7 − 1e-9: exactly at that bound converts."""
    at_bound = Q_(1.0 / 7.0 - 1e-9, "week")
    d = convert_to_scig(**{**_BASE, "ivig_interval": at_bound})  # type: ignore[arg-type]
    assert d.ivig_interval_weeks == 1.0 / 7.0 - 1e-9


def test_a_hand_built_conversion_needs_each_dose() -> None:
    """A conversion with neither grams nor g/kg is refused, not read as 0 g.

    The g/kg-only conversion (1 g/kg every 4 weeks × 1.37 = 0.3425 g/kg/week)
    keeps its g/kg view; clearing the g/kg too is refused naming the field.
    """
    per_kg = convert_to_scig(
        ivig_dose="1 g/kg",
        ivig_interval="4 week",
        product="hizentra",
        rule=LabelFactor(),
        frequency="weekly",
    )
    assert per_kg.weekly_g is None
    assert per_kg.weekly.magnitude == pytest.approx(0.3425)
    assert str(per_kg.weekly.units) == "gram / kilogram / week"
    with refused("weekly_g", None, "a weekly dose in g or in g/kg (weekly_g_per_kg)"):
        attrs.evolve(per_kg, weekly_g_per_kg=None)
    with refused(
        "dose_g", None, "a dose per administration in g or in g/kg (dose_g_per_kg)"
    ):
        attrs.evolve(per_kg, dose_g_per_kg=None)
    grams = convert_to_scig(
        ivig_dose="70 g",
        ivig_interval="4 week",
        product="hizentra",
        rule=LabelFactor(),
        frequency="weekly",
    )
    assert grams.weekly_g_per_kg is None
    assert grams.dose.magnitude == pytest.approx(23.975)
    assert str(grams.dose.units) == "gram"
    with refused("weekly_g", None, "a weekly dose in g or in g/kg (weekly_g_per_kg)"):
        attrs.evolve(grams, weekly_g=None)
