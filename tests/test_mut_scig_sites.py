"""SC sites: the fewest sites within the label's volume per site, by hand.

HyQvia (hyqvia-uspi, hyqvia.com): "the maximum infusion volume is 600 mL per
site" (≥ 40 kg), "if using three sites, the maximum is 400 mL per site",
"Through 1-3 infusion sites", 1 200 mL a day (≥ 40 kg). Hizentra PI later
infusions (hizentra.com): 25 mL per site. The volume is split equally.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import pytest

from ivig_core import InputError, PlanningError, UnitError
from ivig_core.products import Product, ScSiteLimit, get_product
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
        "volume_per_site 20 mL — local protocol 7; max_sites 8: SC, adults — "
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


# --------------------------------------------------------------------------
# Limits from the catalogue: each refusal names the field, the value and
# what is allowed (the rows as read: gammagard-hcp-site, hizentra.com,
# hyqvia-uspi, gamunex-c PI).

_HZ_LATER = "PI, later infusions"


def _one(name: str, value: object) -> dict[str, Any]:
    """One keyword argument, named at run time."""
    return {name: value}


_GAMUNEX_ADULTS = "SC, adults"


def test_an_unknown_situation_lists_the_products_rows() -> None:
    """A typo names the situations the product has."""
    with refused(
        "situation",
        "PI, later",
        "one of ['PI, first infusion', 'PI, later infusions', "
        "'CIDP, first infusion', 'CIDP, later infusions'] for Hizentra",
    ):
        ScLimits.from_product("hizentra", situation="PI, later", max_sites=4)


def test_situations_are_matched_whatever_their_case_and_spaces() -> None:
    """'  pi, LATER infusions ' is the row 'PI, later infusions'."""
    limits = ScLimits.from_product(
        "hizentra", situation="  pi, LATER infusions ", max_sites=4
    )
    assert limits.applies_to == (_HZ_LATER,)
    assert limits.tiers[0].volume_per_site_ml == 25.0


def test_rows_that_disagree_are_refused() -> None:
    """Gamunex-C SC: 20 mL/h for any patient, 10 mL/h under 25 kg."""
    with refused(
        "situation",
        ("SC, any patient", "SC, patients < 25 kg"),
        "situations that agree on rate_per_site",
        "the rows give different rate_per_site: 'SC, any patient' 20 mL/h, "
        "'SC, patients < 25 kg' 10 mL/h",
    ):
        ScLimits.from_product(
            "gamunex-c",
            situation=["SC, any patient", "SC, patients < 25 kg"],
            volume_per_site="20 mL",
        )


def test_rows_that_agree_give_one_value() -> None:
    """Gamunex-C: 20 mL/h for any patient and for ≥ 25 kg: one value, one source.

    The first row giving it is the one quoted.
    """
    limits = ScLimits.from_product(
        "gamunex-c",
        situation=["SC, any patient", "SC, patients ≥ 25 kg", _GAMUNEX_ADULTS],
        volume_per_site="20 mL",
    )
    assert limits.rate_per_site_ml_h == 20.0
    assert limits.initial_rate_per_site_ml_h == 15.0
    row = limits.rows[0]
    assert limits.sources[0] == f"rate_per_site: SC, any patient — {row.source}"
    assert limits.sources[1] == (
        f"initial_rate_per_site: SC, patients ≥ 25 kg — {limits.rows[1].source}"
    )


@pytest.mark.parametrize(
    ("product", "situation", "name", "given", "detail"),
    [
        (
            "hizentra",
            _HZ_LATER,
            "rate_per_site",
            "10 mL/h",
            "Hizentra (PI, later infusions) gives rate_per_site 25 mL/h",
        ),
        (
            "gammagard-liquid",
            "SC, patients ≥ 40 kg",
            "initial_rate_per_site",
            "10 mL/h",
            (
                "Gammagard Liquid (SC, patients ≥ 40 kg) gives "
                "initial_rate_per_site 20 mL/h"
            ),
        ),
        (
            "gammagard-liquid",
            "SC, patients ≥ 40 kg",
            "total_rate",
            "100 mL/h",
            "Gammagard Liquid (SC, patients ≥ 40 kg) gives total_rate 240 mL/h",
        ),
        (
            "hyqvia",
            "per day, patients ≥ 40 kg",
            "volume_per_day",
            "600 mL",
            "HyQvia (per day, patients ≥ 40 kg) gives volume_per_day 1200 mL",
        ),
    ],
)
def test_a_label_limit_is_not_overridden(
    product: str, situation: str, name: str, given: str, detail: str
) -> None:
    """A parameter for a value the row gives is refused, quoting the row.

    The refusal's value is the given number in the canonical unit.
    """
    value = float(given.split(maxsplit=1)[0])
    situations = [situation]
    if product == "hyqvia":
        situations = ["per site, 1 or 2 sites", "per site, 3 sites", situation]
    options: dict[str, Any] = {name: given}
    if product == "hizentra":
        options["max_sites"] = 4
    with refused(
        name,
        value,
        "nothing: the catalogue gives it",
        detail + "; label limits are not overridden",
    ):
        ScLimits.from_product(product, situation=situations, **options)


def test_a_per_site_volume_is_not_overridden() -> None:
    """Hizentra later infusions give 25 mL per site."""
    with refused(
        "volume_per_site",
        10.0,
        "nothing: the catalogue gives it",
        "Hizentra (PI, later infusions) gives a per-site volume; "
        "label limits are not overridden",
    ):
        ScLimits.from_product(
            "hizentra", situation=_HZ_LATER, volume_per_site="10 mL", max_sites=4
        )


def test_values_the_rows_lack_are_given_with_their_source() -> None:
    """HyQvia gives no rate in its per-site rows: every rate is a parameter.

    Each given value is recorded as "name: value unit — source", in the
    order rate, initial rate, total rate, volume per day.
    """
    limits = ScLimits.from_product(
        "hyqvia",
        situation=["per site, 1 or 2 sites", "per site, 3 sites"],
        rate_per_site="300 mL/h",
        initial_rate_per_site="10 mL/h",
        total_rate="600 mL/h",
        volume_per_day="1000 mL",
        parameter_source="site protocol 4",
    )
    assert (
        limits.rate_per_site_ml_h,
        limits.initial_rate_per_site_ml_h,
        limits.total_rate_ml_h,
        limits.volume_per_day_ml,
    ) == (300.0, 10.0, 600.0, 1000.0)
    assert limits.sources[:4] == (
        "rate_per_site: 300 mL/h — site protocol 4",
        "initial_rate_per_site: 10 mL/h — site protocol 4",
        "total_rate: 600 mL/h — site protocol 4",
        "volume_per_day: 1000 mL — site protocol 4",
    )
    first, second = limits.rows
    assert limits.sources[4:] == (
        f"volume_per_site (1-2 sites): per site, 1 or 2 sites — {first.source}",
        f"volume_per_site (3-3 sites): per site, 3 sites — {second.source}",
    )
    assert limits.applies_to == ("per site, 1 or 2 sites", "per site, 3 sites")
    assert limits.product == "hyqvia"


def test_the_default_parameter_source() -> None:
    """A value given without a source is recorded as given by the caller."""
    limits = ScLimits.from_product("hizentra", situation=_HZ_LATER, max_sites=4)
    assert limits.tiers[0].source.endswith("; max_sites 4 — given by the caller")


@pytest.mark.parametrize(
    ("name", "given", "allowed"),
    [
        ("rate_per_site", "0 mL/h", "a value > 0 mL/h"),
        ("initial_rate_per_site", "-1 mL/h", "a value > 0 mL/h"),
        ("total_rate", "0 mL/h", "a value > 0 mL/h"),
        ("volume_per_day", "0 mL", "a value > 0 mL"),
        ("volume_per_site", "-5 mL", "a value > 0 mL"),
    ],
)
def test_given_values_above_zero(name: str, given: str, allowed: str) -> None:
    """A given limit of 0 or below is refused, naming the parameter."""
    with refused(name, given, allowed):
        ScLimits.from_product(
            "gamunex-c", situation=_GAMUNEX_ADULTS, **_one(name, given)
        )


@pytest.mark.parametrize(
    ("name", "given"),
    [
        ("rate_per_site", "1 mL"),
        ("initial_rate_per_site", "1 mL"),
        ("total_rate", "1 mL"),
        ("volume_per_day", "1 mL/h"),
        ("volume_per_site", "1 mL/h"),
    ],
)
def test_given_values_in_their_unit(name: str, given: str) -> None:
    """A volume for a rate (or a rate for a volume) is refused, naming it."""
    with pytest.raises(UnitError) as caught:
        ScLimits.from_product(
            "gamunex-c", situation=_GAMUNEX_ADULTS, **_one(name, given)
        )
    assert caught.value.field == name


def test_max_sites_is_a_whole_number() -> None:
    """max_sites 'x', 0 or 2.5 is refused naming max_sites."""
    for given in ("x", 0, 2.5):
        with refused("max_sites", given, "a whole number >= 1"):
            ScLimits.from_product("hizentra", situation=_HZ_LATER, max_sites=given)  # type: ignore[arg-type]


def test_the_number_of_sites_from_bounded_rows() -> None:
    """HyQvia's per-site rows give up to 3 sites: a max_sites is refused."""
    with refused(
        "max_sites", 3, "nothing: the per-site volume rows give the number of sites"
    ):
        ScLimits.from_product(
            "hyqvia",
            situation=["per site, 1 or 2 sites", "per site, 3 sites"],
            max_sites=3,
        )


