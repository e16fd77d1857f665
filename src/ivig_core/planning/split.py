"""Split a course into daily doses under explicit limits.

A course (e.g. 2 g/kg) is given over a number of consecutive days. The
number is either fixed by the prescriber or ``"fewest"``: the fewest days in
the allowed range that meet every per-day limit. Limits are explicit:

* a maximum dose per day in g/kg/day and/or in g/day;
* the "80 g rule": "If the dose of IVIG is higher than 80 g, it may be
  administered over 3 to 5 days at 0.4 g/kg" (:class:`EightyGramRule`; an
  AI-generated summary, ``droracle-privigen-dm``: a weak source, so the rule
  is opt-in and every number of it is a parameter);
* a dispensing granularity (e.g. 1 g, or the smallest vial).

The per-day limits are compared with the *calculated* (prescribed) daily
dose, before any rounding to vials: "2 g/kg over 5 days at 0.4 g/kg/day" is
met exactly, and the rounding policy's effect is shown per infusion as the
difference between dispensed and calculated grams.

Exactness: the dispensed course total is split in whole units of the
granularity, so the daily amounts add up *exactly* to the total. The split
is the largest-remainder method for equal shares: every day gets the floor
of its share and the left-over units go one each to the earliest days (the
remainders are equal, so the tie is broken by day order, deterministically).

If no split within the allowed days meets the limits, :class:`PlanningError`
says which limit failed and by how much.
"""

from __future__ import annotations

import math
from typing import Final, Literal

import attrs

from ivig_core import units
from ivig_core._checks import MAX_COUNT, REL_TOL, exceeds, finite, whole
from ivig_core.errors import InputError, PlanningError
from ivig_core.regimen import DayRange, DaysChoice, check_days_choice
from ivig_core.sources import cited
from ivig_core.units import G_PER_DAY, G_PER_KG, G_PER_KG_PER_DAY, KG, G, Quantity


__all__ = [
    "CourseSplit",
    "EightyGramRule",
    "SplitLimits",
    "split_course",
    "split_course_g",
    "split_units",
]


#: The 80 g rule's only source: an AI-generated summary (weak; it cites Mayo
#: Clinic Proceedings, which the project did not read).
_EIGHTY_GRAM_SOURCE: Final = cited(
    "'If the dose of IVIG is higher than 80 g, it may be administered over 3 "
    "to 5 days at 0.4 g/kg'",
    "droracle-privigen-dm",
)


# --------------------------------------------------------------------------
# Limits


def _threshold(value: object) -> Quantity:
    grams = units.to_float(value, field="threshold", unit=G)
    if not grams > 0.0:
        raise InputError("threshold", value, "a mass > 0 g")
    return units.quantity(grams, G)


def _rule_daily(value: object) -> Quantity:
    per_day = units.to_float(value, field="max_daily_dose", unit=G_PER_KG_PER_DAY)
    if not per_day > 0.0:
        raise InputError("max_daily_dose", value, "a dose > 0 g/kg/day")
    return units.quantity(per_day, G_PER_KG_PER_DAY)


def _optional_daily(value: object) -> Quantity | None:
    return None if value is None else _rule_daily(value)


def _optional_grams(value: object) -> Quantity | None:
    if value is None:
        return None
    per_day = units.to_float(value, field="max_daily_grams", unit=G_PER_DAY)
    if not per_day > 0.0:
        raise InputError("max_daily_grams", value, "a mass per day > 0 g/day")
    return units.quantity(per_day, G_PER_DAY)


def _optional_granularity(value: object) -> Quantity | None:
    if value is None:
        return None
    grams = units.to_float(value, field="granularity", unit=G)
    if not grams > 0.0:
        raise InputError("granularity", value, "a mass > 0 g, e.g. '1 g' or '5 g'")
    return units.quantity(grams, G)


def _applies_to(value: object) -> Literal["day", "course"]:
    if value == "day":
        return "day"
    if value == "course":
        return "course"
    raise InputError(
        "applies_to",
        value,
        "'day' (the daily dose is over the threshold) or 'course' (the course "
        "total is)",
    )


def _rule_days(value: object) -> DayRange:
    if isinstance(value, DayRange) and value.high is not None:
        return value
    raise InputError("allowed_days", value, "a DayRange with an upper bound")


