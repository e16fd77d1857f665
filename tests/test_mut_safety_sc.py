"""SC checks (safety/sc.py), pinned where mutants survived.

The limits, in the labels' words (the catalogue's values):

* Hizentra PI, later infusions: up to 25 mL per site and 25 mL/h per site
  (at most 4 sites at once is a local choice, recorded on the plan);
* HyQvia US PI: up to 600 mL per site at 1 or 2 sites, 400 mL at 3 sites;
  at most 3 sites; ≤ 1,200 mL a day (≤ 600 mL under 40 kg).

Each limit: at (quiet), just above (a hard limit that blocks), and the
figures worked by hand in the message (volume ÷ sites, pump rate ÷ sites).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import TYPE_CHECKING, cast

import attrs

import worked
from ivig_core import Patient
from ivig_core.findings import Concern
from ivig_core.plan import Plan
from ivig_core.planning.scig import plan_scig
from ivig_core.products import Product, Route, get_product
from ivig_core.safety import (
    Finding,
    FindingCode,
    SafetyReport,
    Severity,
    assess,
)
from safety_plans import FixtureRun, FixtureStep, make_plan
from worked import recorded_woman


if TYPE_CHECKING:
    from ivig_core.infusion import InfusionRun


ROUTE = FindingCode.SC_ROUTE_RULES
SITES = FindingCode.SC_SITES_ABOVE_LABEL_MAX
VOLUME = FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL
RATE = FindingCode.SC_RATE_PER_SITE_ABOVE_LABEL
DAILY = FindingCode.SC_DAILY_VOLUME_ABOVE_LABEL

_HIZENTRA_LATER = (
    "PI, later infusions: hizentra.com healthcare-professional pages (CSL Behring)"
)
_HYQVIA_PI = (
    "HyQvia US prescribing information (Takeda; Highlights with recent major change "
    "2.4, 01/2015)"
)
FIRST_DOSE = dt.date(2026, 1, 12)


@cache
def hizentra() -> Plan:
    """Hizentra weekly, later-infusion limits, 4 sites local: its first day."""
    plan = plan_scig(
        recorded_woman(),
        worked.hizentra_conversion(),
        policy="actual",
        rounding="never-below",
        limits=worked.hizentra_later_limits(),
        site_rate="label-maximum",
        cycles=1,
    ).plan
    return attrs.evolve(plan, infusions=plan.infusions[:1], safety=None)


@cache
def hyqvia() -> Plan:
    """HyQvia 30 g every 4 weeks (tiers and the ≥ 40 kg daily limit): day 1."""
    plan = plan_scig(
        recorded_woman(),
        worked.hyqvia_conversion("30 g"),
        policy="actual",
        rounding="never-below",
        limits=worked.hyqvia_limits(),
        site_rate="label-maximum",
        cycles=1,
        first_dose=FIRST_DOSE,
    ).plan
    return attrs.evolve(plan, infusions=plan.infusions[:1], safety=None)


def run(ml_h: float) -> InfusionRun:
    """A run with one step at *ml_h*."""
    return cast(
        "InfusionRun",
        FixtureRun(steps=(FixtureStep(rate_ml_h=ml_h),), rate_weight_kg=70.0),
    )


def day(
    plan: Plan,
    *,
    volume: float | None = None,
    sites: int | None = None,
    pump: float | None = None,
    **sc: object,
) -> Plan:
    """*plan*'s one day with this volume (recorded and SC), sites and pump rate."""
    inf = plan.infusions[0]
    assert inf.sc is not None
    details = attrs.evolve(inf.sc, **sc)  # type: ignore[arg-type]
    if volume is not None:
        details = attrs.evolve(details, volume_ml=volume)
        inf = attrs.evolve(inf, volume_ml=volume)
    if sites is not None:
        details = attrs.evolve(details, sites=sites)
    if pump is not None:
        details = attrs.evolve(details, total_rate_ml_h=0.0, rate_per_site_ml_h=0.0)
        inf = attrs.evolve(inf, run=run(pump))
    return attrs.evolve(plan, infusions=(attrs.evolve(inf, sc=details),))


