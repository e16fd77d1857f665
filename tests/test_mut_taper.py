"""Taper: the timing of the first taper course, and the numbers mutation left unpinned.

Dates are worked by hand from the steps as a prescriber reads them: "the next
course comes at this dose after this interval".
"""

from __future__ import annotations

import datetime as dt

from ivig_core.plan import Phase
from ivig_core.planning.courses import course_list
from ivig_core.regimen import (
    DoseSteps,
    Hold,
    IntervalExtension,
    PercentPerInfusion,
    Regimen,
    Stop,
    Taper,
    get_preset,
)
from test_course import dm_plan
from worked import MONDAY


def _myositis(taper: Taper, cycles: int = 2) -> Regimen:
    return get_preset("seed-000-myositis").choose(
        induction_days=2, maintenance_days=1, cycles=cycles, taper=taper
    )


def _extension() -> Taper:
    return Taper(
        strategy=IntervalExtension(
            intervals=("5 week", "6 week"), hold=Hold(cycles=2), source="x"
        ),
        end=Stop(),
    )


def test_interval_extension_first_course_one_extended_interval_later() -> None:
    """Every 4 weeks, then "every 5 weeks" ×2, "every 6 weeks" ×2.

    Courses start (day offsets from the induction): induction 0; maintenance
    28 and 56; the first taper course 5 weeks after the last maintenance
    course (56 + 35 = 91), then 126; the 6-week step 126 + 42 = 168, 210.
    """
    plan = dm_plan(_myositis(_extension()))
    firsts: dict[int, dt.date] = {}
    for infusion in plan.infusions:
        firsts.setdefault(infusion.cycle, infusion.date)
    offsets = [(d - MONDAY).days for d in sorted(firsts.values())]
    assert offsets == [0, 28, 56, 91, 126, 168, 210]


def test_interval_extension_gaps_in_the_course_list() -> None:
    """Each taper course has its step's interval *before* it."""
    courses, _ = course_list(_myositis(_extension()))
    assert [(c.phase, c.interval_days) for c in courses] == [
        (Phase.INDUCTION, 28.0),
        (Phase.MAINTENANCE, 28.0),
        (Phase.MAINTENANCE, 35.0),  # the last maintenance course: 5 weeks to T1
        (Phase.TAPER, 35.0),
        (Phase.TAPER, 42.0),  # the last 5-week course: 6 weeks to the next
        (Phase.TAPER, 42.0),
        (Phase.TAPER, 42.0),  # the last course keeps its own step's interval
    ]


def test_dose_steps_keep_the_maintenance_interval() -> None:
    """ProCID: "reduced by 25 % at each sequential infusion" at 4 weeks.

    The first reduced course is the next infusion, 4 weeks after the last full
    one: 1 g/kg at days 28 and 56, then 0.75 at 84, 0.5 at 112, 0.25 at 140.
    """
    taper = Taper(strategy=PercentPerInfusion.procid(of="starting"), end=Stop())
    courses, _ = course_list(_myositis(taper))
    assert [c.interval_days for c in courses] == [28.0] * 6
    assert [c.dose_g_per_kg for c in courses] == [2.0, 1.0, 1.0, 0.75, 0.5, 0.25]


def test_jnd_2023_taper_starts_one_interval_after_maintenance() -> None:
    """JND 2023 steps (90 → 75 → 50 → 25 → 0 %, 12 weeks each) at 4 weeks."""
    taper = Taper(strategy=DoseSteps.jnd_2023(), end=Stop())
    courses, plan = course_list(_myositis(taper, cycles=1))
    assert plan is not None
    assert [c.dose_g_per_kg for c in courses] == [
        2.0,
        1.0,
        *[0.9] * 3,
        *[0.75] * 3,
        *[0.5] * 3,
        *[0.25] * 3,
    ]
    assert {c.interval_days for c in courses} == {28.0}


def test_one_maintenance_cycle_takes_the_extended_gap() -> None:
    """With one maintenance cycle, that course is followed 5 weeks later."""
    courses, _ = course_list(_myositis(_extension(), cycles=1))
    assert [c.interval_days for c in courses[:3]] == [28.0, 35.0, 35.0]
