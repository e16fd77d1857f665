"""Lay courses on a calendar, moving a whole course off closed days.

Each course is a run of consecutive days. The interval runs from the first
day of one course to the first day of the next, measured from the day the
course actually starts: when a course is moved later because the infusion
centre is closed on one of its days, the next course keeps its full interval
from the moved start, so an interval is never shortened (a shorter interval
would raise the dose intensity). Courses are only moved later, never
earlier, and every move is recorded.

Closed days are given as a :class:`ClosedDays` rule (weekdays and dates) or
any predicate ``date -> bool`` that returns ``True`` on closed days.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Final, TypeAlias

import attrs

from ivig_core._checks import is_weekday, is_whole, items
from ivig_core._checks import iterates as _iterates
from ivig_core.errors import InputError, PlanningError
from ivig_core.regimen import read_count


__all__ = ["ClosedDays", "ClosedRule", "PlacedCourse", "place_courses"]

#: How far a course may be moved looking for open days: one year. A rule
#: that leaves no run of open days in a year is refused (calendar bound, not
#: a clinical number).
MAX_MOVE_DAYS: Final = 366

_WEEKDAY_NAMES: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


def _weekdays(value: object) -> frozenset[int]:
    out: set[int] = set()
    allowed = "weekday numbers 0 (Monday) to 6 (Sunday)"
    for item in items(value, field="weekdays", allowed=allowed):
        if not is_weekday(item):
            raise InputError(
                "weekdays", value, "weekday numbers 0 (Monday) to 6 (Sunday)"
            )
        out.add(int(item))  # type: ignore[call-overload] # is_weekday: whole
    return frozenset(out)


def _dates(value: object) -> frozenset[dt.date]:
    if isinstance(value, (str, bytes)) or not _iterates(value):
        raise InputError("dates", value, "a collection of datetime.date")
    out: set[dt.date] = set()
    for item in value:
        if isinstance(item, dt.datetime) or not isinstance(item, dt.date):
            raise InputError("dates", item, "a datetime.date (not a datetime)")
        out.add(item)
    return frozenset(out)


@attrs.frozen(kw_only=True)
class ClosedDays:
    """Days the infusion centre is closed: weekdays and single dates.

    Args:
        weekdays: Weekday numbers as :meth:`datetime.date.weekday` gives them
            (0 = Monday ... 6 = Sunday).
        dates: Single closed dates (holidays).

    Example:
        >>> import datetime as dt
        >>> rule = ClosedDays.weekends()
        >>> rule(dt.date(2026, 1, 3)), rule(dt.date(2026, 1, 5))
        (True, False)
        >>> rule.describe()
        'closed on Saturday, Sunday'

    .. versionadded:: 0.1.0
    """

    weekdays: frozenset[int] = attrs.field(factory=frozenset, converter=_weekdays)
    dates: frozenset[dt.date] = attrs.field(factory=frozenset, converter=_dates)

    @classmethod
    def weekends(cls, *, dates: Iterable[dt.date] = ()) -> ClosedDays:
        """Closed on Saturdays and Sundays, and on *dates*."""
        return cls(weekdays=frozenset({5, 6}), dates=frozenset(dates))

    def __call__(self, day: dt.date) -> bool:
        """Whether the centre is closed on *day*."""
        return day.weekday() in self.weekdays or day in self.dates

    def describe(self) -> str:
        """A short description for the plan's notes."""
        parts = [_WEEKDAY_NAMES[d] for d in sorted(self.weekdays)]
        parts += [d.isoformat() for d in sorted(self.dates)]
        return "closed on " + ", ".join(parts) if parts else "never closed"


#: A closed-days rule: :class:`ClosedDays` or any ``date -> bool`` predicate.
ClosedRule: TypeAlias = ClosedDays | Callable[[dt.date], bool]


@attrs.frozen(kw_only=True)
class PlacedCourse:
    """A course on the calendar.

    Attributes:
        planned: The day it would start by the interval alone.
        start: The day it starts (``planned`` unless moved).
        days: Its number of infusion days.
        offsets: Each infusion day's offset from the start, for days that
            are not consecutive (SC several times a week); empty for
            consecutive days.

    .. versionadded:: 0.1.0
    """

    planned: dt.date
    start: dt.date
    days: int
    offsets: tuple[int, ...] = ()

    @property
    def moved_days(self) -> int:
        """Days between the planned and the actual start."""
        return (self.start - self.planned).days

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """The course's days."""
        return tuple(self.start + dt.timedelta(days=i) for i in self._offsets)

    @property
    def end(self) -> dt.date:
        """The course's last day."""
        return self.start + dt.timedelta(days=self._offsets[-1])

    @property
    def _offsets(self) -> tuple[int, ...]:
        return self.offsets or tuple(range(self.days))


def _closed_rule(closed: object) -> Callable[[dt.date], bool] | None:
    if closed is None:
        return None
    if callable(closed):
        return closed
    raise InputError(
        "closed", closed, "a ClosedDays rule, a date -> bool function or None"
    )