def only(report: SafetyReport, code: FindingCode) -> Finding:
    """The one finding with *code* (assessed or not)."""
    (f,) = report.with_code(code)
    return f


def found(
    plan: Plan,
    code: FindingCode,
    patient: Patient | None = None,
    product: Product | None = None,
) -> tuple[Finding, ...]:
    """The findings with *code*."""
    who = recorded_woman() if patient is None else patient
    return assess(who, plan, product=product).with_code(code)


def assert_hard_limit(report: SafetyReport, code: FindingCode) -> Finding:
    """The one finding with *code*: a hard limit on the day, blocking."""
    f = only(report, code)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.HARD_LIMIT,
        Concern.infusion_on(report_day(), 1),
    )
    assert f in report.blocking
    return f


def report_day() -> dt.date:
    """The fixtures' day."""
    return hizentra().infusions[0].date


# --------------------------------------------------------------------------
# SC_ROUTE_RULES


def test_route_rules_for_a_thrombosis_only_label() -> None:
    """Hizentra: the SC rules; no renal warning (thrombosis-only label)."""
    f = only(assess(recorded_woman(), hizentra()), ROUTE)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        True,
        Severity.INFO,
        Concern.whole_plan(),
        (
            "Subcutaneous plan (Hizentra): the SC rules apply. The thrombosis boxed "
            "warning applies; the IVIG renal boxed warning (RENAL_RISK) and the "
            "sucrose rule do not apply (Hizentra's label carries a thrombosis-only "
            "boxed warning); nor do the IV rate checks in mg/kg/min apply (SC rates "
            "are per site, checked against the label's per-site limits)."
        ),
    )


def test_route_rules_for_a_label_with_the_renal_warning() -> None:
    """Gamunex-C given SC: its renal boxed warning applies too."""
    sc = attrs.evolve(make_plan(product="gamunex-c"), route=Route.SC)
    (f,) = found(sc, ROUTE)
    assert f.message == (
        "Subcutaneous plan (Gamunex-C): the SC rules apply. The thrombosis boxed "
        "warning applies; the renal boxed warning of Gamunex-C's label applies "
        "too (RENAL_RISK: one label for IV and SC); the sucrose rule does not "
        "apply; nor do the IV rate checks in mg/kg/min apply (SC rates are per "
        "site, checked against the label's per-site limits)."
    )


def test_route_rules_name_facilitated_sc() -> None:
    """HyQvia: a facilitated SC plan."""
    (f,) = found(hyqvia(), ROUTE)
    assert f.message.startswith("Facilitated SC plan (HyQvia): the SC rules apply.")


def test_iv_plans_get_no_sc_findings() -> None:
    """An IV plan: none of the SC checks runs."""
    report = assess(recorded_woman(), make_plan(product="gamunex-c"))
    for code in (ROUTE, SITES, VOLUME, RATE, DAILY):
        assert report.with_code(code) == ()


# --------------------------------------------------------------------------
# Sites (Hizentra: 4, recorded as a local choice; HyQvia: 3, label)


def test_sites_at_the_maximum_are_quiet() -> None:
    """4 sites of at most 4 (75 mL, 18.75 mL per site): nothing."""
    assert found(day(hizentra(), sites=4, volume=75.0), SITES) == ()


def test_sites_above_the_recorded_maximum() -> None:
    """5 sites of 4: 1 more; the recorded local maximum is the source."""
    report = assess(recorded_woman(), day(hizentra(), sites=5))
    f = assert_hard_limit(report, SITES)
    assert f.message == (
        "5 sites at once is 1 more than the maximum of 4 for Hizentra. Use fewer "
        "sites, or give the dose over more days."
    )
    assert f.source == (
        "as recorded on the plan (volume_per_site (1-4 sites): PI, later infusions "
        "— hizentra.com healthcare-professional pages (CSL Behring); max_sites 4 — "
        "local protocol (test))"
    )


