"""Each safety check: fires when it should, stays quiet, says "not assessed"."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from ivig_core import InputError
from ivig_core.plan import Plan
from ivig_core.products import Composition, Excipient, Source, get_product
from ivig_core.safety import (
    DoseLimit,
    Finding,
    FindingCode,
    PremedicationProtocol,
    SafetyConfig,
    SafetyReport,
    Severity,
    assess,
)
from ivig_core.sources import cited_in
from safety_plans import START, fired, make_plan, unassessed
from worked import recorded_woman


def plan(**kwargs: object) -> Plan:
    """A one-course Privigen plan (2 g/kg over 2 days, 70 kg) unless changed."""
    defaults: dict[str, object] = {"product": "privigen", "weight_kg": 70.0}
    defaults.update(kwargs)
    return make_plan(**defaults)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# IgA


def test_iga_not_measured_fires() -> None:
    """No serum IgA gives IGA_NOT_MEASURED, saying it is not a label rule."""
    report = assess(recorded_woman(serum_iga=None), plan())
    (f,) = fired(report, FindingCode.IGA_NOT_MEASURED)
    assert f.severity is Severity.WARNING
    assert "not a US label requirement" in f.message
    assert "droracle.ai summary" in f.source
    assert "weak: AI-generated summary" in f.source


def test_iga_not_measured_quiet_when_measured() -> None:
    """A measured IgA silences IGA_NOT_MEASURED; a recorded deficiency does not."""
    assert not report_codes(
        assess(recorded_woman(), plan()), FindingCode.IGA_NOT_MEASURED
    )
    deficient = recorded_woman(
        serum_iga=None, risk_factors=frozenset({"iga_deficiency"})
    )
    (f,) = fired(assess(deficient, plan()), FindingCode.IGA_NOT_MEASURED)
    assert "record the serum IgA value" in f.message


def report_codes(report: SafetyReport, code: FindingCode) -> list[Finding]:
    """All findings with *code* (assessed or not)."""
    return list(report.with_code(code))


def test_iga_deficiency_with_non_depleted_product_suggests_gammagard_sd() -> None:
    """A recorded IgA deficiency on Privigen is a warning naming Gammagard S/D.

    A recorded IgA deficiency on Privigen is a warning naming the IgA-depleted
    products (no label contraindicates IgA deficiency alone); a site may raise it.
    """
    p = recorded_woman(risk_factors=frozenset({"iga_deficiency"}))
    (f,) = fired(assess(p, plan()), FindingCode.IGA_DEFICIENCY_PRODUCT)
    assert f.severity is Severity.WARNING
    assert "Gammagard S/D" in f.message
    assert "Gammagard Liquid ERC (IgA ≤ 2 µg/mL)" in f.message
    assert "< 1 µg/mL" in f.message or "<1 µg/mL" in f.message
    cfg = SafetyConfig(severities={"IGA_DEFICIENCY_PRODUCT": Severity.SOFT_LIMIT})
    (raised,) = fired(assess(p, plan(), config=cfg), FindingCode.IGA_DEFICIENCY_PRODUCT)
    assert raised.severity is Severity.SOFT_LIMIT


def test_iga_deficiency_quiet_on_depleted_product() -> None:
    """An IgA-depleted product raises no IgA-deficiency finding."""
    p = recorded_woman(risk_factors=frozenset({"iga_deficiency"}))
    report = assess(p, plan(product="gammagard-sd"))
    assert not report_codes(report, FindingCode.IGA_DEFICIENCY_PRODUCT)


def test_iga_deficiency_by_configured_threshold() -> None:
    """A serum IgA below the configured threshold counts as deficiency."""
    cfg = SafetyConfig(iga_deficiency_below="7 mg/dL")
    low = assess(recorded_woman(serum_iga="2 mg/dL"), plan(), config=cfg)
    assert fired(low, FindingCode.IGA_DEFICIENCY_PRODUCT)
    normal = assess(recorded_woman(serum_iga="200 mg/dL"), plan(), config=cfg)
    assert not report_codes(normal, FindingCode.IGA_DEFICIENCY_PRODUCT)


def test_iga_deficiency_not_assessed_without_threshold() -> None:
    """A measured IgA with the threshold switched off is "not assessed"."""
    cfg = SafetyConfig(iga_deficiency_below=None)
    report = assess(recorded_woman(serum_iga="2 mg/dL"), plan(), config=cfg)
    (f,) = unassessed(report, FindingCode.IGA_DEFICIENCY_PRODUCT)
    assert "iga_deficiency_below" in f.message


def test_iga_deficiency_by_default_esid_threshold() -> None:
    """The default threshold is the ESID definition: 6.9 and 0 fire, 7 not.

    ESID: selective IgA deficiency is "undetectable serum IgA, or less than 7
    mg/dl"; 6.9 mg/dL and an undetectable IgA (0) fire on Privigen, 7 does not.
    """
    for low in ("6.9 mg/dL", "0 mg/dL"):
        report = assess(recorded_woman(serum_iga=low), plan())
        (f,) = fired(report, FindingCode.IGA_DEFICIENCY_PRODUCT)
        assert "Privigen" in f.message
    report = assess(recorded_woman(serum_iga="0 mg/dL"), plan())
    (f,) = fired(report, FindingCode.IGA_DEFICIENCY_PRODUCT)
    assert "undetectable" in f.message
    at = assess(recorded_woman(serum_iga="7 mg/dL"), plan())
    assert not report_codes(at, FindingCode.IGA_DEFICIENCY_PRODUCT)


def test_anti_iga_with_hypersensitivity_is_hard_limit() -> None:
    """Anti-IgA antibodies plus hypersensitivity history is a hard limit."""
    factors = frozenset({"anti_iga_antibodies", "ig_hypersensitivity_history"})
    report = assess(recorded_woman(risk_factors=factors), plan())
    (f,) = fired(report, FindingCode.ANTI_IGA_CONTRAINDICATION)
    assert f.severity is Severity.HARD_LIMIT
    assert not report.ready_to_issue


def test_anti_iga_without_history_is_not_a_contraindication() -> None:
    """Anti-IgA antibodies alone give the IgA-deficiency soft limit only."""
    report = assess(
        recorded_woman(risk_factors=frozenset({"anti_iga_antibodies"})), plan()
    )
    assert not report_codes(report, FindingCode.ANTI_IGA_CONTRAINDICATION)
    assert fired(report, FindingCode.IGA_DEFICIENCY_PRODUCT)


def test_hyqvia_with_hyaluronidase_hypersensitivity_is_hard_limit() -> None:
    """HyQvia and hyaluronidase hypersensitivity is a hard limit."""
    p = recorded_woman(risk_factors=frozenset({"hyaluronidase_hypersensitivity"}))
    report = assess(p, plan(product="hyqvia"))
    (f,) = fired(report, FindingCode.HYALURONIDASE_CONTRAINDICATION)
    assert f.severity is Severity.HARD_LIMIT
    quiet = assess(p, plan())
    assert not report_codes(quiet, FindingCode.HYALURONIDASE_CONTRAINDICATION)


# --------------------------------------------------------------------------
# Thrombosis


@pytest.mark.parametrize(
    "factor",
    [
        "immobilisation",
        "hypercoagulable_state",
        "prior_thrombosis",
        "oestrogen_use",
        "indwelling_vascular_catheter",
        "hyperviscosity",
        "cardiovascular_risk",
    ],
)
def test_thrombosis_risk_fires_for_each_boxed_factor(factor: str) -> None:
    """Each boxed-warning thrombosis factor gives THROMBOSIS_RISK."""
    report = assess(recorded_woman(risk_factors=frozenset({factor})), plan())
    (f,) = fired(report, FindingCode.THROMBOSIS_RISK)
    assert "minimum dose and infusion rate practicable" in f.message


def test_thrombosis_quiet_without_factors_but_age_not_assessed() -> None:
    """No factor: no risk finding, but age is "not assessed" until configured."""
    report = assess(recorded_woman(age="80 year"), plan())
    assert not fired(report, FindingCode.THROMBOSIS_RISK)
    (f,) = unassessed(report, FindingCode.THROMBOSIS_RISK)
    assert "advanced age" in f.message


def test_thrombosis_age_counts_from_configured_threshold() -> None:
    """With thrombosis_age_from set, an older patient is at risk."""
    cfg = SafetyConfig(thrombosis_age_from="75 year")
    old = assess(recorded_woman(age="80 year"), plan(), config=cfg)
    assert fired(old, FindingCode.THROMBOSIS_RISK)
    young = assess(recorded_woman(age="50 year"), plan(), config=cfg)
    assert not report_codes(young, FindingCode.THROMBOSIS_RISK)


def test_thrombosis_names_the_products_at_risk_cap() -> None:
    """The thrombosis advice quotes the product's at-risk cap."""
    report = assess(
        recorded_woman(risk_factors=frozenset({"prior_thrombosis"})),
        plan(product="octagam-10", rates_mg_kg_min=(1.0, 2.0, 3.0)),
    )
    (f,) = fired(report, FindingCode.THROMBOSIS_RISK)
    assert "≤ 3.3 mg/kg/min" in f.message


