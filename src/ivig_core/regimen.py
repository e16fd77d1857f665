"""Regimens: what the prescriber chose, as data.

A :class:`Regimen` joins an optional :class:`Induction` (the first course),
an optional :class:`Maintenance` (repeated courses at a fixed interval) and
an optional :class:`Taper` (courses of falling dose intensity, ending at a
floor or at stop). Doses are in g/kg of *dosing weight*; the weight itself is
chosen later by a dosing-weight policy.

Where a source gives a range (2–5 days, 1–6 months) the regimen holds the
range and the value chosen within it. A preset never picks a value inside a
range for the user: :meth:`Regimen.choose` fills the choices, and the
planners refuse a regimen whose choices are still open. Where a preset fixes
a value (e.g. "monthly" read as every 4 weeks), it says so in
:attr:`Regimen.fixed`, with its source.

The taper strategies encode published practice (sources jnd-2023-scig-taper and
procid-2022): dose steps
as fractions of the starting dose (J Neuromuscul Dis 2023;10:787), a fixed
percentage per infusion (ProCID wash-out), and interval extension (practice
that is UNCONFIRMED for myositis (ontario-igum-iim), so the intervals are always
the user's). None of them decides *whether* to taper: that is the
prescriber's call, made on the patient's response.
"""

from __future__ import annotations

import difflib
import importlib.resources
import tomllib
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, Literal, TypeAlias, TypeVar

import attrs

from ivig_core import units
from ivig_core._checks import (
    DAYS_PER_WEEK,
    MAX_COUNT,
    REL_TOL,
    days_word,
    is_number,
    is_whole,
)
from ivig_core._checks import finite as _finite
from ivig_core._checks import instance as _instance
from ivig_core._checks import items as _items
from ivig_core._checks import iterates as _iterates
from ivig_core._checks import real as _real
from ivig_core._lazy import LazyMapping
from ivig_core.errors import InputError
from ivig_core.sources import check_ids
from ivig_core.units import DAY, G_PER_KG, G_PER_KG_PER_DAY, G_PER_KG_PER_WEEK, Quantity


if TYPE_CHECKING:
    from collections.abc import Mapping

_T = TypeVar("_T")


__all__ = [
    "PRESETS",
    "Combined",
    "DayRange",
    "DaysChoice",
    "DoseRange",
    "DoseSteps",
    "Floor",
    "Hold",
    "Induction",
    "IntervalExtension",
    "Maintenance",
    "PercentPerInfusion",
    "Regimen",
    "Stop",
    "Taper",
    "TaperEnd",
    "TaperStrategy",
    "get_preset",
    "intensity_g_per_kg_per_week",
    "read_presets",
    "renamed_preset",
]


#: How the number of days of a course is chosen. Either a fixed number, or
#: ``"fewest"``, meaning the fewest days within the allowed range that meet
#: every per-day limit (an explicit rule, recorded on the plan), or ``None``
#: while not yet chosen.
DaysChoice: TypeAlias = int | Literal["fewest"] | None


# --------------------------------------------------------------------------
# Dose intensity: the quantity a taper must not increase


def intensity_g_per_kg_per_week(dose_g_per_kg: float, interval_days: float) -> float:
    """Dose intensity: g/kg per course ÷ interval in weeks.

    Example:
        >>> intensity_g_per_kg_per_week(1.0, 28.0)
        0.25

    .. versionadded:: 0.1.0
    """
    dose_g_per_kg = _real(dose_g_per_kg, field="dose")
    interval_days = _finite(interval_days, field="interval", positive=True)
    return dose_g_per_kg / (interval_days / DAYS_PER_WEEK)


# --------------------------------------------------------------------------
# Small checked readers (named so attrs' converters and messages use them)


def read_count(value: object, *, field: str, low: int = 1) -> int:
    """Check a whole number of days, cycles or steps (``bool`` refused).

    .. versionadded:: 0.1.0
    """
    allowed = f"a whole number ≥ {low} and ≤ {MAX_COUNT}"
    if not is_whole(value):
        raise InputError(field, value, allowed)
    count = int(value)
    if not low <= count <= MAX_COUNT:
        raise InputError(field, value, allowed)
    return count


def _positive(value: float, *, field: str, unit: units.UnitSpec) -> float:
    """Refuse zero, negative (and NaN) values."""
    if not value > 0.0:
        raise InputError(
            field, value, f"a value > 0 {unit.symbol}", f"{value:g} {unit.symbol}"
        )
    return value


#: The doses per body mass the library accepts, g/kg: 0.01 to 10. A "cannot
#: be meant" sanity limit, not a clinical one: the labels' course doses run
#: from 0.2 g/kg (replacement) to 2 g/kg (immunomodulation; Privigen ITP
#: 1 g/kg x 2 days, Octagam 10 % dermatomyositis 2 g/kg), SC weekly doses
#: split over up to 7 days stay above 0.01 g/kg, and a converted SC course
#: over several weeks may exceed 2 g/kg. A thousandfold unit slip either way
#: lands outside: "2 mg/kg" for 2 g/kg planned 1000 times under.
DOSE_RANGE_G_PER_KG: Final = (0.01, 10.0)


def read_dose_g_per_kg(value: object, *, field: str) -> float:
    """Check a dose per body mass (``"2 g/kg"``) and return g/kg.

    Bounded by :data:`DOSE_RANGE_G_PER_KG` (a unit slip such as ``"2 mg/kg"``
    is refused, not planned 1000 times under).

    .. versionadded:: 0.1.0
    """
    dose = _positive(
        units.to_float(value, field=field, unit=G_PER_KG), field=field, unit=G_PER_KG
    )
    low, high = DOSE_RANGE_G_PER_KG
    return units.require_range(
        dose,
        field=field,
        unit=G_PER_KG,
        low=low,
        high=high,
        why="outside it the dose is a unit slip, e.g. mg/kg for g/kg",
    )


