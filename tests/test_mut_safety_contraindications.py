"""Contraindications (safety/contraindications.py), pinned where mutants survived.

Each finding present and absent, with its severity and whether it blocks:
the labels' contraindications are hard limits; the albumin rule rests on
secondary sources only and is a warning. The ages, in the labels' words:
Privigen ITP "15 years of age and older" (15 is within, 14.9 below); "adults"
from ``SafetyConfig.adult_from`` (18, local policy). Every expected message
is written out.
"""

from __future__ import annotations

import attrs

from ivig_core import Patient
from ivig_core.findings import Concern
from ivig_core.products import AgeGroup, Product, get_product
from ivig_core.safety import (
    Finding,
    FindingCode,
    SafetyConfig,
    SafetyReport,
    Severity,
    assess,
)
from safety_plans import make_plan
from worked import recorded_woman


AGE = FindingCode.AGE_OUTSIDE_LABEL


def only(report: SafetyReport, code: FindingCode) -> Finding:
    """The one finding with *code* (assessed or not)."""
    (f,) = report.with_code(code)
    return f


# --------------------------------------------------------------------------
# Contraindications by factor and excipient


#: code, factor, a product with the excipient, one without, severity, message
CASES: tuple[tuple[FindingCode, str, str, str, Severity, str], ...] = (
    (
        FindingCode.HYPERPROLINAEMIA_CONTRAINDICATION,
        "hyperprolinaemia",
        "privigen",
        "octagam-10",
        Severity.HARD_LIMIT,
        (
            "Hyperprolinaemia is recorded and Privigen is stabilised with L-proline: "
            "label contraindication. Choose a product without proline."
        ),
    ),
    (
        FindingCode.CORN_ALLERGY_MALTOSE,
        "corn_allergy",
        "octagam-10",
        "privigen",
        Severity.HARD_LIMIT,
        (
            "A corn allergy is recorded and Octagam 10 % contains maltose derived from "
            "corn: contraindicated (older Octagam 5 % US PI); 'patients known to have "
            "corn allergies should avoid using octagam' (manufacturer). Choose a "
            "product without maltose."
        ),
    ),
    (
        FindingCode.FRUCTOSE_INTOLERANCE_SORBITOL,
        "hereditary_fructose_intolerance",
        "gammaplex-5",
        "privigen",
        Severity.HARD_LIMIT,
        (
            "Hereditary fructose intolerance is recorded and Gammaplex 5 % contains "
            "sorbitol: intravenous sorbitol can be fatal in hereditary fructose "
            "intolerance. Choose a product without sorbitol."
        ),
    ),
    (
        FindingCode.ALBUMIN_HYPERSENSITIVITY,
        "albumin_hypersensitivity",
        "hyqvia",
        "privigen",
        Severity.WARNING,
        (
            "A human-albumin hypersensitivity is recorded and HyQvia contains human "
            "albumin. Only secondary sources say to avoid it; check the product's "
            "label before giving, or choose a product without albumin."
        ),
    ),
)


def test_each_excipient_rule_fires_with_its_severity_and_blocking() -> None:
    """Factor and excipient: the finding for the plan; hard limits block."""
    for code, factor, with_it, _, severity, message in CASES:
        report = assess(recorded_woman("70 kg", factor), make_plan(product=with_it))
        f = only(report, code)
        assert (f.assessed, f.severity, f.concerns, f.message) == (
            True,
            severity,
            Concern.whole_plan(),
            message,
        )
        assert (f in report.blocking) is (severity is Severity.HARD_LIMIT)


def test_each_excipient_rule_needs_the_factor_and_the_excipient() -> None:
    """The product without the excipient, or no factor: quiet."""
    for code, factor, with_it, without, _, _ in CASES:
        p = recorded_woman("70 kg", factor)
        assert assess(p, make_plan(product=without)).with_code(code) == ()
        assert (
            assess(recorded_woman(), make_plan(product=with_it)).with_code(code) == ()
        )


def test_a_product_without_composition_data_contains_nothing() -> None:
    """Gammagard Liquid ERC has no composition in the catalogue: no excipient."""
    erc = make_plan(product="gammagard-liquid-erc")
    for code, factor, _, _, _, _ in CASES:
        assert assess(recorded_woman("70 kg", factor), erc).with_code(code) == ()


