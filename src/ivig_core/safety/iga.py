"""IgA and hypersensitivity checks.

* ``IGA_NOT_MEASURED`` (warning): no serum IgA before the first dose. The
  seeds ask for it; it is standard practice, **not** a US label requirement
  in the label text read (reference §4.2).
* ``IGA_DEFICIENCY_PRODUCT`` (soft limit): IgA deficiency with a product
  that is not IgA-depleted; the catalogue's IgA-depleted products are
  suggested. Deficiency is a recorded ``IGA_DEFICIENCY`` (or anti-IgA
  antibodies), or a serum IgA below ``SafetyConfig.iga_deficiency_below``,
  which has **no default**: the reference gives no number.
* ``ANTI_IGA_CONTRAINDICATION`` (hard limit): anti-IgA antibodies with a
  history of hypersensitivity (label contraindication).
* ``HYALURONIDASE_CONTRAINDICATION`` (hard limit): HyQvia with a recorded
  hyaluronidase hypersensitivity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivig_core.patient import RiskFactor
from ivig_core.safety.findings import Concern, Finding, FindingCode, Severity


if TYPE_CHECKING:
    from ivig_core.safety._context import Context
    from ivig_core.safety.config import SafetyConfig


__all__ = ["check_iga"]


def _depleted_names() -> list[str]:
    from ivig_core.products import default_catalogue  # noqa: PLC0415 - lazy

    return [
        f"{p.name} (IgA {p.iga.bound.symbol}{p.iga.amount_ug_ml:g} µg/mL)"
        if p.iga is not None
        else p.name
        for p in default_catalogue().values()
        if p.iga_depleted
    ]


def _not_measured(ctx: Context) -> list[Finding]:
    p = ctx.patient
    if p.iga_mg_dl is not None:
        return []
    rule = FindingCode.IGA_NOT_MEASURED.rule
    known = (
        " IgA deficiency is recorded: record the serum IgA value with it."
        if p.has(RiskFactor.IGA_DEFICIENCY)
        else ""
    )
    return [
        Finding(
            code=rule.code,
            severity=rule.severity,
            message=(
                "Serum IgA is not recorded. Measure serum IgA before the first "
                "dose: IgA deficiency can cause infusion reactions and "
                "anaphylaxis (seeds 000, 004). Standard practice, not a US label "
                f"requirement.{known}"
            ),
            source=rule.source,
        )
    ]


def _deficiency(ctx: Context, cfg: SafetyConfig) -> tuple[str | None, bool]:
    """(why the patient is IgA deficient, or None; whether it could be assessed)."""
    p = ctx.patient
    if p.has(RiskFactor.IGA_DEFICIENCY):
        return "IgA deficiency is recorded", True
    if p.has(RiskFactor.ANTI_IGA_ANTIBODIES):
        return "anti-IgA antibodies are recorded", True
    if p.iga_mg_dl is None:
        return None, False  # IGA_NOT_MEASURED says so
    below = cfg.iga_deficiency_below_mg_dl
    if below is None:
        return None, False
    if p.iga_mg_dl < below:
        return (
            f"serum IgA {p.iga_mg_dl:g} mg/dL is below the configured {below:g} mg/dL",
            True,
        )
    return None, True


def _deficiency_product(ctx: Context, cfg: SafetyConfig) -> list[Finding]:
    rule = FindingCode.IGA_DEFICIENCY_PRODUCT.rule
    why, assessed = _deficiency(ctx, cfg)
    p = ctx.patient
    if ctx.product is not None and ctx.product.iga_depleted:
        return []  # IgA-depleted: deficiency or not, nothing to flag
    if not assessed:
        if p.iga_mg_dl is None:
            return []  # reported by IGA_NOT_MEASURED
        return [
            Finding(
                code=rule.code,
                severity=Severity.INFO,
                message=(
                    f"Serum IgA is {p.iga_mg_dl:g} mg/dL but no IgA-deficiency "
                    "threshold is configured (SafetyConfig.iga_deficiency_below; "
                    "the reference gives none) and no IgA deficiency is recorded: "
                    "IgA deficiency not assessed. Record RiskFactor.IGA_DEFICIENCY "
                    "or set the threshold."
                ),
                source=rule.source,
                assessed=False,
            )
        ]
    if why is None:
        return []
    product = ctx.product
    if product is None:
        return [
            Finding(
                code=rule.code,
                severity=Severity.WARNING,
                message=(
                    f"{why.capitalize()}, but the product is not known: whether it "
                    "is IgA-depleted was not assessed."
                ),
                source=rule.source,
                assessed=False,
            )
        ]
    content = (
        "IgA content not confirmed"
        if product.iga is None
        else f"IgA {product.iga.bound.symbol}{product.iga.amount_ug_ml:g} µg/mL"
    )
    options = ", ".join(_depleted_names()) or "none in the catalogue"
    return [
        Finding(
            code=rule.code,
            severity=rule.severity,
            message=(
                f"{why.capitalize()} and {product.name} is not IgA-depleted "
                f"({content}). Use an IgA-depleted product ({options}), or "
                "override with the reason."
            ),
            source=rule.source,
            concerns=Concern.whole_plan(),
        )
    ]


def _anti_iga(ctx: Context) -> list[Finding]:
    p = ctx.patient
    if not (
        p.has(RiskFactor.ANTI_IGA_ANTIBODIES)
        and p.has(RiskFactor.IG_HYPERSENSITIVITY_HISTORY)
    ):
        return []
    rule = FindingCode.ANTI_IGA_CONTRAINDICATION.rule
    return [
        Finding(
            code=rule.code,
            severity=rule.severity,
            message=(
                "Anti-IgA antibodies and a history of hypersensitivity to "
                "immunoglobulin are recorded: label contraindication. Do not give; "
                "refer to the prescriber and immunology."
            ),
            source=rule.source,
        )
    ]


def _hyaluronidase(ctx: Context) -> list[Finding]:
    from ivig_core.products import Route  # noqa: PLC0415 - lazy

    product = ctx.product
    rule = FindingCode.HYALURONIDASE_CONTRAINDICATION.rule
    if not ctx.patient.has(RiskFactor.HYALURONIDASE_HYPERSENSITIVITY):
        return []
    if product is None:
        return [
            Finding(
                code=rule.code,
                severity=Severity.WARNING,
                message=(
                    "Hyaluronidase hypersensitivity is recorded but the product is "
                    "not known: whether it contains hyaluronidase (HyQvia) was not "
                    "assessed."
                ),
                source=rule.source,
                assessed=False,
            )
        ]
    if Route.FACILITATED_SC not in product.routes:
        return []
    return [
        Finding(
            code=rule.code,
            severity=rule.severity,
            message=(
                f"{product.name} contains hyaluronidase and a hyaluronidase "
                "hypersensitivity is recorded: label contraindication. Choose "
                "another product."
            ),
            source=rule.source,
            concerns=Concern.whole_plan(),
        )
    ]


def check_iga(ctx: Context, cfg: SafetyConfig) -> list[Finding]:
    """All IgA and hypersensitivity findings.

    .. versionadded:: 0.1.0
    """
    return [
        *_not_measured(ctx),
        *_deficiency_product(ctx, cfg),
        *_anti_iga(ctx),
        *_hyaluronidase(ctx),
    ]
