"""IgA and hypersensitivity checks.

Serum IgA before the first dose is standard practice, **not** a US label
requirement in the label text read. IgA deficiency is a recorded
``IGA_DEFICIENCY`` (or anti-IgA antibodies), or a serum IgA below
``SafetyConfig.iga_deficiency_below``, which has **no default**: the
reference gives no number.
"""

from __future__ import annotations

from collections.abc import Iterable

from ivig_core.findings import Concern, Finding, Rule, Severity
from ivig_core.patient import RiskFactor
from ivig_core.products import Route, default_catalogue
from ivig_core.safety.context import Context
from ivig_core.safety.registry import check, describe


__all__: list[str] = []


def _depleted_names() -> list[str]:
    return [
        f"{p.name} (IgA {p.iga.bound.symbol}{p.iga.amount_ug_ml:g} µg/mL)"
        if p.iga is not None
        else p.name
        for p in default_catalogue().values()
        if p.iga_depleted
    ]


@check(
    code="IGA_NOT_MEASURED",
    severity=Severity.WARNING,
    rule="Serum IgA is not recorded.",
    action="Measure serum IgA before the first dose.",
    source=(
        "Seeds 000 and 004 (Mayo Clin Proc via droracle summary): "
        "standard practice, NOT a US label requirement in the label "
        "text read (reference §4.2)"
    ),
)
def _not_measured(rule: Rule, ctx: Context) -> Iterable[Finding]:
    p = ctx.patient
    if p.serum_iga is not None:
        return []
    known = (
        " IgA deficiency is recorded: record the serum IgA value with it."
        if p.has(RiskFactor.IGA_DEFICIENCY)
        else ""
    )
    return [
        rule.fired(
            "Serum IgA is not recorded. Measure serum IgA before the first "
            "dose: IgA deficiency can cause infusion reactions and "
            "anaphylaxis (seeds 000, 004). Standard practice, not a US label "
            f"requirement.{known}"
        )
    ]


def _deficiency(ctx: Context) -> tuple[str | None, bool]:
    """(why the patient is IgA deficient, or None; whether it could be assessed)."""
    p = ctx.patient
    if p.has(RiskFactor.IGA_DEFICIENCY):
        return "IgA deficiency is recorded", True
    if p.has(RiskFactor.ANTI_IGA_ANTIBODIES):
        return "anti-IgA antibodies are recorded", True
    iga = p.serum_iga_mg_dl
    if iga is None:
        return None, False  # IGA_NOT_MEASURED says so
    below = ctx.config.iga_deficiency_below_mg_dl
    if below is None:
        return None, False
    if iga < below:
        return (
            f"serum IgA {iga:g} mg/dL is below the configured {below:g} mg/dL",
            True,
        )
    return None, True


@check(
    code="IGA_DEFICIENCY_PRODUCT",
    severity=Severity.SOFT_LIMIT,
    rule=(
        "IgA deficiency (recorded, or serum IgA below the configured "
        "iga_deficiency_below, or anti-IgA antibodies recorded) with a "
        "product that is not IgA-depleted."
    ),
    action=(
        "Use an IgA-depleted product (the catalogue's are suggested), "
        "or override with the reason."
    ),
    source=(
        "Seeds 000 and 004 ('IVIG preparations that do not have IgA'); "
        "Gammagard S/D IgA < 1 µg/mL is the IgA-depleted option "
        "(reference §2.1, §4.2)"
    ),
    parameters=("iga_deficiency_below",),
)
def _deficiency_product(rule: Rule, ctx: Context) -> Iterable[Finding]:
    why, assessed = _deficiency(ctx)
    iga = ctx.patient.serum_iga_mg_dl
    product = ctx.product
    if product.iga_depleted:
        return []  # IgA-depleted: deficiency or not, nothing to flag
    if not assessed:
        if iga is None:
            return []  # reported by IGA_NOT_MEASURED
        return [
            rule.not_assessed(
                f"Serum IgA is {iga:g} mg/dL but no IgA-deficiency "
                "threshold is configured (SafetyConfig.iga_deficiency_below; "
                "the reference gives none) and no IgA deficiency is recorded: "
                "IgA deficiency not assessed. Record RiskFactor.IGA_DEFICIENCY "
                "or set the threshold.",
                severity=Severity.INFO,
            )
        ]
    if why is None:
        return []
    content = (
        "IgA content not confirmed"
        if product.iga is None
        else f"IgA {product.iga.bound.symbol}{product.iga.amount_ug_ml:g} µg/mL"
    )
    options = ", ".join(_depleted_names()) or "none in the catalogue"
    return [
        rule.fired(
            f"{why.capitalize()} and {product.name} is not IgA-depleted "
            f"({content}). Use an IgA-depleted product ({options}), or "
            "override with the reason.",
            Concern.whole_plan(),
        )
    ]


@check(
    code="ANTI_IGA_CONTRAINDICATION",
    severity=Severity.HARD_LIMIT,
    rule=(
        "Anti-IgA antibodies and a history of hypersensitivity to "
        "immunoglobulin are both recorded."
    ),
    action=(
        "Do not give: label contraindication. Refer to the prescriber and immunology."
    ),
    source=(
        "Gammagard Liquid, Gamunex-C (epgonline.org) and Panzyga "
        "(myhealthbox) labels: contraindicated in 'IgA deficient "
        "patients with antibodies against IgA and a history of "
        "hypersensitivity' (reference §4.2, §4.4)"
    ),
)
def _anti_iga(rule: Rule, ctx: Context) -> Iterable[Finding]:
    p = ctx.patient
    if not (
        p.has(RiskFactor.ANTI_IGA_ANTIBODIES)
        and p.has(RiskFactor.IG_HYPERSENSITIVITY_HISTORY)
    ):
        return []
    return [
        rule.fired(
            "Anti-IgA antibodies and a history of hypersensitivity to "
            "immunoglobulin are recorded: label contraindication. Do not give; "
            "refer to the prescriber and immunology."
        )
    ]


@check(
    code="HYALURONIDASE_CONTRAINDICATION",
    severity=Severity.HARD_LIMIT,
    rule=(
        "A facilitated subcutaneous product (HyQvia, with "
        "hyaluronidase) and a recorded hyaluronidase hypersensitivity."
    ),
    action="Do not give: label contraindication. Choose another product.",
    source="HyQvia label: hypersensitivity to hyaluronidase (reference §4.4)",
)
def _hyaluronidase(rule: Rule, ctx: Context) -> Iterable[Finding]:
    product = ctx.product
    if not ctx.patient.has(RiskFactor.HYALURONIDASE_HYPERSENSITIVITY):
        return []
    if Route.FACILITATED_SC not in product.routes:
        return []
    return [
        rule.fired(
            f"{product.name} contains hyaluronidase and a hyaluronidase "
            "hypersensitivity is recorded: label contraindication. Choose "
            "another product.",
            Concern.whole_plan(),
        )
    ]


__doc__ = (__doc__ or "") + describe(__name__)