def test_dermatomyositis_is_a_thrombosis_warning_but_not_a_cap_trigger() -> None:
    """DM (Octagam label) warns of thrombosis; the DM maximum, not 3.3, applies."""
    full = SafetyConfig(thrombosis_age_from="75 year", crcl_below="60 mL/min")
    p = plan(product="octagam-10", rates_mg_kg_min=(1.0, 2.0, 4.0))
    report = assess(recorded_woman(), p, indication="dermatomyositis", config=full)
    (f,) = fired(report, FindingCode.THROMBOSIS_RISK)
    assert "increased risk for thromboembolic events" in f.message
    assert not report_codes(report, FindingCode.RATE_ABOVE_AT_RISK_CAP)
    assert report.ready_to_issue


def test_hyperviscosity_asks_for_viscosity() -> None:
    """Paraproteinaemia or hyperviscosity asks for blood viscosity."""
    for factor in ("paraproteinaemia", "hyperviscosity"):
        report = assess(recorded_woman(risk_factors=frozenset({factor})), plan())
        (f,) = fired(report, FindingCode.HYPERVISCOSITY_ASSESS)
        assert "viscosity" in f.message
    assert not report_codes(
        assess(recorded_woman(), plan()), FindingCode.HYPERVISCOSITY_ASSESS
    )


