"""What a check reads: the typed patient and plan, and the assessment's choices.

A check (:func:`~ivig_core.safety.registry.check`) is called with its rule
and a :class:`Context`; a site's own checks read the same. The checks read
the library's own
:class:`~ivig_core.plan.Plan` and :class:`~ivig_core.patient.Patient`
directly: their float fields (``dispensed_g``, ``volume_ml``,
``run.rate_weight_kg``), their enums (:class:`~ivig_core.products.Route`,
:class:`~ivig_core.plan.Phase`, :class:`~ivig_core.dosing_weight.WeightBasis`).

A plan's numbers can come from outside the planner: a plan assembled by hand
or loaded from a document. :func:`check_plan_values` re-checks, once, that
every number a check compares with a limit is finite, and refuses one that
is not with :class:`~ivig_core.InputError` naming it: a NaN dose would
otherwise compare false with every threshold, a silent pass. The patient's
quantities are checked by its converters (which run even with attrs
validators disabled).
"""

from __future__ import annotations

import datetime as dt
import math
import typing
from collections.abc import Iterator, Sequence
from typing import Final

import attrs

from ivig_core._checks import finite, whole
from ivig_core.dosing_weight import DosingWeight, WeightBasis
from ivig_core.errors import InputError
from ivig_core.patient import Patient
from ivig_core.plan import Cycle, Infusion, Plan, ScDetails
from ivig_core.products import Product, Route
from ivig_core.regimen import Regimen
from ivig_core.safety.config import SafetyConfig


__all__ = ["Context", "check_plan_values", "rates_ml_h"]


@attrs.frozen(kw_only=True)
class Context:
    """Everything the checks read: the patient, the plan and the choices.

    Attributes:
        patient: The patient.
        plan: The plan, its values re-checked (:func:`check_plan_values`).
        config: Thresholds and local protocols.
        product: The product (the plan's, or the one given).
        indication: The indication key, lower case, if given.
        route: The route whose rules apply.
        previous_product: The previous product, if in the catalogue.
        previous_product_name: The previous product's name, if not.
    """

    patient: Patient
    plan: Plan
    config: SafetyConfig
    product: Product
    indication: str | None
    route: Route
    previous_product: Product | None = None
    previous_product_name: str | None = None

    @property
    def renal_boxed(self) -> bool:
        """Whether the renal boxed warning applies to this plan.

        The product's label decides, whatever the route (Gamunex-C and
        Gammagard Liquid carry it given SC too); where the catalogue does not
        record it, IV plans get it and SC plans do not.
        """
        recorded = self.product.renal_boxed_warning
        return (not self.subcutaneous) if recorded is None else recorded

    @property
    def subcutaneous(self) -> bool:
        """Whether the plan is SC or facilitated SC (the SC rules apply)."""
        return self.route is not Route.IV

    @property
    def infusions(self) -> tuple[Infusion, ...]:
        """The plan's infusion days."""
        return self.plan.infusions

    @property
    def cycles(self) -> tuple[Cycle, ...]:
        """The plan's courses."""
        return self.plan.cycles

    @property
    def product_key(self) -> str:
        """The product's catalogue key."""
        return self.product.key

    @property
    def dosing_basis(self) -> WeightBasis:
        """What the dosing weight is based on."""
        return self.plan.dosing_weight.basis

    @property
    def maintenance_interval_days(self) -> float | None:
        """The regimen's maintenance interval, days."""
        maintenance = self.plan.regimen.maintenance
        return None if maintenance is None else maintenance.interval_days

    @property
    def first_maintenance_days(self) -> float | None:
        """Days from the induction to the first maintenance course, if both."""
        regimen = self.plan.regimen
        if regimen.maintenance is None or regimen.induction is None:
            return None
        return regimen.first_maintenance_days

    def course_doses(self) -> dict[int, float]:
        """g/kg per course: the cycle's dose, or its days' sum if larger."""
        doses: dict[int, float] = {c.number: c.dose_g_per_kg for c in self.cycles}
        sums: dict[int, list[float]] = {}
        for inf in self.infusions:
            sums.setdefault(inf.cycle, []).append(inf.dose_g_per_kg)
        for number, days in sums.items():
            doses[number] = max(doses.get(number, 0.0), math.fsum(days))
        return doses


def rates_ml_h(inf: Infusion) -> tuple[float, ...]:
    """The infusion's planned rate steps, mL/h."""
    return tuple(step.rate_ml_h for step in inf.run.steps)


# --------------------------------------------------------------------------
# Re-checking values that may come from outside the planner


_INF: Final = math.inf


def _number(value: object, field: str) -> None:
    # The fast path: a float the planner wrote (0 <= value < inf, not NaN).
    if type(value) is float and 0.0 <= value < _INF:
        return
    finite(value, field=field, low=0.0, allowed="a finite number ≥ 0")


