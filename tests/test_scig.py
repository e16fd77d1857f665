"""IVIg → SCIg conversion: worked examples, properties, refusals."""

from __future__ import annotations

import datetime as dt
import math

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import Q_, InputError, PlanningError, UnitError
from ivig_core.io.text import conversion
from ivig_core.products import Route, get_product
from ivig_core.scig import (
    SCIG_PRESETS,
    EveryTwoWeeks,
    LabelFactor,
    OneToOne,
    SameAsIvig,
    ScigFrequency,
    ScLimits,
    TimesPerWeek,
    UserFactor,
    Weekly,
    convert_to_scig,
    dose_per_administration,
    get_scig_preset,
    hyqvia_ramp_up,
    hyqvia_ramp_up_values,
    parse_frequency,
    plan_sites,
    sc_product,
    sc_situations,
    weekly_scig,
)


LAST_IVIG = dt.date(2026, 1, 5)
SC_PRODUCTS = ("hizentra", "cuvitru", "xembify", "gamunex-c", "gammagard-liquid")


# --------------------------------------------------------------------------
# Worked examples (clinical.md §5)


def test_hizentra_weekly_label_factor() -> None:
    """30 g IVIg every 4 weeks → Hizentra weekly at 1.37 = 10.275 g/week."""
    dose = convert_to_scig(
        ivig_dose=Q_(30, "g"),
        ivig_interval="4 week",
        product="hizentra",
        rule=LabelFactor(),
        frequency=Weekly(),
    )
    assert dose.factor == 1.37
    assert dose.weekly_g == pytest.approx(10.275)
    assert dose.dose_g == pytest.approx(10.275)
    assert dose.interval_days == 7.0
    assert dose.route is Route.SC
    assert dose.weekly.m_as("g/week") == pytest.approx(10.275)


def test_hizentra_every_two_weeks() -> None:
    """Every 2 weeks is 2 × the weekly dose: 20.55 g."""
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hizentra",
        rule=LabelFactor(),
        frequency=EveryTwoWeeks(),
    )
    assert dose.dose_g == pytest.approx(20.55)
    assert dose.weekly_g == pytest.approx(10.275)
    assert dose.interval_days == 14.0
    assert dose.per_week == 0.5


def test_cuvitru_label_factor() -> None:
    """Cuvitru's factor is 1.30: 30 g every 4 weeks → 9.75 g/week."""
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="28 day",
        product="Cuvitru",
        rule=LabelFactor(),
        frequency="weekly",
    )
    assert dose.factor == 1.30
    assert dose.weekly_g == pytest.approx(9.75)


@pytest.mark.parametrize("product", ["gamunex-c", "gammagard-liquid", "xembify"])
def test_other_us_products_use_1_37(product: str) -> None:
    """Gamunex-C SC, Gammagard Liquid SC and Xembify share the 1.37 factor."""
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product=product,
        rule=LabelFactor(),
        frequency=Weekly(),
    )
    assert dose.factor == 1.37


def test_eu_one_to_one_per_kg() -> None:
    """EU 1:1: 1 g/kg every 3 weeks → 0.333 g/kg weekly (grams unknown)."""
    dose = convert_to_scig(
        ivig_dose="1 g/kg",
        ivig_interval="3 week",
        product="hizentra",
        rule=OneToOne(),
        frequency=Weekly(),
    )
    assert dose.weekly_g_per_kg == pytest.approx(1 / 3)
    assert round(dose.weekly_g_per_kg or 0.0, 3) == 0.333
    assert dose.weekly_g is None
    assert dose.dose_g is None
    assert dose.dose.m_as("g/kg") == pytest.approx(1 / 3)
    assert any("1.37" in note for note in dose.notes)


def test_per_kg_with_dosing_weight_gives_grams() -> None:
    """A g/kg dose with a 70 kg dosing weight gives grams too."""
    dose = convert_to_scig(
        ivig_dose="1 g/kg",
        ivig_interval="3 week",
        product="hizentra",
        rule=OneToOne(),
        frequency=EveryTwoWeeks(),
        dosing_weight="70 kg",
    )
    assert dose.ivig_dose_g == pytest.approx(70.0)
    assert dose.dose_g == pytest.approx(70 / 3 * 2)
    assert dose.dose_g_per_kg == pytest.approx(2 / 3)