def _rule(value: object) -> EightyGramRule | None:
    if value is None or isinstance(value, EightyGramRule):
        return value
    raise InputError("eighty_gram_rule", value, "an EightyGramRule or None")


@attrs.frozen(kw_only=True)
class EightyGramRule:
    """The 80 g rule: above 80 g, give the course over 3-5 days at 0.4 g/kg.

    Its only source is an AI-generated summary (``droracle-privigen-dm``, a
    weak source citing Mayo Clinic Proceedings, not read): the rule is applied
    only when asked for, and each of its numbers is a parameter.

    The source does not say whether "the dose" is the daily dose (1 g/kg on
    day 1 and day 2 in its regimen) or the course total, so *applies_to* is
    a required choice (UNCONFIRMED which the source meant). "At 0.4 g/kg" is
    read as at most 0.4 g/kg per day: the course is given over the fewest of
    the 3-5 days that keep each day at or under it (2 g/kg: 5 days).

    When the rule applies it replaces the regimen's days for that course, and
    the split says so.

    Args:
        applies_to: ``"day"`` or ``"course"``.
        threshold: 80 g (``droracle-privigen-dm``, weak).
        allowed_days: 3-5 days (``droracle-privigen-dm``, weak).
        max_daily_dose: 0.4 g/kg/day (``droracle-privigen-dm``, weak).
        source: The rule's source, rendered from the bibliography.

    Example:
        >>> EightyGramRule(applies_to="day").threshold_g
        80.0

    .. versionadded:: 0.1.0
    """

    applies_to: Literal["day", "course"] = attrs.field(converter=_applies_to)
    # droracle-privigen-dm (weak): "higher than 80 g"
    threshold: Quantity = attrs.field(default="80 g", converter=_threshold)
    allowed_days: DayRange = attrs.field(
        default=DayRange(low=3, high=5),  # droracle (weak): "over 3 to 5 days"
        converter=_rule_days,
    )
    max_daily_dose: Quantity = attrs.field(
        default="0.4 g/kg/day",  # droracle (weak): "at 0.4 g/kg"
        converter=_rule_daily,
    )
    source: str = _EIGHTY_GRAM_SOURCE

    @property
    def threshold_g(self) -> float:
        """The threshold in g."""
        return float(self.threshold.magnitude)

    @property
    def max_daily_g_per_kg(self) -> float:
        """The daily maximum in g/kg/day."""
        return float(self.max_daily_dose.magnitude)


@attrs.frozen(kw_only=True)
class SplitLimits:
    """Per-day limits on a course split (all optional, all explicit).

    Args:
        max_daily_dose: At most this many g/kg per day.
        max_daily_grams: At most this many g per day (``"80 g/day"``).
        eighty_gram_rule: Apply the 80 g rule (a weak source: opt-in).
        granularity: Dispense in whole multiples of this mass; ``None`` lets
            :func:`~ivig_core.planning.course.plan_course` use the greatest
            common divisor of the product's vial sizes.

    Example:
        >>> SplitLimits(max_daily_dose="1 g/kg/day").max_daily_g_per_kg
        1.0

    .. versionadded:: 0.1.0
    """

    max_daily_dose: Quantity | None = attrs.field(
        default=None, converter=_optional_daily
    )
    max_daily_grams: Quantity | None = attrs.field(
        default=None, converter=_optional_grams
    )
    eighty_gram_rule: EightyGramRule | None = attrs.field(default=None, converter=_rule)
    granularity: Quantity | None = attrs.field(
        default=None, converter=_optional_granularity
    )

    @property
    def max_daily_g_per_kg(self) -> float | None:
        """The g/kg/day limit, or ``None``."""
        q = self.max_daily_dose
        return None if q is None else float(q.magnitude)

    @property
    def max_daily_g(self) -> float | None:
        """The g/day limit, or ``None``."""
        q = self.max_daily_grams
        return None if q is None else float(q.magnitude)

    @property
    def granularity_g(self) -> float | None:
        """The granularity in g, or ``None``."""
        q = self.granularity
        return None if q is None else float(q.magnitude)


# --------------------------------------------------------------------------
# Result