# --------------------------------------------------------------------------
# Renal


@pytest.mark.parametrize(
    "factor",
    [
        "renal_insufficiency",
        "diabetes",
        "volume_depletion",
        "sepsis",
        "paraproteinaemia",
        "nephrotoxic_drugs",
    ],
)
def test_renal_risk_fires_for_each_boxed_factor(factor: str) -> None:
    """Each boxed-warning renal factor gives RENAL_RISK with BUN/creatinine advice."""
    report = assess(recorded_woman(risk_factors=frozenset({factor})), plan())
    (f,) = fired(report, FindingCode.RENAL_RISK)
    assert "BUN and creatinine" in f.message
    assert "urine output" in f.message


def test_renal_risk_over_65_is_sourced_default() -> None:
    """Age above 65 (boxed warning) is a renal risk; 65 itself is not."""
    assert fired(assess(recorded_woman(age="66 year"), plan()), FindingCode.RENAL_RISK)
    assert not fired(
        assess(recorded_woman(age="65 year"), plan()), FindingCode.RENAL_RISK
    )


def test_renal_not_assessed_without_creatinine() -> None:
    """No creatinine and no recorded insufficiency: renal insufficiency not assessed."""
    report = assess(recorded_woman(serum_creatinine=None), plan())
    (f,) = unassessed(report, FindingCode.RENAL_RISK)
    assert f.severity is Severity.WARNING
    assert "creatinine" in f.message


def test_renal_crcl_threshold() -> None:
    """A Cockcroft-Gault CrCl below the configured threshold is a renal risk."""
    cfg = SafetyConfig(crcl_below="60 mL/min")
    high_scr = recorded_woman(serum_creatinine="2.5 mg/dL")
    assert fired(assess(high_scr, plan(), config=cfg), FindingCode.RENAL_RISK)
    assert not report_codes(
        assess(recorded_woman(), plan(), config=cfg), FindingCode.RENAL_RISK
    )


def test_renal_crcl_not_assessed_without_threshold() -> None:
    """A creatinine with the CrCl threshold switched off is "not assessed" (info)."""
    cfg = SafetyConfig(crcl_below=None)
    report = assess(recorded_woman(), plan(), config=cfg)
    (f,) = unassessed(report, FindingCode.RENAL_RISK)
    assert f.severity is Severity.INFO
    assert "crcl_below" in f.message


def test_renal_default_threshold_is_kdigo_g3a() -> None:
    """KDIGO 2012: "G3a 45-59"; by default a CrCl below 60 mL/min is a renal risk.

    Cockcroft-Gault by hand, 54-year-old woman, 70 kg (165 cm: ideal 56.91
    kg, 120 % = 68.3 kg, so adjusted 56.91 + 0.4 × 13.09 = 62.15 kg),
    creatinine 1.2 mg/dL: (140 − 54) × 62.15 / (72 × 1.2) × 0.85 = 52.6.
    """
    report = assess(recorded_woman(serum_creatinine="1.2 mg/dL"), plan())
    (f,) = fired(report, FindingCode.RENAL_RISK)
    assert "Cockcroft-Gault CrCl (adjusted weight 62.1 kg" in f.message
    assert "mL/min 53 < 60" in f.message
    actual = SafetyConfig(crcl_weight="actual")  # 86 × 70 / 86.4 × 0.85 = 59.2
    (g,) = fired(
        assess(recorded_woman(serum_creatinine="1.2 mg/dL"), plan(), config=actual),
        FindingCode.RENAL_RISK,
    )
    assert "actual weight 70 kg) mL/min 59 < 60" in g.message


