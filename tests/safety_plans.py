"""Minimal plans for the safety tests (a test helper, not shipped).

Applications build plans with
:func:`~ivig_core.planning.course.plan_course`. These builders make the
smallest :class:`~ivig_core.plan.Plan` a check needs, including plans the
planner would refuse (a rate above the label), so that the checks can be
shown to catch them on their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

import attrs

from ivig_core import units
from ivig_core.dosing_weight import DosingWeight, WeightBasis
from ivig_core.plan import Cycle, Infusion, Phase, Plan
from ivig_core.products import get_product
from ivig_core.regimen import DayRange, Maintenance, Regimen
from ivig_core.safety import Finding, FindingCode, SafetyReport
from ivig_core.units import KG


if TYPE_CHECKING:
    from ivig_core.infusion import InfusionRun
    from ivig_core.vials import VialSelection


__all__ = ["fired", "make_plan", "unassessed"]

START = dt.date(2026, 1, 5)


@attrs.frozen(kw_only=True)
class FixtureVials:
    """Stands in for a vial selection (no check reads vials)."""

    grams: float


@attrs.frozen(kw_only=True)
class FixtureStep:
    """A planned rate step: only what the checks read."""

    rate_ml_h: float


@attrs.frozen(kw_only=True)
class FixtureRun:
    """A planned run: the steps in mL/h and the weight the rates used.

    Built directly, so a fixture can hold rates the planner would refuse.
    """

    steps: tuple[FixtureStep, ...]
    rate_weight_kg: float
    duration_min: float = 0.0


def _run(weight_kg: float, conc: float, rates: Sequence[float]) -> InfusionRun:
    steps = tuple(
        FixtureStep(rate_ml_h=rate * weight_kg * 60.0 / conc) for rate in rates
    )
    return cast("InfusionRun", FixtureRun(steps=steps, rate_weight_kg=weight_kg))


def make_plan(
    *,
    product: str = "octagam-10",
    weight_kg: float = 70.0,
    course_g_per_kg: float = 2.0,
    days: int = 2,
    cycles: int = 1,
    interval_days: int = 28,
    starts: Sequence[dt.date] | None = None,
    rates_mg_kg_min: Sequence[float] = (1.0, 2.0, 3.0),
    basis: str = "actual",
) -> Plan:
    """A maintenance-only plan with equal days and the given rate steps.

    Args:
        product: Product name or key.
        weight_kg: Dosing weight (also the rate weight), kg.
        course_g_per_kg: Dose per course, g/kg.
        days: Days per course.
        cycles: Number of courses.
        interval_days: The regimen's interval.
        starts: Actual course start dates (default: by the interval).
        rates_mg_kg_min: The rate steps, mg/kg/min (not checked here).
        basis: Dosing-weight basis (``"actual"``, ``"ideal"``, ...).
    """
    prod = get_product(product)
    conc = prod.concentration_g_per_l
    planned = [START + dt.timedelta(days=interval_days * k) for k in range(cycles)]
    actual = list(starts) if starts is not None else planned
    day_dose = course_g_per_kg / days
    grams = day_dose * weight_kg
    volume = grams / conc * 1000.0
    infusions: list[Infusion] = []
    cycle_records = []
    for k, start in enumerate(actual, start=1):
        infusions.extend(
            Infusion(
                date=start + dt.timedelta(days=d - 1),
                phase=Phase.MAINTENANCE,
                cycle=k,
                day=d,
                days_in_course=days,
                dose_g_per_kg=day_dose,
                calculated_g=grams,
                dispensed_g=grams,
                vials=cast("VialSelection", FixtureVials(grams=grams)),
                volume_ml=volume,
                run=_run(weight_kg, conc, rates_mg_kg_min),
            )
            for d in range(1, days + 1)
        )
        cycle_records.append(
            Cycle(
                number=k,
                phase=Phase.MAINTENANCE,
                planned_start=planned[k - 1],
                start=start,
                days=days,
                dose_g_per_kg=course_g_per_kg,
                interval_days=float(interval_days),
                calculated_g=grams * days,
                dispensed_g=grams * days,
                volume_ml=volume * days,
                label="test fixture",
            )
        )
    regimen = Regimen(
        name="fixture",
        maintenance=Maintenance(
            dose=f"{course_g_per_kg} g/kg",
            interval=f"{interval_days} day",
            allowed_days=DayRange.exactly(days),
            days=days,
            allowed_cycles=DayRange(low=1),
            cycles=cycles,
            source="test fixture",
        ),
        source="test fixture",
    )
    return Plan(
        regimen=regimen,
        product=prod.name,
        dosing_weight=DosingWeight(
            weight=units.quantity(weight_kg, KG),
            basis=WeightBasis(basis),
            policy="fixture",
            reason="test fixture",
            source="test fixture",
        ),
        rounding="test fixture",
        start=actual[0],
        infusions=tuple(infusions),
        cycles=tuple(cycle_records),
        ended="cycles",
        notes=(),
        trace=(),
    )


def fired(report: SafetyReport, code: FindingCode) -> tuple[Finding, ...]:
    """The assessed findings of *report* with *code*."""
    return tuple(f for f in report.with_code(code) if f.assessed)


def unassessed(report: SafetyReport, code: FindingCode) -> tuple[Finding, ...]:
    """The not-assessed findings of *report* with *code*."""
    return tuple(f for f in report.with_code(code) if not f.assessed)