@attrs.frozen(kw_only=True)
class CourseSplit:
    """A course spread over consecutive days.

    Attributes:
        days: The number of days.
        dose_g_per_kg: The course dose in g/kg.
        weight_kg: The dosing weight it was multiplied by.
        calculated_g: The exact course dose, dose × weight, in g.
        total_g: The course total that was split (the calculated dose, or
            the dispensed total after a rounding policy), in g.
        granularity_g: The unit the total was split in.
        daily_g: The amount for each day; they add up exactly to *total_g*.
        daily_calculated_g: The calculated dose for each day (equal shares
            of *calculated_g*).
        reason: How the number of days was chosen and which limits held.
        eighty_gram_rule_applied: Whether the 80 g rule set the days.

    .. versionadded:: 0.1.0
    """

    days: int
    dose_g_per_kg: float
    weight_kg: float
    calculated_g: float
    total_g: float
    granularity_g: float
    daily_g: tuple[float, ...]
    daily_calculated_g: tuple[float, ...]
    reason: str
    eighty_gram_rule_applied: bool = False

    @property
    def daily_g_per_kg(self) -> float:
        """The calculated dose per day in g/kg."""
        return self.dose_g_per_kg / self.days

    @property
    def daily(self) -> tuple[Quantity, ...]:
        """The daily amounts as quantities in g."""
        return tuple(units.quantity(g, G) for g in self.daily_g)


# --------------------------------------------------------------------------
# Float core


def split_units(total_units: int, days: int) -> tuple[int, ...]:
    """Split *total_units* into *days* whole parts (largest remainder, equal).

    Example:
        >>> split_units(29, 2), split_units(36, 5)
        ((15, 14), (8, 7, 7, 7, 7))

    .. versionadded:: 0.1.0
    """
    total_units = whole(total_units, field="total_units", low=0)
    days = whole(days, field="days", high=MAX_COUNT)
    base, extra = divmod(total_units, days)
    return tuple(base + 1 if day < extra else base for day in range(days))


def _whole_units(total_g: float, granularity_g: float) -> int:
    """*total_g* as a whole number of *granularity_g*, or refuse."""
    count = total_g / granularity_g
    whole = round(count)
    if whole < 1 or abs(count - whole) > REL_TOL * max(1.0, count):
        raise PlanningError(
            f"granularity: the course total {total_g:g} g is not a whole number "
            f"of {granularity_g:g} g units ({count:.4g} units); round the course "
            "total first with a rounding policy, or choose a granularity that "
            "divides it"
        )
    return int(whole)


def _over(value: float, limit: float) -> bool:
    return exceeds(value, limit)


def _failure(
    days: int,
    *,
    dose_g_per_kg: float,
    calculated_g: float,
    max_g_per_kg: float | None,
    max_g: float | None,
    max_g_per_kg_name: str,
) -> str | None:
    """Why a split over *days* fails the limits, or ``None`` if it meets them."""
    per_kg = dose_g_per_kg / days
    if max_g_per_kg is not None and _over(per_kg, max_g_per_kg):
        return (
            f"{max_g_per_kg_name}: {dose_g_per_kg:g} g/kg over {days} days is "
            f"{per_kg:.4g} g/kg/day, {per_kg - max_g_per_kg:.4g} g/kg/day above "
            f"the limit of {max_g_per_kg:g} g/kg/day"
        )
    grams = calculated_g / days
    if max_g is not None and _over(grams, max_g):
        return (
            f"max_daily_grams: {calculated_g:.4g} g over {days} days is "
            f"{grams:.4g} g/day, {grams - max_g:.4g} g/day above the limit of "
            f"{max_g:g} g/day"
        )
    return None


def _fewest(
    candidates: range,
    *,
    dose_g_per_kg: float,
    calculated_g: float,
    max_g_per_kg: float | None,
    max_g: float | None,
    max_g_per_kg_name: str,
) -> tuple[int | None, str]:
    """The first candidate meeting the limits, or ``None`` and the last failure."""
    last = ""
    for days in candidates:
        failure = _failure(
            days,
            dose_g_per_kg=dose_g_per_kg,
            calculated_g=calculated_g,
            max_g_per_kg=max_g_per_kg,
            max_g=max_g,
            max_g_per_kg_name=max_g_per_kg_name,
        )
        if failure is None:
            return days, ""
        last = failure
    return None, last