def test_hyqvia_label_maximum_of_3_sites() -> None:
    """HyQvia: 3 sites quiet; 4 sites (recorded 10) is 1 above the label's 3."""
    assert found(day(hyqvia(), sites=3), SITES) == ()
    (f,) = found(day(hyqvia(), sites=4, max_sites=10), SITES)
    assert f.message.startswith("4 sites at once is 1 more than the maximum of 3")
    assert f.source.startswith("per site, 3 sites: " + _HYQVIA_PI)


def test_a_stricter_recorded_maximum_wins() -> None:
    """HyQvia with 2 sites recorded as the maximum: 3 sites is above it."""
    (f,) = found(day(hyqvia(), sites=3, max_sites=2), SITES)
    assert f.message.startswith("3 sites at once is 1 more than the maximum of 2")
    assert f.source.startswith("as recorded on the plan (")


def test_gamunex_sites_are_the_smallest_site_row() -> None:
    """Gamunex-C SC for adults and children: 8 and 6 sites; 6 holds."""
    plan = day(
        attrs.evolve(hizentra(), product="Gamunex-C"),
        sites=7,
        applies_to=("SC, adults", "SC, children"),
        max_sites=10,
    )
    (f,) = found(plan, SITES)
    assert f.message.startswith("7 sites at once is 1 more than the maximum of 6")


# --------------------------------------------------------------------------
# Volume per site


def test_hizentra_25_ml_per_site_at_the_limit_is_quiet() -> None:
    """75 mL at 3 sites = 25.0 mL per site, the label's 25: nothing."""
    assert found(day(hizentra(), volume=75.0, sites=3), VOLUME) == ()


def test_hizentra_just_above_25_ml_per_site() -> None:
    """75.3 mL at 3 sites = 25.1 mL per site, 0.1 mL above 25."""
    report = assess(recorded_woman(), day(hizentra(), volume=75.3, sites=3))
    f = assert_hard_limit(report, VOLUME)
    assert f.message == (
        "75.3 mL at 3 sites is 25.1 mL per site, 0.1 mL above the 25 mL per site "
        "at 3 sites for Hizentra. Use more sites (within the maximum) or give the "
        "dose over more days."
    )
    assert f.source == _HIZENTRA_LATER


def test_one_site_is_singular() -> None:
    """55 mL at 1 site: 30 mL above 25 mL per site."""
    (f,) = found(day(hizentra(), volume=55.0, sites=1), VOLUME)
    assert f.message.startswith(
        "55.0 mL at 1 site is 55.0 mL per site, 30.0 mL above the 25 mL per site at "
        "1 site for Hizentra."
    )


def test_the_larger_volume_and_per_site_figure_count() -> None:
    """The infusion's volume, the recorded SC volume or per-site: the largest.

    60 mL recorded on the day but 78 mL in the SC details: 78 / 3 = 26.0;
    a recorded 26 mL per site with 60 mL: 26.0 per site.
    """
    plan = day(hizentra(), volume=60.0, sites=3)
    inf = plan.infusions[0]
    assert inf.sc is not None
    bigger_sc = attrs.evolve(inf, sc=attrs.evolve(inf.sc, volume_ml=78.0))
    (f,) = found(attrs.evolve(plan, infusions=(bigger_sc,)), VOLUME)
    assert f.message.startswith("78.0 mL at 3 sites is 26.0 mL per site, 1.0 mL")
    (g,) = found(day(hizentra(), volume=60.0, sites=3, volume_per_site_ml=26.0), VOLUME)
    assert g.message.startswith("60.0 mL at 3 sites is 26.0 mL per site, 1.0 mL")


