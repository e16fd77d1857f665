"""Other planning checks (reference §4.2, §4.3, §1.6).

* ``HAEMOLYSIS_MONITOR`` (warning): non-O blood group with a course at or
  above ``SafetyConfig.haemolysis_course_from`` (2 g/kg): monitor 5-10 days
  (Transfusion 2021;61:1053, pubmed 33433931). Blood group unknown with such
  a course: not assessed.
* ``MALTOSE_GLUCOSE_METER`` (warning): a maltose product (Octagam 5 %,
  10 %) with diabetes or glucose-meter monitoring (GDH-PQQ interference).
* ``FLUID_LOAD_HEART_FAILURE`` (warning): heart failure recorded.
* ``LARGE_DAILY_VOLUME`` (warning): a day's volume above
  ``SafetyConfig.large_volume_per_day``, which has **no default**.
* ``PRODUCT_SWITCH`` (warning): a different previous product: start again at
  the initial rate.
* ``OBESE_ACTUAL_WEIGHT`` (advice): BMI above 30 and dosed on actual weight.
* ``HYDRATION`` and ``PREMEDICATION`` (advice): every plan; from the local
  protocols in :class:`~ivig_core.safety.config.SafetyConfig`. No volumes and
  no doses are invented: none is sourced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivig_core.body import bmi_kg_m2
from ivig_core.patient import BloodGroup, RiskFactor
from ivig_core.safety.findings import Concern, Finding, FindingCode, Severity


if TYPE_CHECKING:
    from ivig_core.safety._context import Context
    from ivig_core.safety.config import SafetyConfig


__all__ = ["check_other"]

_REL_TOL = 1e-9  # float round-off, not a clinical tolerance


def _haemolysis(ctx: Context, cfg: SafetyConfig) -> list[Finding]:
    rule = FindingCode.HAEMOLYSIS_MONITOR.rule
    threshold = cfg.haemolysis_course_from_g_per_kg
    high = [
        (number, dose)
        for number, dose in sorted(ctx.course_doses().items())
        if dose >= threshold * (1 - _REL_TOL)
    ]
    if not high:
        return []
    abo = ctx.patient.abo
    if abo is None:
        return [
            Finding(
                code=rule.code,
                severity=Severity.WARNING,
                message=(
                    f"Course {number} is {dose:g} g/kg (≥ {threshold:g}) "
                    "and the ABO blood group is not recorded: haemolysis risk not "
                    "assessed. Record the blood group."
                ),
                source=rule.source,
                concerns=Concern.course(number),
                assessed=False,
            )
            for number, dose in high
        ]
    if abo is BloodGroup.O:
        return []
    return [
        Finding(
            code=rule.code,
            severity=rule.severity,
            message=(
                f"Blood group {abo.value} (non-O) and course {number} of "
                f"{dose:g} g/kg (≥ {threshold:g}): monitor for haemolysis "
                "(haemoglobin, signs) for 5 to 10 days after the course; "
                "inflammation adds to the risk."
            ),
            source=rule.source,
            concerns=Concern.course(number),
        )
        for number, dose in high
    ]


def _maltose(ctx: Context) -> list[Finding]:
    from ivig_core.products import Substance  # noqa: PLC0415 - lazy

    rule = FindingCode.MALTOSE_GLUCOSE_METER.rule
    p = ctx.patient
    who = [
        text
        for f, text in (
            (RiskFactor.DIABETES, "diabetes"),
            (RiskFactor.GLUCOSE_METER_MONITORING, "glucose-meter monitoring"),
        )
        if p.has(f)
    ]
    if not who:
        return []
    product = ctx.product
    comp = None if product is None else product.composition
    if product is None or comp is None:
        name = "the product" if product is None else product.name
        return [
            Finding(
                code=rule.code,
                severity=Severity.WARNING,
                message=(
                    f"{' and '.join(who).capitalize()} recorded and the composition "
                    f"of {name} is not known: maltose not assessed."
                ),
                source=rule.source,
                concerns=Concern.whole_plan(),
                assessed=False,
            )
        ]
    if not any(e.substance is Substance.MALTOSE for e in comp.excipients):
        return []
    return [
        Finding(
            code=rule.code,
            severity=rule.severity,
            message=(
                f"{product.name} contains maltose and {' and '.join(who)} is "
                "recorded: GDH-PQQ and glucose-dye-oxidoreductase meters read "
                "maltose as glucose (falsely high readings, wrong insulin, masked "
                "hypoglycaemia). Use glucose-specific methods during and after "
                "the infusion; tell the patient and the ward."
            ),
            source=rule.source,
            concerns=Concern.whole_plan(),
        )
    ]


def _fluid(ctx: Context, cfg: SafetyConfig) -> list[Finding]:
    out: list[Finding] = []
    product = ctx.product
    conc = (
        ""
        if product is None
        else f" {product.name} is {product.concentration_percent:g} %."
    )
    biggest = max((inf.volume_ml for inf in ctx.infusions), default=0.0)
    if ctx.patient.has(RiskFactor.HEART_FAILURE):
        rule = FindingCode.FLUID_LOAD_HEART_FAILURE.rule
        out.append(
            Finding(
                code=rule.code,
                severity=rule.severity,
                message=(
                    f"Heart failure recorded; the largest day is {biggest:.0f} mL."
                    f"{conc} Consider splitting the dose over more days or a higher "
                    "concentration, and watch for volume overload."
                ),
                source=rule.source,
            )
        )
    rule = FindingCode.LARGE_DAILY_VOLUME.rule
    limit = cfg.large_volume_per_day_ml
    if limit is None:
        out.append(
            Finding(
                code=rule.code,
                severity=Severity.INFO,
                message=(
                    f"The largest day is {biggest:.0f} mL; no large-volume threshold "
                    "is configured (SafetyConfig.large_volume_per_day; no sourced "
                    "number): not assessed."
                ),
                source=rule.source,
                concerns=Concern.whole_plan(),
                assessed=False,
            )
        )
        return out
    out.extend(
        Finding(
            code=rule.code,
            severity=rule.severity,
            message=(
                f"{inf.volume_ml:.0f} mL on one day is above the configured "
                f"{limit:g} mL.{conc} Consider splitting the dose over more days or "
                "a higher concentration."
            ),
            source=rule.source,
            concerns=Concern.infusion_on(inf.date, inf.cycle),
        )
        for inf in ctx.infusions
        if inf.volume_ml > limit * (1 + _REL_TOL)
    )
    return out


def _switch(ctx: Context) -> list[Finding]:
    rule = FindingCode.PRODUCT_SWITCH.rule
    prev = ctx.previous_product
    if prev is None and ctx.previous_product_name is None:
        return []
    product = ctx.product
    if product is None:
        return [
            Finding(
                code=rule.code,
                severity=Severity.WARNING,
                message=(
                    "A previous product is given but the planned product is not "
                    "known: product switch not assessed."
                ),
                source=rule.source,
                concerns=Concern.whole_plan(),
                assessed=False,
            )
        ]
    prev_key = ctx.previous_product_name if prev is None else prev.key
    prev_name = ctx.previous_product_name if prev is None else prev.name
    if prev_key == product.key:
        return []
    return [
        Finding(
            code=rule.code,
            severity=rule.severity,
            message=(
                f"Switching from {prev_name} to {product.name}: start again at "
                f"{product.name}'s initial rate and ramp up; rates are not "
                "interchangeable between brands, and a new brand can cause "
                f"reactions even when the previous one was tolerated.{_first_step(ctx)}"
            ),
            source=rule.source,
            concerns=Concern.whole_plan(),
        )
    ]


def _first_step(ctx: Context) -> str:
    """How the first planned step compares with the label's initial rate."""
    from ivig_core.infusion import rate_kind, rate_to_ml_h  # noqa: PLC0415 - lazy

    product = ctx.product
    ind = None
    if product is not None and ctx.indication is not None:
        ind = product.indications.get(ctx.indication)
    first = ctx.infusions[0] if ctx.infusions else None
    if (
        product is None
        or ind is None
        or ind.ramp is None
        or first is None
        or not first.rates_ml_h
        or first.rate_weight_kg is None
    ):
        return " The first planned step was not compared with the label's initial rate."
    initial = ind.ramp.initial
    kind = rate_kind(initial)
    value = float(initial.magnitude)
    limit = rate_to_ml_h(
        value, kind, first.rate_weight_kg, product.concentration_g_per_l
    )
    step = first.rates_ml_h[0]
    if step > limit * (1 + _REL_TOL):
        return (
            f" The first planned step, {step:.1f} mL/h, is ABOVE the label's "
            f"initial rate {value:g} {kind.value} ({limit:.1f} mL/h): lower it."
        )
    return (
        f" The first planned step, {step:.1f} mL/h, is within the label's initial "
        f"rate {value:g} {kind.value} ({limit:.1f} mL/h)."
    )


