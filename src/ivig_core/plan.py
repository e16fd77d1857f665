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
import functools
import itertools
import math
import types
import typing
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

import attrs

from ivig_core import units
from ivig_core._checks import REL_TOL, is_number, tuple_of
from ivig_core._checks import instance as _instance
from ivig_core.errors import InputError
from ivig_core.findings import SafetyReport
from ivig_core.patient import Patient
from ivig_core.products import Route, catalogue_version
from ivig_core.regimen import intensity_g_per_kg_per_week
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
    from collections.abc import Iterable

    from ivig_core.dosing_weight import DosingWeight
    from ivig_core.infusion import InfusionRun
    from ivig_core.regimen import Regimen
    from ivig_core.vials import VialSelection


__all__ = [
    "TOTALS",
    "Administered",
    "Cycle",
    "History",
    "Infusion",
    "Phase",
    "Plan",
    "PlanInputs",
    "Planner",
    "ProtocolRef",
    "ReviewPoint",
    "ScDetails",
    "check_plan",
    "check_totals",
    "library_version",
    "plan_totals",
]


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
        course: In a re-planned plan (:func:`ivig_core.replan`), the
            regimen's course this one plans (from 1), where it is not
            *number*; ``None``: the regimen's course *number*.

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
    course: int | None = None

    @property
    def intensity_g_per_kg_per_week(self) -> float:
        """Dose intensity: course dose ÷ interval in weeks."""
        return intensity_g_per_kg_per_week(self.dose_g_per_kg, self.interval_days)

    @property
    def intensity(self) -> Quantity:
        """Dose intensity, g/kg/week."""
        return units.quantity(self.intensity_g_per_kg_per_week, G_PER_KG_PER_WEEK)

    @property
    def moved_days(self) -> int:
        """Days the course was moved for closed days."""
        return (self.start - self.planned_start).days


def _ref_text(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"protocol.{field}", value, "a non-empty string")
    return value


def _ref_name(value: object) -> str:
    return _ref_text("name", value)


def _ref_version(value: object) -> str:
    return _ref_text("version", value)


def _ref_sha256(value: object) -> str:
    return _ref_text("sha256", value)


@attrs.frozen(kw_only=True)
class ProtocolRef:
    """Which local protocol a plan was made under: name, version and hash.

    Attributes:
        name: The protocol's name, as its file states it.
        version: Its version, as its file states it.
        sha256: The SHA-256 of the file's bytes (hex): the exact file.

    .. versionadded:: 0.2.0
    """

    name: str = attrs.field(converter=_ref_name)
    version: str = attrs.field(converter=_ref_version)
    sha256: str = attrs.field(converter=_ref_sha256)

    def __str__(self) -> str:
        """``"NAME version VERSION (sha256 0123456789ab...)"``."""
        return f"{self.name} version {self.version} (sha256 {self.sha256[:12]}...)"


def _review_text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("review", value, "a non-empty string")
    return value


@attrs.frozen(kw_only=True)
class ReviewPoint:
    """A date to review the response, with what the regimen says to do.

    Attributes:
        date: Review by this date: the first day of the course it decides.
        cycle: The number of the course the review decides.
        reason: Why there is a review here (e.g. the end of a taper step's
            hold).
        if_stable: What the regimen says to do with no deterioration
            (continue, step down, stop).
        if_deterioration: What it says to do on deterioration (return to
            the previous step, or continue the present one).
        source: Where the rule comes from.

    .. versionadded:: 0.2.0
    """

    date: dt.date
    cycle: int
    reason: str = attrs.field(converter=_review_text)
    if_stable: str = attrs.field(converter=_review_text)
    if_deterioration: str = attrs.field(converter=_review_text)
    source: str = attrs.field(converter=_review_text)

    def __str__(self) -> str:
        """One line: date, reason, both branches."""
        return (
            f"{self.date.isoformat()} (before course {self.cycle}): {self.reason}. "
            f"No deterioration: {self.if_stable}. Deterioration: "
            f"{self.if_deterioration}."
        )


def _record_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InputError("administered.date", value, "a datetime.date")
    return value


def _record_grams(value: object) -> float:
    # a bare number is in grams: the field's name says so (as ``calculated_g``)
    grams = (
        float(value)
        if is_number(value)
        else units.to_float(value, field="administered.grams", unit=G)
    )
    if not (grams >= 0.0 and math.isfinite(grams)):
        raise InputError("administered.grams", value, "a mass ≥ 0 g (0 g: not given)")
    return grams