def test_grams_with_dosing_weight_gives_per_kg() -> None:
    """A gram dose with a dosing weight also reports g/kg."""
    dose = convert_to_scig(
        ivig_dose="28 g",
        ivig_interval="4 week",
        product="hizentra",
        rule=UserFactor(1.0, reason="local 1:1 policy"),
        frequency=Weekly(),
        dosing_weight=Q_(70, "kg"),
    )
    assert dose.weekly_g_per_kg == pytest.approx(0.1)
    assert dose.factor_source == "user: local 1:1 policy"


def test_times_per_week_divides_weekly() -> None:
    """Three times a week: each dose is weekly ÷ 3."""
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hizentra",
        rule=LabelFactor(),
        frequency=TimesPerWeek(3),
    )
    assert dose.dose_g == pytest.approx(10.275 / 3)
    assert dose.per_week == 3.0


def test_hyqvia_same_as_ivig() -> None:
    """HyQvia after ramp-up: the IVIg dose at the IVIg interval (1:1)."""
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hyqvia",
        rule=LabelFactor(),
        frequency=SameAsIvig(),
    )
    assert dose.route is Route.FACILITATED_SC
    assert dose.factor == 1.0
    assert dose.dose_g == pytest.approx(30.0)
    assert dose.interval_days == 28.0
    assert dose.first_dose_earliest is None


def test_first_dose_one_week_after_last_ivig() -> None:
    """The first SC dose is timed 1 week after the last IVIg (label)."""
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="cuvitru",
        rule=LabelFactor(),
        frequency=Weekly(),
        last_ivig=LAST_IVIG,
    )
    assert dose.first_dose_earliest == dt.date(2026, 1, 12)
    assert dose.first_dose_latest == dt.date(2026, 1, 12)


def test_hizentra_every_two_weeks_window() -> None:
    """Hizentra every 2 weeks may start 1-2 weeks after the last IVIg."""
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hizentra",
        rule=LabelFactor(),
        frequency=EveryTwoWeeks(),
        last_ivig=LAST_IVIG,
    )
    assert dose.first_dose_earliest == dt.date(2026, 1, 12)
    assert dose.first_dose_latest == dt.date(2026, 1, 19)


def test_every_number_is_traced_with_a_source() -> None:
    """The trace names the formula, inputs and source of each number."""
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hizentra",
        rule=LabelFactor(),
        frequency=Weekly(),
        last_ivig=LAST_IVIG,
    )
    whats = [t.what for t in dose.trace]
    assert whats == [
        "IVIg weekly equivalent",
        "conversion factor",
        "weekly SC dose",
        "dose per administration",
        "first SC dose",
    ]
    assert all(t.source and t.formula and t.inputs for t in dose.trace)
    assert "Hizentra US prescribing information" in dose.trace[1].source
    text = conversion(dose)
    assert "10.28 g/week" in text
    assert "1.37" in text


def test_non_hizentra_spread_is_noted() -> None:
    """A spread the reference records only from Hizentra's label is noted."""
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="xembify",
        rule=LabelFactor(),
        frequency=TimesPerWeek(2),
    )
    assert any("Hizentra PI" in note for note in dose.notes)


def test_float_core() -> None:
    """The float core gives the formula's numbers directly."""
    assert weekly_scig(30.0, 4.0, 1.37) == pytest.approx(10.275)
    assert dose_per_administration(
        7.5, SameAsIvig(), ivig_interval_weeks=4.0
    ) == pytest.approx(30.0)


# --------------------------------------------------------------------------
# HyQvia ramp-up


def test_hyqvia_ramp_up_worked_example() -> None:
    """30 g every 4 weeks → 7.5, 15, 22.5, 30 g at weeks 1, 2, 4, 7."""
    steps = hyqvia_ramp_up(full_dose="30 g", interval="4 week")
    assert [(s.week, s.weeks_of_dose) for s in steps] == [
        (1, 1),
        (2, 2),
        (4, 3),
        (7, 4),
    ]
    assert [s.dose for s in steps] == pytest.approx([7.5, 15.0, 22.5, 30.0])
    assert [s.day_offset for s in steps] == [0, 7, 21, 42]
    assert [s.is_full for s in steps] == [False, False, False, True]
    assert {s.unit for s in steps} == {"g"}


