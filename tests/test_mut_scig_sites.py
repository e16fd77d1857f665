"""SC sites: the fewest sites within the label's volume per site, by hand.

HyQvia (hyqvia-uspi, hyqvia.com): "the maximum infusion volume is 600 mL per
site" (≥ 40 kg), "if using three sites, the maximum is 400 mL per site",
"Through 1-3 infusion sites", 1 200 mL a day (≥ 40 kg). Hizentra PI later
infusions (hizentra.com): 25 mL per site. The volume is split equally.
"""

from __future__ import annotations

import pytest

from ivig_core import PlanningError
from ivig_core.scig import ScLimits, SiteTier, plan_sites
from mutation_helpers import refused


def _hyqvia(*, per_day: bool) -> ScLimits:
    rows = ["per site, 1 or 2 sites", "per site, 3 sites"]
    if per_day:
        rows.append("per day, patients ≥ 40 kg")
    return ScLimits.from_product("hyqvia", situation=rows)


def _hizentra() -> ScLimits:
    return ScLimits.from_product(
        "hizentra",
        situation="PI, later infusions",
        max_sites=4,
        parameter_source="local protocol",
    )


@pytest.mark.parametrize(
    ("volume", "sites", "per_site"),
    [
        (600.0, 1, 600.0),  # at the limit: one site
        (600.1, 2, 300.05),  # just above: two
        (1200.0, 2, 600.0),  # 2 × 600, at the limit
    ],
)
def test_hyqvia_sites(volume: float, sites: int, per_site: float) -> None:
    """600 mL per site with 1 or 2 sites."""
    plan = plan_sites(volume, _hyqvia(per_day=False))
    assert (plan.sites, plan.volume_ml) == (sites, volume)
    assert plan.volume_per_site_ml == pytest.approx(per_site)
    assert plan.volume_limit_per_site_ml == 600.0
    assert plan.max_sites == 3


def test_hyqvia_third_site_holds_400() -> None:
    """Past 1 200 mL, 3 sites at ≤ 400 mL hold 1 200 mL at most: refused.

    1 200.1 mL: 600.05 at 2 sites and 400.03 at 3 are both too much; at
    ≤ 400 mL per site it needs ceil(3.0003) = 4 sites, 1 more than 3.
    """
    with pytest.raises(PlanningError) as caught:
        plan_sites(1200.1, _hyqvia(per_day=False))
    assert str(caught.value) == (
        "sites: 1200.1 mL at ≤ 400 mL per site needs 4 sites, 1 more than the "
        "label maximum of 3 (per site, 1 or 2 sites, per site, 3 sites)"
    )


def test_a_later_tier_is_used_when_the_first_is_full() -> None:
    """Tiers by hand: 1 site at ≤ 500 mL, then 2-3 sites at ≤ 400 mL.

    500 mL: 1 site. 800 mL: 2 × 400, at the limit. 1 000 mL: 500 > 400 at 2
    sites, so 3 sites of 333.3 mL.
    """
    limits = ScLimits(
        product="hyqvia",
        applies_to=("by hand",),
        tiers=(
            SiteTier(sites_from=1, sites_to=1, volume_per_site_ml=500.0, source="x"),
            SiteTier(sites_from=2, sites_to=3, volume_per_site_ml=400.0, source="x"),
        ),
    )
    assert plan_sites(500.0, limits).sites == 1
    assert plan_sites(800.0, limits).sites == 2
    plan = plan_sites(1000.0, limits)
    assert plan.sites == 3
    assert plan.volume_limit_per_site_ml == 400.0
    assert plan.volume_per_site_ml == pytest.approx(1000 / 3)


def test_hyqvia_daily_limit() -> None:
    """1 200 mL a day is allowed; 1 200.1 mL is 0.1 mL above it."""
    limits = _hyqvia(per_day=True)
    assert limits.volume_per_day_ml == 1200.0
    assert plan_sites(1200.0, limits).sites == 2
    with pytest.raises(PlanningError) as caught:
        plan_sites(1200.1, limits)
    assert str(caught.value) == (
        "volume_per_day: 1200.1 mL in one day is 0.1 mL above the daily limit of "
        "1200 mL (per site, 1 or 2 sites, per site, 3 sites, per day, patients ≥ "
        "40 kg); give the dose over more days"
    )


