"""The planner's input: one frozen, checked :class:`PlanRequest`.

A request holds what the prescriber chose (patient, regimen, product, start,
weight policy, rounding, indication, rate choices, closed days, per-day
limits), the subcutaneous administration options (:class:`ScOptions`, for
SC and facilitated-SC products) and the safety options
(:class:`~ivig_core.safety.SafetyOptions`). :func:`~ivig_core.planning.plan`
turns it into a :class:`~ivig_core.plan.Plan`; ``plan_course``, the SC
planners and :mod:`ivig_core.batch` build one.

Example:
    >>> import datetime as dt
    >>> from ivig_core import Patient
    >>> from ivig_core.regimen import get_preset
    >>> request = PlanRequest(
    ...     patient=Patient(sex="female", age="54 year", height="165 cm",
    ...                     weight="70 kg"),
    ...     regimen=get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1),
    ...     product="privigen", start=dt.date(2026, 1, 5), policy="actual",
    ...     rounding="never-below", indication="cidp", rate_weight="dosing")
    >>> request.sc is None, request.safety.strict
    (True, False)
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal, TypeAlias

import attrs

from ivig_core._checks import whole
from ivig_core.errors import InputError
from ivig_core.patient import Patient
from ivig_core.planning.calendar import ClosedDays, ClosedRule
from ivig_core.planning.split import SplitLimits
from ivig_core.products import AtRiskCap, Product, get_product
from ivig_core.protocol import Protocol
from ivig_core.rates import RateSchedule
from ivig_core.regimen import Regimen
from ivig_core.safety import SafetyConfig, SafetyOptions
from ivig_core.units import Quantity


if TYPE_CHECKING:
    from ivig_core.dosing_weight import DosingWeightPolicy
    from ivig_core.scig import ScigDose, ScLimits
    from ivig_core.vials import RoundingPolicy


__all__ = [
    "FirstInfusions",
    "PlanRequest",
    "RateWeight",
    "ScOptions",
    "SiteRate",
    "apply_protocol",
]

#: The weight per-kg infusion rates are multiplied by: the dosing weight or
#: the actual weight (labels do not say which; the plan records it).
RateWeight: TypeAlias = Literal["dosing", "actual"]

#: The rate per site: ``"label-maximum"`` (the limit's maximum per-site
#: rate), or a rate such as ``"20 mL/h"`` (per site, at most the limit).
SiteRate: TypeAlias = Quantity | str


def _count(value: object) -> int:
    return whole(value, field="first_infusions.count")


def _sc_limits(value: object) -> ScLimits:
    from ivig_core.scig import ScLimits  # noqa: PLC0415 - start-up: the SC modules load on first SC use

    if isinstance(value, ScLimits):
        return value
    raise InputError("limits", value, "ScLimits (see ScLimits.from_product)")


@attrs.frozen(kw_only=True)
class FirstInfusions:
    """Limits for the first infusions, where the label sets lower ones.

    Hizentra: the first infusion (``count=1``); Cuvitru: the first 2
    infusions (``count=2``); the catalogue's ``applies_to`` says which.

    .. versionadded:: 0.1.0
    """

    limits: ScLimits = attrs.field(converter=_sc_limits)
    count: int = attrs.field(converter=_count)


def _first(value: object) -> FirstInfusions | None:
    if value is None or isinstance(value, FirstInfusions):
        return value
    raise InputError("first_infusions", value, "FirstInfusions or None")


def _ramp_up(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise InputError("ramp_up", value, "None, True or False")


def _conversion(value: object) -> ScigDose | None:
    from ivig_core.scig import ScigDose  # noqa: PLC0415 - start-up: the SC modules load on first SC use

    if value is None or isinstance(value, ScigDose):
        return value
    raise InputError("conversion", value, "a ScigDose from convert_to_scig, or None")


@attrs.frozen(kw_only=True)
class ScOptions:
    """How a subcutaneous or facilitated-SC plan is given.

    Attributes:
        limits: The SC limits for the (later) infusions
            (:meth:`~ivig_core.scig.ScLimits.from_product`).
        site_rate: ``"label-maximum"`` or a rate per site (``"20 mL/h"``).
        first_infusions: Lower limits for the first infusion(s), or ``None``.
        ramp_up: HyQvia only, with a conversion: ``None`` or ``True`` for
            the label's ramp-up, ``False`` for none (recorded).
        conversion: The IVIg → SC conversion the maintenance courses come
            from (its grams, days of the week and, for HyQvia, the ramp-up),
            or ``None`` for a regimen in g/kg.

    Example:
        >>> from ivig_core.scig import ScLimits
        >>> later = ScLimits.from_product("hizentra",
        ...     situation="PI, later infusions", max_sites=4,
        ...     parameter_source="local protocol")
        >>> ScOptions(limits=later, site_rate="label-maximum").ramp_up is None
        True

    .. versionadded:: 0.1.0
    """

    limits: ScLimits = attrs.field(converter=_sc_limits)
    site_rate: SiteRate
    first_infusions: FirstInfusions | None = attrs.field(default=None, converter=_first)
    ramp_up: bool | None = attrs.field(default=None, converter=_ramp_up)
    conversion: ScigDose | None = attrs.field(default=None, converter=_conversion)


def _check_protocol(request: PlanRequest) -> None:
    """A protocol, and what is left to it, is one that sets it."""
    protocol = request.protocol
    if protocol is not None and not isinstance(protocol, Protocol):
        raise InputError("protocol", protocol, "a Protocol (ivig_core.load_protocol)")
    # an SC plan's rounding is checked by the SC step (its message says
    # what to do for a product without vial sizes)
    names = (
        ("policy", "rate_weight")
        if request.sc is not None
        else ("policy", "rounding", "rate_weight")
    )
    for name in names:
        if getattr(request, name) is None and (
            protocol is None or getattr(protocol, name) is None
        ):
            raise InputError(
                name,
                None,
                f"a {name.replace('_', ' ')} (required, no default), or a "
                "protocol that sets one",
            )


def _check(request: PlanRequest) -> None:
    """The request's checks, in the order the planners always made them."""
    if not isinstance(request.patient, Patient):
        raise InputError("patient", request.patient, "a Patient")
    regimen = request.regimen
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
    start = request.start
    if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
        raise InputError("start", start, "a datetime.date (not a datetime)")
    _check_protocol(request)
    if request.rate_weight not in ("dosing", "actual", None):
        raise InputError(
            "rate_weight",
            request.rate_weight,
            "'dosing' or 'actual': the weight per-kg infusion rates are "
            "multiplied by (labels do not say which)",
        )
    if not isinstance(request.product, (Product, str)):
        raise InputError("product", request.product, "a Product or a product name")
    if request.limits is not None and not isinstance(request.limits, SplitLimits):
        raise InputError("limits", request.limits, "a SplitLimits or None")
    closed = request.closed
    if not (closed is None or isinstance(closed, ClosedDays) or callable(closed)):
        raise InputError("closed", closed, "a ClosedDays rule, a date -> bool function")
    if request.rate_schedule is not None and not isinstance(
        request.rate_schedule, RateSchedule
    ):
        raise InputError(
            "rate_schedule", request.rate_schedule, "a RateSchedule or None"
        )
    if request.sc is not None and not isinstance(request.sc, ScOptions):
        raise InputError("sc", request.sc, "ScOptions or None")
    if not isinstance(request.safety, SafetyOptions):
        raise InputError("safety", request.safety, "SafetyOptions")