def _first_open(
    planned: dt.date, days: int, closed: Callable[[dt.date], bool]
) -> dt.date:
    """The first start on or after *planned* whose *days* days are all open."""
    start = planned
    run = 0
    day = planned
    limit = planned + dt.timedelta(days=MAX_MOVE_DAYS + days)
    while day < limit:
        is_closed = closed(day)
        if not isinstance(is_closed, bool):
            raise InputError(
                "closed", is_closed, "a rule returning True (closed) or False"
            )
        if is_closed:
            run = 0
            start = day + dt.timedelta(days=1)
        else:
            run += 1
            if run == days:
                return start
        day += dt.timedelta(days=1)
    raise PlanningError(
        f"closed: no {days} consecutive open days within {MAX_MOVE_DAYS} days "
        f"after {planned.isoformat()}; the course cannot be placed"
    )


def _first_open_at(
    planned: dt.date, offsets: tuple[int, ...], closed: Callable[[dt.date], bool]
) -> dt.date:
    """The first start on or after *planned* whose offset days are all open."""
    for move in range(MAX_MOVE_DAYS + 1):
        start = planned + dt.timedelta(days=move)
        shut = [closed(start + dt.timedelta(days=o)) for o in offsets]
        for is_closed in shut:
            if not isinstance(is_closed, bool):
                raise InputError(
                    "closed", is_closed, "a rule returning True (closed) or False"
                )
        if not any(shut):
            return start
    raise PlanningError(
        f"closed: no start within {MAX_MOVE_DAYS} days after "
        f"{planned.isoformat()} has its days {list(offsets)} open; the course "
        "cannot be placed"
    )


def place_courses(
    start: dt.date,
    courses: Sequence[tuple[int, int] | tuple[int, int, tuple[int, ...]]],
    *,
    closed: ClosedRule | None = None,
) -> tuple[PlacedCourse, ...]:
    """Place courses from *start*, each as ``(days, interval_days)``.

    A course may also be ``(days, interval_days, offsets)``: its infusion
    days at those offsets from its first day (strictly increasing, from 0),
    e.g. ``(0, 2, 4)`` for Monday, Wednesday and Friday.

    The interval of a course runs from its first day to the first day of the
    next; it must be at least the course's days, so courses never overlap.

    Args:
        start: The first day of the first course.
        courses: ``(days, interval_days)`` per course, in order. The last
            course's interval is checked but not used.
        closed: Days the centre is closed, or ``None``.

    Raises:
        InputError: A bad date, days < 1, or an interval shorter than its
            course.
        PlanningError: A course cannot be placed on open days.

    Example:
        >>> import datetime as dt
        >>> placed = place_courses(dt.date(2026, 1, 2), [(2, 28), (2, 28)],
        ...                        closed=ClosedDays.weekends())
        >>> [(p.start.isoformat(), p.moved_days) for p in placed]
        [('2026-01-05', 3), ('2026-02-02', 0)]

    .. versionadded:: 0.1.0
    """
    if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
        raise InputError("start", start, "a datetime.date (not a datetime)")
    rule = _closed_rule(closed)
    try:
        return _place(start, courses, rule)
    except OverflowError as exc:  # date arithmetic past 9999-12-31
        msg = (
            f"calendar: a plan starting {start.isoformat()} runs past "
            f"{dt.date.max.isoformat()}, the last date a calendar can hold"
        )
        raise PlanningError(msg, constraint="calendar") from exc


def _place(
    start: dt.date, courses: object, rule: Callable[[dt.date], bool] | None
) -> tuple[PlacedCourse, ...]:
    placed: list[PlacedCourse] = []
    planned = start
    allowed = "a list of (days, interval_days) pairs"
    for index, course in enumerate(items(courses, field="courses", allowed=allowed)):
        if not isinstance(course, (tuple, list)) or len(course) not in {2, 3}:
            raise InputError(
                f"courses[{index}]", course, "a (days, interval_days[, offsets])"
            )
        days = read_count(course[0], field=f"courses[{index}].days")
        interval = read_count(course[1], field=f"courses[{index}].interval_days")
        offsets = _offsets(course[2] if len(course) > 2 else (), days, index)
        span = offsets[-1] + 1 if offsets else days
        if interval < span:
            raise InputError(
                f"courses[{index}].interval_days",
                interval,
                f"at least the course's {span} days",
                f"an interval of {interval} days is shorter than the {span}-day "
                "course: courses would overlap",
            )
        if rule is None:
            begin = planned
        elif offsets:
            begin = _first_open_at(planned, offsets, rule)
        else:
            begin = _first_open(planned, days, rule)
        placed.append(
            PlacedCourse(planned=planned, start=begin, days=days, offsets=offsets)
        )
        planned = begin + dt.timedelta(days=interval)
    return tuple(placed)


def _offsets(value: object, days: int, index: int) -> tuple[int, ...]:
    """Checked day offsets: empty, or *days* increasing whole numbers from 0."""
    field = f"courses[{index}].offsets"
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InputError(field, value, "a sequence of day offsets")
    out = tuple(value)
    if not out:
        return ()
    if (
        len(out) != days
        or out[0] != 0
        or not all(is_whole(o) for o in out)
        or any(b <= a for a, b in itertools.pairwise(out))
    ):
        raise InputError(
            field, value, f"{days} increasing whole-day offsets starting at 0"
        )
    if out == tuple(range(days)):
        return ()
    return out