def test_site_rows_must_agree() -> None:
    """Gamunex-C: 8 sites for adults, 6 for children: not both."""
    with refused(
        "situation",
        ["SC, adults", "SC, children"],
        "situations that agree on max_sites",
    ):
        ScLimits.from_product(
            "gamunex-c",
            situation=["SC, adults", "SC, children"],
            volume_per_site="20 mL",
        )


def test_the_rows_number_of_sites_is_not_overridden() -> None:
    """Gamunex-C adults: at most 8 sites, quoted."""
    with refused(
        "max_sites",
        4,
        "nothing: the catalogue gives it",
        "Gamunex-C (SC, adults) gives at most 8 sites; label limits are not overridden",
    ):
        ScLimits.from_product(
            "gamunex-c",
            situation=_GAMUNEX_ADULTS,
            volume_per_site="20 mL",
            max_sites=4,
        )


def test_values_missing_from_both() -> None:
    """Hizentra has no number of sites; Gamunex-C SC no per-site volume."""
    with refused(
        "max_sites",
        None,
        "a maximum number of sites (the catalogue has none for Hizentra; "
        "not in the sources read)",
    ):
        ScLimits.from_product("hizentra", situation=_HZ_LATER)
    with refused(
        "volume_per_site",
        None,
        "a per-site volume (the catalogue has none for Gamunex-C in this "
        "situation; not in the sources read)",
    ):
        ScLimits.from_product("gamunex-c", situation=_GAMUNEX_ADULTS)