def test_a_stricter_recorded_volume_limit_wins_an_equal_one_does_not() -> None:
    """Recorded 20 mL per site (stricter than 25): it holds, "as recorded".

    Recorded 25 (equal): the catalogue's source is named.
    """
    (f,) = found(
        day(hizentra(), volume=63.0, sites=3, volume_limit_per_site_ml=20.0), VOLUME
    )
    assert f.message.startswith("63.0 mL at 3 sites is 21.0 mL per site, 1.0 mL")
    assert "above the 20 mL per site" in f.message
    assert f.source == (
        "as recorded on the plan (volume_per_site (1-4 sites): PI, later infusions "
        "— hizentra.com healthcare-professional pages (CSL Behring); max_sites 4 — "
        "local protocol (test))"
    )
    (g,) = found(
        day(hizentra(), volume=78.0, sites=3, volume_limit_per_site_ml=25.0), VOLUME
    )
    assert g.source == _HIZENTRA_LATER


def test_hyqvia_tiers_at_one_two_and_three_sites() -> None:
    """600 mL per site at 1 or 2 sites, 400 at 3: at each, quiet; above, fires."""
    for sites, limit in ((1, 600.0), (2, 600.0), (3, 400.0)):
        at = day(hyqvia(), volume=limit * sites, sites=sites)
        assert found(at, VOLUME) == ()
        (f,) = found(day(hyqvia(), volume=limit * sites + 3.0, sites=sites), VOLUME)
        assert f"above the {limit:g} mL per site at {sites} site" in f.message
        tier = "per site, 3 sites" if sites == 3 else "per site, 1 or 2 sites"
        assert f.source.startswith(f"{tier}: {_HYQVIA_PI}")


def test_hyqvia_above_3_sites_has_only_the_recorded_volume_limit() -> None:
    """4 sites: no label tier; the recorded 600 mL per site holds."""
    (f,) = found(day(hyqvia(), volume=2404.0, sites=4, max_sites=10), VOLUME)
    assert f.message.startswith("2404.0 mL at 4 sites is 601.0 mL per site")
    assert f.source.startswith("as recorded on the plan (volume_per_site")


# --------------------------------------------------------------------------
# Rate per site and over all sites


def test_hizentra_25_ml_h_per_site_at_the_limit_is_quiet() -> None:
    """75 mL/h over 3 sites = 25.0 mL/h per site: nothing."""
    assert found(day(hizentra(), sites=3, pump=75.0), RATE) == ()


def test_hizentra_just_above_25_ml_h_per_site() -> None:
    """75.3 mL/h over 3 sites = 25.1 mL/h per site."""
    report = assess(recorded_woman(), day(hizentra(), sites=3, pump=75.3))
    f = assert_hard_limit(report, RATE)
    assert f.message == (
        "75.3 mL/h at 3 sites is 25.1 mL/h per site, above the 25 mL/h per site "
        "for Hizentra. Lower the rate to the label's maximum."
    )
    assert f.source == _HIZENTRA_LATER


def test_the_pump_rate_is_the_largest_recorded_figure() -> None:
    """The run's step, the recorded total, or rate per site × sites.

    Each at 78 mL/h over 3 sites = 26.0 mL/h per site.
    """
    base = day(hizentra(), sites=3, pump=30.0)
    for plan in (day(base, total_rate_ml_h=78.0), day(base, rate_per_site_ml_h=26.0)):
        (f,) = found(plan, RATE)
        assert f.message.startswith("78.0 mL/h at 3 sites is 26.0 mL/h per site")
    (g,) = found(day(hizentra(), sites=3, pump=78.0), RATE)
    assert g.message.startswith("78.0 mL/h at 3 sites is 26.0 mL/h per site")


def test_one_site_rate_is_singular() -> None:
    """30 mL/h at 1 site."""
    (f,) = found(day(hizentra(), sites=1, volume=20.0, pump=30.0), RATE)
    assert f.message.startswith("30.0 mL/h at 1 site is 30.0 mL/h per site")


