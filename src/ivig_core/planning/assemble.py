"""The one assembly of a :class:`~ivig_core.plan.Plan`, and its safety pass.

:func:`assemble` takes the placed and dispensed courses and a per-route
administration step, builds each :class:`~ivig_core.plan.Infusion` and
:class:`~ivig_core.plan.Cycle`, the notes and the trace, and attaches the
safety report (:func:`~ivig_core.safety.assess`) to every plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Literal

import attrs

from ivig_core.dosing_weight import DosingWeight
from ivig_core.infusion import InfusionRun
from ivig_core.patient import Patient
from ivig_core.plan import Cycle, Infusion, Plan, ScDetails
from ivig_core.planning._deferred import Deferred, Texts
from ivig_core.planning.calendar import ClosedDays, ClosedRule, PlacedCourse
from ivig_core.planning.courses import Course
from ivig_core.planning.request import PlanRequest
from ivig_core.planning.split import CourseSplit
from ivig_core.planning.taper import TaperPlan
from ivig_core.products import Product, Route
from ivig_core.rates import RateSchedule
from ivig_core.regimen import Floor, Regimen
from ivig_core.safety import assess
from ivig_core.trace import Trace
from ivig_core.vials import VialSelection


__all__ = [
    "Administer",
    "Dispensed",
    "assemble",
    "iv_trace",
    "pipeline_notes",
    "taper_trace",
]

#: How a day's volume is given: ``(date, vials) -> (run, SC details)``.
Administer = Callable[
    ["dt.date", "VialSelection"], "tuple[InfusionRun, ScDetails | None]"
]


@attrs.frozen
class Dispensed:
    """One course after dispensing and placing (private to the pipeline).

    Attributes:
        course: The course.
        selection: The course's vial selection (the rounding).
        split: Its split into days.
        place: Its days on the calendar.
    """

    course: Course
    selection: VialSelection
    split: CourseSplit
    place: PlacedCourse


def assemble(
    request: PlanRequest,
    *,
    product: Product,
    route: Route,
    weight: DosingWeight,
    rounding: str,
    courses: Sequence[Dispensed],
    day_vials: Callable[[Dispensed, float], VialSelection],
    administer: Administer,
    ended: Literal["cycles", "floor", "stop"],
    notes: Callable[[Sequence[Cycle]], Sequence[str]],
    trace: Callable[[Sequence[Cycle], Sequence[Infusion]], tuple[Trace, ...]],
    maintenance_started: dt.date | None = None,
) -> Plan:
    """Build the plan from the dispensed, placed courses; attach its safety.

    Args:
        request: The request (patient, regimen, start, indication, safety).
        product: The product.
        route: The route.
        weight: The dosing weight.
        rounding: The rounding policy's name, as recorded.
        courses: The courses, dispensed and placed.
        day_vials: The vials for a day of a course.
        administer: The route's administration step.
        ended: How the plan ends.
        notes: Builds the notes from the cycles.
        trace: Builds the trace from the cycles and infusions.
        maintenance_started: The day maintenance was first given before
            the plan (a re-plan), or ``None``.

    Raises:
        PlanningError: An administration limit that cannot be met.
        SafetyBlock: In strict mode, a plan that is not ready to issue.
    """
    sc = route is not Route.IV
    infusions: list[Infusion] = []
    cycles: list[Cycle] = []
    for number, d in enumerate(courses, start=1):
        course, split, place = d.course, d.split, d.place
        per_kg = split.daily_g_per_kg  # one float per course, not per day
        volume = 0.0
        for day, (date, grams, calc) in enumerate(
            zip(place.dates, split.daily_g, split.daily_calculated_g, strict=True),
            start=1,
        ):
            selection = day_vials(d, grams)
            run, details = administer(date, selection)
            volume += selection.volume_ml
            infusions.append(
                Infusion(
                    date=date,
                    phase=course.phase,
                    cycle=number,
                    day=day,
                    days_in_course=split.days,
                    dose_g_per_kg=calc / weight.weight_kg if sc else per_kg,
                    calculated_g=calc,
                    dispensed_g=grams,
                    vials=selection,
                    volume_ml=selection.volume_ml,
                    run=run,
                    sc=details,
                )
            )
        cycles.append(
            Cycle(
                number=number,
                phase=course.phase,
                planned_start=place.planned,
                start=place.start,
                days=split.days,
                dose_g_per_kg=course.dose_g_per_kg,
                interval_days=max(course.interval_days, float(split.days)),
                calculated_g=split.calculated_g,
                dispensed_g=d.selection.dispensed_g,
                volume_ml=volume,
                label=course.label,
            )
        )
    plan = Plan(
        regimen=request.regimen,
        product=product.name,
        dosing_weight=weight,
        rounding=rounding,
        start=request.start,
        infusions=tuple(infusions),
        cycles=tuple(cycles),
        ended=ended,
        notes=tuple(notes(cycles)),
        trace=trace(cycles, infusions),
        indication=request.indication,
        route=route,
        protocol=None if request.protocol is None else request.protocol.ref,
        maintenance_started=maintenance_started,
    )
    # Every plan carries its safety report; safety re-checks what it needs
    # itself, so it holds with attrs validators switched off.
    safety = request.safety
    report = assess(
        request.patient,
        plan,
        product=product,
        indication=request.indication,
        config=safety.config,
        overrides=safety.overrides,
        previous_product=safety.previous_product,
        strict=safety.strict,
    )
    return attrs.evolve(plan, safety=report)


def _closed_name(rule: ClosedRule | None) -> str:
    if isinstance(rule, ClosedDays):
        return rule.describe()
    return "closed by the closed-days rule"


def pipeline_notes(
    cycles: Sequence[Cycle],
    splits: Sequence[CourseSplit],
    rule: ClosedRule | None,
    taper: TaperPlan | None,
    granularity_g: float,
) -> list[str]:
    """Moved courses, the 80 g rule, unequal days and the taper's notes."""
    notes = [
        f"course {c.number} ({c.phase.value}) moved {c.moved_days} day"
        f"{'s' if c.moved_days != 1 else ''} from {c.planned_start.isoformat()} "
        f"to {c.start.isoformat()} ({_closed_name(rule)}); the next interval "
        "counts from the moved start"
        for c in cycles
        if c.moved_days
    ]
    notes.extend(
        f"course {c.number}: {split.reason}"
        for c, split in zip(cycles, splits, strict=True)
        if split.eighty_gram_rule_applied
    )
    notes.extend(
        f"course {c.number} ({c.phase.value}): the days get unequal amounts "
        f"({', '.join(f'{g:g} g' for g in split.daily_g)}) because the "
        f"dispensed total, {sum(split.daily_g):g} g, is split in whole "
        f"{granularity_g:g} g units"
        for c, split in zip(cycles, splits, strict=True)
        if len(set(split.daily_g)) > 1
    )
    if taper is not None:
        notes.extend(f"taper: {text}" for text in taper.notes)
    return notes


