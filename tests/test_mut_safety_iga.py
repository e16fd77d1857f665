"""IgA checks (safety/iga.py), pinned where mutation testing found them loose.

The thresholds, in their sources' words:

* ESID working definition of selective IgA deficiency: "undetectable serum
  IgA, or less than 7 mg/dl": 6.9 mg/dL fires, 7 does not, 0 (undetectable)
  does.
* IgA-depleted: Gammagard Liquid ERC, "low IgA content (≤2 µg/mL)": a
  product at most 2 µg/mL is depleted (ERC, ≤ 2; Gammagard S/D, < 1).
* The labels contraindicate a product with IgA "in IgA deficient patients
  with antibodies against IgA and a history of hypersensitivity" (hard
  limit); no label read contraindicates IgA deficiency alone (warning).

Every expected message is written out.
"""

from __future__ import annotations

from ivig_core import Patient
from ivig_core.findings import Concern
from ivig_core.plan import Plan
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


NOT_MEASURED = FindingCode.IGA_NOT_MEASURED
DEFICIENCY = FindingCode.IGA_DEFICIENCY_PRODUCT
ANTI = FindingCode.ANTI_IGA_CONTRAINDICATION
ANTI_DEPLETED = FindingCode.ANTI_IGA_DEPLETED_PRODUCT
HYALURONIDASE = FindingCode.HYALURONIDASE_CONTRAINDICATION

PRIVIGEN = make_plan(product="privigen")
_OPTIONS = (
    "Consider an IgA-depleted product (Gammagard Liquid ERC (IgA ≤ 2 µg/mL), "
    "Gammagard S/D (IgA < 1 µg/mL)). No label contraindicates IgA deficiency alone."
)
_PRIVIGEN_CONTENT = (
    "Privigen is not IgA-depleted (IgA ≤ 25 µg/mL; IgA-depleted means at most 2 µg/mL)."
)


def only(report: SafetyReport, code: FindingCode) -> Finding:
    """The one finding with *code* (assessed or not)."""
    (f,) = report.with_code(code)
    return f


def found(
    patient: Patient,
    code: FindingCode,
    plan: Plan = PRIVIGEN,
    config: SafetyConfig | None = None,
) -> tuple[Finding, ...]:
    """The findings with *code*."""
    return assess(patient, plan, config=config).with_code(code)


# --------------------------------------------------------------------------
# IGA_DEFICIENCY_PRODUCT: serum IgA against 7 mg/dL


def test_iga_just_below_7_is_deficient_a_warning_that_does_not_block() -> None:
    """6.9 mg/dL < 7 mg/dL (ESID): a warning naming the depleted products."""
    report = assess(recorded_woman(serum_iga="6.9 mg/dL"), PRIVIGEN)
    f = only(report, DEFICIENCY)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.WARNING,
        Concern.whole_plan(),
    )
    assert f.message == (
        "Serum IgA 6.9 mg/dL is below 7 mg/dL (ESID definition of selective IgA "
        "deficiency, or the site's threshold) and " + _PRIVIGEN_CONTENT + " " + _OPTIONS
    )
    assert f not in report.blocking


def test_iga_at_and_above_7_is_not_deficient() -> None:
    """7 mg/dL is not "less than 7 mg/dl"; 7.1 neither."""
    for value in ("7 mg/dL", "7.1 mg/dL"):
        assert found(recorded_woman(serum_iga=value), DEFICIENCY) == ()


def test_undetectable_iga_is_deficient() -> None:
    """0 mg/dL, "undetectable" (ESID): said so."""
    (f,) = found(recorded_woman(serum_iga="0 mg/dL"), DEFICIENCY)
    assert f.message == (
        "Serum IgA is undetectable (recorded as 0 mg/dL) and "
        + _PRIVIGEN_CONTENT
        + " "
        + _OPTIONS
    )


def test_undetectable_iga_is_deficient_whatever_the_threshold() -> None:
    """A site threshold of 0.5 mg/dL: 0.4 fires, 0 fires as undetectable."""
    cfg = SafetyConfig(iga_deficiency_below="0.5 mg/dL")
    assert found(recorded_woman(serum_iga="0.6 mg/dL"), DEFICIENCY, config=cfg) == ()
    (low,) = found(recorded_woman(serum_iga="0.4 mg/dL"), DEFICIENCY, config=cfg)
    assert low.message.startswith("Serum IgA 0.4 mg/dL is below 0.5 mg/dL (ESID")
    (zero,) = found(recorded_woman(serum_iga="0 mg/dL"), DEFICIENCY, config=cfg)
    assert zero.message.startswith("Serum IgA is undetectable (recorded as 0 mg/dL)")


def test_recorded_deficiency_needs_no_value() -> None:
    """A recorded IgA deficiency (IgA 200 on record) fires; the value is not read."""
    (f,) = found(recorded_woman("70 kg", "iga_deficiency"), DEFICIENCY)
    assert f.message == (
        "IgA deficiency is recorded and " + _PRIVIGEN_CONTENT + " " + _OPTIONS
    )


