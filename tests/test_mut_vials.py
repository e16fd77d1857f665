"""Vial rounding in both directions, at exact vial multiples, and its refusals.

Worked by hand on vial sets of the catalogue's shape (2.5/5/10/20 g, as
Gamunex-C's label lists) and on made-up sets that force a search. Ontario's
calculator rounds "to the nearest 5 g" (NearestIncrement, "ontario").
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import pytest

from ivig_core import InputError, PlanningError, UnitError
from ivig_core.products import Product, Vial, get_product
from ivig_core.vials import (
    NearestIncrement,
    NearestWithin,
    NeverBelow,
    VialSelection,
    get_rounding,
    select_vials,
    select_vials_g,
    volume_ml,
)
from mutation_helpers import refused


GAMUNEX = (20.0, 10.0, 5.0, 2.5)


def test_never_below_exact_multiple() -> None:
    """37.5 g is 1 × 20 + 1 × 10 + 1 × 5 + 1 × 2.5 exactly: nothing added."""
    counts, reason = NeverBelow().choose(37.5, GAMUNEX)
    assert counts == (1, 1, 1, 1)
    assert reason == (
        "never below: 37.5 g → 37.5 g (1 × 20 g + 1 × 10 g + 1 × 5 g + 1 × 2.5 g), "
        "+0 g (+0.00 %)"
    )


def test_never_below_float_noise_is_not_a_vial() -> None:
    """37.5 g plus 1 ng of float noise still needs 37.5 g, not 40 g."""
    assert NeverBelow().choose(37.5 + 1e-9, GAMUNEX)[0] == (1, 1, 1, 1)
    assert NeverBelow().choose(37.5 - 1e-9, GAMUNEX)[0] == (1, 1, 1, 1)


def test_never_below_rounds_up_both_sides() -> None:
    """37.4 g → 37.5 g; 37.6 g → 40 g (2 × 20 g, fewest vials for 40 g)."""
    assert NeverBelow().choose(37.4, GAMUNEX) == (
        (1, 1, 1, 1),
        (
            "never below: 37.4 g → 37.5 g (1 × 20 g + 1 × 10 g + 1 × 5 g + 1 × 2.5 g), "
            "+0.1 g (+0.27 %)"
        ),
    )
    assert NeverBelow().choose(37.6, GAMUNEX) == (
        (2, 0, 0, 0),
        "never below: 37.6 g → 40 g (2 × 20 g), +2.4 g (+6.38 %)",
    )


def test_never_below_searches_past_unmakeable_totals() -> None:
    """Vials of 6 g and 10 g: 4 g needs 6 g; 13 g needs 16 g (6 + 10)."""
    assert NeverBelow().choose(4.0, (6.0, 10.0))[0] == (1, 0)
    assert NeverBelow().choose(13.0, (6.0, 10.0))[0] == (1, 1)
    # 21 g: 22 g = 2 × 6 + 1 × 10 (3 vials) is the least over
    assert NeverBelow().choose(21.0, (6.0, 10.0))[0] == (2, 1)


def test_never_below_fewest_vials_larger_first() -> None:
    """20 g from 20/10/5/2.5 is one 20 g vial, not two 10 g."""
    assert NeverBelow().choose(20.0, GAMUNEX)[0] == (1, 0, 0, 0)
    assert NeverBelow().choose(20.0, (10.0, 20.0))[0] == (0, 1)


def test_nearest_within_rounds_down_and_says_so() -> None:
    """12 g from 10 g vials: 10 g is nearest, −2 g (−16.67 %), within 20 %."""
    counts, reason = NearestWithin(tolerance=0.2).choose(12.0, (10.0,))
    assert counts == (1,)
    assert reason == ("nearest within ±20 %: 12 g → 10 g (1 × 10 g), −2 g (−16.67 %)")


def test_nearest_within_rounds_up() -> None:
    """18 g from 10 g vials: 20 g is nearest, +2 g (+11.11 %)."""
    assert NearestWithin(tolerance=0.2).choose(18.0, (10.0,)) == (
        (2,),
        "nearest within ±20 %: 18 g → 20 g (2 × 10 g), +2 g (+11.11 %)",
    )


def test_nearest_within_tolerance_is_inclusive() -> None:
    """12.5 g from 10 g vials is 10 g, exactly 20 % away: within ±20 %."""
    assert NearestWithin(tolerance=0.2).choose(12.5, (10.0,))[0] == (1,)
    with pytest.raises(PlanningError) as caught:
        NearestWithin(tolerance=0.15).choose(12.0, (10.0,))
    assert str(caught.value) == (
        "rounding: the nearest achievable dose to 12 g with vials 10 g is 10 g, "
        "16.67 % away; the tolerance is ±15 %, exceeded by 1.67 percentage points"
    )


def test_nearest_within_ties() -> None:
    """15 g: 10 g (1 vial) and 20 g (2 vials) are as near: fewer vials.

    With 10 g and 20 g vials both take one vial: the larger total.
    """
    assert NearestWithin(tolerance=0.5).choose(15.0, (10.0,))[0] == (1,)
    assert NearestWithin(tolerance=0.5).choose(15.0, (10.0, 20.0))[0] == (0, 1)


@pytest.mark.parametrize("value", [0.0, 1.0, -0.1, "0 %", "100 %"])
def test_tolerance_outside_zero_to_one(value: object) -> None:
    """0 and 1 (0 % and 100 %) are refused, naming the range."""
    with refused(
        "tolerance",
        value,
        "a fraction above 0 and below 1, e.g. 0.1 or '10 %'",
        f"{value!r} is not between 0 and 1 (write 10 % as 0.1 or '10 %')",
    ):
        NearestWithin(tolerance=value)


def test_tolerance_forms() -> None:
    """0.1 and '10 %' are the same; True is not a fraction."""
    assert NearestWithin(tolerance="10 %").tolerance == pytest.approx(0.1)
    assert NearestWithin(tolerance=0.999).tolerance == 0.999
    with refused("tolerance", True, "a fraction such as 0.1 or '10 %'"):  # noqa: FBT003
        NearestWithin(tolerance=True)


def test_nearest_increment_both_directions() -> None:
    """Nearest 5 g: 37.2 g → 35 g (−2.2 g, −5.91 %); 37.6 g → 40 g."""
    ontario = get_rounding("ontario")
    assert ontario.choose(37.2, GAMUNEX) == (
        (1, 1, 1, 0),
        "nearest 5 g: 37.2 g → 35 g (1 × 20 g + 1 × 10 g + 1 × 5 g), −2.2 g (−5.91 %)",
    )
    assert ontario.choose(37.6, GAMUNEX)[0] == (2, 0, 0, 0)


def test_nearest_increment_half_way_up() -> None:
    """37.5 g is half-way between 35 and 40 g: up, and the reason says so."""
    assert get_rounding("ontario").choose(37.5, GAMUNEX) == (
        (2, 0, 0, 0),
        (
            "nearest 5 g: 37.5 g → 40 g (2 × 20 g), +2.5 g (+6.67 %); half-way: "
            "rounded up (the source does not say)"
        ),
    )
    # just below half-way goes down, with no half-way note
    assert get_rounding("ontario").choose(37.49, GAMUNEX)[1].endswith("(−6.64 %)")


def test_nearest_increment_exact_multiple() -> None:
    """40 g at the nearest 5 g is 40 g, +0 g."""
    assert get_rounding("ontario").choose(40.0, GAMUNEX)[1] == (
        "nearest 5 g: 40 g → 40 g (2 × 20 g), +0 g (+0.00 %)"
    )


def test_nearest_increment_to_zero_refused() -> None:
    """2.4 g rounds to 0 g (0.1 g short of 2.5 g); 2.5 g rounds up to 5 g."""
    with pytest.raises(PlanningError) as caught:
        get_rounding("ontario").choose(2.4, GAMUNEX)
    assert str(caught.value) == (
        "rounding: 2.4 g rounds to 0 g at the nearest 5 g; the dose is 0.1 g short "
        "of the half-way point"
    )
    assert get_rounding("ontario").choose(2.5, GAMUNEX)[0] == (0, 0, 1, 0)


def test_nearest_increment_not_makeable() -> None:
    """141 g → 140 g, which 40 g vials cannot make: 120 g and 160 g can."""
    with pytest.raises(PlanningError) as caught:
        get_rounding("ontario").choose(141.0, (40.0,))
    assert str(caught.value) == (
        "rounding: 141 g rounds to 140 g (nearest 5 g), which vials 40 g cannot "
        "make exactly; the nearest totals they make are 120 g and 160 g"
    )


def test_nearest_increment_on_grid_not_makeable() -> None:
    """6 g and 10 g vials (2 g grid): 4 g is on the grid, not makeable; 6 g is."""
    with pytest.raises(PlanningError) as caught:
        NearestIncrement(increment="4 g").choose(4.0, (6.0, 10.0))
    assert str(caught.value).endswith("the nearest totals they make are 6 g")
    with pytest.raises(PlanningError) as caught:
        NearestIncrement(increment="8 g").choose(8.0, (6.0, 10.0))
    assert str(caught.value).endswith("the nearest totals they make are 6 g and 10 g")


def test_increment_range() -> None:
    """An increment is above 0 g and at most 100 g."""
    assert NearestIncrement(increment="100 g").increment == 100.0
    for bad in ("0 g", "100.5 g"):
        with pytest.raises(InputError) as caught:
            NearestIncrement(increment=bad)
        assert str(caught.value) == (
            f"increment: {bad} is outside the accepted range; allowed: (0, 100] g"
        )


def test_get_rounding_names_and_parameters() -> None:
    """Names, required parameters, unexpected parameters."""
    assert get_rounding(" Never-Below ") == NeverBelow()
    assert get_rounding("nearest-increment", increment="2 g") == NearestIncrement(
        increment="2 g"
    )
    with refused(
        "rounding",
        "up",
        "one of ['nearest-increment', 'nearest-within', 'never-below', 'ontario']",
    ):
        get_rounding("up")
    with refused(
        "tolerance", None, "a tolerance for 'nearest-within' (required, no default)"
    ):
        get_rounding("nearest-within")
    with refused("increment", "5 g", "no increment for 'ontario'"):
        get_rounding("ontario", increment="5 g")


def test_vial_sizes_in_whole_milligrams() -> None:
    """A size of 0 g or a fraction of a milligram is refused."""
    with refused("vials", 0.0, "vial sizes > 0 g in whole milligrams", "0.0 g"):
        NeverBelow().choose(1.0, (0.0,))
    with refused("vials", 1.0005, "vial sizes > 0 g in whole milligrams", "1.0005 g"):
        NeverBelow().choose(1.0, (1.0005,))
    assert NeverBelow().choose(1.0, (0.001,))[0] == (1000,)
    # Within 0.001 mg of a whole milligram is float noise from a unit
    # conversion: 2.5000001 g (0.0001 mg over) is the 2.5 g vial; 0.01 mg over
    # is a fraction of a milligram.
    assert NeverBelow().choose(5.0, (2.5000001,))[0] == (2,)
    with refused("vials", 2.50001, "vial sizes > 0 g in whole milligrams", "2.50001 g"):
        NeverBelow().choose(5.0, (2.50001,))
    with pytest.raises(PlanningError) as caught:
        NeverBelow().choose(1.0, ())
    assert str(caught.value) == (
        "vials: the product lists no vial sizes (UNCONFIRMED: no source read gives "
        "them); load a local formulary with its vial sizes"
    )


def test_volume_is_dose_over_concentration() -> None:
    """35 g of a 50 g/L product: 700 mL; 37.5 g of 100 g/L: 375 mL."""
    assert volume_ml(35.0, get_product("octagam 5%")) == pytest.approx(700.0)
    sel = select_vials("37.2 g", get_product("gamunex-c"), rounding="never-below")
    assert (sel.dispensed_g, sel.volume_ml, sel.vial_count) == (37.5, 375.0, 4)
    assert sel.difference_g == pytest.approx(0.3)
    assert sel.calculated_g == 37.2
    assert sel.policy == "never-below"


def test_dose_range() -> None:
    """0 g and above 1300 g are refused; 1300 g is allowed."""
    gamunex = get_product("gamunex-c")
    assert select_vials_g(1300.0, gamunex, "never-below").dispensed_g == 1300.0
    for bad in (1300.5, 0.0):
        with pytest.raises(InputError) as caught:
            select_vials_g(bad, gamunex, "never-below")
        assert str(caught.value) == (
            f"dose: {bad:g} g is outside the accepted range; allowed: (0, 1300] g "
            "(above 0 g; more than 1300 g (2 g/kg at 650 kg) is taken for a unit "
            "slip)"
        )
    with refused("dose_g", "5", "a number of grams"):
        select_vials_g("5", gamunex, "never-below")  # type: ignore[arg-type]
    with refused("dose_g", True, "a number of grams"):  # noqa: FBT003
        select_vials_g(True, gamunex, "never-below")  # noqa: FBT003


def test_bad_policies() -> None:
    """Not a policy; a policy returning bad counts; one choosing nothing."""
    gamunex = get_product("gamunex-c")
    with refused("rounding", 3, "a RoundingPolicy (NeverBelow(), ...) or its name"):
        select_vials_g(10.0, gamunex, 3)  # type: ignore[arg-type]

    class Nothing:
        name = "nothing"

        def choose(
            self, dose_g: float, sizes_g: Sequence[float]
        ) -> tuple[tuple[int, ...], str]:
            return (0,) * len(sizes_g), f"none for {dose_g}"

    class Negative(Nothing):
        def choose(
            self, dose_g: float, sizes_g: Sequence[float]
        ) -> tuple[tuple[int, ...], str]:
            return (-1,) + (1,) * (len(sizes_g) - 1), f"bad for {dose_g}"

    class Short(Nothing):
        def choose(
            self, dose_g: float, sizes_g: Sequence[float]
        ) -> tuple[tuple[int, ...], str]:
            return (1,), f"short for {dose_g} ({len(sizes_g)})"

    with pytest.raises(PlanningError) as caught:
        select_vials_g(10.0, gamunex, Nothing())
    assert str(caught.value) == "rounding: nothing chose no vials for 10 g"
    for bad in (Negative(), Short()):
        with refused("rounding", bad, "a policy returning one count ≥ 0 per vial size"):
            select_vials_g(10.0, gamunex, bad)


# --------------------------------------------------------------------------
# Fewest vials: the table's choices


def test_fewest_vials_replaces_a_larger_first_choice_only_when_fewer() -> None:
    """6 g from 1, 3 and 4 g vials: 2 × 3 g (2 vials), not 4 + 1 + 1 g (3).

    11 g from 1, 2, 5 and 7 g vials: 7 + 2 + 2 g and 5 + 5 + 1 g are both three
    vials; the tie goes to the larger vial (7 g).
    """
    assert NeverBelow().choose(6.0, (1.0, 3.0, 4.0))[0] == (0, 2, 0)
    assert NeverBelow().choose(11.0, (1.0, 2.0, 5.0, 7.0)) == (
        (0, 2, 0, 1),
        "never below: 11 g → 11 g (1 × 7 g + 2 × 2 g), +0 g (+0.00 %)",
    )


def test_fewest_vial_table_grows_to_the_total_needed() -> None:
    """7 g then 7.5 g from 7 and 11 g vials, within 10 %: 7 g both times.

    The second dose searches one total further (up to 9 + 11 units) than the
    first (8 + 11): the shared table must grow to it.
    """
    within = NearestWithin(tolerance=0.1)
    assert within.choose(7.0, (7.0, 11.0))[0] == (1, 0)
    assert within.choose(7.5, (7.0, 11.0)) == (
        (1, 0),
        "nearest within ±10 %: 7.5 g → 7 g (1 × 7 g), −0.5 g (−6.67 %)",
    )


# --------------------------------------------------------------------------
# Nearest within: the search range, the nearest total, the refusal


def test_nearest_within_searches_below_a_wide_tolerance() -> None:
    """100 g from 10 g vials within 50 %: exactly 10 × 10 g (not 60 or 80 g)."""
    assert NearestWithin(tolerance=0.5).choose(100.0, (10.0,))[0] == (10,)


def test_nearest_within_nearer_beats_fewer_vials() -> None:
    """6.6 g from 3 and 5 g vials: 6 g (2 × 3 g, 0.6 g off) beats 8 g (1.4 g off).

    Both are two vials; the nearer total wins before the vial count is asked.
    """
    assert NearestWithin(tolerance=0.3).choose(6.6, (3.0, 5.0)) == (
        (2, 0),
        "nearest within ±30 %: 6.6 g → 6 g (2 × 3 g), −0.6 g (−9.09 %)",
    )


def test_nearest_within_refusals_name_the_vials_and_never_zero() -> None:
    """12 g from 10 and 20 g vials within 10 %: 10 g is 16.67 % away.

    2 g from 10 g vials: the nearest makeable total is one vial, 10 g (no vials,
    0 g, is not a total), 400 % away.
    """
    within = NearestWithin(tolerance=0.1)
    with pytest.raises(PlanningError) as caught:
        within.choose(12.0, (10.0, 20.0))
    assert str(caught.value) == (
        "rounding: the nearest achievable dose to 12 g with vials 10 g, 20 g is "
        "10 g, 16.67 % away; the tolerance is ±10 %, exceeded by 6.67 percentage "
        "points"
    )
    with pytest.raises(PlanningError) as caught:
        NearestWithin(tolerance=0.2).choose(2.0, (10.0,))
    assert str(caught.value) == (
        "rounding: the nearest achievable dose to 2 g with vials 10 g is 10 g, "
        "400.00 % away; the tolerance is ±20 %, exceeded by 380.00 percentage "
        "points"
    )


# --------------------------------------------------------------------------
# Nearest increment: half-way, the milligram grid, the totals either side


def test_nearest_increment_within_a_milligram_of_the_grid() -> None:
    """2 × 5.0000001 g = 10.0000002 g: 0.0002 mg off the 5 g grid, made as 10 g."""
    assert NearestIncrement(increment="5.0000001 g").choose(10.0, (5.0,))[0] == (2,)


def test_nearest_increment_off_grid_names_both_totals() -> None:
    """15 g at the nearest 15 g from 10 (and 20) g vials: 10 g and 20 g either side."""
    for sizes, named in (((10.0,), "10 g"), ((10.0, 20.0), "10 g, 20 g")):
        with pytest.raises(PlanningError) as caught:
            NearestIncrement(increment="15 g").choose(15.0, sizes)
        assert str(caught.value) == (
            f"rounding: 15 g rounds to 15 g (nearest 15 g), which vials {named} "
            "cannot make exactly; the nearest totals they make are 10 g and 20 g"
        )


# --------------------------------------------------------------------------
# Selections: largest vial first, named product, made once


def _gamunex_with(*grams: float) -> Product:
    """Gamunex-C with only these vial sizes, in this order (10 mL per gram)."""
    vials = tuple(Vial(grams=f"{g} g", volume=f"{g * 10} mL") for g in grams)
    return attrs.evolve(get_product("gamunex-c"), vials=vials)


def test_selection_lists_the_largest_vial_first() -> None:
    """30 g from a formulary listing 10 g before 20 g: 1 × 20 g, then 1 × 10 g."""
    selection = select_vials_g(30.0, _gamunex_with(10, 20), "never-below")
    assert [(v.grams_g, n) for v, n in selection.vials] == [(20.0, 1), (10.0, 1)]
    assert selection.product == "gamunex-c"


def test_same_dose_same_product_is_one_selection() -> None:
    """A built-in policy's selection is made once per product and grams."""
    product = _gamunex_with(5, 10, 20)
    first = select_vials_g(35.0, product, "never-below")
    assert select_vials_g(35.0, product, "never-below") is first
    assert select_vials_g(35.0, product, NeverBelow()) is first
    assert select_vials_g(40.0, product, "never-below").dispensed_g == 40.0