def test_total_rate_at_and_above_a_recorded_maximum() -> None:
    """A recorded 75 mL/h over all sites: 75 quiet; 75.3 fires over all 3."""
    at = day(hizentra(), sites=4, volume=60.0, pump=75.0, total_rate_limit_ml_h=75.0)
    assert found(at, RATE) == ()
    above = day(hizentra(), sites=4, volume=60.0, pump=75.3, total_rate_limit_ml_h=75.0)
    (f,) = found(above, RATE)
    assert f.message == (
        "75.3 mL/h over all 4 sites is above the 75 mL/h over all sites for "
        "Hizentra. Lower the rate to the label's maximum over all sites."
    )
    assert f.source.startswith("as recorded on the plan (")


def test_no_per_site_rate_limit_is_not_assessed() -> None:
    """HyQvia (no label per-site rate) with no recorded one: not assessed."""
    (f,) = found(day(hyqvia(), pump=300.0, rate_limit_per_site_ml_h=None), RATE)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.WARNING,
        Concern.infusion_on(FIRST_DOSE, 1),
        (
            "No per-site rate limit for HyQvia in the catalogue or on the plan: the "
            "rate of 300.0 mL/h per site was not assessed."
        ),
    )


# --------------------------------------------------------------------------
# Daily volume (HyQvia)


def test_daily_volume_at_1200_ml_is_quiet_above_fires() -> None:
    """≥ 40 kg: 1,200 mL (at 3 sites, 400 each) quiet; 1,201 mL fires."""
    assert found(day(hyqvia(), volume=1200.0, sites=3), DAILY) == ()
    report = assess(recorded_woman(), day(hyqvia(), volume=1201.0, sites=3))
    f = only(report, DAILY)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.HARD_LIMIT,
        Concern.infusion_on(FIRST_DOSE, 1),
    )
    assert f.message == (
        f"1201.0 mL on {FIRST_DOSE} is 1.0 mL above HyQvia's daily maximum of 1200 "
        "mL for this patient (70 kg). Give the dose over more days."
    )
    assert f.source.startswith("per day, patients ≥ 40 kg: " + _HYQVIA_PI)
    assert f in report.blocking


def test_daily_volume_under_40_kg_is_600_ml() -> None:
    """A 35 kg patient: 600 mL quiet, 601 mL fires (the < 40 kg row)."""
    light = recorded_woman("35 kg")
    assert found(day(hyqvia(), volume=600.0), DAILY, light) == ()
    (f,) = found(day(hyqvia(), volume=601.0), DAILY, light)
    assert "daily maximum of 600 mL for this patient (35 kg)" in f.message
    assert f.source.startswith("per day, patients < 40 kg: ")


def test_daily_volume_sums_the_day() -> None:
    """Two infusions of 700 mL on the same day: 1,400 mL, 200 above 1,200."""
    plan = day(hyqvia(), volume=700.0, sites=2)
    twice = attrs.evolve(plan, infusions=plan.infusions * 2)
    (f,) = found(twice, DAILY)
    assert f.message.startswith(f"1400.0 mL on {FIRST_DOSE} is 200.0 mL above")


def test_a_stricter_recorded_daily_limit_wins() -> None:
    """A recorded 1,000 mL a day (stricter than 1,200): 1,001 mL fires."""
    (f,) = found(
        day(hyqvia(), volume=1001.0, sites=3, volume_per_day_limit_ml=1e3), DAILY
    )
    assert "daily maximum of 1000 mL" in f.message
    assert f.source.startswith("as recorded on the plan (volume_per_day: ")


def test_no_daily_row_for_the_patient_is_not_assessed() -> None:
    """A product whose only daily row is for < 40 kg, at 70 kg: not assessed."""
    product = get_product("hyqvia")
    only_light = attrs.evolve(
        product,
        sc_limits=tuple(
            r for r in product.sc_limits if r.applies_to != "per day, patients ≥ 40 kg"
        ),
    )
    plan = day(hyqvia(), volume_per_day_limit_ml=None)
    (f,) = found(plan, DAILY, product=only_light)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.WARNING,
        Concern.whole_plan(),
        (
            "None of HyQvia's daily volume limits (per day, patients < 40 kg) names "
            "this patient (70 kg, 54 years): daily volume not assessed."
        ),
    )


