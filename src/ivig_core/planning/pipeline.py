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

from typing import TYPE_CHECKING, TypeVar

import attrs

from ivig_core.dosing_weight import DosingWeight, dosing_weight
from ivig_core.errors import InputError, PlanningError
from ivig_core.infusion import rate_schedule as label_rate_schedule
from ivig_core.plan import Cycle, Infusion, Plan, PlanInputs, ScDetails
from ivig_core.planning.administration import (
    IvAdministration,
    ScAdministration,
    sc_rounding,
)
from ivig_core.planning.assemble import (
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
from ivig_core.planning.request import PlanRequest, ScOptions, apply_protocol
from ivig_core.planning.reviews import review_points
from ivig_core.planning.split import SplitLimits
from ivig_core.products import Product, Route
from ivig_core.rates import RateSchedule
from ivig_core.trace import Trace


if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

    from ivig_core.dosing_weight import DosingWeightPolicy
    from ivig_core.infusion import InfusionRun
    from ivig_core.patient import Patient
    from ivig_core.vials import RoundingPolicy, VialSelection


__all__ = ["Lead", "plan", "run"]

_T = TypeVar("_T")


@attrs.frozen
class Lead:
    """What a planner that made the regimen adds before the plan's own trace.

    Attributes:
        trace: Lines after the dosing weight (e.g. the first SC day).
        notes: Notes before the plan's own.
        courses: What a re-plan does to the regimen's courses (the rest of
            a course, :func:`ivig_core.replan`), or ``None``. With it, the
            review points are the re-planner's to give.
        maintenance_started: The day maintenance was first given before
            the plan (a re-plan, from the history), or ``None``
            (:attr:`~ivig_core.plan.Plan.maintenance_started`): on the plan
            before its safety is assessed.
    """

    trace: tuple[Trace, ...] = ()
    notes: tuple[str, ...] = ()
    courses: Callable[[list[Course]], list[Course]] | None = None
    maintenance_started: dt.date | None = None


def plan(request: PlanRequest) -> Plan:
    """Plan *request*: the one pipeline, for every route.

    Returns:
        The :class:`~ivig_core.plan.Plan`, with its safety report
        (:attr:`~ivig_core.plan.Plan.safety`) and what it was planned from
        (:attr:`~ivig_core.plan.Plan.inputs`: *request*).

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
        ...     regimen=get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1),
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
    return attrs.evolve(
        run(request), inputs=PlanInputs(planner="plan", request=request)
    )


def _need(value: _T | None, name: str) -> _T:
    """A request value the protocol has filled (checked by the request)."""
    if value is None:
        raise InputError(name, None, f"a {name} (or a protocol that sets one)")
    return value


def _policy(request: PlanRequest) -> DosingWeightPolicy | str:
    if request.policy is None:
        raise InputError("policy", None, "a policy (or a protocol that sets one)")
    return request.policy


def _rounding(request: PlanRequest) -> RoundingPolicy | str:
    if request.rounding is None:
        raise InputError("rounding", None, "a rounding (or a protocol that sets one)")
    return request.rounding


def _rate_weight(request: PlanRequest) -> str:
    return _need(request.rate_weight, "rate_weight")


def _rounding_name(rounding: RoundingPolicy | str) -> str:
    if isinstance(rounding, str):
        return rounding
    name = getattr(rounding, "name", None)
    if not isinstance(name, str):
        raise InputError("rounding", rounding, "a rounding policy or its name")
    return name


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
class _Iv:
    """The IV route's part of one run: the rate ramp and the IV trace."""

    admin: IvAdministration
    rounding: RoundingPolicy | str
    rounding_name: str
    notes: list[str] = attrs.field(factory=list)

    @classmethod
    def of(cls, request: PlanRequest, product: Product, weight: DosingWeight) -> _Iv:
        schedule = (
            label_rate_schedule(product, request.indication or "")
            if request.rate_schedule is None
            else request.rate_schedule
        )
        if not isinstance(schedule, RateSchedule):
            raise InputError("rate_schedule", schedule, "a RateSchedule or None")
        rate_kg = (
            weight.weight_kg
            if _rate_weight(request) == "dosing"
            else request.patient.weight_kg
        )
        admin = IvAdministration(
            product=product,
            schedule=schedule,
            rate_weight_kg=rate_kg,
            at_risk_cap=request.at_risk_cap,
            indication=request.indication,
        )
        return cls(
            admin=admin,
            rounding=_rounding(request),
            rounding_name=_rounding_name(_rounding(request)),
        )

    def administer(
        self, _: dt.date, selection: VialSelection
    ) -> tuple[InfusionRun, ScDetails | None]:
        return self.admin.run(selection.volume_ml), None

    def maintenance(
        self, request: PlanRequest, weight: DosingWeight, route: Route
    ) -> list[Course] | None:
        del request, weight, route
        return None

    def day_vials(
        self, dispenser: Dispenser, d: Dispensed, grams: float
    ) -> VialSelection:
        del d
        return dispenser.day(grams)

    def trace(self, run: _Run, lead: Lead) -> list[Trace]:
        del lead
        return iv_trace(
            patient=run.request.patient,
            weight=run.weight,
            regimen=run.request.regimen,
            product=self.admin.product,
            courses=run.dispensed,
            cycles=run.cycles,
            infusions=run.infusions,
            granularity=run.granularity,
            schedule=self.admin.schedule,
            rate=(_rate_weight(run.request), self.admin.rate_weight_kg),
        )


@attrs.define
class _Sc:
    """The SC part of one run: courses from a conversion, trace, notes."""

    options: ScOptions
    admin: ScAdministration
    rounding: RoundingPolicy
    rounding_name: str
    lead: list[Trace] = attrs.field(factory=list)
    notes: list[str] = attrs.field(factory=list)
    ramp: bool = False
    full_dose_g: float = 0.0

    @classmethod
    def of(
        cls, request: PlanRequest, product: Product, route: Route, options: ScOptions
    ) -> _Sc:
        admin = ScAdministration(
            patient=request.patient, product=product, route=route, options=options
        )
        admin.check()
        policy = sc_rounding(request.rounding)  # None: its own message
        return cls(
            options=options, admin=admin, rounding=policy, rounding_name=policy.name
        )

    def administer(
        self, date: dt.date, selection: VialSelection
    ) -> tuple[InfusionRun, ScDetails | None]:
        return self.admin.day(date, selection)

    def day_vials(
        self, dispenser: Dispenser, d: Dispensed, grams: float
    ) -> VialSelection:
        # A one-day SC course keeps its course selection (the rounding of its
        # calculated grams) as the day's vials.
        if d.split.days == 1:
            return d.selection
        return dispenser.day(grams)

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
        self.full_dose_g = dose_g
        if line is not None:
            self.lead.append(line)
        self.ramp = route is Route.FACILITATED_SC and ramp_up is not False
        if self.ramp:
            self.notes.append(
                "The ramp-up infusions are cycles 1-3 (phase ramp_up); the full "
                "dose starts at cycle 4 (phase maintenance)."
            )
        elif ramp_up is True:
            raise InputError(
                "ramp_up",
                ramp_up,
                "None or False: the labelled ramp-up is HyQvia's (facilitated SC)",
            )
        elif ramp_up is False:
            self.notes.append("No HyQvia ramp-up (ramp_up=False), as chosen.")
        main = request.regimen.maintenance
        return conversion_courses(
            conversion,
            dose_g=dose_g,
            weight_kg=weight.weight_kg,
            cycles=0 if main is None else (main.cycles or 0),
            ramp=self.ramp,
        )

    def trace(self, run: _Run, lead: Lead) -> list[Trace]:
        lines = [*self.lead, *lead.trace]
        if self.ramp:
            lines.append(self._ramp_trace(run.dispensed))
        lines.extend(self.admin.trace)
        return lines

    def _ramp_trace(self, dispensed: Sequence[Dispensed]) -> Trace:
        from ivig_core.scig.hyqvia import SRC_RAMP  # noqa: PLC0415 - start-up: the SC modules load on first SC use

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
            inputs=f"full dose {self.full_dose_g:.4g} g every {weeks:g} weeks",
            source=SRC_RAMP,
        )