def test_severe_reaction_is_a_hard_limit_for_any_product() -> None:
    """A prior severe reaction: contraindicated, whatever the product."""
    code = FindingCode.SEVERE_IG_REACTION_CONTRAINDICATION
    for product, name in (("privigen", "Privigen"), ("hizentra", "Hizentra")):
        p = recorded_woman("70 kg", "severe_ig_reaction")
        report = assess(p, make_plan(product=product))
        f = only(report, code)
        assert (f.assessed, f.severity, f.concerns, f.message) == (
            True,
            Severity.HARD_LIMIT,
            Concern.patient(),
            (
                "A prior anaphylactic or severe systemic reaction to human immune "
                f"globulin is recorded: {name} is contraindicated (label "
                "contraindication of every immune globulin read). Do not give; refer "
                "to the prescriber."
            ),
        )
        assert f in report.blocking
    assert assess(recorded_woman(), make_plan()).with_code(code) == ()


# --------------------------------------------------------------------------
# AGE_OUTSIDE_LABEL


def boy(age: str) -> Patient:
    """A boy of *age*, 150 cm, 40 kg."""
    return Patient(sex="male", age=age, height="150 cm", weight="40 kg")


def ages(
    patient: Patient,
    product: str | Product = "privigen",
    indication: str | None = "itp",
    config: SafetyConfig | None = None,
) -> tuple[Finding, ...]:
    """The AGE_OUTSIDE_LABEL findings."""
    name = product if isinstance(product, str) else product.key
    return assess(
        patient,
        make_plan(product=name),
        product=product,
        indication=indication,
        config=config,
    ).with_code(AGE)


_PRIVIGEN_ITP = (
    "Privigen for Chronic immune thrombocytopenic purpura (from 15 years; Privigen "
    "US prescribing information (CSL Behring; DailyMed, updated April 4, 2022); "
    "privigen.com healthcare-professional pages (CSL Behring))"
)


def test_below_the_labelled_age_is_a_warning() -> None:
    """Privigen ITP from 15 years: 14.9 years is below; a warning, not blocking."""
    report = assess(boy("14.9 year"), make_plan(product="privigen"), indication="itp")
    f = only(report, AGE)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        True,
        Severity.WARNING,
        Concern.patient(),
        (
            f"Age 14.9 years is outside the labelled ages of {_PRIVIGEN_ITP}: below 15 "
            "years. Check the indication and the product."
        ),
    )
    assert f not in report.blocking


def test_at_the_labelled_age_is_within() -> None:
    """15 years is "15 years of age and older": quiet; 16 too."""
    assert ages(boy("15 year")) == ()
    assert ages(boy("16 year")) == ()


def test_adults_only_is_read_against_the_adult_age() -> None:
    """Octagam 10 % ITP (adults): 17 is not an adult, 18 is."""
    (f,) = ages(boy("17 year"), "octagam-10")
    assert f.message.endswith(
        "): not an adult (adult from 18 years, local policy). Check the indication "
        "and the product."
    )
    assert f.message.startswith(
        "Age 17 years is outside the labelled ages of Octagam 10 % for Chronic "
        "immune thrombocytopenic purpura (adults) (adults; "
    )
    assert ages(boy("18 year"), "octagam-10") == ()
    cfg = SafetyConfig(adult_from="16 year")
    assert ages(boy("17 year"), "octagam-10", config=cfg) == ()


def with_itp_ages(**ages_: object) -> Product:
    """Privigen with its ITP indication's ages replaced."""
    product = get_product("privigen")
    itp = attrs.evolve(product.indications["itp"], **ages_)
    return attrs.evolve(product, indications={**product.indications, "itp": itp})


def test_an_upper_age_is_exclusive() -> None:
    """Ages below 12 (age_below 12): 11.9 within, 12 outside ("12 years or older")."""
    product = with_itp_ages(age_from=None, age_below="12 year")
    assert ages(boy("11.9 year"), product) == ()
    (f,) = ages(boy("12 year"), product)
    assert "): 12 years or older. Check the indication" in f.message


def test_children_only_is_read_against_the_adult_age() -> None:
    """A children-only indication: 17.9 within, 18 is an adult."""
    product = with_itp_ages(age_from=None, age_group=AgeGroup.CHILDREN)
    assert ages(boy("17.9 year"), product) == ()
    (f,) = ages(boy("18 year"), product)
    assert "): an adult (from 18 years, local policy). Check the" in f.message


def test_every_reason_is_listed() -> None:
    """From 15, below 12 and adults: a 13-year-old is outside all three."""
    product = with_itp_ages(age_below="12 year", age_group=AgeGroup.ADULTS)
    (f,) = ages(boy("13 year"), product)
    assert (
        "): below 15 years; 12 years or older; not an adult (adult from 18 years, "
        "local policy). Check"
    ) in f.message


def test_age_not_checked_without_an_indication_or_its_ages() -> None:
    """No indication, an unknown one, or one without ages: nothing."""
    assert ages(boy("5 year"), indication=None) == ()
    assert ages(boy("5 year"), indication="kawasaki") == ()
    assert ages(boy("5 year"), indication="cidp") == ()
