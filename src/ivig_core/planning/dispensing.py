"""Dispensing: vial rounding at one named point, the same rule for every route.

**The rule.** The rounding policy is applied once per *course*, to the
course's calculated grams (dose × dosing weight, or the grams an SC
conversion fixed); the dispensed total is then split into the course's days
in whole units of the dispensing granularity (largest remainder, left-over
units to the earliest days), and each day's vials must make that day's
amount exactly. One rounding per course wastes at most one rounding step
per course, where rounding each day would waste one per day; the same rule
holds for IV, SC and facilitated SC.

Everything is a float whose name carries its unit; a plan's repeated
courses (same dose, same days) and days (same grams) are selected once.
"""

from __future__ import annotations

import math

import attrs

from ivig_core._checks import REL_TOL
from ivig_core.errors import PlanningError
from ivig_core.planning.courses import Course
from ivig_core.planning.split import CourseSplit, SplitLimits, split_course_g
from ivig_core.products import Product
from ivig_core.vials import MAX_DOSE_G, RoundingPolicy, VialSelection, select_vials_g


__all__ = ["Dispenser", "granularity"]


def granularity(limits: SplitLimits, product: Product) -> tuple[float, str]:
    """The mass a course is split in, and why.

    The split limits' granularity if given, else the largest mass every vial
    size of *product* is a whole multiple of (their greatest common divisor).

    Raises:
        PlanningError: No granularity given and no vial sizes known.
    """
    given = limits.granularity_g
    if given is not None:
        return given, "given in the split limits"
    if not product.vials:
        raise PlanningError(
            f"granularity: {product.name} has no vial sizes in the catalogue "
            "(UNCONFIRMED); give SplitLimits(granularity=...) and a formulary"
        )
    milligrams = [round(v.grams_g * 1000.0) for v in product.vials]
    unit_g = math.gcd(*milligrams) / 1000.0
    return unit_g, (
        f"the largest mass every {product.name} vial size is a whole multiple "
        "of (their greatest common divisor)"
    )


@attrs.define
class Dispenser:
    """The dispensing step for one plan (mutable only while planning).

    Attributes:
        product: The product dispensed.
        rounding: The rounding policy (object or name).
        weight_kg: The dosing weight.
        limits: The per-day limits.
    """

    product: Product
    rounding: RoundingPolicy | str
    weight_kg: float
    limits: SplitLimits
    _granularity: tuple[float, str] | None = attrs.field(default=None, init=False)
    _courses: dict[tuple[object, ...], tuple[VialSelection, CourseSplit]] = attrs.field(
        factory=dict, init=False
    )
    _days: dict[float, VialSelection] = attrs.field(factory=dict, init=False)

    def course(self, course: Course) -> tuple[VialSelection, CourseSplit]:
        """The course's vial selection (the rounding) and its split into days.

        Raises:
            PlanningError: A course above the vial selection's limit, a
                split that cannot meet the limits.
        """
        key = (
            course.dose_g_per_kg,
            course.days,
            course.allowed_days,
            course.calculated_g,
        )
        found = self._courses.get(key)
        if found is not None:
            return found
        calculated = (
            course.dose_g_per_kg * self.weight_kg
            if course.calculated_g is None
            else course.calculated_g
        )
        if calculated > MAX_DOSE_G:
            raise PlanningError(
                f"course: {course.label} × {self.weight_kg:.2f} kg is "
                f"{calculated:.4g} g, {calculated - MAX_DOSE_G:.4g} g above the "
                f"{MAX_DOSE_G:g} g the vial selection accepts for one course "
                "(taken there for a unit slip); check the dose and the weight"
            )
        selection = select_vials_g(calculated, self.product, self.rounding)
        split = split_course_g(
            dose_g_per_kg=course.dose_g_per_kg,
            weight_kg=self.weight_kg,
            days=course.days,
            allowed_days=course.allowed_days,
            limits=self.limits,
            granularity_g=self.granularity[0],
            total_g=selection.dispensed_g,
            calculated_g=course.calculated_g,
        )
        self._courses[key] = (selection, split)
        return selection, split

    def day(self, grams: float) -> VialSelection:
        """The vials for a day's *grams*, which they must make exactly.

        Raises:
            PlanningError: The vial sizes cannot make *grams* exactly.
        """
        found = self._days.get(grams)
        if found is not None:
            return found
        selection = select_vials_g(grams, self.product, self.rounding)
        if abs(selection.dispensed_g - grams) > REL_TOL * max(1.0, grams):
            raise PlanningError(
                f"granularity: a day's {grams:g} g cannot be made exactly from "
                f"{self.product.name} vials ({selection.policy} gives "
                f"{selection.dispensed_g:g} g); choose a granularity the vial "
                "sizes make exactly (e.g. the smallest vial)"
            )
        self._days[grams] = selection
        return selection

    @property
    def granularity(self) -> tuple[float, str]:
        """The unit a course's total is split in, and why (see :func:`granularity`).

        Found when first needed: after the first course's vials, so that a
        product without vial sizes is refused by the vial selection.
        """
        if self._granularity is None:
            self._granularity = granularity(self.limits, self.product)
        return self._granularity
