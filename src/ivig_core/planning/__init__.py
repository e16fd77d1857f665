"""Planners: split a course into days, lay cycles on a calendar, taper.

Each planner is a pure function: a float core whose names carry their units
(``course_g``, ``interval_days``), tested directly, and a thin layer that
takes and returns quantities. :func:`plan_course` joins them into a
:class:`~ivig_core.plan.Plan`.
"""

from __future__ import annotations

from ivig_core.planning.calendar import (
    ClosedDays,
    ClosedRule,
    PlacedCourse,
    place_courses,
)
from ivig_core.planning.course import plan_course
from ivig_core.planning.split import (
    CourseSplit,
    EightyGramRule,
    SplitLimits,
    split_course,
    split_course_g,
    split_units,
)
from ivig_core.planning.taper import TaperPlan, TaperStep, taper_steps


__all__ = [
    "ClosedDays",
    "ClosedRule",
    "CourseSplit",
    "EightyGramRule",
    "PlacedCourse",
    "SplitLimits",
    "TaperPlan",
    "TaperStep",
    "place_courses",
    "plan_course",
    "split_course",
    "split_course_g",
    "split_units",
    "taper_steps",
]
