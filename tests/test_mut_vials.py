"""Vial rounding in both directions, at exact vial multiples, and its refusals.

Worked by hand on vial sets of the catalogue's shape (2.5/5/10/20 g, as
Gamunex-C's label lists) and on made-up sets that force a search. Ontario's
calculator rounds "to the nearest 5 g" (NearestIncrement, "ontario").
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from ivig_core import InputError, PlanningError
from ivig_core.products import get_product
from ivig_core.vials import (
    NearestIncrement,
    NearestWithin,
    NeverBelow,
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
    with pytest.raises(PlanningError, match="lists no vial sizes"):
        NeverBelow().choose(1.0, ())


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