def test_recorded_anti_iga_antibodies_count_as_deficiency() -> None:
    """Anti-IgA antibodies recorded (IgA 200 on record): a deficiency warning."""
    (f,) = found(recorded_woman("70 kg", "anti_iga_antibodies"), DEFICIENCY)
    assert f.message == (
        "Anti-IgA antibodies are recorded and " + _PRIVIGEN_CONTENT + " " + _OPTIONS
    )


def test_recorded_deficiency_is_checked_with_the_threshold_off() -> None:
    """iga_deficiency_below = None: a recorded deficiency still fires."""
    cfg = SafetyConfig(iga_deficiency_below=None)
    (f,) = found(recorded_woman("70 kg", "iga_deficiency"), DEFICIENCY, config=cfg)
    assert f.assessed


def test_threshold_off_with_a_value_is_not_assessed() -> None:
    """Threshold off and a value on record: INFO, naming the value."""
    cfg = SafetyConfig(iga_deficiency_below=None)
    (f,) = found(recorded_woman(serum_iga="5 mg/dL"), DEFICIENCY, config=cfg)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.INFO,
        Concern.patient(),
        (
            "Serum IgA is 5 mg/dL but the IgA-deficiency threshold is switched off "
            "(SafetyConfig.iga_deficiency_below = None) and no IgA deficiency is "
            "recorded: IgA deficiency not assessed. Record "
            "RiskFactor.IGA_DEFICIENCY or set the threshold."
        ),
    )


def test_no_value_leaves_it_to_iga_not_measured() -> None:
    """No IgA on record: no deficiency finding; IGA_NOT_MEASURED says so."""
    report = assess(recorded_woman(serum_iga=None), PRIVIGEN)
    assert report.with_code(DEFICIENCY) == ()
    f = only(report, NOT_MEASURED)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        True,
        Severity.WARNING,
        Concern.patient(),
        (
            "Serum IgA is not recorded. Measure serum IgA before the first dose: IgA "
            "deficiency can cause infusion reactions and anaphylaxis. Standard "
            "practice, not a US label requirement."
        ),
    )
    assert found(recorded_woman(), NOT_MEASURED) == ()


def test_depleted_products_are_quiet() -> None:
    """Gammagard S/D (< 1 µg/mL) and ERC (≤ 2 µg/mL): deficiency, nothing to flag."""
    for product in ("gammagard-sd", "gammagard-liquid-erc"):
        plan = make_plan(product=product)
        assert found(recorded_woman(serum_iga="0 mg/dL"), DEFICIENCY, plan) == ()


def test_depleted_threshold_is_the_configured_one() -> None:
    """iga_depleted_at_most = 1 µg/mL: ERC (≤ 2) is no longer depleted.

    ERC is flagged, and only Gammagard S/D (< 1 µg/mL) is offered.
    """
    cfg = SafetyConfig(iga_depleted_at_most="1 ug/mL")
    erc = make_plan(product="gammagard-liquid-erc")
    (f,) = found(recorded_woman(serum_iga="0 mg/dL"), DEFICIENCY, erc, cfg)
    assert f.message == (
        "Serum IgA is undetectable (recorded as 0 mg/dL) and Gammagard Liquid ERC "
        "is not IgA-depleted (IgA ≤ 2 µg/mL; IgA-depleted means at most 1 µg/mL). "
        "Consider an IgA-depleted product (Gammagard S/D (IgA < 1 µg/mL)). No label "
        "contraindicates IgA deficiency alone."
    )


def test_no_depleted_product_in_the_catalogue_is_said() -> None:
    """At most 0.5 µg/mL: no catalogue product qualifies; said so."""
    cfg = SafetyConfig(iga_depleted_at_most="0.5 ug/mL")
    (f,) = found(recorded_woman(serum_iga="0 mg/dL"), DEFICIENCY, config=cfg)
    assert "Consider an IgA-depleted product (none in the catalogue)." in f.message


def test_product_without_a_stated_iga_content_is_said() -> None:
    """Bivigam (no IgA content in the catalogue): not depleted, said so."""
    bivigam = make_plan(product="bivigam")
    (f,) = found(recorded_woman(serum_iga="0 mg/dL"), DEFICIENCY, bivigam)
    assert (
        "Bivigam is not IgA-depleted (IgA content not stated in the catalogue; "
        "IgA-depleted means at most 2 µg/mL)."
    ) in f.message


# --------------------------------------------------------------------------
# Anti-IgA antibodies with a history of hypersensitivity


ANTI_AND_HISTORY = recorded_woman(
    "70 kg", "anti_iga_antibodies", "ig_hypersensitivity_history"
)


