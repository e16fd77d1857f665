"""Other planning checks: haemolysis, maltose, fluid, switching, obesity, advice.

Haemolysis after high doses in non-O patients
(``transfusion-2021-haemolysis``); maltose interference with glucose meters; fluid load;
switching brands; dosing obese patients on actual weight; and the advice
every plan carries (hydration and premedication), from the local protocols
in :class:`~ivig_core.safety.config.SafetyConfig`. No volumes and no doses
are invented: none is sourced. ``SafetyConfig.large_volume_per_day`` has
**no default**.
"""

from __future__ import annotations

from collections.abc import Iterable

from ivig_core._checks import REL_TOL, exceeds
from ivig_core.body import bmi_kg_m2
from ivig_core.dosing_weight import WeightBasis
from ivig_core.findings import Concern, Finding, Rule, Severity
from ivig_core.patient import BloodGroup, RiskFactor
from ivig_core.products import Substance
from ivig_core.rates import rate_kind, rate_to_ml_h
from ivig_core.safety.context import Context, rates_ml_h
from ivig_core.safety.registry import check, describe


__all__: list[str] = []


@check(
    code="HAEMOLYSIS_MONITOR",
    severity=Severity.WARNING,
    rule=(
        "A non-O blood group and a course at or above the configured "
        "haemolysis_course_from (2 g/kg)."
    ),
    action=(
        "Measure haemoglobin or haematocrit at baseline and about 36 to 96 h "
        "after the infusion (label), and monitor for haemolysis for 5 to 10 "
        "days after the course (Transfusion 2021)."
    ),
    source=(
        "32 % haemolysis after ≥ 2 g/kg in non-O patients, 'apparent 5-10 "
        "days after a completed IVIG infusion in 84%'; Octagam 10 %: 'consider "
        "measuring baseline hemoglobin or hematocrit and approx. 36-96hrs "
        "post-infusion if patients are high risk'; risk factors non-O, "
        "inflammation, high dose"
    ),
    sources=("transfusion-2021-haemolysis", "empr-octagam10", "privigen-isi"),
    parameters=("haemolysis_course_from",),
)
def _haemolysis(rule: Rule, ctx: Context) -> Iterable[Finding]:
    threshold = ctx.config.haemolysis_course_from_g_per_kg
    high = [
        (number, dose)
        for number, dose in sorted(ctx.course_doses().items())
        if dose >= threshold * (1 - REL_TOL)
    ]
    if not high:
        return []
    concern = Concern.course(high[0][0]) if len(high) == 1 else Concern.whole_plan()
    courses = ", ".join(f"{number} ({dose:g} g/kg)" for number, dose in high)
    which = f"course{'s' * (len(high) > 1)} {courses}"
    abo = ctx.patient.abo_group
    if abo is None:
        return [
            rule.not_assessed(
                f"{which[0].upper()}{which[1:]} at or above {threshold:g} g/kg "
                "and the ABO blood group is not recorded: haemolysis risk not "
                "assessed. Record the blood group.",
                concern,
            )
        ]
    if abo is BloodGroup.O:
        return []
    return [
        rule.fired(
            f"Blood group {abo.value} (non-O) and {which} at or above "
            f"{threshold:g} g/kg: measure haemoglobin or haematocrit at baseline "
            "and about 36 to 96 h after each infusion (label), and monitor for "
            "haemolysis (haemoglobin, signs) for 5 to 10 days after each course "
            "(Transfusion 2021); inflammation adds to the risk.",
            concern,
        )
    ]


@check(
    code="MALTOSE_GLUCOSE_METER",
    severity=Severity.WARNING,
    rule=(
        "A maltose-containing product (Octagam 5 %, 10 %) and diabetes "
        "or glucose-meter monitoring recorded."
    ),
    action=(
        "Use glucose-specific methods: GDH-PQQ and glucose-dye-"
        "oxidoreductase meters read maltose as glucose (falsely high "
        "readings, wrong insulin, masked hypoglycaemia)."
    ),
    source=(
        "Octagam 5 % and 10 % labels: maltose reads as glucose on GDH-PQQ and "
        "glucose-dye-oxidoreductase meters"
    ),
    sources=(
        "octagam10-uspi",
        "octagam5-uspi",
        "diplomat-octagam10",
        "diplomat-octagam5",
    ),
)
def _maltose(rule: Rule, ctx: Context) -> Iterable[Finding]:
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
    comp = product.composition
    if comp is None:
        return [
            rule.not_assessed(
                f"{' and '.join(who).capitalize()} recorded and the composition "
                f"of {product.name} is not known: maltose not assessed.",
                Concern.whole_plan(),
            )
        ]
    if not any(e.substance is Substance.MALTOSE for e in comp.excipients):
        return []
    return [
        rule.fired(
            f"{product.name} contains maltose and {' and '.join(who)} is "
            "recorded: GDH-PQQ and glucose-dye-oxidoreductase meters read "
            "maltose as glucose (falsely high readings, wrong insulin, masked "
            "hypoglycaemia). Use glucose-specific methods during and after "
            "the infusion; tell the patient and the ward.",
            Concern.whole_plan(),
        )
    ]


