"""Dispensing: the split granularity from the vial sizes, course and day limits.

Vial sets are set explicitly here (from Gamunex-C's 10 % vials, 100 mg/mL), so
the worked values do not move when the catalogue grows.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import pytest

from ivig_core import PlanningError
from ivig_core.plan import Phase
from ivig_core.planning.courses import Course
from ivig_core.planning.dispensing import Dispenser, granularity
from ivig_core.planning.split import SplitLimits
from ivig_core.products import Product, Vial, get_product
from ivig_core.regimen import DayRange
from ivig_core.vials import NeverBelow


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


def test_day_tolerance_scales_with_the_grams() -> None:
    """A day is "made exactly" within 1e-9 of its grams (at least 1e-9 g).

    30.00000001 g from 10 g vials: 30 g, 1e-8 g off, within 1e-9 × 30 = 3e-8 g.
    1.0000000015 g from 1 g vials: 1 g, 1.5e-9 g off, more than 1e-9 × 1 g.
    """
    assert _dispenser(gamunex_with(10, 20)).day(30.00000001).dispensed_g == 30.0
    with pytest.raises(PlanningError) as caught:
        _dispenser(gamunex_with(1)).day(1.0000000015)
    assert str(caught.value) == (
        "granularity: a day's 1 g cannot be made exactly from Gamunex-C vials "
        "(never-below gives 1 g); choose a granularity the vial sizes make "
        "exactly (e.g. the smallest vial)"
    )


def test_course_split_is_of_the_dispensed_total() -> None:
    """1 g/kg × 65 kg = 65 g; never below from 10 and 20 g vials: 70 g.

    The 70 g dispensed (not the 65 g calculated) is split in 10 g units over
    2 days: 40 g + 30 g; each day's calculated share is 32.5 g.
    """
    selection, split = _dispenser(gamunex_with(10, 20), 65.0).course(_course(1.0, 2))
    assert (selection.calculated_g, selection.dispensed_g) == (65.0, 70.0)
    assert (split.calculated_g, split.total_g, split.daily_g) == (
        65.0,
        70.0,
        (40.0, 30.0),
    )
    assert split.daily_calculated_g == (32.5, 32.5)


def test_course_with_fixed_grams() -> None:
    """A course whose source fixed its grams (an SC conversion): 42 g.

    Not dose × weight (0.4 g/kg × 70 kg = 28 g): from 10 and 20 g vials, never
    below 42 g gives 50 g, split over 1 day; the split records the fixed 42 g
    as calculated.
    """
    fixed = attrs.evolve(_course(0.4, 1), calculated_g=42.0)
    selection, split = _dispenser(gamunex_with(10, 20)).course(fixed)
    assert (selection.calculated_g, selection.dispensed_g) == (42.0, 50.0)
    assert (split.calculated_g, split.total_g, split.daily_g) == (42.0, 50.0, (50.0,))


class _Counting:
    """A rounding policy that counts its selections (never below, 10 g steps)."""

    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def choose(
        self, dose_g: float, sizes_g: Sequence[float]
    ) -> tuple[tuple[int, ...], str]:
        self.calls += 1
        return NeverBelow().choose(dose_g, sizes_g)


def test_each_amount_and_course_is_selected_once() -> None:
    """A plan's repeated courses and days are selected once (one record each).

    A 35 g course (0.5 g/kg × 70 kg, one day) and a 35 g day share one
    selection: the policy chooses once; the same course again is the same
    (selection, split) record.
    """
    policy = _Counting()
    dispenser = Dispenser(
        product=gamunex_with(5, 10),
        rounding=policy,
        weight_kg=70.0,
        limits=SplitLimits(),
    )
    first = dispenser.course(_course(0.5, 1))
    assert first[0].dispensed_g == 35.0
    again = dispenser.course(_course(0.5, 1))
    assert (again[0] is first[0], again[1] is first[1]) == (True, True)
    assert dispenser.day(35.0) is first[0]
    assert dispenser.day(35.0) is first[0]
    assert policy.calls == 1
    # another course (1 g/kg × 70 kg = 70 g over 2 days) is its own record
    other = dispenser.course(_course(1.0, 2))
    assert (other[0].dispensed_g, other[1].daily_g) == (70.0, (35.0, 35.0))
    assert policy.calls == 2
