"""Safety for SC and facilitated-SC plans: route rules and the SC site checks.

Each SC check fires, stays quiet and reports "not assessed"; the checks
re-check the numbers themselves (a plan whose recorded SC details claim
looser limits, or a faster run than recorded, is still caught). End to end:
a HyQvia ramp-up plan and a Hizentra weekly plan carry reports without false
positives.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import worked
from ivig_core import InputError, PlanningError
from ivig_core.io.text import explain, table
from ivig_core.plan import Infusion, Phase, Plan, ScDetails
from ivig_core.planning.scig import ScPlan, plan_scig
from ivig_core.products import Route
from ivig_core.safety import (
    RULES,
    FindingCode,
    SafetyConfig,
    Severity,
    assess,
)
from ivig_core.scig import LabelFactor, SameAsIvig, ScLimits, Weekly, convert_to_scig
from safety_plans import FixtureRun, FixtureStep, fired, make_plan, unassessed
from worked import LAST_IVIG, LOCAL, recorded_woman


if TYPE_CHECKING:
    from collections.abc import Callable

    from ivig_core.infusion import InfusionRun


SC_CODES = (
    FindingCode.SC_SITES_ABOVE_LABEL_MAX,
    FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL,
    FindingCode.SC_RATE_PER_SITE_ABOVE_LABEL,
    FindingCode.SC_DAILY_VOLUME_ABOVE_LABEL,
)


@cache
def hizentra_weekly() -> ScPlan:
    """30 g IVIg every 4 weeks → Hizentra weekly (11 g, 55 mL at 3 sites)."""
    return plan_scig(
        recorded_woman(),
        worked.hizentra_conversion(),
        policy="actual",
        rounding="never-below",
        limits=worked.hizentra_later_limits(),
        site_rate="label-maximum",
        cycles=4,
    )


@cache
def hyqvia_ramp(grams: str = "30 g", limits: ScLimits | None = None) -> ScPlan:
    """*grams* IVIg every 4 weeks → HyQvia 1:1 with the label's ramp-up."""
    return plan_scig(
        recorded_woman(),
        worked.hyqvia_conversion(grams),
        policy="actual",
        rounding="never-below",
        limits=worked.hyqvia_limits() if limits is None else limits,
        site_rate="label-maximum",
        cycles=2,
        first_dose=dt.date(2026, 1, 12),
    )


def with_sc(plan: Plan, **changes: object) -> Plan:
    """The plan with every infusion's SC details changed."""

    def change(sc: ScDetails | None) -> ScDetails:
        assert sc is not None
        return attrs.evolve(sc, **changes)  # type: ignore[arg-type]

    return attrs.evolve(
        plan,
        infusions=tuple(attrs.evolve(i, sc=change(i.sc)) for i in plan.infusions),
        safety=None,
    )


def with_infusions(plan: Plan, change: Callable[[Infusion], Infusion]) -> Plan:
    """The plan with every infusion passed through *change*."""
    return attrs.evolve(
        plan, infusions=tuple(change(i) for i in plan.infusions), safety=None
    )


# --------------------------------------------------------------------------
# The rules


def test_sc_rules_are_in_rules_with_sources() -> None:
    """The SC codes are hard limits with a source; the route rule is info."""
    for code in SC_CODES:
        rule = RULES[code]
        assert rule.severity is Severity.HARD_LIMIT
        assert rule.module == "sc"
        assert "hyqvia-uspi" in rule.sources
        assert "HyQvia US prescribing information" in rule.source
    assert RULES[FindingCode.SC_ROUTE_RULES].severity is Severity.INFO
    assert "thrombosis-only" in RULES[FindingCode.SC_ROUTE_RULES].source