def _concentration(ctx: Context) -> str:
    product = ctx.product
    return f" {product.name} is {product.concentration_percent:g} %."


def _biggest_ml(ctx: Context) -> float:
    return max((inf.volume_ml for inf in ctx.infusions), default=0.0)


@check(
    code="FLUID_LOAD_HEART_FAILURE",
    severity=Severity.WARNING,
    rule="Heart failure is recorded.",
    action=(
        "Consider splitting the dose over more days or a higher "
        "concentration; watch for volume overload."
    ),
    source=(
        "High-dose regimens 'not recommended if … fluid volume may be a "
        "concern'; Privigen and Gammaplex labels: weigh volume overload"
    ),
    sources=("themeditary-monographs", "privigen-uspi", "gammaplex5-uspi"),
)
def _fluid(rule: Rule, ctx: Context) -> Iterable[Finding]:
    if not ctx.patient.has(RiskFactor.HEART_FAILURE):
        return []
    return [
        rule.fired(
            f"Heart failure recorded; the largest day is {_biggest_ml(ctx):.0f} mL."
            f"{_concentration(ctx)} Consider splitting the dose over more days "
            "or a higher concentration, and watch for volume overload."
        )
    ]


@check(
    code="LARGE_DAILY_VOLUME",
    severity=Severity.WARNING,
    rule="A day's volume above the configured large_volume_per_day.",
    action=("Consider splitting the dose over more days or a higher concentration."),
    source=(
        "Local threshold: no source read gives a volume (volume is a direct "
        "function of concentration: 1 g/kg is 10 mL/kg at 10 %, 20 mL/kg at 5 %)"
    ),
    parameters=("large_volume_per_day",),
)
def _large_volume(rule: Rule, ctx: Context) -> Iterable[Finding]:
    limit = ctx.config.large_volume_per_day_ml
    if limit is None:
        return [
            rule.not_assessed(
                f"The largest day is {_biggest_ml(ctx):.0f} mL; no large-volume "
                "threshold is configured (SafetyConfig.large_volume_per_day; no "
                "sourced number): not assessed.",
                Concern.whole_plan(),
                severity=Severity.INFO,
            )
        ]
    conc = _concentration(ctx)
    return [
        rule.fired(
            f"{inf.volume_ml:.0f} mL on one day is above the configured "
            f"{limit:g} mL.{conc} Consider splitting the dose over more days or "
            "a higher concentration.",
            Concern.infusion_on(inf.date, inf.cycle),
        )
        for inf in ctx.infusions
        if exceeds(inf.volume_ml, limit)
    ]


@check(
    code="PRODUCT_SWITCH",
    severity=Severity.WARNING,
    rule="The previous product differs from the planned one.",
    action="Start again at the product's initial rate and ramp up.",
    source=(
        "Privigen ('always start at the minimum rate'), Gammagard "
        "Liquid (switching patients start at the lower rate), NHS GGC "
        "('rates are not interchangeable')"
    ),
    sources=("privigen-uspi", "gammagard-liquid-uspi", "nhs-ggc-paediatric-ivig"),
)
def _switch(rule: Rule, ctx: Context) -> Iterable[Finding]:
    prev = ctx.previous_product
    if prev is None and ctx.previous_product_name is None:
        return []
    product = ctx.product
    prev_key = ctx.previous_product_name if prev is None else prev.key
    prev_name = ctx.previous_product_name if prev is None else prev.name
    if prev_key == product.key:
        return []
    return [
        rule.fired(
            f"Switching from {prev_name} to {product.name}: start again at "
            f"{product.name}'s initial rate and ramp up; rates are not "
            "interchangeable between brands, and a new brand can cause "
            f"reactions even when the previous one was tolerated.{_first_step(ctx)}",
            Concern.whole_plan(),
        )
    ]