def test_two_daily_rows_neither_for_the_patient_are_both_named() -> None:
    """Daily rows for >= 80 kg (a local variant) and < 40 kg, at 70 kg: both named."""
    product = get_product("hyqvia")
    heavy = next(
        r for r in product.sc_limits if r.applies_to == "per day, patients ≥ 40 kg"
    )
    assert heavy.weight_from is not None
    raised = attrs.evolve(
        heavy,
        applies_to="per day, patients ≥ 80 kg",
        weight_from=heavy.weight_from * 2,
    )
    variant = attrs.evolve(
        product,
        sc_limits=tuple(raised if r is heavy else r for r in product.sc_limits),
    )
    plan = day(hyqvia(), volume_per_day_limit_ml=None)
    (f,) = found(plan, DAILY, product=variant)
    assert (f.assessed, f.message) == (
        False,
        (
            "None of HyQvia's daily volume limits (per day, patients ≥ 80 kg; per "
            "day, patients < 40 kg) names this patient (70 kg, 54 years): daily "
            "volume not assessed."
        ),
    )


# --------------------------------------------------------------------------
# Situations and missing details


def test_situations_match_whatever_the_case_and_spaces() -> None:
    """'  pi, LATER infusions ' is Hizentra's 'PI, later infusions'."""
    plan = day(hizentra(), volume=75.3, sites=3, applies_to=("  pi, LATER infusions ",))
    report = assess(recorded_woman(), plan)
    (f,) = report.with_code(VOLUME)
    assert f.source == _HIZENTRA_LATER


def test_an_unknown_situation_is_said_and_the_record_holds() -> None:
    """'home protocol': not assessed against the catalogue; the record holds."""
    plan = day(hizentra(), volume=78.0, sites=3, applies_to=("home protocol",))
    not_assessed, fired_ = sorted(found(plan, VOLUME), key=lambda f: f.assessed)
    assert (not_assessed.assessed, not_assessed.severity, not_assessed.message) == (
        False,
        Severity.WARNING,
        (
            "The SC limits applied (home protocol) are not Hizentra's catalogue "
            "situations for this patient (70 kg, 54 years): checked against the plan's "
            "recorded limits only."
        ),
    )
    assert not_assessed.concerns == Concern.infusion_on(report_day(), 1)
    assert fired_.source.startswith("as recorded on the plan (")


def test_a_situation_for_another_weight_without_a_twin_is_unknown() -> None:
    """HyQvia '1 or 2 sites' (from 40 kg) for a 35 kg patient: no twin."""
    plan = day(hyqvia(), applies_to=("per site, 1 or 2 sites",))
    light = recorded_woman("35 kg")
    (f,) = [g for g in found(plan, VOLUME, light) if not g.assessed]
    assert f.message.startswith(
        "The SC limits applied (per site, 1 or 2 sites) are not HyQvia's catalogue "
        "situations for this patient (35 kg, 54 years)"
    )


def test_infusions_without_sc_details_are_not_assessed() -> None:
    """Two days without SC details: said once, naming both dates."""
    inf = attrs.evolve(hizentra().infusions[0], sc=None)
    second = attrs.evolve(inf, date=inf.date + dt.timedelta(days=7))
    plan = attrs.evolve(hizentra(), infusions=(inf, second))
    for code in (SITES, VOLUME, RATE, DAILY):
        (f,) = found(plan, code)
        assert (f.assessed, f.severity, f.concerns, f.message) == (
            False,
            Severity.WARNING,
            Concern.whole_plan(),
            (
                "2 infusions of this SC plan carry no SC details (sites, volume and "
                f"rate per site): not assessed ({inf.date}, {second.date})."
            ),
        )


