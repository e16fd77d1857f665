"""Vial selection under explicit rounding policies, and volumes."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import InputError, PlanningError, UnitError
from ivig_core.products import Product, default_catalogue, get_product
from ivig_core.units import Q_
from ivig_core.vials import (
    NearestIncrement,
    NearestWithin,
    NeverBelow,
    RoundingPolicy,
    get_rounding,
    select_vials,
    select_vials_g,
    volume_ml,
)


WITH_VIALS = sorted(key for key, p in default_catalogue().items() if p.vials)
products = st.sampled_from(WITH_VIALS).map(get_product)
doses = st.floats(min_value=0.5, max_value=300.0, allow_nan=False)


def privigen_40() -> Product:
    """Privigen in a formulary that stocks only its 40 g vial (one size)."""
    privigen = get_product("privigen")
    return attrs.evolve(privigen, vials=[v for v in privigen.vials if v.grams_g == 40])


def test_volume_is_dose_over_concentration() -> None:
    """Volume = dose ÷ concentration (10 % → 10 mL/g, 5 % → 20 mL/g)."""
    assert volume_ml(35.0, get_product("privigen")) == 350.0
    assert volume_ml(35.0, get_product("octagam-5")) == 700.0
    assert volume_ml(35.0, get_product("hizentra")) == 175.0


def test_never_below_fewest_grams_then_fewest_vials() -> None:
    """37.2 g of Gamunex-C: 37.5 g, the fewest vials that make it."""
    sel = select_vials_g(37.2, get_product("gamunex-c"), NeverBelow())
    assert sel.dispensed_g == 37.5
    assert sel.vial_count == 4
    assert sel.volume_ml == 375.0
    assert sel.policy == "never-below"
    assert sel.reason.startswith("never below: 37.2 g → 37.5 g")


def test_never_below_prefers_fewer_vials_at_equal_waste() -> None:
    """40 g of Gamunex-C is one 40 g vial, not two of 20 g."""
    sel = select_vials_g(40.0, get_product("gamunex-c"), NeverBelow())
    assert [(v.grams_g, n) for v, n in sel.vials] == [(40.0, 1)]


def test_single_vial_size_wastes() -> None:
    """Privigen stocked in 40 g vials only: 35 g dispenses 40 g and says so."""
    sel = select_vials_g(35.0, privigen_40(), NeverBelow())
    assert sel.dispensed_g == 40.0
    assert sel.difference_g == 5.0
    assert "+5 g" in sel.reason


def test_nearest_within_tolerance() -> None:
    """Nearest within ±10 %: 41 g of Privigen (40 g vials) → 40 g (−2.4 %)."""
    sel = select_vials_g(41.0, privigen_40(), NearestWithin(tolerance=0.1))
    assert sel.dispensed_g == 40.0
    assert pytest.approx(sel.difference_g) == -1.0


def test_nearest_within_refuses_beyond_tolerance() -> None:
    """30 g of Privigen (40 g vials) is 33 % from 40 g: refused, saying by how much."""
    with pytest.raises(PlanningError, match=r"33\.33 % away; the tolerance is ±10 %"):
        select_vials_g(30.0, privigen_40(), NearestWithin(tolerance="10 %"))


def test_tolerance_is_required_and_a_fraction() -> None:
    """The tolerance has no default, and 10 is not taken for 10 %."""
    with pytest.raises(
        InputError,
        match=(
            r"^tolerance: 10 is not between 0 and 1 \(write 10 % as 0\.1 "
            r"or '10 %'\); allowed: a fraction above 0 and below 1, e\.g\. "
            r"0\.1 or '10 %'$"
        ),
    ):
        NearestWithin(tolerance=10)
    with pytest.raises(
        InputError,
        match=(
            r"^tolerance: got None; allowed: a tolerance for "
            r"'nearest-within' \(required, no default\)$"
        ),
    ):
        get_rounding("nearest-within")


def test_ontario_rounds_to_nearest_5_g() -> None:
    """Ontario: 37.2 g → 35 g; 37.6 g → 40 g (reference §1.4)."""
    gamunex = get_product("gamunex-c")
    assert select_vials_g(37.2, gamunex, "ontario").dispensed_g == 35.0
    assert select_vials_g(37.6, gamunex, "ontario").dispensed_g == 40.0


def test_ontario_half_way_is_reported() -> None:
    """A dose exactly half-way rounds up, and the reason says so."""
    sel = select_vials_g(37.5, get_product("gamunex-c"), get_rounding("ontario"))
    assert sel.dispensed_g == 40.0
    assert "half-way" in sel.reason


def test_increment_not_makeable_is_refused() -> None:
    """35 g (nearest 5 g) cannot be made from Privigen 40 g vials."""
    with pytest.raises(PlanningError, match=r"rounds to 35 g .*cannot make exactly"):
        select_vials_g(36.0, privigen_40(), NearestIncrement(increment="5 g"))


def test_increment_to_zero_is_refused() -> None:
    """A dose that rounds to 0 g is refused."""
    with pytest.raises(
        PlanningError,
        match=r"^rounding: 2 g rounds to 0 g at the nearest 5 g; the dose is 0\.5 g "
        r"short of the half-way point$",
    ):
        select_vials_g(2.0, get_product("gamunex-c"), "ontario")


def test_no_vial_sizes_is_a_planning_error() -> None:
    """A product whose vial sizes are UNCONFIRMED cannot be dispensed."""
    no_vials = attrs.evolve(
        get_product("gammaplex-5"), vials=(), unconfirmed=("vials",)
    )
    with pytest.raises(PlanningError, match=r"vials: .*UNCONFIRMED"):
        select_vials_g(20.0, no_vials, NeverBelow())


def test_bad_dose() -> None:
    """A bare number, a negative or an absurd dose is refused, naming the field."""
    privigen = get_product("privigen")
    with pytest.raises(
        UnitError,
        match=(
            r"^dose: got 35 \(a bare number; units are never assumed\); "
            r"allowed: a mass as a pint Quantity or a string such as '35 "
            r"g' or '35000 mg'$"
        ),
    ):
        select_vials(35, privigen, rounding=NeverBelow())
    with pytest.raises(
        InputError,
        match=(
            r"^dose: -35 g is outside the accepted range; allowed: \(0, "
            r"1300\] g \(above 0 g; more than 1300 g \(2 g/kg at 650 kg\) "
            r"is taken for a unit slip\)$"
        ),
    ):
        select_vials("-35 g", privigen, rounding=NeverBelow())
    with pytest.raises(
        InputError,
        match=(
            r"^dose: 35000 g is outside the accepted range; allowed: \(0, "
            r"1300\] g \(above 0 g; more than 1300 g \(2 g/kg at 650 kg\) "
            r"is taken for a unit slip\)$"
        ),
    ):
        select_vials("35 kg", privigen, rounding=NeverBelow())


def test_unknown_rounding_name() -> None:
    """An unknown policy name is refused, listing the known ones."""
    with pytest.raises(
        InputError,
        match=(
            r"^rounding: got 'round-ish'; allowed: one of "
            r"\['nearest-increment', 'nearest-within', 'never-below', "
            r"'ontario'\]$"
        ),
    ):
        get_rounding("round-ish")


def test_policies_follow_the_protocol() -> None:
    """The built-in policies are RoundingPolicy instances."""
    for policy in (NeverBelow(), NearestWithin(tolerance=0.1), get_rounding("ontario")):
        assert isinstance(policy, RoundingPolicy)


@given(products, doses)
def test_never_below_never_under_doses(product: Product, dose_g: float) -> None:
    """Never below: dispensed ≥ calculated, waste < the smallest vial."""
    sel = select_vials_g(dose_g, product, NeverBelow())
    smallest = product.vials[0].grams_g
    assert sel.dispensed_g >= dose_g - 1e-9
    assert sel.difference_g < smallest
    assert sel.dispensed_g == pytest.approx(sum(v.grams_g * n for v, n in sel.vials))


@given(products, doses)
def test_volume_is_exact(product: Product, dose_g: float) -> None:
    """The selection's volume is what its vials hold, and grams ÷ g/L by pint."""
    sel = select_vials_g(dose_g, product, NeverBelow())
    assert sel.volume_ml == pytest.approx(sum(v.volume_ml * n for v, n in sel.vials))
    by_pint = (
        Q_(sel.dispensed_g, "g") / Q_(product.concentration_g_per_l, "g/L")
    ).m_as("mL")
    assert sel.volume_ml == pytest.approx(by_pint)


@given(products, doses)
def test_grams_and_milligrams_select_the_same_vials(
    product: Product, dose_g: float
) -> None:
    """The same dose in g and in mg selects the same vials."""
    in_g = select_vials(Q_(dose_g, "g"), product, rounding=NeverBelow())
    in_mg = select_vials(Q_(dose_g * 1000.0, "mg"), product, rounding=NeverBelow())
    assert in_g.vials == in_mg.vials


@given(products, doses)
def test_nearest_within_stays_within(product: Product, dose_g: float) -> None:
    """Nearest within ±10 % either stays within 10 % or refuses."""
    try:
        sel = select_vials_g(dose_g, product, NearestWithin(tolerance=0.1))
    except PlanningError:
        return
    assert abs(sel.difference_g) <= 0.1 * dose_g + 1e-9


def test_nearest_totals_hint_brackets_the_rounded_dose() -> None:
    """The hint names the makeable totals either side of an unmakeable dose."""
    privigen = privigen_40()  # 40 g vials only
    with pytest.raises(PlanningError, match=r"are 120 g and 160 g$"):
        select_vials_g(141.891, privigen, "ontario")
    with pytest.raises(PlanningError, match=r"are 80 g and 120 g$"):
        select_vials_g(100.0, privigen, "ontario")
