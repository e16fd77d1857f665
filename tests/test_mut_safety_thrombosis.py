"""Thrombosis checks (safety/thrombosis.py), pinned where mutants survived.

The boxed warning names "advanced age" without a number: the age counts
*at or above* ``SafetyConfig.thrombosis_age_from`` (the rule's words: "age
at or above the configured thrombosis_age_from"), and is "not assessed"
until a site sets it. Every expected message is written out.
"""

from __future__ import annotations

from ivig_core import Patient
from ivig_core.findings import Concern
from ivig_core.plan import Plan
from ivig_core.products import get_product
from ivig_core.safety import (
    Finding,
    FindingCode,
    SafetyConfig,
    SafetyReport,
    Severity,
    assess,
)
from ivig_core.safety.thrombosis import BOXED, SC_BOXED, cap_text
from safety_plans import make_plan
from worked import recorded_woman


THROMBOSIS = FindingCode.THROMBOSIS_RISK
VISCOSITY = FindingCode.HYPERVISCOSITY_ASSESS

_ACTION = (
    " Give the minimum dose and infusion rate practicable, ensure adequate "
    "hydration before administration, and monitor for thrombosis."
)
_OCTAGAM10_PI = (
    "Octagam 10% US prescribing information (Octapharma, with Pfizer in the US; "
    "DailyMed, updated January 26, 2024)"
)
_CAP = f" Octagam 10 %'s at-risk cap: ≤ 3.3 mg/kg/min ({_OCTAGAM10_PI})."
OCTAGAM = make_plan(product="octagam-10")
HIZENTRA = make_plan(product="hizentra")


def only(report: SafetyReport, code: FindingCode) -> Finding:
    """The one finding with *code* (assessed or not)."""
    (f,) = report.with_code(code)
    return f


def found(
    patient: Patient,
    code: FindingCode = THROMBOSIS,
    plan: Plan = OCTAGAM,
    config: SafetyConfig | None = None,
    indication: str | None = None,
) -> tuple[Finding, ...]:
    """The findings with *code*."""
    return assess(patient, plan, config=config, indication=indication).with_code(code)


def from_age(years: int) -> SafetyConfig:
    """A site's thrombosis age."""
    return SafetyConfig(thrombosis_age_from=f"{years} year")


# --------------------------------------------------------------------------
# Age against the configured thrombosis age (the woman is 54)


def test_age_at_the_configured_age_fires_a_warning() -> None:
    """54 years with thrombosis_age_from = 54: "at or above"; a warning."""
    report = assess(recorded_woman(), OCTAGAM, config=from_age(54))
    f = only(report, THROMBOSIS)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.WARNING,
        Concern.patient(),
    )
    assert f.message == (
        "Thrombosis risk: age 54 years (≥ configured 54)." + _ACTION + _CAP
    )
    assert f.source == FindingCode.THROMBOSIS_RISK.rule.source
    assert f not in report.blocking


def test_age_below_the_configured_age_is_quiet() -> None:
    """54 years with thrombosis_age_from = 55: no finding at all."""
    assert found(recorded_woman(), config=from_age(55)) == ()


def test_age_not_assessed_without_a_configured_age() -> None:
    """No thrombosis age (the default): INFO, not assessed, for the patient."""
    (f,) = found(recorded_woman())
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.INFO,
        Concern.patient(),
        (
            "Age 54 years not assessed as a thrombosis risk factor: the boxed "
            "warning says 'advanced age' without a number; set "
            "SafetyConfig.thrombosis_age_from."
        ),
    )


def test_factors_fire_and_age_is_still_not_assessed() -> None:
    """A factor without a configured age: the warning and the INFO both."""
    fired_f, missing = found(recorded_woman("70 kg", "oestrogen_use"))
    assert fired_f.message == "Thrombosis risk: use of oestrogens." + _ACTION + _CAP
    assert (missing.assessed, missing.severity) == (False, Severity.INFO)


# --------------------------------------------------------------------------
# The recorded factors, the product's cap, the route