def test_hyqvia_ramp_up_per_kg() -> None:
    """The ramp-up also works on a g/kg full dose."""
    steps = hyqvia_ramp_up(full_dose="0.4 g/kg", interval="28 day")
    assert [s.dose for s in steps] == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert steps[0].unit == "g/kg"


@pytest.mark.parametrize("interval", ["2 week", "5 week"])
def test_hyqvia_ramp_up_other_intervals_refused(interval: str) -> None:
    """Only the 3- and 4-week ramp-ups are in the label's table; others refused."""
    with pytest.raises(
        InputError,
        match=(
            r"^interval: .*; allowed: 3 week or 4 week: the HyQvia US "
            r"prescribing information's ramp-up table covers a 4-week "
            r"interval \(its 4th infusion 'if required', so 3 weeks too\); "
            r"other intervals \(and the CIDP ramp\) are not confirmed$"
        ),
    ):
        hyqvia_ramp_up(full_dose="30 g", interval=interval)


def test_hyqvia_three_week_ramp_up_from_the_label_table() -> None:
    """A 3-week interval ends the label table's ramp at the week-4 3-week dose.

    The label table: week 1 "1-week-dose", week 2 "2-week-dose", week 4
    "3-week-dose", week 7 "4th infusion (if required)" (30 g every 3 weeks:
    10, 20, 30 g).
    """
    steps = hyqvia_ramp_up(full_dose="30 g", interval="3 week")
    assert [(s.week, s.weeks_of_dose, s.dose) for s in steps] == [
        (1, 1, 10.0),
        (2, 2, 20.0),
        (4, 3, 30.0),
    ]
    assert [s.is_full for s in steps] == [False, False, True]


def test_hyqvia_ramp_up_refuses_zero_dose() -> None:
    """A zero full dose is refused."""
    with pytest.raises(InputError, match=r"^full_dose: .*; allowed: a dose > 0"):
        hyqvia_ramp_up_values(0.0, 4.0)


# --------------------------------------------------------------------------
# Properties

_DOSES = st.floats(min_value=1.0, max_value=200.0, allow_nan=False)
_WEEKS = st.integers(min_value=1, max_value=8)
# The factors in use (scig.conversion.FACTOR_RANGE): 1:1 to 1.53.
_FACTORS = st.floats(min_value=1.0, max_value=1.53, allow_nan=False)
_FREQUENCIES: st.SearchStrategy[ScigFrequency] = st.one_of(
    st.just(Weekly()),
    st.just(EveryTwoWeeks()),
    st.integers(min_value=2, max_value=7).map(TimesPerWeek),
)


@given(grams=_DOSES, weeks=_WEEKS, factor=_FACTORS, frequency=_FREQUENCIES)
def test_four_week_total_is_ivig_grams_times_factor(
    grams: float, weeks: int, factor: float, frequency: ScigFrequency
) -> None:
    """Grams per 4 weeks = IVIg grams per 4 weeks × factor, for any spread."""
    dose = convert_to_scig(
        ivig_dose=Q_(grams, "g"),
        ivig_interval=Q_(weeks, "week"),
        product="hizentra",
        rule=UserFactor(factor),
        frequency=frequency,
    )
    assert dose.dose_g is not None
    four_weeks = dose.dose_g * dose.per_week * 4
    assert four_weeks == pytest.approx(grams * 4 / weeks * factor, rel=1e-12)


@given(grams=_DOSES, weeks=_WEEKS, frequency=_FREQUENCIES)
def test_spreading_never_changes_the_weekly_total(
    grams: float, weeks: int, frequency: ScigFrequency
) -> None:
    """Weekly, every 2 weeks and n times a week give the same weekly grams."""
    common = {
        "ivig_dose": Q_(grams, "g"),
        "ivig_interval": Q_(weeks, "week"),
        "product": "cuvitru",
        "rule": LabelFactor(),
    }
    weekly = convert_to_scig(frequency=Weekly(), **common)  # type: ignore[arg-type]
    spread = convert_to_scig(frequency=frequency, **common)  # type: ignore[arg-type]
    assert spread.weekly_g == weekly.weekly_g
    assert spread.dose_g is not None
    assert spread.dose_g * spread.per_week == pytest.approx(weekly.weekly_g)