@attrs.frozen(kw_only=True)
class PlanRequest:
    """Everything one plan is made from, checked when it is made.

    Attributes:
        patient: The patient.
        regimen: A regimen with every choice made (:meth:`Regimen.choose`).
        product: A :class:`~ivig_core.products.Product` or its name. Its
            route decides the administration: IV, or SC / facilitated SC
            (with :attr:`sc`; a product labelled for both is planned SC
            when :attr:`sc` is given).
        start: The first day of the first course.
        policy: The dosing-weight policy (object or built-in name).
        rounding: The vial rounding policy, applied once per course total.
        indication: The product indication whose rate schedule and labelled
            maximum rate apply (IV), recorded on the plan; ``None`` where no
            indication applies (SC).
        rate_weight: ``"dosing"`` or ``"actual"``: the weight per-kg IV rates
            are multiplied by (SC rates are per site, in mL/h).
        rate_schedule: An IV schedule instead of the label's for
            *indication*.
        at_risk_cap: A lower maximum IV rate for a patient at risk.
        closed: Days the infusion centre is closed (every route).
        limits: Per-day limits and the dispensing granularity.
        sc: How an SC or facilitated-SC plan is given (required for them).
        safety: The safety pass's options.
        protocol: A local protocol (:func:`ivig_core.load_protocol`): it
            gives the policy, rounding, rate weight, closed days, safety
            configuration and local rate steps the request leaves out
            (``None``); what the request gives explicitly wins, and the plan
            says so. The plan records the protocol's name, version and hash.

    Raises:
        InputError: A value of the wrong kind, a regimen with open choices.

    .. versionadded:: 0.1.0
    """

    patient: Patient
    regimen: Regimen
    product: Product | str
    start: dt.date
    policy: DosingWeightPolicy | str | None = None
    rounding: RoundingPolicy | str | None = None
    indication: str | None = None
    rate_weight: RateWeight | None = None
    rate_schedule: RateSchedule | None = None
    at_risk_cap: Quantity | str | AtRiskCap | None = None
    closed: ClosedRule | None = None
    limits: SplitLimits | None = None
    sc: ScOptions | None = None
    safety: SafetyOptions = attrs.field(factory=SafetyOptions)
    protocol: Protocol | None = None

    def __attrs_post_init__(self) -> None:
        """Check every field (also when attrs validators are switched off)."""
        _check(self)


