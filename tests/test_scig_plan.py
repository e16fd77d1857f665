"""SC planner: dated SC and HyQvia plans with sites, volumes and rates."""

from __future__ import annotations

import datetime as dt
import itertools
from functools import cache

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import Q_, InputError, PlanningError
from ivig_core.io.text import sc_explain
from ivig_core.plan import Phase, Plan, check_plan
from ivig_core.planning import ClosedDays
from ivig_core.planning.course import plan_course
from ivig_core.planning.courses import regimen_from_conversion
from ivig_core.planning.request import FirstInfusions, ScOptions
from ivig_core.planning.scig import (
    ScPlan,
    plan_scig,
    plan_scig_regimen,
)
from ivig_core.products import Product, Route, Source, Vial, get_product
from ivig_core.regimen import DayRange, DoseSteps, Induction, Stop, Taper, get_preset
from ivig_core.scig import (
    EveryTwoWeeks,
    LabelFactor,
    OneToOne,
    ScigFrequency,
    ScLimits,
    SiteTier,
    TimesPerWeek,
    Weekly,
    convert_to_scig,
    get_scig_preset,
)
from worked import (
    LAST_IVIG,
    LOCAL,
    hizentra_conversion,
    hizentra_first_infusions,
    hizentra_later_limits,
    hyqvia_conversion,
    hyqvia_limits,
    woman,
)


def hizentra_plan(
    frequency: ScigFrequency, *, cycles: int = 4, grams: str = "30 g"
) -> ScPlan:
    """Plan *frequency* Hizentra with first-infusion limits, never below."""
    return plan_scig(
        woman("70 kg"),
        hizentra_conversion(frequency, grams),
        policy="actual",
        rounding="never-below",
        limits=hizentra_later_limits(),
        first_infusions=hizentra_first_infusions(),
        site_rate="label-maximum",
        cycles=cycles,
    )


# --------------------------------------------------------------------------
# Worked examples


def test_hizentra_weekly_plan() -> None:
    """Weekly Hizentra from 1 week after the last IVIg, with sites per limit."""
    sc = hizentra_plan(Weekly())
    plan = sc.plan
    assert isinstance(plan, Plan)
    assert plan.dates == tuple(
        dt.date(2026, 1, 12) + dt.timedelta(weeks=k) for k in range(4)
    )
    assert [i.calculated_g for i in plan.infusions] == pytest.approx([10.275] * 4)
    assert [i.dispensed_g for i in plan.infusions] == [11.0] * 4  # 10 g + 1 g
    assert [i.volume_ml for i in plan.infusions] == pytest.approx([55.0] * 4)
    first, *later = sc.sc
    assert (first.sites, first.volume_limit_per_site_ml) == (4, 15.0)
    assert first.rate_per_site_ml_h == 15.0
    assert {(d.sites, d.volume_limit_per_site_ml) for d in later} == {(3, 25.0)}
    assert later[0].volume_per_site_ml == pytest.approx(55 / 3)
    assert later[0].total_rate_ml_h == pytest.approx(75.0)
    assert plan.infusions[1].run.duration_min == pytest.approx(55 / 3 / 25 * 60)
    assert plan.infusions[0].run.duration_min == pytest.approx(55 / 4 / 15 * 60)
    assert sc.route is Route.SC
    assert plan.product == "Hizentra"
    assert {i.phase for i in plan.infusions} == {Phase.MAINTENANCE}
    assert plan.regimen.maintenance is not None
    assert plan.regimen.maintenance.interval_days == 7.0


@cache
def hizentra_six_sites() -> ScLimits:
    """Hizentra PI later infusions with 6 sites (a local choice, not label)."""
    return ScLimits.from_product(
        "hizentra",
        situation="PI, later infusions",
        max_sites=6,
        parameter_source=LOCAL,
    )


def test_hizentra_every_two_weeks_plan() -> None:
    """Every 2 weeks: 20.55 g every 14 days (21 g, 105 mL at 5 sites)."""
    sc = plan_scig(
        woman("70 kg"),
        hizentra_conversion(EveryTwoWeeks()),
        policy="actual",
        rounding="never-below",
        limits=hizentra_six_sites(),
        site_rate="label-maximum",
        cycles=3,
    )
    assert [d.sites for d in sc.sc] == [5, 5, 5]
    assert [i.calculated_g for i in sc.plan.infusions] == pytest.approx([20.55] * 3)
    assert sc.plan.dates == (
        dt.date(2026, 1, 12),
        dt.date(2026, 1, 26),
        dt.date(2026, 2, 9),
    )