def test_small_given_values_are_kept() -> None:
    """Any value above 0 is a limit: 0.5 mL/h and 0.5 mL are kept as given."""
    limits = ScLimits.from_product(
        "gamunex-c",
        situation=_GAMUNEX_ADULTS,
        volume_per_site="0.5 mL",
        total_rate="0.5 mL/h",
        volume_per_day="0.5 mL",
    )
    assert (
        limits.tiers[0].volume_per_site_ml,
        limits.total_rate_ml_h,
        limits.volume_per_day_ml,
    ) == (0.5, 0.5, 0.5)


def test_a_given_volume_still_needs_a_number_of_sites() -> None:
    """Gamunex-C ≥ 25 kg: a per-site volume given, but no number of sites."""
    with refused(
        "max_sites",
        None,
        "a maximum number of sites (the catalogue has none for Gamunex-C; "
        "not in the sources read)",
    ):
        ScLimits.from_product(
            "gamunex-c", situation="SC, patients ≥ 25 kg", volume_per_site="20 mL"
        )


def test_given_volume_and_sites() -> None:
    """Gamunex-C ≥ 25 kg with both given: one tier from 1 to 6 sites."""
    limits = ScLimits.from_product(
        "gamunex-c",
        situation="SC, patients ≥ 25 kg",
        volume_per_site="20 mL",
        max_sites=6,
        parameter_source="site protocol 4",
    )
    assert limits.tiers == (
        SiteTier(
            sites_from=1,
            sites_to=6,
            volume_per_site_ml=20.0,
            source="volume_per_site 20 mL — site protocol 4; "
            "max_sites 6 — site protocol 4",
        ),
    )
    assert limits.max_sites == 6


