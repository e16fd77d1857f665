"""The pipeline's first step: a regimen becomes the courses to plan.

Induction, maintenance cycles and taper steps (:func:`course_list`), for
every route; on an SC route the maintenance courses may come from an
IVIg → SC conversion instead (its grams, its days of the week and, for
HyQvia, the label's ramp-up: :func:`conversion_courses`). A conversion is
also a source of a :class:`~ivig_core.regimen.Regimen`
(:func:`regimen_from_conversion`), so an SC plan can have an induction and
a taper like an IV plan.

Every number here is a float whose name carries its unit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import attrs

from ivig_core import units
from ivig_core._checks import DAYS_PER_WEEK, REL_TOL
from ivig_core.errors import InputError
from ivig_core.plan import Phase
from ivig_core.planning.taper import taper_steps
from ivig_core.regimen import DayRange, DaysChoice, Maintenance, Regimen
from ivig_core.trace import Trace
from ivig_core.units import G_PER_KG


if TYPE_CHECKING:
    from ivig_core.dosing_weight import DosingWeight
    from ivig_core.planning.taper import TaperPlan
    from ivig_core.scig import ScigDose


__all__ = [
    "Course",
    "conversion_courses",
    "conversion_dose_g",
    "course_list",
    "regimen_from_conversion",
    "whole_days",
]


@attrs.frozen
class Course:
    """One course to plan: a dose given over some days, then an interval.

    Attributes:
        phase: Induction, maintenance, taper or the HyQvia ramp-up.
        dose_g_per_kg: The course dose, g/kg of dosing weight.
        days: The days chosen, or ``"fewest"``.
        allowed_days: The days the source allows.
        interval_days: From this course's first day to the next's.
        label: How the dose was obtained (recorded on the plan's cycle).
        source: Where the dose comes from.
        calculated_g: The course's grams where the source fixed them (a
            conversion in grams); ``None``: dose × dosing weight.
        offsets: Day offsets from the first day, for days that are not
            consecutive (SC several times a week); empty: consecutive.

    .. versionadded:: 0.1.0
    """

    phase: Phase
    dose_g_per_kg: float
    days: DaysChoice
    allowed_days: DayRange
    interval_days: float
    label: str
    source: str
    calculated_g: float | None = None
    offsets: tuple[int, ...] = ()

    @property
    def span_days(self) -> int | None:
        """Calendar days from the first infusion to the last, inclusive."""
        if self.offsets:
            return self.offsets[-1] + 1
        return self.days if isinstance(self.days, int) else None


def whole_days(days: float, field: str) -> int:
    """*days* as a whole number of days >= 1 (float round-off allowed)."""
    whole = round(days)
    if whole < 1 or abs(days - whole) > REL_TOL:
        raise InputError(field, days, "a whole number of days ≥ 1")
    return int(whole)


def _in_grams(course: Course, weight_kg: float) -> Course:
    """An SC course recorded from grams: g/kg = grams ÷ dosing weight."""
    grams = course.dose_g_per_kg * weight_kg
    return attrs.evolve(course, dose_g_per_kg=grams / weight_kg, calculated_g=grams)


def _taper_gaps_before(courses: list[Course]) -> None:
    """Give each taper course its step's interval as the gap *before* it.

    A taper step is read as "the next course comes at this dose after this
    interval": the ProCID wash-out reduced the dose "at each sequential
    infusion", so the first reduced course is one interval after the last
    full one, and by the same reading an interval extension's first course
    is one *extended* interval after the last maintenance course. A course's
    ``interval_days`` runs to the next course, so the course before each
    taper course takes that taper course's interval; the last course keeps
    its own. (For dose steps at an unchanged interval this changes nothing.)
    """
    for index in range(len(courses) - 1):
        after = courses[index + 1]
        if after.phase is Phase.TAPER:
            courses[index] = attrs.evolve(
                courses[index], interval_days=after.interval_days
            )


def course_list(
    regimen: Regimen,
    *,
    sc: bool = False,
    weight_kg: float = 1.0,
    maintenance: list[Course] | None = None,
) -> tuple[list[Course], TaperPlan | None]:
    """The courses of *regimen*: induction, maintenance cycles, taper steps.

    Args:
        regimen: A complete regimen.
        sc: Label and record the courses as an SC plan does (maintenance
            labelled by dose and interval, doses recorded from grams).
        weight_kg: The dosing weight (for *sc*).
        maintenance: Courses that replace the regimen's maintenance cycles
            (from a conversion); the taper still starts from the regimen's
            maintenance dose and interval.

    Returns:
        The courses in order, and the taper's plan (or ``None``).
    """
    courses: list[Course] = []
    induction, main = regimen.induction, regimen.maintenance
    if induction is not None:
        low = induction.days if isinstance(induction.days, int) else None
        interval = (
            regimen.first_maintenance_days
            if main is not None
            else float(low or induction.allowed_days.low)
        )
        courses.append(
            Course(
                Phase.INDUCTION,
                induction.dose_g_per_kg,
                induction.days,
                induction.allowed_days,
                interval,
                f"induction {induction.dose_g_per_kg:g} g/kg",
                induction.source,
            )
        )
    taper: TaperPlan | None = None
    if main is not None:
        if maintenance is not None:
            courses.extend(maintenance)
        else:
            label = f"maintenance {main.dose_g_per_kg:g} g/kg"
            if sc:
                interval_days = whole_days(main.interval_days, "maintenance.interval")
                label = f"{main.dose_g_per_kg:g} g/kg every {interval_days} days"
            courses.extend(
                Course(
                    Phase.MAINTENANCE,
                    main.dose_g_per_kg,
                    main.days,
                    main.allowed_days,
                    main.interval_days,
                    label,
                    main.source,
                )
                for _ in range(main.cycles or 0)
            )
        if regimen.taper is not None:
            taper = taper_steps(
                regimen.taper.strategy,
                regimen.taper.end,
                start_dose_g_per_kg=main.dose_g_per_kg,
                start_interval_days=main.interval_days,
            )
            for step in taper.steps:
                courses.extend(
                    Course(
                        Phase.TAPER,
                        step.dose_g_per_kg,
                        main.days,
                        main.allowed_days,
                        step.interval_days,
                        f"taper: {step.label}",
                        taper.source,
                    )
                    for _ in range(step.cycles)
                )
            _taper_gaps_before(courses)
    if sc:
        courses = [
            c if c.calculated_g is not None else _in_grams(c, weight_kg)
            for c in courses
        ]
    return courses, taper


def conversion_courses(
    conversion: ScigDose,
    *,
    dose_g: float,
    weight_kg: float,
    cycles: int,
    ramp: bool,
) -> list[Course]:
    """The maintenance courses of an IVIg → SC conversion, in grams.

    Args:
        conversion: From :func:`~ivig_core.scig.convert_to_scig`.
        dose_g: The dose per administration, g.
        weight_kg: The dosing weight (g/kg = grams ÷ weight).
        cycles: Weeks, fortnights or full-dose intervals to plan (after a
            ramp-up).
        ramp: HyQvia's labelled ramp-up first (1-, 2- and 3-week doses at
            weeks 1, 2 and 4; the full dose from week 7).
    """
    from ivig_core.scig import TimesPerWeek  # noqa: PLC0415 - start-up: the SC modules load on first SC use

    if ramp:
        return _ramp(conversion, dose_g, weight_kg, cycles)
    freq = conversion.frequency
    interval = whole_days(conversion.interval_days, "interval")
    offsets = freq.week_offsets if isinstance(freq, TimesPerWeek) else (0,)
    days = len(offsets)
    course_g = dose_g * days
    return [
        Course(
            Phase.MAINTENANCE,
            course_g / weight_kg,
            days,
            DayRange.exactly(days),
            float(interval),
            f"{freq.name} SC dose",
            conversion.factor_source,
            calculated_g=course_g,
            offsets=tuple(o - offsets[0] for o in offsets) if days > 1 else (),
        )
        for _ in range(cycles)
    ]


def _ramp(
    conversion: ScigDose, dose_g: float, weight_kg: float, cycles: int
) -> list[Course]:
    from ivig_core.scig.hyqvia import SRC_RAMP, hyqvia_ramp_up_values  # noqa: PLC0415 - start-up: the SC modules load on first SC use

    weeks = conversion.ivig_interval_weeks
    steps = hyqvia_ramp_up_values(dose_g, weeks)
    interval = whole_days(weeks * DAYS_PER_WEEK, "interval")
    one = DayRange.exactly(1)
    out = [
        Course(
            Phase.RAMP_UP,
            grams / weight_kg,
            1,
            one,
            float(n_weeks * DAYS_PER_WEEK),
            f"HyQvia ramp-up: {n_weeks}-week dose (week {week})",
            SRC_RAMP,
            calculated_g=grams,
        )
        for week, n_weeks, grams in steps[:-1]
    ]
    full_week = steps[-1][0]
    out.extend(
        Course(
            Phase.MAINTENANCE,
            dose_g / weight_kg,
            1,
            one,
            float(interval),
            (
                f"full {weeks:g}-week dose (week {full_week})"
                if k == 0
                else f"full {weeks:g}-week dose"
            ),
            conversion.factor_source,
            calculated_g=dose_g,
        )
        for k in range(cycles)
    )
    return out


def regimen_from_conversion(
    conversion: ScigDose,
    *,
    dose_g: float,
    weight_kg: float,
    cycles: int,
    ramp: bool = False,
) -> Regimen:
    """An IVIg → SC conversion as a maintenance regimen (g/kg per course).

    The regimen records the conversion (its rule, factor and frequency, in
    :attr:`~ivig_core.regimen.Regimen.source` and ``fixed``); add an
    induction or a taper to it (``attrs.evolve``) and plan it with
    :func:`~ivig_core.planning.plan_course` and SC options, like any regimen.

    Args:
        conversion: From :func:`~ivig_core.scig.convert_to_scig`.
        dose_g: The dose per administration, g.
        weight_kg: The dosing weight.
        cycles: The maintenance courses to plan.
        ramp: Whether the plan starts with HyQvia's ramp-up (recorded).

    .. versionadded:: 0.1.0
    """
    from ivig_core.scig import TimesPerWeek  # noqa: PLC0415 - start-up: the SC modules load on first SC use

    interval = whole_days(conversion.interval_days, "interval")
    freq = conversion.frequency
    days = len(freq.week_offsets) if isinstance(freq, TimesPerWeek) else 1
    course_g = dose_g * days
    source = (
        f"IVIg → {conversion.product_name}: {conversion.rule} {conversion.factor:g} "
        f"({conversion.factor_source}); {freq.name}"
    )
    fixed = [f"{freq.name}: {t.formula}" for t in conversion.trace[-1:]]
    if ramp:
        fixed.append(
            "HyQvia: the full dose follows the label's ramp-up (1-, 2- and 3-week "
            "doses at weeks 1, 2 and 4); the ramp-up courses are the plan's "
            "first 3 cycles"
        )
    if isinstance(freq, TimesPerWeek):
        fixed.append(
            f"{freq.times} doses a week on day offsets "
            f"{freq.week_offsets} (not consecutive days): a "
            "scheduling choice, not a label rule"
        )
    return Regimen(
        name=f"scig-{conversion.product}-{freq.name}",
        maintenance=Maintenance(
            dose=units.quantity(course_g / weight_kg, G_PER_KG),
            interval=f"{interval} day",
            allowed_days=DayRange.exactly(days),
            days=days,
            allowed_cycles=DayRange(low=1),
            cycles=cycles,
            source=source,
        ),
        source=source,
        fixed=tuple(fixed),
    )


def conversion_dose_g(
    conversion: ScigDose, weight: DosingWeight
) -> tuple[float, Trace | None]:
    """The conversion's dose per administration in grams, and how (if derived).

    Raises:
        InputError: The conversion used another dosing weight than the plan.
    """
    if conversion.dose_g is not None:
        given = conversion.dosing_weight
        if given is not None and not math.isclose(
            given.weight_kg, weight.weight_kg, rel_tol=REL_TOL
        ):
            raise InputError(
                "policy",
                weight.policy,
                f"the dosing weight the conversion used ({given.weight_kg:g} kg)",
                f"the plan's dosing weight is {weight.weight_kg:g} kg",
            )
        return conversion.dose_g, None
    per_kg = conversion.dose_g_per_kg or 0.0
    grams = per_kg * weight.weight_kg
    return grams, Trace(
        what="dose per administration in grams",
        value=f"{grams:.4g} g",
        formula="dose g/kg × dosing weight",
        inputs=f"{per_kg:.4g} g/kg × {weight.weight_kg:.2f} kg",
        source=weight.source,
    )