def _obese(ctx: Context, cfg: SafetyConfig) -> list[Finding]:
    rule = FindingCode.OBESE_ACTUAL_WEIGHT.rule
    p = ctx.patient
    bmi = bmi_kg_m2(p.weight_kg, p.height_cm)
    threshold = cfg.obesity_bmi_above_kg_m2
    if not bmi > threshold:
        return []
    if ctx.dosing_basis is None:
        return [
            Finding(
                code=rule.code,
                severity=Severity.INFO,
                message=(
                    f"BMI {bmi:.1f} > {threshold:g} and the plan records no dosing "
                    "weight basis: dosing on actual weight not assessed."
                ),
                source=rule.source,
                assessed=False,
            )
        ]
    if ctx.dosing_basis != "actual":
        return []
    return [
        Finding(
            code=rule.code,
            severity=rule.severity,
            message=(
                f"BMI {bmi:.1f} > {threshold:g} and the dose is on actual weight "
                f"({p.weight_kg:g} kg). Consider an ideal or adjusted dosing weight "
                "per local policy: obesity has little effect on IgG kinetics, and "
                "obese patients get larger doses and carry more cardiovascular "
                "risk."
            ),
            source=rule.source,
        )
    ]


def _hydration(cfg: SafetyConfig) -> Finding:
    rule = FindingCode.HYDRATION.rule
    local = (
        f" Local protocol: {cfg.hydration_protocol}."
        if cfg.hydration_protocol
        else " No label gives a volume: follow the local protocol."
    )
    return Finding(
        code=rule.code,
        severity=rule.severity,
        message=f"Ensure adequate hydration before administration.{local}",
        source=rule.source,
    )


