"""What the checks read, re-read and re-checked from the patient and the plan.

Strictly private. The checks never trust that attrs validators ran: any code
in the process can switch them off (``attrs.validators.set_disabled(True)``),
and :class:`~ivig_core.plan.Plan` and its records hold plain floats. So every
value a check needs is read here once, through the same converters the
public classes use, and a value that is not finite or not of the expected
kind is refused with :class:`~ivig_core.InputError` naming it. A NaN dose
would otherwise compare false with every threshold: a silent pass.

The plan is read duck-typed (``plan.infusions``, ``plan.cycles``,
``plan.regimen``, ``plan.dosing_weight``, ``plan.product``, ``plan.route``
and each infusion's ``sc`` details), so this package
does not import :mod:`ivig_core.plan` at run time and the planner can call
:func:`~ivig_core.safety.assess` without an import cycle.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from ivig_core import units
from ivig_core.errors import InputError
from ivig_core.patient import (
    BloodGroup,
    Patient,
    RiskFactor,
    Sex,
    read_age_years,
    read_creatinine_mg_dl,
    read_height_cm,
    read_weight_kg,
)
from ivig_core.units import KG, MG_PER_DL


if TYPE_CHECKING:
    from ivig_core.products import Product


@attrs.frozen(kw_only=True)
class PatientFacts:
    """The patient's values, re-checked."""

    sex: Sex
    age_years: float
    height_cm: float
    weight_kg: float
    iga_mg_dl: float | None
    creatinine_mg_dl: float | None
    abo: BloodGroup | None
    factors: frozenset[RiskFactor]

    def has(self, factor: RiskFactor) -> bool:
        """Whether *factor* is recorded."""
        return factor in self.factors


@attrs.frozen(kw_only=True)
class ScFacts:
    """One infusion's subcutaneous details (``Infusion.sc``), re-checked.

    These are what the planner recorded; the SC checks recompute the
    volume and rate per site from the infusion and compare them with the
    catalogue's limits, not only with these.
    """

    sites: int
    volume_ml: float
    volume_per_site_ml: float
    volume_limit_per_site_ml: float
    max_sites: int
    rate_per_site_ml_h: float
    rate_limit_per_site_ml_h: float | None
    total_rate_ml_h: float
    total_rate_limit_ml_h: float | None
    volume_per_day_limit_ml: float | None
    applies_to: tuple[str, ...]
    sources: tuple[str, ...]


@attrs.frozen(kw_only=True)
class InfusionFacts:
    """One infusion day, re-checked."""

    index: int
    date: dt.date
    cycle: int
    day: int
    dose_g_per_kg: float
    calculated_g: float
    dispensed_g: float
    volume_ml: float
    rates_ml_h: tuple[float, ...]
    rate_weight_kg: float | None
    sc: ScFacts | None = None


@attrs.frozen(kw_only=True)
class CycleFacts:
    """One course, re-checked."""

    number: int
    phase: str
    start: dt.date
    planned_start: dt.date | None
    dose_g_per_kg: float


@attrs.frozen(kw_only=True)
class Context:
    """Everything the checks read."""

    patient: PatientFacts
    product: Product | None
    product_key: str | None
    indication: str | None
    route: str
    infusions: tuple[InfusionFacts, ...]
    cycles: tuple[CycleFacts, ...]
    maintenance_interval_days: float | None
    first_maintenance_days: float | None
    regimen_source: str | None
    dosing_basis: str | None
    previous_product: Product | None
    previous_product_name: str | None

    @property
    def subcutaneous(self) -> bool:
        """Whether the plan is SC or facilitated SC (the SC rules apply)."""
        return self.route != "iv"

    def course_doses(self) -> dict[int, float]:
        """g/kg per course: the cycle's dose, or its days' sum if larger."""
        doses: dict[int, float] = {c.number: c.dose_g_per_kg for c in self.cycles}
        sums: dict[int, list[float]] = {}
        for inf in self.infusions:
            sums.setdefault(inf.cycle, []).append(inf.dose_g_per_kg)
        for number, days in sums.items():
            doses[number] = max(doses.get(number, 0.0), math.fsum(days))
        return doses


# --------------------------------------------------------------------------
# Readers