def test_hizentra_every_two_weeks_window_for_first_dose() -> None:
    """Hizentra every 2 weeks may start up to 2 weeks after; later is refused."""
    common = {
        "policy": "actual",
        "rounding": "never-below",
        "limits": hizentra_six_sites(),
        "site_rate": "label-maximum",
        "cycles": 1,
    }
    sc = plan_scig(
        woman("70 kg"),
        hizentra_conversion(EveryTwoWeeks()),
        first_dose=dt.date(2026, 1, 19),
        **common,  # type: ignore[arg-type]
    )
    assert sc.plan.start == dt.date(2026, 1, 19)
    with pytest.raises(
        InputError,
        match=(
            r"^first_dose: 2026-01-20 is outside 2026-01-12 to 2026-01-19; "
            r"allowed: 2026-01-12 to 2026-01-19 \(the label's timing after "
            r"the last IVIg 2026-01-05\); leave last_ivig out of the "
            r"conversion to plan another date on your own authority$"
        ),
    ):
        plan_scig(
            woman("70 kg"),
            hizentra_conversion(EveryTwoWeeks()),
            first_dose=dt.date(2026, 1, 20),
            **common,  # type: ignore[arg-type]
        )


def test_hyqvia_ramp_up_plan() -> None:
    """HyQvia 30 g every 4 weeks: 7.5, 15, 22.5, 30 g at weeks 1, 2, 4, 7."""
    start = dt.date(2026, 1, 12)
    sc = plan_scig(
        woman("70 kg"),
        hyqvia_conversion(),
        policy="actual",
        rounding="never-below",
        limits=hyqvia_limits(),
        site_rate="label-maximum",
        cycles=2,
        first_dose=start,
    )
    plan = sc.plan
    weeks = [(d - start).days // 7 + 1 for d in plan.dates]
    assert weeks == [1, 2, 4, 7, 11]
    assert [i.dispensed_g for i in plan.infusions] == pytest.approx(
        [7.5, 15.0, 22.5, 30.0, 30.0]
    )
    assert [c.label.split(" (")[0] for c in plan.cycles][:4] == [
        "HyQvia ramp-up: 1-week dose",
        "HyQvia ramp-up: 2-week dose",
        "HyQvia ramp-up: 3-week dose",
        "full 4-week dose",
    ]
    intensities = {
        round(c.dose_g_per_kg / (c.interval_days / 7), 12) for c in plan.cycles
    }
    assert len(intensities) == 1  # the ramp keeps the weekly dose intensity
    assert sc.route is Route.FACILITATED_SC
    assert all(d.sites == 1 for d in sc.sc)
    assert [i.phase for i in plan.infusions] == [Phase.RAMP_UP] * 3 + [
        Phase.MAINTENANCE
    ] * 2
    assert any(t.what == "HyQvia ramp-up" for t in plan.trace)


def test_hyqvia_without_ramp_up() -> None:
    """ramp_up=False plans the full dose from the first infusion, and says so."""
    sc = plan_scig(
        woman("70 kg"),
        hyqvia_conversion(),
        policy="actual",
        rounding="never-below",
        limits=hyqvia_limits(),
        site_rate="label-maximum",
        cycles=2,
        first_dose=dt.date(2026, 1, 12),
        ramp_up=False,
    )
    assert [i.dispensed_g for i in sc.plan.infusions] == [30.0, 30.0]
    assert any("No HyQvia ramp-up" in n for n in sc.plan.notes)


def test_hyqvia_three_week_ramp_up_follows_the_label_table() -> None:
    """The label's table covers 3 weeks: 1- and 2-week doses, full at week 4."""
    plan = plan_scig(
        woman("70 kg"),
        hyqvia_conversion(interval="3 week"),
        policy="actual",
        rounding="never-below",
        limits=hyqvia_limits(),
        site_rate="label-maximum",
        cycles=1,
        first_dose=dt.date(2026, 1, 12),
    )
    days = [(i.date - dt.date(2026, 1, 12)).days for i in plan.plan.infusions]
    assert days[:3] == [0, 7, 21]


def test_hyqvia_needs_a_first_dose_date() -> None:
    """HyQvia's start after IVIg is UNCONFIRMED: the first date is required."""
    with pytest.raises(
        InputError, match=r"^first_dose: .*; allowed: a date: give first_dose \(or"
    ):
        plan_scig(
            woman("70 kg"),
            hyqvia_conversion(),
            policy="actual",
            rounding="never-below",
            limits=hyqvia_limits(),
            site_rate="label-maximum",
            cycles=1,
        )


def formulary(key: str) -> Product:
    """*key* with 1, 2 and 4 g vials at 20 % from a test formulary.

    The catalogue has no Cuvitru or Xembify vial sizes (UNCONFIRMED); a
    pharmacy gives its own, as here (test data, not label data).
    """
    return attrs.evolve(
        get_product(key),
        vials=(
            Vial(grams="1 g", volume="5 mL"),
            Vial(grams="2 g", volume="10 mL"),
            Vial(grams="4 g", volume="20 mL"),
        ),
        presentation_source=Source(reference="test formulary", version="test"),
    )


def test_cuvitru_three_times_a_week() -> None:
    """Cuvitru (vials from a formulary), 3× a week, first 2 infusions limited."""
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product=formulary("cuvitru"),
        rule=LabelFactor(),
        frequency=TimesPerWeek(3),
        last_ivig=LAST_IVIG,
    )
    sc = plan_scig(
        woman("70 kg"),
        dose,
        policy="actual",
        rounding="never-below",
        limits=ScLimits.from_product("cuvitru", situation="later infusions"),
        first_infusions=FirstInfusions(
            limits=ScLimits.from_product(
                "cuvitru", situation="first 2 infusions, patients ≥ 40 kg"
            ),
            count=2,
        ),
        site_rate="label-maximum",
        cycles=2,
    )
    plan = sc.plan
    assert [d.isoformat() for d in plan.dates] == [
        "2026-01-12",
        "2026-01-14",
        "2026-01-16",
        "2026-01-19",
        "2026-01-21",
        "2026-01-23",
    ]
    assert [i.calculated_g for i in plan.infusions] == pytest.approx([3.25] * 6)
    # One rounding per course (the same rule as IV): 9.75 g a week is
    # dispensed as 10 g, split 4 + 3 + 3 g in whole 1 g units.
    assert [i.dispensed_g for i in plan.infusions] == [4.0, 3.0, 3.0] * 2
    assert [c.dispensed_g for c in plan.cycles] == [10.0, 10.0]
    assert plan.rounding == "never-below"
    assert [d.rate_per_site_ml_h for d in sc.sc] == [20.0, 20.0, 60.0, 60.0, 60.0, 60.0]
    assert [c.days for c in plan.cycles] == [3, 3]
    assert sum(c.calculated_g for c in plan.cycles) == pytest.approx(9.75 * 2)


