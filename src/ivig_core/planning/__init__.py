"""Planning: one pipeline for IV, SC and facilitated SC.

:func:`plan` turns a :class:`~ivig_core.planning.request.PlanRequest` into a
:class:`~ivig_core.plan.Plan`: courses → calendar (closed days) →
dispensing (vial rounding once per course) → administration per route (IV
rate ramp; SC sites, volumes and rates) → one assembly with the safety
report. :func:`plan_course` and the SC planners are thin entry points over
it. Each step is a pure function of floats whose names carry their units
(``course_g``, ``interval_days``), tested directly; quantities are taken
and returned at the boundary.
"""

from __future__ import annotations

from ivig_core.planning.calendar import (
    ClosedDays,
    ClosedRule,
    PlacedCourse,
    place_courses,
)
from ivig_core.planning.course import plan_course
from ivig_core.planning.pipeline import plan
from ivig_core.planning.request import PlanRequest, ScOptions
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
    "PlanRequest",
    "ScOptions",
    "SplitLimits",
    "TaperPlan",
    "TaperStep",
    "place_courses",
    "plan",
    "plan_course",
    "split_course",
    "split_course_g",
    "split_units",
    "taper_steps",
]
