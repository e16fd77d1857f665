"""Apply a taper strategy: courses of non-increasing dose intensity.

Dose intensity is the dose per course divided by the interval in weeks
(g/kg/week). Starting from the maintenance dose and interval, a strategy
gives steps; each step is a dose per course, an interval and a number of
cycles. Every step's intensity is at most the one before it: a strategy
that would raise it is refused.

The taper ends at stop (after the strategy's last step, or at a step of
0 %) or at a floor, a minimum effective dose intensity that is always the
prescriber's parameter: a step that would fall below the floor is given at
the floor intensity (at that step's interval) and the taper ends there. A
strategy that runs out of steps above its floor is refused, as is one that
never ends.
"""

from __future__ import annotations

from typing import Final, Literal

import attrs

from ivig_core._checks import DAYS_PER_WEEK, REL_TOL, below, exceeds, finite
from ivig_core.errors import InputError, PlanningError
from ivig_core.regimen import (
    Combined,
    DoseSteps,
    Floor,
    IntervalExtension,
    PercentPerInfusion,
    Stop,
    TaperEnd,
    TaperStrategy,
    intensity_g_per_kg_per_week,
)


__all__ = ["TaperPlan", "TaperStep", "taper_steps"]

#: A "previous"-percentage taper with a floor ends in at most this many
#: steps (a guard against an endless loop, not a clinical number: 25 % per
#: step falls below 1e-6 of the start within 50 steps).
_MAX_GENERATED_STEPS: Final = 1000


@attrs.frozen(kw_only=True)
class TaperStep:
    """One taper step: a dose per course held for some cycles at an interval.

    Attributes:
        dose_g_per_kg: Dose per course.
        interval_days: From one course's first day to the next's.
        cycles: How many courses the step lasts.
        label: How the step was obtained, e.g. ``"75 % of 1 g/kg"``.
        at_floor: Whether the step was set to the floor.

    .. versionadded:: 0.1.0
    """

    dose_g_per_kg: float
    interval_days: float
    cycles: int
    label: str
    at_floor: bool = False

    @property
    def intensity_g_per_kg_per_week(self) -> float:
        """The step's dose intensity."""
        return intensity_g_per_kg_per_week(self.dose_g_per_kg, self.interval_days)


@attrs.frozen(kw_only=True)
class TaperPlan:
    """The steps of a taper and how it ended.

    Attributes:
        steps: The steps, in order (may be empty when the first step stops).
        ended: ``"floor"`` or ``"stop"``.
        notes: What happened at the end, in words.
        source: The strategy's source(s).

    .. versionadded:: 0.1.0
    """

    steps: tuple[TaperStep, ...]
    ended: Literal["floor", "stop"]
    notes: tuple[str, ...]
    source: str


@attrs.frozen
class _Raw:
    """A step as the strategy gives it, before the end rule (private)."""

    dose: float
    interval: float
    cycles: int
    label: str
    stop: bool = False


def _fmt_weeks(days: float) -> str:
    weeks = days / DAYS_PER_WEEK
    return f"{weeks:g} weeks" if weeks == round(weeks) else f"{days:g} days"


def _dose_steps(s: DoseSteps, dose: float, interval: float) -> list[_Raw]:
    cycles = s.hold.cycles_at(interval)
    out: list[_Raw] = []
    for fraction in s.fractions:
        label = f"{fraction * 100:g} % of {dose:g} g/kg"
        if fraction == 0.0:
            out.append(_Raw(0.0, interval, cycles, f"{label}: stop", stop=True))
            break
        out.append(_Raw(dose * fraction, interval, cycles, label))
    return out


