"""Infusion-rate vocabulary: rate kinds, steps and schedules (a leaf module).

A :class:`RateSchedule` is a list of :class:`RateStep` (a rate and how long it
runs; the last step has no duration and runs until the volume is given) plus
a maximum and a source. A rate is one of three kinds, and a step keeps which:

* mg/kg/min (labels): mL/h = rate × weight × 60 ÷ concentration (mg/mL);
* mL/kg/min (labels, also written mL/kg/h): mL/h = rate × weight × 60;
* a fixed mL/h (local protocols such as a US order form).

The products catalogue describes its labelled rates with these classes, and
:mod:`ivig_core.infusion` runs a schedule for one patient, product and volume.
This module imports only the ground layer (units, errors, checks).

Example:
    >>> schedule = RateSchedule(
    ...     steps=[RateStep(rate="1 mg/kg/min", duration="30 min"),
    ...            RateStep(rate="2 mg/kg/min")],
    ...     maximum="4 mg/kg/min", source="example")
    >>> [round(ml_h, 1) for ml_h in step_rates_ml_h(schedule, 70.0, 100.0)]
    [42.0, 84.0]
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from typing import Final

import attrs

from ivig_core import units
from ivig_core._checks import REL_TOL, exceeds
from ivig_core._checks import finite as _finite
from ivig_core._checks import iterates as _iterates
from ivig_core.errors import InputError, UnitError
from ivig_core.units import (
    MG_PER_KG_PER_MIN,
    MINUTE,
    ML_PER_H,
    ML_PER_KG_PER_MIN,
    Quantity,
    UnitSpec,
)


__all__ = [
    "RateKind",
    "RateSchedule",
    "RateStep",
    "rate_kind",
    "rate_to_ml_h",
    "read_minutes",
    "read_rate",
    "step_rates_ml_h",
]

#: Upper bound on a step's duration (catches minutes typed as seconds etc.).
_MAX_STEP_MIN: Final = 7 * 24 * 60.0
#: The shortest step of a rate schedule, min. A "cannot be meant" sanity
#: limit, not a sourced one: the labels step every 15 to 30 minutes, and a
#: step of seconds ("1e-9 min") makes the ramp vanish.
MIN_STEP_MIN: Final = 5.0

#: The highest rate any label in the shipped catalogue allows, mg/kg/min:
#: Panzyga, primary immunodeficiency, 14 mg/kg/min (source: panzyga-uspi).
#: A rate above it is refused as a slip ("80 mg/kg/min"): it is above every
#: label's maximum.
MAX_LABEL_RATE_MG_PER_KG_PER_MIN: Final = 14.0
#: The same ceiling per volume: 14 mg/kg/min at the most dilute shipped
#: product (5 %, 50 mg/mL) is 0.28 mL/kg/min (derived, not a label value).
MAX_LABEL_RATE_ML_PER_KG_PER_MIN: Final = 0.28
#: The lowest per-kg rate accepted, mg/kg/min: a tenth of the lowest labelled
#: starting rate in the catalogue (0.5 mg/kg/min). A "cannot be meant" sanity
#: limit (unsourced as a limit): an at-risk cap of 0.0001 mg/kg/min gave a
#: 166 932-hour infusion.
MIN_RATE_MG_PER_KG_PER_MIN: Final = 0.05
#: The same floor per volume at the most concentrated products (20 %,
#: 200 mg/mL): 0.05 mg/kg/min is 0.00025 mL/kg/min (derived).
MIN_RATE_ML_PER_KG_PER_MIN: Final = 0.00025


class RateKind(enum.Enum):
    """Which kind of rate a step is given in.

    .. versionadded:: 0.1.0
    """

    MG_PER_KG_PER_MIN = "mg/kg/min"
    ML_PER_KG_PER_MIN = "mL/kg/min"
    ML_PER_H = "mL/h"

    @property
    def unit(self) -> UnitSpec:
        """The canonical unit rates of this kind are stored in."""
        return _SPECS[self]


_SPECS: Final = {
    RateKind.MG_PER_KG_PER_MIN: MG_PER_KG_PER_MIN,
    RateKind.ML_PER_KG_PER_MIN: ML_PER_KG_PER_MIN,
    RateKind.ML_PER_H: ML_PER_H,
}
_KINDS: Final = (
    RateKind.ML_PER_H,
    RateKind.ML_PER_KG_PER_MIN,
    RateKind.MG_PER_KG_PER_MIN,
)


def rate_kind(value: object, *, field: str = "rate") -> RateKind:
    """Return the kind of an infusion rate (quantity or string).

    Raises:
        UnitError: Not a rate of any of the three kinds.

    Example:
        >>> rate_kind("0.5 mL/kg/h")
        <RateKind.ML_PER_KG_PER_MIN: 'mL/kg/min'>

    .. versionadded:: 0.1.0
    """
    for kind in _KINDS:  # fast path: a rate in a canonical unit (e.g. ours)
        if units.is_canonical(value, kind.unit):
            if kind is RateKind.MG_PER_KG_PER_MIN:
                units.to_float(value, field=field, unit=kind.unit)  # magnitude
            return kind
    for kind in (RateKind.ML_PER_H, RateKind.ML_PER_KG_PER_MIN):
        if units.has_dimension(value, kind.unit):
            return kind
    if units.has_dimension(value, MG_PER_KG_PER_MIN):
        units.to_float(value, field=field, unit=MG_PER_KG_PER_MIN)  # mass ratio
        return RateKind.MG_PER_KG_PER_MIN
    # Let the boundary produce its usual message (bare number, wrong unit...).
    units.to_float(value, field=field, unit=ML_PER_H)
    raise UnitError(  # pragma: no cover - to_float raised above
        field, value, "a rate in mg/kg/min, mL/kg/min or mL/h"
    )


#: Per-kind plausibility bounds of a rate (mL/h has none: it depends on
#: the weight and the product).
_RATE_BOUNDS: Final = {
    RateKind.MG_PER_KG_PER_MIN: (
        MIN_RATE_MG_PER_KG_PER_MIN,
        MAX_LABEL_RATE_MG_PER_KG_PER_MIN,
    ),
    RateKind.ML_PER_KG_PER_MIN: (
        MIN_RATE_ML_PER_KG_PER_MIN,
        MAX_LABEL_RATE_ML_PER_KG_PER_MIN,
    ),
}


def read_rate(value: object, *, field: str) -> Quantity:
    """Check a rate > 0 of any kind and return it in its kind's canonical unit.

    Raises:
        UnitError: Not a rate of any of the three kinds.
        InputError: Not above 0.

    Example:
        >>> read_rate("0.5 mL/kg/h", field="rate")
        <Quantity(0.00833333333, 'milliliter / kilogram / minute')>

    .. versionadded:: 0.1.0
    """
    kind = rate_kind(value, field=field)
    magnitude = units.to_float(value, field=field, unit=kind.unit)
    if not magnitude > 0:
        raise InputError(
            field, value, f"a rate > 0 {kind.value}", f"{magnitude:g} is not > 0"
        )
    bounds = _RATE_BOUNDS.get(kind)
    if bounds is not None:
        low, high = bounds
        units.require_range(
            magnitude,
            field=field,
            unit=kind.unit,
            low=low,
            high=high,
            why=(
                "above it is above every label's maximum (Panzyga 14 mg/kg/min); "
                "below it is a tenth of the lowest labelled starting rate"
            ),
        )
    return units.quantity(magnitude, kind.unit)


def _rate(value: object) -> Quantity:
    return read_rate(value, field="rate")


def _maximum(value: object) -> Quantity:
    return read_rate(value, field="maximum")


def read_minutes(value: object, *, field: str) -> float:
    """Check a step duration (quantity or string) and return it in minutes.

    .. versionadded:: 0.1.0
    """
    minutes = units.to_float(value, field=field, unit=MINUTE)
    return units.require_range(
        minutes,
        field=field,
        unit=MINUTE,
        low=MIN_STEP_MIN,
        high=_MAX_STEP_MIN,
        why="a step lasts at least 5 min (labels step every 15 to 30 min) and "
        "at most 7 days",
    )


def _duration(value: object) -> Quantity | None:
    if value is None:
        return None
    return units.quantity(read_minutes(value, field="duration"), MINUTE)


def _kind_of(step: RateStep) -> RateKind:
    return rate_kind(step.rate)


def _source_text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("source", value, "a non-empty string")
    return value


@attrs.frozen(kw_only=True)
class RateStep:
    """One step of a rate schedule.

    Attributes:
        rate: The rate, in mg/kg/min, mL/kg/min (``"0.5 mL/kg/h"`` is
            accepted and stored per minute) or mL/h.
        duration: How long the step runs, or ``None`` for the last step,
            which runs until the volume is given.
        kind: Which kind of rate :attr:`rate` is (derived, not an argument).

    Example:
        >>> RateStep(rate="0.5 mL/kg/h", duration="30 min").kind.value
        'mL/kg/min'

    .. versionadded:: 0.1.0
    """

    rate: Quantity = attrs.field(converter=_rate)
    duration: Quantity | None = attrs.field(default=None, converter=_duration)
    kind: RateKind = attrs.field(
        init=False, default=attrs.Factory(_kind_of, takes_self=True)
    )

    @property
    def rate_value(self) -> float:
        """The rate in its kind's canonical unit, as a float."""
        return float(self.rate.magnitude)

    @property
    def duration_min(self) -> float | None:
        """The duration in minutes, or ``None`` for a hold step."""
        return None if self.duration is None else float(self.duration.magnitude)