def test_get_rounding_nearest_within() -> None:
    """The name "nearest-within" with a tolerance is that policy (not Ontario's)."""
    assert get_rounding("nearest-within", tolerance="10 %") == NearestWithin(
        tolerance=0.1
    )


# --------------------------------------------------------------------------
# Refusals naming their fields


def test_policy_parameters_in_the_wrong_unit() -> None:
    """An increment that is not a mass, a tolerance that is not a fraction."""
    with refused(
        "increment",
        "5 kg/day",
        "a mass, e.g. '35 g' or '35000 mg'",
        "5.0 kg/d is not a mass (its dimension is [mass] / [time])",
        error=UnitError,
    ):
        NearestIncrement(increment="5 kg/day")
    with refused(
        "tolerance",
        "10 kg",
        "a fraction, e.g. '10 %' or 0.1",
        "10.0 kg is not a fraction (its dimension is [mass])",
        error=UnitError,
    ):
        NearestWithin(tolerance="10 kg")


def test_volume_ml_refusals() -> None:
    """volume_ml takes a Product and a number of grams."""
    with refused("product", "x", "a Product"):
        volume_ml(35.0, "x")  # type: ignore[arg-type]
    with refused("dose", "35 g", "a number"):
        volume_ml("35 g", get_product("octagam 5%"))  # type: ignore[arg-type]