def test_every_recorded_factor_is_named_in_order() -> None:
    """The boxed warning's seven recorded factors, in order; no cap without one."""
    p = recorded_woman(
        "70 kg",
        "cardiovascular_risk",
        "hyperviscosity",
        "indwelling_vascular_catheter",
        "oestrogen_use",
        "prior_thrombosis",
        "hypercoagulable_state",
        "immobilisation",
    )
    (f,) = found(p, plan=make_plan(product="privigen"), config=from_age(55))
    assert f.message == (
        "Thrombosis risk: prolonged immobilisation; hypercoagulable condition; "
        "history of venous or arterial thrombosis; use of oestrogens; indwelling "
        "vascular catheter; hyperviscosity; cardiovascular risk factors." + _ACTION
    )


def test_sc_plans_get_the_sc_boxed_warning_without_the_iv_cap() -> None:
    """Hizentra (SC): the SC products' boxed warning, no mg/kg/min cap."""
    (f,) = found(
        recorded_woman("70 kg", "immobilisation"), plan=HIZENTRA, config=from_age(55)
    )
    assert f.message == "Thrombosis risk: prolonged immobilisation." + _ACTION
    assert f.source == SC_BOXED + "; risk factors as in " + BOXED
    (missing,) = found(recorded_woman(), plan=HIZENTRA)
    assert missing.source == SC_BOXED + "; risk factors as in " + BOXED


def test_dermatomyositis_is_a_reason_of_its_own() -> None:
    """Every DM plan fires, citing the Octagam 10 % label and ProDERM."""
    (f,) = found(recorded_woman(), config=from_age(55), indication="dermatomyositis")
    assert f.message.startswith(
        "Thrombosis risk: dermatomyositis (Octagam 10 % US label: 'DM patients are "
        "at increased risk for thromboembolic events'; ProDERM: 6 related TEEs; "
        "the DM labelled maximum rate already reflects this; sources: "
    )
    assert f.message.endswith(")." + _ACTION + _CAP)
    assert found(recorded_woman(), config=from_age(55), indication="itp") == ()


def test_cap_text_reads_the_sign_and_the_value() -> None:
    """Octagam 10 % ≤ 3.3 (inclusive), Octagam 5 % < 3.3, Bivigam < 2 mg/kg/min."""
    cap10 = get_product("octagam-10").at_risk_cap
    cap5 = get_product("octagam-5").at_risk_cap
    bivigam = get_product("bivigam").at_risk_cap
    assert cap10 is not None
    assert cap5 is not None
    assert bivigam is not None
    assert cap_text(cap10) == f"≤ 3.3 mg/kg/min ({_OCTAGAM10_PI})"
    assert cap_text(cap5) == (
        "< 3.3 mg/kg/min (octagamusa.com, octagam 5% usage and support (Octapharma))"
    )
    assert cap_text(bivigam).startswith("< 2 mg/kg/min (Skyscape")


# --------------------------------------------------------------------------
# HYPERVISCOSITY_ASSESS


_VISCOSITY_TAIL = (
    " recorded: assess blood viscosity before infusion (baseline viscosity in "
    "cryoglobulinaemia, chylomicronaemia, high triglycerides, monoclonal "
    "gammopathies)."
)


def test_hyperviscosity_or_paraproteinaemia_fires_a_warning() -> None:
    """Each alone, and both: a warning for the patient, not blocking."""
    cases = {
        ("hyperviscosity",): "Hyperviscosity",
        ("paraproteinaemia",): "Paraproteinaemia (monoclonal gammopathy)",
        ("hyperviscosity", "paraproteinaemia"): (
            "Hyperviscosity and paraproteinaemia (monoclonal gammopathy)"
        ),
    }
    for factors, text in cases.items():
        report = assess(recorded_woman("70 kg", *factors), OCTAGAM)
        f = only(report, VISCOSITY)
        assert (f.assessed, f.severity, f.concerns, f.message) == (
            True,
            Severity.WARNING,
            Concern.patient(),
            text + _VISCOSITY_TAIL,
        )
        assert f not in report.blocking


def test_no_viscosity_factor_is_quiet() -> None:
    """Neither recorded: no finding."""
    assert found(recorded_woman("70 kg", "diabetes"), VISCOSITY) == ()