def test_per_kg_conversion_uses_the_plan_dosing_weight() -> None:
    """A g/kg conversion is turned into grams with the plan's dosing weight."""
    dose = convert_to_scig(
        ivig_dose="1 g/kg",
        ivig_interval="3 week",
        product="hizentra",
        rule=OneToOne(),
        frequency=Weekly(),
        last_ivig=LAST_IVIG,
    )
    sc = plan_scig(
        woman("60 kg"),
        dose,
        policy="actual",
        rounding="never-below",
        limits=hizentra_later_limits(),
        site_rate="label-maximum",
        cycles=1,
    )
    assert sc.plan.infusions[0].calculated_g == pytest.approx(20.0)
    assert sc.plan.infusions[0].dose_g_per_kg == pytest.approx(1 / 3)
    assert any(t.what == "dose per administration in grams" for t in sc.plan.trace)


def test_hizentra_cidp_preset_over_two_days() -> None:
    """Hizentra CIDP 0.2 g/kg weekly as 2 sessions on consecutive days."""
    regimen = get_scig_preset("hizentra-cidp-0.2").choose(maintenance_days=2, cycles=2)
    limits = ScLimits.from_product(
        "hizentra",
        situation="CIDP, later infusions",
        max_sites=4,
        parameter_source=LOCAL,
    )
    sc = plan_scig_regimen(
        woman("80 kg"),
        regimen,
        "hizentra",
        last_ivig=LAST_IVIG,
        policy="actual",
        rounding="never-below",
        limits=limits,
        site_rate="label-maximum",
    )
    assert [d.isoformat() for d in sc.plan.dates] == [
        "2026-01-12",
        "2026-01-13",
        "2026-01-19",
        "2026-01-20",
    ]
    assert [i.calculated_g for i in sc.plan.infusions] == pytest.approx([8.0] * 4)
    assert [c.calculated_g for c in sc.plan.cycles] == pytest.approx([16.0, 16.0])
    assert sc.conversion is None
    assert sc.plan.regimen.name == "hizentra-cidp-0.2"