# --------------------------------------------------------------------------
# Rows a formulary may hold (built here from Hizentra's later-infusion row):
# an open per-site volume row with a number-of-sites row, bounded rows.


def _with_rows(*extra: ScSiteLimit) -> Product:
    hz = get_product("hizentra")
    return attrs.evolve(hz, sc_limits=(*hz.sc_limits, *extra))


def _later() -> ScSiteLimit:
    return get_product("hizentra").sc_limits[1]


def _site_row(n: int, name: str = "PI, sites") -> ScSiteLimit:
    return ScSiteLimit(applies_to=name, source=_later().source, max_sites=n)


def _bounded(last: int, volume: str, name: str) -> ScSiteLimit:
    return attrs.evolve(
        _later(), applies_to=name, volume_per_site=volume, sites_to=last
    )


def test_an_open_row_up_to_the_site_row() -> None:
    """25 mL per site up to the 4 sites of a number-of-sites row, both quoted."""
    limits = ScLimits.from_product(
        _with_rows(_site_row(4)), situation=[_HZ_LATER, "PI, sites"]
    )
    src = _later().source
    assert limits.tiers == (
        SiteTier(
            sites_from=1,
            sites_to=4,
            volume_per_site_ml=25.0,
            source=f"volume_per_site (1-4 sites): PI, later infusions — {src}; "
            f"max_sites 4: PI, sites — {src}",
        ),
    )


def test_an_open_row_below_the_bounded_rows() -> None:
    """Open 25 mL row, then ≤ 20 mL at 3 sites: 1-2 sites at 25, 3 at 20."""
    limits = ScLimits.from_product(
        _with_rows(_bounded(3, "20 mL", "PI, 3 sites")),
        situation=[_HZ_LATER, "PI, 3 sites"],
    )
    assert [(t.sites_from, t.sites_to, t.volume_per_site_ml) for t in limits.tiers] == [
        (1, 2, 25.0),
        (3, 3, 20.0),
    ]
    src = _later().source
    assert [t.source for t in limits.tiers] == [
        f"volume_per_site (1-2 sites): PI, later infusions — {src}",
        f"volume_per_site (3-3 sites): PI, 3 sites — {src}",
    ]


def test_an_open_row_for_one_site_below_a_two_site_row() -> None:
    """A bounded row for 2 sites leaves exactly 1 site for the open row."""
    limits = ScLimits.from_product(
        _with_rows(_bounded(2, "20 mL", "PI, 2 sites")),
        situation=[_HZ_LATER, "PI, 2 sites"],
    )
    assert [(t.sites_from, t.sites_to, t.volume_per_site_ml) for t in limits.tiers] == [
        (1, 1, 25.0),
        (2, 2, 20.0),
    ]


def test_bounded_rows_in_order_of_their_last_site() -> None:
    """Rows named 4 sites first, then 2: sorted, 1-2 at 30 mL, 3-4 at 20 mL."""
    limits = ScLimits.from_product(
        _with_rows(_bounded(4, "20 mL", "PI, 4"), _bounded(2, "30 mL", "PI, 2")),
        situation=["PI, 4", "PI, 2"],
    )
    assert [(t.sites_from, t.sites_to, t.volume_per_site_ml) for t in limits.tiers] == [
        (1, 2, 30.0),
        (3, 4, 20.0),
    ]
    assert limits.max_sites == 4


def test_an_open_row_above_a_one_site_row_covers_nothing() -> None:
    """A bounded row for 1 site leaves no counts below it for the open row."""
    limits = ScLimits.from_product(
        _with_rows(_bounded(1, "20 mL", "PI, 1 site")),
        situation=[_HZ_LATER, "PI, 1 site"],
    )
    assert [(t.sites_from, t.sites_to) for t in limits.tiers] == [(1, 1)]


