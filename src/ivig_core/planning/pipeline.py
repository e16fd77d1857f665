"""The one planning pipeline, for IV, SC and facilitated SC.

:func:`plan` runs a :class:`~ivig_core.planning.request.PlanRequest`
through the steps, in one direction:

1. the dosing weight, by the policy given (no default);
2. the courses (:mod:`~ivig_core.planning.courses`): induction,
   maintenance cycles (or an IVIg → SC conversion's, with HyQvia's ramp-up),
   taper steps;
3. dispensing (:mod:`~ivig_core.planning.dispensing`): the rounding policy
   applied once per course total, the total split into days;
4. the calendar (:mod:`~ivig_core.planning.calendar`): whole courses moved
   off closed days, for every route;
5. administration per route (:mod:`~ivig_core.planning.administration`):
   the IV rate ramp, or SC sites, volumes and rates;
6. assembly (:mod:`~ivig_core.planning.assemble`): the plan, its notes, its
   trace and its safety report.

The route comes from the product: IV without SC options; with
:class:`~ivig_core.planning.request.ScOptions`, the product's SC route
(facilitated SC for HyQvia). Everything is checked before the plan is
built: an error leaves nothing half-built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import attrs

from ivig_core.dosing_weight import DosingWeight, dosing_weight
from ivig_core.errors import InputError, PlanningError
from ivig_core.infusion import RateSchedule
from ivig_core.infusion import rate_schedule as label_rate_schedule
from ivig_core.plan import Cycle, Infusion, Plan, ScDetails, Trace
from ivig_core.planning.administration import (
    IvAdministration,
    ScAdministration,
    sc_rounding,
)
from ivig_core.planning.assemble import (
    Administer,
    Dispensed,
    assemble,
    iv_trace,
    pipeline_notes,
    taper_trace,
)
from ivig_core.planning.calendar import place_courses
from ivig_core.planning.courses import (
    Course,
    conversion_courses,
    conversion_dose_g,
    course_list,
)
from ivig_core.planning.dispensing import Dispenser
from ivig_core.planning.request import PlanRequest, ScOptions
from ivig_core.planning.split import SplitLimits
from ivig_core.products import Product, Route, get_product
from ivig_core.scig import SRC_RAMP, sc_product


if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from ivig_core.infusion import InfusionRun
    from ivig_core.patient import Patient
    from ivig_core.vials import RoundingPolicy, VialSelection


__all__ = ["Lead", "plan", "run"]


@attrs.frozen
class Lead:
    """What a planner that made the regimen adds before the plan's own trace.

    Attributes:
        trace: Lines after the dosing weight (e.g. the first SC day).
        notes: Notes before the plan's own.
    """

    trace: tuple[Trace, ...] = ()
    notes: tuple[str, ...] = ()


def plan(request: PlanRequest) -> Plan:
    """Plan *request*: the one pipeline, for every route.

    Returns:
        The :class:`~ivig_core.plan.Plan`, with its safety report
        (:attr:`~ivig_core.plan.Plan.safety`).

    Raises:
        InputError: A bad argument.
        PlanningError: A constraint that cannot be met (the message says
            which and by how much).
        SafetyBlock: In strict mode, a plan that is not ready to issue.

    Example:
        >>> import datetime as dt
        >>> from ivig_core import Patient
        >>> from ivig_core.planning.request import PlanRequest
        >>> from ivig_core.regimen import get_preset
        >>> from ivig_core.infusion import rate_schedule
        >>> p = plan(PlanRequest(
        ...     patient=Patient(sex="female", age="54 year", height="165 cm",
        ...                     weight="70 kg"),
        ...     regimen=get_preset("seed-004-privigen-dm").choose(cycles=1),
        ...     product="privigen", start=dt.date(2026, 1, 5), policy="actual",
        ...     rounding="never-below", indication="cidp", rate_weight="dosing",
        ...     rate_schedule=rate_schedule("privigen", "cidp",
        ...         increment="1 mg/kg/min", interval="30 min")))
        >>> len(p.cycles), p.route.value, p.safety is not None
        (1, 'iv', True)

    .. versionadded:: 0.1.0
    """
    if not isinstance(request, PlanRequest):
        raise InputError("request", request, "a PlanRequest")
    return run(request)


def _product(product: Product | str) -> Product:
    return get_product(product) if isinstance(product, str) else product


def _rounding_name(rounding: object) -> str:
    return rounding if isinstance(rounding, str) else str(getattr(rounding, "name"))  # noqa: B009 - a RoundingPolicy's name


def sc_dosing_trace(patient: Patient, weight: DosingWeight) -> Trace:
    """The dosing weight, as an SC plan's trace gives it."""
    return Trace(
        what="dosing weight",
        value=f"{weight.weight_kg:.2f} kg ({weight.basis.value})",
        formula=weight.reason,
        inputs=f"weight {patient.weight_kg:.2f} kg; policy {weight.policy}",
        source=weight.source,
    )