def test_regimen_plan_refusals() -> None:
    """Open choices, an induction, and disagreeing dates are refused."""
    limits = hizentra_later_limits()
    common = {
        "policy": "actual",
        "rounding": "never-below",
        "limits": limits,
        "site_rate": "label-maximum",
    }
    with pytest.raises(
        InputError,
        match=(
            r"^regimen: open choices: maintenance_days \(allowed 1-2 "
            r"days\), cycles \(allowed 1 or more cycles\); allowed: a "
            r"regimen with every choice made \(choose\(maintenance_days=1 "
            r"or 2, cycles=n\)\)$"
        ),
    ):
        plan_scig_regimen(
            woman("70 kg"),
            get_scig_preset("hizentra-cidp-0.4"),
            "hizentra",
            start=dt.date(2026, 1, 12),
            **common,  # type: ignore[arg-type]
        )
    # An induction is planned like any course (see
    # test_sc_plan_has_induction_taper_and_closed_days); here its 2 g/kg
    # over 2 days needs more sites than the limits allow.
    with pytest.raises(PlanningError, match=r"infusion 1 \(2026-01-12\): sites"):
        plan_scig_regimen(
            woman("70 kg"),
            get_preset("cidp-ice").choose(induction_days=2, maintenance_days=1),
            "hizentra",
            start=dt.date(2026, 1, 12),
            **common,  # type: ignore[arg-type]
        )
    regimen = get_scig_preset("hizentra-cidp-0.4").choose(maintenance_days=1, cycles=1)
    with pytest.raises(
        InputError, match=r"^start: .*; allowed: 2026-01-12 \(7 days after the"
    ):
        plan_scig_regimen(
            woman("70 kg"),
            regimen,
            "hizentra",
            start=dt.date(2026, 1, 13),
            last_ivig=LAST_IVIG,
            **common,  # type: ignore[arg-type]
        )
    with pytest.raises(
        InputError, match=r"^start: .*; allowed: a date, or last_ivig \(start ="
    ):
        plan_scig_regimen(woman("70 kg"), regimen, "hizentra", **common)  # type: ignore[arg-type]
    with pytest.raises(
        InputError, match=r"^product: .*; allowed: a subcutaneous product \(route"
    ):
        plan_scig_regimen(
            woman("70 kg"),
            regimen,
            "privigen",
            start=dt.date(2026, 1, 12),
            **common,  # type: ignore[arg-type]
        )


# --------------------------------------------------------------------------
# Limits and rates


def test_too_many_sites_names_the_infusion() -> None:
    """A dose needing more sites than the label allows is refused, by how much."""
    with pytest.raises(
        PlanningError,
        match=r"infusion 1 \(2026-01-12\): sites: .* needs 5 sites, 1 more",
    ):
        hizentra_plan(Weekly(), grams="40 g")  # 13.7 g → 14 g → 70 mL at 15 mL


def test_site_rate_above_the_label_is_refused() -> None:
    """An explicit rate per site above the label's is refused with the excess."""
    with pytest.raises(PlanningError, match=r"site_rate: 30 mL/h .* 5 mL/h above"):
        plan_scig(
            woman("70 kg"),
            hizentra_conversion(Weekly()),
            policy="actual",
            rounding="never-below",
            limits=hizentra_later_limits(),
            site_rate=Q_(30, "mL/h"),
            cycles=1,
        )


def test_explicit_site_rate_below_the_label() -> None:
    """A lower rate per site is used as given and lengthens the infusion."""
    sc = plan_scig(
        woman("70 kg"),
        hizentra_conversion(Weekly()),
        policy="actual",
        rounding="never-below",
        limits=hizentra_later_limits(),
        site_rate="10 mL/h",
        cycles=1,
    )
    assert sc.sc[0].rate_per_site_ml_h == 10.0
    assert sc.plan.infusions[0].run.duration_min == pytest.approx(55 / 3 / 10 * 60)