@attrs.define
class _Run:
    """What the trace and notes of one run read (filled as it goes)."""

    request: PlanRequest
    weight: DosingWeight
    dispensed: list[Dispensed]
    granularity: tuple[float, str]
    cycles: Sequence[Cycle] = ()
    infusions: Sequence[Infusion] = ()


def _dispense_and_place(
    request: PlanRequest, dispenser: Dispenser, courses: list[Course]
) -> list[Dispensed]:
    """Round and split each course, check the intervals, place the courses."""
    splits = [dispenser.course(c) for c in courses]
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
    return [
        Dispensed(course=c, selection=sel, split=split, place=place)
        for c, (sel, split), place in zip(courses, splits, placed, strict=True)
    ]


def run(request: PlanRequest, lead: Lead | None = None) -> Plan:
    """Run the pipeline; *lead* is what a planner that made the regimen adds.

    .. versionadded:: 0.1.0
    """
    lead = lead or Lead()
    request, product, protocol_notes = apply_protocol(request)
    route = Route.IV
    if request.sc is not None:
        from ivig_core.scig import sc_product  # noqa: PLC0415 - start-up: the SC modules load on first SC use

        route = sc_product(product)[1]
    weight = dosing_weight(request.patient, _policy(request))
    limits = request.limits if request.limits is not None else SplitLimits()
    step: _Iv | _Sc = (
        _Iv.of(request, product, weight)
        if request.sc is None
        else _Sc.of(request, product, route, request.sc)
    )
    dispenser = Dispenser(
        product=product,
        rounding=step.rounding,
        weight_kg=weight.weight_kg,
        limits=limits,
    )
    courses, taper = course_list(
        request.regimen,
        sc=route is not Route.IV,
        weight_kg=weight.weight_kg,
        maintenance=step.maintenance(request, weight, route),
    )
    if lead.courses is not None:
        courses = lead.courses(courses)
    dispensed = _dispense_and_place(request, dispenser, courses)
    state = _Run(
        request=request,
        weight=weight,
        dispensed=dispensed,
        granularity=dispenser.granularity,
    )
    lead_notes = [*protocol_notes, *step.notes, *lead.notes]
    if isinstance(step, _Sc):
        lead_notes.extend(step.admin.notes())

    def notes(cycles: Sequence[Cycle]) -> list[str]:
        splits = [d.split for d in dispensed]
        gran = state.granularity[0]
        own = pipeline_notes(cycles, splits, request.closed, taper, gran)
        return [*lead_notes, *own]

    def trace(
        cycles: Sequence[Cycle], infusions: Sequence[Infusion]
    ) -> tuple[Trace, ...]:
        state.cycles, state.infusions = cycles, infusions
        lines = step.trace(state, lead)
        if taper is not None:
            lines.append(taper_trace(taper, request.regimen))
        return tuple(lines)

    made = assemble(
        request,
        product=product,
        route=route,
        weight=weight,
        rounding=step.rounding_name,
        courses=dispensed,
        day_vials=lambda d, grams: step.day_vials(dispenser, d, grams),
        administer=step.administer,
        ended="cycles" if taper is None else taper.ended,
        notes=notes,
        trace=trace,
        maintenance_started=lead.maintenance_started,
    )
    if lead.courses is not None:
        return made
    reviews = review_points(made.cycles, taper)
    return attrs.evolve(made, reviews=reviews) if reviews else made