def test_findings_page_lists_the_sc_codes() -> None:
    """The generated findings reference lists every SC code."""
    path = Path(__file__).parent.parent / "docs" / "_ext" / "generated.py"
    spec = importlib.util.spec_from_file_location("_generated_docs", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = module.finding_codes()
    for code in (*SC_CODES, FindingCode.SC_ROUTE_RULES):
        assert f"``{code.value}``" in page


# --------------------------------------------------------------------------
# Route: thrombosis only; no renal, sucrose or IV rate checks


def test_sc_plan_gets_thrombosis_but_not_the_iv_rules() -> None:
    """Diabetes and prior thrombosis: THROMBOSIS_RISK (SC source), no RENAL_RISK."""
    p = recorded_woman("70 kg", "diabetes", "prior_thrombosis")
    report = assess(p, hizentra_weekly().plan)
    (thrombosis,) = fired(report, FindingCode.THROMBOSIS_RISK)
    assert "thrombosis-only" in thrombosis.source
    assert "at-risk cap" not in thrombosis.message
    for code in (
        FindingCode.RENAL_RISK,
        FindingCode.SUCROSE_PRODUCT_RENAL_RISK,
        FindingCode.RATE_ABOVE_LABEL_MAX,
        FindingCode.RATE_ABOVE_AT_RISK_CAP,
    ):
        assert report.with_code(code) == ()
    (route,) = report.with_code(FindingCode.SC_ROUTE_RULES)
    assert "RENAL_RISK" in route.message
    assert "sucrose" in route.message
    assert "mg/kg/min" in route.message
    # The same patient on an IV plan gets the renal finding.
    iv = assess(p, make_plan())
    assert fired(iv, FindingCode.RENAL_RISK)
    assert iv.with_code(FindingCode.SC_ROUTE_RULES) == ()


def test_route_must_fit_the_product_and_the_infusions() -> None:
    """An IV plan with SC details, or an SC route for an IV-only product, is refused."""
    plan = hizentra_weekly().plan
    gamunex = attrs.evolve(plan, route=Route.IV, product="Gamunex-C", safety=None)
    with pytest.raises(
        InputError,
        match=(
            r"^plan\.route: got 'iv'; allowed: 'sc' or 'facilitated_sc': "
            r"the plan's infusions carry SC details$"
        ),
    ):
        assess(recorded_woman(), gamunex)
    with pytest.raises(
        InputError,
        match=(
            r"^plan\.route: got 'sc'; allowed: one of Octagam 10 %'s "
            r"routes \(iv\)$"
        ),
    ):
        assess(recorded_woman(), attrs.evolve(make_plan(), route=Route.SC))


def test_iv_route_on_an_sc_only_product_gets_the_sc_rules() -> None:
    """A hand-made plan left at the IV default for Hizentra is checked as SC."""
    plan = attrs.evolve(hizentra_weekly().plan, route=Route.IV, safety=None)
    stripped = with_infusions(plan, lambda i: attrs.evolve(i, sc=None))
    report = assess(recorded_woman(), stripped)
    assert report.with_code(FindingCode.SC_ROUTE_RULES)
    assert report.with_code(FindingCode.RATE_ABOVE_LABEL_MAX) == ()


# --------------------------------------------------------------------------
# Sites


def test_sites_above_the_maximum_fire() -> None:
    """5 sites where at most 4 are allowed: hard limit, with the source."""
    report = assess(recorded_woman(), with_sc(hizentra_weekly().plan, sites=5))
    found = fired(report, FindingCode.SC_SITES_ABOVE_LABEL_MAX)
    assert len(found) == 4
    assert all(f.severity is Severity.HARD_LIMIT for f in found)
    assert LOCAL in found[0].source  # Hizentra's maximum is a parameter
    assert not report.ready_to_issue


def test_sites_catalogue_maximum_wins_over_a_looser_record() -> None:
    """HyQvia: 4 sites recorded as allowed is still above the label's 3."""
    plan = with_sc(hyqvia_ramp().plan, sites=4, max_sites=10)
    found = fired(assess(recorded_woman(), plan), FindingCode.SC_SITES_ABOVE_LABEL_MAX)
    assert found
    assert "HyQvia US prescribing information" in found[0].source


def test_sites_within_the_maximum_stay_quiet() -> None:
    """The planned 3 sites of 4: nothing."""
    report = assess(recorded_woman(), hizentra_weekly().plan)
    assert report.with_code(FindingCode.SC_SITES_ABOVE_LABEL_MAX) == ()


# --------------------------------------------------------------------------
# Volume per site


def test_volume_per_site_above_the_label_fires() -> None:
    """55 mL at 1 site is 30 mL above Hizentra's 25 mL per site."""
    report = assess(recorded_woman(), with_sc(hizentra_weekly().plan, sites=1))
    found = fired(report, FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL)
    assert len(found) == 4
    assert "55.0 mL per site" in found[0].message
    assert "hizentra.com" in found[0].source


def test_volume_per_site_is_recomputed_not_read() -> None:
    """Recorded details that claim 10 mL at a 100 mL limit do not hide 55 mL."""
    plan = with_sc(
        hizentra_weekly().plan,
        sites=1,
        volume_per_site_ml=10.0,
        volume_limit_per_site_ml=100.0,
    )
    found = fired(
        assess(recorded_woman(), plan), FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL
    )
    assert found
    assert "25 mL per site" in found[0].message


def test_hyqvia_three_sites_use_the_400_ml_tier() -> None:
    """HyQvia at 3 sites: 1,200 mL (400 mL per site) is quiet, 1,230 mL fires."""
    plan = hyqvia_ramp().plan

    def volume(ml: float) -> Plan:
        return with_infusions(
            with_sc(plan, sites=3, volume_ml=ml),
            lambda i: attrs.evolve(i, volume_ml=ml),
        )

    quiet = assess(recorded_woman(), volume(1200.0))
    assert quiet.with_code(FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL) == ()
    loud = assess(recorded_woman(), volume(1230.0))
    assert fired(loud, FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL)
    assert (
        "400 mL per site"
        in fired(loud, FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL)[0].message
    )


def test_volume_per_site_within_the_label_stays_quiet() -> None:
    """18.3 mL per site of 25: nothing."""
    report = assess(recorded_woman(), hizentra_weekly().plan)
    assert report.with_code(FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL) == ()


def test_situation_for_another_weight_is_replaced_for_the_patient() -> None:
    """Gammagard SC ≥ 40 kg limits (30 mL/site) on a 35 kg patient: 20 mL/site."""
    dose = convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="gammagard-liquid",
        rule=LabelFactor(),
        frequency=Weekly(),
        last_ivig=LAST_IVIG,
    )
    limits = ScLimits.from_product("gammagard-liquid", situation="SC, patients ≥ 40 kg")
    plan = plan_scig(
        recorded_woman(),
        dose,
        policy="actual",
        rounding="never-below",
        limits=limits,
        site_rate="label-maximum",
        cycles=1,
    ).plan
    assert (
        assess(recorded_woman(), plan).with_code(
            FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL
        )
        == ()
    )
    light = assess(recorded_woman("35 kg"), plan)
    found = fired(light, FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL)
    assert found
    assert "< 40 kg" in found[0].source
    assert fired(light, FindingCode.SC_RATE_PER_SITE_ABOVE_LABEL)  # 30 > 20 mL/h


