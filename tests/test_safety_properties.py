"""Properties of the safety report: monotone in risk, overrides, order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ivig_core import Patient
from ivig_core.patient import BloodGroup, RiskFactor
from ivig_core.plan import Plan
from ivig_core.safety import (
    RULES,
    Finding,
    FindingCode,
    Override,
    SafetyConfig,
    SafetyReport,
    Severity,
    assess,
)
from safety_plans import make_plan


IV_PRODUCTS = (
    "privigen",
    "octagam-10",
    "octagam-5",
    "gamunex-c",
    "gammagard-liquid",
    "gammagard-sd",
    "panzyga",
    "bivigam",
)
INDICATIONS = (None, "pi", "itp", "cidp", "dermatomyositis")
SOFT_CODES = tuple(c for c, r in RULES.items() if r.severity is Severity.SOFT_LIMIT)
CONFIGS = (
    SafetyConfig(),
    SafetyConfig(
        thrombosis_age_from="70 year",
        crcl_below="60 mL/min",
        iga_deficiency_below="7 mg/dL",
        large_volume_per_day="1000 mL",
    ),
)


@st.composite
def patients(draw: st.DrawFn) -> Patient:
    """Adults with any risk factors and optional IgA, creatinine, blood group."""
    return Patient(
        sex=draw(st.sampled_from(["male", "female"])),
        age=f"{draw(st.integers(18, 95))} year",
        height=f"{draw(st.integers(145, 200))} cm",
        weight=f"{draw(st.integers(40, 160))} kg",
        serum_iga=draw(st.none() | st.sampled_from(["2 mg/dL", "150 mg/dL"])),
        serum_creatinine=draw(st.none() | st.sampled_from(["0.7 mg/dL", "2.4 mg/dL"])),
        abo_group=draw(st.none() | st.sampled_from(list(BloodGroup))),
        risk_factors=draw(st.frozensets(st.sampled_from(list(RiskFactor)))),
    )


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    """One to three courses of an IV product with a rate ramp up to 14 mg/kg/min."""
    top = draw(st.sampled_from([2.0, 3.3, 4.0, 8.0, 14.0]))
    return make_plan(
        product=draw(st.sampled_from(IV_PRODUCTS)),
        weight_kg=float(draw(st.integers(40, 160))),
        course_g_per_kg=draw(st.sampled_from([0.4, 1.0, 2.0, 2.5])),
        days=draw(st.integers(1, 5)),
        cycles=draw(st.integers(1, 3)),
        rates_mg_kg_min=(0.5, 1.0, top),
        basis=draw(st.sampled_from(["actual", "ideal", "adjusted"])),
    )


def _keys(report: SafetyReport) -> set[tuple[FindingCode, str]]:
    return {(f.code, str(f.concerns)) for f in report.findings if f.assessed}


def _with(patient: Patient, factor: RiskFactor) -> Patient:
    return Patient(
        sex=patient.sex,
        age=patient.age,
        height=patient.height,
        weight=patient.weight,
        serum_iga=patient.serum_iga,
        serum_creatinine=patient.serum_creatinine,
        abo_group=patient.abo_group,
        risk_factors=patient.risk_factors | {factor},
    )


@given(
    patient=patients(),
    plan=plans(),
    factor=st.sampled_from(list(RiskFactor)),
    indication=st.sampled_from(INDICATIONS),
    config=st.sampled_from(CONFIGS),
)
def test_adding_a_risk_factor_never_removes_a_finding(
    patient: Patient,
    plan: Plan,
    factor: RiskFactor,
    indication: str | None,
    config: SafetyConfig,
) -> None:
    """Every assessed finding survives an added risk factor; no check goes dark."""
    before = assess(patient, plan, indication=indication, config=config)
    after = assess(_with(patient, factor), plan, indication=indication, config=config)
    assert _keys(before) <= _keys(after)
    assert {f.code for f in before.findings} <= {f.code for f in after.findings}
    assert len(after.blocking) >= len(before.blocking)


@given(
    patient=patients(),
    plan=plans(),
    codes=st.lists(st.sampled_from(SOFT_CODES), unique=True),
    indication=st.sampled_from(INDICATIONS),
)
def test_an_override_never_hides_a_hard_limit(
    patient: Patient,
    plan: Plan,
    codes: list[FindingCode],
    indication: str | None,
) -> None:
    """Overrides accept soft limits only: every hard limit still blocks."""
    overrides = [Override(code=c, reason="accepted in test") for c in codes]
    report = assess(patient, plan, indication=indication, overrides=overrides)
    hard = [
        f for f in report.findings if f.assessed and f.severity is Severity.HARD_LIMIT
    ]
    assert all(f in report.blocking for f in hard)
    if hard:
        assert not report.ready_to_issue
    for f in report.blocking:
        assert f.severity is Severity.HARD_LIMIT or f.code not in codes


@given(patient=patients(), plan=plans(), indication=st.sampled_from(INDICATIONS))
def test_report_is_deterministic_and_ordered(
    patient: Patient, plan: Plan, indication: str | None
) -> None:
    """The same inputs give an equal report, sorted; input order does not matter."""
    first = assess(patient, plan, indication=indication)
    second = assess(patient, plan, indication=indication)
    assert first == second
    keys = [f.sort_key for f in first.findings]
    assert keys == sorted(keys)
    ranks = [f.severity.rank for f in first.findings]
    assert ranks == sorted(ranks, reverse=True)
    mixed: list[Finding] = list(reversed(first.findings))
    mixed = mixed[len(mixed) // 2 :] + mixed[: len(mixed) // 2]
    assert SafetyReport(findings=mixed).findings == first.findings


@given(patient=patients(), plan=plans(), indication=st.sampled_from(INDICATIONS))
def test_every_check_reports_something_or_is_silent_by_rule(
    patient: Patient, plan: Plan, indication: str | None
) -> None:
    """Hydration and premedication always appear; blocking findings are limits."""
    report = assess(patient, plan, indication=indication)
    codes = {f.code for f in report.findings}
    assert {FindingCode.HYDRATION, FindingCode.PREMEDICATION} <= codes
    assert all(f.severity.blocks and f.assessed for f in report.blocking)
    assert all(not f.severity.blocks for f in report.not_assessed)