def test_one_infusion_without_sc_details_is_singular() -> None:
    """One day without SC details: "1 infusion ... carries"."""
    inf = attrs.evolve(hizentra().infusions[0], sc=None)
    (f,) = found(attrs.evolve(hizentra(), infusions=(inf,)), VOLUME)
    assert f.message == (
        "1 infusion of this SC plan carries no SC details (sites, volume and rate "
        f"per site): not assessed ({inf.date})."
    )


# --------------------------------------------------------------------------
# What the limits are read from


def test_days_with_details_are_checked_after_a_day_without() -> None:
    """A day without SC details, then a day above the label: both reported."""
    bare = attrs.evolve(hizentra().infusions[0], sc=None)
    loud = day(hizentra(), volume=78.0, sites=3).infusions[0]
    loud = attrs.evolve(loud, date=loud.date + dt.timedelta(days=7))
    plan = attrs.evolve(hizentra(), infusions=(bare, loud))
    assert sorted(f.assessed for f in found(plan, VOLUME)) == [False, True]


def test_every_unknown_situation_is_named() -> None:
    """Two situations the catalogue lacks: both named, '; '-joined."""
    plan = day(hizentra(), applies_to=("home protocol", "ward B"))
    (f,) = [g for g in found(plan, VOLUME) if not g.assessed]
    assert f.message.startswith(
        "The SC limits applied (home protocol; ward B) are not Hizentra's catalogue "
    )


def test_a_recorded_limit_equal_to_the_label_cites_the_label() -> None:
    """HyQvia at 3 sites, 400 mL per site recorded (= the label): the label."""
    plan = day(hyqvia(), volume=1203.0, sites=3, volume_limit_per_site_ml=400.0)
    (f,) = found(plan, VOLUME)
    assert f.source.startswith("per site, 3 sites: " + _HYQVIA_PI)


def test_a_stricter_recorded_rate_per_site_cites_its_source() -> None:
    """A recorded 20 mL/h per site (label 25): 63 mL/h over 3 = 21 is above."""
    plan = day(hizentra(), sites=3, pump=63.0, rate_limit_per_site_ml_h=20.0)
    (f,) = found(plan, RATE)
    assert f.message.startswith("63.0 mL/h at 3 sites is 21.0 mL/h per site, above")
    assert "above the 20 mL/h per site" in f.message
    assert f.source == (
        "as recorded on the plan (rate_per_site: PI, later infusions — "
        "hizentra.com healthcare-professional pages (CSL Behring))"
    )


def test_a_recorded_total_rate_cites_the_source_that_names_it() -> None:
    """Sources naming total_rate: only that one is cited."""
    plan = day(
        hizentra(),
        sites=4,
        volume=60.0,
        pump=80.0,
        total_rate_limit_ml_h=75.0,
        sources=("rate_per_site: label", "total_rate: 75 mL/h — ward policy"),
    )
    (f,) = [g for g in found(plan, RATE) if "over all" in g.message]
    assert f.source == "as recorded on the plan (total_rate: 75 mL/h — ward policy)"


def test_gammagard_total_rate_from_the_catalogue() -> None:
    """Gammagard Liquid SC ≥ 40 kg: 240 mL/h over all sites, 30 mL/h per site.

    240 mL/h at 8 sites (30 each) is quiet; 240.8 mL/h (30.1 each) is above
    both.
    """
    gammagard = attrs.evolve(hizentra(), product="Gammagard Liquid")

    def at(pump: float) -> Plan:
        return day(
            gammagard,
            sites=8,
            volume=200.0,
            pump=pump,
            applies_to=("SC, patients ≥ 40 kg",),
            rate_limit_per_site_ml_h=None,
            max_sites=8,
        )

    assert found(at(240.0), RATE) == ()
    per_site, total = found(at(240.8), RATE)
    assert per_site.message.startswith("240.8 mL/h at 8 sites is 30.1 mL/h per site")
    assert total.message == (
        "240.8 mL/h over all 8 sites is above the 240 mL/h over all sites for "
        "Gammagard Liquid. Lower the rate to the label's maximum over all sites."
    )
    assert total.source == (
        "SC, patients ≥ 40 kg: gammagard.com healthcare-professional pages (Takeda)"
    )


