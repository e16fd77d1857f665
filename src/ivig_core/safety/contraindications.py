"""Contraindications: a prior severe reaction, and the product's excipients.

A prior anaphylactic or severe systemic reaction to human immune globulin is
a contraindication in every label read, whatever the product. The excipient
rules read the product's composition from the catalogue, so a local product
that declares the same excipient is checked the same way:

* proline (Privigen, Hizentra) with hyperprolinaemia;
* maltose (Octagam 5 % and 10 %: "derived from corn") with a corn allergy;
* sorbitol (Gammaplex 5 %) with hereditary fructose intolerance;
* human albumin (HyQvia's hyaluronidase vial) with an albumin
  hypersensitivity.

Each finding names the excipient and the product; the severity follows the
source's words (contraindicated: hard limit; a secondary source only: a
warning).
"""

from __future__ import annotations

from collections.abc import Iterable

from ivig_core.findings import Concern, Finding, Rule, Severity
from ivig_core.patient import RiskFactor
from ivig_core.products import AgeGroup, Product, Substance
from ivig_core.safety.context import Context
from ivig_core.safety.registry import check, describe
from ivig_core.units import Quantity


__all__: list[str] = []


def _contains(product: Product, substance: Substance) -> bool:
    composition = product.composition
    return composition is not None and any(
        e.substance is substance for e in composition.excipients
    )


@check(
    code="SEVERE_IG_REACTION_CONTRAINDICATION",
    severity=Severity.HARD_LIMIT,
    rule=(
        "A prior anaphylactic or severe systemic reaction to human immune "
        "globulin is recorded (any product)."
    ),
    action="Do not give: label contraindication. Refer to the prescriber.",
    source=(
        "Asceniv US PI: 'patients who have had an anaphylactic or severe "
        "systemic reaction to the administration of human immune globulin'; "
        "Gammagard Liquid: 'History of anaphylactic or severe systemic "
        "hypersensitivity reactions to human IG'; Gamunex-C: 'Anaphylactic or "
        "severe systemic reactions to human immunoglobulin'; Privigen: "
        "'Previous severe reaction to human immune globulin'"
    ),
    sources=(
        "asceniv-uspi",
        "gammagard-hcp-site",
        "epgonline-ig-labels",
        "mpr-monographs",
    ),
)
def _severe_reaction(rule: Rule, ctx: Context) -> Iterable[Finding]:
    if not ctx.patient.has(RiskFactor.SEVERE_IG_REACTION):
        return []
    return [
        rule.fired(
            "A prior anaphylactic or severe systemic reaction to human immune "
            f"globulin is recorded: {ctx.product.name} is contraindicated "
            "(label contraindication of every immune globulin read). Do not "
            "give; refer to the prescriber."
        )
    ]


@check(
    code="HYPERPROLINAEMIA_CONTRAINDICATION",
    severity=Severity.HARD_LIMIT,
    rule="Hyperprolinaemia with a product stabilised with L-proline.",
    action="Do not give: label contraindication. Choose a product without proline.",
    source=(
        "Privigen: 'Hyperprolinemia (contains the stabilizer L-proline)'; "
        "privigen.com: 'might not be possible if ... you have too much "
        "proline in your blood'; Hizentra EU SmPC 4.3: 'Patients with "
        "hyperprolinaemia type I or II'"
    ),
    sources=("mpr-monographs", "privigen-hcp-site", "rxreasoner-ig-labels"),
)
def _hyperprolinaemia(rule: Rule, ctx: Context) -> Iterable[Finding]:
    product = ctx.product
    if not (
        ctx.patient.has(RiskFactor.HYPERPROLINAEMIA)
        and _contains(product, Substance.PROLINE)
    ):
        return []
    return [
        rule.fired(
            f"Hyperprolinaemia is recorded and {product.name} is stabilised with "
            "L-proline: label contraindication. Choose a product without proline.",
            Concern.whole_plan(),
        )
    ]


@check(
    code="CORN_ALLERGY_MALTOSE",
    severity=Severity.HARD_LIMIT,
    rule=(
        "A corn allergy with a product containing maltose derived from corn (Octagam)."
    ),
    action="Do not give: choose a product without maltose.",
    source=(
        "'Octagam 5% and 10% contain maltose, a disaccharide, which is "
        "derived from corn. Patients known to have corn allergies should "
        "avoid using octagam'; older Octagam 5 % US PI: 'contraindicated in "
        "patients with acute hypersensitivity reaction to corn'"
    ),
    sources=("octagamusa-isi", "octagam5-older-uspi"),
)
def _corn(rule: Rule, ctx: Context) -> Iterable[Finding]:
    product = ctx.product
    if not (
        ctx.patient.has(RiskFactor.CORN_ALLERGY)
        and _contains(product, Substance.MALTOSE)
    ):
        return []
    return [
        rule.fired(
            f"A corn allergy is recorded and {product.name} contains maltose "
            "derived from corn: contraindicated (older Octagam 5 % US PI); "
            "'patients known to have corn allergies should avoid using "
            "octagam' (manufacturer). Choose a product without maltose.",
            Concern.whole_plan(),
        )
    ]


