"""Infusion-rate schedules: label ramps and local protocols, in mL/h for a patient.

The rate vocabulary (:class:`~ivig_core.rates.RateKind`,
:class:`~ivig_core.rates.RateStep`, :class:`~ivig_core.rates.RateSchedule`)
lives in :mod:`ivig_core.rates`. A :class:`RateSchedule` is a list of
:class:`RateStep` (a rate and how long it runs; the last step has no duration
and runs until the volume is given) plus a maximum and a source. A rate is
one of three kinds, and a step keeps which:

* mg/kg/min (labels): mL/h = rate × weight × 60 ÷ concentration (mg/mL);
* mL/kg/min (labels, also written mL/kg/h): mL/h = rate × weight × 60;
* a fixed mL/h (local protocols such as a US order form,
  ``us-ivig-order-form``).

:func:`plan_infusion` turns a schedule into an :class:`InfusionRun` for one
patient, product and volume: each step in mL/h, the volume run in it, the
last step cut where the volume runs out, and the total duration. The weight
the per-kg rates use is an explicit, required argument (``rate_weight``):
labels write "mg/kg/min" without saying which weight, so the caller decides
(e.g. the dosing weight, or the actual weight) and the run records it.

Nothing is clamped silently: a step above the schedule's own maximum, or
above the product's labelled maximum for the indication, is refused; an
at-risk cap holds higher steps at the cap and each such step says so.

Example:
    >>> from ivig_core import Q_
    >>> from ivig_core.rates import RateSchedule, RateStep, step_rates_ml_h
    >>> schedule = RateSchedule(
    ...     steps=[RateStep(rate="1 mg/kg/min", duration="30 min"),
    ...            RateStep(rate="2 mg/kg/min")],
    ...     maximum="4 mg/kg/min", source="example")
    >>> [round(ml_h, 1) for ml_h in step_rates_ml_h(schedule, 70.0, 100.0)]
    [42.0, 84.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

import attrs

from ivig_core import units
from ivig_core._checks import exceeds
from ivig_core._checks import iterates as _iterates
from ivig_core.errors import InputError, PlanningError
from ivig_core.patient import WEIGHT_RANGE_KG, read_weight_kg
from ivig_core.products import AtRiskCap, LabelRamp, Product, get_product
from ivig_core.rates import (
    RateKind,
    RateSchedule,
    _notes,
    rate_kind,
    rate_to_ml_h,
    read_minutes,
    read_rate,
    step_rates_ml_h,
)
from ivig_core.units import KG, MINUTE, ML, ML_PER_H, Quantity


__all__ = [
    "InfusionRun",
    "RunStep",
    "plan_infusion",
    "plan_infusion_ml",
    "rate_schedule",
]


# --------------------------------------------------------------------------
# Float core


def _run_volume(
    volume_ml: float, rates_ml_h: Sequence[float], durations_min: Sequence[float | None]
) -> list[tuple[float, float, float]]:
    """(rate mL/h, duration min, volume mL) per step run; the last step is cut."""
    out: list[tuple[float, float, float]] = []
    remaining = volume_ml
    for rate, minutes in zip(rates_ml_h, durations_min, strict=True):
        full = math.inf if minutes is None else rate * minutes / 60.0
        if full >= remaining:
            out.append((rate, remaining / rate * 60.0, remaining))
            return out
        out.append((rate, float(minutes or 0.0), full))
        remaining -= full
    raise AssertionError("unreachable: the last step has no duration")


# --------------------------------------------------------------------------
# Results


def _finite(value: object, field: str, *, positive: bool = False) -> float:
    """A finite float ≥ 0 (or > 0): result fields hold floats, checked cheaply."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(field, value, "a number (results hold floats)")
    v = float(value)
    ok = v > 0 if positive else v >= 0
    if not (ok and math.isfinite(v)):
        raise InputError(field, value, "a finite number > 0" if positive else "≥ 0")
    return v