def _candidates(days: DaysChoice, allowed: DayRange) -> range:
    if isinstance(days, int):
        return range(days, days + 1)
    if days is None:
        raise PlanningError(
            f"days: the number of days is not chosen (allowed {allowed} days); "
            "choose one, or 'fewest'"
        )
    if allowed.high is None:
        raise PlanningError("days: 'fewest' needs an upper bound on the days")
    return range(allowed.low, allowed.high + 1)


def _choose_days(
    *,
    dose_g_per_kg: float,
    calculated_g: float,
    days: DaysChoice,
    allowed_days: DayRange,
    limits: SplitLimits,
) -> tuple[int, str, bool]:
    """Choose the days: (days, reason, eighty gram rule applied)."""
    candidates = _candidates(days, allowed_days)
    chosen, failure = _fewest(
        candidates,
        dose_g_per_kg=dose_g_per_kg,
        calculated_g=calculated_g,
        max_g_per_kg=limits.max_daily_g_per_kg,
        max_g=limits.max_daily_g,
        max_g_per_kg_name="max_daily_dose",
    )
    rule = limits.eighty_gram_rule
    if rule is not None:
        if rule.applies_to == "course":
            dose_g, what = calculated_g, "course total"
        else:
            base = chosen if chosen is not None else candidates[-1]
            dose_g, what = calculated_g / base, f"daily dose over {base} days"
        if _over(dose_g, rule.threshold_g):
            return _apply_rule(
                rule,
                dose_g_per_kg=dose_g_per_kg,
                calculated_g=calculated_g,
                limits=limits,
                trigger=f"{what} {dose_g:.4g} g > {rule.threshold_g:g} g",
            )
    if chosen is None:
        span = (
            f"{candidates[0]} days"
            if len(candidates) == 1
            else f"any of {candidates[0]}-{candidates[-1]} days"
        )
        raise PlanningError(f"no split over {span} meets the limits: {failure}")
    how = (
        f"{chosen} day{'s' if chosen != 1 else ''} (chosen)"
        if isinstance(days, int)
        else f"{chosen} day{'s' if chosen != 1 else ''}: the fewest of "
        f"{allowed_days} days meeting the limits"
    )
    return chosen, how, False


def _apply_rule(
    rule: EightyGramRule,
    *,
    dose_g_per_kg: float,
    calculated_g: float,
    limits: SplitLimits,
    trigger: str,
) -> tuple[int, str, bool]:
    cap = rule.max_daily_g_per_kg
    own = limits.max_daily_g_per_kg
    name = "eighty_gram_rule"
    if own is not None and own < cap:
        cap, name = own, "max_daily_dose"
    assert rule.allowed_days.high is not None  # noqa: S101 - checked by converter
    candidates = range(rule.allowed_days.low, rule.allowed_days.high + 1)
    chosen, failure = _fewest(
        candidates,
        dose_g_per_kg=dose_g_per_kg,
        calculated_g=calculated_g,
        max_g_per_kg=cap,
        max_g=limits.max_daily_g,
        max_g_per_kg_name=name,
    )
    if chosen is None:
        raise PlanningError(
            f"eighty_gram_rule: {trigger}, so the course goes over "
            f"{rule.allowed_days} days at ≤ {rule.max_daily_g_per_kg:g} g/kg/day, "
            f"but no number of days in that range meets the limits: {failure}"
        )
    reason = (
        f"{chosen} days by the 80 g rule ({trigger}: over {rule.allowed_days} "
        f"days at ≤ {rule.max_daily_g_per_kg:g} g/kg/day, the fewest meeting it; "
        f"{rule.source})"
    )
    return chosen, reason, True


