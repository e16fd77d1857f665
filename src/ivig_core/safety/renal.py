"""Renal checks (US IVIG boxed warning, reference §4.1).

* ``RENAL_RISK`` (warning): a boxed-warning renal risk factor: any degree of
  pre-existing renal insufficiency, diabetes, age > 65 (sourced default of
  ``SafetyConfig.renal_age_above``), volume depletion, sepsis,
  paraproteinaemia, nephrotoxic drugs. Renal insufficiency is the recorded
  factor, or a Cockcroft-Gault creatinine clearance below
  ``SafetyConfig.crcl_below``, which has **no default** (the label says
  "any degree"); without a recorded factor, the creatinine-clearance part is
  not assessed when the creatinine or the threshold is missing.
* ``SUCROSE_PRODUCT_RENAL_RISK`` (warning): a sucrose-containing product for
  a patient at renal risk ("renal dysfunction … more common in patients
  receiving IGIV products containing sucrose").

Both are IV rules: SCIg and HyQvia carry a thrombosis-only boxed warning
(reference §4.1), so an SC or facilitated-SC plan gets neither; its
``SC_ROUTE_RULES`` finding says so, with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ivig_core.body import crcl_ml_min
from ivig_core.patient import RiskFactor
from ivig_core.safety.findings import Concern, Finding, FindingCode, Severity


if TYPE_CHECKING:
    from ivig_core.safety._context import Context
    from ivig_core.safety.config import SafetyConfig


__all__ = ["RENAL_FACTORS", "check_renal", "renal_reasons"]

#: The boxed warning's renal risk factors that are recorded as such.
RENAL_FACTORS: Final = {
    RiskFactor.RENAL_INSUFFICIENCY: "pre-existing renal insufficiency (recorded)",
    RiskFactor.DIABETES: "diabetes mellitus",
    RiskFactor.VOLUME_DEPLETION: "volume depletion",
    RiskFactor.SEPSIS: "sepsis",
    RiskFactor.PARAPROTEINAEMIA: "paraproteinaemia",
    RiskFactor.NEPHROTOXIC_DRUGS: "nephrotoxic drugs",
}


def renal_reasons(ctx: Context, cfg: SafetyConfig) -> tuple[list[str], str | None]:
    """(the renal risk factors present, why CrCl was not assessed or None).

    .. versionadded:: 0.1.0
    """
    p = ctx.patient
    reasons = [text for f, text in RENAL_FACTORS.items() if p.has(f)]
    age_above = cfg.renal_age_above_years
    if p.age_years > age_above:
        reasons.append(f"age {p.age_years:g} years (> {age_above:g})")
    if p.has(RiskFactor.RENAL_INSUFFICIENCY):
        return reasons, None
    if p.creatinine_mg_dl is None:
        return reasons, (
            "serum creatinine is not recorded: renal insufficiency not assessed; "
            "check BUN and creatinine before treatment"
        )
    crcl = crcl_ml_min(p.age_years, p.weight_kg, p.sex, p.creatinine_mg_dl)
    below = cfg.crcl_below_ml_min
    if below is None:
        return reasons, (
            f"Cockcroft-Gault CrCl is {crcl:.0f} mL/min (actual weight) but no "
            "threshold is configured (SafetyConfig.crcl_below; the label says "
            "'any degree of pre-existing renal insufficiency'): renal insufficiency "
            "not assessed"
        )
    if crcl < below:
        reasons.append(
            f"Cockcroft-Gault CrCl {crcl:.0f} mL/min (actual weight) < configured "
            f"{below:g} mL/min"
        )
    return reasons, None


def check_renal(ctx: Context, cfg: SafetyConfig) -> list[Finding]:
    """All renal findings.

    .. versionadded:: 0.1.0
    """
    if ctx.subcutaneous:
        return []  # thrombosis-only boxed warning for SC (SC_ROUTE_RULES says so)
    rule = FindingCode.RENAL_RISK.rule
    out: list[Finding] = []
    reasons, not_assessed = renal_reasons(ctx, cfg)
    if reasons:
        out.append(
            Finding(
                code=rule.code,
                severity=rule.severity,
                message=(
                    f"Renal risk: {'; '.join(reasons)}. Give the minimum dose and "
                    "infusion rate practicable; check BUN and creatinine before "
                    "treatment; make sure the patient is not volume depleted and "
                    "is adequately hydrated; monitor urine output; stop if renal "
                    "function deteriorates."
                ),
                source=rule.source,
            )
        )
    if not_assessed is not None:
        missing = ctx.patient.creatinine_mg_dl is None
        out.append(
            Finding(
                code=rule.code,
                severity=Severity.WARNING if missing else Severity.INFO,
                message=not_assessed[0].upper() + not_assessed[1:] + ".",
                source=rule.source,
                assessed=False,
            )
        )
    if reasons:
        out.extend(_sucrose(ctx))
    return out


def _sucrose(ctx: Context) -> list[Finding]:
    from ivig_core.products import Substance  # noqa: PLC0415 - lazy

    rule = FindingCode.SUCROSE_PRODUCT_RENAL_RISK.rule
    product = ctx.product
    comp = None if product is None else product.composition
    if product is not None and comp is not None:
        if any(e.substance is Substance.SUCROSE for e in comp.excipients):
            return [
                Finding(
                    code=rule.code,
                    severity=rule.severity,
                    message=(
                        f"{product.name} contains sucrose and the patient is at "
                        "renal risk: renal dysfunction and failure are more common "
                        "with sucrose-containing IVIG. Prefer a sucrose-free product."
                    ),
                    source=rule.source,
                    concerns=Concern.whole_plan(),
                )
            ]
        if comp.sucrose_free or comp.no_added_sugars:
            return []
    name = "the product" if product is None else product.name
    return [
        Finding(
            code=rule.code,
            severity=Severity.INFO,
            message=(
                f"The patient is at renal risk and the sucrose content of {name} is "
                "not stated in the product data: not assessed (sucrose-containing "
                "IVIG carries more renal failure). Check the label."
            ),
            source=rule.source,
            concerns=Concern.whole_plan(),
            assessed=False,
        )
    ]