@check(
    code="FRUCTOSE_INTOLERANCE_SORBITOL",
    severity=Severity.HARD_LIMIT,
    rule="Hereditary fructose intolerance with a product containing sorbitol.",
    action="Do not give: choose a product without sorbitol.",
    source=(
        "Gammaplex 5 % UK SmPC: 'contains 50 mg/ml sorbitol'; European "
        "excipient legislation contraindicates parenteral sorbitol in "
        "hereditary fructose intolerance: 'Patients with rare hereditary "
        "problems of fructose intolerance should not take this medicine'; "
        "intravenous sorbitol can be fatal in HFI"
    ),
    sources=(
        "gammaplex5-smpc-uk",
        "ejhp-2016-hfi-excipients",
        "orphanet-2020-hfi-sorbitol",
    ),
)
def _fructose(rule: Rule, ctx: Context) -> Iterable[Finding]:
    product = ctx.product
    if not (
        ctx.patient.has(RiskFactor.HEREDITARY_FRUCTOSE_INTOLERANCE)
        and _contains(product, Substance.SORBITOL)
    ):
        return []
    return [
        rule.fired(
            f"Hereditary fructose intolerance is recorded and {product.name} "
            "contains sorbitol: intravenous sorbitol can be fatal in hereditary "
            "fructose intolerance. Choose a product without sorbitol.",
            Concern.whole_plan(),
        )
    ]


@check(
    code="ALBUMIN_HYPERSENSITIVITY",
    severity=Severity.WARNING,
    rule="A human-albumin hypersensitivity with a product containing human albumin.",
    action=(
        "Check the product's label before giving; consider a product without albumin."
    ),
    source=(
        "HyQvia EU SmPC excipients: human albumin in the hyaluronidase vial; "
        "'Avoid if there's severe hypersensitivity to IG, rHuPH20, or "
        "albumin'. The label contraindication read names hyaluronidase only"
    ),
    sources=("pill2trip-hyqvia", "vitalibrary-hyqvia"),
)
def _albumin(rule: Rule, ctx: Context) -> Iterable[Finding]:
    product = ctx.product
    if not (
        ctx.patient.has(RiskFactor.ALBUMIN_HYPERSENSITIVITY)
        and _contains(product, Substance.ALBUMIN)
    ):
        return []
    return [
        rule.fired(
            f"A human-albumin hypersensitivity is recorded and {product.name} "
            "contains human albumin. Only secondary sources say to avoid it; "
            "check the product's label before giving, or choose a product "
            "without albumin.",
            Concern.whole_plan(),
        )
    ]


@check(
    code="AGE_OUTSIDE_LABEL",
    severity=Severity.WARNING,
    rule=(
        "The patient's age is outside the labelled age range of the product "
        "for the indication (catalogue data; 'adults' from adult_from)."
    ),
    action="Check the indication and product: the use is outside the label's ages.",
    source=(
        "Each indication's labelled age range in the catalogue, with its "
        "source (e.g. Gamunex-C PI 'patients 2 years of age and older'; "
        "Asceniv 'adults and adolescents (12 to 17 years of age)'; Octagam "
        "10 % 'Children Dosage: Not established')"
    ),
    sources=("epgonline-ig-labels", "asceniv-uspi", "empr-octagam10"),
    parameters=("adult_from",),
)
def _age(rule: Rule, ctx: Context) -> Iterable[Finding]:
    if ctx.indication is None:
        return []  # DOSE_ABOVE_LIMIT reports the missing indication
    indication = ctx.product.indications.get(ctx.indication)
    if indication is None or not indication.has_age_range:
        return []
    age = ctx.patient.age_years
    low = _years(indication.age_from)
    below = _years(indication.age_below)
    adult = ctx.config.adult_from_years
    outside = []
    if low is not None and age < low:
        outside.append(f"below {low:g} years")
    if below is not None and age >= below:
        outside.append(f"{below:g} years or older")
    if indication.age_group is AgeGroup.ADULTS and age < adult:
        outside.append(f"not an adult (adult from {adult:g} years, local policy)")
    if indication.age_group is AgeGroup.CHILDREN and age >= adult:
        outside.append(f"an adult (from {adult:g} years, local policy)")
    if not outside:
        return []
    return [
        rule.fired(
            f"Age {age:g} years is outside the labelled ages of {ctx.product.name} "
            f"for {indication.name} ({indication.age_text()}; "
            f"{indication.source}): {'; '.join(outside)}. Check the indication "
            "and the product.",
        )
    ]


def _years(value: Quantity | None) -> float | None:
    return None if value is None else float(value.magnitude)


__doc__ = (__doc__ or "") + describe(__name__)