def read_interval_days(value: object, *, field: str) -> float:
    """Check an interval (``"4 week"``, ``"28 day"``): a whole number of days.

    The calendar works in whole days, so an interval such as ``"4.5 day"``
    is refused rather than rounded.

    .. versionadded:: 0.1.0
    """
    days = _positive(
        units.to_float(value, field=field, unit=DAY), field=field, unit=DAY
    )
    whole = round(days)
    if abs(days - whole) > REL_TOL:
        raise InputError(
            field, value, "a whole number of days", f"{days:g} days is not whole"
        )
    return float(whole)


def _nonempty(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(field, value, "a non-empty string")
    return value


def _texts(field: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not _iterates(value):
        raise InputError(field, value, "a sequence of strings")
    return tuple(_nonempty(field, item) for item in value)


# --------------------------------------------------------------------------
# Day ranges


def _low(value: object) -> int:
    return read_count(value, field="low")


def _high(value: object) -> int | None:
    return None if value is None else read_count(value, field="high")


@attrs.frozen(kw_only=True)
class DayRange:
    """A whole-number range allowed by a source, e.g. 2–5 days or 1–6 cycles.

    Args:
        low: The smallest allowed value (≥ 1).
        high: The largest allowed value, or ``None`` where the source gives
            no upper bound (e.g. "for several months").

    Example:
        >>> DayRange(low=2, high=5).contains(3), str(DayRange(low=2, high=5))
        (True, '2-5')

    .. versionadded:: 0.1.0
    """

    low: int = attrs.field(converter=_low)
    high: int | None = attrs.field(default=None, converter=_high)

    def __attrs_post_init__(self) -> None:
        """Refuse a range whose top is below its bottom."""
        if self.high is not None and self.high < self.low:
            raise InputError("high", self.high, f"≥ low ({self.low})")

    @classmethod
    def exactly(cls, value: int) -> DayRange:
        """A range holding one value (the source fixes it)."""
        return cls(low=value, high=value)

    def contains(self, value: int) -> bool:
        """Whether *value* lies in the range."""
        return self.low <= value and (self.high is None or value <= self.high)

    def __str__(self) -> str:
        """``"2-5"``, ``"2"`` or ``"1 or more"``."""
        if self.high is None:
            return f"{self.low} or more"
        if self.high == self.low:
            return str(self.low)
        return f"{self.low}-{self.high}"


def _day_range(value: object) -> DayRange:
    if isinstance(value, DayRange):
        return value
    raise InputError("allowed_days", value, "a DayRange, e.g. DayRange(low=2, high=5)")


def _cycle_range(value: object) -> DayRange:
    if isinstance(value, DayRange):
        return value
    raise InputError(
        "allowed_cycles", value, "a DayRange, e.g. DayRange(low=1, high=6)"
    )


def check_days_choice(value: object, allowed: DayRange, *, field: str) -> DaysChoice:
    """Check a days choice against *allowed* and return it.

    .. versionadded:: 0.1.0
    """
    if value is None or value == "fewest":
        if value == "fewest" and allowed.high is None:
            raise InputError(
                field,
                value,
                "a number of days: 'fewest' needs an upper bound on the days",
            )
        return "fewest" if value == "fewest" else None
    days = read_count(value, field=field)
    if not allowed.contains(days):
        raise InputError(
            field,
            value,
            f"{allowed} days (the regimen's allowed days) or 'fewest'",
            f"{days} days is outside the allowed {allowed} days",
        )
    return days


# --------------------------------------------------------------------------
# Induction and maintenance


def _induction_dose(value: object) -> Quantity:
    return units.quantity(read_dose_g_per_kg(value, field="induction.dose"), G_PER_KG)


def _maintenance_dose(value: object) -> Quantity | None:
    if value is None:
        return None
    return units.quantity(read_dose_g_per_kg(value, field="maintenance.dose"), G_PER_KG)


def _maintenance_interval(value: object) -> Quantity | None:
    if value is None:
        return None
    return units.quantity(read_interval_days(value, field="maintenance.interval"), DAY)


def _dose_low(value: object) -> Quantity:
    return units.quantity(read_dose_g_per_kg(value, field="allowed_dose.low"), G_PER_KG)


def _dose_high(value: object) -> Quantity:
    return units.quantity(
        read_dose_g_per_kg(value, field="allowed_dose.high"), G_PER_KG
    )


@attrs.frozen(kw_only=True)
class DoseRange:
    """A dose range a source allows per course, in g/kg (e.g. 0.3-0.6 g/kg).

    Example:
        >>> r = DoseRange(low="300 mg/kg", high="0.6 g/kg")
        >>> r.contains(0.4), str(r)
        (True, '0.3-0.6 g/kg')

    .. versionadded:: 0.2.0
    """

    low: Quantity = attrs.field(converter=_dose_low)
    high: Quantity = attrs.field(converter=_dose_high)

    def __attrs_post_init__(self) -> None:
        """Refuse a range whose top is below its bottom."""
        if self.high_g_per_kg < self.low_g_per_kg * (1.0 - REL_TOL):
            raise InputError("allowed_dose.high", self.high, f"≥ low ({self.low})")

    @property
    def low_g_per_kg(self) -> float:
        """The lowest dose, g/kg."""
        return float(self.low.magnitude)

    @property
    def high_g_per_kg(self) -> float:
        """The highest dose, g/kg."""
        return float(self.high.magnitude)

    def contains(self, dose_g_per_kg: float) -> bool:
        """Whether *dose_g_per_kg* lies in the range (to the shared tolerance)."""
        return (
            self.low_g_per_kg * (1.0 - REL_TOL)
            <= dose_g_per_kg
            <= self.high_g_per_kg * (1.0 + REL_TOL)
        )

    def __str__(self) -> str:
        """``"0.3-0.6 g/kg"``."""
        return f"{self.low_g_per_kg:g}-{self.high_g_per_kg:g} g/kg"


def _allowed_dose(value: object) -> DoseRange | None:
    if value is None or isinstance(value, DoseRange):
        return value
    raise InputError(
        "allowed_dose", value, "a DoseRange, e.g. DoseRange(low='0.3 g/kg', high=...)"
    )


def _allowed_interval(value: object) -> DayRange | None:
    if value is None or isinstance(value, DayRange):
        return value
    raise InputError(
        "allowed_interval", value, "a DayRange in days, e.g. DayRange(low=21, high=28)"
    )


def _optional_interval(value: object) -> Quantity | None:
    if value is None:
        return None
    return units.quantity(
        read_interval_days(value, field="first_maintenance_after"), DAY
    )


def _source(value: object) -> str:
    return _nonempty("source", value)


@attrs.frozen(kw_only=True)
class Induction:
    """The loading course: a course dose given over a number of days.

    Args:
        dose: The course dose in g/kg (e.g. ``"2 g/kg"``), > 0.
        allowed_days: The days the source allows (e.g. 2–5).
        days: The days chosen: a number within *allowed_days*, ``"fewest"``
            (the fewest allowed days meeting every per-day limit), or
            ``None`` while not yet chosen (the planners refuse it).
        source: Where the regimen comes from.

    Example:
        >>> i = Induction(dose="2 g/kg", allowed_days=DayRange(low=2, high=5),
        ...               days=3, source="patient information")
        >>> i.dose_g_per_kg, i.days
        (2.0, 3)

    .. versionadded:: 0.1.0
    """

    dose: Quantity = attrs.field(converter=_induction_dose)
    allowed_days: DayRange = attrs.field(converter=_day_range)
    days: DaysChoice = None
    source: str = attrs.field(converter=_source)

    def __attrs_post_init__(self) -> None:
        """Check the days choice against the allowed days."""
        check_days_choice(self.days, self.allowed_days, field="induction.days")

    @classmethod
    def from_daily(cls, *, daily_dose: object, days: int, source: str) -> Induction:
        """An induction written as a daily dose on a fixed number of days.

        Example:
            >>> i = Induction.from_daily(daily_dose="1 g/kg/day", days=2,
            ...                          source="label")
            >>> i.dose_g_per_kg, str(i.allowed_days)
            (2.0, '2')
        """
        per_day = units.to_float(daily_dose, field="daily_dose", unit=G_PER_KG_PER_DAY)
        _positive(per_day, field="daily_dose", unit=G_PER_KG_PER_DAY)
        count = read_count(days, field="days")
        return cls(
            dose=units.quantity(per_day * count, G_PER_KG),
            allowed_days=DayRange.exactly(count),
            days=count,
            source=source,
        )

    @property
    def dose_g_per_kg(self) -> float:
        """The course dose in g/kg."""
        return float(self.dose.magnitude)


@attrs.frozen(kw_only=True)
class Maintenance:
    """Repeated courses: a dose per course at a fixed interval.

    The interval runs from the first day of one course to the first day of
    the next, and must be at least as long as the course.

    Args:
        dose: The dose per course in g/kg, > 0.
        interval: From the first day of one course to the first day of the
            next (``"4 week"``, ``"21 day"``): a whole number of days.
        allowed_days: The days per course the source allows.
        days: The days per course chosen (see :class:`Induction`).
        allowed_cycles: The number of courses the source allows.
        cycles: The number of courses chosen, or ``None`` while open.
        source: Where the regimen comes from.

    Example:
        >>> m = Maintenance(dose="1 g/kg", interval="3 week",
        ...                 allowed_days=DayRange(low=1, high=2), days=1,
        ...                 allowed_cycles=DayRange(low=1), cycles=7,
        ...                 source="ICE")
        >>> m.interval_days, round(m.intensity_g_per_kg_per_week, 4)
        (21.0, 0.3333)

    .. versionadded:: 0.1.0
    """

    dose: Quantity | None = attrs.field(converter=_maintenance_dose)
    interval: Quantity | None = attrs.field(converter=_maintenance_interval)
    allowed_days: DayRange = attrs.field(converter=_day_range)
    days: DaysChoice = None
    allowed_cycles: DayRange = attrs.field(converter=_cycle_range)
    cycles: int | None = None
    source: str = attrs.field(converter=_source)
    allowed_dose: DoseRange | None = attrs.field(default=None, converter=_allowed_dose)
    allowed_interval: DayRange | None = attrs.field(
        default=None, converter=_allowed_interval
    )

    def __attrs_post_init__(self) -> None:
        """Check the choices and that a course fits in its interval."""
        days = check_days_choice(self.days, self.allowed_days, field="maintenance.days")
        self._check_dose_and_interval()
        if self.cycles is not None:
            cycles = read_count(self.cycles, field="maintenance.cycles")
            if not self.allowed_cycles.contains(cycles):
                raise InputError(
                    "maintenance.cycles",
                    self.cycles,
                    f"{self.allowed_cycles} cycles (the regimen's allowed cycles)",
                )
        longest = days if isinstance(days, int) else self.allowed_days.low
        if self.interval is not None and self.interval_days < longest:
            raise InputError(
                "maintenance.interval",
                self.interval,
                f"at least the course length ({longest} {days_word(longest)})",
                f"an interval of {self.interval_days:g} "
                f"{days_word(self.interval_days)} is shorter than a "
                f"{longest}-day course: courses would overlap",
            )

    def _check_dose_and_interval(self) -> None:
        """A chosen dose and interval lie within the allowed ranges."""
        if self.dose is None and self.allowed_dose is None:
            raise InputError(
                "maintenance.dose",
                None,
                "a dose, or an allowed_dose range to choose in",
            )
        if self.interval is None and self.allowed_interval is None:
            raise InputError(
                "maintenance.interval",
                None,
                "an interval, or an allowed_interval range to choose in",
            )
        if (
            self.dose is not None
            and self.allowed_dose is not None
            and not self.allowed_dose.contains(self.dose_g_per_kg)
        ):
            raise InputError(
                "maintenance.dose",
                self.dose,
                f"{self.allowed_dose} (the regimen's allowed dose)",
                f"{self.dose_g_per_kg:g} g/kg is outside {self.allowed_dose}",
            )
        if self.interval is not None and self.allowed_interval is not None:
            whole = round(self.interval_days)
            if not self.allowed_interval.contains(whole):
                raise InputError(
                    "maintenance.interval",
                    self.interval,
                    f"{self.allowed_interval} days (the regimen's allowed interval)",
                    f"{self.interval_days:g} days is outside "
                    f"{self.allowed_interval} days",
                )

    @property
    def dose_g_per_kg(self) -> float:
        """The dose per course in g/kg.

        Raises:
            InputError: The dose is still to be chosen (``choose(dose=...)``).
        """
        if self.dose is None:
            raise InputError(
                "maintenance.dose",
                None,
                f"a dose chosen within {self.allowed_dose} (Regimen.choose(dose=...))",
            )
        return float(self.dose.magnitude)

    @property
    def interval_days(self) -> float:
        """The interval in days.

        Raises:
            InputError: The interval is still to be chosen.
        """
        if self.interval is None:
            raise InputError(
                "maintenance.interval",
                None,
                f"an interval chosen within {self.allowed_interval} days "
                "(Regimen.choose(interval=...))",
            )
        return float(self.interval.magnitude)

    @property
    def intensity_g_per_kg_per_week(self) -> float:
        """Dose intensity: dose per course ÷ interval in weeks."""
        return intensity_g_per_kg_per_week(self.dose_g_per_kg, self.interval_days)


# --------------------------------------------------------------------------
# Taper strategies


def _hold_duration(value: object) -> Quantity | None:
    if value is None:
        return None
    return units.quantity(read_interval_days(value, field="hold.duration"), DAY)


def _hold_cycles(value: object) -> int | None:
    return None if value is None else read_count(value, field="hold.cycles")


@attrs.frozen(kw_only=True)
class Hold:
    """How long each taper step is held: a number of cycles or a duration.

    A duration must be a whole number of the step's intervals (12 weeks at
    a 4-week interval is 3 cycles; at a 5-week interval it is refused, never
    rounded).

    Example:
        >>> Hold(duration="12 week").cycles_at(28.0)
        3

    .. versionadded:: 0.1.0
    """

    cycles: int | None = attrs.field(default=None, converter=_hold_cycles)
    duration: Quantity | None = attrs.field(default=None, converter=_hold_duration)

    def __attrs_post_init__(self) -> None:
        """Exactly one of cycles and duration."""
        if (self.cycles is None) == (self.duration is None):
            raise InputError(
                "hold",
                self,
                "exactly one of cycles= or duration=",
            )

    def cycles_at(self, interval_days: float) -> int:
        """The number of cycles this hold lasts at *interval_days*."""
        if self.cycles is not None:
            return self.cycles
        duration_days = float(self.duration.magnitude) if self.duration else 0.0
        count = duration_days / interval_days
        whole = round(count)
        if whole < 1 or abs(count - whole) > REL_TOL:
            raise InputError(
                "hold.duration",
                self.duration,
                f"a whole number of {interval_days:g}-day intervals",
                f"{duration_days:g} days is {count:g} intervals of "
                f"{interval_days:g} days",
            )
        return int(whole)

    def __str__(self) -> str:
        """``"3 cycles"`` or ``"84 days"``."""
        if self.cycles is not None:
            return f"{self.cycles} cycle{'s' if self.cycles != 1 else ''}"
        days = float(self.duration.magnitude) if self.duration else 0.0
        return f"{days:g} days"


def _hold(value: object) -> Hold:
    if isinstance(value, Hold):
        return value
    raise InputError("hold", value, "a Hold, e.g. Hold(cycles=3)")


def _fractions(value: object) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not _iterates(value):
        raise InputError("fractions", value, "a sequence of fractions 0-1")
    out: list[float] = []
    for item in value:
        if not is_number(item):
            raise InputError("fractions", value, "fractions as numbers 0-1")
        fraction = float(item)
        if not 0.0 <= fraction <= 1.0:
            raise InputError(
                "fractions",
                value,
                "fractions 0-1 of the starting dose",
                f"{fraction!r} is outside 0-1",
            )
        if out and fraction > out[-1]:
            raise InputError(
                "fractions",
                value,
                "non-increasing fractions (a taper never raises the dose)",
                f"{fraction:g} after {out[-1]:g} would raise the dose",
            )
        out.append(fraction)
    if not out:
        raise InputError("fractions", value, "at least one fraction")
    return tuple(out)


@attrs.frozen(kw_only=True)
class DoseSteps:
    """Steps as fractions of the taper's starting dose, each held a while.

    The interval is unchanged; a fraction of 0 means stop. The published
    example is the standardised SCIg taper RCT: 90 → 75 → 50 → 25 → 0 % of
    the initial dose, each step 12 weeks while there is no deterioration
    (J Neuromuscul Dis 2023;10:787, pubmed 37393512; jnd-2023-scig-taper), see
    :meth:`jnd_2023`. That trial tapered weekly SCIg; using the steps for
    IVIg is the prescriber's choice.

    Example:
        >>> DoseSteps.jnd_2023().fractions
        (0.9, 0.75, 0.5, 0.25, 0.0)

    .. versionadded:: 0.1.0
    """

    fractions: tuple[float, ...] = attrs.field(converter=_fractions)
    hold: Hold = attrs.field(converter=_hold)
    source: str = attrs.field(converter=_source)

    @classmethod
    def jnd_2023(cls) -> DoseSteps:
        """90/75/50/25/0 % of the starting dose, each held 12 weeks."""
        return cls(
            fractions=(0.9, 0.75, 0.5, 0.25, 0.0),  # J Neuromuscul Dis 2023;10:787
            hold=Hold(duration="12 week"),  # "each step lasting 12 weeks"
            source=(
                "Standardised SCIg taper RCT, J Neuromuscul Dis 2023;10:787 "
                "(pubmed 37393512)"
            ),
        )


def _percent(value: object) -> float:
    if not is_number(value):
        raise InputError("percent", value, "a number of percent in (0, 100]")
    pct = float(value)
    if not 0.0 < pct <= 100.0:
        raise InputError("percent", value, "a number of percent in (0, 100]")
    return pct


def _of(value: object) -> Literal["starting", "previous"]:
    if value == "starting":
        return "starting"
    if value == "previous":
        return "previous"
    raise InputError(
        "of",
        value,
        "'starting' (each step removes percent of the starting dose) or "
        "'previous' (each step removes percent of the previous dose)",
    )


def _max_steps(value: object) -> int | None:
    return None if value is None else read_count(value, field="max_steps")


@attrs.frozen(kw_only=True)
class PercentPerInfusion:
    """Reduce the dose by a fixed percentage at each infusion.

    ProCID's wash-out reduced the IVIg dose "by 25 % at each sequential
    infusion until deterioration" (Cornblath, Brain 2022;145:887; reference
    §3.2). Whether each 25 % is of the *starting* dose (75, 50, 25, 0 %) or
    of the *previous* dose (75, 56.25, 42.2 % ...) is not stated in the text
    read (UNCONFIRMED), so *of* is a required choice. A ``"previous"`` taper
    never reaches zero: it needs a floor or *max_steps*.

    Args:
        percent: The reduction per infusion, in percent (0–100].
        of: ``"starting"`` or ``"previous"``.
        max_steps: Stop after this many reduced infusions, or ``None``.
        source: Where the strategy comes from.

    Example:
        >>> PercentPerInfusion.procid(of="starting").percent
        25.0

    .. versionadded:: 0.1.0
    """

    percent: float = attrs.field(converter=_percent)
    of: Literal["starting", "previous"] = attrs.field(converter=_of)
    max_steps: int | None = attrs.field(default=None, converter=_max_steps)
    source: str = attrs.field(converter=_source)

    @classmethod
    def procid(cls, *, of: Literal["starting", "previous"]) -> PercentPerInfusion:
        """ProCID's −25 % per infusion; *of* is yours (UNCONFIRMED)."""
        return cls(
            percent=25.0,  # ProCID wash-out, Brain 2022;145:887 (procid-2022)
            of=of,
            source=(
                "ProCID wash-out: dose reduced by 25 % at each sequential "
                "infusion until deterioration (Cornblath, Brain 2022;145:887)"
            ),
        )


def _intervals(value: object) -> tuple[Quantity, ...]:
    days: list[float] = []
    allowed = "a sequence of intervals, e.g. '6 week'"
    for item in _items(value, field="intervals", allowed=allowed):
        interval = read_interval_days(item, field="intervals")
        if days and interval < days[-1]:
            raise InputError(
                "intervals",
                value,
                "non-decreasing intervals (a shorter interval raises the dose "
                "intensity)",
                f"{interval:g} days after {days[-1]:g} days would raise the "
                "dose intensity",
            )
        days.append(interval)
    if not days:
        raise InputError("intervals", value, "at least one interval")
    return tuple(units.quantity(d, DAY) for d in days)


@attrs.frozen(kw_only=True)
class IntervalExtension:
    """Keep the dose per course and lengthen the interval step by step.

    Interval extension in myositis is UNCONFIRMED practice: it appears only
    in an AI-generated summary (weak). There is no preset; the
    intervals are always the prescriber's.

    Args:
        intervals: The successive intervals (e.g. 5, 6, 8 weeks), each at
            least the previous one.
        hold: How long each interval is held.
        source: Where the schedule comes from (your protocol).

    Example:
        >>> s = IntervalExtension(intervals=("5 week", "6 week", "8 week"),
        ...                       hold=Hold(cycles=2), source="local protocol")
        >>> [float(q.magnitude) for q in s.intervals]
        [35.0, 42.0, 56.0]

    .. versionadded:: 0.1.0
    """

    intervals: tuple[Quantity, ...] = attrs.field(converter=_intervals)
    hold: Hold = attrs.field(converter=_hold)
    source: str = attrs.field(converter=_source)


def _parts(
    value: object,
) -> tuple[DoseSteps | PercentPerInfusion | IntervalExtension, ...]:
    out: list[DoseSteps | PercentPerInfusion | IntervalExtension] = []
    allowed = "a sequence of taper strategies"
    for item in _items(value, field="parts", allowed=allowed):
        if not isinstance(item, (DoseSteps, PercentPerInfusion, IntervalExtension)):
            raise InputError(
                "parts",
                item,
                "DoseSteps, PercentPerInfusion or IntervalExtension",
            )
        out.append(item)
    if len(out) < 2:
        raise InputError("parts", value, "at least two strategies to combine")
    return tuple(out)


@attrs.frozen(kw_only=True)
class Combined:
    """Strategies applied one after another; each starts where the last ended.

    Example:
        >>> c = Combined(parts=(
        ...     IntervalExtension(intervals=("6 week",), hold=Hold(cycles=2),
        ...                       source="local protocol"),
        ...     DoseSteps(fractions=(0.5, 0.0), hold=Hold(cycles=2),
        ...               source="local protocol"),
        ... ))
        >>> len(c.parts)
        2

    .. versionadded:: 0.1.0
    """

    parts: tuple[DoseSteps | PercentPerInfusion | IntervalExtension, ...] = attrs.field(
        converter=_parts
    )


#: A taper strategy.
TaperStrategy: TypeAlias = DoseSteps | PercentPerInfusion | IntervalExtension | Combined


def _floor_intensity(value: object) -> Quantity:
    per_week = units.to_float(value, field="floor.intensity", unit=G_PER_KG_PER_WEEK)
    _positive(per_week, field="floor.intensity", unit=G_PER_KG_PER_WEEK)
    return units.quantity(per_week, G_PER_KG_PER_WEEK)


@attrs.frozen(kw_only=True)
class Floor:
    """End the taper at a minimum effective dose intensity (your parameter).

    Sources say "determine the minimum effective dose" without a number
    (Ontario IIM, ontario-igum-iim), so the floor is always the prescriber's.
    When a taper step would fall below the floor, that step is given at the
    floor intensity instead (at the step's interval) and the taper ends there;
    the plan says so.

    Example:
        >>> f = Floor.per_course(dose="0.5 g/kg", interval="4 week")
        >>> f.intensity_g_per_kg_per_week
        0.125

    .. versionadded:: 0.1.0
    """

    intensity: Quantity = attrs.field(converter=_floor_intensity)

    @classmethod
    def per_course(cls, *, dose: object, interval: object) -> Floor:
        """A floor written as a dose per course and an interval."""
        g_per_kg = read_dose_g_per_kg(dose, field="floor.dose")
        days = read_interval_days(interval, field="floor.interval")
        return cls(
            intensity=units.quantity(
                intensity_g_per_kg_per_week(g_per_kg, days), G_PER_KG_PER_WEEK
            )
        )

    @property
    def intensity_g_per_kg_per_week(self) -> float:
        """The floor in g/kg/week."""
        return float(self.intensity.magnitude)


@attrs.frozen(kw_only=True)
class Stop:
    """End the taper by stopping: after the strategy's last step, no more.

    .. versionadded:: 0.1.0
    """


#: How a taper ends.
TaperEnd: TypeAlias = Floor | Stop


def _strategy(value: object) -> TaperStrategy:
    if isinstance(value, (DoseSteps, PercentPerInfusion, IntervalExtension, Combined)):
        return value
    raise InputError(
        "taper.strategy",
        value,
        "DoseSteps, PercentPerInfusion, IntervalExtension or Combined",
    )


def _end(value: object) -> TaperEnd:
    if isinstance(value, (Floor, Stop)):
        return value
    raise InputError("taper.end", value, "Floor(...) or Stop()")


@attrs.frozen(kw_only=True)
class Taper:
    """A taper: a strategy and how it ends (at a floor, or at stop).

    Example:
        >>> t = Taper(strategy=DoseSteps.jnd_2023(), end=Stop())
        >>> isinstance(t.end, Stop)
        True

    .. versionadded:: 0.1.0
    """

    strategy: TaperStrategy = attrs.field(converter=_strategy)
    end: TaperEnd = attrs.field(converter=_end)


# --------------------------------------------------------------------------
# Regimen


def _name(value: object) -> str:
    return _nonempty("name", value)


def _induction(value: object) -> Induction | None:
    if value is None or isinstance(value, Induction):
        return value
    raise InputError("induction", value, "an Induction or None")


def _maintenance(value: object) -> Maintenance | None:
    if value is None or isinstance(value, Maintenance):
        return value
    raise InputError("maintenance", value, "a Maintenance or None")


def _taper(value: object) -> Taper | None:
    if value is None or isinstance(value, Taper):
        return value
    raise InputError("taper", value, "a Taper or None")


def _fixed(value: object) -> tuple[str, ...]:
    return _texts("fixed", value)


def _source_ids(value: object) -> tuple[str, ...]:
    texts = _texts("sources", value)
    return () if not texts else check_ids(texts, field="sources")


def _product_keys(value: object) -> tuple[str, ...]:
    return _texts("products", value)


def _advice(value: object) -> tuple[str, ...]:
    return _texts("advice", value)


def _indication(value: object) -> str | None:
    return None if value is None else _nonempty("indication", value)


def _off_label(value: object) -> bool:
    if not isinstance(value, bool):
        raise InputError("off_label", value, "True or False")
    return value


@attrs.frozen(kw_only=True)
class Regimen:
    """Induction, maintenance and taper, as the prescriber chose them.

    Args:
        name: A short name (the preset's key for presets).
        induction: The loading course, or ``None``.
        maintenance: The repeated courses, or ``None``.
        taper: The taper after the maintenance courses, or ``None``.
        first_maintenance_after: From the first day of the induction to the
            first day of the first maintenance course; ``None`` means one
            maintenance interval (as in ICE: load at week 0, then every 3
            weeks). The plan's trace says which applied.
        source: Where the regimen comes from, in words.
        fixed: Values the source (or preset) fixes, each with its reason.
        sources: The bibliography IDs of its documents
            (:func:`ivig_core.sources.cite` renders them).
        indication: The catalogue indication key whose labelled rates apply
            (``"pi"``, ``"itp"``, ``"cidp"``, ...), or ``None``.
        products: The catalogue products whose label gives the regimen
            (``()`` for a trial or practice regimen).
        off_label: Whether the regimen uses a product outside its label.
        advice: What the documents ask the prescriber to do that the planner
            does not compute (trough IgG monitoring, review of the
            response), in words.

    Example:
        >>> r = get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=3)
        >>> r.maintenance.cycles, r.is_complete
        (3, True)

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(converter=_name)
    induction: Induction | None = attrs.field(default=None, converter=_induction)
    maintenance: Maintenance | None = attrs.field(default=None, converter=_maintenance)
    taper: Taper | None = attrs.field(default=None, converter=_taper)
    first_maintenance_after: Quantity | None = attrs.field(
        default=None, converter=_optional_interval
    )
    source: str = attrs.field(converter=_source)
    fixed: tuple[str, ...] = attrs.field(default=(), converter=_fixed)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_source_ids)
    indication: str | None = attrs.field(default=None, converter=_indication)
    products: tuple[str, ...] = attrs.field(default=(), converter=_product_keys)
    off_label: bool = attrs.field(default=False, converter=_off_label)
    advice: tuple[str, ...] = attrs.field(default=(), converter=_advice)

    def __attrs_post_init__(self) -> None:
        """At least one phase; a taper needs maintenance; no overlap."""
        if self.induction is None and self.maintenance is None:
            raise InputError(
                "regimen", self.name, "an induction, a maintenance, or both"
            )
        if self.taper is not None and self.maintenance is None:
            raise InputError(
                "taper",
                self.taper,
                "a regimen with maintenance (a taper starts from its dose and "
                "interval)",
            )
        if (
            self.induction is not None
            and self.maintenance is not None
            and (
                self.first_maintenance_after is not None
                or self.maintenance.interval is not None
            )
        ):
            gap = self.first_maintenance_days
            days = self.induction.days
            longest = days if isinstance(days, int) else self.induction.allowed_days.low
            if gap < longest:
                raise InputError(
                    "first_maintenance_after",
                    gap,
                    f"at least the induction's {longest} {days_word(longest)}",
                    f"{gap:g} {days_word(gap)} is shorter than the "
                    f"{longest}-day induction",
                )

    @property
    def first_maintenance_days(self) -> float:
        """Days from induction day 1 to the first maintenance course."""
        if self.first_maintenance_after is not None:
            return float(self.first_maintenance_after.magnitude)
        if self.maintenance is None:
            return 0.0
        return self.maintenance.interval_days

    @property
    def open_choices(self) -> tuple[str, ...]:
        """The choices still to be made (``()`` when complete)."""
        missing: list[str] = []
        if self.induction is not None and self.induction.days is None:
            missing.append(
                f"induction_days (allowed {self.induction.allowed_days} days)"
            )
        if self.maintenance is not None:
            if self.maintenance.dose is None:
                missing.append(
                    f"maintenance_dose (allowed {self.maintenance.allowed_dose})"
                )
            if self.maintenance.interval is None:
                missing.append(
                    "maintenance_interval (allowed "
                    f"{self.maintenance.allowed_interval} days)"
                )
            if self.maintenance.days is None:
                missing.append(
                    f"maintenance_days (allowed {self.maintenance.allowed_days} days)"
                )
            if self.maintenance.cycles is None:
                missing.append(
                    f"cycles (allowed {self.maintenance.allowed_cycles} cycles)"
                )
        return tuple(missing)

    @property
    def is_complete(self) -> bool:
        """Whether every choice has been made."""
        return not self.open_choices

    def choose(
        self,
        *,
        induction_days: int | Literal["fewest"] | None = None,
        maintenance_days: int | Literal["fewest"] | None = None,
        cycles: int | None = None,
        taper: Taper | Literal["keep"] | None = "keep",
        interval: object = None,
        dose: object = None,
    ) -> Regimen:
        """Return a copy with the given choices made (checked against ranges).

        Args:
            induction_days: Days of the induction course.
            maintenance_days: Days per maintenance (and taper) course.
            cycles: Number of maintenance courses.
            taper: A :class:`Taper`, ``None`` to remove one, or ``"keep"``.
            interval: Replace the maintenance interval (e.g. ``"21 day"``),
                within the regimen's allowed interval where it has one.
            dose: The maintenance dose per course (e.g. ``"0.4 g/kg"``),
                within the regimen's allowed dose where it has one.

        Raises:
            InputError: A choice outside what the regimen allows, or a choice
                for a phase the regimen does not have.

        .. versionadded:: 0.1.0
        """
        induction = self.induction
        if induction_days is not None:
            if induction is None:
                raise InputError("induction_days", induction_days, "no induction here")
            induction = attrs.evolve(induction, days=induction_days)
        maintenance = self.maintenance
        changes: dict[str, object] = {}
        if maintenance_days is not None:
            changes["days"] = maintenance_days
        if cycles is not None:
            changes["cycles"] = cycles
        if interval is not None:
            changes["interval"] = interval
        if dose is not None:
            changes["dose"] = dose
        if changes:
            if maintenance is None:
                raise InputError(
                    next(iter(changes)), next(iter(changes.values())), "no maintenance"
                )
            maintenance = attrs.evolve(maintenance, **changes)  # type: ignore[arg-type]
        new_taper = self.taper if taper == "keep" else taper
        return attrs.evolve(
            self, induction=induction, maintenance=maintenance, taper=new_taper
        )


# --------------------------------------------------------------------------
# Presets (data/presets.toml, with their sources)

#: Old preset names still accepted by :func:`get_preset`, with the new name.
_RENAMED: dict[str, str] = {}


class _Problems:
    """Problems found while reading a preset file, all reported at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def run(self, where: str, make: Callable[[], _T]) -> _T | None:
        try:
            return make()
        except InputError as exc:
            self.add(where, str(exc))
            return None

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(
                "presets",
                self.file,
                "a valid presets file",
                f"{len(self.items)} problem(s) in {self.file}: "
                + "; ".join(self.items),
            )


def _range_or_value(value: object, where: str) -> tuple[object, object, bool]:
    """``(low, high, fixed)`` from ``{low=, high=}`` or a plain value."""
    if isinstance(value, dict):
        extra = sorted(set(value) - {"low", "high"})
        if extra or "low" not in value:
            raise InputError(where, value, "a value or a table {low = ..., high = ...}")
        return value["low"], value.get("high"), False
    return value, value, True


def _read_days(value: object, where: str) -> tuple[DayRange, int | None]:
    low, high, fixed = _range_or_value(value, where)
    allowed = DayRange(low=low, high=high)
    return allowed, (allowed.low if fixed else None)


_INDUCTION_KEYS: Final = frozenset({"dose", "daily_dose", "days"})
_MAINTENANCE_KEYS: Final = frozenset({"dose", "interval", "days", "cycles"})
_PRESET_KEYS: Final = frozenset(
    {
        "title", "indication", "products", "sources", "source", "off_label",
        "fixed", "advice", "renamed_from", "first_maintenance_after",
        "induction", "maintenance",
    }
)  # fmt: skip


def _unknown(table: dict[str, object], keys: frozenset[str]) -> list[str]:
    return sorted(set(table) - keys)


def _read_induction(raw: dict[str, object], source: str) -> Induction:
    allowed, days = _read_days(raw.get("days"), "induction.days")
    if "daily_dose" in raw:
        if "dose" in raw:
            raise InputError("induction", raw, "dose or daily_dose, not both")
        if days is None:
            raise InputError("induction.days", raw.get("days"), "a fixed number")
        return Induction.from_daily(
            daily_dose=raw["daily_dose"], days=days, source=source
        )
    return Induction(dose=raw.get("dose"), allowed_days=allowed, days=days,
                     source=source)  # fmt: skip


def _read_maintenance(raw: dict[str, object], source: str) -> Maintenance:
    low, high, fixed = _range_or_value(raw.get("dose"), "maintenance.dose")
    dose = low if fixed else None
    allowed_dose = None if fixed else DoseRange(low=low, high=high)
    i_low, i_high, i_fixed = _range_or_value(
        raw.get("interval"), "maintenance.interval"
    )
    interval = i_low if i_fixed else None
    allowed_interval = None
    if not i_fixed:
        allowed_interval = DayRange(low=i_low, high=i_high)
    allowed_days, days = _read_days(raw.get("days"), "maintenance.days")
    allowed_cycles, cycles = _read_days(raw.get("cycles"), "maintenance.cycles")
    return Maintenance(
        dose=dose,
        interval=interval,
        allowed_days=allowed_days,
        days=days,
        allowed_cycles=allowed_cycles,
        cycles=cycles,
        source=source,
        allowed_dose=allowed_dose,
        allowed_interval=allowed_interval,
    )


def _read_phase(  # noqa: PLR0917 - one call per phase, all named
    name: str,
    phase: str,
    raw: object,
    keys: frozenset[str],
    reader: Callable[[dict[str, object], str], _T],
    source: str,
    problems: _Problems,
) -> _T | None:
    """Read one phase table of preset *name*, reporting its problems."""
    if raw is None:
        return None
    where = f"[presets.{name}.{phase}]"
    if not isinstance(raw, dict):
        problems.add(where, "expected a table")
        return None
    for key in _unknown(raw, keys):
        problems.add(where, f"unknown field {key!r}")
    table: dict[str, object] = raw
    return problems.run(where, lambda: reader(table, source))


def _read_preset(name: str, raw: object, problems: _Problems) -> Regimen | None:
    where = f"[presets.{name}]"
    if not isinstance(raw, dict):
        problems.add(where, "expected a table")
        return None
    for key in _unknown(raw, _PRESET_KEYS):
        problems.add(where, f"unknown field {key!r}")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.add(where, "source: required (what the documents give, in words)")
        return None
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources:
        problems.add(where, "sources: required (bibliography IDs)")
    ind_raw, main_raw = raw.get("induction"), raw.get("maintenance")
    induction = _read_phase(
        name, "induction", ind_raw, _INDUCTION_KEYS, _read_induction, source, problems
    )
    maintenance = _read_phase(
        name,
        "maintenance",
        main_raw,
        _MAINTENANCE_KEYS,
        _read_maintenance,
        source,
        problems,
    )
    for old in raw.get("renamed_from", ()) or ():
        _RENAMED[str(old)] = name
    if (ind_raw is not None and induction is None) or (
        main_raw is not None and maintenance is None
    ):
        return None  # the phase's problem is reported; nothing more to add
    return problems.run(
        where,
        lambda: Regimen(
            name=name,
            induction=induction,
            maintenance=maintenance,
            first_maintenance_after=raw.get("first_maintenance_after"),
            source=source,
            fixed=raw.get("fixed", ()),
            sources=sources or (),
            indication=raw.get("indication"),
            products=raw.get("products", ()),
            off_label=raw.get("off_label", False),
            advice=raw.get("advice", ()),
        ),
    )


def read_presets(text: str, file: str) -> dict[str, Regimen]:
    """Read a presets file (the format of ``data/presets.toml``).

    All or nothing: every problem in the file is found and reported at once,
    each naming its table and field.

    Raises:
        InputError: A problem in the file (all of them, in one message).

    .. versionadded:: 0.2.0
    """
    _instance(file, str, field="file")
    _instance(text, str, field="text")
    problems = _Problems(file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.add("document", f"not TOML: {exc}")
        problems.raise_if_any()
        return {}
    if data.get("schema") != 1:
        problems.add("schema", f"expected 1, got {data.get('schema')!r}")
    table = data.get("presets")
    if not isinstance(table, dict):
        problems.add("[presets]", "required table missing")
        problems.raise_if_any()
        return {}
    out: dict[str, Regimen] = {}
    for name, raw in table.items():
        regimen = _read_preset(name, raw, problems)
        if regimen is not None:
            out[name] = regimen
    problems.raise_if_any()
    return out


def _presets() -> dict[str, Regimen]:
    resource = importlib.resources.files("ivig_core") / "data" / "presets.toml"
    return read_presets(resource.read_text(encoding="utf-8"), "presets.toml")


#: The regimen presets, by name (a read-only mapping, made on first use).
#: Each is data with its source; choices a source leaves open (days within a
#: range, number of cycles) stay open.
PRESETS: Final[Mapping[str, Regimen]] = LazyMapping(_presets, "PRESETS")


def renamed_preset(name: str) -> str | None:
    """The current name of a renamed preset, or ``None`` for any other name.

    Example:
        >>> renamed_preset("seed-000-myositis")
        'myositis-2gkg-then-1gkg-4w'

    .. versionadded:: 0.2.0
    """
    _instance(name, str, field="name")
    if not PRESETS:  # builds the table (and the renamed names) on first use
        return None
    return _RENAMED.get(name)


def get_preset(name: str) -> Regimen:
    """Return the preset regimen called *name*.

    Raises:
        InputError: Unknown name; the message lists close matches.

    Example:
        >>> get_preset("cidp-ice").open_choices
        ('induction_days (allowed 2-4 days)', 'maintenance_days (allowed 1-2 days)')

    .. versionadded:: 0.1.0
    """
    if not isinstance(name, str):
        raise InputError("preset", name, f"one of {list(PRESETS)}")
    if name in PRESETS:
        return PRESETS[name]
    new = renamed_preset(name)
    if new is not None:
        warnings.warn(
            f"preset {name!r} is now called {new!r}; the old name will be removed",
            DeprecationWarning,
            stacklevel=2,
        )
        return PRESETS[new]
    close = difflib.get_close_matches(name, list(PRESETS), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise InputError(
        "preset", name, f"one of {list(PRESETS)}", f"no preset {name!r}{hint}"
    )