@given(
    volume=st.floats(min_value=0.1, max_value=240.0, allow_nan=False),
    product=st.sampled_from(["cuvitru", "xembify", "gammagard-liquid"]),
)
def test_sites_never_exceed_the_per_site_limit(volume: float, product: str) -> None:
    """Planned volume per site never exceeds the limit, or planning refuses."""
    situation = sc_situations(product)[-1]
    limits = ScLimits.from_product(product, situation=situation)
    capacity = limits.max_sites * limits.tiers[-1].volume_per_site_ml
    if volume > capacity * (1 + 1e-9):
        with pytest.raises(PlanningError, match="more than the label maximum"):
            plan_sites(volume, limits)
        return
    sites = plan_sites(volume, limits)
    assert sites.volume_per_site_ml <= sites.volume_limit_per_site_ml * (1 + 1e-9)
    assert sites.sites <= limits.max_sites
    assert sites.volume_per_site_ml * sites.sites == pytest.approx(volume)
    if sites.sites > 1:  # the fewest sites: one fewer would break the limit
        assert volume / (sites.sites - 1) > limits.volume_limit_ml(sites.sites - 1)


@given(volume=st.floats(min_value=1.0, max_value=1200.0, allow_nan=False))
def test_hyqvia_tiers(volume: float) -> None:
    """HyQvia: ≤ 600 mL/site with 1-2 sites, ≤ 400 mL/site with 3."""
    limits = ScLimits.from_product(
        "hyqvia",
        situation=["per site, 1 or 2 sites", "per site, 3 sites"],
        rate_per_site="300 mL/h",
        parameter_source="test",
    )
    sites = plan_sites(volume, limits)
    limit = 400.0 if sites.sites == 3 else 600.0
    assert sites.volume_per_site_ml <= limit * (1 + 1e-9)


# --------------------------------------------------------------------------
# Site limits


def test_hyqvia_limit_tiers_and_daily_volume() -> None:
    """HyQvia's tiers and daily limit come from the catalogue."""
    limits = ScLimits.from_product(
        "hyqvia",
        situation=[
            "per site, 1 or 2 sites",
            "per site, 3 sites",
            "per day, patients < 40 kg",
        ],
        rate_per_site="300 mL/h",
        parameter_source="test",
    )
    assert [(t.sites_from, t.sites_to, t.volume_per_site_ml) for t in limits.tiers] == [
        (1, 2, 600.0),
        (3, 3, 400.0),
    ]
    assert limits.volume_per_day_ml == 600.0
    with pytest.raises(PlanningError, match=r"volume_per_day: .*100\.0 mL above"):
        plan_sites(700.0, limits)


def test_too_many_sites_says_by_how_much() -> None:
    """Needing more sites than the label allows is refused with the excess."""
    limits = ScLimits.from_product("xembify", situation=sc_situations("xembify")[1])
    with pytest.raises(PlanningError, match="needs 8 sites, 2 more than the label"):
        plan_sites(200.0, limits)


def test_missing_limits_are_required_parameters() -> None:
    """Values the catalogue lacks must be given; none is guessed."""
    with pytest.raises(
        InputError, match=r"^max_sites: .*; allowed: a maximum number of sites"
    ):
        ScLimits.from_product("hizentra", situation="PI, later infusions")
    with pytest.raises(
        InputError, match=r"^volume_per_site: .*; allowed: a per-site volume \(the"
    ):
        ScLimits.from_product("gamunex-c", situation="SC, patients ≥ 25 kg")
    limits = ScLimits.from_product(
        "gamunex-c",
        situation=["SC, patients ≥ 25 kg", "SC, adults"],
        volume_per_site="20 mL",
        parameter_source="local protocol 7",
    )
    assert limits.max_sites == 8
    assert limits.rate_per_site_ml_h == 20.0
    assert any("local protocol 7" in s for s in limits.sources)