def _start_min(value: object) -> float:
    return _finite(value, "start_min")


def _rate_ml_h(value: object) -> float:
    return _finite(value, "rate_ml_h", positive=True)


def _duration_min(value: object) -> float:
    return _finite(value, "duration_min")


def _volume_ml(value: object) -> float:
    return _finite(value, "volume_ml")


def _maximum_ml_h(value: object) -> float:
    return _finite(value, "maximum_ml_h", positive=True)


def _opt_cap_ml_h(value: object) -> float | None:
    return None if value is None else _finite(value, "at_risk_cap_ml_h", positive=True)


def _weight_kg(value: object) -> float:
    return _finite(value, "rate_weight_kg", positive=True)


def _scheduled(value: object) -> Quantity:
    if isinstance(value, units.Quantity):
        return value
    return read_rate(value, field="rate")


@attrs.frozen(kw_only=True)
class RunStep:
    """One step as run for a patient: rate in mL/h, duration, volume.

    The fields are floats in fixed units (cheap to build in bulk); the
    properties without a unit suffix return quantities.

    Attributes:
        start_min: Minutes from the start of the infusion.
        rate_ml_h: The pump rate, mL/h.
        duration_min: How long the step runs, min (the last one is cut where
            the volume runs out).
        volume_ml: The volume given in the step, mL.
        scheduled_rate: The step's rate as the schedule gives it.
        capped: Whether the rate was held at an at-risk cap.

    .. versionadded:: 0.1.0
    """

    start_min: float = attrs.field(converter=_start_min)
    rate_ml_h: float = attrs.field(converter=_rate_ml_h)
    duration_min: float = attrs.field(converter=_duration_min)
    volume_ml: float = attrs.field(converter=_volume_ml)
    scheduled_rate: Quantity = attrs.field(converter=_scheduled)
    capped: bool = False

    @property
    def start(self) -> Quantity:
        """Time from the start of the infusion."""
        return units.quantity(self.start_min, MINUTE)

    @property
    def rate(self) -> Quantity:
        """The pump rate."""
        return units.quantity(self.rate_ml_h, ML_PER_H)

    @property
    def duration(self) -> Quantity:
        """The step's duration."""
        return units.quantity(self.duration_min, MINUTE)

    @property
    def volume(self) -> Quantity:
        """The volume given in the step."""
        return units.quantity(self.volume_ml, ML)


def _run_steps(value: object) -> tuple[RunStep, ...]:
    if isinstance(value, str) or not _iterates(value):
        raise InputError("steps", value, "a sequence of RunStep")
    steps = tuple(value)
    if not steps or not all(isinstance(step, RunStep) for step in steps):
        raise InputError("steps", value, "a non-empty sequence of RunStep")
    return steps


