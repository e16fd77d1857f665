"""Renal checks (the US IVIG boxed warning).

Renal insufficiency is the recorded factor, or a creatinine clearance below
``SafetyConfig.crcl_below`` (default 60 mL/min, KDIGO 2012 category G3a or
worse; the label says "any degree"): Cockcroft-Gault in adults, on the
weight ``SafetyConfig.crcl_weight`` names (adjusted weight above 120 % of
ideal by default), and the bedside Schwartz eGFR (CKiD 2009, mL/min/1.73
m²) in children from 1 year. Without a recorded factor, the clearance part
is not assessed when the creatinine is missing. Age counts above
``SafetyConfig.renal_age_above``
(65, sourced).

``RENAL_RISK`` follows the product's label, from the catalogue
(``Product.renal_boxed_warning``): the IVIG labels and Gamunex-C and
Gammagard Liquid (one label for IV and SC) carry the renal boxed warning
whatever the route; Hizentra, Cuvitru, Xembify and HyQvia carry a
thrombosis-only one. The sucrose rule is an IV rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from ivig_core.body import adjbw_kg, crcl_ml_min, ibw_kg
from ivig_core.errors import InputError
from ivig_core.findings import Concern, Finding, Rule, Severity
from ivig_core.patient import RiskFactor
from ivig_core.products import Substance
from ivig_core.safety.context import Context
from ivig_core.safety.registry import check, describe
from ivig_core.safety.thrombosis import BOXED
from ivig_core.sources import cited


__all__ = ["RENAL_FACTORS", "renal_reasons"]

#: The boxed warning's renal risk factors that are recorded as such.
RENAL_FACTORS: Final = {
    RiskFactor.RENAL_INSUFFICIENCY: "pre-existing renal insufficiency (recorded)",
    RiskFactor.DIABETES: "diabetes mellitus",
    RiskFactor.VOLUME_DEPLETION: "volume depletion",
    RiskFactor.SEPSIS: "sepsis",
    RiskFactor.PARAPROTEINAEMIA: "paraproteinaemia",
    RiskFactor.NEPHROTOXIC_DRUGS: "nephrotoxic drugs",
}


def renal_reasons(ctx: Context) -> tuple[list[str], str | None]:
    """(the renal risk factors present, why CrCl was not assessed or None).

    .. versionadded:: 0.1.0
    """
    p = ctx.patient
    cfg = ctx.config
    reasons = [text for f, text in RENAL_FACTORS.items() if p.has(f)]
    age = p.age_years
    age_above = cfg.renal_age_above_years
    if age > age_above:
        reasons.append(f"age {age:g} years (> {age_above:g})")
    if p.has(RiskFactor.RENAL_INSUFFICIENCY):
        return reasons, None
    scr = p.serum_creatinine_mg_dl
    if scr is None:
        return reasons, (
            "serum creatinine is not recorded: renal insufficiency not assessed; "
            "check BUN and creatinine before treatment"
        )
    below = cfg.crcl_below_ml_min
    estimate, what = _clearance(ctx, scr)
    if estimate is None:
        return reasons, what
    if below is None:
        return reasons, (
            f"{what} is {estimate:.0f} but the threshold is switched off "
            "(SafetyConfig.crcl_below = None): renal insufficiency not assessed"
        )
    if estimate < below:
        reasons.append(
            f"{what} {estimate:.0f} < {below:g} (KDIGO 2012 GFR category G3a or "
            "worse, or the site's threshold)"
        )
    return reasons, None


#: Bedside Schwartz (CKiD 2009): eGFR = 0.413 × height (cm) / creatinine
#: (mg/dL), mL/min/1.73 m² (Schwartz et al., J Am Soc Nephrol 2009;20:629,
#: PMID 19158356; kidney.org: "For use in children 1-18 years old").
SCHWARTZ_K: Final = 0.413
SCHWARTZ_FROM_YEARS: Final = 1.0
#: clinPK dosing-weight rule: adjusted weight above 120 % of ideal.
OBESE_ABOVE_IBW: Final = 1.2


def _clearance(ctx: Context, scr: float) -> tuple[float | None, str]:
    """(the estimate, what it is) or (None, why it could not be made)."""
    p = ctx.patient
    age = p.age_years
    if age < ctx.config.adult_from_years:
        if age < SCHWARTZ_FROM_YEARS:
            return None, (
                f"age {age:g} years: the bedside Schwartz estimate is for children "
                "from 1 year and Cockcroft-Gault for adults; renal function not "
                "assessed"
            )
        egfr = SCHWARTZ_K * p.height_cm / scr
        return egfr, (
            f"bedside Schwartz eGFR (CKiD 2009, height {p.height_cm:g} cm) "
            "mL/min/1.73 m²"
        )
    weight = p.weight_kg
    basis = "actual weight"
    if ctx.config.crcl_weight == "adjusted-above-120-ibw":
        try:
            ideal = ibw_kg(p.height_cm, p.sex)
        except InputError:
            basis = "actual weight (ideal weight not defined below 152.4 cm)"
        else:
            if weight > OBESE_ABOVE_IBW * ideal:
                weight = adjbw_kg(weight, ideal)
                basis = (
                    f"adjusted weight {weight:.1f} kg (actual above 120 % of ideal "
                    f"{ideal:.1f} kg, clinPK rule)"
                )
    crcl = crcl_ml_min(age, weight, p.sex, scr)
    if basis.startswith("actual"):
        basis = f"{basis} {weight:g} kg"
    return crcl, f"Cockcroft-Gault CrCl ({basis}) mL/min"


@check(
    code="RENAL_RISK",
    severity=Severity.WARNING,
    rule=(
        "A boxed-warning renal risk factor: renal insufficiency "
        "(recorded, or a clearance below crcl_below: Cockcroft-Gault in "
        "adults, bedside Schwartz in children), diabetes, age above 65, "
        "volume depletion, sepsis, "
        "paraproteinaemia, nephrotoxic drugs. Plans whose product's label "
        "carries the renal boxed warning (every IV product; Gamunex-C and "
        "Gammagard Liquid given SC too)."
    ),
    action=(
        "Give the minimum dose and infusion rate practicable; check BUN "
        "and creatinine before treatment; make sure the patient is not "
        "volume depleted; monitor urine output; stop if renal function "
        "deteriorates."
    ),
    source=(
        BOXED
        + "; "
        + cited(
            "renal monitoring: BUN and creatinine before treatment",
            ("skyscape-ig-monograph", "privigen-isi"),
        )
        + "; "
        + cited(
            "default threshold: GFR category G3a (45-59 mL/min/1.73 m²)",
            "kdigo-2012-ckd",
        )
        + "; "
        + cited(
            "children: bedside Schwartz, eGFR = 0.413 × height (cm) / "
            "creatinine (mg/dL)",
            "schwartz-2009",
        )
        + "; "
        + cited(
            "obesity: Cockcroft-Gault on adjusted weight above 120 % of ideal",
            ("cockcroft-gault-1976", "clinpk"),
        )
    ),
    parameters=("crcl_below", "crcl_weight", "renal_age_above", "adult_from"),
)
def _renal(rule: Rule, ctx: Context) -> Iterable[Finding]:
    if not ctx.renal_boxed:
        return []  # thrombosis-only boxed warning (SC_ROUTE_RULES says so)
    out: list[Finding] = []
    reasons, not_assessed = renal_reasons(ctx)
    if reasons:
        out.append(
            rule.fired(
                f"Renal risk: {'; '.join(reasons)}. Give the minimum dose and "
                "infusion rate practicable; check BUN and creatinine before "
                "treatment; make sure the patient is not volume depleted and "
                "is adequately hydrated; monitor urine output; stop if renal "
                "function deteriorates."
            )
        )
    if not_assessed is not None:
        missing = ctx.patient.serum_creatinine is None
        out.append(
            rule.not_assessed(
                not_assessed[0].upper() + not_assessed[1:] + ".",
                severity=Severity.WARNING if missing else Severity.INFO,
            )
        )
    return out


@check(
    code="SUCROSE_PRODUCT_RENAL_RISK",
    severity=Severity.WARNING,
    rule=(
        "A sucrose-containing product for a patient at renal risk "
        "(IV plans only, like RENAL_RISK)."
    ),
    action="Prefer a sucrose-free product.",
    source=(
        BOXED + ": renal dysfunction and failure 'occur more commonly "
        "in patients receiving IGIV products containing sucrose'"
    ),
)
def _sucrose(rule: Rule, ctx: Context) -> Iterable[Finding]:
    if ctx.subcutaneous or not renal_reasons(ctx)[0]:
        return []
    product = ctx.product
    comp = product.composition
    if comp is not None:
        if any(e.substance is Substance.SUCROSE for e in comp.excipients):
            return [
                rule.fired(
                    f"{product.name} contains sucrose and the patient is at "
                    "renal risk: renal dysfunction and failure are more common "
                    "with sucrose-containing IVIG. Prefer a sucrose-free product.",
                    Concern.whole_plan(),
                )
            ]
        if comp.sucrose_free or comp.no_added_sugars:
            return []
    return [
        rule.not_assessed(
            "The patient is at renal risk and the sucrose content of "
            f"{product.name} is "
            "not stated in the product data: not assessed (sucrose-containing "
            "IVIG carries more renal failure). Check the label.",
            Concern.whole_plan(),
            severity=Severity.INFO,
        )
    ]


__doc__ = (__doc__ or "") + describe(__name__)
