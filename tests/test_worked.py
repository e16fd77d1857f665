"""The named worked cases (tests/worked.py) hold: the library meets the hand figures."""

from __future__ import annotations

import pytest

import worked
from ivig_core import adjusted_body_weight, bmi, creatinine_clearance, ideal_body_weight


def test_woman_body_size() -> None:
    """Devine IBW 56.91 kg, BMI 33.79, AdjBW 70.95 kg at 165 cm and 92 kg."""
    p = worked.woman()
    ibw = ideal_body_weight(sex=p.sex, height=p.height).magnitude
    assert ibw == pytest.approx(worked.WOMAN_IBW_KG, abs=1e-4)
    assert bmi(weight=p.weight, height=p.height).magnitude == pytest.approx(
        worked.WOMAN_BMI, abs=1e-4
    )
    adj = adjusted_body_weight(actual=p.weight, ideal=f"{ibw} kg").magnitude
    assert adj == pytest.approx(worked.WOMAN_ADJBW_KG, abs=1e-4)


def test_recorded_woman_creatinine_clearance() -> None:
    """Cockcroft-Gault 88.84 mL/min at 54 years, 70 kg, 0.8 mg/dL, female."""
    p = worked.recorded_woman()
    assert p.serum_creatinine is not None
    crcl = creatinine_clearance(
        sex=p.sex, age=p.age, weight=p.weight, serum_creatinine=p.serum_creatinine
    )
    assert crcl.magnitude == pytest.approx(worked.RECORDED_WOMAN_CRCL_ML_MIN, abs=1e-3)


def test_example_plan_figures() -> None:
    """The README example: 57/52/43/29/15 g days, 694.3 g calculated, 702 g given."""
    plan = worked.example_plan()
    assert len(plan.cycles) == 16
    assert len(plan.infusions) == 17
    assert tuple(c.dispensed_g for c in plan.cycles) == (
        114.0,
        *worked.EXAMPLE_DISPENSED_G[2:],
    )
    assert (
        tuple(i.dispensed_g for i in plan.infusions)
        == worked.EXAMPLE_DISPENSED_G[:1] * 2 + worked.EXAMPLE_DISPENSED_G[2:]
    )
    assert plan.total_calculated_g == pytest.approx(
        worked.EXAMPLE_TOTAL_CALCULATED_G, abs=1e-3
    )
    assert plan.total_dispensed_g == worked.EXAMPLE_TOTAL_DISPENSED_G
    assert plan.infusions[0].volume_ml == 570.0
    assert plan.infusions[0].run.steps[0].rate_ml_h == pytest.approx(
        worked.EXAMPLE_FIRST_RATE_ML_H, abs=1e-3
    )


def test_example_plan_on_actual_weight_figures() -> None:
    """At 92 kg actual: 92/83/69/46/23 g days, 1123 g in all, 920 mL, 55.2 mL/h."""
    plan = worked.example_plan_on_actual_weight()
    assert plan.dosing_weight.weight_kg == 92.0
    assert plan.dosing_weight.basis.value == "actual"
    assert (
        tuple(i.dispensed_g for i in plan.infusions)
        == worked.ACTUAL_EXAMPLE_DISPENSED_G[:1] * 2
        + worked.ACTUAL_EXAMPLE_DISPENSED_G[2:]
    )
    assert plan.total_dispensed_g == worked.ACTUAL_EXAMPLE_TOTAL_DISPENSED_G
    assert plan.infusions[0].volume_ml == worked.ACTUAL_EXAMPLE_DAY_ML
    assert plan.infusions[0].run.steps[0].rate_ml_h == pytest.approx(
        worked.ACTUAL_EXAMPLE_FIRST_RATE_ML_H, abs=1e-9
    )


def test_sc_conversions_meet_the_label_figures() -> None:
    """Hizentra 30 g / 4 weeks × 1.37 = 10.275 g a week; HyQvia 1:1 = 30 g."""
    hizentra = worked.hizentra_conversion()
    assert hizentra.weekly_g == pytest.approx(worked.HIZENTRA_30G_WEEKLY_G, abs=1e-9)
    assert hizentra.dose_g == pytest.approx(worked.HIZENTRA_30G_WEEKLY_G, abs=1e-9)
    assert hizentra.interval_days == 7.0
    hyqvia = worked.hyqvia_conversion()
    assert hyqvia.dose_g == worked.HYQVIA_RAMP_G[-1]
    assert hyqvia.interval_days == 28.0


def test_example_plan_at_risk_has_the_same_grams() -> None:
    """Risk factors change the findings, not the doses: the same hand figures."""
    plan = worked.example_plan_at_risk()
    assert tuple(c.dispensed_g for c in plan.cycles) == (
        114.0,
        *worked.EXAMPLE_DISPENSED_G[2:],
    )
    assert plan.total_dispensed_g == worked.EXAMPLE_TOTAL_DISPENSED_G
    assert plan.safety is not None
    assert plan.safety.findings


def test_example_plan_drift_guard() -> None:
    """The shared plan is on the ideal weight, as its docstring says."""
    assert worked.example_plan().dosing_weight.basis.value == "ideal"
    assert worked.example_plan(policy="actual").dosing_weight.weight_kg == 92.0