def _steps(value: object) -> tuple[RateStep, ...]:
    if isinstance(value, (str, bytes)) or not _iterates(value):
        raise InputError("steps", value, "a non-empty sequence of RateStep")
    steps = tuple(value)
    if not steps:
        raise InputError("steps", value, "a non-empty sequence of RateStep")
    for i, step in enumerate(steps):
        if not isinstance(step, RateStep):
            raise InputError(f"steps[{i}]", step, "a RateStep")
        last = i == len(steps) - 1
        if last and step.duration is not None:
            raise InputError(
                f"steps[{i}].duration",
                step.duration,
                "None: the last step runs until the volume is given",
            )
        if not last and step.duration is None:
            raise InputError(
                f"steps[{i}].duration", None, "a duration (only the last step has none)"
            )
    return steps


def _notes(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not _iterates(value):
        raise InputError("notes", value, "a sequence of strings")
    notes = tuple(value)
    for note in notes:
        if not isinstance(note, str):
            raise InputError("notes", value, "a sequence of strings")
    return notes


def _optional_key(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError("indication", value, "None or a non-empty string")
    return value.strip().lower()


@attrs.frozen(kw_only=True)
class RateSchedule:
    """A list of rate steps with a maximum and a source.

    A step whose rate is of the same kind as :attr:`maximum` and above it is
    refused here; steps of another kind are checked by :func:`plan_infusion`,
    when the weight and the concentration are known.

    Attributes:
        steps: The steps, in order; only the last has no duration.
        maximum: The schedule's maximum rate (any of the three kinds).
        source: Where the schedule comes from (label, local protocol).
        notes: Which parts are local policy rather than label, and similar.
        indication: The indication key whose labelled maximum applies, or
            ``None`` (a local protocol not tied to an indication).

    Example:
        >>> us = RateSchedule.ramp(start="30 mL/h", increment="30 mL/h",
        ...     every="15 min", maximum="150 mL/h",
        ...     source="US IVIG order form")
        >>> [step.rate_value for step in us.steps]
        [30.0, 60.0, 90.0, 120.0, 150.0]

    .. versionadded:: 0.1.0
    """

    steps: tuple[RateStep, ...] = attrs.field(converter=_steps)
    maximum: Quantity = attrs.field(converter=_maximum)
    source: str = attrs.field(converter=_source_text)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_notes)
    indication: str | None = attrs.field(default=None, converter=_optional_key)

    def __attrs_post_init__(self) -> None:
        """Refuse steps above the maximum (holds with validators disabled)."""
        max_kind = self.maximum_kind
        limit = float(self.maximum.magnitude)
        for i, step in enumerate(self.steps):
            if step.kind is max_kind and exceeds(step.rate_value, limit):
                raise InputError(
                    f"steps[{i}].rate",
                    step.rate,
                    f"at most the schedule's maximum {limit:g} {max_kind.value}",
                    f"step {i + 1} runs at {step.rate_value:g} {max_kind.value}, "
                    f"above the maximum {limit:g} {max_kind.value}",
                )

    @property
    def maximum_kind(self) -> RateKind:
        """The kind of :attr:`maximum`."""
        return rate_kind(self.maximum)

    @classmethod
    def ramp(
        cls,
        *,
        start: object,
        increment: object,
        every: object,
        maximum: object,
        source: str,
        first: object | None = None,
        notes: Sequence[str] = (),
        indication: str | None = None,
    ) -> RateSchedule:
        """Build "start at X, add Y every Z, up to M" as explicit steps.

        Args:
            start: The first rate.
            increment: What each step adds (same kind as *start*).
            every: How long each step before the last runs.
            maximum: The highest rate; the last step runs at it. When the
                increments do not land on it exactly, the last step is set
                to the maximum and a note says so.
            source: Where the protocol comes from.
            first: How long the first step runs, if not *every*.
            notes: Extra notes (e.g. which parts are local policy).
            indication: The indication whose labelled maximum applies.

        Raises:
            InputError: Mixed kinds, a non-positive increment, or a start
                above the maximum.

        .. versionadded:: 0.1.0
        """
        start_q = read_rate(start, field="start")
        kind = rate_kind(start_q)
        inc_q = read_rate(increment, field="increment")
        max_q = read_rate(maximum, field="maximum")
        for name, q in (("increment", inc_q), ("maximum", max_q)):
            if rate_kind(q) is not kind:
                raise InputError(
                    name, q, f"a rate in {kind.value}, the kind of the start rate"
                )
        start_v = float(start_q.magnitude)
        inc_v = float(inc_q.magnitude)
        max_v = float(max_q.magnitude)
        if exceeds(start_v, max_v):
            raise InputError(
                "start", start_q, f"at most the maximum {max_v:g} {kind.value}"
            )
        every_min = read_minutes(every, field="every")
        first_min = every_min if first is None else read_minutes(first, field="first")
        rates = _ramp_values(start_v, inc_v, max_v)
        all_notes = list(notes)
        if rates[-1] == max_v and len(rates) > 1:
            reached = rates[-2] + inc_v
            if not math.isclose(reached, max_v, rel_tol=REL_TOL):
                all_notes.append(
                    f"the last step is set to the maximum {max_v:g} {kind.value}; "
                    f"the increment would give {reached:g}"
                )
        steps = []
        for i, value in enumerate(rates):
            last = i == len(rates) - 1
            minutes = None if last else (first_min if i == 0 else every_min)
            steps.append(
                RateStep(
                    rate=units.quantity(value, kind.unit),
                    duration=None
                    if minutes is None
                    else units.quantity(minutes, MINUTE),
                )
            )
        return cls(
            steps=steps,
            maximum=max_q,
            source=source,
            notes=all_notes,
            indication=indication,
        )


def _ramp_values(start: float, increment: float, maximum: float) -> list[float]:
    """Start, start + increment, ... up to maximum (the last value is maximum)."""
    values = [start]
    k = 1
    while True:
        nxt = round(start + k * increment, 10)  # no 2.9000000000000004
        if math.isclose(nxt, maximum, rel_tol=REL_TOL) or nxt > maximum:
            break
        values.append(nxt)
        k += 1
        if k > 10_000:
            raise InputError(
                "increment",
                increment,
                "a step size that reaches the maximum in at most 10,000 steps",
            )
    if not math.isclose(values[-1], maximum, rel_tol=REL_TOL):
        values.append(maximum)
    return values


# --------------------------------------------------------------------------
# Float core


def rate_to_ml_h(
    value: float, kind: RateKind, weight_kg: float, concentration_g_per_l: float
) -> float:
    """Convert a rate of *kind* to mL/h for a weight and a concentration.

    A concentration in g/L is the same number in mg/mL, so
    mg/kg/min → mL/h is ``value × weight_kg × 60 / concentration``.

    Example:
        >>> rate_to_ml_h(1.0, RateKind.MG_PER_KG_PER_MIN, 70.0, 100.0)
        42.0

    .. versionadded:: 0.1.0
    """
    if kind is RateKind.MG_PER_KG_PER_MIN:
        return value * weight_kg * 60.0 / concentration_g_per_l
    if kind is RateKind.ML_PER_KG_PER_MIN:
        return value * weight_kg * 60.0
    return value


def step_rates_ml_h(
    schedule: RateSchedule, weight_kg: float, concentration_g_per_l: float
) -> list[float]:
    """Each step of *schedule* in mL/h for a weight and a concentration.

    .. versionadded:: 0.1.0
    """
    if not isinstance(schedule, RateSchedule):
        raise InputError("schedule", schedule, "a RateSchedule")
    weight_kg = _finite(weight_kg, field="weight", positive=True)
    concentration_g_per_l = _finite(
        concentration_g_per_l, field="concentration", positive=True
    )
    return [
        rate_to_ml_h(step.rate_value, step.kind, weight_kg, concentration_g_per_l)
        for step in schedule.steps
    ]
