"""Renal checks (safety/renal.py), pinned where mutation testing found them loose.

The thresholds, in their sources' words:

* KDIGO 2012: GFR category G3a is 45-59 mL/min/1.73 m²; "below 60" is G3a or
  worse. A clearance *below* 60 mL/min fires, 60 does not.
* US IVIG boxed warning (Privigen, Octagam 10 % US PI): "age > 65": 66
  fires, 65 does not.
* Bedside Schwartz (CKiD 2009): eGFR = 0.413 × height (cm) / creatinine
  (mg/dL), "for use in children 1-18 years old": from 1 year, below the
  adult age (18, local policy).
* Cockcroft & Gault 1976 (male): (140 − age) × weight / (72 × creatinine);
  the clinPK rule: adjusted weight when actual is *above* 120 % of ideal.

Every estimate below is worked by hand; the messages are written out.
"""

from __future__ import annotations

import attrs

from ivig_core import Patient
from ivig_core.findings import Concern
from ivig_core.plan import Plan
from ivig_core.products import (
    Composition,
    Excipient,
    Product,
    Route,
    Source,
    get_product,
)
from ivig_core.safety import (
    Finding,
    FindingCode,
    SafetyConfig,
    SafetyReport,
    Severity,
    assess,
)
from safety_plans import make_plan
from worked import recorded_woman, woman


RENAL = FindingCode.RENAL_RISK
SUCROSE = FindingCode.SUCROSE_PRODUCT_RENAL_RISK

_ACTION = (
    " Give the minimum dose and infusion rate practicable; check BUN and "
    "creatinine before treatment; make sure the patient is not volume depleted "
    "and is adequately hydrated; monitor urine output; stop if renal function "
    "deteriorates."
)
_KDIGO = "(KDIGO 2012 GFR category G3a or worse, or the site's threshold)"
OFF = SafetyConfig(crcl_below=None)


def man(**changes: object) -> Patient:
    """60 years, 170 cm, 54 kg, creatinine 1.0 mg/dL, IgA and group on record.

    Cockcroft-Gault by hand: (140 − 60) × 54 / (72 × 1.0) = 4320 / 72 =
    **60.0 mL/min**, exactly the threshold. Devine ideal weight 50 + 2.3 ×
    (66.93 − 60) = 65.9 kg: 54 kg is not above 120 % of it.
    """
    fields: dict[str, object] = {
        "sex": "male",
        "age": "60 year",
        "height": "170 cm",
        "weight": "54 kg",
        "serum_creatinine": "1.0 mg/dL",
        "serum_iga": "200 mg/dL",
        "abo_group": "O",
    }
    fields.update(changes)
    return Patient(**fields)


def child(**changes: object) -> Patient:
    """A 10-year-old boy, 120 cm, 25 kg, creatinine 1.0 mg/dL.

    Bedside Schwartz by hand: 0.413 × 120 / 1.0 = **49.56** mL/min/1.73 m².
    """
    fields: dict[str, object] = {
        "age": "10 year",
        "height": "120 cm",
        "weight": "25 kg",
    }
    fields.update(changes)
    return man(**fields)


PLAN = make_plan(product="privigen")


def renal(
    patient: Patient, plan: Plan = PLAN, config: SafetyConfig | None = None
) -> tuple[Finding, ...]:
    """The RENAL_RISK findings of *plan* for *patient*."""
    return assess(patient, plan, config=config).with_code(RENAL)


def only(report: SafetyReport, code: FindingCode) -> Finding:
    """The one finding with *code* (assessed or not)."""
    (f,) = report.with_code(code)
    return f


def estimate(patient: Patient, config: SafetyConfig = OFF) -> str:
    """The not-assessed message that shows the estimate (threshold off)."""
    (f,) = renal(patient, config=config)
    assert (f.assessed, f.severity) == (False, Severity.INFO)
    return f.message


# --------------------------------------------------------------------------
# The clearance threshold: 60 mL/min