def test_total_rate_limit_lowers_the_label_maximum_per_site() -> None:
    """With a limit over all sites, 'label-maximum' is lowered and says so."""
    limits = ScLimits(
        product="hizentra",
        applies_to=("test",),
        tiers=(
            SiteTier(sites_from=1, sites_to=4, volume_per_site_ml=25.0, source="t"),
        ),
        rate_per_site_ml_h=25.0,
        total_rate_ml_h=50.0,
        sources=("test limits",),
    )
    sc = plan_scig(
        woman("70 kg"),
        hizentra_conversion(Weekly()),
        policy="actual",
        rounding="never-below",
        limits=limits,
        site_rate="label-maximum",
        cycles=1,
    )
    assert sc.sc[0].sites == 3
    assert sc.sc[0].rate_per_site_ml_h == pytest.approx(50 / 3)
    assert any("lowered" in n for n in sc.plan.infusions[0].run.notes)
    with pytest.raises(PlanningError, match="over all sites"):
        plan_scig(
            woman("70 kg"),
            hizentra_conversion(Weekly()),
            policy="actual",
            rounding="never-below",
            limits=limits,
            site_rate="20 mL/h",
            cycles=1,
        )


def test_label_maximum_needs_a_labelled_rate() -> None:
    """'label-maximum' is refused where the catalogue has no per-site rate."""
    limits = ScLimits.from_product(
        "hyqvia", situation=["per site, 1 or 2 sites", "per site, 3 sites"]
    )
    with pytest.raises(
        InputError, match=r"^site_rate: .*; allowed: a rate per site such as '20"
    ):
        plan_scig(
            woman("70 kg"),
            hyqvia_conversion(),
            policy="actual",
            rounding="never-below",
            limits=limits,
            site_rate="label-maximum",
            cycles=1,
            first_dose=dt.date(2026, 1, 12),
        )


def test_other_refusals() -> None:
    """Wrong limits, zero cycles and a ramp-up for SC are refused."""
    common = {
        "policy": "actual",
        "rounding": "never-below",
        "site_rate": "label-maximum",
    }
    with pytest.raises(
        InputError, match=r"^limits: .*; allowed: limits of hizentra \(the"
    ):
        plan_scig(
            woman("70 kg"),
            hizentra_conversion(Weekly()),
            limits=hyqvia_limits(),
            cycles=1,
            **common,  # type: ignore[arg-type]
        )
    with pytest.raises(InputError, match=r"^cycles: .*; allowed: a whole number >= 1"):
        plan_scig(
            woman("70 kg"),
            hizentra_conversion(Weekly()),
            limits=hizentra_later_limits(),
            cycles=0,
            **common,  # type: ignore[arg-type]
        )
    with pytest.raises(
        InputError, match=r"^ramp_up: .*; allowed: None or False: the labelled"
    ):
        plan_scig(
            woman("70 kg"),
            hizentra_conversion(Weekly()),
            limits=hizentra_later_limits(),
            cycles=1,
            ramp_up=True,
            **common,  # type: ignore[arg-type]
        )
    with pytest.raises(InputError, match=r"^conversion: .*; allowed: a ScigDose from"):
        plan_scig(
            woman("70 kg"),
            "30 g weekly",  # type: ignore[arg-type]
            limits=hizentra_later_limits(),
            cycles=1,
            **common,  # type: ignore[arg-type]
        )
    with pytest.raises(
        InputError, match=r"^rounding: .*; allowed: a RoundingPolicy or its name"
    ):
        plan_scig(
            woman("70 kg"),
            hizentra_conversion(Weekly()),
            policy="actual",
            rounding=3,  # type: ignore[arg-type]
            limits=hizentra_later_limits(),
            site_rate="label-maximum",
            cycles=1,
        )


# --------------------------------------------------------------------------
# Properties


@given(
    grams=st.floats(min_value=5.0, max_value=40.0, allow_nan=False),
    frequency=st.one_of(
        st.just(Weekly()),
        st.integers(min_value=2, max_value=7).map(TimesPerWeek),
    ),
)
def test_plan_sites_within_limits_and_totals_kept(
    grams: float, frequency: ScigFrequency
) -> None:
    """Every infusion's volume per site is within its limit; weekly totals hold."""
    dose = convert_to_scig(
        ivig_dose=Q_(grams, "g"),
        ivig_interval="4 week",
        product=formulary("xembify"),
        rule=LabelFactor(),
        frequency=frequency,
        last_ivig=LAST_IVIG,
    )
    limits = ScLimits.from_product(
        "xembify", situation="adults and children ≥ 10 years"
    )
    try:
        sc = plan_scig(
            woman("70 kg"),
            dose,
            policy="actual",
            rounding="never-below",
            limits=limits,
            site_rate="label-maximum",
            cycles=2,
        )
    except PlanningError as error:
        # One rounding per course: a week's total of fewer whole grams than
        # doses a week cannot give every dose a vial; refused, not rounded up.
        assert "a day would get nothing" in str(error)  # noqa: PT017 - refusal is one allowed outcome
        return
    for infusion, details in sc.pairs():
        assert details.volume_per_site_ml <= details.volume_limit_per_site_ml * (
            1 + 1e-9
        )
        assert details.sites <= details.max_sites
        assert details.volume_per_site_ml * details.sites == pytest.approx(
            infusion.volume_ml
        )
    assert sc.plan.total_calculated_g == pytest.approx(grams / 4 * 1.37 * 2)