def iv_trace(
    *,
    patient: Patient,
    weight: DosingWeight,
    regimen: Regimen,
    product: Product,
    courses: Sequence[Dispensed],
    cycles: Sequence[Cycle],
    infusions: Sequence[Infusion],
    granularity: tuple[float, str],
    schedule: RateSchedule,
    rate: tuple[str, float],
) -> list[Trace]:
    """How every number of an IV plan was obtained."""
    lines = [
        Trace(
            what="dosing weight",
            value=f"{weight.weight_kg:.2f} kg ({weight.basis.value})",
            formula=weight.reason,
            inputs=(
                f"weight {patient.weight_kg:.2f} kg, height {patient.height_cm:.1f} "
                f"cm, sex {patient.sex.value}, age {patient.age_years:g} years; "
                f"policy {weight.policy}"
                + (f" ({weight.settings})" if weight.settings else "")
            ),
            source=weight.source,
        ),
        Trace(
            what="dispensing granularity",
            value=f"{granularity[0]:g} g",
            formula=granularity[1],
            inputs=f"vials {', '.join(f'{v.grams_g:g} g' for v in product.vials)}",
            source=f"{product.name} catalogue entry ({product.presentation_source})",
        ),
    ]
    first: dict[int, int] = {}
    for d, cycle in zip(courses, cycles, strict=True):
        course, selection, split = d.course, d.selection, d.split
        n = cycle.number
        same = first.setdefault(id(split), n)
        start_line = Deferred(_start_texts, cycle, regimen.source)
        if same != n:
            lines += [
                Deferred(_same_texts, cycle, same, split, course.source),
                start_line,
            ]
            continue
        rounded = (
            selection.dispensed_g,
            selection.policy,
            selection.reason,
            selection.difference_g,
        )
        lines += [
            Deferred(_calculated_texts, cycle, split, course.source),
            Deferred(_dispensed_texts, n, split, rounded),
            Deferred(_days_texts, n, split, course.source),
            start_line,
        ]
    lines.extend(_day_traces(infusions, product))
    lines.append(
        Trace(
            what="volume per infusion",
            value="dispensed g ÷ concentration",
            formula="volume mL = grams ÷ (g/L) × 1000",
            inputs=f"{product.name} {product.concentration_g_per_l:g} g/L",
            source=f"{product.name} catalogue entry ({product.presentation_source})",
        )
    )
    lines.append(
        Trace(
            what="infusion rates",
            value=f"{len(schedule.steps)} steps",
            formula="each step's rate converted to mL/h (per-kg rates × rate "
            "weight ÷ concentration)",
            inputs=f"rate weight: {rate[0]} weight {rate[1]:.2f} kg",
            source=schedule.source,
        )
    )
    return lines