# --------------------------------------------------------------------------
# Rate per site


def fast_run(ml_h: float) -> InfusionRun:
    """A run with one step at *ml_h* (the planner would refuse it)."""
    return cast(
        "InfusionRun",
        FixtureRun(steps=(FixtureStep(rate_ml_h=ml_h),), rate_weight_kg=70.0),
    )


def test_rate_per_site_above_the_label_fires_from_the_run() -> None:
    """Details say 25 mL/h per site; the run goes 150 mL/h over 3 sites (50)."""
    plan = with_infusions(
        hizentra_weekly().plan,
        lambda i: attrs.evolve(i, run=fast_run(150.0)),
    )
    found = fired(
        assess(recorded_woman(), plan), FindingCode.SC_RATE_PER_SITE_ABOVE_LABEL
    )
    assert len(found) == 4
    assert "50.0 mL/h per site" in found[0].message
    assert found[0].severity is Severity.HARD_LIMIT


def test_rate_limit_recorded_looser_than_the_label_is_not_trusted() -> None:
    """A record of 100 mL/h per site at a 1,000 mL/h limit is still above 25."""
    plan = with_sc(
        hizentra_weekly().plan,
        rate_per_site_ml_h=100.0,
        rate_limit_per_site_ml_h=1000.0,
    )
    found = fired(
        assess(recorded_woman(), plan), FindingCode.SC_RATE_PER_SITE_ABOVE_LABEL
    )
    assert found
    assert "25 mL/h per site" in found[0].message


