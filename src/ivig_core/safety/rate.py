"""Infusion-rate checks on the planned rate steps (mL/h, per infusion day).

Each planned step (mL/h) is compared with the limit converted to mL/h for
the weight the run used (``run.rate_weight``, recorded by the planner) and
the product's concentration: mg/kg/min → mL/h is ``rate × kg × 60 ÷ mg/mL``.

* ``RATE_ABOVE_LABEL_MAX`` (hard limit): a step above the product's labelled
  maximum for the indication. Without an indication (or for an indication
  the catalogue has no rates for) the indication's maximum is not assessed,
  but a step above *every* labelled maximum of the product still fires.
  Octagam 10 % in dermatomyositis: 4 mg/kg/min ("do not exceed 0.04
  mL/kg/min"), from the catalogue.
* ``RATE_ABOVE_AT_RISK_CAP`` (soft limit): a patient at thrombotic or renal
  risk and a step above the product's at-risk cap (``≤`` or ``<`` as the
  label words it). Products whose label gives no number: not assessed, the
  action is "the minimum infusion rate practicable".

The planner refuses such steps too; these checks do not rely on it.

Both are IV rules: an SC or facilitated-SC plan's rates are per site and are
checked by :mod:`~ivig_core.safety.sc` (``SC_RATE_PER_SITE_ABOVE_LABEL``);
its ``SC_ROUTE_RULES`` finding says why these do not apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivig_core.safety.findings import Concern, Finding, FindingCode, Severity
from ivig_core.safety.renal import renal_reasons
from ivig_core.safety.thrombosis import cap_text, thrombosis_reasons


if TYPE_CHECKING:
    from ivig_core.products import Product
    from ivig_core.safety._context import Context, InfusionFacts
    from ivig_core.safety.config import SafetyConfig
    from ivig_core.units import Quantity


__all__ = ["check_rate"]

_REL_TOL = 1e-9  # float round-off, not a clinical tolerance


def _ml_h(rate: Quantity, weight_kg: float, conc: float) -> tuple[float, str]:
    """A per-kg rate (quantity) in mL/h, and its text."""
    from ivig_core.infusion import rate_kind, rate_to_ml_h  # noqa: PLC0415 - lazy

    kind = rate_kind(rate)
    value = float(rate.magnitude)
    return rate_to_ml_h(value, kind, weight_kg, conc), f"{value:g} {kind.value}"


def _label_limit(
    product: Product, indication: str | None
) -> tuple[Quantity | None, str, str | None]:
    """(the maximum quantity or None, what it is, why not assessed or None)."""
    ind = None if indication is None else product.indications.get(indication)
    if ind is not None and ind.maximum is not None:
        return ind.maximum, f"labelled maximum for {ind.key} ({ind.source})", None
    if indication is None:
        why = "no indication given"
    elif ind is None:
        why = (
            f"{indication!r} is not a labelled indication of {product.name} in "
            "the catalogue"
        )
    else:
        why = f"the catalogue has no labelled rates for {product.name} in {ind.key}"
    return None, "", why


def _highest(
    product: Product, weight_kg: float, conc: float
) -> tuple[float, str] | None:
    best: tuple[float, str] | None = None
    for ind in product.indications.values():
        if ind.maximum is None:
            continue
        ml_h, text = _ml_h(ind.maximum, weight_kg, conc)
        if best is None or ml_h > best[0]:
            best = (ml_h, f"{text}, the highest labelled maximum ({ind.key})")
    return best


def _worst(inf: InfusionFacts) -> tuple[int, float]:
    i = max(range(len(inf.rates_ml_h)), key=lambda k: inf.rates_ml_h[k])
    return i, inf.rates_ml_h[i]


def _label(ctx: Context, product: Product) -> list[Finding]:
    rule = FindingCode.RATE_ABOVE_LABEL_MAX.rule
    conc = product.concentration_g_per_l
    out: list[Finding] = []
    maximum, what, why = _label_limit(product, ctx.indication)
    if why is not None:
        out.append(
            Finding(
                code=rule.code,
                severity=Severity.WARNING,
                message=(
                    f"{why[0].upper()}{why[1:]}: the indication's maximum rate was "
                    "not assessed (steps above every labelled maximum still are)."
                ),
                source=rule.source,
                concerns=Concern.whole_plan(),
                assessed=False,
            )
        )
    for inf in ctx.infusions:
        if not inf.rates_ml_h or inf.rate_weight_kg is None:
            continue
        w = inf.rate_weight_kg
        if maximum is not None:
            limit, text = _ml_h(maximum, w, conc)
            desc = f"{text}, the {what}"
        else:
            best = _highest(product, w, conc)
            if best is None:
                continue
            limit, desc = best
        i, worst = _worst(inf)
        if worst > limit * (1 + _REL_TOL):
            out.append(
                Finding(
                    code=rule.code,
                    severity=rule.severity,
                    message=(
                        f"Step {i + 1} runs at {worst:.1f} mL/h, above {limit:.1f} "
                        f"mL/h ({desc}; {w:g} kg, {product.name}). Lower the rate "
                        "steps to the labelled maximum."
                    ),
                    source=rule.source,
                    concerns=Concern.infusion_on(inf.date, inf.cycle),
                )
            )
    out.extend(_unassessed_runs(ctx, rule.code))
    return out


def _unassessed_runs(ctx: Context, code: FindingCode) -> list[Finding]:
    missing = [
        inf for inf in ctx.infusions if not inf.rates_ml_h or inf.rate_weight_kg is None
    ]
    return [
        Finding(
            code=code,
            severity=Severity.WARNING,
            message=(
                "The infusion has no rate steps or no recorded rate weight: its "
                "rates were not assessed."
            ),
            source=code.rule.source,
            concerns=Concern.infusion_on(inf.date, inf.cycle),
            assessed=False,
        )
        for inf in missing
    ]


#: Why dermatomyositis alone does not bring in the at-risk cap.
_DM_NOTE = (
    " Dermatomyositis itself does not apply the cap: the labelled maximum for "
    "dermatomyositis already reflects its thrombosis risk (reference §2.1); "
    "the cap is for the boxed warning's other risk factors."
)


def _at_risk(ctx: Context, cfg: SafetyConfig, product: Product) -> list[Finding]:
    rule = FindingCode.RATE_ABOVE_AT_RISK_CAP.rule
    thrombosis, age_assessed = thrombosis_reasons(ctx, cfg)
    renal, crcl_missing = renal_reasons(ctx, cfg)
    reasons = thrombosis + renal
    cap = product.at_risk_cap
    if cap is None:
        if not reasons:
            return []
        return [
            Finding(
                code=rule.code,
                severity=Severity.INFO,
                message=(
                    f"The patient is at risk ({'; '.join(reasons)}) and "
                    f"{product.name}'s label gives no numeric at-risk cap in the "
                    "catalogue: use the minimum infusion rate practicable (local "
                    "caps of 3.2-3.3 mg/kg/min exist; reference §4.1)."
                ),
                source=rule.source,
                concerns=Concern.whole_plan(),
                assessed=False,
            )
        ]
    conc = product.concentration_g_per_l
    above: list[tuple[InfusionFacts, int, float, float, str]] = []
    for inf in ctx.infusions:
        if not inf.rates_ml_h or inf.rate_weight_kg is None:
            continue
        limit, text = _ml_h(cap.rate, inf.rate_weight_kg, conc)
        for i, ml_h in enumerate(inf.rates_ml_h):
            over = (
                ml_h > limit * (1 + _REL_TOL)
                if cap.inclusive
                else ml_h >= limit * (1 - _REL_TOL)
            )
            if over:
                above.append((inf, i, ml_h, limit, text))
                break
    if not above:
        return []
    if not reasons:
        if age_assessed and crcl_missing is None:
            return []
        return [
            Finding(
                code=rule.code,
                severity=Severity.INFO,
                message=(
                    f"Some steps are above {product.name}'s at-risk cap "
                    f"{cap_text(cap)}, and whether the patient is at risk was not "
                    "fully assessed (see the THROMBOSIS_RISK and RENAL_RISK "
                    "not-assessed findings)."
                    + _DM_NOTE
                    * (ctx.indication == "dermatomyositis")
                ),
                source=rule.source,
                concerns=Concern.whole_plan(),
                assessed=False,
            )
        ]
    sign = "≤" if cap.inclusive else "<"
    return [
        Finding(
            code=rule.code,
            severity=rule.severity,
            message=(
                f"At risk ({'; '.join(reasons)}): step {i + 1} runs at {ml_h:.1f} "
                f"mL/h; {product.name}'s at-risk cap is {sign} {text} ({sign} "
                f"{limit:.1f} mL/h at {inf.rate_weight_kg:g} kg; {cap.source}). Hold "
                "the rate within the cap, or override with the reason."
            ),
            source=rule.source,
            concerns=Concern.infusion_on(inf.date, inf.cycle),
        )
        for inf, i, ml_h, limit, text in above
    ]


def check_rate(ctx: Context, cfg: SafetyConfig) -> list[Finding]:
    """All rate findings.

    .. versionadded:: 0.1.0
    """
    if ctx.subcutaneous:
        return []  # SC rates are per site: safety.sc (SC_ROUTE_RULES says so)
    product = ctx.product
    if product is None:
        return [
            Finding(
                code=code,
                severity=Severity.WARNING,
                message="The product is not known: infusion rates were not assessed.",
                source=code.rule.source,
                concerns=Concern.whole_plan(),
                assessed=False,
            )
            for code in (
                FindingCode.RATE_ABOVE_LABEL_MAX,
                FindingCode.RATE_ABOVE_AT_RISK_CAP,
            )
        ]
    return [*_label(ctx, product), *_at_risk(ctx, cfg, product)]