def _percent_steps(
    s: PercentPerInfusion, dose: float, interval: float, floor: float | None
) -> list[_Raw]:
    if s.of == "previous" and s.max_steps is None and floor is None:
        raise PlanningError(
            "taper.strategy: PercentPerInfusion(of='previous') never reaches "
            "zero; give it max_steps or end the taper at a Floor"
        )
    limit = s.max_steps if s.max_steps is not None else _MAX_GENERATED_STEPS
    out: list[_Raw] = []
    for k in range(1, limit + 1):
        if s.of == "starting":
            value = dose * (1.0 - k * s.percent / 100.0)
            label = f"−{k * s.percent:g} % of {dose:g} g/kg (step {k})"
        else:
            value = dose * (1.0 - s.percent / 100.0) ** k
            label = f"−{s.percent:g} % of the previous dose (step {k})"
        if value <= dose * REL_TOL:
            out.append(_Raw(0.0, interval, 1, f"{label}: stop", stop=True))
            return out
        out.append(_Raw(value, interval, 1, label))
        if floor is not None and intensity_g_per_kg_per_week(
            value, interval
        ) < floor * (1.0 - REL_TOL):
            return out
    return out


def _interval_steps(s: IntervalExtension, dose: float, interval: float) -> list[_Raw]:
    out: list[_Raw] = []
    for q in s.intervals:
        new = float(q.magnitude)
        if new < interval:
            raise PlanningError(
                f"taper.strategy: an interval of {_fmt_weeks(new)} after "
                f"{_fmt_weeks(interval)} would raise the dose intensity from "
                f"{intensity_g_per_kg_per_week(dose, interval):.4g} to "
                f"{intensity_g_per_kg_per_week(dose, new):.4g} g/kg/week"
            )
        out.append(
            _Raw(
                dose,
                new,
                s.hold.cycles_at(new),
                f"{dose:g} g/kg every {_fmt_weeks(new)}",
            )
        )
        interval = new
    return out


def _raw_steps(
    strategy: TaperStrategy, dose: float, interval: float, floor: float | None
) -> tuple[list[_Raw], str]:
    if isinstance(strategy, DoseSteps):
        return _dose_steps(strategy, dose, interval), strategy.source
    if isinstance(strategy, PercentPerInfusion):
        return _percent_steps(strategy, dose, interval, floor), strategy.source
    if isinstance(strategy, IntervalExtension):
        return _interval_steps(strategy, dose, interval), strategy.source
    if isinstance(strategy, Combined):
        out: list[_Raw] = []
        sources: list[str] = []
        for part in strategy.parts:
            steps, source = _raw_steps(part, dose, interval, floor)
            out.extend(steps)
            sources.append(source)
            if not steps:
                continue
            if steps[-1].stop:
                break
            dose, interval = steps[-1].dose, steps[-1].interval
        return out, "; ".join(dict.fromkeys(sources))
    raise InputError(  # pragma: no cover - the Regimen converter checks it
        "taper.strategy", strategy, "a taper strategy"
    )


