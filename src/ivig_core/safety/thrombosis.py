"""Thrombosis checks (the US IVIG boxed warning).

The action for a patient at risk: the minimum dose and infusion rate
practicable, the product's at-risk rate cap (checked by
:mod:`~ivig_core.safety.rate`), hydration. "Advanced age" has no number in
the boxed warning, so age counts only from
``SafetyConfig.thrombosis_age_from`` (no default); until it is set the age
part is reported as not assessed.

"Thrombosis may occur in the absence of known risk factors" (boxed
warning): a quiet check is not a clearance.

SC and facilitated-SC plans get the same check under the SC products'
thrombosis-only boxed warning (its source), without the IV at-risk rate cap
in mg/kg/min (SC rates are per site).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from ivig_core.findings import Finding, Rule, Severity
from ivig_core.patient import RiskFactor
from ivig_core.products import AtRiskCap
from ivig_core.rates import rate_kind
from ivig_core.safety.context import Context
from ivig_core.safety.registry import check, describe
from ivig_core.sources import cited


__all__ = [
    "BOXED",
    "SC_BOXED",
    "THROMBOSIS_FACTORS",
    "cap_text",
    "thrombosis_reasons",
]

#: The US IVIG boxed warning (thrombosis, renal dysfunction and failure).
BOXED: Final = cited(
    "US IVIG boxed warning (thrombosis, renal dysfunction and acute renal failure)",
    ("privigen-uspi", "octagam10-uspi"),
)
#: The SC products' boxed warning: thrombosis only (no renal part).
SC_BOXED: Final = cited(
    "Hizentra, Xembify, Cuvitru and HyQvia thrombosis-only boxed warning; "
    "Gamunex-C and Gammagard Liquid, one label for IV and SC: 'THROMBOSIS, "
    "RENAL DYSFUNCTION and ACUTE RENAL FAILURE'",
    (
        "hizentra-uspi",
        "xembify-uspi",
        "cuvitru-uspi",
        "hyqvia-uspi",
        "gamunexc-uspi",
        "gammagard-liquid-uspi",
    ),
)

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
    "dermatomyositis ("
    + cited(
        "Octagam 10 % US label: 'DM patients are at increased risk for "
        "thromboembolic events'; ProDERM: 6 related TEEs; the DM labelled "
        "maximum rate already reflects this",
        ("octagam10-uspi", "proderm-2022", "proderm-tee-2024"),
    )
    + ")"
)


def cap_text(cap: AtRiskCap) -> str:
    """``≤ 3.3 mg/kg/min (source)`` for an at-risk cap.

    .. versionadded:: 0.1.0
    """
    sign = "≤" if cap.inclusive else "<"
    kind = rate_kind(cap.rate)
    return f"{sign} {float(cap.rate.magnitude):g} {kind.value} ({cap.source})"


def thrombosis_reasons(ctx: Context) -> tuple[list[str], bool]:
    """(the thrombosis risk factors present, whether age could be assessed).

    .. versionadded:: 0.1.0
    """
    p = ctx.patient
    reasons = [text for f, text in THROMBOSIS_FACTORS.items() if p.has(f)]
    age_from = ctx.config.thrombosis_age_from_years
    if age_from is None:
        return reasons, False
    age = p.age_years
    if age >= age_from:
        reasons.append(f"age {age:g} years (≥ configured {age_from:g})")
    return reasons, True


@check(
    code="THROMBOSIS_RISK",
    severity=Severity.WARNING,
    rule=(
        "A boxed-warning thrombosis risk factor is recorded: "
        "immobilisation, hypercoagulable state, prior thrombosis, "
        "oestrogens, indwelling vascular catheter, hyperviscosity, "
        "cardiovascular risk, or age at or above the configured "
        "thrombosis_age_from (the label says only 'advanced age'); "
        "also every dermatomyositis plan (Octagam 10 % DM label). "
        "SC and facilitated-SC plans: the same factors, under the SC "
        "products' thrombosis-only boxed warning."
    ),
    action=(
        "Give the minimum dose and infusion rate practicable, apply the "
        "product's at-risk rate cap, ensure adequate hydration, monitor "
        "for signs of thrombosis."
    ),
    source=BOXED + "; SC plans: " + SC_BOXED,
    parameters=("thrombosis_age_from",),
)
def _thrombosis(rule: Rule, ctx: Context) -> Iterable[Finding]:
    out: list[Finding] = []
    reasons, age_assessed = thrombosis_reasons(ctx)
    if ctx.indication == "dermatomyositis":
        # Not a cap trigger: the DM labelled maximum already reflects it.
        reasons = [*reasons, _DM_REASON]
    source = rule.source
    if ctx.subcutaneous:
        source = SC_BOXED + "; risk factors as in " + BOXED
    if reasons:
        cap = ""
        product = ctx.product
        if product.at_risk_cap is not None and not ctx.subcutaneous:
            cap = f" {product.name}'s at-risk cap: {cap_text(product.at_risk_cap)}."
        out.append(
            rule.fired(
                f"Thrombosis risk: {'; '.join(reasons)}. Give the minimum dose "
                "and infusion rate practicable, ensure adequate hydration "
                f"before administration, and monitor for thrombosis.{cap}",
                source=source,
            )
        )
    if not age_assessed:
        out.append(
            rule.not_assessed(
                f"Age {ctx.patient.age_years:g} years not assessed as a "
                "thrombosis risk factor: the boxed warning says 'advanced age' "
                "without a number; set SafetyConfig.thrombosis_age_from.",
                severity=Severity.INFO,
                source=source,
            )
        )
    return out


@check(
    code="HYPERVISCOSITY_ASSESS",
    severity=Severity.WARNING,
    rule="Hyperviscosity or paraproteinaemia is recorded.",
    action="Assess blood viscosity before infusion.",
    source=(
        BOXED
        + "; "
        + cited(
            "baseline viscosity in cryoglobulins, chylomicronaemia, high "
            "triglycerides, monoclonal gammopathies (Bivigam and Asceniv labels)",
            ("bivigam-uspi", "asceniv-uspi"),
        )
    ),
)
def _viscosity(rule: Rule, ctx: Context) -> Iterable[Finding]:
    p = ctx.patient
    visc = [
        text
        for f, text in (
            (RiskFactor.HYPERVISCOSITY, "hyperviscosity"),
            (RiskFactor.PARAPROTEINAEMIA, "paraproteinaemia (monoclonal gammopathy)"),
        )
        if p.has(f)
    ]
    if not visc:
        return []
    return [
        rule.fired(
            f"{' and '.join(visc).capitalize()} recorded: assess blood "
            "viscosity before infusion (baseline viscosity in "
            "cryoglobulinaemia, chylomicronaemia, high triglycerides, "
            "monoclonal gammopathies)."
        )
    ]


__doc__ = (__doc__ or "") + describe(__name__)