def test_total_rate_over_all_sites_fires() -> None:
    """A maximum over all sites (here a recorded parameter) is checked too."""
    plan = with_sc(hizentra_weekly().plan, total_rate_limit_ml_h=50.0)
    found = fired(
        assess(recorded_woman(), plan), FindingCode.SC_RATE_PER_SITE_ABOVE_LABEL
    )
    assert found
    assert "over all 3 sites" in found[0].message


def test_rate_within_the_label_stays_quiet() -> None:
    """25 mL/h per site at 25: nothing."""
    report = assess(recorded_woman(), hizentra_weekly().plan)
    assert report.with_code(FindingCode.SC_RATE_PER_SITE_ABOVE_LABEL) == ()


def test_rate_without_any_limit_is_not_assessed() -> None:
    """HyQvia: no per-site rate in the catalogue nor on the plan: not assessed."""
    plan = with_sc(hyqvia_ramp().plan, rate_limit_per_site_ml_h=None)
    report = assess(recorded_woman(), plan)
    missing = unassessed(report, FindingCode.SC_RATE_PER_SITE_ABOVE_LABEL)
    assert len(missing) == len(plan.infusions)
    assert fired(report, FindingCode.SC_RATE_PER_SITE_ABOVE_LABEL) == ()


# --------------------------------------------------------------------------
# Daily volume (HyQvia)


@cache
def hyqvia_90g() -> Plan:
    """HyQvia 90 g (900 mL) every 4 weeks, planned without daily limits."""
    no_daily = ScLimits.from_product(
        "hyqvia",
        situation=["per site, 1 or 2 sites", "per site, 3 sites"],
        rate_per_site="300 mL/h",
        parameter_source=LOCAL,
    )
    return hyqvia_ramp("90 g", no_daily).plan


def test_hyqvia_daily_volume_under_40_kg_fires() -> None:
    """900 mL in a day is above HyQvia's 600 mL for a 35 kg patient."""
    report = assess(recorded_woman("35 kg"), hyqvia_90g())
    found = fired(report, FindingCode.SC_DAILY_VOLUME_ABOVE_LABEL)
    assert [f.concerns.date for f in found] == [
        i.date for i in hyqvia_90g().infusions if i.volume_ml > 600.0
    ]
    assert "600 mL" in found[0].message
    assert "< 40 kg" in found[0].source
    assert not report.ready_to_issue


def test_hyqvia_daily_volume_above_1200_ml_fires() -> None:
    """A day's summed 1,225 mL is above HyQvia's 1,200 mL, whatever the record.

    The plan's records claim a 5,000 mL daily limit; the catalogue's for a
    70 kg patient holds.
    """
    plan = hyqvia_ramp().plan
    first = plan.infusions[0]
    assert first.sc is not None
    twin = attrs.evolve(
        first,
        volume_ml=1150.0,
        sc=attrs.evolve(
            first.sc, volume_ml=1150.0, sites=3, volume_per_day_limit_ml=5e3
        ),
    )
    doubled = attrs.evolve(
        plan, infusions=(first, twin, *plan.infusions[1:]), safety=None
    )
    found = fired(
        assess(recorded_woman(), doubled), FindingCode.SC_DAILY_VOLUME_ABOVE_LABEL
    )
    assert len(found) == 1
    assert "1225.0 mL" in found[0].message
    assert found[0].concerns.date == first.date