@attrs.frozen(kw_only=True)
class InfusionRun:
    """A schedule run for one patient, product and volume.

    The fields are floats in fixed units; the properties without a unit
    suffix return quantities.

    Attributes:
        steps: The steps run, in order (later steps are absent when the
            volume runs out first).
        volume_ml: The total volume, mL (the sum of the steps' volumes).
        duration_min: The total duration, minutes.
        rate_weight_kg: The weight the per-kg rates used, kg.
        product: The product key.
        schedule_source: The schedule's source.
        maximum_ml_h: The highest rate allowed in this run, mL/h (the lowest
            of the schedule's maximum, the labelled maximum and the at-risk
            cap).
        at_risk_cap_ml_h: The at-risk cap in mL/h, or ``None``.
        notes: What was applied and why (caps, which maximum, local policy).

    .. versionadded:: 0.1.0
    """

    steps: tuple[RunStep, ...] = attrs.field(converter=_run_steps)
    volume_ml: float = attrs.field(converter=_volume_ml)
    duration_min: float = attrs.field(converter=_duration_min)
    rate_weight_kg: float = attrs.field(converter=_weight_kg)
    product: str
    schedule_source: str
    maximum_ml_h: float = attrs.field(converter=_maximum_ml_h)
    at_risk_cap_ml_h: float | None = attrs.field(default=None, converter=_opt_cap_ml_h)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_notes)

    @property
    def volume(self) -> Quantity:
        """The total volume."""
        return units.quantity(self.volume_ml, ML)

    @property
    def duration(self) -> Quantity:
        """The total duration."""
        return units.quantity(self.duration_min, MINUTE)

    @property
    def duration_h(self) -> float:
        """The total duration, hours."""
        return self.duration_min / 60.0

    @property
    def rate_weight(self) -> Quantity:
        """The weight the per-kg rates used."""
        return units.quantity(self.rate_weight_kg, KG)

    @property
    def maximum(self) -> Quantity:
        """The highest rate allowed in this run."""
        return units.quantity(self.maximum_ml_h, ML_PER_H)

    @property
    def at_risk_cap(self) -> Quantity | None:
        """The at-risk cap, or ``None``."""
        cap = self.at_risk_cap_ml_h
        return None if cap is None else units.quantity(cap, ML_PER_H)

    @property
    def capped(self) -> bool:
        """Whether any step was held at the at-risk cap."""
        return any(step.capped for step in self.steps)


# --------------------------------------------------------------------------
# Planning


def _labelled_maximum(
    product: Product, indication: str | None
) -> tuple[Quantity | None, str]:
    """The product's labelled maximum for *indication*, with a note."""
    if indication is not None:
        ind = product.indication(indication)
        if ind.maximum is None:
            return None, (
                f"{product.name} has no labelled maximum rate for {ind.key} in the "
                "catalogue; only the schedule's maximum applies"
            )
        return ind.maximum, f"labelled maximum for {ind.key}: {ind.source}"
    maxima = [
        (ind.key, ind.maximum)
        for ind in product.indications.values()
        if ind.maximum is not None
    ]
    if not maxima:
        return None, (
            f"{product.name} has no labelled maximum rate in the catalogue; only the "
            "schedule's maximum applies"
        )
    return None, (
        "no indication given: the product's per-indication labelled maxima "
        f"({', '.join(key for key, _ in maxima)}) were checked, the highest applies"
    )


def _highest_labelled_ml_h(
    product: Product, weight_kg: float, conc: float
) -> tuple[float, str] | None:
    """(mL/h, description) of the highest labelled maximum of *product*."""
    best: tuple[float, str] | None = None
    for ind in product.indications.values():
        if ind.maximum is None:
            continue
        kind = rate_kind(ind.maximum)
        value = float(ind.maximum.magnitude)
        ml_h = rate_to_ml_h(value, kind, weight_kg, conc)
        if best is None or ml_h > best[0]:
            best = (ml_h, f"{value:g} {kind.value} for {ind.key}, the highest")
    return best


def _cap_ml_h(
    cap: object, weight_kg: float, conc: float
) -> tuple[float, bool, str] | None:
    """(cap mL/h, inclusive, description) from a rate or an AtRiskCap."""
    if cap is None:
        return None
    rate = getattr(cap, "rate", None)
    inclusive = bool(getattr(cap, "inclusive", True))
    q = read_rate(cap if rate is None else rate, field="at_risk_cap")
    kind = rate_kind(q)
    value = float(q.magnitude)
    ml_h = rate_to_ml_h(value, kind, weight_kg, conc)
    sign = "≤" if inclusive else "<"
    return ml_h, inclusive, f"{sign} {value:g} {kind.value} ({ml_h:.1f} mL/h)"