# --------------------------------------------------------------------------
# The shared plan model: explain, JSON and safety read it unchanged


def test_explain_lists_sources_and_sites() -> None:
    """The explanation traces the factor, the sites and the SC limits."""
    text = sc_explain(hizentra_plan(Weekly(), cycles=1).plan)
    assert "conversion factor = 1.37" in text
    assert "SC limits (PI, first infusion)" in text
    assert "Subcutaneous details:" in text
    assert LOCAL in text


def test_sc_plan_round_trips_through_json() -> None:
    """The SC plan's Plan serialises and loads back equal (io.json unchanged)."""
    pytest.importorskip("cattrs")
    from ivig_core.io.json import plan_from_json, plan_to_json  # noqa: PLC0415

    plan = hizentra_plan(Weekly(), cycles=2).plan
    assert plan_from_json(plan_to_json(plan)) == plan


def test_sc_details_live_on_the_plan() -> None:
    """ScPlan reads its SC details from the plan: no second copy to drift."""
    sc = hizentra_plan(Weekly(), cycles=2)
    assert sc.sc == tuple(i.sc for i in sc.plan.infusions)
    assert sc.route is sc.plan.route is Route.SC
    assert sc.pairs() == tuple((i, i.sc) for i in sc.plan.infusions)
    assert sc.safety is sc.plan.safety is not None


def test_sc_plan_needs_sc_details_and_route() -> None:
    """ScPlan refuses an infusion without SC details, or an IV route."""
    sc = hizentra_plan(Weekly(), cycles=2)
    bare = attrs.evolve(
        sc.plan,
        infusions=(
            attrs.evolve(sc.plan.infusions[0], sc=None),
            *sc.plan.infusions[1:],
        ),
    )
    with pytest.raises(
        InputError,
        match=(
            r"^plan\.infusions\[0\]\.sc: got None; allowed: the infusion's "
            r"ScDetails$"
        ),
    ):
        ScPlan(plan=bare)
    with pytest.raises(
        InputError, match=r"^plan\.route: .*; allowed: SC or facilitated SC"
    ):
        ScPlan(plan=attrs.evolve(sc.plan, route=Route.IV))


def test_limits_for_another_weight_are_refused() -> None:
    """Limits whose situation names a weight the patient lacks are refused."""
    dose = convert_to_scig(
        ivig_dose="12 g",
        ivig_interval="4 week",
        product=formulary("cuvitru"),
        rule=LabelFactor(),
        frequency=Weekly(),
        last_ivig=LAST_IVIG,
    )
    heavy_only = ScLimits.from_product(
        "cuvitru", situation="first 2 infusions, patients ≥ 40 kg"
    )
    with pytest.raises(
        InputError,
        match=(
            r"^limits: the situation 'first 2 infusions, patients ≥ 40 kg' "
            r"does not apply to a patient of 30 kg; allowed: limits for "
            r"this patient's weight \(30 kg\)$"
        ),
    ):
        plan_scig(
            woman("30 kg"),
            dose,
            policy="actual",
            rounding="never-below",
            limits=heavy_only,
            site_rate="label-maximum",
            cycles=1,
        )