def test_hyqvia_daily_volume_within_the_limit_stays_quiet() -> None:
    """900 mL at 70 kg (≤ 1,200 mL): nothing."""
    report = assess(recorded_woman(), hyqvia_90g())
    assert report.with_code(FindingCode.SC_DAILY_VOLUME_ABOVE_LABEL) == ()


# --------------------------------------------------------------------------
# Not assessed


def test_sc_plan_without_details_is_not_assessed() -> None:
    """An SC plan whose infusions carry no SC details: every SC check says so."""
    plan = with_infusions(
        hizentra_weekly().plan,
        lambda i: attrs.evolve(i, sc=None),
    )
    report = assess(recorded_woman(), plan)
    for code in SC_CODES:
        (missing,) = unassessed(report, code)
        assert "no SC details" in missing.message
        assert fired(report, code) == ()
    assert report.ready_to_issue  # not assessed never blocks by itself


def test_unknown_situation_is_not_assessed_but_checked_against_the_record() -> None:
    """A situation the catalogue lacks: said so, and the recorded limits hold."""
    plan = with_sc(hizentra_weekly().plan, applies_to=("home protocol",), sites=1)
    report = assess(recorded_woman(), plan)
    assert unassessed(report, FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL)
    assert fired(report, FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL)  # 55 > 25


# --------------------------------------------------------------------------
# Course interval across the HyQvia ramp-up


def test_hyqvia_ramp_up_gaps_are_not_short_courses() -> None:
    """Weeks 1, 2, 4, 7, 11: no COURSE_INTERVAL_SHORT (the label's ramp)."""
    plan = hyqvia_ramp().plan
    assert [c.phase for c in plan.cycles[:3]] == [Phase.RAMP_UP] * 3
    report = assess(recorded_woman(), plan)
    assert report.with_code(FindingCode.COURSE_INTERVAL_SHORT) == ()


def test_ramp_up_course_moved_too_early_still_fires() -> None:
    """The week-4 ramp-up course moved to week 3: 7 days after a 2-week dose."""
    plan = hyqvia_ramp().plan
    third = plan.cycles[2]
    early = third.start - dt.timedelta(days=7)
    moved = attrs.evolve(
        plan,
        cycles=(
            *plan.cycles[:2],
            attrs.evolve(third, start=early, planned_start=early),
            *plan.cycles[3:],
        ),
        safety=None,
    )
    found = fired(assess(recorded_woman(), moved), FindingCode.COURSE_INTERVAL_SHORT)
    assert [f.concerns.cycle for f in found] == [3]
    assert "ramp-up" in found[0].message


# --------------------------------------------------------------------------
# Validators off; planner attaches the report


def test_sc_checks_hold_with_validators_disabled() -> None:
    """The SC checks fire with attrs validators switched off."""
    with attrs.validators.disabled():
        plan = with_sc(hizentra_weekly().plan, sites=1)
        found = fired(
            assess(recorded_woman(), plan), FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL
        )
    assert found


def test_sc_details_with_nan_are_refused() -> None:
    """A NaN in the SC details is an input error, not a silent pass."""
    plan = with_sc(hizentra_weekly().plan, volume_per_site_ml=float("nan"))
    with pytest.raises(
        InputError,
        match=(
            r"^plan\.infusions\[0\]\.sc\.volume_per_site_ml: got nan; "
            r"allowed: a finite number ≥ 0 \(finite\)$"
        ),
    ):
        assess(recorded_woman(), plan)