def test_clearance_exactly_60_is_not_below_60() -> None:
    """CrCl 60.0 mL/min (by hand, :func:`man`): not G3a; no finding at all."""
    assert renal(man()) == ()


def test_clearance_just_below_60_fires_a_warning() -> None:
    """53 kg: 80 × 53 / 72 = 58.89 mL/min → "59 < 60"; a warning, not blocking."""
    report = assess(man(weight="53 kg"), PLAN)
    f = only(report, RENAL)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.WARNING,
        Concern.patient(),
    )
    assert f.message == (
        "Renal risk: Cockcroft-Gault CrCl (actual weight 53 kg) mL/min 59 < 60 "
        f"{_KDIGO}." + _ACTION
    )
    assert f not in report.blocking


def test_clearance_above_60_is_quiet() -> None:
    """55 kg: 80 × 55 / 72 = 61.1 mL/min: quiet."""
    assert renal(man(weight="55 kg")) == ()


def test_clearance_threshold_is_the_configured_one() -> None:
    """crcl_below = 50 mL/min: 58.9 is quiet; 60 kg at creatinine 1.5 is not.

    80 × 60 / (72 × 1.5) = 4800 / 108 = 44.4 mL/min → "44 < 50".
    """
    cfg = SafetyConfig(crcl_below="50 mL/min")
    assert renal(man(weight="53 kg"), config=cfg) == ()
    (f,) = renal(man(weight="60 kg", serum_creatinine="1.5 mg/dL"), config=cfg)
    assert "(actual weight 60 kg) mL/min 44 < 50 (KDIGO" in f.message


def test_threshold_switched_off_is_not_assessed_showing_the_estimate() -> None:
    """crcl_below = None: INFO, naming the estimate (58.89 → 59)."""
    assert estimate(man(weight="53 kg")) == (
        "Cockcroft-Gault CrCl (actual weight 53 kg) mL/min is 59 but the threshold "
        "is switched off (SafetyConfig.crcl_below = None): renal insufficiency not "
        "assessed."
    )


# --------------------------------------------------------------------------
# Age above 65


def test_age_65_is_not_above_65() -> None:
    """65 years, 60 kg: CrCl 75 × 60 / 72 = 62.5 mL/min; no age reason."""
    assert renal(man(age="65 year", weight="60 kg")) == ()


def test_age_66_is_above_65() -> None:
    """66 years, 60 kg: CrCl 74 × 60 / 72 = 61.7; the age alone fires."""
    (f,) = renal(man(age="66 year", weight="60 kg"))
    assert f.message == "Renal risk: age 66 years (> 65)." + _ACTION


def test_age_threshold_is_the_configured_one() -> None:
    """renal_age_above = 70 years: 66 is quiet, 71 fires naming 70."""
    cfg = SafetyConfig(renal_age_above="70 year")
    assert renal(man(age="66 year", weight="60 kg"), config=cfg) == ()
    (f,) = renal(man(age="71 year", weight="70 kg"), config=cfg)
    assert f.message == "Renal risk: age 71 years (> 70)." + _ACTION


# --------------------------------------------------------------------------
# Children: bedside Schwartz


def test_schwartz_constant_is_0_413() -> None:
    """0.413 × 120 / 1.0 = 49.56 → "50 < 60" (Schwartz 2009)."""
    (f,) = renal(child())
    assert f.message == (
        "Renal risk: bedside Schwartz eGFR (CKiD 2009, height 120 cm) mL/min/1.73 "
        f"m² 50 < 60 {_KDIGO}." + _ACTION
    )


def test_schwartz_at_60_is_quiet_and_just_below_fires() -> None:
    """150 cm: 0.413 × 150 / 1.0325 = 61.95 / 1.0325 = 60.0 (quiet).

    At creatinine 1.1: 61.95 / 1.1 = 56.3 → fires "56 < 60"; at 1.0:
    61.95, quiet.
    """
    assert renal(child(height="150 cm", serum_creatinine="1.0325 mg/dL")) == ()
    assert renal(child(height="150 cm", serum_creatinine="1.0 mg/dL")) == ()
    (f,) = renal(child(height="150 cm", serum_creatinine="1.1 mg/dL"))
    assert "height 150 cm) mL/min/1.73 m² 56 < 60" in f.message