def _check_schedule_maximum(
    schedule: RateSchedule, rates: Sequence[float], weight_kg: float, conc: float
) -> float:
    """Refuse steps above the schedule's maximum; return the maximum in mL/h."""
    max_kind = schedule.maximum_kind
    max_v = float(schedule.maximum.magnitude)
    limit = rate_to_ml_h(max_v, max_kind, weight_kg, conc)
    for i, ml_h in enumerate(rates):
        if exceeds(ml_h, limit):
            raise InputError(
                f"schedule.steps[{i}].rate",
                schedule.steps[i].rate,
                f"at most the schedule's maximum {max_v:g} {max_kind.value} "
                f"({limit:.1f} mL/h here)",
                f"step {i + 1} runs at {ml_h:.1f} mL/h, {ml_h - limit:.1f} mL/h "
                "above the schedule's maximum",
            )
    return limit


def _label_limit_ml_h(
    product: Product, ind_key: str | None, weight_kg: float, conc: float
) -> tuple[float | None, str, str]:
    """(labelled maximum in mL/h or None, its description, a note)."""
    label_q, note = _labelled_maximum(product, ind_key)
    if label_q is not None:
        kind = rate_kind(label_q)
        value = float(label_q.magnitude)
        return (
            rate_to_ml_h(value, kind, weight_kg, conc),
            f"{value:g} {kind.value}",
            note,
        )
    if ind_key is None and (best := _highest_labelled_ml_h(product, weight_kg, conc)):
        return best[0], best[1], note
    return None, "", note


def _check_label_maximum(
    product: Product,
    schedule: RateSchedule,
    rates: Sequence[float],
    label_ml_h: float,
    label_desc: str,
) -> None:
    for i, ml_h in enumerate(rates):
        if exceeds(ml_h, label_ml_h):
            raise InputError(
                f"schedule.steps[{i}].rate",
                schedule.steps[i].rate,
                f"at most {product.name}'s labelled maximum {label_desc} "
                f"({label_ml_h:.1f} mL/h here)",
                f"step {i + 1} runs at {ml_h:.1f} mL/h, "
                f"{ml_h - label_ml_h:.1f} mL/h above the labelled maximum",
            )


def _apply_cap(
    rates: list[float], cap: tuple[float, bool, str], notes: list[str]
) -> list[bool]:
    """Hold steps above an inclusive cap at it; refuse them for a "below" cap."""
    cap_ml_h, inclusive, desc = cap
    capped = [False] * len(rates)
    for i, ml_h in enumerate(rates):
        above = exceeds(ml_h, cap_ml_h) if inclusive else not ml_h < cap_ml_h
        if not above:
            continue
        if not inclusive:
            raise PlanningError(
                f"at_risk_cap: step {i + 1} runs at {ml_h:.1f} mL/h, not below "
                f"the at-risk cap {desc}, which requires a rate below it; give a "
                "schedule whose steps are below the cap, or an explicit inclusive "
                "cap"
            )
        rates[i] = cap_ml_h
        capped[i] = True
    if any(capped):
        held = ", ".join(str(i + 1) for i, c in enumerate(capped) if c)
        notes.append(f"at-risk cap {desc}: steps {held} held at the cap")
    else:
        notes.append(f"at-risk cap {desc}: no step above it")
    return capped


@attrs.frozen
class RatePlan:
    """The volume-independent part of an infusion run (private to planners).

    The rates in mL/h after the label's and the at-risk limits, the maximum
    and the notes depend on the product, schedule, rate weight, cap and
    indication, not on the day's volume: a planner computes them once per
    plan (:func:`prepare_rates`) and runs each day's volume through them
    (:func:`run_volume_ml`).

    Attributes:
        product: The product's key.
        schedule: The schedule.
        weight_kg: The checked rate weight.
        rates_ml_h: Each step's rate, mL/h, after caps.
        capped: Whether each step is held at the at-risk cap.
        maximum_ml_h: The lowest applicable maximum, mL/h.
        cap_ml_h: The at-risk cap, mL/h, or ``None``.
        notes: What the rates took from where.

    .. versionadded:: 0.1.0
    """

    product: str
    schedule: RateSchedule
    weight_kg: float
    rates_ml_h: tuple[float, ...]
    capped: tuple[bool, ...]
    maximum_ml_h: float
    cap_ml_h: float | None
    notes: tuple[str, ...]