def test_per_site_rows_that_overlap_are_refused() -> None:
    """Two open rows, or two rows ending at the same site count."""
    with refused(
        "situation",
        ["PI, later infusions", "PI, other"],
        "at most one per-site volume row per number of sites",
    ):
        ScLimits.from_product(
            _with_rows(attrs.evolve(_later(), applies_to="PI, other")),
            situation=[_HZ_LATER, "PI, other"],
            max_sites=4,
        )
    with refused(
        "situation",
        ["PI, 2", "PI, 2 again"],
        "at most one per-site volume row per number of sites",
    ):
        ScLimits.from_product(
            _with_rows(
                _bounded(2, "20 mL", "PI, 2"), _bounded(2, "20 mL", "PI, 2 again")
            ),
            situation=["PI, 2", "PI, 2 again"],
        )


def test_bounded_rows_with_a_site_row_are_refused() -> None:
    """The bounded rows give the number of sites; a site row is one too many."""
    with refused(
        "situation",
        ["PI, sites"],
        "no number-of-sites row: the per-site volume rows give the number of sites",
    ):
        ScLimits.from_product(
            _with_rows(_bounded(3, "20 mL", "PI, 3 sites"), _site_row(4)),
            situation=["PI, 3 sites", "PI, sites"],
        )


# --------------------------------------------------------------------------
# Limits built by hand: every number checked, named by its place.


def _tier(first: int, last: int, volume: float = 25.0) -> SiteTier:
    return SiteTier(
        sites_from=first, sites_to=last, volume_per_site_ml=volume, source="x"
    )


def _by_hand(*tiers: object, **rates: object) -> ScLimits:
    return ScLimits(
        product="x",
        applies_to=("by hand",),
        tiers=tiers,  # type: ignore[arg-type]
        **rates,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "name",
    [
        "rate_per_site_ml_h",
        "initial_rate_per_site_ml_h",
        "total_rate_ml_h",
        "volume_per_day_ml",
    ],
)
def test_hand_built_rates_are_finite_and_positive(name: str) -> None:
    """0, below 0 and NaN are refused naming the rate; 0.5 is kept."""
    for bad, allowed in (
        (0.0, "a number > 0"),
        (-1.0, "a number > 0"),
        (math.nan, "a number > 0 (finite)"),
    ):
        with pytest.raises(InputError) as caught:
            _by_hand(_tier(1, 2), **{name: bad})
        assert (caught.value.field, caught.value.allowed) == (name, allowed)
    assert getattr(_by_hand(_tier(1, 2), **{name: 0.5}), name) == 0.5


def test_hand_built_tiers_refused() -> None:
    """No tiers; not a SiteTier; counts not whole or above 1 000; gaps."""
    with refused("tiers", (), "at least one tier"):
        _by_hand()
    with refused("tiers[1]", "x", "a SiteTier"):
        _by_hand(_tier(1, 1), "x")
    with refused("tiers[0].sites_from", 0, "a whole number >= 1 and <= 1000"):
        _by_hand(_tier(0, 1))
    with refused("tiers[0].sites_to", 1001, "a whole number >= 1 and <= 1000"):
        _by_hand(_tier(1, 1001))
    assert _by_hand(_tier(1, 1000)).max_sites == 1000
    late = _tier(2, 3)
    with refused("tiers[0]", late, "a tier with sites_from = 1 and sites_to >= 1"):
        _by_hand(late)
    gap = _tier(4, 5)
    with refused("tiers[1]", gap, "a tier with sites_from = 3 and sites_to >= 3"):
        _by_hand(_tier(1, 2), gap)
    backwards = _tier(3, 2)
    with refused("tiers[1]", backwards, "a tier with sites_from = 3 and sites_to >= 3"):
        _by_hand(_tier(1, 2), backwards)
    for bad, allowed in (
        (0.0, "a number > 0"),
        (-1.0, "a number > 0"),
        (math.inf, "a number > 0 (finite)"),
    ):
        with refused("tiers[1].volume_per_site_ml", bad, allowed):
            _by_hand(_tier(1, 2), _tier(3, 3, bad))
    one_site = _by_hand(_tier(1, 1), _tier(2, 2, 10.0))
    assert (one_site.max_sites, one_site.volume_limit_ml(2)) == (2, 10.0)