@attrs.define
class _Sc:
    """The SC part of one run: courses from a conversion, trace, notes."""

    options: ScOptions
    admin: ScAdministration
    lead: list[Trace] = attrs.field(factory=list)
    notes: list[str] = attrs.field(factory=list)
    ramp: bool = False

    def maintenance(
        self, request: PlanRequest, weight: DosingWeight, route: Route
    ) -> list[Course] | None:
        conversion = self.options.conversion
        ramp_up = self.options.ramp_up
        self.lead.append(sc_dosing_trace(request.patient, weight))
        if conversion is None:
            if ramp_up is True:
                raise InputError(
                    "ramp_up", ramp_up, "None: a ramp-up follows a conversion"
                )
            return None
        self.lead[:0] = conversion.trace
        self.notes.extend(conversion.notes)
        dose_g, line = conversion_dose_g(conversion, weight)
        if line is not None:
            self.lead.append(line)
        self.ramp = route is Route.FACILITATED_SC and ramp_up is not False
        if not self.ramp:
            if ramp_up is True:
                raise InputError(
                    "ramp_up",
                    ramp_up,
                    "None or False: the labelled ramp-up is HyQvia's (facilitated SC)",
                )
            if ramp_up is False:
                self.notes.append("No HyQvia ramp-up (ramp_up=False), as chosen.")
        else:
            self.notes.append(
                "The ramp-up infusions are cycles 1-3 (phase ramp_up); the full "
                "dose starts at cycle 4 (phase maintenance)."
            )
        main = request.regimen.maintenance
        cycles = 0 if main is None else (main.cycles or 0)
        return conversion_courses(
            conversion,
            dose_g=dose_g,
            weight_kg=weight.weight_kg,
            cycles=cycles,
            ramp=self.ramp,
        )

    def ramp_trace(self, dispensed: Sequence[Dispensed], dose_g: float) -> Trace:
        conversion = self.options.conversion
        weeks = 0.0 if conversion is None else conversion.ivig_interval_weeks
        return Trace(
            what="HyQvia ramp-up",
            value=", ".join(
                f"{d.split.calculated_g:.4g} g on {d.place.start.isoformat()}"
                for d in dispensed[:4]
            ),
            formula="week 1: 1-week dose; week 2: 2-week dose; week 4: 3-week "
            "dose; week 7: the full dose (n-week dose = full dose ÷ interval "
            "weeks × n)",
            inputs=f"full dose {dose_g:.4g} g every {weeks:g} weeks",
            source=SRC_RAMP,
        )