def _checked_volume_ml(value: float) -> float:
    return units.require_range(
        float(value),
        field="volume",
        unit=ML,
        low=0.0,
        high=20_000.0,
        low_inclusive=False,
        why="more than 0 mL; 20 L catches a unit slip",
    )


def prepare_rates(
    *,
    product: Product,
    schedule: RateSchedule,
    rate_weight_kg: float,
    at_risk_cap: Quantity | str | AtRiskCap | None = None,
    indication: str | None = None,
) -> RatePlan:
    """The rates, maximum and notes of *schedule* for one patient and product.

    Raises:
        InputError: A bad rate weight or cap.
        PlanningError: A schedule above its own or the label's maximum.

    .. versionadded:: 0.1.0
    """
    if not isinstance(product, Product):
        raise InputError("product", product, "a Product")
    if not isinstance(schedule, RateSchedule):
        raise InputError("schedule", schedule, "a RateSchedule (from rate_schedule)")
    lo, hi = WEIGHT_RANGE_KG
    weight_kg = units.require_range(
        _finite(rate_weight_kg, "rate_weight", positive=True),
        field="rate_weight",
        unit=KG,
        low=lo,
        high=hi,
    )
    conc = product.concentration_g_per_l
    rates = step_rates_ml_h(schedule, weight_kg, conc)
    notes: list[str] = [f"per-kg rates use rate_weight {weight_kg:g} kg"]
    notes.extend(schedule.notes)

    limit = _check_schedule_maximum(schedule, rates, weight_kg, conc)
    ind_key = indication if indication is not None else schedule.indication
    label_ml_h, label_desc, label_note = _label_limit_ml_h(
        product, ind_key, weight_kg, conc
    )
    notes.append(label_note)
    if label_ml_h is not None:
        _check_label_maximum(product, schedule, rates, label_ml_h, label_desc)
        limit = min(limit, label_ml_h)

    cap = _cap_ml_h(at_risk_cap, weight_kg, conc)
    capped = [False] * len(rates)
    if cap is not None:
        capped = _apply_cap(rates, cap, notes)
        limit = min(limit, cap[0])
    return RatePlan(
        product=product.key,
        schedule=schedule,
        weight_kg=weight_kg,
        rates_ml_h=tuple(rates),
        capped=tuple(capped),
        maximum_ml_h=limit,
        cap_ml_h=None if cap is None else cap[0],
        notes=tuple(notes),
    )


def run_volume_ml(
    volume_ml: float,
    rates: RatePlan,
    *,
    shared: dict[int, RunStep] | None = None,
) -> InfusionRun:
    """Run *volume_ml* through prepared *rates*: the steps and the duration.

    Args:
        volume_ml: The volume, mL.
        rates: The prepared rates (:func:`prepare_rates`).
        shared: Steps run in full, by index, kept across calls with the same
            *rates* (a plan's runs then share their identical steps).

    Raises:
        InputError: A volume not above 0 mL, or above 20 L.

    .. versionadded:: 0.1.0
    """
    volume_ml = _checked_volume_ml(volume_ml)
    schedule = rates.schedule
    durations = [step.duration_min for step in schedule.steps]
    ran = _run_volume(volume_ml, list(rates.rates_ml_h), durations)
    notes = rates.notes
    if len(ran) < len(rates.rates_ml_h):
        last = (
            f"the volume runs out in step {len(ran)}; steps {len(ran) + 1}-"
            f"{len(rates.rates_ml_h)} are not reached"
        )
        notes = (*notes, last)
    full = durations[: len(ran) - 1]  # every step but the last ran in full
    run_steps = []
    start = 0.0
    for i, (ml_h, minutes, ml) in enumerate(ran):
        step = None if shared is None or i >= len(full) else shared.get(i)
        if step is None:
            # The values were checked in prepare_rates and computed here:
            # built without the converters (tests/test_fast_paths.py).
            step = _built(
                RunStep,
                start_min=start,
                rate_ml_h=ml_h,
                duration_min=minutes,
                volume_ml=ml,
                scheduled_rate=schedule.steps[i].rate,
                capped=rates.capped[i],
            )
            if shared is not None and i < len(full):
                shared[i] = step
        run_steps.append(step)
        start += minutes
    return _built(
        InfusionRun,
        steps=tuple(run_steps),
        volume_ml=math.fsum(ml for _, _, ml in ran),
        duration_min=start,
        rate_weight_kg=rates.weight_kg,
        product=rates.product,
        schedule_source=schedule.source,
        maximum_ml_h=rates.maximum_ml_h,
        at_risk_cap_ml_h=rates.cap_ml_h,
        notes=notes,
    )