def test_label_limits_are_not_overridden() -> None:
    """A parameter for a value the catalogue gives is refused."""
    with pytest.raises(
        InputError,
        match=(
            r"^volume_per_site: Cuvitru \(later infusions\) gives a "
            r"per-site volume; label limits are not overridden; allowed: "
            r"nothing: the catalogue gives it$"
        ),
    ):
        ScLimits.from_product(
            "cuvitru", situation="later infusions", volume_per_site="100 mL"
        )
    with pytest.raises(
        InputError,
        match=(
            r"^rate_per_site: Cuvitru \(later infusions\) gives "
            r"rate_per_site 60 mL/h; label limits are not overridden; "
            r"allowed: nothing: the catalogue gives it$"
        ),
    ):
        ScLimits.from_product(
            "cuvitru", situation="later infusions", rate_per_site="100 mL/h"
        )


def test_unknown_situation_lists_the_catalogue() -> None:
    """An unknown situation is refused with the catalogue's list."""
    with pytest.raises(
        InputError,
        match=(
            r"^situation: got 'later'; allowed: one of \['PI, first "
            r"infusion', 'PI, later infusions', 'CIDP, first infusion', "
            r"'CIDP, later infusions'\] for Hizentra$"
        ),
    ):
        ScLimits.from_product("hizentra", situation="later")


def test_conflicting_rows_refused() -> None:
    """Two rows that give different per-site rates are refused."""
    with pytest.raises(
        InputError,
        match=(
            r"^situation: the rows give different rate_per_site: 'PI, "
            r"first infusion' 15 mL/h, 'PI, later infusions' 25 mL/h; "
            r"allowed: situations that agree on rate_per_site$"
        ),
    ):
        ScLimits.from_product(
            "hizentra",
            situation=["PI, first infusion", "PI, later infusions"],
            max_sites=4,
        )


# --------------------------------------------------------------------------
# Bad input


def _convert(**changes: object) -> object:
    args: dict[str, object] = {
        "ivig_dose": "30 g",
        "ivig_interval": "4 week",
        "product": "hizentra",
        "rule": LabelFactor(),
        "frequency": Weekly(),
    }
    args.update(changes)
    return convert_to_scig(**args)  # type: ignore[arg-type]


def test_refuses_an_iv_product() -> None:
    """Converting to an IV-only product is refused, naming the product."""
    with pytest.raises(
        InputError,
        match=(
            r"^product: Privigen is labelled for iv only; converting IVIg "
            r"to an IV product is not a conversion; allowed: a "
            r"subcutaneous product \(route sc or facilitated_sc\), e\.g\. "
            r"Hizentra, Cuvitru, Xembify, HyQvia, Gamunex-C, Gammagard "
            r"Liquid$"
        ),
    ):
        _convert(product="privigen")
    with pytest.raises(
        InputError, match=r"^product: .*; allowed: a subcutaneous product \(route"
    ):
        sc_product(get_product("octagam 10%"))


@pytest.mark.parametrize("factor", [0, 0.0, -1.37, math.nan, math.inf])
def test_refuses_a_factor_not_above_zero(factor: float) -> None:
    """A user factor ≤ 0 (or not finite) is refused, naming rule.factor."""
    with pytest.raises(
        InputError,
        match=(
            r"^rule\.factor: .*; allowed: a number from 1 to 1\.53 \(SC "
            r"grams per IVIg gram: 1:1 in the EU, 1\.37 on US labels, "
            r"1\.53 before 2015\)$"
        ),
    ):
        UserFactor(factor)


def test_refuses_a_bool_factor() -> None:
    """``True`` is not a factor."""
    with pytest.raises(
        InputError,
        match=(
            r"^rule\.factor: got True; allowed: a number from 1 to 1\.53 "
            r"\(SC grams per IVIg gram: 1:1 in the EU, 1\.37 on US labels, "
            r"1\.53 before 2015\)$"
        ),
    ):
        UserFactor(True)  # noqa: FBT003 - the bad input under test