def taper_steps(
    strategy: TaperStrategy,
    end: TaperEnd,
    *,
    start_dose_g_per_kg: float,
    start_interval_days: float,
) -> TaperPlan:
    """Apply *strategy* from a dose and interval, ending at *end*.

    Args:
        strategy: The taper strategy.
        end: :class:`~ivig_core.regimen.Floor` or
            :class:`~ivig_core.regimen.Stop`.
        start_dose_g_per_kg: The dose per course before the taper (> 0).
        start_interval_days: The interval before the taper (> 0).

    Raises:
        InputError: A start dose or interval ≤ 0.
        PlanningError: A step that would raise the dose intensity; a floor
            above the starting intensity; a floor never reached; a taper
            that never ends.

    Example:
        >>> from ivig_core.regimen import DoseSteps, Stop
        >>> t = taper_steps(DoseSteps.jnd_2023(), Stop(),
        ...                 start_dose_g_per_kg=1.0, start_interval_days=28.0)
        >>> [(s.dose_g_per_kg, s.cycles) for s in t.steps], t.ended
        ([(0.9, 3), (0.75, 3), (0.5, 3), (0.25, 3)], 'stop')

    .. versionadded:: 0.1.0
    """
    if not isinstance(
        strategy, (DoseSteps, PercentPerInfusion, IntervalExtension, Combined)
    ):
        raise InputError("strategy", strategy, "a taper strategy of ivig_core.regimen")
    if not isinstance(end, (Floor, Stop)):
        raise InputError("end", end, "Floor or Stop")
    start_dose_g_per_kg = finite(
        start_dose_g_per_kg,
        field="maintenance.dose",
        positive=True,
        allowed="a dose > 0 g/kg",
    )
    # An interval under a day cannot be meant (and a subnormal one divides by
    # zero in the intensity): the same bound as every regimen interval.
    start_interval_days = finite(
        start_interval_days,
        field="maintenance.interval",
        low=1.0,
        allowed="an interval >= 1 day",
    )
    start_dose_g_per_kg = float(start_dose_g_per_kg)
    start_interval_days = float(start_interval_days)
    floor = end.intensity_g_per_kg_per_week if isinstance(end, Floor) else None
    start_intensity = intensity_g_per_kg_per_week(
        start_dose_g_per_kg, start_interval_days
    )
    if floor is not None and exceeds(floor, start_intensity):
        raise PlanningError(
            f"taper.end: the floor {floor:.4g} g/kg/week is above the starting "
            f"dose intensity {start_intensity:.4g} g/kg/week; a taper to it "
            "would raise the intensity"
        )
    raw, source = _raw_steps(strategy, start_dose_g_per_kg, start_interval_days, floor)
    steps: list[TaperStep] = []
    previous = start_intensity
    last = (start_dose_g_per_kg, start_interval_days)
    for item in raw:
        if item.stop:
            if floor is not None:
                steps.append(_floor_step(floor, item, *last))
                return _ended_at_floor(steps, floor, item, source)
            return TaperPlan(
                steps=tuple(steps),
                ended="stop",
                notes=(f"{item.label}: treatment stops after the previous step",),
                source=source,
            )
        intensity = intensity_g_per_kg_per_week(item.dose, item.interval)
        if exceeds(intensity, previous):
            raise PlanningError(
                f"taper.strategy: step '{item.label}' would raise the dose "
                f"intensity from {previous:.4g} to {intensity:.4g} g/kg/week"
            )
        if floor is not None and below(intensity, floor):
            steps.append(_floor_step(floor, item, *last))
            return _ended_at_floor(steps, floor, item, source)
        steps.append(
            TaperStep(
                dose_g_per_kg=item.dose,
                interval_days=item.interval,
                cycles=item.cycles,
                label=item.label,
                at_floor=floor is not None and not exceeds(intensity, floor),
            )
        )
        previous = intensity
        last = (item.dose, item.interval)
        if steps[-1].at_floor:
            return TaperPlan(
                steps=tuple(steps),
                ended="floor",
                notes=(f"{item.label} reaches the floor {floor:.4g} g/kg/week",),
                source=source,
            )
    if floor is not None:
        raise PlanningError(
            f"taper.end: the strategy ends at {previous:.4g} g/kg/week, above the "
            f"floor of {floor:.4g} g/kg/week; add steps or end at Stop()"
        )
    return TaperPlan(
        steps=tuple(steps),
        ended="stop",
        notes=("treatment stops after the strategy's last step",),
        source=source,
    )


def _floor_step(
    floor: float, item: _Raw, previous_dose: float, previous_interval: float
) -> TaperStep:
    """The step at the floor intensity that replaces *item*.

    At *item*'s interval, unless the floor dose there would exceed the
    previous dose per course (an interval extension past the floor); then at
    the previous interval, so neither dose nor intensity rises.
    """
    cycles = item.cycles if item.cycles > 0 else 1
    interval = item.interval
    dose = floor * interval / DAYS_PER_WEEK
    if exceeds(dose, previous_dose):
        interval = previous_interval
        dose = floor * interval / DAYS_PER_WEEK
    return TaperStep(
        dose_g_per_kg=dose,
        interval_days=interval,
        cycles=cycles,
        label=f"floor {floor:.4g} g/kg/week: {dose:.4g} g/kg every "
        f"{_fmt_weeks(interval)} (instead of {item.label})",
        at_floor=True,
    )


def _ended_at_floor(
    steps: list[TaperStep], floor: float, item: _Raw, source: str
) -> TaperPlan:
    return TaperPlan(
        steps=tuple(steps),
        ended="floor",
        notes=(
            (
                f"'{item.label}' would fall below the floor of {floor:.4g} g/kg/week; "
                "that step is given at the floor and the taper ends there"
            ),
        ),
        source=source,
    )