def _record_text(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(field, value, "a non-empty string")
    return value


def _record_product(value: object) -> str:
    return _record_text("administered.product", value)


def _record_lot(value: object) -> str | None:
    return None if value is None else _record_text("administered.lot", value)


def _record_rate(value: object) -> float | None:
    if value is None:
        return None
    field = "administered.rate_reached_ml_h"
    # a bare number is in mL/h: the field's name says so
    rate = (
        float(value)
        if is_number(value)
        else units.to_float(value, field=field, unit=ML_PER_H)
    )
    if not (rate > 0.0 and math.isfinite(rate)):
        raise InputError(field, value, "a rate > 0 mL/h")
    return rate


def _record_reactions(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        raise InputError("administered.reactions", value, "a sequence of strings")
    return tuple(
        _record_text("administered.reactions", v)
        for v in tuple_of(value, str, field="administered.reactions")
    )


@attrs.frozen(kw_only=True)
class Administered:
    """One infusion day as it was given.

    Attributes:
        date: The day it was given.
        grams: The grams given (``"70 g"``, or a number of grams; ``"0 g"``:
            planned but not given).
        product: The product's name or key.
        lot: The lot number, or ``None``.
        rate_reached_ml_h: The highest rate reached (``"300 mL/h"``, or a
            number of mL/h), held in mL/h, or ``None``.
        reactions: Reactions seen, in words (``()`` for none).

    .. versionadded:: 0.2.0
    """

    date: dt.date = attrs.field(converter=_record_date)
    grams: float = attrs.field(converter=_record_grams)
    product: str = attrs.field(converter=_record_product)
    lot: str | None = attrs.field(default=None, converter=_record_lot)
    rate_reached_ml_h: float | None = attrs.field(default=None, converter=_record_rate)
    reactions: tuple[str, ...] = attrs.field(default=(), converter=_record_reactions)


def _records(value: object) -> tuple[Administered, ...]:
    records = tuple_of(value, Administered, field="history")
    for before, after in itertools.pairwise(records):
        if after.date < before.date:
            raise InputError(
                "history", after.date, f"records in date order (after {before.date})"
            )
    return records


@attrs.frozen
class History:
    """What was given, in date order; append-only.

    Example:
        >>> import datetime as dt
        >>> h = History().add([Administered(date=dt.date(2026, 1, 5),
        ...                                 grams="70 g", product="privigen")])
        >>> h.cumulative_g
        70.0

    .. versionadded:: 0.2.0
    """

    records: tuple[Administered, ...] = attrs.field(default=(), converter=_records)

    @property
    def cumulative_g(self) -> float:
        """The grams given so far: the sum of the records."""
        return sum(r.grams for r in self.records)

    def add(self, records: Iterable[Administered]) -> History:
        """This history with *records* appended (never rewritten).

        Raises:
            InputError: A record dated before the last one kept.
        """
        new = tuple_of(records, Administered, field="administered")
        return History(records=(*self.records, *new))


#: The planner that made a plan (:attr:`PlanInputs.planner`).
Planner: TypeAlias = Literal["plan", "plan_scig", "plan_scig_regimen", "replan"]

_PLANNERS: Final = ("plan", "plan_scig", "plan_scig_regimen", "replan")


@functools.cache
def library_version() -> str:
    """This library's version, as installed (``"0+unknown"`` from a bare tree).

    .. versionadded:: 0.2.0
    """
    # importlib.metadata costs ~40 ms: paid once, on the first plan made
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - ditto

    try:
        return version("ivig-core")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def _planner(value: object) -> Planner:
    if value not in _PLANNERS:
        raise InputError("planner", value, f"one of {list(_PLANNERS)}")
    return value


def _arguments(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InputError("arguments", value, "a mapping of argument names")
    return dict(value)


def _version_text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("version", value, "a non-empty string")
    return value


@attrs.frozen(kw_only=True)
class PlanInputs:
    """What a plan was planned from, recorded by the planner that made it.

    Every planner (:func:`~ivig_core.planning.plan_course` and
    :func:`~ivig_core.planning.plan`, the SC planners, :func:`~ivig_core.replan`)
    attaches one to its plan (:attr:`Plan.inputs`), so that the plan can be
    made again from it (:func:`~ivig_core.planning.replay.replay`) and a plan
    document can be re-planned and compared when it is loaded
    (:func:`~ivig_core.io.json.plan_from_json`).

    Attributes:
        planner: Which planner made the plan (:data:`Planner`).
        request: The :class:`~ivig_core.planning.request.PlanRequest` it was
            planned from (patient, regimen, product, start, policies, options,
            safety options, protocol), as the planner made it.
        arguments: The planner's own arguments beyond the request: for
            ``plan_scig`` its ``cycles`` and ``first_dose``; for
            ``plan_scig_regimen`` its ``start`` and ``last_ivig``; for
            ``replan`` the followed plan's inputs (``plan``), what was given
            (``administered``, a :class:`History`), ``patient``,
            ``from_date`` and ``decision``.
        catalogue: The shipped catalogue's version
            (:func:`~ivig_core.products.catalogue_version`).
        library: This library's version (:func:`library_version`).

    .. versionadded:: 0.2.0
    """

    planner: Planner = attrs.field(converter=_planner)
    request: object
    arguments: Mapping[str, object] = attrs.field(factory=dict, converter=_arguments)
    catalogue: str = attrs.field(factory=catalogue_version, converter=_version_text)
    library: str = attrs.field(factory=library_version, converter=_version_text)

    @property
    def patient(self) -> Patient | None:
        """The patient the plan was made for, if recorded.

        A re-planned plan's is the patient as at the re-plan (its
        ``patient`` argument); otherwise the request's.

        .. versionadded:: 0.2.0
        """
        now = self.arguments.get("patient")
        if isinstance(now, Patient):
            return now
        patient = getattr(self.request, "patient", None)
        return patient if isinstance(patient, Patient) else None

    def __reduce__(self) -> tuple[object, tuple[object]]:
        """Pickle as plain values (a request holds read-only mappings).

        Inputs holding a lambda or a local function (a ``closed`` rule)
        cannot be pickled: they unpickle as ``None`` (the plan then records
        no inputs, and its document says so).
        """
        try:
            state: object = _portable(self)
        except _Local:
            state = None
        return (_unpickled_inputs, (state,))


class _Local(Exception):  # noqa: N818 - private marker, never escapes
    """A value pickle cannot carry by reference (a lambda, a local function)."""


def _portable(value: object) -> object:  # noqa: PLR0911 - one case per kind
    """*value* with its attrs objects and read-only mappings made picklable.

    The request holds read-only mappings (``MappingProxyType``), which pickle
    refuses; a plan must pickle (process pools). attrs objects are carried as
    their class and field values and rebuilt as they were, without their
    converters (:func:`_restored`).
    """
    if isinstance(value, (str, int, float, bool, enum.Enum, dt.date)) or value is None:
        return value
    if isinstance(value, types.MappingProxyType):
        return ("proxy", {k: _portable(v) for k, v in value.items()})
    cls = type(value)
    if attrs.has(cls):
        fields = {f.name: _portable(getattr(value, f.name)) for f in attrs.fields(cls)}
        return ("attrs", cls, fields)
    if cls is tuple:
        return ("tuple", [_portable(v) for v in typing.cast("tuple[object]", value)])
    if cls is frozenset:
        items = typing.cast("frozenset[object]", value)
        return ("frozenset", [_portable(v) for v in items])
    if cls is dict:
        items_d = typing.cast("dict[object, object]", value)
        return ("dict", [(_portable(k), _portable(v)) for k, v in items_d.items()])
    if callable(value) and "<" in getattr(value, "__qualname__", "<"):
        raise _Local
    return ("value", value)


def _restored(state: object) -> object:  # noqa: PLR0911 - one case per kind
    """The value :func:`_portable` made *state* of."""
    if not isinstance(state, tuple):
        return state
    kind = state[0]
    if kind == "proxy":
        return types.MappingProxyType({k: _restored(v) for k, v in state[1].items()})
    if kind == "attrs":
        obj = object.__new__(state[1])
        for name, v in state[2].items():
            object.__setattr__(obj, name, _restored(v))
        return obj
    if kind == "tuple":
        return tuple(_restored(v) for v in state[1])
    if kind == "frozenset":
        return frozenset(_restored(v) for v in state[1])
    if kind == "dict":
        return {_restored(k): _restored(v) for k, v in state[1]}
    return state[1]


def _unpickled_inputs(state: object) -> PlanInputs | None:
    """Inputs from their pickled state (``None``: they held a local function)."""
    return None if state is None else typing.cast("PlanInputs", _restored(state))


def _inputs(value: object) -> PlanInputs | None:
    if value is None or isinstance(value, PlanInputs):
        return value
    raise InputError("inputs", value, "PlanInputs or None")


def _started(value: object) -> dt.date | None:
    if value is None or (
        isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    ):
        return value
    raise InputError("maintenance_started", value, "a datetime.date or None")


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
        protocol: The local protocol the plan was made under
            (:func:`ivig_core.load_protocol`), or ``None``.
        reviews: The review points: the end of each taper step's hold (and
            of the maintenance before a taper), each with what the regimen
            says to do (:class:`ReviewPoint`).
        history: What was given before the plan's start
            (:func:`ivig_core.replan`): empty for a plan made from scratch.
        maintenance_started: The day maintenance (or a taper) was first
            given, when that was before the plan's start: a course
            re-planned (:func:`ivig_core.replan`) after its maintenance
            began, the day read from :attr:`history`. ``None``: the plan's
            own first maintenance course is the first. The label's studied
            maintenance duration counts from the earlier of the two
            (``MAINTENANCE_BEYOND_LABEL_DURATION``).
        inputs: What the plan was planned from (:class:`PlanInputs`), which
            every planner records; ``None`` for a plan assembled by hand.
            Provenance, not content: two plans with the same content are
            equal however they were made (the field takes no part in ``==``).

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
    protocol: ProtocolRef | None = None
    reviews: tuple[ReviewPoint, ...] = ()
    history: History = attrs.field(factory=History)
    maintenance_started: dt.date | None = attrs.field(default=None, converter=_started)
    inputs: PlanInputs | None = attrs.field(
        default=None, converter=_inputs, eq=False, repr=False
    )

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


#: The totals a plan document states, each the sum over its infusions.
TOTALS: Final = ("calculated_g", "dispensed_g", "volume_ml", "duration_min")


def plan_totals(plan: Plan) -> dict[str, float]:
    """The sums over *plan*'s infusions, by :data:`TOTALS` key.

    .. versionadded:: 0.1.0
    """
    _instance(plan, Plan, field="plan")
    return {
        "calculated_g": plan.total_calculated_g,
        "dispensed_g": plan.total_dispensed_g,
        "volume_ml": plan.total_volume_ml,
        "duration_min": plan.total_duration_min,
    }


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= REL_TOL * max(1.0, abs(a), abs(b))


def check_totals(plan: Plan, totals: object) -> list[tuple[str, str]]:
    """Check a document's stated *totals* against the sums over *plan*.

    Returns:
        ``(path, problem)`` pairs, empty when every total is a number and
        the sum over the infusions (to float round-off).

    .. versionadded:: 0.1.0
    """
    _instance(plan, Plan, field="plan")
    return list(_totals_problems(plan, totals))


def _totals_problems(plan: Plan, totals: object) -> Iterator[tuple[str, str]]:
    if not isinstance(totals, dict):
        yield "totals", f"required object missing or not an object: {totals!r}"
        return
    extra = sorted(set(totals) - set(TOTALS))
    for key in extra:
        yield f"totals.{key}", "unknown field"
    expected = plan_totals(plan)
    for key in TOTALS:
        value = totals.get(key)
        if not is_number(value):
            yield f"totals.{key}", f"expected a number, got {value!r}"
        elif not _close(float(value), expected[key]):
            yield (
                f"totals.{key}",
                f"{value!r} is not the sum over the infusions ({expected[key]!r})",
            )


def _check_infusion(
    i: int, inf: Infusion, weight_kg: float, cycles: tuple[Cycle, ...]
) -> Iterator[tuple[str, str]]:
    at = f"infusions[{i}]"
    sel = inf.vials
    in_vials = math.fsum(v.grams_g * n for v, n in sel.vials)
    if not _close(sel.dispensed_g, in_vials):
        yield (
            f"{at}.vials.dispensed",
            f"{sel.dispensed_g!r} g is not the grams in its vials ({in_vials!r} g)",
        )
    if not _close(inf.dispensed_g, sel.dispensed_g):
        yield (
            f"{at}.dispensed_g",
            f"{inf.dispensed_g!r} g does not match its vials ({sel.dispensed_g!r} g)",
        )
    if not _close(inf.volume_ml, sel.volume_ml):
        yield (
            f"{at}.volume_ml",
            f"{inf.volume_ml!r} mL does not match its vials ({sel.volume_ml!r} mL)",
        )
    if not _close(inf.run.volume_ml, inf.volume_ml):
        yield (
            f"{at}.run.volume",
            f"{inf.run.volume_ml!r} mL is not the day's volume ({inf.volume_ml!r} mL)",
        )
    sc = inf.sc
    if sc is not None and sc.date != inf.date:
        yield f"{at}.sc.date", f"{sc.date.isoformat()} is not the infusion's date"
    if sc is not None and not _close(sc.volume_ml, inf.volume_ml):
        yield (
            f"{at}.sc.volume_ml",
            f"{sc.volume_ml!r} mL is not the day's volume ({inf.volume_ml!r} mL)",
        )
    expected = inf.dose_g_per_kg * weight_kg
    if not _close(inf.calculated_g, expected):
        yield (
            f"{at}.calculated_g",
            f"{inf.calculated_g!r} g is not dose × dosing weight ({expected!r} g)",
        )
    if not 1 <= inf.cycle <= len(cycles):
        yield f"{at}.cycle", f"no course {inf.cycle} in the plan"
        return
    cycle = cycles[inf.cycle - 1]
    if inf.phase is not cycle.phase:
        yield (
            f"{at}.phase",
            f"{inf.phase.value} but course {cycle.number} is " + (cycle.phase.value),
        )
    if inf.days_in_course != cycle.days:
        yield (
            f"{at}.days_in_course",
            f"{inf.days_in_course} but course {cycle.number} has {cycle.days} days",
        )
    per_day = cycle.dose_g_per_kg / cycle.days
    if not _close(inf.dose_g_per_kg, per_day):
        yield (
            f"{at}.dose_g_per_kg",
            f"{inf.dose_g_per_kg!r} g/kg is not the course dose ÷ days ({per_day!r})",
        )


def check_plan(plan: Plan) -> list[tuple[str, str]]:
    """Check *plan*'s arithmetic: the invariants every plan keeps.

    Each day's grams and volume agree with its vials and its dose × dosing
    weight; each course's totals are the sums of its days; the courses and
    days are numbered in order and dated in order; the regimen has every
    choice made. The JSON loader (:func:`~ivig_core.io.json.plan_from_json`)
    refuses a document whose plan breaks one.

    Returns:
        ``(path, problem)`` pairs (e.g. ``("infusions[3].dispensed_g",
        "...")``), empty for a sound plan.

    .. versionadded:: 0.1.0
    """
    _instance(plan, Plan, field="plan")
    return list(_plan_problems(plan))


def _plan_problems(plan: Plan) -> Iterator[tuple[str, str]]:
    weight_kg = plan.dosing_weight.weight_kg
    if not plan.regimen.is_complete:
        yield "regimen", "choices still open: " + "; ".join(plan.regimen.open_choices)
    if not plan.infusions or not plan.cycles:
        yield "infusions", "a plan has at least one course and one infusion day"
    for n, cycle in enumerate(plan.cycles, start=1):
        if cycle.number != n:
            yield f"cycles[{n - 1}].number", f"expected {n}, got {cycle.number}"
    for i, inf in enumerate(plan.infusions):
        yield from _check_infusion(i, inf, weight_kg, plan.cycles)
        if i and inf.date <= plan.infusions[i - 1].date:
            yield f"infusions[{i}].date", "not after the previous infusion's date"
    for k, cycle in enumerate(plan.cycles):
        days = [inf for inf in plan.infusions if inf.cycle == cycle.number]
        yield from _check_cycle(f"cycles[{k}]", cycle, days, weight_kg)


def _check_cycle(
    at: str, cycle: Cycle, days: list[Infusion], weight_kg: float
) -> Iterator[tuple[str, str]]:
    numbers = [inf.day for inf in days]
    if numbers != list(range(1, cycle.days + 1)):
        yield f"{at}.days", f"{cycle.days} days, but its infusions are days {numbers}"
        return
    if days[0].date != cycle.start:
        first = days[0].date.isoformat()
        yield (
            f"{at}.start",
            f"{cycle.start.isoformat()} but its first infusion is on {first}",
        )
    for name in ("dispensed_g", "calculated_g", "volume_ml"):
        total = 0.0
        for inf in days:
            total += getattr(inf, name)
        stated = getattr(cycle, name)
        if not _close(stated, total):
            yield (
                f"{at}.{name}",
                f"{stated!r} is not the sum of its days' {name} ({total!r})",
            )
    expected = cycle.dose_g_per_kg * weight_kg
    if not _close(cycle.calculated_g, expected):
        yield (
            f"{at}.calculated_g",
            f"{cycle.calculated_g!r} g is not dose × dosing weight ({expected!r} g)",
        )