def test_renal_children_use_bedside_schwartz() -> None:
    """CKiD 2009 bedside Schwartz: eGFR = 0.413 × height (cm) / creatinine.

    A 10-year-old, 140 cm, creatinine 1.2 mg/dL: 0.413 × 140 / 1.2 = 48.2
    mL/min/1.73 m², below 60.
    """
    child = recorded_woman(
        "32 kg", age="10 year", height="140 cm", serum_creatinine="1.2 mg/dL"
    )
    (f,) = fired(assess(child, plan(weight_kg=32.0)), FindingCode.RENAL_RISK)
    assert "bedside Schwartz eGFR (CKiD 2009, height 140 cm) mL/min/1.73 m² 48" in (
        f.message
    )


def _sucrose_product_plan() -> tuple[Plan, object]:
    prod = get_product("privigen")
    sucrose = attrs.evolve(
        prod,
        composition=Composition(
            excipients=(Excipient(substance="sucrose"),),
            source=Source(reference="test", version="test"),
        ),
    )
    return plan(), sucrose


def test_sucrose_product_with_renal_risk() -> None:
    """A sucrose product for a patient at renal risk is flagged."""
    p, sucrose = _sucrose_product_plan()
    risky = recorded_woman(risk_factors=frozenset({"diabetes"}))
    report = assess(risky, p, product=sucrose)  # type: ignore[arg-type]
    assert fired(report, FindingCode.SUCROSE_PRODUCT_RENAL_RISK)
    assert not report_codes(
        assess(recorded_woman(), p, product=sucrose),  # type: ignore[arg-type]
        FindingCode.SUCROSE_PRODUCT_RENAL_RISK,
    )
    assert not report_codes(
        assess(risky, plan()), FindingCode.SUCROSE_PRODUCT_RENAL_RISK
    )


def test_sucrose_not_assessed_when_composition_unknown() -> None:
    """A product with no composition data: sucrose "not assessed" if at risk."""
    prod = attrs.evolve(get_product("privigen"), composition=None)
    report = assess(
        recorded_woman(risk_factors=frozenset({"sepsis"})), plan(), product=prod
    )
    assert unassessed(report, FindingCode.SUCROSE_PRODUCT_RENAL_RISK)


# --------------------------------------------------------------------------
# Dose


def test_daily_dose_above_80g_is_one_advice_listing_the_days() -> None:
    """92 g a day (1 g/kg, 92 kg) on two days: one advice listing both days.

    92 g a day (1 g/kg, 92 kg) on two days: one advice for the plan listing both
    days; a site raises it to a soft limit in SafetyConfig.severities.
    """
    report = assess(recorded_woman(weight="92 kg"), plan(weight_kg=92.0))
    (f,) = fired(report, FindingCode.DAILY_DOSE_ABOVE_80G)
    assert f.severity is Severity.ADVICE
    assert f.concerns.kind == "plan"
    second = START + dt.timedelta(days=1)
    assert f"{START.isoformat()}: 92 g; {second.isoformat()}: 92 g" in f.message
    assert "3 to 5 days at 0.4 g/kg" in f.message
    assert report.ready_to_issue or any(
        g.severity.blocks for g in report.findings if g is not f
    )
    cfg = SafetyConfig(severities={"DAILY_DOSE_ABOVE_80G": "soft_limit"})
    raised = assess(recorded_woman(weight="92 kg"), plan(weight_kg=92.0), config=cfg)
    (g,) = fired(raised, FindingCode.DAILY_DOSE_ABOVE_80G)
    assert g.severity is Severity.SOFT_LIMIT
    assert not raised.ready_to_issue


def test_daily_dose_80g_exactly_is_quiet() -> None:
    """80 g is not "higher than 80 g"."""
    report = assess(recorded_woman(weight="80 kg"), plan(weight_kg=80.0))
    assert not report_codes(report, FindingCode.DAILY_DOSE_ABOVE_80G)


def test_daily_dose_not_assessed_without_infusions() -> None:
    """A plan with no infusions reports daily grams "not assessed"."""
    empty = attrs.evolve(plan(), infusions=())
    assert unassessed(assess(recorded_woman(), empty), FindingCode.DAILY_DOSE_ABOVE_80G)


def test_dose_above_octagam_dm_label() -> None:
    """2.5 g/kg per course of Octagam 10 % in DM exceeds the label's 2 g/kg."""
    p = plan(product="octagam-10", course_g_per_kg=2.5, days=5)
    report = assess(recorded_woman(), p, indication="dermatomyositis")
    found = fired(report, FindingCode.DOSE_ABOVE_LIMIT)
    assert {f.concerns.kind for f in found} == {"plan"}  # one per limit
    assert all("course 1: 2.5 g/kg" in f.message for f in found)
    sources = {cited_in([f.source]) for f in found}
    assert sources == {("octagam10-uspi",), ("ontario-igum-iim",)}