def run(request: PlanRequest, lead: Lead | None = None) -> Plan:  # noqa: C901 - the pipeline, step by step
    """Run the pipeline; *lead* is what a planner that made the regimen adds.

    .. versionadded:: 0.1.0
    """
    lead = lead or Lead()
    patient = request.patient
    product = _product(request.product)
    route = Route.IV if request.sc is None else sc_product(product)[1]
    weight = dosing_weight(patient, request.policy)
    limits = request.limits if request.limits is not None else SplitLimits()
    sc: _Sc | None = None
    rounding: RoundingPolicy | str
    administer: Administer
    if request.sc is None:
        schedule = (
            label_rate_schedule(product, request.indication or "")
            if request.rate_schedule is None
            else request.rate_schedule
        )
        if not isinstance(schedule, RateSchedule):
            raise InputError("rate_schedule", schedule, "a RateSchedule or None")
        rate_kg = (
            weight.weight_kg if request.rate_weight == "dosing" else patient.weight_kg
        )
        iv = IvAdministration(
            product=product,
            schedule=schedule,
            rate_weight_kg=rate_kg,
            at_risk_cap=request.at_risk_cap,
            indication=request.indication,
        )

        def iv_day(
            _: dt.date, selection: VialSelection
        ) -> tuple[InfusionRun, ScDetails | None]:
            return iv.run(selection.volume_ml), None

        administer = iv_day

        rounding = request.rounding
        rounding_name = _rounding_name(rounding)
    else:
        admin = ScAdministration(
            patient=patient, product=product, route=route, options=request.sc
        )
        admin.check()
        policy = sc_rounding(request.rounding)
        rounding, rounding_name = policy, policy.name
        sc = _Sc(options=request.sc, admin=admin)
        administer = admin.day
    dispenser = Dispenser(
        product=product, rounding=rounding, weight_kg=weight.weight_kg, limits=limits
    )
    maintenance = None if sc is None else sc.maintenance(request, weight, route)
    courses, taper = course_list(
        request.regimen,
        sc=sc is not None,
        weight_kg=weight.weight_kg,
        maintenance=maintenance,
    )
    splits = [dispenser.course(c) for c in courses]
    gran = dispenser.granularity
    for number, (course, (_, split)) in enumerate(
        zip(courses, splits, strict=True), start=1
    ):
        span = course.offsets[-1] + 1 if course.offsets else split.days
        if number < len(courses) and course.interval_days < span:
            raise PlanningError(
                f"interval: course {number} ({course.phase.value}) takes "
                f"{span} days ({split.reason}) but the next course starts "
                f"{course.interval_days:g} days after its first day; courses "
                "would overlap"
            )
    placed = place_courses(
        request.start,
        [
            (split.days, max(int(c.interval_days), split.days), c.offsets)
            for c, (_, split) in zip(courses, splits, strict=True)
        ],
        closed=request.closed,
    )
    dispensed = [
        Dispensed(course=c, selection=sel, split=split, place=place)
        for c, (sel, split), place in zip(courses, splits, placed, strict=True)
    ]

    def day_vials(d: Dispensed, grams: float) -> VialSelection:
        # An SC one-day course keeps its course selection (the rounding of
        # its calculated grams) as the day's vials.
        if sc is not None and d.split.days == 1:
            return d.selection
        return dispenser.day(grams)

    ended: Literal["cycles", "floor", "stop"] = (
        "cycles" if taper is None else taper.ended
    )

    def trace(
        cycles: Sequence[Cycle], infusions: Sequence[Infusion]
    ) -> tuple[Trace, ...]:
        if sc is None:
            lines = iv_trace(
                patient=patient,
                weight=weight,
                regimen=request.regimen,
                product=product,
                courses=dispensed,
                cycles=cycles,
                infusions=infusions,
                granularity=gran,
                schedule=schedule,
                rate=(request.rate_weight, rate_kg),
            )
        else:
            lines = [*sc.lead, *lead.trace]
            if sc.ramp and maintenance:
                lines.append(
                    sc.ramp_trace(dispensed, maintenance[-1].calculated_g or 0.0)
                )
            lines.extend(sc.admin.trace)
        if taper is not None:
            lines.append(taper_trace(taper, request.regimen))
        return tuple(lines)

    lead_notes: list[str] = []
    if sc is not None:
        lead_notes = [*sc.notes, *lead.notes, *sc.admin.notes()]

    def notes(cycles: Sequence[Cycle]) -> list[str]:
        own = pipeline_notes(
            cycles, [d.split for d in dispensed], request.closed, taper, gran[0]
        )
        return [*lead_notes, *own]

    return assemble(
        request,
        product=product,
        route=route,
        weight=weight,
        rounding=rounding_name,
        courses=dispensed,
        day_vials=day_vials,
        administer=administer,
        ended=ended,
        notes=notes,
        trace=trace,
    )