def test_vial_selection_converts_and_names_its_fields() -> None:
    """Built directly (e.g. read back), a selection converts to g and mL."""
    built = VialSelection(
        product="x",
        calculated="35000 mg",
        dispensed="35 g",
        vials=(),
        volume="0.35 L",
        difference="0 g",
        policy="p",
        reason="r",
    )
    assert (built.calculated_g, built.dispensed_g, built.volume_ml) == (
        35.0,
        35.0,
        350.0,
    )
    fields = {
        "product": "x",
        "calculated": "35 g",
        "dispensed": "35 g",
        "vials": (),
        "volume": "350 mL",
        "difference": "0 g",
        "policy": "p",
        "reason": "r",
    }
    with refused(
        "dose",
        "35 mL",
        "a mass, e.g. '35 g' or '35000 mg'",
        "35.0 ml is not a mass (its dimension is [length] ** 3)",
        error=UnitError,
    ):
        VialSelection(**{**fields, "dispensed": "35 mL"})  # type: ignore[arg-type]
    with refused(
        "volume",
        "350 g",
        "a volume, e.g. '400 mL'",
        "350.0 g is not a volume (its dimension is [mass])",
        error=UnitError,
    ):
        VialSelection(**{**fields, "volume": "350 g"})  # type: ignore[arg-type]