def test_dose_within_limit_is_quiet() -> None:
    """2 g/kg over 2 days of Octagam 10 % in DM is within the label."""
    report = assess(
        recorded_woman(), plan(product="octagam-10"), indication="dermatomyositis"
    )
    assert not report_codes(report, FindingCode.DOSE_ABOVE_LIMIT)


def test_dose_per_day_limit() -> None:
    """A custom per-day limit fires per infusion day."""
    cfg = SafetyConfig(
        dose_limits=(DoseLimit(indication="cidp", max_per_day="0.5 g/kg", source="t"),)
    )
    report = assess(recorded_woman(), plan(), indication="cidp", config=cfg)
    (f,) = fired(report, FindingCode.DOSE_ABOVE_LIMIT)  # one finding, both days
    assert "on 2 days" in f.message


def test_dose_limit_not_assessed_without_indication_or_limit() -> None:
    """No indication, or no limit for it: dose limits "not assessed"."""
    assert unassessed(assess(recorded_woman(), plan()), FindingCode.DOSE_ABOVE_LIMIT)
    report = assess(recorded_woman(), plan(), indication="itp")
    (f,) = unassessed(report, FindingCode.DOSE_ABOVE_LIMIT)
    assert "itp" in f.message


def test_courses_closer_than_interval() -> None:
    """A course 25 days after the previous one on a 28-day regimen is flagged."""
    starts = [START, START + dt.timedelta(days=25)]
    report = assess(recorded_woman(), plan(cycles=2, starts=starts))
    (f,) = fired(report, FindingCode.COURSE_INTERVAL_SHORT)
    assert f.concerns.cycle == 2
    assert "3 days sooner" in f.message


def test_courses_on_interval_or_later_are_quiet() -> None:
    """Courses on the interval, or later, are not flagged."""
    later = [START, START + dt.timedelta(days=30)]
    for p in (plan(cycles=3), plan(cycles=2, starts=later)):
        assert not report_codes(
            assess(recorded_woman(), p), FindingCode.COURSE_INTERVAL_SHORT
        )


def test_plan_without_regimen_or_planned_dates_is_refused() -> None:
    """A plan without its regimen or planned dates is refused, naming the field.

    Safety reads the typed Plan: a plan that breaks its types (only built by
    hand) is an input error, never a silent pass.
    """
    p = plan(cycles=2)
    cycles = tuple(attrs.evolve(c, planned_start=None) for c in p.cycles)  # type: ignore[arg-type]
    with pytest.raises(
        InputError, match=r"^plan\.regimen: got None; allowed: the plan's Regimen$"
    ):
        assess(recorded_woman(), attrs.evolve(p, regimen=None))  # type: ignore[arg-type]
    with pytest.raises(
        InputError,
        match=(
            r"^plan\.cycles\[0\]\.planned_start: got None; allowed: a "
            r"datetime\.date$"
        ),
    ):
        assess(recorded_woman(), attrs.evolve(p, cycles=cycles))


# --------------------------------------------------------------------------
# Rate


def test_rate_above_dm_label_maximum_is_hard() -> None:
    """Octagam 10 % in DM above 4 mg/kg/min is a hard limit on each day."""
    p = plan(product="octagam-10", rates_mg_kg_min=(1.0, 2.0, 4.0, 5.0))
    report = assess(recorded_woman(), p, indication="dermatomyositis")
    found = fired(report, FindingCode.RATE_ABOVE_LABEL_MAX)
    assert len(found) == 2
    assert all(f.severity is Severity.HARD_LIMIT for f in found)
    assert "4 mg/kg/min" in found[0].message


def test_rate_at_dm_label_maximum_is_quiet() -> None:
    """4 mg/kg/min of Octagam 10 % in DM is allowed."""
    p = plan(product="octagam-10", rates_mg_kg_min=(1.0, 2.0, 4.0))
    report = assess(recorded_woman(), p, indication="dermatomyositis")
    assert not report_codes(report, FindingCode.RATE_ABOVE_LABEL_MAX)


def test_rate_without_indication_checks_highest_label_maximum() -> None:
    """No indication: not assessed for the indication, but 13 > 12 still fires."""
    p = plan(product="octagam-10", rates_mg_kg_min=(1.0, 13.0))
    report = assess(recorded_woman(), p)
    assert unassessed(report, FindingCode.RATE_ABOVE_LABEL_MAX)
    assert fired(report, FindingCode.RATE_ABOVE_LABEL_MAX)
    ok = assess(
        recorded_woman(), plan(product="octagam-10", rates_mg_kg_min=(1.0, 8.0))
    )
    assert not fired(ok, FindingCode.RATE_ABOVE_LABEL_MAX)