def test_rounding_is_required_and_vials_needed() -> None:
    """No rounding is refused; a product without vial sizes says what to do."""
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="cuvitru",
        rule=LabelFactor(),
        frequency=Weekly(),
        last_ivig=LAST_IVIG,
    )
    limits = ScLimits.from_product("cuvitru", situation="later infusions")
    with pytest.raises(
        InputError,
        match=(
            r"^rounding: got None; allowed: a RoundingPolicy or its name "
            r"\(e\.g\. 'never-below'\); for a product without vial sizes "
            r"in the catalogue \(Cuvitru, Xembify: UNCONFIRMED\), convert "
            r"with a formulary product that has them \(load_formulary\)$"
        ),
    ):
        plan_scig(
            woman("70 kg"),
            dose,
            policy="actual",
            rounding=None,  # type: ignore[arg-type]
            limits=limits,
            site_rate="label-maximum",
            cycles=1,
        )
    # Cuvitru now has vial sizes (MPR: 5, 10, 20, 40 mL): it plans (issue 13).
    (infusion,) = plan_scig(
        woman("70 kg"),
        dose,
        policy="actual",
        rounding="never-below",
        limits=limits,
        site_rate="label-maximum",
        cycles=1,
    ).plan.infusions
    # 30 g every 4 weeks × 1.3 (Cuvitru's label factor) ÷ 4 = 9.75 g a week,
    # from 1, 2, 4 and 8 g vials (5-40 mL at 20 %), never below: 10 g = 8 + 2 g,
    # on the first SC day, a week after the last IVIg (2026-01-05)
    assert (infusion.date, infusion.calculated_g, infusion.dispensed_g) == (
        dt.date(2026, 1, 12),
        9.75,
        10.0,
    )
    assert [(v.grams_g, n) for v, n in infusion.vials.vials] == [(8.0, 1), (2.0, 1)]


def test_site_limits_hold_with_validators_disabled() -> None:
    """The planner refuses too many sites even with attrs validators off."""
    with (
        attrs.validators.disabled(),
        pytest.raises(
            PlanningError,
            match=r"sites: 70\.0 mL at ≤ 15 mL per site needs 5 sites, 1 more than",
        ),
    ):
        hizentra_plan(Weekly(), grams="40 g")


@pytest.mark.parametrize("kind", ["hyqvia", "three-a-week", "cidp"])
def test_other_sc_plans_round_trip_through_json(kind: str) -> None:
    """HyQvia ramp-up, 3×-a-week and CIDP plans load back equal from JSON."""
    pytest.importorskip("cattrs")
    from ivig_core.io.json import plan_from_json, plan_to_json  # noqa: PLC0415

    if kind == "hyqvia":
        plan = plan_scig(
            woman("70 kg"),
            hyqvia_conversion(),
            policy="actual",
            rounding="never-below",
            limits=hyqvia_limits(),
            site_rate="label-maximum",
            cycles=1,
            first_dose=dt.date(2026, 1, 12),
        ).plan
    elif kind == "three-a-week":
        plan = plan_scig(
            woman("70 kg"),
            hizentra_conversion(TimesPerWeek(3)),
            policy="actual",
            rounding="never-below",
            limits=hizentra_later_limits(),
            site_rate="label-maximum",
            cycles=2,
        ).plan
    else:
        plan = plan_scig_regimen(
            woman("70 kg"),
            get_scig_preset("hizentra-cidp-0.4").choose(maintenance_days=2, cycles=2),
            "hizentra",
            start=dt.date(2026, 1, 12),
            policy="actual",
            rounding="never-below",
            limits=hizentra_later_limits(),
            site_rate="label-maximum",
        ).plan
    assert plan_from_json(plan_to_json(plan)) == plan


def test_unapplied_label_limits_are_noted() -> None:
    """Plans say when first-infusion or daily catalogue limits were not used."""
    sc = plan_scig(
        woman("70 kg"),
        hizentra_conversion(Weekly()),
        policy="actual",
        rounding="never-below",
        limits=hizentra_later_limits(),
        site_rate="label-maximum",
        cycles=1,
    )
    assert any("first-infusion limits" in n for n in sc.plan.notes)
    no_daily = ScLimits.from_product(
        "hyqvia",
        situation=["per site, 1 or 2 sites", "per site, 3 sites"],
        rate_per_site="300 mL/h",
        parameter_source=LOCAL,
    )
    ramp = plan_scig(
        woman("70 kg"),
        hyqvia_conversion(),
        policy="actual",
        rounding="never-below",
        limits=no_daily,
        site_rate="label-maximum",
        cycles=1,
        first_dose=dt.date(2026, 1, 12),
    )
    assert any("daily volume limits" in n for n in ramp.plan.notes)
    assert not any("daily volume" in n for n in hizentra_plan(Weekly()).plan.notes)


