"""Plan a whole course of therapy: :func:`plan_course`, for every route.

A thin entry point over the one pipeline (:func:`ivig_core.planning.plan`):
it makes a :class:`~ivig_core.planning.request.PlanRequest` of its arguments
and runs it. The steps, in one direction: the dosing weight; the courses of
the regimen (induction, maintenance cycles, taper steps); for each course
the calculated grams, the dispensed total (the rounding policy applied once,
to the course) and its split into days; the calendar, moving whole courses
off closed days; for each day the vials (which must make the day's amount
exactly), the volume and the administration (the IV rate ramp, or with
``sc=`` SC sites, volumes and rates).

Everything is checked before the plan is built: an error leaves nothing
half-built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ivig_core.patient import Patient
from ivig_core.plan import Plan
from ivig_core.planning.calendar import ClosedRule
from ivig_core.planning.pipeline import plan
from ivig_core.planning.request import PlanRequest, RateWeight, ScOptions
from ivig_core.planning.split import SplitLimits
from ivig_core.products import AtRiskCap, Product
from ivig_core.protocol import Protocol
from ivig_core.regimen import Regimen
from ivig_core.safety import Override, SafetyConfig, SafetyOptions


if TYPE_CHECKING:
    from ivig_core.dosing_weight import DosingWeightPolicy
    from ivig_core.rates import RateSchedule
    from ivig_core.units import Quantity
    from ivig_core.vials import RoundingPolicy


__all__ = ["plan_course"]


def plan_course(
    patient: Patient,
    regimen: Regimen,
    product: Product | str,
    *,
    start: dt.date,
    policy: DosingWeightPolicy | str | None = None,
    rounding: RoundingPolicy | str | None = None,
    indication: str | None = None,
    rate_weight: RateWeight | None = None,
    rate_schedule: RateSchedule | None = None,
    at_risk_cap: Quantity | str | AtRiskCap | None = None,
    closed: ClosedRule | None = None,
    limits: SplitLimits | None = None,
    safety_config: SafetyConfig | None = None,
    overrides: Iterable[Override] = (),
    previous_product: Product | str | None = None,
    strict: bool = False,
    sc: ScOptions | None = None,
    protocol: Protocol | None = None,
) -> Plan:
    """Plan *regimen* for *patient* with *product*, from *start*.

    Args:
        patient: The patient.
        regimen: A regimen with every choice made (:meth:`Regimen.choose`).
        product: A :class:`~ivig_core.products.Product` or its name.
        start: The first day of the first course.
        policy: The dosing-weight policy (object or built-in name); no
            default: required unless *protocol* sets one.
        rounding: The vial rounding policy, applied once per course total;
            required unless *protocol* sets one.
        indication: The product indication whose rate schedule and labelled
            maximum rate apply (``"dermatomyositis"``, ``"cidp"``, ...);
            default: the regimen's (a preset names its label's indication).
        rate_weight: ``"dosing"`` or ``"actual"``: the weight per-kg rates
            are multiplied by (labels do not say which; the plan records it);
            required unless *protocol* sets one.
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
        sc: For an SC or facilitated-SC product: the sites, rates and limits
            (:class:`~ivig_core.planning.request.ScOptions`); the plan then
            has the product's SC route, with induction, taper and closed days
            as for IV.
        protocol: A local protocol (:func:`ivig_core.load_protocol`): the
            policy, rounding, rate weight, rate steps, closed days, safety
            configuration and formulary the call leaves out. The plan
            records its name, version and hash.

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
    if indication is None and isinstance(regimen, Regimen):
        # Only a checked Regimen is read: anything else is refused by the
        # request's checks, naming the field (after the patient's, as ever).
        indication = regimen.indication
    return plan(
        PlanRequest(
            patient=patient,
            regimen=regimen,
            product=product,
            start=start,
            policy=policy,
            rounding=rounding,
            indication=indication,
            rate_weight=rate_weight,
            rate_schedule=rate_schedule,
            at_risk_cap=at_risk_cap,
            closed=closed,
            limits=limits,
            sc=sc,
            safety=SafetyOptions(
                config=safety_config,
                overrides=overrides,
                previous_product=previous_product,
                strict=strict,
            ),
            protocol=protocol,
        )
    )
