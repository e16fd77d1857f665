"""The plan: dated infusions with grams, vials, volumes and rates, explained.

A :class:`Plan` is immutable and built by
:func:`~ivig_core.planning.course.plan_course`. It holds one
:class:`Infusion` per infusion day, one :class:`Cycle` per course (with its
totals), the :class:`~ivig_core.DosingWeight` used, notes (e.g. courses moved
for closed days) and a :class:`Trace`: for every number, the formula, the
inputs and the source. :func:`ivig_core.io.text.explain` prints it for a
pharmacist to check line by line.

Numbers are held as floats whose names carry their unit (``calculated_g``,
``volume_ml``), because a plan has many of them and pint costs 5-150 µs per
quantity; the quantity properties (``calculated``, ``volume``) wrap them at
the boundary. Equal inputs give equal plans (attrs equality).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Literal

import attrs

from ivig_core import units
from ivig_core.findings import SafetyReport
from ivig_core.products import Route
from ivig_core.trace import Trace
from ivig_core.units import (
    G_PER_KG,
    G_PER_KG_PER_WEEK,
    MINUTE,
    ML,
    ML_PER_H,
    G,
    Quantity,
)


if TYPE_CHECKING:
    from ivig_core.dosing_weight import DosingWeight
    from ivig_core.infusion import InfusionRun
    from ivig_core.regimen import Regimen
    from ivig_core.vials import VialSelection


__all__ = ["Cycle", "Infusion", "Phase", "Plan", "ScDetails", "Trace"]

_DAYS_PER_WEEK = 7.0


class Phase(enum.Enum):
    """Which part of the regimen a course belongs to.

    .. versionadded:: 0.1.0
    """

    INDUCTION = "induction"
    MAINTENANCE = "maintenance"
    TAPER = "taper"
    #: HyQvia's labelled ramp-up courses (1-, 2- and 3-week doses) before
    #: the full dose; their gaps are the label's ramp, not the regimen's
    #: interval.
    #:
    #: .. versionadded:: 0.1.0
    RAMP_UP = "ramp_up"


@attrs.frozen(kw_only=True)
class ScDetails:
    """The subcutaneous part of one infusion (``Infusion.sc``).

    Recorded by the SC planner (:func:`~ivig_core.planning.plan_scig`); the
    safety checks re-check the numbers (volume per site from the infusion's
    volume, rate per site from its run) rather than trusting them.

    Attributes:
        date: The infusion day (matches the infusion's date).
        route: SC or facilitated SC.
        sites: Number of infusion sites at once.
        volume_ml: The infusion's volume, mL.
        volume_per_site_ml: Volume at each site (equal split), mL.
        volume_limit_per_site_ml: The label's per-site limit for this number
            of sites, mL.
        max_sites: The label's (or your) maximum number of sites.
        rate_per_site_ml_h: The rate at each site, mL/h.
        rate_limit_per_site_ml_h: The label's per-site maximum, or ``None``.
        total_rate_ml_h: Pump rate over all sites (per-site rate × sites).
        volume_per_day_limit_ml: The label's daily volume limit, or ``None``.
        applies_to: The catalogue situations whose limits were applied.
        sources: Where each limit comes from.
        total_rate_limit_ml_h: The label's maximum rate over all sites
            (e.g. Gammagard Liquid SC), mL/h, or ``None``.

    .. versionadded:: 0.1.0
    """

    date: dt.date
    route: Route
    sites: int
    volume_ml: float
    volume_per_site_ml: float
    volume_limit_per_site_ml: float
    max_sites: int
    rate_per_site_ml_h: float
    rate_limit_per_site_ml_h: float | None
    total_rate_ml_h: float
    volume_per_day_limit_ml: float | None
    applies_to: tuple[str, ...]
    sources: tuple[str, ...]
    total_rate_limit_ml_h: float | None = None

    @property
    def volume_per_site(self) -> Quantity:
        """Volume at each site."""
        return units.quantity(self.volume_per_site_ml, ML)

    @property
    def rate_per_site(self) -> Quantity:
        """Rate at each site."""
        return units.quantity(self.rate_per_site_ml_h, ML_PER_H)


@attrs.frozen(kw_only=True)
class Infusion:
    """One infusion day.

    Attributes:
        date: The day.
        phase: Induction, maintenance or taper.
        cycle: The course number in the plan, from 1.
        day: The day within the course, from 1.
        days_in_course: How many days the course has.
        dose_g_per_kg: The calculated dose for this day, g/kg of dosing
            weight.
        calculated_g: The calculated dose for this day, g (dose × weight).
        dispensed_g: The amount dispensed this day, g (from the split of the
            course's dispensed total).
        vials: The vials for this day (:class:`~ivig_core.vials.VialSelection`).
        volume_ml: The volume infused, mL.
        run: The rate steps and duration
            (:class:`~ivig_core.infusion.InfusionRun`).
        sc: The subcutaneous details (sites, volume and rate per site, the
            limits applied and their sources) for an SC or facilitated-SC
            infusion; ``None`` for an IV infusion.

    .. versionadded:: 0.1.0
    """

    date: dt.date
    phase: Phase
    cycle: int
    day: int
    days_in_course: int
    dose_g_per_kg: float
    calculated_g: float
    dispensed_g: float
    vials: VialSelection
    volume_ml: float
    run: InfusionRun
    sc: ScDetails | None = None

    @property
    def dose(self) -> Quantity:
        """The calculated dose for the day, g/kg."""
        return units.quantity(self.dose_g_per_kg, G_PER_KG)

    @property
    def calculated(self) -> Quantity:
        """The calculated grams, as a quantity."""
        return units.quantity(self.calculated_g, G)

    @property
    def dispensed(self) -> Quantity:
        """The dispensed grams, as a quantity."""
        return units.quantity(self.dispensed_g, G)

    @property
    def volume(self) -> Quantity:
        """The volume, mL."""
        return units.quantity(self.volume_ml, ML)

    @property
    def duration_min(self) -> float:
        """The infusion's duration in minutes."""
        return self.run.duration_min

    @property
    def duration(self) -> Quantity:
        """The infusion's duration, minutes."""
        return units.quantity(self.run.duration_min, MINUTE)


@attrs.frozen(kw_only=True)
class Cycle:
    """One course and the interval after it, with its totals.

    Attributes:
        number: The course number in the plan, from 1.
        phase: Induction, maintenance or taper.
        planned_start: The first day by the interval alone.
        start: The first day (later than planned if moved for closed days).
        days: Consecutive infusion days.
        dose_g_per_kg: The course dose, g/kg.
        interval_days: From this course's first day to the next's (for the
            last course: the interval the regimen would keep).
        calculated_g: The course's calculated grams.
        dispensed_g: The course's dispensed grams.
        volume_ml: The course's volume.
        label: How the dose was obtained (e.g. a taper step).

    .. versionadded:: 0.1.0
    """

    number: int
    phase: Phase
    planned_start: dt.date
    start: dt.date
    days: int
    dose_g_per_kg: float
    interval_days: float
    calculated_g: float
    dispensed_g: float
    volume_ml: float
    label: str

    @property
    def intensity_g_per_kg_per_week(self) -> float:
        """Dose intensity: course dose ÷ interval in weeks."""
        return self.dose_g_per_kg / (self.interval_days / _DAYS_PER_WEEK)

    @property
    def intensity(self) -> Quantity:
        """Dose intensity, g/kg/week."""
        return units.quantity(self.intensity_g_per_kg_per_week, G_PER_KG_PER_WEEK)

    @property
    def moved_days(self) -> int:
        """Days the course was moved for closed days."""
        return (self.start - self.planned_start).days


@attrs.frozen(kw_only=True)
class Plan:
    """A dated, explainable IVIg/SCIg plan.

    Attributes:
        regimen: The regimen planned (with its choices).
        product: The product's name.
        dosing_weight: The dosing weight used, with its basis and reason.
        rounding: The rounding policy's name.
        start: The planned first day.
        infusions: One record per infusion day, in date order.
        cycles: One record per course, with totals.
        ended: How the plan ends: after the chosen cycles, at a taper floor,
            or at a taper stop.
        notes: Things a reader must know (moved courses, rules applied).
        trace: How every number was obtained.
        indication: The product indication the plan was made for (its rate
            schedule and labelled limits), or ``None``.
        safety: The safety report (:func:`~ivig_core.safety.assess`) that
            :func:`~ivig_core.planning.plan_course` and the SC planners
            attach to every plan; ``None`` only for a plan assembled by hand.
        route: How the plan is given: IV (default), SC or facilitated SC
            (:class:`~ivig_core.products.Route`). The safety checks apply the
            route's rules.

    .. versionadded:: 0.1.0
    """

    regimen: Regimen
    product: str
    dosing_weight: DosingWeight
    rounding: str
    start: dt.date
    infusions: tuple[Infusion, ...]
    cycles: tuple[Cycle, ...]
    ended: Literal["cycles", "floor", "stop"]
    notes: tuple[str, ...]
    trace: tuple[Trace, ...]
    indication: str | None = None
    safety: SafetyReport | None = None
    route: Route = Route.IV

    @property
    def ready_to_issue(self) -> bool:
        """Whether the safety report allows the plan to be issued.

        False when the plan has no safety report, has an unaccepted soft
        limit, or has any hard limit.
        """
        return self.safety is not None and self.safety.ready_to_issue

    @property
    def total_calculated_g(self) -> float:
        """Calculated grams over the plan."""
        return sum(i.calculated_g for i in self.infusions)

    @property
    def total_dispensed_g(self) -> float:
        """Dispensed grams over the plan."""
        return sum(i.dispensed_g for i in self.infusions)

    @property
    def total_volume_ml(self) -> float:
        """Volume over the plan, mL."""
        return sum(i.volume_ml for i in self.infusions)

    @property
    def total_duration_min(self) -> float:
        """Infusion time over the plan, minutes."""
        return sum(i.run.duration_min for i in self.infusions)

    @property
    def total_calculated(self) -> Quantity:
        """Calculated grams over the plan, as a quantity."""
        return units.quantity(self.total_calculated_g, G)

    @property
    def total_dispensed(self) -> Quantity:
        """Dispensed grams over the plan, as a quantity."""
        return units.quantity(self.total_dispensed_g, G)

    @property
    def total_volume(self) -> Quantity:
        """Volume over the plan, mL."""
        return units.quantity(self.total_volume_ml, ML)

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """The infusion dates, in order."""
        return tuple(i.date for i in self.infusions)

    def in_cycle(self, number: int) -> tuple[Infusion, ...]:
        """The infusions of course *number*."""
        return tuple(i for i in self.infusions if i.cycle == number)