@pytest.mark.parametrize("interval", ["0 week", "0 day", "-4 week"])
def test_refuses_a_zero_interval(interval: str) -> None:
    """An IVIg interval of zero (or less) is refused, naming ivig_interval."""
    with pytest.raises(
        InputError,
        match=r"^ivig_interval: .*; allowed: an interval of at least 1 day, e\.g\. '4",
    ):
        _convert(ivig_interval=interval)


def test_refuses_a_bare_number_interval() -> None:
    """A bare number is not an interval: units are never assumed."""
    with pytest.raises(
        UnitError, match=r"^ivig_interval: .*; allowed: a duration as a pint Quantity"
    ):
        _convert(ivig_interval=4)


@pytest.mark.parametrize("frequency", ["fortnightly", "monthly", "8-per-week", 3])
def test_refuses_an_unknown_frequency(frequency: object) -> None:
    """An unknown frequency is refused, naming the field."""
    with pytest.raises(
        InputError, match=r"^frequency: .*; allowed: Weekly\(\), EveryTwoWeeks\(\),"
    ):
        _convert(frequency=frequency)


@pytest.mark.parametrize("times", [1, 8, 0])
def test_times_per_week_range(times: int) -> None:
    """Doses per week must be 2 to 7 (Hizentra PI)."""
    with pytest.raises(
        InputError,
        match=(
            r"^frequency\.times: .*; allowed: 2 to 7 times a week "
            r"\(Hizentra US prescribing information\); use Weekly\(\) for "
            r"once a week$"
        ),
    ):
        TimesPerWeek(times)


def test_refuses_label_factor_without_one() -> None:
    """LabelFactor for a product without a label factor is refused."""
    hizentra = get_product("hizentra")
    bare = attrs.evolve(hizentra, scig_conversion=None)
    with pytest.raises(
        InputError,
        match=(
            r"^rule: Hizentra has no label conversion factor in the "
            r"catalogue; allowed: OneToOne\(\) or UserFactor\(\.\.\.\) for "
            r"this product$"
        ),
    ):
        _convert(product=bare)
    assert _convert(product=bare, rule=OneToOne()) is not None


def test_refuses_weekly_hyqvia_and_same_as_ivig_sc() -> None:
    """HyQvia takes the IVIg frequency; 20 % SC products take a weekly spread."""
    with pytest.raises(
        InputError,
        match=(
            r"^frequency: HyQvia's label gives the IVIg dose and frequency "
            r"after ramp-up \(HyQvia US prescribing information\), not a "
            r"weekly spread; allowed: SameAsIvig\(\) for a facilitated SC "
            r"product$"
        ),
    ):
        _convert(product="hyqvia", frequency=Weekly())
    with pytest.raises(
        InputError,
        match=(
            r"^frequency: Hizentra: the SC labels give a weekly dose "
            r"spread weekly, every 2 weeks or 2-7 times a week; allowed: "
            r"Weekly\(\), EveryTwoWeeks\(\) or TimesPerWeek\(n\) for a 20 "
            r"% SC product$"
        ),
    ):
        _convert(frequency=SameAsIvig())


def test_refuses_bad_doses() -> None:
    """Zero, per-kg-less and unit-slip doses are refused, naming ivig_dose."""
    with pytest.raises(
        InputError, match=r"^ivig_dose: .*; allowed: \(0, 500\] g \(above 0 g; more"
    ):
        _convert(ivig_dose="0 g")
    with pytest.raises(
        InputError, match=r"^ivig_dose: .*; allowed: \(0, 500\] g \(above 0 g; more"
    ):
        _convert(ivig_dose="30000 g")
    with pytest.raises(
        UnitError, match=r"^ivig_dose: .*; allowed: a dose per body mass as a"
    ):
        _convert(ivig_dose=30)


def test_refuses_an_unknown_rule() -> None:
    """A rule must be one of the three rule objects."""
    with pytest.raises(
        InputError, match=r"^rule: .*; allowed: LabelFactor\(\), OneToOne\(\) or"
    ):
        _convert(rule=1.37)