def test_schwartz_from_1_year() -> None:
    """1 year exactly: Schwartz (75 cm: 0.413 × 75 / 0.5 = 61.95 → 62)."""
    young = child(
        age="1 year", height="75 cm", weight="9 kg", serum_creatinine="0.5 mg/dL"
    )
    assert estimate(young) == (
        "Bedside Schwartz eGFR (CKiD 2009, height 75 cm) mL/min/1.73 m² is 62 but "
        "the threshold is switched off (SafetyConfig.crcl_below = None): renal "
        "insufficiency not assessed."
    )


def test_under_1_year_is_not_assessed() -> None:
    """0.5 years: no estimate is defined; INFO (the creatinine is recorded)."""
    baby = child(age="0.5 year", height="65 cm", weight="7 kg")
    (f,) = renal(baby)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.INFO,
        Concern.patient(),
        (
            "Age 0.5 years: the bedside Schwartz estimate is for children from 1 year "
            "and Cockcroft-Gault for adults; renal function not assessed."
        ),
    )


def test_adults_from_18_years_get_cockcroft_gault() -> None:
    """17.9 years: Schwartz; 18 years: Cockcroft-Gault (the adult age).

    18 years, 54 kg, creatinine 1.0: (140 − 18) × 54 / 72 = 91.5 → 92.
    """
    assert estimate(man(age="17.9 year")).startswith(
        "Bedside Schwartz eGFR (CKiD 2009, height 170 cm)"
    )
    assert estimate(man(age="18 year")).startswith(
        "Cockcroft-Gault CrCl (actual weight 54 kg) mL/min is 92 but"
    )


def test_adult_age_is_the_configured_one() -> None:
    """adult_from = 16 years: a 17-year-old gets Cockcroft-Gault.

    (140 − 17) × 54 / 72 = 92.25 → 92.
    """
    cfg = SafetyConfig(crcl_below=None, adult_from="16 year")
    assert estimate(man(age="17 year"), cfg).startswith(
        "Cockcroft-Gault CrCl (actual weight 54 kg) mL/min is 92 but"
    )


# --------------------------------------------------------------------------
# The weight Cockcroft-Gault uses


def test_actual_weight_at_or_below_120_percent_of_ideal() -> None:
    """The woman (165 cm, ideal 56.91 kg; 120 % = 68.29 kg) at 68 kg: actual.

    (140 − 54) × 68 / (72 × 0.8) × 0.85 = 5848 / 57.6 × 0.85 = 86.3 → 86.
    """
    assert estimate(recorded_woman("68 kg")) == (
        "Cockcroft-Gault CrCl (actual weight 68 kg) mL/min is 86 but the threshold "
        "is switched off (SafetyConfig.crcl_below = None): renal insufficiency not "
        "assessed."
    )


def test_adjusted_weight_above_120_percent_of_ideal() -> None:
    """At 69 kg (above 68.29): adjusted 56.91 + 0.4 × (69 − 56.91) = 61.75 kg.

    (140 − 54) × 61.745 / 57.6 × 0.85 = 78.3 → 78.
    """
    assert estimate(recorded_woman("69 kg")).startswith(
        "Cockcroft-Gault CrCl (adjusted weight 61.7 kg (actual above 120 % of "
        "ideal 56.9 kg, clinPK rule)) mL/min is 78 but"
    )