_T = TypeVar("_T")


def _built(cls: type[_T], **fields: object) -> _T:
    """An instance of attrs class *cls* from values already in canonical form.

    Skips the converters (each re-checks a float computed from checked
    inputs); *fields* are exactly the class's fields.
    """
    obj = object.__new__(cls)
    for name, value in fields.items():
        object.__setattr__(obj, name, value)
    return obj


def plan_infusion_ml(
    *,
    volume_ml: float,
    product: Product,
    schedule: RateSchedule,
    rate_weight_kg: float,
    at_risk_cap: Quantity | str | AtRiskCap | None = None,
    indication: str | None = None,
) -> InfusionRun:
    """Float entry point of :func:`plan_infusion` (volume in mL, weight in kg).

    .. versionadded:: 0.1.0
    """
    volume = _checked_volume_ml(_finite(volume_ml, "volume"))
    rates = prepare_rates(
        product=product,
        schedule=schedule,
        rate_weight_kg=rate_weight_kg,
        at_risk_cap=at_risk_cap,
        indication=indication,
    )
    return run_volume_ml(volume, rates)


def plan_infusion(
    *,
    volume: object,
    product: Product,
    schedule: RateSchedule,
    rate_weight: object,
    at_risk_cap: Quantity | str | AtRiskCap | None = None,
    indication: str | None = None,
) -> InfusionRun:
    """Run *schedule* for one patient, product and volume.

    Args:
        volume: The volume to infuse (e.g. from
            :func:`~ivig_core.vials.select_vials`), a quantity or ``"400 mL"``.
        product: The product (its concentration converts mg/kg/min to mL/h,
            and its labelled maxima are checked).
        schedule: A label schedule (:func:`rate_schedule`) or a local protocol.
        rate_weight: The weight the per-kg rates are multiplied by. Required:
            labels do not say which weight "mg/kg/min" means, so the caller
            chooses (commonly the dosing weight) and the run records it. It
            is unused by fixed mL/h steps.
        at_risk_cap: A lower maximum for a patient at thrombotic or renal
            risk: a rate, or the product's :class:`~ivig_core.products.AtRiskCap`.
            Steps above it are held at it and the run says so. A cap the
            label words as "below" refuses steps at or above it.
        indication: The indication whose labelled maximum applies; defaults
            to the schedule's. With neither, the highest labelled maximum of
            the product applies, and the run says so.

    Returns:
        The steps in mL/h with their volumes and durations.

    Raises:
        InputError: A step above the schedule's maximum or the labelled
            maximum, an unknown indication, or a bad volume or weight.
        PlanningError: A step at or above a "below" at-risk cap.

    Example:
        >>> from ivig_core.products import AtRiskCap, LabelRamp, Product, get_product
        >>> octagam = get_product("Octagam 10 %")
        >>> run = plan_infusion(volume="315 mL", product=octagam,
        ...     schedule=rate_schedule(octagam, "itp"), rate_weight="70 kg")
        >>> [(s.rate_ml_h, s.duration_min, s.volume_ml) for s in run.steps]
        [(42.0, 30.0, 21.0), (84.0, 30.0, 42.0), (168.0, 30.0, 84.0),
         (336.0, 30.0, 168.0)]
        >>> run.duration_min
        120.0

    .. versionadded:: 0.1.0
    """
    return plan_infusion_ml(
        volume_ml=units.to_float(volume, field="volume", unit=ML),
        product=product,
        schedule=schedule,
        rate_weight_kg=read_weight_kg(rate_weight, field="rate_weight"),
        at_risk_cap=at_risk_cap,
        indication=indication,
    )