def test_parse_frequency_names() -> None:
    """Frequency names map to the frequency objects."""
    assert parse_frequency("weekly") == Weekly()
    assert parse_frequency("every-2-weeks") == EveryTwoWeeks()
    assert parse_frequency("same-as-ivig") == SameAsIvig()
    assert parse_frequency("5-per-week") == TimesPerWeek(5)
    assert TimesPerWeek(2, days=(0, 3)).week_offsets == (0, 3)
    with pytest.raises(
        InputError,
        match=(
            r"^frequency\.days: got \(0,\); allowed: 2 day offsets \(one "
            r"per dose\)$"
        ),
    ):
        TimesPerWeek(2, days=(0,))
    with pytest.raises(
        InputError,
        match=(
            r"^frequency\.days: got \(3, 0\); allowed: distinct day "
            r"offsets in increasing order$"
        ),
    ):
        TimesPerWeek(2, days=(3, 0))


# --------------------------------------------------------------------------
# Presets


def test_hizentra_cidp_presets() -> None:
    """Hizentra CIDP: 0.2 g/kg weekly, 0.4 g/kg as the alternative."""
    assert list(SCIG_PRESETS) == ["hizentra-cidp-0.2", "hizentra-cidp-0.4"]
    low = get_scig_preset("hizentra-cidp-0.2")
    high = get_scig_preset("hizentra-cidp-0.4")
    assert low.maintenance is not None
    assert high.maintenance is not None
    assert low.maintenance.dose_g_per_kg == 0.2
    assert high.maintenance.dose_g_per_kg == 0.4
    assert low.maintenance.interval_days == 7.0
    assert str(low.maintenance.allowed_days) == "1-2"
    assert "Hizentra US PI" in low.source
    assert low.open_choices
    with pytest.raises(
        InputError, match=r"^preset: .*; allowed: one of \['hizentra-cidp-0\.2',"
    ):
        get_scig_preset("hizentra-cidp-0.3")
    assert len(SCIG_PRESETS) == 2
    assert "hizentra" in repr(SCIG_PRESETS)


def test_site_count_from_rows_is_not_overridden() -> None:
    """max_sites is refused where the catalogue rows give the number of sites."""
    with pytest.raises(
        InputError, match=r"^max_sites: .*; allowed: nothing: the per-site volume"
    ):
        ScLimits.from_product(
            "hyqvia",
            situation=["per site, 1 or 2 sites", "per site, 3 sites"],
            max_sites=4,
        )
    with pytest.raises(
        InputError, match=r"^max_sites: .*; allowed: nothing: the per-site volume"
    ):
        ScLimits.from_product("cuvitru", situation="later infusions", max_sites=6)


def test_tiers_come_from_the_rows_site_ranges() -> None:
    """Per-site tiers follow the rows' site ranges, and the rows are kept."""
    lim = ScLimits.from_product("hyqvia", situation="per site, 1 or 2 sites")
    assert [(t.sites_from, t.sites_to) for t in lim.tiers] == [(1, 2)]
    assert [r.applies_to for r in lim.rows] == ["per site, 1 or 2 sites"]
    with pytest.raises(
        InputError, match=r"^max_sites: .*; allowed: nothing: the per-site volume"
    ):
        ScLimits.from_product("hyqvia", situation="per site, 1 or 2 sites", max_sites=3)


def test_spread_note_and_start_follow_the_catalogue() -> None:
    """Which spreads a label gives and the start after IVIg are product data."""
    hz = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hizentra",
        rule=LabelFactor(),
        frequency=TimesPerWeek(3),
        last_ivig=LAST_IVIG,
    )
    assert not any("check Hizentra" in n for n in hz.notes)
    cuv = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="cuvitru",
        rule=LabelFactor(),
        frequency=EveryTwoWeeks(),
        last_ivig=LAST_IVIG,
    )
    assert any("check Cuvitru's label" in n for n in cuv.notes)
    assert cuv.first_dose_earliest == cuv.first_dose_latest == dt.date(2026, 1, 12)
    conv = get_product("cuvitru").scig_conversion
    assert conv is not None
    bare = attrs.evolve(
        get_product("cuvitru"), scig_conversion=attrs.evolve(conv, starts=())
    )
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product=bare,
        rule=LabelFactor(),
        frequency=Weekly(),
        last_ivig=LAST_IVIG,
    )
    assert dose.first_dose_earliest is None
