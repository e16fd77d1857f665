"""Plan a whole course of therapy: weight, splits, calendar, vials, rates.

:func:`plan_course` joins the pieces, in one direction:

1. the dosing weight, by the policy given (no default);
2. the courses of the regimen: induction, maintenance cycles, taper steps;
3. for each course: the calculated grams (g/kg × dosing weight), the
   dispensed total (the rounding policy applied once, to the course), and
   the split of that total into days (:mod:`ivig_core.planning.split`);
4. the calendar (:mod:`ivig_core.planning.calendar`), moving whole courses
   off closed days;
5. for each day: the vials (which must make the day's amount exactly), the
   volume and the infusion-rate steps.

Everything is checked before the plan is built: an error leaves nothing
half-built.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, Literal

import attrs

from ivig_core.dosing_weight import DosingWeightPolicy, dosing_weight
from ivig_core.errors import InputError, PlanningError
from ivig_core.infusion import InfusionRun, RateSchedule, plan_infusion_ml
from ivig_core.infusion import rate_schedule as label_rate_schedule
from ivig_core.patient import Patient
from ivig_core.plan import Cycle, Infusion, Phase, Plan, Trace
from ivig_core.planning.calendar import ClosedDays, ClosedRule, place_courses
from ivig_core.planning.split import CourseSplit, SplitLimits, split_course_g
from ivig_core.planning.taper import taper_steps
from ivig_core.products import AtRiskCap, Product, get_product
from ivig_core.regimen import DayRange, DaysChoice, Floor, Regimen
from ivig_core.safety import Override, SafetyConfig, assess
from ivig_core.vials import MAX_DOSE_G, RoundingPolicy, VialSelection, select_vials_g


if TYPE_CHECKING:
    from ivig_core.dosing_weight import DosingWeight
    from ivig_core.planning.taper import TaperPlan
    from ivig_core.units import Quantity


__all__ = ["plan_course"]

#: Slack for comparing grams that should be equal (float representation).
_EPS_G: Final = 1e-9

RateWeight = Literal["dosing", "actual"]


@attrs.frozen
class _Course:
    """One course to plan (private)."""

    phase: Phase
    dose_g_per_kg: float
    days: DaysChoice
    allowed_days: DayRange
    interval_days: float
    label: str
    source: str


def _courses(regimen: Regimen) -> tuple[list[_Course], TaperPlan | None]:
    courses: list[_Course] = []
    induction, maintenance = regimen.induction, regimen.maintenance
    if induction is not None:
        low = induction.days if isinstance(induction.days, int) else None
        interval = (
            regimen.first_maintenance_days
            if maintenance is not None
            else float(low or induction.allowed_days.low)
        )
        courses.append(
            _Course(
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
    if maintenance is not None:
        cycles = maintenance.cycles or 0
        courses.extend(
            _Course(
                Phase.MAINTENANCE,
                maintenance.dose_g_per_kg,
                maintenance.days,
                maintenance.allowed_days,
                maintenance.interval_days,
                f"maintenance {maintenance.dose_g_per_kg:g} g/kg",
                maintenance.source,
            )
            for _ in range(cycles)
        )
        if regimen.taper is not None:
            taper = taper_steps(
                regimen.taper.strategy,
                regimen.taper.end,
                start_dose_g_per_kg=maintenance.dose_g_per_kg,
                start_interval_days=maintenance.interval_days,
            )
            for step in taper.steps:
                courses.extend(
                    _Course(
                        Phase.TAPER,
                        step.dose_g_per_kg,
                        maintenance.days,
                        maintenance.allowed_days,
                        step.interval_days,
                        f"taper: {step.label}",
                        taper.source,
                    )
                    for _ in range(step.cycles)
                )
    return courses, taper


def _check_inputs(
    patient: object, regimen: object, start: object, rate_weight: object
) -> None:
    if not isinstance(patient, Patient):
        raise InputError("patient", patient, "a Patient")
    if not isinstance(regimen, Regimen):
        raise InputError("regimen", regimen, "a Regimen (see ivig_core.regimen)")
    if not regimen.is_complete:
        raise InputError(
            "regimen",
            regimen.name,
            "a regimen with every choice made (Regimen.choose(...))",
            f"choices still open in {regimen.name!r}: "
            + "; ".join(regimen.open_choices),
        )
    if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
        raise InputError("start", start, "a datetime.date (not a datetime)")
    if rate_weight not in ("dosing", "actual"):
        raise InputError(
            "rate_weight",
            rate_weight,
            "'dosing' or 'actual': the weight per-kg infusion rates are "
            "multiplied by (labels do not say which)",
        )


def _product(product: object) -> Product:
    if isinstance(product, str):
        return get_product(product)
    if isinstance(product, Product):
        return product
    raise InputError("product", product, "a Product or a product name")


def _limits(limits: object) -> SplitLimits:
    if limits is None:
        return SplitLimits()
    if isinstance(limits, SplitLimits):
        return limits
    raise InputError("limits", limits, "a SplitLimits or None")


def _closed(closed: object) -> ClosedRule | None:
    if closed is None or isinstance(closed, ClosedDays) or callable(closed):
        return closed
    raise InputError("closed", closed, "a ClosedDays rule, a date -> bool function")


@attrs.define
class _Builder:
    """Caches and trace for one call (private; mutable only while building)."""

    product: Product
    rounding: RoundingPolicy | str
    weight_kg: float
    limits: SplitLimits
    granularity_g: float
    schedule: RateSchedule
    rate_weight_kg: float
    at_risk_cap: Quantity | str | AtRiskCap | None
    indication: str
    splits: dict[tuple[object, ...], tuple[VialSelection, CourseSplit]] = attrs.field(
        factory=dict
    )
    days: dict[float, VialSelection] = attrs.field(factory=dict)
    runs: dict[float, InfusionRun] = attrs.field(factory=dict)

    def split(self, course: _Course) -> tuple[VialSelection, CourseSplit]:
        key = (course.dose_g_per_kg, course.days, course.allowed_days)
        found = self.splits.get(key)
        if found is not None:
            return found
        calculated = course.dose_g_per_kg * self.weight_kg
        if calculated > MAX_DOSE_G:
            raise PlanningError(
                f"course: {course.label} × {self.weight_kg:.2f} kg is "
                f"{calculated:.4g} g, {calculated - MAX_DOSE_G:.4g} g above the "
                f"{MAX_DOSE_G:g} g the vial selection accepts for one course "
                "(taken there for a unit slip); check the dose and the weight"
            )
        selection = select_vials_g(calculated, self.product, self.rounding)
        split = split_course_g(
            dose_g_per_kg=course.dose_g_per_kg,
            weight_kg=self.weight_kg,
            days=course.days,
            allowed_days=course.allowed_days,
            limits=self.limits,
            granularity_g=self.granularity_g,
            total_g=selection.dispensed_g,
        )
        self.splits[key] = (selection, split)
        return selection, split

    def vials(self, grams: float) -> VialSelection:
        found = self.days.get(grams)
        if found is not None:
            return found
        selection = select_vials_g(grams, self.product, self.rounding)
        if abs(selection.dispensed_g - grams) > _EPS_G * max(1.0, grams):
            raise PlanningError(
                f"granularity: a day's {grams:g} g cannot be made exactly from "
                f"{self.product.name} vials ({selection.policy} gives "
                f"{selection.dispensed_g:g} g); choose a granularity the vial "
                "sizes make exactly (e.g. the smallest vial)"
            )
        self.days[grams] = selection
        return selection

    def run(self, volume_ml: float) -> InfusionRun:
        found = self.runs.get(volume_ml)
        if found is not None:
            return found
        run = plan_infusion_ml(
            volume_ml=volume_ml,
            product=self.product,
            schedule=self.schedule,
            rate_weight_kg=self.rate_weight_kg,
            at_risk_cap=self.at_risk_cap,
            indication=self.indication,
        )
        self.runs[volume_ml] = run
        return run


def _granularity(limits: SplitLimits, product: Product) -> tuple[float, str]:
    given = limits.granularity_g
    if given is not None:
        return given, "given in the split limits"
    if not product.vials:
        raise PlanningError(
            f"granularity: {product.name} has no vial sizes in the catalogue "
            "(UNCONFIRMED); give SplitLimits(granularity=...) and a formulary"
        )
    milligrams = [round(v.grams_g * 1000.0) for v in product.vials]
    unit_g = math.gcd(*milligrams) / 1000.0
    return unit_g, (
        f"the largest mass every {product.name} vial size is a whole multiple "
        "of (their greatest common divisor)"
    )


def plan_course(
    patient: Patient,
    regimen: Regimen,
    product: Product | str,
    *,
    start: dt.date,
    policy: DosingWeightPolicy | str,
    rounding: RoundingPolicy | str,
    indication: str,
    rate_weight: RateWeight,
    rate_schedule: RateSchedule | None = None,
    at_risk_cap: Quantity | str | AtRiskCap | None = None,
    closed: ClosedRule | None = None,
    limits: SplitLimits | None = None,
    safety_config: SafetyConfig | None = None,
    overrides: Iterable[Override] = (),
    previous_product: Product | str | None = None,
    strict: bool = False,
) -> Plan:
    """Plan *regimen* for *patient* with *product*, from *start*.

    Args:
        patient: The patient.
        regimen: A regimen with every choice made (:meth:`Regimen.choose`).
        product: A :class:`~ivig_core.products.Product` or its name.
        start: The first day of the first course.
        policy: The dosing-weight policy (object or built-in name).
        rounding: The vial rounding policy, applied once per course total.
        indication: The product indication whose rate schedule and labelled
            maximum rate apply (``"dermatomyositis"``, ``"cidp"``, ...).
        rate_weight: ``"dosing"`` or ``"actual"``: the weight per-kg rates
            are multiplied by (labels do not say which; the plan records it).
        rate_schedule: A schedule to use instead of the label's for
            *indication* (needed where the label gives no step table).
        at_risk_cap: A lower maximum rate for a patient at risk (see
            :func:`~ivig_core.infusion.plan_infusion`).
        closed: Days the infusion centre is closed.
        limits: Per-day limits and the dispensing granularity (default: no
            limits; the greatest common divisor of the vial sizes, e.g. 1 g
            for 2, 5, 10, 20 and 30 g vials).
        safety_config: Thresholds and local protocols for the safety checks
            (default :class:`~ivig_core.safety.SafetyConfig`).
        overrides: Soft limits accepted, each with its reason
            (:class:`~ivig_core.safety.Override`); recorded on the report.
        previous_product: The product the patient had before, if any (a
            switch restarts at the initial rate).
        strict: Raise :class:`~ivig_core.safety.SafetyBlock` instead of
            returning a plan that is not ready to issue.

    Returns:
        The :class:`~ivig_core.plan.Plan`, with its safety report
        (:attr:`~ivig_core.plan.Plan.safety`): every plan is assessed, and
        :attr:`~ivig_core.plan.Plan.ready_to_issue` says whether it may be
        issued.

    Raises:
        InputError: A bad argument or a regimen with open choices.
        PlanningError: A constraint that cannot be met (the message says
            which and by how much).
        SafetyBlock: In strict mode, a plan that is not ready to issue.

    .. versionadded:: 0.1.0
    """
    _check_inputs(patient, regimen, start, rate_weight)
    prod = _product(product)
    split_limits = _limits(limits)
    rule = _closed(closed)
    weight = dosing_weight(patient, policy)
    schedule = (
        label_rate_schedule(prod, indication)
        if rate_schedule is None
        else rate_schedule
    )
    if not isinstance(schedule, RateSchedule):
        raise InputError("rate_schedule", schedule, "a RateSchedule or None")
    rate_kg = weight.weight_kg if rate_weight == "dosing" else patient.weight_kg
    granularity_g, granularity_why = _granularity(split_limits, prod)
    builder = _Builder(
        product=prod,
        rounding=rounding,
        weight_kg=weight.weight_kg,
        limits=split_limits,
        granularity_g=granularity_g,
        schedule=schedule,
        rate_weight_kg=rate_kg,
        at_risk_cap=at_risk_cap,
        indication=indication,
    )
    courses, taper = _courses(regimen)
    splits = [builder.split(c) for c in courses]
    for number, (course, (_, split)) in enumerate(
        zip(courses, splits, strict=True), start=1
    ):
        if number < len(courses) and course.interval_days < split.days:
            raise PlanningError(
                f"interval: course {number} ({course.phase.value}) takes "
                f"{split.days} days ({split.reason}) but the next course starts "
                f"{course.interval_days:g} days after its first day; courses "
                "would overlap"
            )
    placed = place_courses(
        start,
        [
            (split.days, max(int(c.interval_days), split.days))
            for c, (_, split) in zip(courses, splits, strict=True)
        ],
        closed=rule,
    )
    infusions: list[Infusion] = []
    cycles: list[Cycle] = []
    for number, (course, (course_sel, split), place) in enumerate(
        zip(courses, splits, placed, strict=True), start=1
    ):
        volume = 0.0
        for day, (date, grams, calc) in enumerate(
            zip(place.dates, split.daily_g, split.daily_calculated_g, strict=True),
            start=1,
        ):
            selection = builder.vials(grams)
            run = builder.run(selection.volume_ml)
            volume += selection.volume_ml
            infusions.append(
                Infusion(
                    date=date,
                    phase=course.phase,
                    cycle=number,
                    day=day,
                    days_in_course=split.days,
                    dose_g_per_kg=split.daily_g_per_kg,
                    calculated_g=calc,
                    dispensed_g=grams,
                    vials=selection,
                    volume_ml=selection.volume_ml,
                    run=run,
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
                dispensed_g=course_sel.dispensed_g,
                volume_ml=volume,
                label=course.label,
            )
        )
    notes = _notes(cycles, splits, rule, taper, granularity_g)
    trace = _trace(
        patient=patient,
        weight=weight,
        regimen=regimen,
        product=prod,
        courses=courses,
        splits=splits,
        cycles=cycles,
        infusions=infusions,
        granularity=(granularity_g, granularity_why),
        schedule=schedule,
        rate=(rate_weight, rate_kg),
    )
    if taper is not None:
        trace += (_taper_trace(taper, regimen),)
    ended: Literal["cycles", "floor", "stop"] = (
        "cycles" if taper is None else taper.ended
    )
    plan = Plan(
        regimen=regimen,
        product=prod.name,
        dosing_weight=weight,
        rounding=_rounding_name(rounding),
        start=start,
        infusions=tuple(infusions),
        cycles=tuple(cycles),
        ended=ended,
        notes=notes,
        trace=trace,
        indication=indication,
    )
    # Every plan carries its safety report (issue 5); safety re-checks what
    # it needs itself, so it holds with attrs validators switched off.
    report = assess(
        patient,
        plan,
        product=prod,
        indication=indication,
        config=safety_config,
        overrides=overrides,
        previous_product=previous_product,
        strict=strict,
    )
    return attrs.evolve(plan, safety=report)


def _rounding_name(rounding: RoundingPolicy | str) -> str:
    return rounding if isinstance(rounding, str) else rounding.name


def _closed_name(rule: ClosedRule | None) -> str:
    if isinstance(rule, ClosedDays):
        return rule.describe()
    return "closed by the closed-days rule"


def _notes(
    cycles: list[Cycle],
    splits: list[tuple[VialSelection, CourseSplit]],
    rule: ClosedRule | None,
    taper: TaperPlan | None,
    granularity_g: float,
) -> tuple[str, ...]:
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
        for c, (_, split) in zip(cycles, splits, strict=True)
        if split.eighty_gram_rule_applied
    )
    notes.extend(
        f"course {c.number} ({c.phase.value}): the days get unequal amounts "
        f"({', '.join(f'{g:g} g' for g in split.daily_g)}) because the "
        f"dispensed total, {sum(split.daily_g):g} g, is split in whole "
        f"{granularity_g:g} g units"
        for c, (_, split) in zip(cycles, splits, strict=True)
        if len(set(split.daily_g)) > 1
    )
    if taper is not None:
        notes.extend(f"taper: {text}" for text in taper.notes)
    return tuple(notes)


def _trace(
    *,
    patient: Patient,
    weight: DosingWeight,
    regimen: Regimen,
    product: Product,
    courses: list[_Course],
    splits: list[tuple[VialSelection, CourseSplit]],
    cycles: list[Cycle],
    infusions: list[Infusion],
    granularity: tuple[float, str],
    schedule: RateSchedule,
    rate: tuple[str, float],
) -> tuple[Trace, ...]:
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
    for course, (selection, split), cycle in zip(courses, splits, cycles, strict=True):
        n = cycle.number
        same = first.setdefault(id(split), n)
        start_line = _start_trace(cycle, regimen)
        if same != n:
            lines += [
                Trace(
                    what=f"course {n} ({course.phase.value}) grams",
                    value=f"as course {same}: {selection.dispensed_g:g} g "
                    f"dispensed as {', '.join(f'{g:g} g' for g in split.daily_g)}",
                    formula=f"same dose ({course.label}), weight and limits as "
                    f"course {same}",
                    inputs=f"{course.dose_g_per_kg:g} g/kg × {split.weight_kg:.2f} kg",
                    source=course.source,
                ),
                start_line,
            ]
            continue
        lines += [
            Trace(
                what=f"course {n} ({course.phase.value}) calculated",
                value=f"{split.calculated_g:.2f} g",
                formula="course dose × dosing weight",
                inputs=f"{course.dose_g_per_kg:g} g/kg ({course.label}) × "
                f"{split.weight_kg:.2f} kg",
                source=course.source,
            ),
            Trace(
                what=f"course {n} dispensed",
                value=f"{selection.dispensed_g:g} g",
                formula=f"rounding policy {selection.policy}: {selection.reason}",
                inputs=f"calculated {split.calculated_g:.2f} g; difference "
                f"{selection.difference_g:+.2f} g",
                source="the rounding policy passed to plan_course",
            ),
            Trace(
                what=f"course {n} days and daily grams",
                value=", ".join(f"{g:g} g" for g in split.daily_g),
                formula=f"{split.reason}; {split.total_g:g} g split in whole "
                f"{split.granularity_g:g} g units, left-over units to the "
                "earliest days (largest remainder)",
                inputs=f"{split.total_g:g} g over {split.days} "
                f"day{'s' if split.days != 1 else ''}; calculated "
                f"{split.daily_g_per_kg:.4g} g/kg/day",
                source=course.source,
            ),
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
    return tuple(lines)


def _start_trace(cycle: Cycle, regimen: Regimen) -> Trace:
    formula = (
        "the plan's start"
        if cycle.number == 1
        else "previous course's first day + its interval"
    )
    if cycle.moved_days:
        formula += f", moved {cycle.moved_days} days later for closed days"
    return Trace(
        what=f"course {cycle.number} start",
        value=cycle.start.isoformat(),
        formula=formula,
        inputs=f"planned {cycle.planned_start.isoformat()}; interval after this "
        f"course {cycle.interval_days:g} days",
        source=regimen.source,
    )


def _day_traces(infusions: list[Infusion], product: Product) -> list[Trace]:
    """One line per distinct daily amount: vials, volume, rate steps."""
    seen: set[float] = set()
    out: list[Trace] = []
    for infusion in infusions:
        if infusion.dispensed_g in seen:
            continue
        seen.add(infusion.dispensed_g)
        run = infusion.run
        steps = ", ".join(
            f"{s.rate_ml_h:g} mL/h × {s.duration_min:g} min" for s in run.steps
        )
        out.append(
            Trace(
                what=f"infusion of {infusion.dispensed_g:g} g",
                value=f"{infusion.volume_ml:g} mL over {run.duration_min:g} min",
                formula=f"vials: {infusion.vials.reason}; rate steps: {steps}",
                inputs=f"{product.name} {product.concentration_g_per_l:g} g/L; "
                f"maximum {run.maximum_ml_h:g} mL/h",
                source=run.schedule_source,
            )
        )
    return out


def _taper_trace(taper: TaperPlan, regimen: Regimen) -> Trace:
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
