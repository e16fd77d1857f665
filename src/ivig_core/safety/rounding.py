"""Rounding checks: a vial rounding that changes a course's dose too much.

The plan rounds each course's calculated grams once, under the rounding
policy the caller named (:mod:`ivig_core.planning.dispensing`): never below
the dose, the nearest achievable total within a tolerance, the nearest
increment (Ontario's nearest 5 g), ... The policy decides *how* to round; this
check says when the result moves the dose further from what was prescribed
than a stated tolerance (``SafetyConfig.rounding_tolerance``): a 50 g
increment dispensing 50 g for a 74 g course, a 5 g vial for a 3 g dose.

What is compared is each course's total: the grams calculated from the
regimen (dose × dosing weight, or the grams an SC conversion fixed) against
the grams the plan dispenses and gives, summed over the course's days (the
values :func:`~ivig_core.safety.context.check_plan_values` re-checks). The
split of a course's total into its days moves grams between days, not the
course's dose, and is not a rounding.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from ivig_core._checks import REL_TOL, exceeds
from ivig_core.findings import Concern, Finding, Rule, Severity
from ivig_core.safety.context import Context
from ivig_core.safety.registry import check, describe


__all__: list[str] = []


def _courses(ctx: Context) -> list[tuple[int, float, float, list[dt.date]]]:
    """Per course: number, calculated g, dispensed g and days (in date order)."""
    grams: dict[int, tuple[list[float], list[float], list[dt.date]]] = {}
    for inf in ctx.infusions:
        calculated, dispensed, days = grams.setdefault(inf.cycle, ([], [], []))
        calculated.append(inf.calculated_g)
        dispensed.append(inf.dispensed_g)
        days.append(inf.date)
    return [
        (number, math.fsum(calculated), math.fsum(dispensed), sorted(days))
        for number, (calculated, dispensed, days) in sorted(grams.items())
    ]


def _change_percent(calculated_g: float, dispensed_g: float) -> float:
    """The change of a dose by rounding, in % of the calculated dose (signed)."""
    return (dispensed_g - calculated_g) / calculated_g * 100.0


def _describe(
    number: int, calculated: float, dispensed: float, days: list[dt.date]
) -> str:
    on = ", ".join(day.isoformat() for day in days)
    diff = dispensed - calculated
    pct = _change_percent(calculated, dispensed)
    return (
        f"course {number} ({on}): prescribed {calculated:.4g} g, dispensed "
        f"{dispensed:.4g} g, {diff:+.4g} g ({pct:+.2f} %)"
    )


@check(
    code="ROUNDING_CHANGES_DOSE",
    severity=Severity.SOFT_LIMIT,
    rule=(
        "A course whose dispensed grams differ from its calculated grams by "
        "more than the configured rounding_tolerance (10 %): one finding for "
        "the plan, listing the courses and their days."
    ),
    action=(
        "Check the rounding policy and the vial sizes (a smaller increment, "
        "the nearest vial within a tolerance, another vial size), or accept "
        "the change with an override giving the reason."
    ),
    source=(
        "'Rounding of biologic and cytotoxic agents within 10% of the ordered "
        "dose is designated as acceptable for routine clinical care' (about "
        "anticancer agents: applied to immunoglobulin by analogy); for IVIG, "
        "'stay within 10% of the original defined order, whether you are "
        "rounding up or down' (an interview, a weak source)"
    ),
    sources=("hopa-2017-dose-rounding", "pppmag-2010-ivig-management"),
    parameters=("rounding_tolerance",),
)
def _rounding(rule: Rule, ctx: Context) -> Iterable[Finding]:
    courses = [
        course
        for course in _courses(ctx)
        if course[1] > 0.0 and abs(course[2] - course[1]) > REL_TOL * course[1]
    ]
    if not courses:
        return []
    tolerance = ctx.config.rounding_tolerance_percent
    if tolerance is None:
        number, calculated, dispensed, days = max(
            courses, key=lambda c: abs(_change_percent(c[1], c[2]))
        )
        return [
            rule.not_assessed(
                "The rounding changes the dose of "
                f"{len(courses)} course{'s' * (len(courses) > 1)}, the largest: "
                f"{_describe(number, calculated, dispensed, days)}; no rounding "
                "tolerance is configured (SafetyConfig.rounding_tolerance): not "
                "assessed.",
                Concern.whole_plan(),
                severity=Severity.INFO,
            )
        ]
    over = [
        course
        for course in courses
        if exceeds(abs(_change_percent(course[1], course[2])), tolerance)
    ]
    if not over:
        return []
    listed = "; ".join(_describe(*course) for course in over)
    count = f"{len(over)} course" + ("s" if len(over) > 1 else "")
    return [
        rule.fired(
            f"The vial rounding ({ctx.plan.rounding}) changes the dose of "
            f"{count} by more than the {tolerance:g} % tolerance: {listed}. "
            "Check the rounding policy and the vial sizes, or accept the change "
            "with an override giving the reason.",
            Concern.whole_plan(),
        )
    ]


__doc__ = (__doc__ or "") + describe(__name__)