def test_adjusted_weight_can_fire_where_actual_would_not() -> None:
    """92 kg, creatinine 1.3: adjusted 70.95 kg gives 55.4 (fires), actual 71.8.

    Adjusted: 86 × 70.9457 / (72 × 1.3) × 0.85 = 6101.3 / 93.6 × 0.85 = 55.4;
    actual: 86 × 92 / 93.6 × 0.85 = 71.8.
    """
    heavy = recorded_woman("92 kg", serum_creatinine="1.3 mg/dL")
    (f,) = renal(heavy)
    assert "mL/min 55 < 60" in f.message
    assert "adjusted weight 70.9 kg" in f.message
    assert renal(heavy, config=SafetyConfig(crcl_weight="actual")) == ()


def test_actual_weight_when_ideal_weight_is_not_defined() -> None:
    """150 cm (below 5 ft): Devine is not defined; actual weight, said so.

    (140 − 54) × 50 / (72 × 1.2) × 0.85 = 4300 / 86.4 × 0.85 = 42.3 → 42.
    """
    short = woman("50 kg", height="150 cm", serum_creatinine="1.2 mg/dL")
    (f,) = renal(short)
    assert f.message == (
        "Renal risk: Cockcroft-Gault CrCl (actual weight (ideal weight not defined "
        f"below 152.4 cm) 50 kg) mL/min 42 < 60 {_KDIGO}." + _ACTION
    )


# --------------------------------------------------------------------------
# Recorded factors and missing creatinine


def test_every_recorded_factor_is_named_in_order() -> None:
    """The boxed warning's six recorded factors, in the catalogue's order."""
    p = recorded_woman(
        "70 kg",
        "nephrotoxic_drugs",
        "paraproteinaemia",
        "sepsis",
        "volume_depletion",
        "diabetes",
        "renal_insufficiency",
    )
    (f,) = renal(p)
    assert f.message == (
        "Renal risk: pre-existing renal insufficiency (recorded); diabetes "
        "mellitus; volume depletion; sepsis; paraproteinaemia; nephrotoxic drugs."
        + _ACTION
    )


def test_missing_creatinine_is_a_not_assessed_warning() -> None:
    """No creatinine and no recorded renal insufficiency: WARNING, not assessed."""
    (f,) = renal(man(serum_creatinine=None))
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.WARNING,
        Concern.patient(),
        (
            "Serum creatinine is not recorded: renal insufficiency not assessed; check "
            "BUN and creatinine before treatment."
        ),
    )


def test_missing_creatinine_with_a_factor_fires_and_says_not_assessed() -> None:
    """Diabetes and no creatinine: the finding, and the not-assessed warning."""
    fired_f, missing = renal(man(serum_creatinine=None, risk_factors={"diabetes"}))
    assert fired_f.message == "Renal risk: diabetes mellitus." + _ACTION
    assert (missing.assessed, missing.severity) == (False, Severity.WARNING)


def test_recorded_renal_insufficiency_needs_no_creatinine() -> None:
    """Recorded renal insufficiency: fired, and nothing left to assess."""
    (f,) = renal(man(serum_creatinine=None, risk_factors={"renal_insufficiency"}))
    assert f.assessed
    assert f.message == (
        "Renal risk: pre-existing renal insufficiency (recorded)." + _ACTION
    )


# --------------------------------------------------------------------------
# Which labels carry the renal warning


def test_sc_products_with_a_thrombosis_only_warning_get_no_renal_finding() -> None:
    """Hizentra (SC, thrombosis-only boxed warning): no RENAL_RISK, even at risk."""
    hizentra = make_plan(product="hizentra")
    assert renal(man(weight="53 kg", risk_factors={"diabetes"}), hizentra) == ()


def test_gamunex_given_sc_keeps_its_renal_warning() -> None:
    """Gamunex-C SC (one label for IV and SC): RENAL_RISK still fires."""
    sc = attrs.evolve(make_plan(product="gamunex-c"), route=Route.SC)
    (f,) = renal(man(risk_factors={"diabetes"}), sc)
    assert f.message == "Renal risk: diabetes mellitus." + _ACTION


# --------------------------------------------------------------------------
# SUCROSE_PRODUCT_RENAL_RISK