def test_infusion_without_run_is_refused() -> None:
    """An infusion without its run (rate steps) is refused, naming it."""
    p = plan()
    runless = attrs.evolve(
        p,
        infusions=tuple(
            attrs.evolve(i, run=None)  # type: ignore[arg-type]
            for i in p.infusions
        ),
    )
    with pytest.raises(
        InputError,
        match=(
            r"^plan\.infusions\[0\]\.run: got None; allowed: the "
            r"infusion's rate steps \(InfusionRun\)$"
        ),
    ):
        assess(recorded_woman(), runless, indication="cidp")


def test_at_risk_cap_soft_limit_for_patient_at_risk() -> None:
    """Diabetes and Octagam 10 % at 4 mg/kg/min exceeds the 3.3 cap (soft)."""
    p = plan(product="octagam-10", rates_mg_kg_min=(1.0, 2.0, 4.0))
    risky = recorded_woman(risk_factors=frozenset({"diabetes"}))
    report = assess(risky, p, indication="dermatomyositis")
    (found,) = fired(report, FindingCode.RATE_ABOVE_AT_RISK_CAP)
    assert "on 2 days" in found.message  # one finding listing the days
    assert "≤ 3.3 mg/kg/min" in found.message
    full = SafetyConfig(thrombosis_age_from="75 year", crcl_below="60 mL/min")
    quiet = assess(recorded_woman(), p, indication="dermatomyositis", config=full)
    assert not report_codes(quiet, FindingCode.RATE_ABOVE_AT_RISK_CAP)


def test_at_risk_cap_not_assessed_when_risk_not_fully_assessed() -> None:
    """Steps above the cap and no age/CrCl thresholds: "not assessed", not quiet."""
    p = plan(product="octagam-10", rates_mg_kg_min=(1.0, 2.0, 4.0))
    report = assess(recorded_woman(), p, indication="dermatomyositis")
    (f,) = unassessed(report, FindingCode.RATE_ABOVE_AT_RISK_CAP)
    assert "not fully assessed" in f.message


def test_below_cap_is_strict_for_bivigam() -> None:
    """Bivigam's cap is "< 2 mg/kg/min": a step at 2 fires, 1.9 does not."""
    risky = recorded_woman(risk_factors=frozenset({"prior_thrombosis"}))
    at = assess(risky, plan(product="bivigam", rates_mg_kg_min=(0.5, 2.0)))
    assert fired(at, FindingCode.RATE_ABOVE_AT_RISK_CAP)
    under = assess(risky, plan(product="bivigam", rates_mg_kg_min=(0.5, 1.9)))
    assert not report_codes(under, FindingCode.RATE_ABOVE_AT_RISK_CAP)


def test_at_risk_cap_not_assessed_without_numeric_cap() -> None:
    """At risk on Privigen (no numeric cap): minimum rate practicable, not assessed."""
    risky = recorded_woman(risk_factors=frozenset({"sepsis"}))
    (f,) = unassessed(assess(risky, plan()), FindingCode.RATE_ABOVE_AT_RISK_CAP)
    assert "minimum infusion rate practicable" in f.message


def test_plan_without_product_is_refused() -> None:
    """A plan without its product's name is refused, naming the field."""
    with pytest.raises(
        InputError, match=r"^plan\.product: got None; allowed: the product's name$"
    ):
        assess(recorded_woman(), attrs.evolve(plan(), product=None))  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Other


def test_haemolysis_non_o_high_dose() -> None:
    """Blood group A with a 2 g/kg course: monitor for 5-10 days."""
    (f,) = fired(
        assess(recorded_woman(abo_group="A"), plan()), FindingCode.HAEMOLYSIS_MONITOR
    )
    assert "5 to 10 days" in f.message
    assert "33433931" in f.source


def test_haemolysis_quiet_for_o_or_low_dose() -> None:
    """Group O, or a 1 g/kg course, raises nothing."""
    assert not report_codes(
        assess(recorded_woman(), plan()), FindingCode.HAEMOLYSIS_MONITOR
    )
    low = assess(recorded_woman(abo_group="B"), plan(course_g_per_kg=1.0))
    assert not report_codes(low, FindingCode.HAEMOLYSIS_MONITOR)


def test_haemolysis_not_assessed_without_blood_group() -> None:
    """Unknown blood group with 2 g/kg: "not assessed" (warning)."""
    (f,) = unassessed(
        assess(recorded_woman(abo_group=None), plan()), FindingCode.HAEMOLYSIS_MONITOR
    )
    assert f.severity is Severity.WARNING