def rate_schedule(
    product: Product | str,
    indication: str,
    *,
    increment: object | None = None,
    interval: object | None = None,
    target: object | None = None,
) -> RateSchedule:
    """The labelled rate schedule of *product* for *indication*.

    Where the label gives the steps (Octagam 10 % ITP, Bivigam), they are
    returned as written. Where it gives only an initial and a maximum rate
    ("increase every 30 min"), the ramp is built from what the label says,
    and what it does not say must be passed in, with no default:

    Args:
        product: A :class:`~ivig_core.products.Product` or its name.
        indication: The indication key (``"pi"``, ``"itp"``, ``"cidp"``,
            ``"dermatomyositis"``, ``"mmn"``; see ``product.indications``).
        increment: How much each step adds, when the label does not say
            (local policy; the schedule's notes record it).
        interval: How long each step runs, when the label does not say, or
            gives a range (Panzyga: 15-30 min; it must lie inside).
        target: The rate to hold at, if lower than the labelled maximum
            (e.g. a local ceiling). Default: the labelled maximum.

    Raises:
        InputError: Unknown indication, a label with no rates, a missing
            *increment* or *interval*, or one the label already fixes.

    Example:
        >>> from ivig_core.products import AtRiskCap, LabelRamp, Product, get_product
        >>> dm = rate_schedule(get_product("octagam 10%"), "dermatomyositis",
        ...                    increment="1 mg/kg/min", interval="30 min")
        >>> [s.rate_value for s in dm.steps], dm.maximum.magnitude
        ([1.0, 2.0, 3.0, 4.0], 4.0)
        >>> dm.notes[1]
        'step size 1 mg/kg/min is local policy (not in the label)'

    .. versionadded:: 0.1.0
    """
    prod = get_product(product) if isinstance(product, str) else product
    if not isinstance(prod, Product):
        raise InputError("product", product, "a Product or a product name")
    ind = prod.indication(indication)
    ramp = ind.ramp
    if ramp is None:
        raise InputError(
            "indication",
            indication,
            "an indication whose label rates are in the catalogue",
            f"{prod.name} has no labelled rates for {ind.key} in the catalogue "
            "(UNCONFIRMED in the sources read); use a local protocol",
        )
    source = f"{prod.name} label, {ind.key}: {ind.source}"
    if ramp.steps is not None:
        for name, value in (("increment", increment), ("interval", interval)):
            if value is not None:
                raise InputError(
                    name, value, "None: the label gives the steps for this indication"
                )
        if target is not None:
            raise InputError(
                "target", target, "None: the label gives the steps for this indication"
            )
        return RateSchedule(
            steps=ramp.steps,
            maximum=ramp.maximum,
            source=source,
            notes=ramp.notes,
            indication=ind.key,
        )
    return _label_ramp(
        prod,
        ind.key,
        ramp,
        source,
        increment=increment,
        interval=interval,
        target=target,
    )


