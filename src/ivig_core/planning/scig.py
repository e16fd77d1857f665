"""Subcutaneous plans: dated SC or HyQvia infusions with sites and volumes.

:func:`plan_scig` lays an IVIg → SC conversion
(:func:`~ivig_core.scig.convert_to_scig`) on a calendar;
:func:`plan_scig_regimen` plans a fixed-dose SC regimen such as the Hizentra
CIDP presets (:data:`~ivig_core.scig.SCIG_PRESETS`). Both return an
:class:`ScPlan`: the :class:`~ivig_core.plan.Plan` that the one planning
pipeline (:func:`ivig_core.planning.plan`) builds for every route, with
``Plan.route`` SC or facilitated SC and each infusion's
:class:`~ivig_core.plan.ScDetails` in ``Infusion.sc`` (sites, volume and rate
per site, the limits applied and their sources). Like
:func:`~ivig_core.planning.plan_course`, both attach the safety report
(:func:`~ivig_core.safety.assess`, with the SC rules) to the plan.

Each course is rounded once under the rounding policy and split into its
days (the rule every route follows); for each infusion day: volume (grams ÷
concentration) → the fewest sites that keep the volume per site within the
label limit (:func:`~ivig_core.scig.plan_sites`; more sites than
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
from collections.abc import Iterable

import attrs

from ivig_core._checks import MAX_COUNT, date, whole
from ivig_core.dosing_weight import DosingWeight, DosingWeightPolicy, dosing_weight
from ivig_core.errors import InputError
from ivig_core.patient import Patient
from ivig_core.plan import Infusion, Plan, PlanInputs, ScDetails
from ivig_core.planning.calendar import ClosedRule
from ivig_core.planning.courses import (
    conversion_dose_g,
    regimen_from_conversion,
    whole_days,
)
from ivig_core.planning.pipeline import Lead, run
from ivig_core.planning.request import (
    FirstInfusions,
    PlanRequest,
    ScOptions,
    SiteRate,
)
from ivig_core.products import Product, Route, default_catalogue
from ivig_core.regimen import Regimen
from ivig_core.safety import Override, SafetyConfig, SafetyOptions, SafetyReport
from ivig_core.scig import ScigDose, ScLimits, sc_product
from ivig_core.trace import Trace
from ivig_core.vials import RoundingPolicy


__all__ = ["ScPlan", "plan_scig", "plan_scig_regimen"]


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


def _policy_weight(patient: Patient, policy: DosingWeightPolicy | str) -> DosingWeight:
    if not isinstance(patient, Patient):
        raise InputError("patient", patient, "a Patient")
    return dosing_weight(patient, policy)


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
    closed: ClosedRule | None = None,
) -> ScPlan:
    """Plan an IVIg → SC conversion as dated SC infusions.

    Args:
        patient: The patient (rates and safety use the actual weight).
        conversion: From :func:`~ivig_core.scig.convert_to_scig`.
        policy: The dosing-weight policy: g/kg = grams ÷ dosing weight, and
            grams = g/kg × dosing weight when the conversion is per kg.
        rounding: A vial rounding policy (or its name), applied once per
            course, as for IV: to each dose, or to a week's doses for n
            times a week (split into the days in whole grams). Required.
            Cuvitru and Xembify have no vial sizes in the catalogue
            (UNCONFIRMED): convert with a formulary product that
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
        closed: Days the patient does not infuse (or the clinic is closed):
            whole courses move to the next open days, as for IV, and the
            next interval counts from the moved start.

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
    count = whole(cycles, field="cycles", high=MAX_COUNT)
    product, route = sc_product(conversion.product_entry)
    weight = _policy_weight(patient, policy)
    dose_g, _ = conversion_dose_g(conversion, weight)
    start, how = _first_dose(conversion, first_dose)
    first_day = Trace(
        what="first SC day",
        value=start.isoformat(),
        formula=how,
        inputs=f"last IVIg {conversion.last_ivig}; first_dose {first_dose}",
        source=next(
            (t.source for t in conversion.trace if t.what == "first SC dose"),
            "first_dose given by the caller",
        ),
    )
    regimen = regimen_from_conversion(
        conversion,
        dose_g=dose_g,
        weight_kg=weight.weight_kg,
        cycles=count,
        ramp=route is Route.FACILITATED_SC and ramp_up is not False,
    )
    request = PlanRequest(
        patient=patient,
        regimen=regimen,
        product=product,
        start=start,
        policy=policy,
        rounding=rounding,
        indication=indication,
        rate_weight="actual",
        sc=ScOptions(
            limits=limits,
            site_rate=site_rate,
            first_infusions=first_infusions,
            ramp_up=ramp_up,
            conversion=conversion,
        ),
        closed=closed,
        safety=SafetyOptions(
            config=safety_config,
            overrides=overrides,
            previous_product=previous_product,
            strict=strict,
        ),
    )
    inputs = PlanInputs(
        planner="plan_scig",
        request=request,
        arguments={"cycles": count, "first_dose": first_dose},
    )
    made = run(request, Lead(trace=(first_day,)))
    return ScPlan(plan=attrs.evolve(made, inputs=inputs), conversion=conversion)


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
    closed: ClosedRule | None = None,
) -> ScPlan:
    """Plan a fixed-dose SC maintenance regimen (e.g. a Hizentra CIDP preset).

    Each course is the regimen's g/kg dose × the dosing weight, rounded
    once (the rounding policy) and split into the chosen number of
    consecutive days in whole grams (Hizentra CIDP: "1-2 sessions over 1-2
    days"); unequal days are noted.

    Args:
        patient: The patient.
        regimen: A complete regimen with maintenance
            (:data:`~ivig_core.scig.SCIG_PRESETS` after ``choose``); an
            induction and a taper are planned like any course.
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
        closed: Days the patient does not infuse (or the clinic is closed):
            whole courses move to the next open days, as for IV, and the
            next interval counts from the moved start.

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
    if m is None:
        raise InputError(
            "regimen",
            regimen.name,
            "a regimen with maintenance (an induction and a taper may come with it)",
        )
    if not regimen.is_complete or not isinstance(m.days, int) or m.cycles is None:
        raise InputError(
            "regimen",
            regimen.name,
            "a regimen with every choice made (choose(maintenance_days=1 or 2, "
            "cycles=n))",
            f"open choices: {', '.join(regimen.open_choices) or 'days'}",
        )
    prod, _ = sc_product(product)
    first = _regimen_start(start, last_ivig, prod)
    weight = _policy_weight(patient, policy)
    notes: list[str] = []
    owner = _label_owner(regimen.name)
    if owner is not None and owner.key != prod.key:
        notes.append(
            f"The regimen {regimen.name} is {owner.name}'s label dosing; it is "
            f"planned here with {prod.name}."
        )
    course_g = m.dose_g_per_kg * weight.weight_kg
    days = m.days
    whole_days(m.interval_days, "maintenance.interval")
    lines = (
        Trace(
            what="course dose",
            value=f"{course_g:.4g} g ({course_g / days:.4g} g on each of {days} day"
            f"{'s' if days != 1 else ''})",
            formula="course dose g/kg × dosing weight; equal parts on consecutive days",
            inputs=f"{m.dose_g_per_kg:g} g/kg × {weight.weight_kg:.2f} kg",
            source=m.source,
        ),
        Trace(
            what="first SC day",
            value=first[0].isoformat(),
            formula=first[1],
            inputs=f"start {start}; last IVIg {last_ivig}",
            source=regimen.source,
        ),
    )
    request = PlanRequest(
        patient=patient,
        regimen=regimen,
        product=prod,
        start=first[0],
        policy=policy,
        rounding=rounding,
        indication=indication,
        rate_weight="actual",
        sc=ScOptions(
            limits=limits, site_rate=site_rate, first_infusions=first_infusions
        ),
        closed=closed,
        safety=SafetyOptions(
            config=safety_config,
            overrides=overrides,
            previous_product=previous_product,
            strict=strict,
        ),
    )
    inputs = PlanInputs(
        planner="plan_scig_regimen",
        request=request,
        arguments={"start": start, "last_ivig": last_ivig},
    )
    made = run(request, Lead(trace=lines, notes=tuple(notes)))
    return ScPlan(plan=attrs.evolve(made, inputs=inputs), conversion=None)


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
        if value is not None:
            date(value, field=name)
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