def split_course_g(
    *,
    dose_g_per_kg: float,
    weight_kg: float,
    days: DaysChoice,
    allowed_days: DayRange,
    limits: SplitLimits,
    granularity_g: float,
    total_g: float | None = None,
    calculated_g: float | None = None,
) -> CourseSplit:
    """Split a course (floats in g, g/kg, kg) into daily amounts.

    Args:
        dose_g_per_kg: The course dose, > 0.
        weight_kg: The dosing weight, > 0.
        days: A number of days, or ``"fewest"``.
        allowed_days: The days the regimen allows.
        limits: The per-day limits.
        granularity_g: The unit the total is split in (> 0).
        total_g: The total to split (e.g. the dispensed total after a
            rounding policy); ``None`` splits the calculated dose, which
            must then be a whole number of *granularity_g*.
        calculated_g: The course's calculated grams where its source fixed
            them (an SC conversion in grams); ``None``: dose × weight.

    Raises:
        InputError: A dose, weight or granularity ≤ 0, days outside
            *allowed_days*.
        PlanningError: No split meets the limits, or the total is not a
            whole number of the granularity.

    Example:
        >>> s = split_course_g(dose_g_per_kg=2.0, weight_kg=70.0, days=2,
        ...                    allowed_days=DayRange(low=2, high=2),
        ...                    limits=SplitLimits(), granularity_g=1.0)
        >>> s.daily_g
        (70.0, 70.0)

    .. versionadded:: 0.1.0
    """
    dose_g_per_kg = finite(
        dose_g_per_kg, field="dose", positive=True, allowed="a dose > 0 g/kg"
    )
    weight_kg = finite(
        weight_kg, field="weight", positive=True, allowed="a dosing weight > 0 kg"
    )
    if not (granularity_g > 0.0 and math.isfinite(granularity_g)):
        raise InputError("granularity", granularity_g, "a mass > 0 g")
    days = check_days_choice(days, allowed_days, field="days")
    if calculated_g is None:
        calculated_g = dose_g_per_kg * weight_kg
    total = calculated_g if total_g is None else total_g
    if not (total > 0.0 and math.isfinite(total)):
        raise InputError("total", total_g, "a course total > 0 g")
    whole = _whole_units(total, granularity_g)
    chosen, reason, ruled = _choose_days(
        dose_g_per_kg=dose_g_per_kg,
        calculated_g=calculated_g,
        days=days,
        allowed_days=allowed_days,
        limits=limits,
    )
    parts = split_units(whole, chosen)
    if min(parts) < 1:
        raise PlanningError(
            f"granularity: {total:g} g in {granularity_g:g} g units is {whole} "
            f"unit{'s' if whole != 1 else ''}, fewer than the {chosen} days; a day "
            "would get nothing"
        )
    share = calculated_g / chosen
    return CourseSplit(
        days=chosen,
        dose_g_per_kg=dose_g_per_kg,
        weight_kg=weight_kg,
        calculated_g=calculated_g,
        total_g=whole * granularity_g,
        granularity_g=granularity_g,
        daily_g=tuple(part * granularity_g for part in parts),
        daily_calculated_g=(share,) * chosen,
        reason=reason,
        eighty_gram_rule_applied=ruled,
    )


# --------------------------------------------------------------------------
# Quantity boundary


def split_course(
    *,
    dose: object,
    weight: object,
    days: int | Literal["fewest"],
    allowed_days: DayRange,
    limits: SplitLimits,
    granularity: object,
    total: object = None,
) -> CourseSplit:
    """Split a course given as quantities (see :func:`split_course_g`).

    Args:
        dose: The course dose (``"2 g/kg"``).
        weight: The dosing weight (``"70 kg"``).
        days: A number of days, or ``"fewest"``.
        allowed_days: The days the regimen allows.
        limits: Per-day limits.
        granularity: Split in whole multiples of this mass (``"1 g"``).
        total: The total to split (``"145 g"``), or ``None`` for the
            calculated dose.

    Example:
        >>> s = split_course(dose="2 g/kg", weight="90 kg", days="fewest",
        ...                  allowed_days=DayRange(low=2, high=2),
        ...                  limits=SplitLimits(
        ...                      eighty_gram_rule=EightyGramRule(applies_to="day")),
        ...                  granularity="1 g")
        >>> s.days, s.daily_g
        (5, (36.0, 36.0, 36.0, 36.0, 36.0))

    .. versionadded:: 0.1.0
    """
    dose_g_per_kg = units.to_float(dose, field="dose", unit=G_PER_KG)
    weight_kg = units.to_float(weight, field="weight", unit=KG)
    granularity_g = units.to_float(granularity, field="granularity", unit=G)
    total_g = None if total is None else units.to_float(total, field="total", unit=G)
    return split_course_g(
        dose_g_per_kg=dose_g_per_kg,
        weight_kg=weight_kg,
        days=days,
        allowed_days=allowed_days,
        limits=limits,
        granularity_g=granularity_g,
        total_g=total_g,
    )