def test_anti_iga_with_history_on_a_product_with_iga_is_a_hard_limit() -> None:
    """Privigen (≤ 25 µg/mL): contraindicated; blocks, cannot be overridden."""
    report = assess(ANTI_AND_HISTORY, PRIVIGEN)
    f = only(report, ANTI)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.HARD_LIMIT,
        Concern.whole_plan(),
    )
    assert f.message == (
        "Anti-IgA antibodies and a history of hypersensitivity to immunoglobulin "
        "are recorded and Privigen is not IgA-depleted (IgA ≤ 25 µg/mL; "
        "IgA-depleted means at most 2 µg/mL): label contraindication. Do not give; "
        "refer to the prescriber and immunology."
    )
    assert f in report.blocking
    assert report.with_code(ANTI_DEPLETED) == ()


def test_a_severe_reaction_counts_as_the_history() -> None:
    """Anti-IgA antibodies and a recorded severe reaction: the hard limit too."""
    p = recorded_woman("70 kg", "anti_iga_antibodies", "severe_ig_reaction")
    (f,) = found(p, ANTI)
    assert f.severity is Severity.HARD_LIMIT


def test_antibodies_or_history_alone_is_not_the_contraindication() -> None:
    """Antibodies alone, or the history alone: no contraindication."""
    for factor in ("anti_iga_antibodies", "ig_hypersensitivity_history"):
        report = assess(recorded_woman("70 kg", factor), PRIVIGEN)
        assert report.with_code(ANTI) == ()
        assert report.with_code(ANTI_DEPLETED) == ()


def test_anti_iga_with_history_on_a_depleted_product_is_a_warning() -> None:
    """Gammagard S/D (< 1 µg/mL): no hard limit; a warning, not blocking."""
    report = assess(ANTI_AND_HISTORY, make_plan(product="gammagard-sd"))
    assert report.with_code(ANTI) == ()
    f = only(report, ANTI_DEPLETED)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.WARNING,
        Concern.whole_plan(),
    )
    assert f.message == (
        "Anti-IgA antibodies and a history of hypersensitivity to immunoglobulin "
        "are recorded. Gammagard S/D is IgA-depleted (IgA < 1 µg/mL): the labels "
        "contraindicate products with IgA in these patients, and a low-IgA product "
        "is the option the sources point to. Give only with immunology advice and "
        "anaphylaxis precautions."
    )
    assert f not in report.blocking


def test_a_severe_reaction_counts_as_the_history_on_a_depleted_product() -> None:
    """Anti-IgA antibodies and a severe reaction (no history) on Gammagard S/D.

    The same history as the hard limit's: the depleted-product warning fires.
    """
    p = recorded_woman("70 kg", "anti_iga_antibodies", "severe_ig_reaction")
    report = assess(p, make_plan(product="gammagard-sd"))
    assert report.with_code(ANTI) == ()
    f = only(report, ANTI_DEPLETED)
    assert (f.assessed, f.severity) == (True, Severity.WARNING)


def test_depleted_is_read_against_the_configured_threshold() -> None:
    """At most 1 µg/mL: ERC (≤ 2) is a hard limit; S/D stays a warning."""
    cfg = SafetyConfig(iga_depleted_at_most="1 ug/mL")
    erc = make_plan(product="gammagard-liquid-erc")
    (f,) = found(ANTI_AND_HISTORY, ANTI, erc, cfg)
    assert "(IgA ≤ 2 µg/mL; IgA-depleted means at most 1 µg/mL)" in f.message
    assert found(ANTI_AND_HISTORY, ANTI_DEPLETED, erc, cfg) == ()
    sd = make_plan(product="gammagard-sd")
    assert found(ANTI_AND_HISTORY, ANTI_DEPLETED, sd, cfg)


# --------------------------------------------------------------------------
# Hyaluronidase


def test_hyaluronidase_hypersensitivity_with_hyqvia_is_a_hard_limit() -> None:
    """HyQvia (facilitated SC) and a hyaluronidase hypersensitivity: blocks."""
    p = recorded_woman("70 kg", "hyaluronidase_hypersensitivity")
    report = assess(p, make_plan(product="hyqvia"))
    f = only(report, HYALURONIDASE)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        True,
        Severity.HARD_LIMIT,
        Concern.whole_plan(),
        (
            "HyQvia contains hyaluronidase and a hyaluronidase hypersensitivity is "
            "recorded: label contraindication. Choose another product."
        ),
    )
    assert f in report.blocking


def test_hyaluronidase_rule_needs_both() -> None:
    """Hizentra (SC, no hyaluronidase) with it, or HyQvia without it: quiet."""
    p = recorded_woman("70 kg", "hyaluronidase_hypersensitivity")
    assert found(p, HYALURONIDASE, make_plan(product="hizentra")) == ()
    assert found(recorded_woman(), HYALURONIDASE, make_plan(product="hyqvia")) == ()


def test_recorded_deficiency_without_a_value_says_record_it() -> None:
    """IgA deficiency recorded and no value: IGA_NOT_MEASURED asks for it."""
    p = recorded_woman("70 kg", "iga_deficiency", serum_iga=None)
    (f,) = found(p, NOT_MEASURED)
    assert f.message.endswith(
        "not a US label requirement. IgA deficiency is recorded: record the serum "
        "IgA value with it."
    )
