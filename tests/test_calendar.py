"""Calendar planner: courses of consecutive days, intervals, closed days."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import InputError, PlanningError
from ivig_core.planning.calendar import ClosedDays, place_courses
from worked import MONDAY


def test_interval_from_first_day_to_first_day() -> None:
    """Courses start every interval, counted from each course's first day."""
    placed = place_courses(MONDAY, [(2, 28), (2, 28), (2, 28)])
    assert [p.start for p in placed] == [
        dt.date(2026, 1, 5),
        dt.date(2026, 2, 2),
        dt.date(2026, 3, 2),
    ]
    assert placed[0].dates == (dt.date(2026, 1, 5), dt.date(2026, 1, 6))
    assert all(p.moved_days == 0 for p in placed)


def test_course_over_weekend_moves_whole_course() -> None:
    """A 2-day course planned Friday moves whole to Monday, and says so."""
    friday = dt.date(2026, 1, 9)
    placed = place_courses(friday, [(2, 21), (2, 21)], closed=ClosedDays.weekends())
    assert placed[0].planned == friday
    assert placed[0].start == dt.date(2026, 1, 12)
    assert placed[0].moved_days == 3
    assert placed[1].start == dt.date(2026, 2, 2)  # 21 days after the moved start


def test_five_day_course_fits_a_working_week() -> None:
    """A 5-day course planned Wednesday moves to the next Monday."""
    placed = place_courses(dt.date(2026, 1, 7), [(5, 28)], closed=ClosedDays.weekends())
    assert placed[0].start == dt.date(2026, 1, 12)
    assert placed[0].end == dt.date(2026, 1, 16)


def test_holiday_dates_are_closed() -> None:
    """A closed date inside a course moves the course past it."""
    rule = ClosedDays(dates=frozenset({dt.date(2026, 1, 6)}))
    placed = place_courses(MONDAY, [(2, 28)], closed=rule)
    assert placed[0].start == dt.date(2026, 1, 7)


def test_predicate_rule() -> None:
    """Any date -> bool function works as a closed-days rule."""
    placed = place_courses(MONDAY, [(1, 7)], closed=lambda d: d.day < 8)
    assert placed[0].start == dt.date(2026, 1, 8)


def test_impossible_closed_rule_refused() -> None:
    """A course that can never be placed is refused."""
    with pytest.raises(PlanningError, match=r"closed.*6 consecutive open days"):
        place_courses(MONDAY, [(6, 28)], closed=ClosedDays.weekends())


def test_interval_shorter_than_course_refused() -> None:
    """An interval shorter than its course is refused (courses would overlap)."""
    with pytest.raises(
        InputError,
        match=(
            r"^courses\[0\]\.interval_days: an interval of 2 days is "
            r"shorter than the 3-day course: courses would overlap; "
            r"allowed: at least the course's 3 days$"
        ),
    ):
        place_courses(MONDAY, [(3, 2)])


def test_datetime_start_refused() -> None:
    """A datetime is not a date."""
    with pytest.raises(
        InputError, match=r"^start: .*; allowed: a datetime\.date \(not a"
    ):
        place_courses(dt.datetime(2026, 1, 5, 9, 0), [(1, 7)])  # noqa: DTZ001


def test_bad_weekday_refused() -> None:
    """Weekday numbers outside 0-6 are refused."""
    with pytest.raises(
        InputError, match=r"^weekdays: .*; allowed: weekday numbers 0 \(Monday\) to"
    ):
        ClosedDays(weekdays=frozenset({7}))


def test_describe() -> None:
    """A rule describes itself for the plan's notes."""
    assert ClosedDays().describe() == "never closed"


@given(
    start=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 1, 1)),
    courses=st.lists(
        st.integers(min_value=1, max_value=5).flatmap(
            lambda d: st.tuples(st.just(d), st.integers(min_value=d, max_value=60))
        ),
        min_size=1,
        max_size=8,
    ),
    weekends=st.booleans(),
)
def test_courses_never_overlap_and_interval_kept(
    start: dt.date, courses: list[tuple[int, int]], weekends: bool
) -> None:
    """Courses never overlap, avoid closed days and keep at least the interval."""
    rule = ClosedDays.weekends() if weekends else None
    placed = place_courses(start, courses, closed=rule)
    assert placed[0].start >= start
    for (_days, interval), here, there in zip(
        courses, placed, placed[1:], strict=False
    ):
        assert here.end < there.start
        assert there.planned == here.start + dt.timedelta(days=interval)
        assert (there.start - here.start).days >= interval
    for p in placed:
        assert p.start >= p.planned
        if rule is not None:
            assert not any(rule(d) for d in p.dates)
        else:
            assert p.moved_days == 0
