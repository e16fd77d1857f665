"""Dispensing: the split granularity from the vial sizes, course and day limits.

Vial sets are set explicitly here (from Gamunex-C's 10 % vials, 100 mg/mL), so
the worked values do not move when the catalogue grows.
"""

from __future__ import annotations

import attrs
import pytest

from ivig_core import PlanningError
from ivig_core.plan import Phase
from ivig_core.planning.courses import Course
from ivig_core.planning.dispensing import Dispenser, granularity
from ivig_core.planning.split import SplitLimits
from ivig_core.products import Product, Vial, get_product
from ivig_core.regimen import DayRange


def gamunex_with(*grams: float) -> Product:
    """Gamunex-C with only these vial sizes (10 % : 10 mL per gram)."""
    vials = tuple(Vial(grams=f"{g} g", volume=f"{g * 10} mL") for g in grams)
    return attrs.evolve(get_product("gamunex-c"), vials=vials)


def test_granularity_is_the_gcd_of_the_vials() -> None:
    """2.5, 5, 10, 20 g: every size is a whole multiple of 2.5 g; 5 and 20: 5 g."""
    assert granularity(SplitLimits(), gamunex_with(2.5, 5, 10, 20))[0] == 2.5
    assert granularity(SplitLimits(), gamunex_with(5, 20))[0] == 5.0
    assert granularity(SplitLimits(), gamunex_with(1, 2.5))[0] == 0.5
    g, why = granularity(SplitLimits(), gamunex_with(10, 20))
    assert (g, why) == (
        10.0,
        (
            "the largest mass every Gamunex-C vial size is a whole multiple of (their "
            "greatest common divisor)"
        ),
    )
    assert granularity(SplitLimits(granularity="1 g"), gamunex_with(10, 20)) == (
        1.0,
        "given in the split limits",
    )


def test_granularity_without_vials_refused() -> None:
    """No vial sizes and no granularity: refused, naming granularity."""
    no_vials = gamunex_with(10)
    object.__setattr__(no_vials, "vials", ())  # as a formulary without sizes
    with pytest.raises(PlanningError) as caught:
        granularity(SplitLimits(), no_vials)
    assert str(caught.value) == (
        "granularity: Gamunex-C has no vial sizes in the catalogue (UNCONFIRMED); "
        "give SplitLimits(granularity=...) and a formulary"
    )


def _course(dose: float, days: int) -> Course:
    return Course(
        Phase.MAINTENANCE,
        dose,
        days,
        DayRange(low=1, high=5),
        28.0,
        f"maintenance {dose:g} g/kg",
        "x",
    )


def _dispenser(product: Product, weight: float = 70.0) -> Dispenser:
    return Dispenser(
        product=product, rounding="never-below", weight_kg=weight, limits=SplitLimits()
    )


def test_course_rounded_then_split() -> None:
    """1 g/kg × 70 kg = 70 g over 2 days from 10 and 20 g vials.

    Halves of 35 g are not whole 10 g units: the split gives 40 g and 30 g.
    """
    selection, split = _dispenser(gamunex_with(10, 20)).course(_course(1.0, 2))
    assert selection.dispensed_g == 70.0
    assert sorted(split.daily_g) == [30.0, 40.0]


def test_course_limit_1300_g() -> None:
    """2 g/kg × 650 kg = 1300 g is accepted; × 650.5 kg is refused."""
    product = gamunex_with(10, 20, 40)
    selection, _ = _dispenser(product, 650.0).course(_course(2.0, 5))
    assert selection.dispensed_g == 1300.0
    with pytest.raises(PlanningError) as caught:
        _dispenser(product, 650.5).course(_course(2.0, 5))
    assert str(caught.value) == (
        "course: maintenance 2 g/kg × 650.50 kg is 1301 g, 1 g above the 1300 g "
        "the vial selection accepts for one course (taken there for a unit slip); "
        "check the dose and the weight"
    )


def test_day_must_be_made_exactly() -> None:
    """A day of 35 g from 10/20 g vials would dispense 40 g: refused."""
    dispenser = _dispenser(gamunex_with(10, 20))
    assert dispenser.day(30.0).dispensed_g == 30.0
    with pytest.raises(PlanningError) as caught:
        dispenser.day(35.0)
    assert str(caught.value) == (
        "granularity: a day's 35 g cannot be made exactly from Gamunex-C vials "
        "(never-below gives 40 g); choose a granularity the vial sizes make "
        "exactly (e.g. the smallest vial)"
    )
    # the same amount again is the same record
    assert dispenser.day(30.0) is dispenser.day(30.0)