@pytest.mark.parametrize("factor", ["diabetes", "glucose_meter_monitoring"])
def test_maltose_meter_warning(factor: str) -> None:
    """Octagam (maltose) with diabetes or meter monitoring warns about GDH-PQQ."""
    report = assess(
        recorded_woman(risk_factors=frozenset({factor})), plan(product="octagam-10")
    )
    (f,) = fired(report, FindingCode.MALTOSE_GLUCOSE_METER)
    assert "GDH-PQQ" in f.message


def test_maltose_quiet_for_maltose_free_or_no_diabetes() -> None:
    """Privigen with diabetes, or Octagam without, raises no maltose warning."""
    diabetic = recorded_woman(risk_factors=frozenset({"diabetes"}))
    assert not report_codes(assess(diabetic, plan()), FindingCode.MALTOSE_GLUCOSE_METER)
    assert not report_codes(
        assess(recorded_woman(), plan(product="octagam-10")),
        FindingCode.MALTOSE_GLUCOSE_METER,
    )


def test_maltose_not_assessed_without_composition() -> None:
    """Composition unknown and diabetes: maltose "not assessed"."""
    prod = attrs.evolve(get_product("octagam-10"), composition=None)
    diabetic = recorded_woman(risk_factors=frozenset({"diabetes"}))
    report = assess(diabetic, plan(product="octagam-10"), product=prod)
    assert unassessed(report, FindingCode.MALTOSE_GLUCOSE_METER)


def test_heart_failure_fluid_load() -> None:
    """Heart failure suggests splitting or a higher concentration."""
    report = assess(recorded_woman(risk_factors=frozenset({"heart_failure"})), plan())
    (f,) = fired(report, FindingCode.FLUID_LOAD_HEART_FAILURE)
    assert "higher concentration" in f.message
    assert not report_codes(
        assess(recorded_woman(), plan()), FindingCode.FLUID_LOAD_HEART_FAILURE
    )


def test_large_daily_volume_threshold() -> None:
    """700 mL a day against a 500 mL threshold fires; unset is "not assessed"."""
    cfg = SafetyConfig(large_volume_per_day="500 mL")
    assert (
        len(
            fired(
                assess(recorded_woman(), plan(), config=cfg),
                FindingCode.LARGE_DAILY_VOLUME,
            )
        )
        == 2
    )
    big = SafetyConfig(large_volume_per_day="1 L")
    assert not report_codes(
        assess(recorded_woman(), plan(), config=big), FindingCode.LARGE_DAILY_VOLUME
    )
    assert unassessed(assess(recorded_woman(), plan()), FindingCode.LARGE_DAILY_VOLUME)


def test_product_switch_restarts_at_initial_rate() -> None:
    """Switching from Gamunex-C to Privigen: start again at the initial rate."""
    report = assess(recorded_woman(), plan(), previous_product="gamunex-c")
    (f,) = fired(report, FindingCode.PRODUCT_SWITCH)
    assert "initial rate" in f.message
    same = assess(recorded_woman(), plan(), previous_product="Privigen")
    assert not report_codes(same, FindingCode.PRODUCT_SWITCH)
    unknown = assess(recorded_woman(), plan(), previous_product=" Some Local Brand ")
    (u,) = fired(unknown, FindingCode.PRODUCT_SWITCH)
    # The name is shown as the user wrote it (trimmed), not lower-cased.
    assert u.message.startswith("Switching from Some Local Brand to Privigen: ")


def test_product_switch_compares_first_step_with_label_initial_rate() -> None:
    """On a switch, a first step above the label's initial rate is called out."""
    fast = plan(product="octagam-10", rates_mg_kg_min=(2.0, 4.0))
    report = assess(
        recorded_woman(),
        fast,
        indication="dermatomyositis",
        previous_product="privigen",
    )
    (f,) = fired(report, FindingCode.PRODUCT_SWITCH)
    assert "ABOVE the label's initial rate 1 mg/kg/min" in f.message
    slow = plan(product="octagam-10", rates_mg_kg_min=(1.0, 4.0))
    report = assess(
        recorded_woman(),
        slow,
        indication="dermatomyositis",
        previous_product="privigen",
    )
    (f,) = fired(report, FindingCode.PRODUCT_SWITCH)
    assert "within the label's initial rate" in f.message