def test_planner_attaches_the_report_like_plan_course() -> None:
    """plan_scig passes config, overrides, previous product and strict mode."""
    sc = hizentra_weekly()
    assert sc.plan.safety is not None
    assert sc.plan.safety == assess(
        recorded_woman(), attrs.evolve(sc.plan, safety=None)
    )
    cfg = SafetyConfig(thrombosis_age_from="50 year")
    dose = sc.conversion
    assert dose is not None
    planned = plan_scig(
        recorded_woman(),
        dose,
        policy="actual",
        rounding="never-below",
        limits=worked.hizentra_later_limits(),
        site_rate="label-maximum",
        cycles=1,
        safety_config=cfg,
        previous_product="privigen",
        indication="pi",
        strict=True,
    )
    report = planned.plan.safety
    assert report is not None
    assert fired(report, FindingCode.THROMBOSIS_RISK)  # age 54 ≥ 50
    assert fired(report, FindingCode.PRODUCT_SWITCH)
    assert planned.plan.indication == "pi"


# --------------------------------------------------------------------------
# End to end


def test_end_to_end_hyqvia_ramp_up_report() -> None:
    """HyQvia 30 g every 4 weeks with ramp-up: ready, no false positives."""
    sc = hyqvia_ramp()
    report = sc.plan.safety
    assert report is not None
    assert report.ready_to_issue
    assert report.blocking == ()
    assert set(report.codes) == {
        FindingCode.SC_ROUTE_RULES,
        FindingCode.HYDRATION,
        FindingCode.PREMEDICATION,
    }
    assert {f.code for f in report.not_assessed} <= {
        FindingCode.THROMBOSIS_RISK,  # 'advanced age' has no number
        FindingCode.IGA_DEFICIENCY_PRODUCT,  # no IgA threshold configured
        FindingCode.DOSE_ABOVE_LIMIT,  # no indication given
        FindingCode.LARGE_DAILY_VOLUME,  # no local threshold
    }
    assert "sites" in table(sc.plan)
    assert "Route: facilitated subcutaneous" in explain(sc.plan)


def test_end_to_end_hizentra_weekly_report() -> None:
    """Hizentra weekly at the label factor: ready, no false positives."""
    report = hizentra_weekly().plan.safety
    assert report is not None
    assert report.ready_to_issue
    assert set(report.codes) == {
        FindingCode.SC_ROUTE_RULES,
        FindingCode.HYDRATION,
        FindingCode.PREMEDICATION,
    }
    for code in SC_CODES:
        assert report.with_code(code) == ()


@settings(max_examples=40, deadline=None)
@given(
    grams=st.integers(min_value=5, max_value=160),
    weight=st.integers(min_value=30, max_value=120),
)
def test_planned_hyqvia_plans_have_no_sc_hard_limits(grams: int, weight: int) -> None:
    """Whatever the planner accepts passes the SC checks (no false positives)."""
    p = recorded_woman(f"{weight} kg")
    band = "per day, patients ≥ 40 kg" if weight >= 40 else "per day, patients < 40 kg"
    # hyqvia.com: "If you weigh 40 kg (88 lbs) or more, the maximum infusion
    # volume is 600 mL per site": the 1-2 site row applies from 40 kg only.
    per_site = ["per site, 1 or 2 sites"] if weight >= 40 else []
    limits = ScLimits.from_product(
        "hyqvia",
        situation=[*per_site, "per site, 3 sites", band],
        rate_per_site="300 mL/h",
        parameter_source=LOCAL,
    )
    dose = convert_to_scig(
        ivig_dose=f"{grams} g",
        ivig_interval="4 week",
        product="hyqvia",
        rule=LabelFactor(),
        frequency=SameAsIvig(),
    )
    try:
        sc = plan_scig(
            p,
            dose,
            policy="actual",
            rounding="never-below",
            limits=limits,
            site_rate="label-maximum",
            cycles=1,
            first_dose=dt.date(2026, 1, 12),
        )
    except PlanningError:
        return
    report = sc.plan.safety
    assert report is not None
    for code in SC_CODES:
        assert fired(report, code) == ()
    assert report.with_code(FindingCode.COURSE_INTERVAL_SHORT) == ()
