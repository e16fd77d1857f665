"""The course as it happens: a record of what was given, and what it tells.

A plan is a forecast. :class:`~ivig_core.plan.Administered` records one
infusion as it was given (date, grams, product and lot, the highest rate
reached, reactions); a :class:`~ivig_core.plan.History` holds them in date
order and is append-only: a record, once kept, is never rewritten.
:func:`history_notes` compares the history with the plan and says what the
next dose must take into account: a
reaction on the last infusion (start slower, premedicate), a product switch
(restart at the initial rate, as the Gammagard Liquid label asks of
patients switching products), a dose given late or early, a missed dose.

:func:`replan` plans the rest of a course again from a date: with what was
given (the history, kept on the new plan), an updated patient (new weight,
new labs) and the prescriber's decision at a review (continue, step down,
step up). A plan does not carry the request it was made from, so
:func:`replan` takes it (the :class:`~ivig_core.planning.request.PlanRequest`
the plan was made from; keep it with the plan, or build it again from the
same choices): the rest of the course is planned with the same regimen,
product, policies and protocol, from *from_date*, for the patient given. A
re-planned plan is followed the same way: the same request, its history
with what was given since, the current patient.

Courses that started before *from_date* are past: what was given of them is
the history, not the plan. The rest is the original plan's courses from the
first one on or after *from_date*, changed only by the decision:

- no decision: the rest as planned;
- ``"continue"``: the last course (the current step) once more, then the
  rest as planned (the review comes again after it);
- ``"step-down"``: from the first planned course of lower intensity
  (g/kg/week) than the last one, skipping what is left of the current
  step's hold;
- ``"step-up"``: back to the previous, more intense maintenance or taper
  step, held again as planned, then the rest (a taper's "return to the
  previous step"; a new induction is a new plan).

The decision is the prescriber's; the library plans what it says. Cycle
numbers of the new plan count from its first course.

The new plan records the day maintenance was first given
(:attr:`~ivig_core.plan.Plan.maintenance_started`): the first dose of the
history given on a maintenance or taper course of the plan followed (a dose
given late or early belongs to the planned day nearest to it), or the day
the plan followed recorded. A label's studied maintenance duration
(``MAINTENANCE_BEYOND_LABEL_DURATION``) counts from it, not from the new
plan's first course.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import attrs

from ivig_core._checks import REL_TOL
from ivig_core.errors import InputError
from ivig_core.patient import Patient
from ivig_core.plan import (
    Administered,
    History,
    Phase,
    Plan,
    PlanInputs,
    ReviewPoint,
)
from ivig_core.planning.pipeline import Lead, run
from ivig_core.planning.request import PlanRequest
from ivig_core.products import get_product
from ivig_core.regimen import intensity_g_per_kg_per_week


if TYPE_CHECKING:
    from ivig_core.plan import Infusion
    from ivig_core.planning.courses import Course


__all__ = ["DECISIONS", "Decision", "history_notes", "replan", "replay"]

#: The prescriber's decision at a review.
Decision: TypeAlias = Literal["continue", "step-down", "step-up"]

#: The decisions :func:`replan` takes.
DECISIONS: Final = ("continue", "step-down", "step-up")


def history_notes(plan: Plan, history: History) -> tuple[str, ...]:
    """What the history tells the next dose of *plan*, in words.

    .. versionadded:: 0.2.0
    """
    if not isinstance(plan, Plan):
        raise InputError("plan", plan, "a Plan")
    if not isinstance(history, History):
        raise InputError("history", history, "a History of what was given")
    notes: list[str] = []
    given = [r for r in history.records if r.grams > 0.0]
    if given and given[-1].reactions:
        last = given[-1]
        notes.append(
            f"A reaction on {last.date.isoformat()} ({'; '.join(last.reactions)}): "
            "start the next infusion slower and consider premedication (the "
            "prescriber's decision)."
        )
    products = [r.product for r in given]
    for before, after in itertools.pairwise(products):
        if before != after:
            notes.append(
                f"Product switched from {before} to {after}: restart at the "
                "initial rate."
            )
    planned = {i.date for i in plan.infusions}
    notes.extend(
        f"Dose of {record.date.isoformat()} not given (missed)."
        for record in history.records
        if record.grams == 0.0
    )
    for record in given:
        if record.date not in planned:
            near = _planned_near(plan, record.date)
            days = (record.date - near.date).days
            when = "late" if days > 0 else "early"
            notes.append(
                f"Dose given {abs(days)} day(s) {when} on {record.date.isoformat()} "
                f"(planned {near.date.isoformat()})."
            )
    return tuple(notes)


def _planned_near(plan: Plan, day: dt.date) -> Infusion:
    """The infusion day of *plan* nearest to *day* (the earlier of two as near).

    A dose given late or early is the dose of the planned day nearest to it.
    """
    return min(plan.infusions, key=lambda i: abs((i.date - day).days))


#: The phases a decision moves between (not the induction or a ramp-up);
#: the maintenance phases of the label's studied maintenance duration.
_STEPS: Final = frozenset({Phase.MAINTENANCE, Phase.TAPER})


def _maintenance_started(plan: Plan, since: History) -> dt.date | None:
    """The day maintenance was first given, from what was given.

    The day *plan* records (given before it), else the first dose given of
    *since* (what was given while following *plan*) whose planned day
    (:func:`_planned_near`) is a maintenance or taper course; ``None``: no
    maintenance was given yet.
    """
    if plan.maintenance_started is not None or not plan.infusions:
        return plan.maintenance_started
    for record in since.records:
        if record.grams > 0.0 and _planned_near(plan, record.date).phase in _STEPS:
            return record.date
    return None


def _history(value: object, kept: History) -> History:
    if value is None:
        return kept
    history = value if isinstance(value, History) else _sequence(value)
    if history.records[: len(kept.records)] != kept.records:
        raise InputError(
            "administered",
            len(history.records),
            "the plan's history, then what was given since (a history is never "
            "rewritten)",
        )
    return history


def _sequence(value: object) -> History:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InputError(
            "administered", value, "a History or a sequence of Administered"
        )
    return History(records=tuple(value))


def _intensity(course: Course) -> float:
    return intensity_g_per_kg_per_week(course.dose_g_per_kg, course.interval_days)


def _lower(a: float, b: float) -> bool:
    """*a* is lower than *b*, beyond the rounding tolerance."""
    return a < b * (1.0 - REL_TOL)


def _block_start(courses: Sequence[Course], index: int) -> int:
    """The first course of the step *index* belongs to (same intensity)."""
    level = _intensity(courses[index])
    while index > 0 and not (
        _lower(_intensity(courses[index - 1]), level)
        or _lower(level, _intensity(courses[index - 1]))
    ):
        index -= 1
    return index


def _rest(
    courses: Sequence[Course],
    followed: Sequence[int],
    done: int,
    decision: Decision | None,
) -> list[int]:
    """The regimen's courses still to plan (indices into *courses*).

    *followed* are the regimen's courses the plan being followed plans, in
    order; its first *done* are past.
    """
    if decision is None:
        return list(followed[done:])
    current = followed[done - 1]
    level = _intensity(courses[current])
    if decision == "continue":
        return [current, *followed[done:]]
    if decision == "step-down":
        for j in range(done, len(followed)):
            if _lower(_intensity(courses[followed[j]]), level):
                return list(followed[j:])
        raise InputError(
            "decision",
            decision,
            "'continue' or 'step-up': no lower step is planned after the last "
            "course given",
        )
    above = _block_start(courses, current) - 1
    if (
        above < 0
        or courses[above].phase not in _STEPS
        or not _lower(level, _intensity(courses[above]))
    ):
        raise InputError(
            "decision",
            decision,
            "'continue' or 'step-down': no more intense maintenance or taper "
            "step came before the last course (a new induction is a new plan)",
        )
    return list(range(_block_start(courses, above), len(courses)))


def _reviews(
    base: Plan, new: Plan, origins: Sequence[int], *, decided: bool
) -> tuple[ReviewPoint, ...]:
    """The regimen's review points, moved to the courses they now precede.

    *base* is the whole regimen planned from its start (its review points
    are numbered by the regimen's courses).
    """
    out: list[ReviewPoint] = []
    where: dict[int, int] = {}
    for i, origin in enumerate(origins):
        where.setdefault(origin, i)
    n_courses = len(base.cycles)
    for point in base.reviews:
        origin = point.cycle - 1
        if origin == n_courses and origins and origins[-1] == n_courses - 1:
            last = new.cycles[-1]
            date = last.start + dt.timedelta(days=int(last.interval_days))
            cycle = len(new.cycles) + 1
        elif origin in where and not (decided and where[origin] == 0):
            date, cycle = new.cycles[where[origin]].start, where[origin] + 1
        else:
            continue
        out.append(attrs.evolve(point, date=date, cycle=cycle))
    return tuple(out)


def _same_product(recorded: str, product: str) -> bool:
    try:
        return get_product(recorded).name == get_product(product).name
    except InputError:
        return recorded.strip().casefold() == product.strip().casefold()


def _switched(request: PlanRequest, history: History, notes: list[str]) -> PlanRequest:
    """*request*, told of a switch from the product last given (noted)."""
    given = [r for r in history.records if r.grams > 0.0]
    product = request.product
    name = product if isinstance(product, str) else product.name
    with contextlib.suppress(InputError):
        name = get_product(name).name
    if not given or _same_product(given[-1].product, name):
        return request
    notes.append(
        f"Product switched from {given[-1].product} to {name}: restart at the "
        "initial rate."
    )
    if request.safety.previous_product is not None:
        return request
    try:
        previous = get_product(given[-1].product)
    except InputError:  # a product outside the catalogue: noted only
        return request
    return attrs.evolve(
        request, safety=attrs.evolve(request.safety, previous_product=previous)
    )


def _check(plan: object, request: object, from_date: object) -> None:
    if not isinstance(plan, Plan):
        raise InputError("plan", plan, "a Plan")
    if not isinstance(request, PlanRequest):
        raise InputError("request", request, "the PlanRequest the plan was made from")
    if request.regimen != plan.regimen:
        raise InputError(
            "request",
            request.regimen.name,
            "the PlanRequest the plan was made from (the same regimen)",
            f"the plan follows {plan.regimen.name!r}",
        )
    if isinstance(from_date, dt.datetime) or not isinstance(from_date, dt.date):
        raise InputError("from_date", from_date, "a datetime.date")


def replan(
    plan: Plan,
    *,
    request: PlanRequest,
    administered: History | Sequence[Administered] | None = None,
    patient: Patient | None = None,
    from_date: dt.date | None = None,
    decision: Decision | None = None,
) -> Plan:
    """The rest of *plan*'s course, planned again from *from_date*.

    Args:
        plan: The plan being followed: a plan, or a re-planned one.
        request: The :class:`~ivig_core.planning.request.PlanRequest` the
            first plan was made from (its regimen, product, policies,
            protocol); the same request for every re-plan of the course.
        administered: What was given (a :class:`~ivig_core.plan.History` or
            its records), every record dated before *from_date*, starting
            with the plan's own history; ``None``: the plan's history.
        patient: The patient as now (new weight, new labs); ``None``: the
            request's (pass the current patient again when following a
            re-planned plan).
        from_date: The first day of the rest; ``None``: the plan's start
            (nothing is past).
        decision: The prescriber's decision at the review before the next
            course: ``"continue"``, ``"step-down"``, ``"step-up"`` or
            ``None`` (the rest as planned).

    Returns:
        The new plan: the rest of the course from *from_date*, with the
        history kept (:attr:`~ivig_core.plan.Plan.history`), the grams given
        so far and what the history tells in its notes, and the day
        maintenance was first given
        (:attr:`~ivig_core.plan.Plan.maintenance_started`). With nothing given
        and nothing changed, it equals *plan*.

    Raises:
        InputError: A bad argument, a record dated on or after *from_date*,
            a decision with no course given before, or one the plan cannot
            follow (no lower or higher step); nothing left to plan.
        PlanningError: The rest cannot be planned (as for a new plan).

    .. versionadded:: 0.2.0
    """
    if not isinstance(plan, Plan):  # before reading the plan's start
        raise InputError("plan", plan, "a Plan")
    start = plan.start if from_date is None else from_date
    _check(plan, request, start)
    history = _history(administered, plan.history)
    if history.records and history.records[-1].date >= start:
        raise InputError(
            "from_date",
            start,
            f"a date after the last record ({history.records[-1].date.isoformat()})",
            "what was given is the history; the plan is what is still to give",
        )
    if decision is not None and decision not in DECISIONS:
        raise InputError(
            "decision", decision, "None, " + ", ".join(map(repr, DECISIONS))
        )
    if patient is not None and not isinstance(patient, Patient):
        raise InputError("patient", patient, "a Patient (or None: the request's)")
    done = sum(1 for c in plan.cycles if c.start < start)
    if decision is not None and done == 0:
        raise InputError(
            "decision",
            decision,
            "None: a decision follows a course given before from_date",
        )
    origins: list[int] = []
    followed = [(c.course or c.number) - 1 for c in plan.cycles]

    def rest(courses: list[Course]) -> list[Course]:
        origins.extend(_rest(courses, followed, done, decision))
        if not origins:
            raise InputError(
                "from_date",
                start,
                f"a date on or before the last course's start "
                f"({plan.cycles[-1].start.isoformat()})",
                "the course is over: nothing is left to plan",
            )
        return [courses[i] for i in origins]

    new_request = attrs.evolve(
        request, start=start, patient=request.patient if patient is None else patient
    )
    # what the plan being followed has not seen: the records since its own
    since = History(records=history.records[len(plan.history.records) :])
    notes = list(history_notes(plan, since))
    new_request = _switched(new_request, history, notes)
    if history.records:
        days = sum(r.grams > 0.0 for r in history.records)
        notes.append(
            f"Given so far: {history.cumulative_g:g} g on {days} infusion "
            f"day(s) up to {history.records[-1].date.isoformat()} (the history); "
            f"the course re-planned from {start.isoformat()}"
            + (f", decision at review: {decision}." if decision else ".")
        )
    lead = Lead(
        notes=tuple(notes),
        courses=rest,
        maintenance_started=_maintenance_started(plan, since),
    )
    new = run(new_request, lead)
    base = plan if plan.start == request.start and not plan.history.records else None
    if base is None or any(c.course is not None for c in plan.cycles):
        base = run(request)  # the whole regimen, for its review points
    reviews = _reviews(base, new, origins, decided=decision is not None)
    cycles = tuple(
        c if origin + 1 == c.number else attrs.evolve(c, course=origin + 1)
        for c, origin in zip(new.cycles, origins, strict=True)
    )
    inputs = PlanInputs(
        planner="replan",
        request=request,
        arguments={
            "plan": plan.inputs,
            "administered": history,
            "patient": patient,
            "from_date": start,
            "decision": decision,
        },
    )
    return attrs.evolve(
        new, cycles=cycles, reviews=reviews, history=history, inputs=inputs
    )


def replay(inputs: PlanInputs) -> Plan:
    """Make a plan again from what it was planned from (:attr:`Plan.inputs`).

    The planner that made the plan is called again with the same request and
    arguments (a re-planned plan: the plan it followed is made again first,
    from its own inputs), with the catalogue and the library as they are now.
    Equal inputs give an equal plan; the JSON loader
    (:func:`~ivig_core.io.json.plan_from_json`) compares the two documents.

    Raises:
        InputError: Inputs that do not make a plan (a re-planned plan
            whose followed plan recorded no inputs; a bad request).
        PlanningError: As for the planner.
        SafetyBlock: A strict request whose plan is not ready to issue.

    Example:
        >>> from ivig_core import Patient, get_preset, plan_course
        >>> plan = plan_course(
        ...     Patient(sex="female", age="54 year", height="165 cm", weight="70 kg"),
        ...     get_preset("itp-octagam-10"), "octagam-10",
        ...     start=dt.date(2026, 1, 5), indication="itp", policy="actual",
        ...     rounding="never-below", rate_weight="dosing")
        >>> plan.inputs.planner, replay(plan.inputs) == plan
        ('plan', True)

    .. versionadded:: 0.2.0
    """
    if not isinstance(inputs, PlanInputs):
        raise InputError("inputs", inputs, "PlanInputs (Plan.inputs)")
    request = inputs.request
    if not isinstance(request, PlanRequest):
        raise InputError("inputs.request", request, "a PlanRequest")
    args = inputs.arguments
    if inputs.planner == "plan":
        from ivig_core.planning.pipeline import plan as plan_request  # noqa: PLC0415 - one entry point

        return plan_request(request)
    if inputs.planner == "replan":
        followed = args.get("plan")
        if not isinstance(followed, PlanInputs):
            raise InputError(
                "inputs.arguments.plan",
                followed,
                "the inputs of the plan it re-planned (that plan recorded none)",
            )
        return replan(
            replay(followed),
            request=request,
            administered=args.get("administered"),  # type: ignore[arg-type] # checked by replan
            patient=args.get("patient"),  # type: ignore[arg-type] # checked by replan
            from_date=args.get("from_date"),  # type: ignore[arg-type] # checked by replan
            decision=args.get("decision"),  # type: ignore[arg-type] # checked by replan
        )
    return _replay_sc(inputs, request)


def _replay_sc(inputs: PlanInputs, request: PlanRequest) -> Plan:
    from ivig_core.planning.scig import plan_scig, plan_scig_regimen  # noqa: PLC0415 - start-up: the SC modules load on first SC use

    sc = request.sc
    if sc is None or request.policy is None or request.rounding is None:
        raise InputError("inputs.request.sc", sc, "the SC options of an SC plan")
    args = inputs.arguments
    common: dict[str, Any] = {
        "policy": request.policy,
        "rounding": request.rounding,
        "limits": sc.limits,
        "site_rate": sc.site_rate,
        "first_infusions": sc.first_infusions,
        "indication": request.indication,
        "safety_config": request.safety.config,
        "overrides": request.safety.overrides,
        "previous_product": request.safety.previous_product,
        "strict": request.safety.strict,
        "closed": request.closed,
    }
    if inputs.planner == "plan_scig":
        if sc.conversion is None:
            raise InputError("inputs.request.sc.conversion", None, "a conversion")
        return plan_scig(
            request.patient,
            sc.conversion,
            cycles=args.get("cycles"),  # type: ignore[arg-type] # checked by plan_scig
            first_dose=args.get("first_dose"),  # type: ignore[arg-type] # checked by plan_scig
            ramp_up=sc.ramp_up,
            **common,
        ).plan
    return plan_scig_regimen(
        request.patient,
        request.regimen,
        request.product,
        start=args.get("start"),  # type: ignore[arg-type] # checked by plan_scig_regimen
        last_ivig=args.get("last_ivig"),  # type: ignore[arg-type] # checked by plan_scig_regimen
        **common,
    ).plan