def test_obese_on_actual_weight() -> None:
    """BMI 33.8 dosed on actual weight: advice; on ideal weight: quiet."""
    heavy = recorded_woman(weight="92 kg")
    assert fired(assess(heavy, plan(weight_kg=92.0)), FindingCode.OBESE_ACTUAL_WEIGHT)
    ideal = assess(heavy, plan(weight_kg=57.0, basis="ideal"))
    assert not report_codes(ideal, FindingCode.OBESE_ACTUAL_WEIGHT)
    assert not report_codes(
        assess(recorded_woman(), plan()), FindingCode.OBESE_ACTUAL_WEIGHT
    )


def test_plan_without_dosing_weight_is_refused() -> None:
    """A plan without its dosing weight is refused, naming the field."""
    p = attrs.evolve(plan(weight_kg=92.0), dosing_weight=None)  # type: ignore[arg-type]
    with pytest.raises(
        InputError,
        match=(
            r"^plan\.dosing_weight: got None; allowed: the plan's "
            r"DosingWeight$"
        ),
    ):
        assess(recorded_woman(weight="92 kg"), p)


def test_hydration_and_premedication_from_local_protocol() -> None:
    """Hydration and premedication advice come from the configured protocols."""
    cfg = SafetyConfig(
        hydration_protocol="500 mL 0.9 % NaCl over 1 h before (ward 7)",
        premedication=PremedicationProtocol(
            name="ward 7",
            agents=("paracetamol 1 g PO",),
            after_prior_reaction=("hydrocortisone 100 mg IV",),
            source="ward 7 protocol 2026",
        ),
    )
    p = recorded_woman(risk_factors=frozenset({"prior_infusion_reaction"}))
    report = assess(p, plan(), config=cfg)
    (hyd,) = fired(report, FindingCode.HYDRATION)
    assert "ward 7" in hyd.message
    (pre,) = fired(report, FindingCode.PREMEDICATION)
    assert "paracetamol 1 g PO" in pre.message
    assert "prior infusion reaction is recorded: add hydrocortisone" in pre.message


def test_default_premedication_has_no_doses() -> None:
    """The seed's premedication names agents and leaves doses to local protocol."""
    (pre,) = fired(assess(recorded_woman(), plan()), FindingCode.PREMEDICATION)
    assert "acetaminophen" in pre.message
    assert "diphenhydramine" in pre.message
    assert " mg" not in pre.message


def test_bad_plan_value_is_refused_not_passed() -> None:
    """A NaN dose is refused with InputError naming it, never a silent pass."""
    p = plan()
    bad = attrs.evolve(
        p,
        infusions=(attrs.evolve(p.infusions[0], dispensed_g=float("nan")),),
    )
    with pytest.raises(
        InputError,
        match=(
            r"^plan\.infusions\[0\]\.dispensed_g: got nan; allowed: a "
            r"finite number ≥ 0 \(finite\)$"
        ),
    ):
        assess(recorded_woman(), bad)


def test_unknown_indication_for_product_is_not_assessed() -> None:
    """An indication the product has no rates for: the maximum is not assessed."""
    report = assess(recorded_woman(), plan(), indication="kawasaki")
    (f,) = unassessed(report, FindingCode.RATE_ABOVE_LABEL_MAX)
    assert "not a labelled indication" in f.message


def test_product_other_than_the_plans_is_refused() -> None:
    """Checking a Privigen plan against Octagam is refused, naming both."""
    with pytest.raises(
        InputError,
        match=(
            r"^product: the plan is for 'Privigen' but 'Octagam 10 %' was "
            r"given: its volumes and rates would be checked against the "
            r"wrong product; allowed: the plan's product \(Privigen\)$"
        ),
    ):
        assess(recorded_woman(), plan(), product="octagam-10")


def test_haemolysis_uses_infusion_sums_without_cycles() -> None:
    """A plan without cycle records is still checked from its infusion days."""
    bare = attrs.evolve(plan(), cycles=())
    assert fired(
        assess(recorded_woman(abo_group="AB"), bare), FindingCode.HAEMOLYSIS_MONITOR
    )


def test_product_name_from_plan_is_looked_up() -> None:
    """The plan's product name is looked up in the catalogue."""
    assert assess(recorded_woman(), plan(product="octagam-10")).product == "octagam-10"
    bad = attrs.evolve(plan(), product="no such product")
    with pytest.raises(
        InputError,
        match=(
            r"^product: no product 'no such product' in "
            r"ivig_core/data/products\.toml; allowed: one of \['asceniv', "
            r"'bivigam', 'cuvitru', 'gammagard-liquid', "
            r"'gammagard-liquid-erc', 'gammagard-sd', 'gammaplex-5', "
            r"'gamunex-c', 'hizentra', 'hyqvia', 'octagam-10', "
            r"'octagam-5', 'panzyga', 'privigen', 'xembify'\] \(or their "
            r"brand names\)$"
        ),
    ):
        assess(recorded_woman(), bad)