def test_sc_plan_has_induction_taper_and_closed_days() -> None:
    """SC plans go through the one pipeline: induction, taper, closed days."""
    regimen = attrs.evolve(
        get_scig_preset("hizentra-cidp-0.2").choose(maintenance_days=1, cycles=2),
        induction=Induction(
            dose="0.28 g/kg",
            allowed_days=DayRange.exactly(1),
            days=1,
            source="test induction",
        ),
        taper=Taper(strategy=DoseSteps.jnd_2023(), end=Stop()),
    )
    plan = plan_course(
        woman("70 kg"),
        regimen,
        "hizentra",
        start=dt.date(2026, 1, 10),  # a Saturday
        policy="actual",
        rounding="never-below",
        indication=None,
        rate_weight="actual",
        closed=ClosedDays.weekends(),
        sc=ScOptions(limits=hizentra_later_limits(), site_rate="label-maximum"),
    )
    assert plan.route is Route.SC
    assert plan.cycles[0].phase is Phase.INDUCTION
    assert plan.cycles[0].start == dt.date(2026, 1, 12)  # moved off the weekend
    assert plan.cycles[0].calculated_g == pytest.approx(19.6)
    assert [c.phase for c in plan.cycles[1:3]] == [Phase.MAINTENANCE] * 2
    assert {c.phase for c in plan.cycles[3:]} == {Phase.TAPER}
    assert plan.ended == "stop"
    assert all(i.sc is not None and i.sc.sites >= 1 for i in plan.infusions)
    assert any("moved 2 days" in note for note in plan.notes)
    assert check_plan(plan) == []
    assert plan.safety is not None


def test_sc_courses_move_off_closed_days() -> None:
    """SC plans use the same calendar as IV: closed days move whole courses."""
    wednesdays = ClosedDays(weekdays=(2,))  # Monday is 0
    common = {
        "policy": "actual",
        "rounding": "never-below",
        "limits": hizentra_later_limits(),
        "site_rate": "label-maximum",
        "cycles": 2,
    }
    thrice = hizentra_conversion(TimesPerWeek(3))
    open_days = plan_scig(woman("70 kg"), thrice, **common).plan  # type: ignore[arg-type]
    moved = plan_scig(
        woman("70 kg"),
        hizentra_conversion(TimesPerWeek(3)),
        closed=wednesdays,
        **common,  # type: ignore[arg-type]
    ).plan
    assert [d.isoformat() for d in open_days.dates[:3]] == [
        "2026-01-12",
        "2026-01-14",
        "2026-01-16",
    ]
    # Mon/Wed/Fri moves a day to Tue/Thu/Sat (every day of the course open);
    # the next course counts its interval from the moved start.
    assert [d.isoformat() for d in moved.dates] == [
        "2026-01-13",
        "2026-01-15",
        "2026-01-17",
        "2026-01-20",
        "2026-01-22",
        "2026-01-24",
    ]
    assert [c.moved_days for c in moved.cycles] == [1, 0]
    assert any("moved 1 day" in note for note in moved.notes)
    assert check_plan(moved) == []


def test_a_conversion_is_a_regimen_with_a_taper() -> None:
    """IVIg → SC gives a regimen: add a taper and plan it like an IV regimen."""
    conversion = hizentra_conversion(Weekly())
    dose_g = conversion.dose_g
    assert dose_g is not None
    regimen = attrs.evolve(
        regimen_from_conversion(conversion, dose_g=dose_g, weight_kg=70.0, cycles=2),
        taper=Taper(strategy=DoseSteps.jnd_2023(), end=Stop()),
    )
    plan = plan_course(
        woman("70 kg"),
        regimen,
        "hizentra",
        start=dt.date(2026, 1, 12),
        policy="actual",
        rounding="never-below",
        indication=None,
        rate_weight="actual",
        sc=ScOptions(
            limits=hizentra_later_limits(),
            site_rate="label-maximum",
            conversion=conversion,
        ),
    )
    maintenance = [c for c in plan.cycles if c.phase is Phase.MAINTENANCE]
    tapered = [c for c in plan.cycles if c.phase is Phase.TAPER]
    assert len(maintenance) == 2
    assert [c.calculated_g for c in maintenance] == [dose_g, dose_g]  # the grams
    assert [c.label for c in maintenance] == ["weekly SC dose"] * 2
    assert tapered
    assert all(
        later.intensity_g_per_kg_per_week <= earlier.intensity_g_per_kg_per_week
        for earlier, later in itertools.pairwise(plan.cycles)
    )
    assert plan.ended == "stop"
    assert plan.trace[0] == conversion.trace[0]  # the conversion's own trace first
    assert check_plan(plan) == []