def apply_protocol(request: PlanRequest) -> tuple[PlanRequest, Product, list[str]]:
    """Fill what *request* leaves to its protocol; resolve the product.

    Returns:
        The request with every protocol value applied, the product (from
        the protocol's formulary or the catalogue) and notes for the plan
        (which protocol, and any value given explicitly over it).

    .. versionadded:: 0.2.0
    """
    protocol = request.protocol
    if protocol is None:
        product = (
            get_product(request.product)
            if isinstance(request.product, str)
            else request.product
        )
        return request, product, []
    product = (
        protocol.product(request.product)
        if isinstance(request.product, str)
        else request.product
    )
    notes = [f"Local protocol: {protocol.ref}."]
    changes: dict[str, object] = {}
    for name in ("policy", "rounding", "rate_weight"):
        own = getattr(protocol, name)
        if getattr(request, name) is None:
            changes[name] = own
        elif own is not None:
            notes.append(
                f"The {name.replace('_', ' ')} was given explicitly, over the "
                "protocol's."
            )
    if request.closed is None and (protocol.closed_weekdays or protocol.closed_dates):
        changes["closed"] = ClosedDays(
            weekdays=protocol.closed_weekdays, dates=protocol.closed_dates
        )
    if request.rate_schedule is None and request.sc is None:
        schedule = protocol.rate_schedule(product, request.indication)
        if schedule is not None:
            changes["rate_schedule"] = schedule
    if protocol.safety is not None:
        if request.safety.config == SafetyConfig():
            changes["safety"] = attrs.evolve(request.safety, config=protocol.safety)
        else:
            notes.append(
                "The safety configuration was given explicitly, over the protocol's."
            )
    return attrs.evolve(request, **changes), product, notes  # type: ignore[arg-type]