def _finite(value: object, field: str, *, low: float = 0.0) -> float:
    """A finite real number ≥ *low*, or InputError naming *field*."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(field, value, "a finite number")
    v = float(value)
    if not math.isfinite(v) or not v >= low:
        raise InputError(field, value, f"a finite number ≥ {low:g}")
    return v


def _count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(field, value, "a whole number ≥ 1")
    return value


def _date(value: object, field: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise InputError(field, value, "a datetime.date")
    return value


def read_patient(patient: object) -> PatientFacts:
    """Re-check the patient's values (holds with attrs validators off)."""
    if not isinstance(patient, Patient):
        raise InputError("patient", patient, "an ivig_core.Patient")
    iga = patient.serum_iga
    iga_mg_dl = None
    if iga is not None:
        iga_mg_dl = units.to_float(iga, field="patient.serum_iga", unit=MG_PER_DL)
        if not iga_mg_dl >= 0:
            raise InputError("patient.serum_iga", iga, "a value ≥ 0 mg/dL")
    scr = patient.serum_creatinine
    factors = patient.risk_factors
    if not isinstance(factors, frozenset):
        raise InputError("patient.risk_factors", factors, "RiskFactor members")
    abo = patient.abo_group
    return PatientFacts(
        sex=Sex.parse(patient.sex, field="patient.sex"),
        age_years=read_age_years(patient.age, field="patient.age"),
        height_cm=read_height_cm(patient.height, field="patient.height"),
        weight_kg=read_weight_kg(patient.weight, field="patient.weight"),
        iga_mg_dl=iga_mg_dl,
        creatinine_mg_dl=None
        if scr is None
        else read_creatinine_mg_dl(scr, field="patient.serum_creatinine"),
        abo=None if abo is None else BloodGroup.parse(abo, field="patient.abo_group"),
        factors=frozenset(
            RiskFactor.parse(f, field="patient.risk_factors") for f in factors
        ),
    )


def _rates(run: object, field: str) -> tuple[tuple[float, ...], float | None]:
    if run is None:
        return (), None
    steps = getattr(run, "steps", None)
    if steps is None or isinstance(steps, (str, bytes)):
        raise InputError(f"{field}.steps", steps, "a sequence of rate steps")
    rates = tuple(
        _finite(getattr(s, "rate_ml_h", None), f"{field}.steps[{i}].rate_ml_h")
        for i, s in enumerate(steps)
    )
    kg = getattr(run, "rate_weight_kg", None)
    if kg is not None:
        q: object = units.quantity(_finite(kg, f"{field}.rate_weight_kg"), KG)
    else:
        q = getattr(run, "rate_weight", None)
    weight_kg = None if q is None else read_weight_kg(q, field=f"{field}.rate_weight")
    return rates, weight_kg


def _opt_finite(value: object, field: str) -> float | None:
    return None if value is None else _finite(value, field)


def _texts(value: object, field: str) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InputError(field, value, "a sequence of strings")
    out = tuple(value)
    for k, text in enumerate(out):
        if not isinstance(text, str):
            raise InputError(f"{field}[{k}]", text, "a string")
    return out


def _sc(value: object, field: str) -> ScFacts | None:
    if value is None:
        return None

    def get(name: str) -> object:
        return getattr(value, name, None)

    return ScFacts(
        sites=_count(get("sites"), f"{field}.sites"),
        volume_ml=_finite(get("volume_ml"), f"{field}.volume_ml"),
        volume_per_site_ml=_finite(
            get("volume_per_site_ml"), f"{field}.volume_per_site_ml"
        ),
        volume_limit_per_site_ml=_finite(
            get("volume_limit_per_site_ml"), f"{field}.volume_limit_per_site_ml"
        ),
        max_sites=_count(get("max_sites"), f"{field}.max_sites"),
        rate_per_site_ml_h=_finite(
            get("rate_per_site_ml_h"), f"{field}.rate_per_site_ml_h"
        ),
        rate_limit_per_site_ml_h=_opt_finite(
            get("rate_limit_per_site_ml_h"), f"{field}.rate_limit_per_site_ml_h"
        ),
        total_rate_ml_h=_finite(get("total_rate_ml_h"), f"{field}.total_rate_ml_h"),
        total_rate_limit_ml_h=_opt_finite(
            get("total_rate_limit_ml_h"), f"{field}.total_rate_limit_ml_h"
        ),
        volume_per_day_limit_ml=_opt_finite(
            get("volume_per_day_limit_ml"), f"{field}.volume_per_day_limit_ml"
        ),
        applies_to=_texts(get("applies_to"), f"{field}.applies_to"),
        sources=_texts(get("sources"), f"{field}.sources"),
    )