def with_composition(product: str, composition: Composition | None) -> Product:
    """*product* from the catalogue with another composition."""
    return attrs.evolve(get_product(product), composition=composition)


def composition(
    substance: str = "glycine",
    *,
    sucrose_free: bool | None = None,
    no_added_sugars: bool | None = None,
) -> Composition:
    """A composition with one excipient and the given sucrose flags."""
    return Composition(
        excipients=(Excipient(substance=substance),),
        source=Source(reference="test", version="test"),
        sucrose_free=sucrose_free,
        no_added_sugars=no_added_sugars,
    )


SUCROSE_PRIVIGEN = with_composition("privigen", composition("sucrose"))
AT_RISK = man(risk_factors={"diabetes"})


def sucrose(
    patient: Patient, product: Product, plan: Plan = PLAN
) -> tuple[Finding, ...]:
    """The SUCROSE_PRODUCT_RENAL_RISK findings."""
    return assess(patient, plan, product=product).with_code(SUCROSE)


def test_sucrose_product_at_renal_risk_is_a_warning() -> None:
    """A sucrose product and diabetes: a warning for the plan, not blocking."""
    report = assess(AT_RISK, PLAN, product=SUCROSE_PRIVIGEN)
    f = only(report, SUCROSE)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.WARNING,
        Concern.whole_plan(),
    )
    assert f.message == (
        "Privigen contains sucrose and the patient is at renal risk: renal "
        "dysfunction and failure are more common with sucrose-containing IVIG. "
        "Prefer a sucrose-free product."
    )
    assert f not in report.blocking


def test_sucrose_product_without_renal_risk_is_quiet() -> None:
    """CrCl exactly 60 and no factor: not at risk, no sucrose finding."""
    assert sucrose(man(), SUCROSE_PRIVIGEN) == ()


def test_sucrose_free_and_sugar_free_products_are_quiet() -> None:
    """Stated sucrose-free, or no added sugars: nothing at renal risk."""
    for comp in (composition(sucrose_free=True), composition(no_added_sugars=True)):
        assert sucrose(AT_RISK, with_composition("privigen", comp)) == ()


def test_sucrose_content_not_stated_is_not_assessed() -> None:
    """No sucrose listed and neither flag, or no composition: INFO."""
    for comp in (composition(), None):
        (f,) = sucrose(AT_RISK, with_composition("privigen", comp))
        assert (f.assessed, f.severity, f.concerns, f.message) == (
            False,
            Severity.INFO,
            Concern.whole_plan(),
            (
                "The patient is at renal risk and the sucrose content of Privigen is "
                "not stated in the product data: not assessed (sucrose-containing IVIG "
                "carries more renal failure). Check the label."
            ),
        )


def test_sucrose_rule_is_an_iv_rule() -> None:
    """Gamunex-C given SC with sucrose and at risk: the rule does not apply."""
    prod = with_composition("gamunex-c", composition("sucrose"))
    sc = attrs.evolve(make_plan(product="gamunex-c"), route=Route.SC)
    assert sucrose(AT_RISK, prod, sc) == ()


def test_exactly_120_percent_of_ideal_is_not_above_it() -> None:
    """A man of 152.4 cm (60 in): Devine ideal 50.0 kg, 120 % = 60.0 kg.

    At 60 kg (not above): actual, 80 × 60 / 72 = 66.7 → 67. At 60.5 kg:
    adjusted 50 + 0.4 × 10.5 = 54.2 kg, 80 × 54.2 / 72 = 60.2 → 60.
    """
    at = man(height="152.4 cm", weight="60 kg")
    assert estimate(at).startswith(
        "Cockcroft-Gault CrCl (actual weight 60 kg) mL/min is 67 but"
    )
    above = man(height="152.4 cm", weight="60.5 kg")
    assert estimate(above).startswith(
        "Cockcroft-Gault CrCl (adjusted weight 54.2 kg (actual above 120 % of "
        "ideal 50.0 kg, clinPK rule)) mL/min is 60 but"
    )