@pytest.mark.parametrize(
    ("volume", "sites"),
    [(25.0, 1), (25.1, 2), (50.0, 2), (50.1, 3), (75.0, 3), (75.1, 4), (100.0, 4)],
)
def test_hizentra_25_ml_per_site(volume: float, sites: int) -> None:
    """25 mL per site: n sites hold 25 × n mL; 0.1 mL more takes one more site."""
    plan = plan_sites(volume, _hizentra())
    assert plan.sites == sites
    assert plan.volume_per_site_ml == pytest.approx(volume / sites)
    assert plan.volume_limit_per_site_ml == 25.0
    assert plan.max_sites == 4


def test_hizentra_too_many_sites() -> None:
    """More than 4 × 25 mL: refused with how many sites, and how many more.

    100.1 mL needs 5 sites, 1 more than 4; 150 mL needs 6, 2 more.
    """
    limits = _hizentra()
    with pytest.raises(PlanningError) as caught:
        plan_sites(100.1, limits)
    assert str(caught.value) == (
        "sites: 100.1 mL at ≤ 25 mL per site needs 5 sites, 1 more than the label "
        "maximum of 4 (PI, later infusions)"
    )
    with pytest.raises(PlanningError, match=r"needs 6 sites, 2 more than the label"):
        plan_sites(150.0, limits)


def test_limits_from_the_catalogue_with_their_sources() -> None:
    """Gammagard Liquid SC ≥ 40 kg: every limit from the catalogue, with its row.

    gammagard-hcp-site: 30 mL and 30 mL/h per site, 20 mL/h at first, 240 mL/h
    in all, up to 8 sites.
    """
    limits = ScLimits.from_product("gammagard-liquid", situation="SC, patients ≥ 40 kg")
    assert [(t.sites_from, t.sites_to, t.volume_per_site_ml) for t in limits.tiers] == [
        (1, 8, 30.0)
    ]
    assert (
        limits.rate_per_site_ml_h,
        limits.initial_rate_per_site_ml_h,
        limits.total_rate_ml_h,
        limits.volume_per_day_ml,
    ) == (30.0, 20.0, 240.0, None)
    src = "SC, patients ≥ 40 kg — " + str(limits.rows[0].source)
    assert limits.sources == (
        f"rate_per_site: {src}",
        f"initial_rate_per_site: {src}",
        f"total_rate: {src}",
        f"volume_per_site (1-8 sites): {src}",
    )
    hz = _hizentra()
    assert hz.tiers[0].source == (
        "volume_per_site (1-4 sites): PI, later infusions — "
        f"{hz.rows[0].source}; max_sites 4 — local protocol"
    )


def test_given_volume_per_site_with_the_rows_site_count() -> None:
    """Gamunex-C SC: no per-site volume in the sources read; 8 sites for adults."""
    limits = ScLimits.from_product(
        "gamunex-c",
        situation=["SC, patients ≥ 25 kg", "SC, adults"],
        volume_per_site="20 mL",
        parameter_source="local protocol 7",
    )
    assert [(t.sites_from, t.sites_to, t.volume_per_site_ml) for t in limits.tiers] == [
        (1, 8, 20.0)
    ]
    assert limits.tiers[0].source == (
        "volume_per_site 20 mL — local protocol 7; max_sites: SC, adults — "
        f"{limits.rows[1].source}"
    )
    assert (limits.rate_per_site_ml_h, limits.initial_rate_per_site_ml_h) == (
        20.0,
        15.0,
    )
    assert plan_sites(160.0, limits).sites == 8
    with pytest.raises(PlanningError, match=r"needs 9 sites, 1 more than the label"):
        plan_sites(160.1, limits)


def test_plan_sites_refusals() -> None:
    """A volume > 0 mL, a number, and limits."""
    limits = _hizentra()
    with refused("volume_ml", 0.0, "a volume > 0 mL"):
        plan_sites(0.0, limits)
    with refused("volume_ml", "1", "a number of mL"):
        plan_sites("1", limits)  # type: ignore[arg-type]
    with refused("limits", "x", "ScLimits (see ScLimits.from_product)"):
        plan_sites(1.0, "x")  # type: ignore[arg-type]
    assert limits.volume_limit_ml(4) == 25.0
    assert limits.volume_limit_ml(1) == 25.0
    for sites in (0, 5):
        with refused("sites", sites, "1 to 4 sites"):
            limits.volume_limit_ml(sites)


def test_from_product_refusals() -> None:
    """A parameter ≤ 0, no situation."""
    with refused("volume_per_site", "0 mL", "a value > 0 mL"):
        ScLimits.from_product(
            "gamunex-c", situation="SC, patients ≥ 25 kg", volume_per_site="0 mL"
        )
    with refused("situation", [], "at least one situation"):
        ScLimits.from_product("hizentra", situation=[], max_sites=4)
