"""Issue 5's worked example: the seed 004 patient on Octagam 10 % for DM.

A 54-year-old woman, 165 cm, 92 kg (BMI 33.8), with diabetes and no serum
IgA on record, planned by the real course planner for dermatomyositis at
2 g/kg over 2 days every 4 weeks on actual weight, with the label's DM ramp
(1 to 4 mg/kg/min; step size and time local policy).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest

import worked
from ivig_core.infusion import rate_schedule
from ivig_core.io.text import safety_summary
from ivig_core.planning.course import plan_course
from ivig_core.products import get_product
from ivig_core.regimen import get_preset
from ivig_core.safety import (
    FindingCode,
    Override,
    SafetyBlock,
    SafetyConfig,
    SafetyReport,
    Severity,
    assess,
)


MONDAY = dt.date(2026, 1, 5)


@cache
def report() -> SafetyReport:
    """The report for the worked example."""
    return assess(
        worked.diabetic_woman(), worked.diabetic_dm_plan(), indication="dermatomyositis"
    )


@pytest.mark.parametrize(
    ("code", "severity", "words"),
    [
        (FindingCode.IGA_NOT_MEASURED, Severity.WARNING, "before the first dose"),
        (FindingCode.MALTOSE_GLUCOSE_METER, Severity.WARNING, "GDH-PQQ"),
        (FindingCode.RENAL_RISK, Severity.WARNING, "diabetes mellitus"),
        (FindingCode.OBESE_ACTUAL_WEIGHT, Severity.ADVICE, "BMI 33.8"),
        (FindingCode.HYDRATION, Severity.ADVICE, "adequate hydration"),
        (FindingCode.PREMEDICATION, Severity.ADVICE, "diphenhydramine"),
        # Octagam 10 % DM label: "2 g/kg divided in equal doses given over 2-5
        # consecutive days": 92 g a day is the label regimen, so only advice.
        (FindingCode.DAILY_DOSE_ABOVE_80G, Severity.ADVICE, "92 g"),
        (FindingCode.RATE_ABOVE_AT_RISK_CAP, Severity.SOFT_LIMIT, "3.3 mg/kg/min"),
        (FindingCode.HAEMOLYSIS_MONITOR, Severity.WARNING, "5 to 10 days"),
        (FindingCode.THROMBOSIS_RISK, Severity.WARNING, "dermatomyositis"),
    ],
)
def test_every_finding_a_pharmacist_would_raise(
    code: FindingCode, severity: Severity, words: str
) -> None:
    """Each expected finding is present, with its severity, reason and source."""
    found = [f for f in report().with_code(code) if f.assessed]
    assert found, f"{code.value} missing"
    assert all(f.severity is severity for f in found)
    assert any(words in f.message for f in found)
    assert all(f.source for f in found)


def test_dm_rate_maximum_respected_and_checked() -> None:
    """The ramp stops at the DM maximum of 4 mg/kg/min: no hard limit."""
    assert not [
        f for f in report().with_code(FindingCode.RATE_ABOVE_LABEL_MAX) if f.assessed
    ]
    dm = get_product("octagam 10%").indication("dermatomyositis")
    assert dm.maximum is not None
    assert float(dm.maximum.magnitude) == 4.0


def test_not_ready_until_soft_limits_are_overridden() -> None:
    """Not ready; accepting the at-risk cap with a reason makes it ready.

    Not ready; accepting the at-risk cap with a reason makes it ready (the label DM
    dose over 2 days is advice, not a limit).
    """
    assert not report().ready_to_issue
    assert {f.code for f in report().blocking} == {
        FindingCode.RATE_ABOVE_AT_RISK_CAP,
    }
    accepted = assess(
        worked.diabetic_woman(),
        worked.diabetic_dm_plan(),
        indication="dermatomyositis",
        overrides=[
            Override(
                code=FindingCode.RATE_ABOVE_AT_RISK_CAP,
                reason="DM label maximum 4 mg/kg/min chosen by the consultant",
            ),
        ],
    )
    assert accepted.ready_to_issue


def test_strict_mode_lists_both_blocking_findings() -> None:
    """Strict mode raises one group with every blocking finding."""
    with pytest.raises(SafetyBlock, match="RATE_ABOVE_AT_RISK_CAP") as info:
        assess(
            worked.diabetic_woman(),
            worked.diabetic_dm_plan(),
            indication="dermatomyositis",
            strict=True,
        )
    assert len(info.value.exceptions) == 1  # the at-risk cap, listing its 6 days


def test_not_assessed_items_are_listed() -> None:
    """Missing creatinine and unset thresholds are reported, never silent."""
    missing = {f.code for f in report().not_assessed}
    assert FindingCode.RENAL_RISK in missing  # no creatinine
    assert FindingCode.THROMBOSIS_RISK in missing  # no age threshold
    assert FindingCode.LARGE_DAILY_VOLUME in missing  # no volume threshold


def test_ideal_weight_and_capped_rate_clear_the_soft_limits() -> None:
    """Dosing on ideal weight at rates within the at-risk cap leaves no block."""
    octagam = get_product("octagam 10%")
    capped = plan_course(
        worked.diabetic_woman(),
        get_preset("octagam10-dm").choose(maintenance_days=2, cycles=1),
        octagam,
        start=MONDAY,
        policy="ideal",
        rounding="never-below",
        indication="dermatomyositis",
        rate_weight="dosing",
        rate_schedule=rate_schedule(
            octagam, "dermatomyositis", increment="1 mg/kg/min", interval="30 min"
        ),
        at_risk_cap=octagam.at_risk_cap,
    )
    cfg = SafetyConfig(thrombosis_age_from="75 year", crcl_below="60 mL/min")
    result = assess(
        worked.diabetic_woman(), capped, indication="dermatomyositis", config=cfg
    )
    assert result.ready_to_issue, safety_summary(result)
    assert not result.with_code(FindingCode.OBESE_ACTUAL_WEIGHT)