def _whole(value: object, field: str) -> None:
    if type(value) is int and value >= 1:
        return
    whole(value, field=field)


def _date(value: object, field: str) -> None:
    if not isinstance(value, dt.date):
        raise InputError(field, value, "a datetime.date")


def _sc_values(sc: ScDetails, field: str) -> Iterator[tuple[object, str]]:
    yield sc.volume_ml, f"{field}.volume_ml"
    yield sc.volume_per_site_ml, f"{field}.volume_per_site_ml"
    yield sc.volume_limit_per_site_ml, f"{field}.volume_limit_per_site_ml"
    yield sc.rate_per_site_ml_h, f"{field}.rate_per_site_ml_h"
    yield sc.total_rate_ml_h, f"{field}.total_rate_ml_h"
    for value, name in (
        (sc.rate_limit_per_site_ml_h, "rate_limit_per_site_ml_h"),
        (sc.total_rate_limit_ml_h, "total_rate_limit_ml_h"),
        (sc.volume_per_day_limit_ml, "volume_per_day_limit_ml"),
    ):
        if value is not None:
            yield value, f"{field}.{name}"


_FLOAT: Final = frozenset({float})


def _all_fine(values: tuple[object, ...]) -> bool:
    """Whether every value is a float ≥ 0 and finite (the fast path)."""
    if set(map(type, values)) != _FLOAT:
        return False
    floats = typing.cast("tuple[float, ...]", values)
    return min(floats) >= 0.0 and math.fsum(floats) < _INF


def _infusion_values(i: int, inf: Infusion) -> None:
    f = f"plan.infusions[{i}]"
    if inf.run is None:
        raise InputError(f"{f}.run", None, "the infusion's rate steps (InfusionRun)")
    if (
        type(inf.cycle) is int
        and type(inf.day) is int
        and inf.cycle >= 1
        and inf.day >= 1
        and type(inf.date) is dt.date
        and inf.sc is None
        and _all_fine(
            (
                inf.dose_g_per_kg,
                inf.calculated_g,
                inf.dispensed_g,
                inf.volume_ml,
                inf.run.rate_weight_kg,
                *(step.rate_ml_h for step in inf.run.steps),
            )
        )
    ):
        return
    _date(inf.date, f"{f}.date")
    _whole(inf.cycle, f"{f}.cycle")
    _whole(inf.day, f"{f}.day")
    _number(inf.dose_g_per_kg, f"{f}.dose_g_per_kg")
    _number(inf.calculated_g, f"{f}.calculated_g")
    _number(inf.dispensed_g, f"{f}.dispensed_g")
    _number(inf.volume_ml, f"{f}.volume_ml")
    for k, step in enumerate(inf.run.steps):
        _number(step.rate_ml_h, f"{f}.run.steps[{k}].rate_ml_h")
    _number(inf.run.rate_weight_kg, f"{f}.run.rate_weight_kg")
    sc = inf.sc
    if sc is not None:
        _whole(sc.sites, f"{f}.sc.sites")
        _whole(sc.max_sites, f"{f}.sc.max_sites")
        for value, field in _sc_values(sc, f"{f}.sc"):
            _number(value, field)


def _cycle_values(i: int, c: Cycle) -> None:
    f = f"plan.cycles[{i}]"
    _whole(c.number, f"{f}.number")
    _date(c.start, f"{f}.start")
    _date(c.planned_start, f"{f}.planned_start")
    _number(c.dose_g_per_kg, f"{f}.dose_g_per_kg")


def _sequence(value: object, field: str) -> Sequence[object]:
    if not isinstance(value, tuple):
        raise InputError(field, value, "a tuple")
    return value


def check_plan_values(plan: Plan) -> Plan:
    """Refuse a plan whose checked numbers are not finite, naming the field."""
    if not isinstance(plan, Plan):
        raise InputError("plan", plan, "an ivig_core.plan.Plan")
    if not isinstance(plan.product, str):
        raise InputError("plan.product", plan.product, "the product's name")
    if not isinstance(plan.regimen, Regimen):
        raise InputError("plan.regimen", plan.regimen, "the plan's Regimen")
    if not isinstance(plan.dosing_weight, DosingWeight):
        raise InputError(
            "plan.dosing_weight", plan.dosing_weight, "the plan's DosingWeight"
        )
    _sequence(plan.infusions, "plan.infusions")
    _sequence(plan.cycles, "plan.cycles")
    for i, inf in enumerate(plan.infusions):
        _infusion_values(i, inf)
    for i, c in enumerate(plan.cycles):
        _cycle_values(i, c)
    started = plan.maintenance_started
    if started is not None and (
        isinstance(started, dt.datetime) or not isinstance(started, dt.date)
    ):
        raise InputError("plan.maintenance_started", started, "a datetime.date or None")
    return plan
