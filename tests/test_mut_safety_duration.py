"""MAINTENANCE_BEYOND_LABEL_DURATION (safety/duration.py), its messages pinned.

The check's body is mutated since scripts/mutation.py decorates by assignment in
its scratch copy; these tests pin what tests/test_safety_duration.py leaves
loose: the whole messages, one course or several, the shortest of several
stated durations without an indication, and a calendar year carried over.

The labels (Privigen, Gammagard Liquid US PI): CIDP maintenance "has not been
studied for periods longer than 6 months". Dates are counted by hand: the
courses of ``every_3_weeks`` start 2026-01-05 + 21 k days: 01-05, 01-26,
02-16, 03-09, 03-30, 04-20, 05-11, 06-01, 06-22, 07-13 (course 10), 08-03
(course 11), 08-24 (course 12); 2026-01-05 + 6 calendar months = 2026-07-05.
"""

from __future__ import annotations

import datetime as dt

import attrs

from ivig_core.findings import Concern
from ivig_core.plan import Plan
from ivig_core.products import MaintenanceDuration, Product, get_product
from ivig_core.safety import Finding, FindingCode, Severity, assess
from safety_plans import make_plan
from worked import recorded_woman


CODE = FindingCode.MAINTENANCE_BEYOND_LABEL_DURATION
PRIVIGEN = get_product("privigen")


def _cidp() -> MaintenanceDuration:
    duration = PRIVIGEN.maintenance_duration("cidp")
    assert duration is not None
    return duration


CIDP = _cidp()


def every_3_weeks(cycles: int) -> Plan:
    """1 g/kg Privigen maintenance courses every 21 days from 2026-01-05."""
    return make_plan(
        product="privigen", course_g_per_kg=1.0, days=1, cycles=cycles, interval_days=21
    )


def starting(*starts: dt.date) -> Plan:
    """Privigen maintenance courses starting on *starts*."""
    return make_plan(
        product="privigen",
        course_g_per_kg=1.0,
        days=1,
        cycles=len(starts),
        interval_days=21,
        starts=starts,
    )


def findings(
    plan: Plan, indication: str | None = None, product: Product | None = None
) -> tuple[Finding, ...]:
    """The findings with the code (assessed or not)."""
    report = assess(recorded_woman(), plan, indication=indication, product=product)
    return report.with_code(CODE)


def test_two_courses_beyond_are_listed_in_the_plural() -> None:
    """Courses 10 and 11 (07-13, 08-03) start after 2026-07-05: the whole message."""
    (f,) = findings(every_3_weeks(11), "cidp")
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.WARNING,
        Concern.whole_plan(),
    )
    assert f.message == (
        "Privigen for cidp: maintenance starts 2026-01-05 and 2 maintenance courses "
        "start more than 6 months later, after 2026-07-05 (courses 10 (2026-07-13), "
        f"11 (2026-08-03)). The label: '{CIDP.words}' Plan a review of the response "
        "and the need before continuing."
    )


def test_a_year_is_carried_from_july_to_january() -> None:
    """2026-07-06 + 6 calendar months = 2027-01-06 (month 7 + 6 = 13: next year).

    A course on 2027-01-06 is not after it; one on 2027-01-07 is.
    """
    first = dt.date(2026, 7, 6)
    assert findings(starting(first, dt.date(2027, 1, 6)), "cidp") == ()
    (f,) = findings(starting(first, dt.date(2027, 1, 7)), "cidp")
    assert "after 2027-01-06 (course 2 (2027-01-07))" in f.message


def test_the_calendars_last_year_is_counted() -> None:
    """9998-08-01 + 6 calendar months = 9999-02-01, a date Python still has.

    The last day the library plans from is 9998-12-31 and courses run up to a
    year past it, so a course on 9999-02-02 is beyond the label, not past the
    calendar.
    """
    first = dt.date(9998, 8, 1)
    assert findings(starting(first, dt.date(9999, 2, 1)), "cidp") == ()
    (f,) = findings(starting(first, dt.date(9999, 2, 2)), "cidp")
    assert "after 9999-02-01 (course 2 (9999-02-02))" in f.message


# --------------------------------------------------------------------------
# Without an indication: "not assessed" against the shortest stated duration


def _two_durations() -> Product:
    """Privigen with a local 12-month PI duration before its 6-month CIDP one."""
    pi = MaintenanceDuration(
        indication="pi", months=12, words="studied for 12 months", source=CIDP.source
    )
    return attrs.evolve(PRIVIGEN, maintenance_durations=(pi, CIDP))


def test_without_an_indication_the_shortest_stated_duration_counts() -> None:
    """PI 12 months, CIDP 6 months: 6 months; courses 10-12 start after 07-05."""
    (f,) = findings(every_3_weeks(12), product=_two_durations())
    assert (f.assessed, f.severity, f.concerns, f.source) == (
        False,
        Severity.INFO,
        Concern.whole_plan(),
        str(CIDP.source),
    )
    assert f.message == (
        "No indication given: Privigen's label states a studied maintenance "
        "duration for pi, cidp (6 months for cidp), and 3 maintenance courses "
        "start after 2026-07-05: not assessed. Pass indication=... to assess."
    )


def test_without_an_indication_one_course_beyond_is_singular() -> None:
    """Course 10 alone starts after 2026-07-05: "1 maintenance course starts"."""
    (f,) = findings(every_3_weeks(10))
    assert f.message == (
        "No indication given: Privigen's label states a studied maintenance "
        "duration for cidp (6 months for cidp), and 1 maintenance course starts "
        "after 2026-07-05: not assessed. Pass indication=... to assess."
    )


def test_without_an_indication_or_a_stated_duration_it_is_quiet() -> None:
    """A product stating no duration: nothing, not even "not assessed"."""
    bare = attrs.evolve(PRIVIGEN, maintenance_durations=())
    assert findings(every_3_weeks(12), product=bare) == ()


def test_without_an_indication_two_courses_beyond_are_plural() -> None:
    """Courses 10 and 11 start after 2026-07-05: "2 maintenance courses start"."""
    (f,) = findings(every_3_weeks(11))
    assert "and 2 maintenance courses start after 2026-07-05: not assessed" in (
        f.message
    )


def test_counted_from_the_day_given_the_whole_message() -> None:
    """Maintenance first given 2025-12-01, before the plan: + 6 months = 2026-06-01.

    Courses 8 (2026-06-01) is within; 9 (2026-06-22) and 10 (2026-07-13)
    start after it.
    """
    plan = attrs.evolve(every_3_weeks(10), maintenance_started=dt.date(2025, 12, 1))
    (f,) = findings(plan, "cidp")
    assert f.message == (
        "Privigen for cidp: maintenance was first given on 2025-12-01, before this "
        "plan (the history of what was given), and 2 maintenance courses start "
        "more than 6 months later, after 2026-06-01 (courses 9 (2026-06-22), "
        f"10 (2026-07-13)). The label: '{CIDP.words}' Plan a review of the "
        "response and the need before continuing."
    )
    (one,) = findings(attrs.evolve(plan, cycles=plan.cycles[:9]), "cidp")
    assert "and 1 maintenance course starts more than 6 months later, after " in (
        one.message
    )
    assert "(course 9 (2026-06-22))." in one.message