def _infusion(i: int, inf: object) -> InfusionFacts:
    f = f"plan.infusions[{i}]"
    rates, rate_weight = _rates(getattr(inf, "run", None), f"{f}.run")
    return InfusionFacts(
        index=i,
        date=_date(getattr(inf, "date", None), f"{f}.date"),
        cycle=_count(getattr(inf, "cycle", None), f"{f}.cycle"),
        day=_count(getattr(inf, "day", None), f"{f}.day"),
        dose_g_per_kg=_finite(
            getattr(inf, "dose_g_per_kg", None), f"{f}.dose_g_per_kg"
        ),
        calculated_g=_finite(getattr(inf, "calculated_g", None), f"{f}.calculated_g"),
        dispensed_g=_finite(getattr(inf, "dispensed_g", None), f"{f}.dispensed_g"),
        volume_ml=_finite(getattr(inf, "volume_ml", None), f"{f}.volume_ml"),
        rates_ml_h=rates,
        rate_weight_kg=rate_weight,
        sc=_sc(getattr(inf, "sc", None), f"{f}.sc"),
    )


def _phase(value: object) -> str:
    raw = getattr(value, "value", value)
    return str(raw)


def _cycle(i: int, c: object) -> CycleFacts:
    f = f"plan.cycles[{i}]"
    planned = getattr(c, "planned_start", None)
    return CycleFacts(
        number=_count(getattr(c, "number", None), f"{f}.number"),
        phase=_phase(getattr(c, "phase", "")),
        start=_date(getattr(c, "start", None), f"{f}.start"),
        planned_start=None if planned is None else _date(planned, f"{f}.planned_start"),
        dose_g_per_kg=_finite(getattr(c, "dose_g_per_kg", None), f"{f}.dose_g_per_kg"),
    )


def _seq(plan: object, name: str) -> tuple[object, ...]:
    value = getattr(plan, name, ())
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InputError(f"plan.{name}", value, "a sequence")
    return tuple(value)


def _regimen(plan: object) -> tuple[float | None, float | None, str | None]:
    regimen = getattr(plan, "regimen", None)
    if regimen is None:
        return None, None, None
    maintenance = getattr(regimen, "maintenance", None)
    interval = (
        None
        if maintenance is None
        else _finite(
            getattr(maintenance, "interval_days", None),
            "plan.regimen.maintenance.interval_days",
        )
    )
    first = None
    if maintenance is not None and getattr(regimen, "induction", None) is not None:
        first = _finite(
            getattr(regimen, "first_maintenance_days", None),
            "plan.regimen.first_maintenance_days",
        )
    source = getattr(regimen, "source", None)
    return interval, first, source if isinstance(source, str) else None


def _basis(plan: object) -> str | None:
    dw = getattr(plan, "dosing_weight", None)
    if dw is None:
        return None
    basis = getattr(dw, "basis", None)
    if basis is None:
        return None
    return str(getattr(basis, "value", basis))


def read_route(plan: object) -> str:
    """The plan's route (``"iv"``, ``"sc"``, ``"facilitated_sc"``); IV if absent."""
    from ivig_core.products import Route  # noqa: PLC0415 - import cycle

    value = getattr(plan, "route", None)
    if value is None:
        return Route.IV.value
    return Route.parse(value, field="plan.route").value


def read_plan(
    plan: object,
) -> tuple[
    tuple[InfusionFacts, ...],
    tuple[CycleFacts, ...],
    tuple[float | None, float | None, str | None],
    str | None,
]:
    """Re-check the plan's infusions, cycles, regimen intervals and basis."""
    infusions = tuple(
        _infusion(i, inf) for i, inf in enumerate(_seq(plan, "infusions"))
    )
    cycles = tuple(_cycle(i, c) for i, c in enumerate(_seq(plan, "cycles")))
    return infusions, cycles, _regimen(plan), _basis(plan)
