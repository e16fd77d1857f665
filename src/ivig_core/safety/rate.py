"""Infusion-rate checks on the planned rate steps (mL/h, per infusion day).

Each planned step (mL/h) is compared with the limit converted to mL/h for
the weight the run used (``run.rate_weight_kg``, recorded by the planner)
and the product's concentration: mg/kg/min → mL/h is
``rate × kg × 60 ÷ mg/mL``. Without an indication (or for an indication the
catalogue has no rates for) the indication's maximum is not assessed, but a
step above *every* labelled maximum of the product still fires. Products
whose label gives no numeric at-risk cap: not assessed, the action is "the
minimum infusion rate practicable". The planner refuses such steps too;
these checks do not rely on it.

Both are IV rules: an SC or facilitated-SC plan's rates are per site and are
checked by :mod:`~ivig_core.safety.sc` (``SC_RATE_PER_SITE_ABOVE_LABEL``);
its ``SC_ROUTE_RULES`` finding says why these do not apply.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ivig_core._checks import REL_TOL, exceeds
from ivig_core.findings import Concern, Finding, Rule, Severity
from ivig_core.plan import Infusion
from ivig_core.products import Product
from ivig_core.rates import RateKind, rate_kind, rate_to_ml_h
from ivig_core.safety.context import Context, rates_ml_h
from ivig_core.safety.registry import check, describe
from ivig_core.safety.renal import renal_reasons
from ivig_core.safety.thrombosis import cap_text, thrombosis_reasons
from ivig_core.units import Quantity


__all__: list[str] = []


@attrs.frozen
class _PerKg:
    """A labelled per-kg (or mL/h) rate, read from its quantity once."""

    value: float
    kind: RateKind

    @classmethod
    def of(cls, rate: Quantity) -> _PerKg:
        """Read *rate* once (pint at the boundary)."""
        return cls(float(rate.magnitude), rate_kind(rate))

    def ml_h(self, weight_kg: float, conc: float) -> float:
        """The rate in mL/h for *weight_kg* and a concentration (floats only)."""
        return rate_to_ml_h(self.value, self.kind, weight_kg, conc)

    @property
    def text(self) -> str:
        """``4 mg/kg/min``."""
        return f"{self.value:g} {self.kind.value}"


def _ml_h(rate: _PerKg, weight_kg: float, conc: float) -> tuple[float, str]:
    """A per-kg rate in mL/h, and its text."""
    return rate.ml_h(weight_kg, conc), rate.text


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


def _maxima(product: Product) -> list[tuple[_PerKg, str]]:
    """Every labelled maximum of the product, read once, with its indication."""
    return [
        (_PerKg.of(ind.maximum), ind.key)
        for ind in product.indications.values()
        if ind.maximum is not None
    ]


def _highest(
    maxima: list[tuple[_PerKg, str]], weight_kg: float, conc: float
) -> tuple[float, str] | None:
    best: tuple[float, str] | None = None
    for rate, key in maxima:
        ml_h, text = _ml_h(rate, weight_kg, conc)
        if best is None or ml_h > best[0]:
            best = (ml_h, f"{text}, the highest labelled maximum ({key})")
    return best


def _unassessed_runs(rule: Rule, ctx: Context) -> list[Finding]:
    return [
        rule.not_assessed(
            "The infusion has no rate steps or no recorded rate weight: its "
            "rates were not assessed.",
            Concern.infusion_on(inf.date, inf.cycle),
        )
        for inf in ctx.infusions
        if not inf.run.steps
    ]


@check(
    code="RATE_ABOVE_LABEL_MAX",
    severity=Severity.HARD_LIMIT,
    rule=(
        "A planned rate step above the product's labelled maximum for "
        "the indication (with no indication: above every labelled "
        "maximum). Octagam 10 % in dermatomyositis: 4 mg/kg/min. IV "
        "plans only: SC rates are per site (SC_RATE_PER_SITE_ABOVE_LABEL)."
    ),
    action="Lower the rate steps to the labelled maximum.",
    source=(
        "The product's label (catalogue data, with each value's source); "
        "Octagam 10 % DM: 'do not exceed 0.04 mL/kg/min'"
    ),
    sources=("octagam10-uspi", "octagam10-dm-hcp"),
)
def _label(rule: Rule, ctx: Context) -> Iterable[Finding]:
    if ctx.subcutaneous:
        return []  # SC rates are per site: safety.sc (SC_ROUTE_RULES says so)
    product = ctx.product
    conc = product.concentration_g_per_l
    out: list[Finding] = []
    labelled, what, why = _label_limit(product, ctx.indication)
    maximum = None if labelled is None else _PerKg.of(labelled)
    maxima = _maxima(product) if maximum is None else []
    if why is not None:
        out.append(
            rule.not_assessed(
                f"{why[0].upper()}{why[1:]}: the indication's maximum rate was "
                "not assessed (steps above every labelled maximum still are).",
                Concern.whole_plan(),
            )
        )
    for inf in ctx.infusions:
        rates = rates_ml_h(inf)
        if not rates:
            continue
        w = inf.run.rate_weight_kg
        if maximum is not None:
            limit, desc = maximum.ml_h(w, conc), ""
        else:
            best = _highest(maxima, w, conc)
            if best is None:
                continue
            limit, desc = best
        worst = max(rates)
        if exceeds(worst, limit):
            i = rates.index(worst)
            if maximum is not None:
                desc = f"{maximum.text}, the {what}"
            out.append(
                rule.fired(
                    f"Step {i + 1} runs at {worst:.1f} mL/h, above {limit:.1f} "
                    f"mL/h ({desc}; {w:g} kg, {product.name}). Lower the rate "
                    "steps to the labelled maximum.",
                    Concern.infusion_on(inf.date, inf.cycle),
                )
            )
    out.extend(_unassessed_runs(rule, ctx))
    return out


#: Why dermatomyositis alone does not bring in the at-risk cap.
_DM_NOTE = (
    " Dermatomyositis itself does not apply the cap: the labelled maximum for "
    "dermatomyositis already reflects its thrombosis risk (Octagam 10 % US "
    "label); "
    "the cap is for the boxed warning's other risk factors."
)


@check(
    code="RATE_ABOVE_AT_RISK_CAP",
    severity=Severity.SOFT_LIMIT,
    rule=(
        "A patient at thrombotic or renal risk and a planned rate step "
        "above the product's at-risk cap (e.g. Octagam 10 % and Panzyga "
        "≤ 3.3, Octagam 5 % < 3.3, Bivigam < 2 mg/kg/min). IV plans "
        "only."
    ),
    action="Hold the rate at or below the at-risk cap, or override with the reason.",
    source=(
        "The product's at-risk cap in the catalogue, with its own source: "
        "Octagam 10 % label, Octagam 5 % and Panzyga manufacturer sites; "
        "Bivigam's only from a secondary monograph, applied while "
        "secondary_caps is on"
    ),
    sources=(
        "octagam10-uspi",
        "octagam5-usage",
        "panzyga-citp-hcp",
        "skyscape-ig-monograph",
    ),
    parameters=(
        "thrombosis_age_from",
        "crcl_below",
        "renal_age_above",
        "secondary_caps",
    ),
)
def _at_risk(rule: Rule, ctx: Context) -> Iterable[Finding]:
    if ctx.subcutaneous:
        return []
    return _at_risk_steps(rule, ctx, ctx.product)


def _at_risk_steps(rule: Rule, ctx: Context, product: Product) -> list[Finding]:
    thrombosis, age_assessed = thrombosis_reasons(ctx)
    renal, crcl_missing = renal_reasons(ctx)
    reasons = thrombosis + renal
    cap = product.at_risk_cap
    if cap is not None and cap.secondary and not ctx.config.secondary_caps:
        cap = None  # the site applies label caps only
    if cap is None:
        if not reasons:
            return []
        return [
            rule.not_assessed(
                f"The patient is at risk ({'; '.join(reasons)}) and "
                f"{product.name} has no numeric at-risk cap in use: use the "
                "minimum infusion rate practicable (boxed warning).",
                Concern.whole_plan(),
                severity=Severity.INFO,
            )
        ]
    conc = product.concentration_g_per_l
    cap_rate = _PerKg.of(cap.rate)
    above: list[tuple[Infusion, int, float, float, str]] = []
    for inf in ctx.infusions:
        rates = rates_ml_h(inf)
        if not rates:
            continue
        limit, text = _ml_h(cap_rate, inf.run.rate_weight_kg, conc)
        for i, ml_h in enumerate(rates):
            over = (
                exceeds(ml_h, limit) if cap.inclusive else ml_h >= limit * (1 - REL_TOL)
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
            rule.not_assessed(
                f"Some steps are above {product.name}'s at-risk cap "
                f"{cap_text(cap)}, and whether the patient is at risk was not "
                "fully assessed (see the THROMBOSIS_RISK and RENAL_RISK "
                "not-assessed findings)."
                + _DM_NOTE
                * (ctx.indication == "dermatomyositis"),
                Concern.whole_plan(),
                severity=Severity.INFO,
            )
        ]
    sign = "≤" if cap.inclusive else "<"
    bound = "at most" if cap.inclusive else "below"
    secondary = " (a secondary source only)" if cap.secondary else ""
    days = "; ".join(
        f"{inf.date.isoformat()}: step {i + 1} runs at {ml_h:.1f} mL/h, the cap "
        f"at {inf.run.rate_weight_kg:g} kg is {bound} {limit:.1f} mL/h"
        for inf, i, ml_h, limit, _ in above
    )
    return [
        rule.fired(
            f"At risk ({'; '.join(reasons)}): {product.name}'s at-risk cap is "
            f"{sign} {above[0][4]}{secondary} ({cap.source}); above it on "
            f"{len(above)} day{'s' * (len(above) > 1)}: {days}. Hold the rate "
            "within the cap, or override with the reason.",
            Concern.whole_plan(),
        )
    ]


__doc__ = (__doc__ or "") + describe(__name__)
