"""Review points: where a regimen asks for the response to be reviewed.

A taper holds each step "while there is no deterioration" (J Neuromuscul
Dis 2023;10:787): before the first course of each new step, the response
is reviewed, and the regimen says what to do either way: step down (or
stop) with no deterioration, return to the previous step on deterioration.
The maintenance courses before a taper end with the same review (step down
into the taper, or continue the maintenance dose). The decision is the
prescriber's; the plan lists the dates and the two branches.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ivig_core.plan import Cycle, Phase, ReviewPoint


if TYPE_CHECKING:
    from collections.abc import Sequence

    from ivig_core.planning.taper import TaperPlan, TaperStep


__all__ = ["review_points"]


def _step(dose: float, interval: float) -> str:
    return f"{dose:.4g} g/kg every {interval:g} days"


def _describe(step: TaperStep) -> str:
    if step.dose_g_per_kg == 0.0:
        return "stop"
    return f"{_step(step.dose_g_per_kg, step.interval_days)} ({step.label})"


def review_points(
    cycles: Sequence[Cycle], taper: TaperPlan | None
) -> tuple[ReviewPoint, ...]:
    """The review points of a plan's *cycles* under its *taper* (or none).

    .. versionadded:: 0.2.0
    """
    if taper is None:
        return ()
    tapered = [c for c in cycles if c.phase is Phase.TAPER]
    before = [c for c in cycles if c.phase is not Phase.TAPER]
    if not before:
        return ()
    last = before[-1]
    descs = [_step(last.dose_g_per_kg, last.interval_days) + " (maintenance)"]
    source = f"taper: {taper.source}"
    points: list[ReviewPoint] = []
    index = 0
    for number, step in enumerate(taper.steps, start=1):
        if index < len(tapered):
            first = tapered[index]
            date, cycle = first.start, first.number
        else:  # a stop step has no course: review one interval after the last
            prior = tapered[-1] if tapered else last
            date = prior.start + dt.timedelta(days=int(prior.interval_days))
            cycle = prior.number + 1
        held = "the maintenance courses" if number == 1 else f"taper step {number - 1}"
        points.append(
            ReviewPoint(
                date=date,
                cycle=cycle,
                reason=f"end of {held}",
                if_stable=(
                    "stop"
                    if step.dose_g_per_kg == 0.0
                    else f"step down to taper step {number}: {_describe(step)}"
                ),
                if_deterioration=(
                    f"continue {descs[0]}"
                    if number == 1
                    else f"return to the previous step: {descs[number - 2]}"
                ),
                source=source,
            )
        )
        descs.append(_describe(step))
        index += step.cycles if step.dose_g_per_kg > 0.0 else 0
    if taper.steps and taper.steps[-1].dose_g_per_kg > 0.0 and tapered:
        end = tapered[-1]
        n = len(taper.steps)
        points.append(
            ReviewPoint(
                date=end.start + dt.timedelta(days=int(end.interval_days)),
                cycle=end.number + 1,
                reason=f"end of taper step {n} (the plan's last course)",
                if_stable=(
                    f"continue at the floor: {descs[n]}"
                    if taper.ended == "floor"
                    else "stop"
                ),
                if_deterioration=f"return to the previous step: {descs[n - 1]}",
                source=source,
            )
        )
    return tuple(points)