def test_the_top_volume_tier_gives_the_site_maximum() -> None:
    """Two volume rows with 4 and 6 sites: the larger (6) is the maximum.

    A Hizentra variant: first infusions at most 4 sites, later at most 6;
    a plan naming both, 7 sites (recorded 10): 1 above 6.
    """
    product = get_product("hizentra")
    rows = tuple(
        attrs.evolve(r, max_sites=4 if "first" in r.applies_to else 6)
        for r in product.sc_limits
    )
    variant = attrs.evolve(product, sc_limits=rows)
    plan = day(
        hizentra(),
        sites=7,
        volume=70.0,
        max_sites=10,
        applies_to=("PI, first infusion", "PI, later infusions"),
    )
    (f,) = found(plan, SITES, product=variant)
    assert f.message.startswith("7 sites at once is 1 more than the maximum of 6")
    assert f.source == _HIZENTRA_LATER


def test_an_age_band_is_replaced_by_the_patient_s_twin() -> None:
    """Xembify 'children 2 to < 10 years' (25 mL/h) for a 54-year-old: adults 35.

    105 mL/h over 3 sites = 35 mL/h per site: within the adults' 35.
    """
    xembify = attrs.evolve(hizentra(), product="Xembify")
    plan = day(
        xembify,
        sites=3,
        volume=60.0,
        pump=105.0,
        applies_to=("children 2 to < 10 years",),
        rate_limit_per_site_ml_h=None,
    )
    assert found(plan, RATE) == ()
    (f,) = found(day(plan, pump=105.3), RATE)
    assert "above the 35 mL/h per site for Xembify" in f.message


def test_volume_tiers_are_read_in_site_order_whatever_the_plan_s_order() -> None:
    """The plan naming '3 sites' before '1 or 2 sites': 2 sites still get 600."""
    plan = day(
        hyqvia(),
        volume=1000.0,
        sites=2,
        applies_to=("per site, 3 sites", "per site, 1 or 2 sites"),
    )
    assert found(plan, VOLUME) == ()
    (f,) = found(day(plan, volume=1203.0), VOLUME)
    assert "above the 600 mL per site at 2 sites" in f.message


def test_an_open_tier_covers_the_counts_below_the_smallest_bounded_one() -> None:
    """A HyQvia variant whose 600 mL row names no site count: it covers 1-2.

    At 3 sites, the bounded 400 mL row holds (1,203 mL = 401 per site); at
    2 sites, the open 600 mL row (1,000 mL = 500 per site is within it).
    """
    product = get_product("hyqvia")
    rows = tuple(
        attrs.evolve(r, sites_to=None) if r.applies_to.endswith("1 or 2 sites") else r
        for r in product.sc_limits
    )
    variant = attrs.evolve(product, sc_limits=rows)
    (f,) = found(day(hyqvia(), volume=1203.0, sites=3), VOLUME, product=variant)
    assert "above the 400 mL per site at 3 sites" in f.message
    assert found(day(hyqvia(), volume=1000.0, sites=2), VOLUME, product=variant) == ()
    (g,) = found(day(hyqvia(), volume=1203.0, sites=2), VOLUME, product=variant)
    assert "above the 600 mL per site at 2 sites" in g.message


def test_a_recorded_limit_no_source_names_cites_them_all() -> None:
    """A recorded total rate no source names: every recorded source, '; '-joined."""
    plan = day(hizentra(), sites=4, volume=60.0, pump=80.0, total_rate_limit_ml_h=75.0)
    (f,) = [g for g in found(plan, RATE) if "over all" in g.message]
    assert f.source == (
        "as recorded on the plan (rate_per_site: PI, later infusions — "
        "hizentra.com healthcare-professional pages (CSL Behring); volume_per_site "
        "(1-4 sites): PI, later infusions — hizentra.com healthcare-professional "
        "pages (CSL Behring); max_sites 4 — local protocol (test))"
    )
