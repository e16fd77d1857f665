"""Thrombosis checks (US IVIG boxed warning, reference §4.1).

* ``THROMBOSIS_RISK`` (warning): a boxed-warning risk factor is recorded.
  Action: the minimum dose and infusion rate practicable, the product's
  at-risk rate cap (checked by :mod:`~ivig_core.safety.rate`), hydration.
  "Advanced age" has no number in the boxed warning, so age counts only
  from ``SafetyConfig.thrombosis_age_from`` (no default); until it is set
  the age part is reported as not assessed.
* ``HYPERVISCOSITY_ASSESS`` (warning): hyperviscosity or paraproteinaemia
  recorded: assess blood viscosity.

"Thrombosis may occur in the absence of known risk factors" (boxed
warning): a quiet check is not a clearance.

SC and facilitated-SC plans get the same check under the SC products'
thrombosis-only boxed warning (its source), without the IV at-risk rate cap
in mg/kg/min (SC rates are per site).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ivig_core.patient import RiskFactor
from ivig_core.safety.findings import SC_BOXED, Finding, FindingCode, Severity


if TYPE_CHECKING:
    from ivig_core.products import AtRiskCap
    from ivig_core.safety._context import Context
    from ivig_core.safety.config import SafetyConfig


__all__ = [
    "THROMBOSIS_FACTORS",
    "cap_text",
    "check_thrombosis",
    "thrombosis_reasons",
]

#: The boxed warning's thrombosis risk factors that are recorded as such.
THROMBOSIS_FACTORS: Final = {
    RiskFactor.IMMOBILISATION: "prolonged immobilisation",
    RiskFactor.HYPERCOAGULABLE_STATE: "hypercoagulable condition",
    RiskFactor.PRIOR_THROMBOSIS: "history of venous or arterial thrombosis",
    RiskFactor.OESTROGEN_USE: "use of oestrogens",
    RiskFactor.INDWELLING_VASCULAR_CATHETER: "indwelling vascular catheter",
    RiskFactor.HYPERVISCOSITY: "hyperviscosity",
    RiskFactor.CARDIOVASCULAR_RISK: "cardiovascular risk factors",
}


_DM_REASON: Final = (
    "dermatomyositis (Octagam 10 % US label: 'DM patients are at increased risk "
    "for thromboembolic events'; ProDERM: 6 related TEEs; the DM labelled "
    "maximum rate already reflects this, reference §2.1, §3.1)"
)


def cap_text(cap: AtRiskCap) -> str:
    """``≤ 3.3 mg/kg/min (source)`` for an at-risk cap.

    .. versionadded:: 0.1.0
    """
    from ivig_core.infusion import rate_kind  # noqa: PLC0415 - lazy

    sign = "≤" if cap.inclusive else "<"
    kind = rate_kind(cap.rate)
    return f"{sign} {float(cap.rate.magnitude):g} {kind.value} ({cap.source})"


def thrombosis_reasons(ctx: Context, cfg: SafetyConfig) -> tuple[list[str], bool]:
    """(the thrombosis risk factors present, whether age could be assessed).

    .. versionadded:: 0.1.0
    """
    p = ctx.patient
    reasons = [text for f, text in THROMBOSIS_FACTORS.items() if p.has(f)]
    age_from = cfg.thrombosis_age_from_years
    if age_from is None:
        return reasons, False
    if p.age_years >= age_from:
        reasons.append(f"age {p.age_years:g} years (≥ configured {age_from:g})")
    return reasons, True


def check_thrombosis(ctx: Context, cfg: SafetyConfig) -> list[Finding]:
    """All thrombosis findings.

    .. versionadded:: 0.1.0
    """
    rule = FindingCode.THROMBOSIS_RISK.rule
    out: list[Finding] = []
    reasons, age_assessed = thrombosis_reasons(ctx, cfg)
    if ctx.indication == "dermatomyositis":
        # Not a cap trigger: the DM labelled maximum already reflects it.
        reasons = [*reasons, _DM_REASON]
    source = rule.source
    if ctx.subcutaneous:
        source = SC_BOXED + "; risk factors as in " + rule.source.split("; SC")[0]
    if reasons:
        cap = ""
        product = ctx.product
        if (
            product is not None
            and product.at_risk_cap is not None
            and not ctx.subcutaneous
        ):
            cap = f" {product.name}'s at-risk cap: {cap_text(product.at_risk_cap)}."
        out.append(
            Finding(
                code=rule.code,
                severity=rule.severity,
                message=(
                    f"Thrombosis risk: {'; '.join(reasons)}. Give the minimum dose "
                    "and infusion rate practicable, ensure adequate hydration "
                    f"before administration, and monitor for thrombosis.{cap}"
                ),
                source=source,
            )
        )
    if not age_assessed:
        out.append(
            Finding(
                code=rule.code,
                severity=Severity.INFO,
                message=(
                    f"Age {ctx.patient.age_years:g} years not assessed as a "
                    "thrombosis risk factor: the boxed warning says 'advanced age' "
                    "without a number; set SafetyConfig.thrombosis_age_from."
                ),
                source=source,
                assessed=False,
            )
        )
    p = ctx.patient
    visc = [
        text
        for f, text in (
            (RiskFactor.HYPERVISCOSITY, "hyperviscosity"),
            (RiskFactor.PARAPROTEINAEMIA, "paraproteinaemia (monoclonal gammopathy)"),
        )
        if p.has(f)
    ]
    if visc:
        vrule = FindingCode.HYPERVISCOSITY_ASSESS.rule
        out.append(
            Finding(
                code=vrule.code,
                severity=vrule.severity,
                message=(
                    f"{' and '.join(visc).capitalize()} recorded: assess blood "
                    "viscosity before infusion (baseline viscosity in "
                    "cryoglobulinaemia, chylomicronaemia, high triglycerides, "
                    "monoclonal gammopathies)."
                ),
                source=vrule.source,
            )
        )
    return out