def _premedication(ctx: Context, cfg: SafetyConfig) -> Finding:
    rule = FindingCode.PREMEDICATION.rule
    proto = cfg.premedication
    text = f"Consider premedication ({proto.name}): {', '.join(proto.agents)}."
    if proto.after_prior_reaction:
        extra = ", ".join(proto.after_prior_reaction)
        if ctx.patient.has(RiskFactor.PRIOR_INFUSION_REACTION):
            text += f" A prior infusion reaction is recorded: add {extra}."
        else:
            text += f" After a prior infusion reaction: {extra}."
    text += (
        " Doses per the local protocol. If side effects come, slow or stop the "
        "infusion and resume at a lower, tolerated rate."
    )
    return Finding(
        code=rule.code,
        severity=rule.severity,
        message=text,
        source=(
            f"{proto.source}; routine use vs prior reactors is disputed "
            "(reference §4.3)"
        ),
    )


def check_other(ctx: Context, cfg: SafetyConfig) -> list[Finding]:
    """Haemolysis, maltose, fluid, switching, obesity, hydration, premedication.

    .. versionadded:: 0.1.0
    """
    return [
        *_haemolysis(ctx, cfg),
        *_maltose(ctx),
        *_fluid(ctx, cfg),
        *_switch(ctx),
        *_obese(ctx, cfg),
        _hydration(cfg),
        _premedication(ctx, cfg),
    ]