def _first_step(ctx: Context) -> str:
    """How the first planned step compares with the label's initial rate."""
    product = ctx.product
    ind = None
    if ctx.indication is not None:
        ind = product.indications.get(ctx.indication)
    first = ctx.infusions[0] if ctx.infusions else None
    rates = () if first is None else rates_ml_h(first)
    if ind is None or ind.ramp is None or first is None or not rates:
        return " The first planned step was not compared with the label's initial rate."
    initial = ind.ramp.initial
    kind = rate_kind(initial)
    value = float(initial.magnitude)
    limit = rate_to_ml_h(
        value, kind, first.run.rate_weight_kg, product.concentration_g_per_l
    )
    step = rates[0]
    if exceeds(step, limit):
        return (
            f" The first planned step, {step:.1f} mL/h, is ABOVE the label's "
            f"initial rate {value:g} {kind.value} ({limit:.1f} mL/h): lower it."
        )
    return (
        f" The first planned step, {step:.1f} mL/h, is within the label's initial "
        f"rate {value:g} {kind.value} ({limit:.1f} mL/h)."
    )


@check(
    code="OBESE_ACTUAL_WEIGHT",
    severity=Severity.ADVICE,
    rule=(
        "BMI above the configured obesity_bmi_above (30) and the dose "
        "is on actual body weight."
    ),
    action=(
        "Consider an ideal or adjusted dosing weight per local policy "
        "(Ontario and UK forms use adjusted weight above BMI 30)."
    ),
    source=(
        "dosing obese patients; Octagam 10 % (DM) 'physiological standard "
        "bodyweight'; Ontario calculator and UK request form, BMI > 30"
    ),
    sources=(
        "hodkinson-2017",
        "octagam-intl-site",
        "ontario-ig-calculator",
        "uk-ig-request-form",
    ),
    parameters=("obesity_bmi_above",),
)
def _obese(rule: Rule, ctx: Context) -> Iterable[Finding]:
    p = ctx.patient
    bmi = bmi_kg_m2(p.weight_kg, p.height_cm)
    threshold = ctx.config.obesity_bmi_above_kg_m2
    if not bmi > threshold or ctx.dosing_basis is not WeightBasis.ACTUAL:
        return []
    return [
        rule.fired(
            f"BMI {bmi:.1f} > {threshold:g} and the dose is on actual weight "
            f"({p.weight_kg:g} kg). Consider an ideal or adjusted dosing weight "
            "per local policy: obesity has little effect on IgG kinetics, and "
            "obese patients get larger doses and carry more cardiovascular "
            "risk."
        )
    ]


@check(
    code="HYDRATION",
    severity=Severity.ADVICE,
    rule="Every plan.",
    action=(
        "Ensure adequate hydration before administration (no label "
        "gives a volume; follow the local protocol)."
    ),
    source=(
        "IVIG labels: 'ensure adequate hydration' before administration; no "
        "label gives a volume"
    ),
    sources=("privigen-uspi", "octagam10-uspi"),
    parameters=("hydration_protocol",),
)
def _hydration(rule: Rule, ctx: Context) -> Iterable[Finding]:
    protocol = ctx.config.hydration_protocol
    local = (
        f" Local protocol: {protocol}."
        if protocol
        else " No label gives a volume: follow the local protocol."
    )
    return [rule.fired(f"Ensure adequate hydration before administration.{local}")]


@check(
    code="PREMEDICATION",
    severity=Severity.ADVICE,
    rule="Every plan, from the configured local premedication protocol.",
    action=(
        "Consider premedication per the local protocol (by default the "
        "agents only: acetaminophen, diphenhydramine, sometimes "
        "corticosteroids)."
    ),
    source=(
        "acetaminophen and an antihistamine before infusion is 'a common "
        "practice'; routine use vs prior reactors is disputed: a local protocol"
    ),
    sources=("therapeuticresearch-2011", "droracle-privigen-dm"),
    parameters=("premedication",),
)
def _premedication(rule: Rule, ctx: Context) -> Iterable[Finding]:
    proto = ctx.config.premedication
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
    return [
        rule.fired(
            text,
            source=f"{proto.source}; routine use vs prior reactors is disputed",
        )
    ]


__doc__ = (__doc__ or "") + describe(__name__)