def _start_texts(cycle: Cycle, regimen_source: str) -> Texts:
    formula = (
        "the plan's start"
        if cycle.number == 1
        else "previous course's first day + its interval"
    )
    if cycle.moved_days:
        formula += f", moved {cycle.moved_days} days later for closed days"
    return (
        f"course {cycle.number} start",
        cycle.start.isoformat(),
        formula,
        (
            f"planned {cycle.planned_start.isoformat()}; interval after this "
            f"course {cycle.interval_days:g} days"
        ),
        regimen_source,
    )


def _same_texts(cycle: Cycle, same: int, split: CourseSplit, source: str) -> Texts:
    return (
        f"course {cycle.number} ({cycle.phase.value}) grams",
        (
            f"as course {same}: {cycle.dispensed_g:g} g "
            f"dispensed as {', '.join(f'{g:g} g' for g in split.daily_g)}"
        ),
        f"same dose ({cycle.label}), weight and limits as course {same}",
        f"{cycle.dose_g_per_kg:g} g/kg × {split.weight_kg:.2f} kg",
        source,
    )


def _calculated_texts(cycle: Cycle, split: CourseSplit, source: str) -> Texts:
    return (
        f"course {cycle.number} ({cycle.phase.value}) calculated",
        f"{split.calculated_g:.2f} g",
        "course dose × dosing weight",
        f"{cycle.dose_g_per_kg:g} g/kg ({cycle.label}) × {split.weight_kg:.2f} kg",
        source,
    )


def _dispensed_texts(
    n: int, split: CourseSplit, rounded: tuple[float, str, str, float]
) -> Texts:
    dispensed_g, policy, reason, difference_g = rounded
    return (
        f"course {n} dispensed",
        f"{dispensed_g:g} g",
        f"rounding policy {policy}: {reason}",
        f"calculated {split.calculated_g:.2f} g; difference {difference_g:+.2f} g",
        "the rounding policy passed to plan_course",
    )


def _days_texts(n: int, split: CourseSplit, source: str) -> Texts:
    return (
        f"course {n} days and daily grams",
        ", ".join(f"{g:g} g" for g in split.daily_g),
        (
            f"{split.reason}; {split.total_g:g} g split in whole "
            f"{split.granularity_g:g} g units, left-over units to the "
            "earliest days (largest remainder)"
        ),
        (
            f"{split.total_g:g} g over {split.days} "
            f"day{'s' if split.days != 1 else ''}; calculated "
            f"{split.daily_g_per_kg:.4g} g/kg/day"
        ),
        source,
    )


def _day_texts(infusion: Infusion, product: Product) -> Texts:
    run = infusion.run
    steps = ", ".join(
        f"{s.rate_ml_h:g} mL/h × {s.duration_min:g} min" for s in run.steps
    )
    return (
        f"infusion of {infusion.dispensed_g:g} g",
        f"{infusion.volume_ml:g} mL over {run.duration_min:g} min",
        f"vials: {infusion.vials.reason}; rate steps: {steps}",
        (
            f"{product.name} {product.concentration_g_per_l:g} g/L; "
            f"maximum {run.maximum_ml_h:g} mL/h"
        ),
        run.schedule_source,
    )


def _day_traces(infusions: Sequence[Infusion], product: Product) -> list[Trace]:
    """One line per distinct daily amount: vials, volume, rate steps."""
    seen: set[float] = set()
    out: list[Trace] = []
    for infusion in infusions:
        if infusion.dispensed_g in seen:
            continue
        seen.add(infusion.dispensed_g)
        out.append(Deferred(_day_texts, infusion, product))
    return out


def taper_trace(taper: TaperPlan, regimen: Regimen) -> Trace:
    """The taper: its steps, their intensities, how it ends."""
    maintenance = regimen.maintenance
    start = (
        ""
        if maintenance is None
        else f"from {maintenance.dose_g_per_kg:g} g/kg every "
        f"{maintenance.interval_days:g} days "
        f"({maintenance.intensity_g_per_kg_per_week:.4g} g/kg/week)"
    )
    end = regimen.taper.end if regimen.taper is not None else None
    floor = (
        f"; floor {end.intensity_g_per_kg_per_week:.4g} g/kg/week"
        if isinstance(end, Floor)
        else "; end: stop"
    )
    steps = "; ".join(
        f"{s.label} × {s.cycles} ({s.intensity_g_per_kg_per_week:.4g} g/kg/week)"
        for s in taper.steps
    )
    return Trace(
        what="taper",
        value=f"{len(taper.steps)} steps, ends at {taper.ended}",
        formula=f"each step's intensity ≤ the one before; {steps or 'no steps'}",
        inputs=start + floor,
        source=taper.source,
    )
