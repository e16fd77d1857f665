"""IgA and hypersensitivity checks.

Serum IgA before the first dose is standard practice, **not** a US label
requirement in the label text read. IgA deficiency is a recorded
``IGA_DEFICIENCY`` (or anti-IgA antibodies), or a serum IgA below
``SafetyConfig.iga_deficiency_below`` (default 7 mg/dL, the ESID working
definition; an undetectable IgA, recorded as 0, is below it).

Whether a product is IgA-depleted is derived from its stated IgA content
against ``SafetyConfig.iga_depleted_at_most`` (default 2 µg/mL). The labels
contraindicate a product in IgA deficiency *with antibodies against IgA and a
history of hypersensitivity*; no label read contraindicates IgA deficiency
alone, so that finding is a warning (a site may raise it in
``SafetyConfig.severities``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from ivig_core.findings import Concern, Finding, Rule, Severity
from ivig_core.patient import RiskFactor
from ivig_core.products import Product, Route, default_catalogue
from ivig_core.safety.context import Context
from ivig_core.safety.registry import check, describe


__all__: list[str] = []


def _depleted_names(at_most_ug_ml: float) -> list[str]:
    return [
        f"{p.name} (IgA {p.iga.bound.symbol}{p.iga.amount_ug_ml:g} µg/mL)"
        if p.iga is not None
        else p.name
        for p in default_catalogue().values()
        if p.is_iga_depleted(at_most_ug_ml)
    ]


#: The anti-IgA contraindication: the labels read and the low-IgA product.
_ANTI_IGA_SOURCES: Final = (
    "epgonline-ig-labels",
    "privigen-uspi",
    "asceniv-uspi",
    "panzyga-uspi",
    "drugs-com-gammagard-liquid",
)


def _content(product: Product) -> str:
    iga = product.iga
    if iga is None:
        return "IgA content not stated in the catalogue"
    return f"IgA {iga.bound.symbol}{iga.amount_ug_ml:g} µg/mL"


@check(
    code="IGA_NOT_MEASURED",
    severity=Severity.WARNING,
    rule="Serum IgA is not recorded.",
    action="Measure serum IgA before the first dose.",
    source=(
        "check serum IgA before IVIg: standard practice, NOT a US label "
        "requirement in the label text read"
    ),
    sources=("myositis-patient-info", "droracle-privigen-dm"),
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
            "anaphylaxis. Standard practice, not a US label "
            f"requirement.{known}"
        )
    ]


def _deficiency(ctx: Context) -> tuple[str | None, bool]:  # noqa: PLR0911 - one return per source of the answer
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
    if iga == 0:
        return "serum IgA is undetectable (recorded as 0 mg/dL)", True
    if iga < below:
        why = (
            f"serum IgA {iga:g} mg/dL is below {below:g} mg/dL (ESID "
            "definition of selective IgA deficiency, or the site's threshold)"
        )
        return why, True
    return None, True


@check(
    code="IGA_DEFICIENCY_PRODUCT",
    severity=Severity.WARNING,
    rule=(
        "IgA deficiency (recorded, serum IgA below iga_deficiency_below or "
        "undetectable, or anti-IgA antibodies recorded) with a product whose "
        "IgA content is above iga_depleted_at_most."
    ),
    action=(
        "Consider an IgA-depleted product (the catalogue's are suggested); "
        "no label contraindicates IgA deficiency alone."
    ),
    source=(
        "Patient-society advice: 'If IgA deficiency is detected, then IVIg "
        "preparations that do not have IgA in them can be administered'; "
        "working definition of selective IgA deficiency (IgA < 7 mg/dL); "
        "product IgA contents from their labels (the catalogue). No label "
        "read contraindicates IgA deficiency alone"
    ),
    sources=("myositis-patient-info", "esid-working-definitions"),
    parameters=("iga_deficiency_below", "iga_depleted_at_most"),
    raisable=True,
)
def _deficiency_product(rule: Rule, ctx: Context) -> Iterable[Finding]:
    why, assessed = _deficiency(ctx)
    iga = ctx.patient.serum_iga_mg_dl
    product = ctx.product
    at_most = ctx.config.iga_depleted_at_most_ug_ml
    if product.is_iga_depleted(at_most):
        return []  # IgA-depleted: deficiency or not, nothing to flag
    if not assessed:
        if iga is None:
            return []  # reported by IGA_NOT_MEASURED
        return [
            rule.not_assessed(
                f"Serum IgA is {iga:g} mg/dL but the IgA-deficiency threshold "
                "is switched off (SafetyConfig.iga_deficiency_below = None) and "
                "no IgA deficiency is recorded: IgA deficiency not assessed. "
                "Record RiskFactor.IGA_DEFICIENCY or set the threshold.",
                severity=Severity.INFO,
            )
        ]
    if why is None:
        return []
    options = ", ".join(_depleted_names(at_most)) or "none in the catalogue"
    return [
        rule.fired(
            f"{why[0].upper()}{why[1:]} and {product.name} is not IgA-depleted "
            f"({_content(product)}; IgA-depleted means at most {at_most:g} "
            f"µg/mL). Consider an IgA-depleted product ({options}). No label "
            "contraindicates IgA deficiency alone.",
            Concern.whole_plan(),
        )
    ]


@check(
    code="ANTI_IGA_CONTRAINDICATION",
    severity=Severity.HARD_LIMIT,
    rule=(
        "Anti-IgA antibodies and a history of hypersensitivity to "
        "immunoglobulin are both recorded, with a product whose IgA content "
        "is above iga_depleted_at_most."
    ),
    action=(
        "Do not give a product with IgA: label contraindication. Refer to the "
        "prescriber and immunology; an IgA-depleted product is the option the "
        "sources point to."
    ),
    source=(
        "Gammagard Liquid, Gamunex-C, Privigen, Asceniv and Panzyga labels: "
        "contraindicated in 'IgA deficient patients with antibodies against "
        "IgA and a history of hypersensitivity'; Gammagard Liquid ERC, a "
        "low-IgA formulation (≤2 µg/mL) 'reducing the likelihood of "
        "triggering an anti-IgA antibody reaction'"
    ),
    sources=_ANTI_IGA_SOURCES,
    parameters=("iga_depleted_at_most",),
)
def _anti_iga(rule: Rule, ctx: Context) -> Iterable[Finding]:
    p = ctx.patient
    if not (
        p.has(RiskFactor.ANTI_IGA_ANTIBODIES)
        and (
            p.has(RiskFactor.IG_HYPERSENSITIVITY_HISTORY)
            or p.has(RiskFactor.SEVERE_IG_REACTION)
        )
    ):
        return []
    product = ctx.product
    at_most = ctx.config.iga_depleted_at_most_ug_ml
    if product.is_iga_depleted(ctx.config.iga_depleted_at_most_ug_ml):
        return []  # ANTI_IGA_DEPLETED_PRODUCT says what the labels say
    return [
        rule.fired(
            "Anti-IgA antibodies and a history of hypersensitivity to "
            f"immunoglobulin are recorded and {product.name} is not IgA-depleted "
            f"({_content(product)}; IgA-depleted means at most {at_most:g} "
            "µg/mL): label contraindication. Do not give; refer to the "
            "prescriber and immunology.",
            Concern.whole_plan(),
        )
    ]


@check(
    code="ANTI_IGA_DEPLETED_PRODUCT",
    severity=Severity.WARNING,
    rule=(
        "Anti-IgA antibodies and a history of hypersensitivity to "
        "immunoglobulin are recorded, with an IgA-depleted product (IgA "
        "content at most iga_depleted_at_most)."
    ),
    action=(
        "Give only with immunology advice and anaphylaxis precautions; the "
        "labels contraindicate products with IgA in these patients."
    ),
    source=(
        "Labels: contraindicated in 'IgA deficient patients with antibodies "
        "against IgA and a history of hypersensitivity' (Gammagard Liquid, "
        "Gamunex-C, Privigen, Asceniv, Panzyga); Gammagard Liquid ERC 'low IgA "
        "content (≤2 µg/mL) ... reducing the likelihood of triggering an "
        "anti-IgA antibody reaction'"
    ),
    sources=_ANTI_IGA_SOURCES,
    parameters=("iga_depleted_at_most",),
)
def _anti_iga_depleted(rule: Rule, ctx: Context) -> Iterable[Finding]:
    p = ctx.patient
    product = ctx.product
    if not (
        p.has(RiskFactor.ANTI_IGA_ANTIBODIES)
        and (
            p.has(RiskFactor.IG_HYPERSENSITIVITY_HISTORY)
            or p.has(RiskFactor.SEVERE_IG_REACTION)
        )
        and product.is_iga_depleted(ctx.config.iga_depleted_at_most_ug_ml)
    ):
        return []
    return [
        rule.fired(
            "Anti-IgA antibodies and a history of hypersensitivity to "
            f"immunoglobulin are recorded. {product.name} is IgA-depleted "
            f"({_content(product)}): the labels contraindicate products with "
            "IgA in these patients, and a low-IgA product is the option the "
            "sources point to. Give only with immunology advice and "
            "anaphylaxis precautions.",
            Concern.whole_plan(),
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
    source="HyQvia label: hypersensitivity to hyaluronidase",
    sources=("hyqvia-uspi", "pill2trip-hyqvia"),
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
