"""Subcutaneous plans: dated SC or HyQvia infusions with sites and volumes.

:func:`plan_scig` lays an IVIg → SC conversion
(:func:`~ivig_core.scig.convert_to_scig`) on a calendar;
:func:`plan_scig_regimen` plans a fixed-dose SC regimen such as the Hizentra
CIDP presets (:data:`~ivig_core.scig.SCIG_PRESETS`). Both return an
:class:`ScPlan`: the same :class:`~ivig_core.plan.Plan` the IV planner builds
(so JSON, the CLI and the safety checks read it unchanged), with
``Plan.route`` SC or facilitated SC and each infusion's
:class:`~ivig_core.plan.ScDetails` in ``Infusion.sc`` (sites, volume and rate
per site, the limits applied and their sources). Like
:func:`~ivig_core.planning.plan_course`, both attach the safety report
(:func:`~ivig_core.safety.assess`, with the SC rules) to the plan.

For each infusion: the dose → vials under the rounding policy → volume
(grams ÷ concentration) → the fewest sites that keep the volume per site
within the label limit (:func:`~ivig_core.scig.plan_sites`; more sites than
the label allows is a :class:`~ivig_core.PlanningError` saying how many) →
the rate per site → the pump rate (per-site rate × sites) and the duration.

Example:
    >>> import datetime as dt
    >>> from ivig_core import Patient
    >>> from ivig_core.scig import LabelFactor, ScLimits, Weekly, convert_to_scig
    >>> p = Patient(sex="female", age="54 year", height="165 cm", weight="70 kg")
    >>> dose = convert_to_scig(ivig_dose="30 g", ivig_interval="4 week",
    ...     product="hizentra", rule=LabelFactor(), frequency=Weekly(),
    ...     last_ivig=dt.date(2026, 1, 5))
    >>> later = ScLimits.from_product("hizentra", situation="PI, later infusions",
    ...     max_sites=4, parameter_source="local protocol")
    >>> sc = plan_scig(p, dose, policy="actual", rounding="never-below",
    ...     limits=later, site_rate="label-maximum", cycles=2)
    >>> [(str(i.date), i.sc.sites, round(i.sc.volume_per_site_ml, 2))
    ...  for i in sc.plan.infusions]
    [('2026-01-12', 3, 18.33), ('2026-01-19', 3, 18.33)]
    >>> sc.plan.route.value, sc.plan.safety is not None
    ('sc', True)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Final, TypeAlias

import attrs

from ivig_core import units
from ivig_core.dosing_weight import DosingWeight, DosingWeightPolicy, dosing_weight
from ivig_core.errors import InputError, PlanningError
from ivig_core.infusion import InfusionRun, RateSchedule, RateStep, plan_infusion_ml
from ivig_core.patient import Patient
from ivig_core.plan import Cycle, Infusion, Phase, Plan, ScDetails, Trace
from ivig_core.products import Product, Route, default_catalogue
from ivig_core.regimen import DayRange, Maintenance, Regimen
from ivig_core.safety import Override, SafetyConfig, SafetyReport, assess
from ivig_core.scig import (
    SRC_RAMP,
    ScigDose,
    ScLimits,
    TimesPerWeek,
    hyqvia_ramp_up_values,
    plan_sites,
    sc_product,
)
from ivig_core.units import G_PER_KG, ML_PER_H, Quantity
from ivig_core.vials import RoundingPolicy, VialSelection, get_rounding, select_vials_g


__all__ = [
    "FirstInfusions",
    "ScDetails",
    "ScPlan",
    "SiteRate",
    "plan_scig",
    "plan_scig_regimen",
]

_DAYS_PER_WEEK: Final = 7
_REL_TOL: Final = 1e-9

#: The rate per site: ``"label-maximum"`` (the limit's maximum per-site
#: rate), or a rate such as ``"20 mL/h"`` (per site, at most the limit).
SiteRate: TypeAlias = Quantity | str


# --------------------------------------------------------------------------
# Values


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError("first_infusions.count", value, "a whole number ≥ 1")
    return value


def _limits(value: object) -> ScLimits:
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

    limits: ScLimits = attrs.field(converter=_limits)
    count: int = attrs.field(converter=_count)


@attrs.frozen(kw_only=True)
class ScPlan:
    """A subcutaneous plan: the :class:`~ivig_core.plan.Plan` and its conversion.

    The SC details live on the plan (``Infusion.sc``, ``Plan.route``);
    :attr:`sc` and :attr:`route` read them from there (no second copy).

    Attributes:
        plan: The plan (infusions with their SC details, cycles, trace,
            safety report) in the shared model.
        conversion: The conversion planned, or ``None`` for a regimen.

    Raises:
        InputError: A plan that is not SC or facilitated SC, or an infusion
            without SC details.

    .. versionadded:: 0.1.0
    """

    plan: Plan
    conversion: ScigDose | None = None

    def __attrs_post_init__(self) -> None:
        """An SC route, and SC details on every infusion, on its date."""
        if not isinstance(self.plan, Plan):
            raise InputError("plan", self.plan, "a Plan from plan_scig")
        if self.plan.route is Route.IV:
            raise InputError("plan.route", self.plan.route, "SC or facilitated SC")
        for i, inf in enumerate(self.plan.infusions):
            if inf.sc is None or inf.sc.date != inf.date:
                raise InputError(
                    f"plan.infusions[{i}].sc", inf.sc, "the infusion's ScDetails"
                )

    @property
    def sc(self) -> tuple[ScDetails, ...]:
        """One :class:`~ivig_core.plan.ScDetails` per infusion, same order."""
        return tuple(inf.sc for inf in self.plan.infusions if inf.sc is not None)

    @property
    def route(self) -> Route:
        """SC or facilitated SC (the plan's route)."""
        return self.plan.route

    @property
    def safety(self) -> SafetyReport | None:
        """The plan's safety report."""
        return self.plan.safety

    @property
    def ready_to_issue(self) -> bool:
        """Whether the plan's safety report allows it to be issued."""
        return self.plan.ready_to_issue

    def pairs(self) -> tuple[tuple[Infusion, ScDetails], ...]:
        """Each infusion with its SC details."""
        return tuple((inf, inf.sc) for inf in self.plan.infusions if inf.sc is not None)

    def table(self) -> str:
        """Date, grams, volume, sites, mL per site, rate per site, minutes.

        .. versionadded:: 0.1.0
        """
        lines = [
            (
                "date        cyc label                 disp g   mL     sites "
                "mL/site mL/h/site  min"
            )
        ]
        labels = {c.number: c.label for c in self.plan.cycles}
        for infusion, sc in self.pairs():
            label = labels.get(infusion.cycle, "")[:20]
            lines.append(
                f"{infusion.date.isoformat()}  {infusion.cycle:>3} {label:<20}  "
                f"{infusion.dispensed_g:7.2f}  {infusion.volume_ml:5.0f}  "
                f"{sc.sites:>5} {sc.volume_per_site_ml:7.1f} "
                f"{sc.rate_per_site_ml_h:9.1f}  {infusion.run.duration_min:5.0f}"
            )
        return "\n".join(lines)

    def explain(self) -> str:
        """The plan's explanation, then the SC table.

        .. versionadded:: 0.1.0
        """
        return f"{self.plan.explain()}\n\nSubcutaneous details:\n{self.table()}"


# --------------------------------------------------------------------------
# Internal schedule


@attrs.frozen(kw_only=True)
class _Course:
    number: int
    phase: Phase
    start: dt.date
    dates: tuple[dt.date, ...]
    dose_g: float  # per course
    daily_g: tuple[float, ...]
    interval_days: float
    label: str
    source: str


@attrs.frozen(kw_only=True)
class _Safety:
    """The safety arguments, passed through to :func:`assess`."""

    indication: str | None
    config: SafetyConfig | None
    overrides: Iterable[Override]
    previous_product: Product | str | None
    strict: bool


def _policy_weight(patient: Patient, policy: DosingWeightPolicy | str) -> DosingWeight:
    if not isinstance(patient, Patient):
        raise InputError("patient", patient, "a Patient")
    return dosing_weight(patient, policy)


def _rounding(value: object) -> RoundingPolicy:
    if isinstance(value, str):
        return get_rounding(value)
    if isinstance(value, RoundingPolicy):
        return value
    raise InputError(
        "rounding",
        value,
        "a RoundingPolicy or its name (e.g. 'never-below'); for a product "
        "without vial sizes in the catalogue (Cuvitru, Xembify: UNCONFIRMED), "
        "convert with a formulary product that has them (load_formulary)",
    )


def _check_situation(patient: Patient, limits: ScLimits) -> None:
    """Refuse limits whose situation names a weight or age the patient lacks."""
    weight, age = patient.weight_kg, patient.age_years
    for row in limits.rows:
        for what, fits, shown in (
            ("weight", row.fits_weight(weight), f"{weight:g} kg"),
            ("age", row.fits_age(age), f"{age:g} years"),
        ):
            if not fits:
                raise InputError(
                    "limits",
                    row.applies_to,
                    f"limits for this patient's {what} ({shown})",
                    f"the situation {row.applies_to!r} does not apply to a patient "
                    f"of {shown}",
                )


def _site_rate(
    site_rate: object, limits: ScLimits, sites: int
) -> tuple[float, float, str]:
    """(rate per site, maximum total mL/h, how) for *sites* sites."""
    limit = limits.rate_per_site_ml_h
    total_limit = limits.total_rate_ml_h
    notes: list[str] = []
    if isinstance(site_rate, str) and site_rate == "label-maximum":
        if limit is None:
            raise InputError(
                "site_rate",
                site_rate,
                "a rate per site such as '20 mL/h'",
                f"{limits.product} has no per-site rate limit for "
                f"{', '.join(limits.applies_to)} in the catalogue (not in the "
                "reference), so there is no label maximum to use",
            )
        rate = limit
        notes.append(f"the limits' maximum {limit:g} mL/h per site")
        if total_limit is not None and rate * sites > total_limit * (1 + _REL_TOL):
            rate = total_limit / sites
            notes.append(
                f"lowered to {rate:.4g} mL/h per site so {sites} sites stay within "
                f"the label's {total_limit:g} mL/h over all sites"
            )
    else:
        rate = units.to_float(site_rate, field="site_rate", unit=ML_PER_H)
        if not rate > 0.0:
            raise InputError("site_rate", site_rate, "a rate > 0 mL/h per site")
        if limit is not None and rate > limit * (1 + _REL_TOL):
            raise PlanningError(
                f"site_rate: {rate:g} mL/h per site is {rate - limit:g} mL/h above "
                f"the label's {limit:g} mL/h per site ({', '.join(limits.applies_to)})"
            )
        if total_limit is not None and rate * sites > total_limit * (1 + _REL_TOL):
            raise PlanningError(
                f"site_rate: {rate:g} mL/h at {sites} sites is {rate * sites:g} mL/h, "
                f"{rate * sites - total_limit:g} mL/h above the label's "
                f"{total_limit:g} mL/h over all sites"
            )
        notes.append(f"{rate:g} mL/h per site as given")
    maximum = (limit if limit is not None else rate) * sites
    if total_limit is not None:
        maximum = min(maximum, total_limit)
    return rate, maximum, "; ".join(notes)


def _run(  # noqa: PLR0917 - internal helper, called once
    product: Product,
    volume_ml: float,
    total_ml_h: float,
    maximum_ml_h: float,
    rate_weight_kg: float,
    limits: ScLimits,
    how: str,
) -> InfusionRun:
    schedule = RateSchedule(
        steps=[RateStep(rate=units.quantity(total_ml_h, ML_PER_H))],
        maximum=units.quantity(max(maximum_ml_h, total_ml_h), ML_PER_H),
        source="subcutaneous per-site rate × sites: " + "; ".join(limits.sources),
        notes=[f"SC rate per site: {how}"],
    )
    # The IV indications' labelled maxima do not apply to an SC run.
    sc_only = attrs.evolve(product, indications={})
    return plan_infusion_ml(
        volume_ml=volume_ml,
        product=sc_only,
        schedule=schedule,
        rate_weight_kg=rate_weight_kg,
    )


def _assemble(
    *,
    patient: Patient,
    product: Product,
    route: Route,
    regimen: Regimen,
    weight: DosingWeight,
    courses: Sequence[_Course],
    rounding: object,
    limits: ScLimits,
    first_infusions: FirstInfusions | None,
    site_rate: object,
    trace: list[Trace],
    notes: list[str],
    conversion: ScigDose | None,
    safety: _Safety,
) -> ScPlan:
    limits = _limits(limits)
    if first_infusions is not None and not isinstance(first_infusions, FirstInfusions):
        raise InputError("first_infusions", first_infusions, "FirstInfusions or None")
    for lim in (
        limits,
        *(() if first_infusions is None else (first_infusions.limits,)),
    ):
        if lim.product != product.key:
            raise InputError(
                "limits", lim.product, f"limits of {product.key} (the planned product)"
            )
        _check_situation(patient, lim)
    policy = _rounding(rounding)
    rounding_name = policy.name
    notes.extend(_unused_limit_notes(product, limits, first_infusions))
    infusions: list[Infusion] = []
    cycles: list[Cycle] = []
    seen: set[tuple[float, tuple[str, ...]]] = set()
    limits_traced: set[tuple[str, ...]] = set()
    index = 0
    for course in courses:
        course_volume = 0.0
        dispensed = 0.0
        for day, (date, grams) in enumerate(
            zip(course.dates, course.daily_g, strict=True), start=1
        ):
            lim = (
                first_infusions.limits
                if first_infusions is not None and index < first_infusions.count
                else limits
            )
            index += 1
            selection = select_vials_g(grams, product, policy)
            where = f"infusion {index} ({date.isoformat()})"
            try:
                sites = plan_sites(selection.volume_ml, lim)
            except PlanningError as exc:
                raise PlanningError(f"{where}: {exc}") from exc
            rate, maximum, how = _site_rate(site_rate, lim, sites.sites)
            run = _run(
                product,
                selection.volume_ml,
                rate * sites.sites,
                maximum,
                patient.weight_kg,
                lim,
                how,
            )
            details = ScDetails(
                date=date,
                route=route,
                sites=sites.sites,
                volume_ml=selection.volume_ml,
                volume_per_site_ml=sites.volume_per_site_ml,
                volume_limit_per_site_ml=sites.volume_limit_per_site_ml,
                max_sites=sites.max_sites,
                rate_per_site_ml_h=rate,
                rate_limit_per_site_ml_h=lim.rate_per_site_ml_h,
                total_rate_ml_h=rate * sites.sites,
                volume_per_day_limit_ml=lim.volume_per_day_ml,
                applies_to=lim.applies_to,
                sources=lim.sources,
                total_rate_limit_ml_h=lim.total_rate_ml_h,
            )
            infusions.append(
                Infusion(
                    date=date,
                    phase=course.phase,
                    cycle=course.number,
                    day=day,
                    days_in_course=len(course.dates),
                    dose_g_per_kg=grams / weight.weight_kg,
                    calculated_g=grams,
                    dispensed_g=selection.dispensed_g,
                    vials=selection,
                    volume_ml=selection.volume_ml,
                    run=run,
                    sc=details,
                )
            )
            course_volume += selection.volume_ml
            dispensed += selection.dispensed_g
            if lim.applies_to not in limits_traced:
                limits_traced.add(lim.applies_to)
                trace.append(_limits_trace(lim))
            key = (selection.dispensed_g, lim.applies_to)
            if key not in seen:
                seen.add(key)
                trace.extend(
                    _infusion_traces(product, selection, sites.sites, lim, rate, how)
                )
                trace[-1] = attrs.evolve(
                    trace[-1],
                    inputs=f"{trace[-1].inputs}; duration {run.duration_min:.0f} min",
                )
        cycles.append(
            Cycle(
                number=course.number,
                phase=course.phase,
                planned_start=course.start,
                start=course.start,
                days=len(course.dates),
                dose_g_per_kg=course.dose_g / weight.weight_kg,
                interval_days=course.interval_days,
                calculated_g=course.dose_g,
                dispensed_g=dispensed,
                volume_ml=course_volume,
                label=course.label,
            )
        )
    plan = Plan(
        regimen=regimen,
        product=product.name,
        dosing_weight=weight,
        rounding=rounding_name,
        start=courses[0].dates[0],
        infusions=tuple(infusions),
        cycles=tuple(cycles),
        ended="cycles",
        notes=tuple(notes),
        trace=tuple(trace),
        indication=safety.indication,
        route=route,
    )
    # Every plan carries its safety report, as plan_course's do; assess
    # applies the SC rules from plan.route and re-checks Infusion.sc.
    report = assess(
        patient,
        plan,
        product=product,
        indication=safety.indication,
        config=safety.config,
        overrides=safety.overrides,
        previous_product=safety.previous_product,
        strict=safety.strict,
    )
    return ScPlan(plan=attrs.evolve(plan, safety=report), conversion=conversion)


def _unused_limit_notes(
    product: Product, limits: ScLimits, first: FirstInfusions | None
) -> list[str]:
    """Say when the catalogue has first-infusion or daily limits not applied."""
    used = set(limits.applies_to) | set(
        () if first is None else first.limits.applies_to
    )
    notes = []
    firsts = [r.applies_to for r in product.sc_limits if r.is_first]
    if first is None and firsts:
        notes.append(
            f"{product.name}'s catalogue has first-infusion limits "
            f"({'; '.join(firsts)}) that were not applied: pass first_infusions= "
            "if this is the patient's first SC infusion."
        )
    daily = [r.applies_to for r in product.sc_limits if r.volume_per_day is not None]
    if daily and not used.intersection(daily):
        notes.append(
            f"{product.name}'s catalogue has daily volume limits "
            f"({'; '.join(daily)}) that were not applied: add the one for this "
            "patient to the situation."
        )
    return notes


def _limits_trace(limits: ScLimits) -> Trace:
    tiers = ", ".join(
        f"≤ {t.volume_per_site_ml:g} mL/site at {t.sites_from}-{t.sites_to} sites"
        for t in limits.tiers
    )
    extra = [
        f"{name} {value:g} {unit}"
        for name, value, unit in (
            ("rate per site ≤", limits.rate_per_site_ml_h, "mL/h"),
            ("initial rate per site", limits.initial_rate_per_site_ml_h, "mL/h"),
            ("all sites ≤", limits.total_rate_ml_h, "mL/h"),
            ("per day ≤", limits.volume_per_day_ml, "mL"),
        )
        if value is not None
    ]
    return Trace(
        what=f"SC limits ({'; '.join(limits.applies_to)})",
        value="; ".join([tiers, *extra]),
        formula="catalogue rows for the situation, and parameters where the "
        "catalogue has no value",
        inputs=f"{limits.product}: {', '.join(limits.applies_to)}",
        source="; ".join(limits.sources),
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _infusion_traces(  # noqa: PLR0917 - internal helper, called once
    product: Product,
    selection: VialSelection,
    sites: int,
    limits: ScLimits,
    rate: float,
    how: str,
) -> list[Trace]:
    grams = selection.dispensed_g
    return [
        Trace(
            what=f"infusion of {selection.calculated_g:.4g} g: vials and volume",
            value=f"{grams:g} g, {selection.volume_ml:.4g} mL",
            formula=f"{selection.reason}; volume = grams ÷ concentration",
            inputs=f"{product.name} {product.concentration_g_per_l:g} g/L",
            source=f"{product.name} catalogue entry ({product.presentation_source})",
        ),
        Trace(
            what=f"infusion of {grams:g} g: sites",
            value=f"{_plural(sites, 'site')} × {selection.volume_ml / sites:.4g} mL",
            formula="fewest sites with volume ÷ sites ≤ the per-site limit "
            f"({limits.volume_limit_ml(sites):g} mL at {_plural(sites, 'site')}); "
            "equal split",
            inputs=f"{selection.volume_ml:.4g} mL; at most "
            f"{_plural(limits.max_sites, 'site')}",
            source=f"SC limits ({'; '.join(limits.applies_to)}), above",
        ),
        Trace(
            what=f"infusion of {grams:g} g: rate",
            value=f"{rate:.4g} mL/h per site, {rate * sites:.4g} mL/h in all",
            formula=f"rate per site × sites ({how}); duration = mL per site ÷ "
            "mL/h per site",
            inputs=_plural(sites, "site"),
            source=f"SC limits ({'; '.join(limits.applies_to)}), above",
        ),
    ]


def _dosing_trace(patient: Patient, weight: DosingWeight) -> Trace:
    return Trace(
        what="dosing weight",
        value=f"{weight.weight_kg:.2f} kg ({weight.basis.value})",
        formula=weight.reason,
        inputs=f"weight {patient.weight_kg:.2f} kg; policy {weight.policy}",
        source=weight.source,
    )


def _whole_days(days: float, field: str) -> int:
    whole = round(days)
    if whole < 1 or abs(days - whole) > 1e-9:
        raise InputError(field, days, "a whole number of days ≥ 1")
    return int(whole)


def _cycles(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError("cycles", value, "a whole number ≥ 1")
    return value


# --------------------------------------------------------------------------
# From a conversion


def _first_dose(
    conversion: ScigDose, first_dose: dt.date | None
) -> tuple[dt.date, str]:
    lo, hi = conversion.first_dose_earliest, conversion.first_dose_latest
    if first_dose is not None and not isinstance(first_dose, dt.date):
        raise InputError("first_dose", first_dose, "a datetime.date or None")
    if first_dose is None:
        if lo is None:
            raise InputError(
                "first_dose",
                None,
                "a date: give first_dose (or last_ivig to convert_to_scig for a "
                "product whose label times the first SC dose)",
                f"no first-dose date for {conversion.product_name}",
            )
        return lo, "the label's earliest date (see 'first SC dose')"
    if lo is not None and hi is not None and not lo <= first_dose <= hi:
        window = lo.isoformat() if lo == hi else f"{lo.isoformat()} to {hi.isoformat()}"
        raise InputError(
            "first_dose",
            first_dose,
            f"{window} (the label's timing after the last IVIg "
            f"{conversion.last_ivig}); leave last_ivig out of the conversion to "
            "plan another date on your own authority",
            f"{first_dose.isoformat()} is outside {window}",
        )
    if lo is None:
        return first_dose, "given (the label's timing was not applied)"
    return first_dose, "given, within the label's window"


def _dose_g(conversion: ScigDose, weight: DosingWeight, trace: list[Trace]) -> float:
    if conversion.dose_g is not None:
        given = conversion.dosing_weight
        if given is not None and not math.isclose(
            given.weight_kg, weight.weight_kg, rel_tol=1e-9
        ):
            raise InputError(
                "policy",
                weight.policy,
                f"the dosing weight the conversion used ({given.weight_kg:g} kg)",
                f"the plan's dosing weight is {weight.weight_kg:g} kg",
            )
        return conversion.dose_g
    per_kg = conversion.dose_g_per_kg or 0.0
    grams = per_kg * weight.weight_kg
    trace.append(
        Trace(
            what="dose per administration in grams",
            value=f"{grams:.4g} g",
            formula="dose g/kg × dosing weight",
            inputs=f"{per_kg:.4g} g/kg × {weight.weight_kg:.2f} kg",
            source=weight.source,
        )
    )
    return grams


def _conversion_regimen(
    conversion: ScigDose,
    dose_g: float,
    weight_kg: float,
    cycles: int,
    days: int,
    *,
    ramp: bool,
) -> Regimen:
    interval = _whole_days(conversion.interval_days, "interval")
    course_g = dose_g * days
    source = (
        f"IVIg → {conversion.product_name}: {conversion.rule} {conversion.factor:g} "
        f"({conversion.factor_source}); {conversion.frequency.name}"
    )
    fixed = [f"{conversion.frequency.name}: {t.formula}" for t in conversion.trace[-1:]]
    if ramp:
        fixed.append(
            "HyQvia: the full dose follows the label's ramp-up (1-, 2- and 3-week "
            "doses at weeks 1, 2 and 4); the ramp-up courses are the plan's "
            "first 3 cycles"
        )
    if isinstance(conversion.frequency, TimesPerWeek):
        fixed.append(
            f"{conversion.frequency.times} doses a week on day offsets "
            f"{conversion.frequency.week_offsets} (not consecutive days): a "
            "scheduling choice, not a label rule"
        )
    return Regimen(
        name=f"scig-{conversion.product}-{conversion.frequency.name}",
        maintenance=Maintenance(
            dose=units.quantity(course_g / weight_kg, G_PER_KG),
            interval=f"{interval} day",
            allowed_days=DayRange.exactly(days),
            days=days,
            allowed_cycles=DayRange(low=1),
            cycles=cycles,
            source=source,
        ),
        source=source,
        fixed=tuple(fixed),
    )


def _ramp_courses(
    conversion: ScigDose, start: dt.date, dose_g: float, cycles: int
) -> list[_Course]:
    weeks = conversion.ivig_interval_weeks
    steps = hyqvia_ramp_up_values(dose_g, weeks)
    interval = _whole_days(weeks * _DAYS_PER_WEEK, "interval")
    out: list[_Course] = []
    for number, (week, n_weeks, grams) in enumerate(steps[:-1], start=1):
        out.append(
            _Course(
                number=number,
                phase=Phase.RAMP_UP,
                start=start + dt.timedelta(days=(week - 1) * _DAYS_PER_WEEK),
                dates=(start + dt.timedelta(days=(week - 1) * _DAYS_PER_WEEK),),
                dose_g=grams,
                daily_g=(grams,),
                interval_days=float(n_weeks * _DAYS_PER_WEEK),
                label=f"HyQvia ramp-up: {n_weeks}-week dose (week {week})",
                source=SRC_RAMP,
            )
        )
    full_week = steps[-1][0]
    first_full = start + dt.timedelta(days=(full_week - 1) * _DAYS_PER_WEEK)
    for k in range(cycles):
        date = first_full + dt.timedelta(days=k * interval)
        out.append(
            _Course(
                number=len(steps) + k,
                phase=Phase.MAINTENANCE,
                start=date,
                dates=(date,),
                dose_g=dose_g,
                daily_g=(dose_g,),
                interval_days=float(interval),
                label=(
                    f"full {weeks:g}-week dose (week {full_week})"
                    if k == 0
                    else f"full {weeks:g}-week dose"
                ),
                source=conversion.factor_source,
            )
        )
    return out


def _regular_courses(
    conversion: ScigDose, start: dt.date, dose_g: float, cycles: int
) -> list[_Course]:
    freq = conversion.frequency
    interval = _whole_days(conversion.interval_days, "interval")
    offsets = freq.week_offsets if isinstance(freq, TimesPerWeek) else (0,)
    out: list[_Course] = []
    for k in range(cycles):
        first = start + dt.timedelta(days=k * interval)
        dates = tuple(first + dt.timedelta(days=o - offsets[0]) for o in offsets)
        out.append(
            _Course(
                number=k + 1,
                phase=Phase.MAINTENANCE,
                start=first,
                dates=dates,
                dose_g=dose_g * len(dates),
                daily_g=(dose_g,) * len(dates),
                interval_days=float(interval),
                label=f"{conversion.frequency.name} SC dose",
                source=conversion.factor_source,
            )
        )
    return out


def plan_scig(
    patient: Patient,
    conversion: ScigDose,
    *,
    policy: DosingWeightPolicy | str,
    rounding: RoundingPolicy | str,
    limits: ScLimits,
    site_rate: SiteRate,
    cycles: int,
    first_dose: dt.date | None = None,
    first_infusions: FirstInfusions | None = None,
    ramp_up: bool | None = None,
    indication: str | None = None,
    safety_config: SafetyConfig | None = None,
    overrides: Iterable[Override] = (),
    previous_product: Product | str | None = None,
    strict: bool = False,
) -> ScPlan:
    """Plan an IVIg → SC conversion as dated SC infusions.

    Args:
        patient: The patient (rates and safety use the actual weight).
        conversion: From :func:`~ivig_core.scig.convert_to_scig`.
        policy: The dosing-weight policy: g/kg = grams ÷ dosing weight, and
            grams = g/kg × dosing weight when the conversion is per kg.
        rounding: A vial rounding policy (or its name), applied to each
            dose. Required. Cuvitru and Xembify have no vial sizes in the
            catalogue (UNCONFIRMED): convert with a formulary product that
            has them (:func:`~ivig_core.products.load_formulary`).
        limits: The SC limits for the (later) infusions.
        site_rate: ``"label-maximum"`` or a rate per site (``"20 mL/h"``).
        cycles: Weeks (weekly, n times a week), fortnights (every 2 weeks) or
            full-dose intervals (HyQvia, after the ramp-up) to plan.
        first_dose: The first SC day. Default: the label's earliest day
            after the conversion's ``last_ivig``; if given with
            ``last_ivig`` it must lie in the label's window.
        first_infusions: Lower limits for the first infusion(s).
        ramp_up: HyQvia only. ``None`` or ``True``: the label's ramp-up (1-,
            2- and 3-week doses at weeks 1, 2 and 4, the full dose from week
            7); ``False``: no ramp-up (e.g. already on HyQvia), recorded.
        indication: The indication key, if any, recorded on the plan and
            passed to the safety checks (indication dose limits).
        safety_config: Thresholds and local protocols for the safety checks
            (default :class:`~ivig_core.safety.SafetyConfig`).
        overrides: Soft limits accepted, each with its reason
            (:class:`~ivig_core.safety.Override`); recorded on the report.
        previous_product: The product the patient had before (e.g. the
            IVIg product; a switch restarts at the initial rate).
        strict: Raise :class:`~ivig_core.safety.SafetyBlock` instead of
            returning a plan that is not ready to issue.

    Returns:
        The :class:`ScPlan`; its plan carries the safety report
        (``plan.safety``) with the SC rules: the thrombosis boxed warning,
        sites, volume and rate per site, and the daily volume, each
        re-checked against the catalogue.

    Raises:
        InputError: A bad argument, a first dose outside the label's window,
            a ramp-up for an interval the label table does not cover.
        PlanningError: More sites than the label allows, a day's volume above
            the daily limit, a rate above the label's (each says by how much).
        SafetyBlock: In strict mode, a plan that is not ready to issue.

    .. versionadded:: 0.1.0
    """
    if not isinstance(conversion, ScigDose):
        raise InputError("conversion", conversion, "a ScigDose from convert_to_scig")
    count = _cycles(cycles)
    product, route = sc_product(conversion.product_entry)
    weight = _policy_weight(patient, policy)
    trace = [*conversion.trace, _dosing_trace(patient, weight)]
    notes = list(conversion.notes)
    dose_g = _dose_g(conversion, weight, trace)
    start, how = _first_dose(conversion, first_dose)
    trace.append(
        Trace(
            what="first SC day",
            value=start.isoformat(),
            formula=how,
            inputs=f"last IVIg {conversion.last_ivig}; first_dose {first_dose}",
            source=next(
                (t.source for t in conversion.trace if t.what == "first SC dose"),
                "first_dose given by the caller",
            ),
        )
    )
    ramp = route is Route.FACILITATED_SC and ramp_up is not False
    if ramp:
        courses = _ramp_courses(conversion, start, dose_g, count)
        trace.append(
            Trace(
                what="HyQvia ramp-up",
                value=", ".join(
                    f"{c.dose_g:.4g} g on {c.start.isoformat()}" for c in courses[:4]
                ),
                formula="week 1: 1-week dose; week 2: 2-week dose; week 4: 3-week "
                "dose; week 7: the full dose (n-week dose = full dose ÷ interval "
                "weeks × n)",
                inputs=f"full dose {dose_g:.4g} g every "
                f"{conversion.ivig_interval_weeks:g} weeks",
                source=SRC_RAMP,
            )
        )
        notes.append(
            "The ramp-up infusions are cycles 1-3 (phase ramp_up); the full "
            "dose starts at cycle 4 (phase maintenance)."
        )
    else:
        if ramp_up is True:
            raise InputError(
                "ramp_up",
                ramp_up,
                "None or False: the labelled ramp-up is HyQvia's (facilitated SC)",
            )
        if ramp_up is False:
            notes.append("No HyQvia ramp-up (ramp_up=False), as chosen.")
        courses = _regular_courses(conversion, start, dose_g, count)
    days = len(courses[-1].dates)
    regimen = _conversion_regimen(
        conversion, dose_g, weight.weight_kg, count, days, ramp=ramp
    )
    return _assemble(
        patient=patient,
        product=product,
        route=route,
        regimen=regimen,
        weight=weight,
        courses=courses,
        rounding=rounding,
        limits=limits,
        first_infusions=first_infusions,
        site_rate=site_rate,
        trace=trace,
        notes=notes,
        conversion=conversion,
        safety=_Safety(
            indication=indication,
            config=safety_config,
            overrides=overrides,
            previous_product=previous_product,
            strict=strict,
        ),
    )


# --------------------------------------------------------------------------
# From a regimen (fixed g/kg SC doses, e.g. Hizentra CIDP)


def plan_scig_regimen(
    patient: Patient,
    regimen: Regimen,
    product: Product | str,
    *,
    start: dt.date | None = None,
    last_ivig: dt.date | None = None,
    policy: DosingWeightPolicy | str,
    rounding: RoundingPolicy | str,
    limits: ScLimits,
    site_rate: SiteRate,
    first_infusions: FirstInfusions | None = None,
    indication: str | None = None,
    safety_config: SafetyConfig | None = None,
    overrides: Iterable[Override] = (),
    previous_product: Product | str | None = None,
    strict: bool = False,
) -> ScPlan:
    """Plan a fixed-dose SC maintenance regimen (e.g. a Hizentra CIDP preset).

    Each course is the regimen's g/kg dose × the dosing weight, given in
    equal parts on the chosen number of consecutive days (Hizentra CIDP:
    "1-2 sessions over 1-2 days").

    Args:
        patient: The patient.
        regimen: A complete regimen with maintenance only
            (:data:`~ivig_core.scig.SCIG_PRESETS` after ``choose``).
        product: An SC product.
        start: The first SC day; or
        last_ivig: the last IVIg day, and the first SC day is 1 week later
            (Hizentra PI, CIDP). Give one of the two (both: they must agree).
        policy: The dosing-weight policy.
        rounding: A vial rounding policy (or name).
        limits: The SC limits for the (later) infusions.
        site_rate: ``"label-maximum"`` or a rate per site.
        first_infusions: Lower limits for the first infusion(s).
        indication: The indication key, if any, recorded on the plan and
            passed to the safety checks (indication dose limits).
        safety_config: Thresholds and local protocols for the safety checks
            (default :class:`~ivig_core.safety.SafetyConfig`).
        overrides: Soft limits accepted, each with its reason
            (:class:`~ivig_core.safety.Override`); recorded on the report.
        previous_product: The product the patient had before (e.g. the
            IVIg product; a switch restarts at the initial rate).
        strict: Raise :class:`~ivig_core.safety.SafetyBlock` instead of
            returning a plan that is not ready to issue.

    Returns:
        The :class:`ScPlan`; its plan carries the safety report
        (``plan.safety``) with the SC rules: the thrombosis boxed warning,
        sites, volume and rate per site, and the daily volume, each
        re-checked against the catalogue.

    Raises:
        InputError: A bad argument or a regimen with open choices.
        PlanningError: More sites than the label allows, a day's volume above
            the daily limit, a rate above the label's.
        SafetyBlock: In strict mode, a plan that is not ready to issue.

    Example:
        >>> import datetime as dt
        >>> from ivig_core import Patient
        >>> from ivig_core.scig import ScLimits, get_scig_preset
        >>> p = Patient(sex="male", age="60 year", height="180 cm", weight="80 kg")
        >>> r = get_scig_preset("hizentra-cidp-0.2").choose(
        ...     maintenance_days=1, cycles=2)
        >>> cidp = ScLimits.from_product("hizentra",
        ...     situation="CIDP, later infusions", max_sites=4,
        ...     parameter_source="local protocol")
        >>> sc = plan_scig_regimen(p, r, "hizentra", last_ivig=dt.date(2026, 1, 5),
        ...     policy="actual", rounding="never-below", limits=cidp,
        ...     site_rate="label-maximum")
        >>> [(str(i.date), i.dispensed_g, d.sites) for i, d in sc.pairs()]
        [('2026-01-12', 16.0, 2), ('2026-01-19', 16.0, 2)]

    .. versionadded:: 0.1.0
    """
    if not isinstance(regimen, Regimen):
        raise InputError("regimen", regimen, "a Regimen")
    m = regimen.maintenance
    if m is None or regimen.induction is not None or regimen.taper is not None:
        raise InputError(
            "regimen",
            regimen.name,
            "a maintenance-only regimen (no induction or taper for SC plans yet)",
        )
    if not regimen.is_complete or not isinstance(m.days, int) or m.cycles is None:
        raise InputError(
            "regimen",
            regimen.name,
            "a regimen with every choice made (choose(maintenance_days=1 or 2, "
            "cycles=n))",
            f"open choices: {', '.join(regimen.open_choices) or 'days'}",
        )
    prod, route = sc_product(product)
    first = _regimen_start(start, last_ivig, prod)
    weight = _policy_weight(patient, policy)
    trace = [_dosing_trace(patient, weight)]
    notes: list[str] = []
    owner = _label_owner(regimen.name)
    if owner is not None and owner.key != prod.key:
        notes.append(
            f"The regimen {regimen.name} is {owner.name}'s label dosing; it is "
            f"planned here with {prod.name}."
        )
    course_g = m.dose_g_per_kg * weight.weight_kg
    days = m.days
    interval = _whole_days(m.interval_days, "maintenance.interval")
    trace.append(
        Trace(
            what="course dose",
            value=f"{course_g:.4g} g ({course_g / days:.4g} g on each of {days} day"
            f"{'s' if days != 1 else ''})",
            formula="course dose g/kg × dosing weight; equal parts on consecutive days",
            inputs=f"{m.dose_g_per_kg:g} g/kg × {weight.weight_kg:.2f} kg",
            source=m.source,
        )
    )
    trace.append(
        Trace(
            what="first SC day",
            value=first[0].isoformat(),
            formula=first[1],
            inputs=f"start {start}; last IVIg {last_ivig}",
            source=regimen.source,
        )
    )
    courses = []
    for k in range(m.cycles):
        day0 = first[0] + dt.timedelta(days=k * interval)
        courses.append(
            _Course(
                number=k + 1,
                phase=Phase.MAINTENANCE,
                start=day0,
                dates=tuple(day0 + dt.timedelta(days=d) for d in range(days)),
                dose_g=course_g,
                daily_g=(course_g / days,) * days,
                interval_days=float(interval),
                label=f"{m.dose_g_per_kg:g} g/kg every {interval} days",
                source=m.source,
            )
        )
    return _assemble(
        patient=patient,
        product=prod,
        route=route,
        regimen=regimen,
        weight=weight,
        courses=courses,
        rounding=rounding,
        limits=limits,
        first_infusions=first_infusions,
        site_rate=site_rate,
        trace=trace,
        notes=notes,
        conversion=None,
        safety=_Safety(
            indication=indication,
            config=safety_config,
            overrides=overrides,
            previous_product=previous_product,
            strict=strict,
        ),
    )


def _label_owner(regimen_name: str) -> Product | None:
    """The catalogue product whose label dosing the regimen preset is."""
    for prod in default_catalogue().values():
        conv = prod.scig_conversion
        if conv is not None and regimen_name in conv.regimens:
            return prod
    return None


def _regimen_start(
    start: dt.date | None, last_ivig: dt.date | None, product: Product
) -> tuple[dt.date, str]:
    for name, value in (("start", start), ("last_ivig", last_ivig)):
        if value is not None and not isinstance(value, dt.date):
            raise InputError(name, value, "a datetime.date or None")
    if last_ivig is None:
        if start is None:
            raise InputError("start", None, "a date, or last_ivig (start = +1 week)")
        return start, "given"
    conv = product.scig_conversion
    rule = None if conv is None else conv.start_for("weekly")
    if rule is None:
        if start is None:
            raise InputError(
                "start",
                None,
                f"a date: {product.name} has no start after the last IVIg in the "
                "catalogue",
            )
        return start, "given"
    label = last_ivig + dt.timedelta(days=rule.earliest_days)
    if start is None:
        why = f" ({rule.note})" if rule.note else ""
        return label, f"last IVIg + {rule.earliest_days} days{why}"
    if start != label:
        raise InputError(
            "start",
            start,
            f"{label.isoformat()} ({rule.earliest_days} days after the last IVIg "
            f"{last_ivig}), or "
            "leave last_ivig out",
        )
    return start, "given"