def _ramp_increment(
    prod: Product,
    ind_key: str,
    ramp: LabelRamp,
    increment: object | None,
    notes: list[str],
) -> float:
    """The step size: the label's, or the caller's (recorded as local policy)."""
    kind = rate_kind(ramp.initial)
    if ramp.increment is not None:
        if increment is not None:
            raise InputError("increment", increment, "None: the label gives the step")
        return float(ramp.increment.magnitude)
    if increment is None:
        raise InputError(
            "increment",
            None,
            f"a rate step (mg/kg/min or mL/kg/min): the {prod.name} label for "
            f"{ind_key} gives no step size, so it is local policy",
        )
    inc_v = _convert_per_kg(
        increment, kind, prod.concentration_g_per_l, field="increment"
    )
    notes.append(f"step size {inc_v:g} {kind.value} is local policy (not in the label)")
    return inc_v


def _ramp_interval(
    prod: Product,
    ind_key: str,
    ramp: LabelRamp,
    interval: object | None,
    notes: list[str],
) -> float:
    """The step duration: the label's, or the caller's within the label's range."""
    lo, hi = ramp.interval_low_min, ramp.interval_high_min
    if lo is not None and hi is not None and lo == hi:
        if interval is not None:
            raise InputError(
                "interval", interval, f"None: the label gives every {lo:g} min"
            )
        return lo
    if interval is None:
        wording = (
            f"gives {lo:g}-{hi:g} min"
            if lo is not None and hi is not None
            else "gives no interval"
        )
        raise InputError(
            "interval",
            None,
            f"a step duration: the {prod.name} label for {ind_key} {wording}, "
            "so the choice is local policy",
        )
    every = read_minutes(interval, field="interval")
    if lo is not None and hi is not None and not lo <= every <= hi:
        raise InputError(
            "interval", interval, f"between {lo:g} and {hi:g} min (the label's range)"
        )
    notes.append(f"step duration {every:g} min is local policy (not in the label)")
    return every


def _label_ramp(
    prod: Product,
    ind_key: str,
    ramp: LabelRamp,
    source: str,
    *,
    increment: object | None,
    interval: object | None,
    target: object | None,
) -> RateSchedule:
    """Build a ramp from a label's initial and maximum rates plus parameters."""
    kind = rate_kind(ramp.initial)
    notes = list(ramp.notes)
    inc_v = _ramp_increment(prod, ind_key, ramp, increment, notes)
    every = _ramp_interval(prod, ind_key, ramp, interval, notes)
    first = every
    if ramp.initial_duration is not None:
        first = float(ramp.initial_duration.magnitude)
    elif ramp.interval_low_min is None:
        notes.append(
            f"the first step's duration ({every:g} min) is local policy (not in "
            "the label)"
        )
    max_v = float(ramp.maximum.magnitude)
    hold = max_v
    if target is not None:
        hold = _convert_per_kg(target, kind, prod.concentration_g_per_l, field="target")
        if exceeds(hold, max_v):
            raise InputError(
                "target", target, f"at most the labelled maximum {max_v:g} {kind.value}"
            )
        notes.append(
            f"held at {hold:g} {kind.value} by choice (label maximum {max_v:g})"
        )
    schedule = RateSchedule.ramp(
        start=ramp.initial,
        increment=units.quantity(inc_v, kind.unit),
        every=units.quantity(every, MINUTE),
        first=units.quantity(first, MINUTE),
        maximum=units.quantity(hold, kind.unit),
        source=source,
        notes=notes,
        indication=ind_key,
    )
    return attrs.evolve(schedule, maximum=ramp.maximum)


def _convert_per_kg(value: object, kind: RateKind, conc: float, *, field: str) -> float:
    """A per-kg rate in *kind*'s unit (mg ↔ mL via the concentration)."""
    q = read_rate(value, field=field)
    got = rate_kind(q)
    v = float(q.magnitude)
    if got is kind:
        return v
    if got is RateKind.ML_PER_KG_PER_MIN and kind is RateKind.MG_PER_KG_PER_MIN:
        return v * conc
    if got is RateKind.MG_PER_KG_PER_MIN and kind is RateKind.ML_PER_KG_PER_MIN:
        return v / conc
    raise InputError(field, value, f"a per-kg rate ({kind.value})")
