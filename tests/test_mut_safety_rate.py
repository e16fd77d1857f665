"""Rate checks (safety/rate.py), pinned where mutation testing found them loose.

The limits, in their sources' words:

* Octagam 10 % in dermatomyositis: "do not exceed 0.04 mL/kg/min" (4
  mg/kg/min at 100 mg/mL): a step *above* 4 fires, 4 does not.
* Octagam 10 % US PI, patients at renal or thrombotic risk: at most 3.3
  mg/kg/min (``≤``, inclusive): 3.3 is within, 3.31 above.
* Octagam 5 % (manufacturer site): *less than* 3.3 mg/kg/min: 3.3 itself is
  above the cap.

mg/kg/min → mL/h is rate × kg × 60 ÷ (mg/mL). At 70 kg and 100 mg/mL
(10 %), 1 mg/kg/min = 70 × 60 / 100 = **42 mL/h**; at 50 mg/mL (5 %),
**84 mL/h**. Every expected message is written out.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

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
from safety_plans import START, make_plan
from worked import recorded_woman


LABEL = FindingCode.RATE_ABOVE_LABEL_MAX
CAP = FindingCode.RATE_ABOVE_AT_RISK_CAP

_OCTAGAM10_PI = (
    "Octagam 10% US prescribing information (Octapharma, with Pfizer in the US; "
    "DailyMed, updated January 26, 2024)"
)
_DM_SOURCE = "octagamusa.com, octagam 10% dosing in dermatomyositis (Octapharma)"


def only(report: SafetyReport, code: FindingCode) -> Finding:
    """The one finding with *code* (assessed or not)."""
    (f,) = report.with_code(code)
    return f


def steps(product: str, *rates: float, days: int = 1, weight_kg: float = 70.0) -> Plan:
    """A one-course plan of *product* with these mg/kg/min steps each day."""
    return make_plan(
        product=product, rates_mg_kg_min=rates, days=days, weight_kg=weight_kg
    )


def found(
    plan: Plan,
    code: FindingCode,
    patient: Patient | None = None,
    indication: str | None = None,
    config: SafetyConfig | None = None,
) -> tuple[Finding, ...]:
    """The findings with *code*."""
    who = recorded_woman() if patient is None else patient
    return assess(who, plan, indication=indication, config=config).with_code(code)


# --------------------------------------------------------------------------
# RATE_ABOVE_LABEL_MAX


def test_dm_maximum_just_above_is_a_hard_limit_on_that_day() -> None:
    """4.01 mg/kg/min: 4.01 × 42 = 168.42 mL/h above 4 × 42 = 168.0 mL/h."""
    report = assess(
        recorded_woman(), steps("octagam-10", 1, 2, 4.01), indication="dermatomyositis"
    )
    f = only(report, LABEL)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.HARD_LIMIT,
        Concern.infusion_on(START, 1),
    )
    assert f.message == (
        "Step 3 runs at 168.4 mL/h, above 168.0 mL/h (4 mg/kg/min, the labelled "
        f"maximum for dermatomyositis ({_DM_SOURCE}); 70 kg, Octagam 10 %). Lower "
        "the rate steps to the labelled maximum."
    )
    assert f in report.blocking


def test_dm_maximum_at_and_below_is_quiet() -> None:
    """4 mg/kg/min (168 mL/h) is not above "do not exceed"; 3.99 neither."""
    for top in (4.0, 3.99):
        plan = steps("octagam-10", 1, 2, top)
        assert found(plan, LABEL, indication="dermatomyositis") == ()


def test_the_highest_step_is_named() -> None:
    """Steps 5, 4.5, 6 mg/kg/min: step 3 (252 mL/h) is the one named."""
    (f,) = found(steps("octagam-10", 5, 4.5, 6), LABEL, indication="dermatomyositis")
    assert f.message.startswith("Step 3 runs at 252.0 mL/h, above 168.0 mL/h")


def test_the_limit_is_for_the_run_weight() -> None:
    """At 50 kg: 4 × 50 × 60 / 100 = 120 mL/h; 4.5 → 135 mL/h fires."""
    plan = steps("octagam-10", 1, 4.5, weight_kg=50.0)
    (f,) = found(plan, LABEL, indication="dermatomyositis")
    assert f.message.startswith(
        "Step 2 runs at 135.0 mL/h, above 120.0 mL/h (4 mg/kg/min"
    )
    assert "; 50 kg, Octagam 10 %)." in f.message


def test_each_day_above_is_its_own_finding() -> None:
    """Two days at 5 mg/kg/min: one finding per infusion day."""
    plan = steps("octagam-10", 1, 5, days=2)
    found_ = found(plan, LABEL, indication="dermatomyositis")
    assert [f.concerns for f in found_] == [
        Concern.infusion_on(START, 1),
        Concern.infusion_on(plan.infusions[1].date, 1),
    ]


def test_without_indication_the_highest_labelled_maximum_holds() -> None:
    """No indication: ITP's 12 mg/kg/min is the highest Octagam 10 % maximum.

    5 mg/kg/min (above DM's 4) is quiet; 12.5 → 525 mL/h above 12 × 42 =
    504 mL/h fires, naming ITP; and the indication's maximum is not assessed.
    """
    assert [f.assessed for f in found(steps("octagam-10", 1, 5), LABEL)] == [False]
    report = assess(recorded_woman(), steps("octagam-10", 1, 12.5))
    not_assessed, fired = sorted(report.with_code(LABEL), key=lambda f: f.assessed)
    assert (not_assessed.severity, not_assessed.concerns, not_assessed.message) == (
        Severity.WARNING,
        Concern.whole_plan(),
        (
            "No indication given: the indication's maximum rate was not assessed "
            "(steps above every labelled maximum still are)."
        ),
    )
    assert fired.message == (
        "Step 2 runs at 525.0 mL/h, above 504.0 mL/h (12 mg/kg/min, the highest "
        "labelled maximum (itp); 70 kg, Octagam 10 %). Lower the rate steps to the "
        "labelled maximum."
    )
    assert fired.severity is Severity.HARD_LIMIT


def test_an_unlisted_indication_is_not_assessed_by_name() -> None:
    """CIDP is not an Octagam 10 % indication in the catalogue: said so."""
    (f,) = found(steps("octagam-10", 1, 2), LABEL, indication="cidp")
    assert (f.assessed, f.message) == (
        False,
        (
            "'cidp' is not a labelled indication of Octagam 10 % in the catalogue: the "
            "indication's maximum rate was not assessed (steps above every labelled "
            "maximum still are)."
        ),
    )


def test_an_indication_without_rates_is_not_assessed() -> None:
    """Gammagard S/D in ITP: no labelled rates; nothing to compare a step with."""
    (f,) = found(steps("gammagard-sd", 1, 50), LABEL, indication="itp")
    assert (f.assessed, f.message) == (
        False,
        (
            "The catalogue has no labelled rates for Gammagard S/D in itp: the "
            "indication's maximum rate was not assessed (steps above every labelled "
            "maximum still are)."
        ),
    )


def test_an_infusion_without_steps_is_not_assessed() -> None:
    """A day with no rate steps: not assessed for that day."""
    plan = steps("octagam-10", 1, 2)
    bare = attrs.evolve(
        plan.infusions[0], run=attrs.evolve(plan.infusions[0].run, steps=())
    )
    plan = attrs.evolve(plan, infusions=(bare,))
    (f,) = found(plan, LABEL, indication="dermatomyositis")
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.WARNING,
        Concern.infusion_on(START, 1),
        (
            "The infusion has no rate steps or no recorded rate weight: its rates were "
            "not assessed."
        ),
    )


def test_a_day_without_steps_does_not_stop_the_next_days_check() -> None:
    """Day 1 has no rate steps, day 2 runs at 5 mg/kg/min (DM maximum 4).

    Day 1 is not assessed; day 2 is still checked and is above the maximum.
    """
    plan = steps("octagam-10", 1, 5, days=2)
    first, second = plan.infusions
    bare = attrs.evolve(first, run=attrs.evolve(first.run, steps=()))
    plan = attrs.evolve(plan, infusions=(bare, second))
    findings = found(plan, LABEL, indication="dermatomyositis")
    assert [(f.assessed, f.concerns) for f in findings] == [
        (True, Concern.infusion_on(second.date, 1)),
        (False, Concern.infusion_on(START, 1)),
    ]
    assert findings[0].severity is Severity.HARD_LIMIT


def test_sc_plans_get_no_iv_rate_checks() -> None:
    """Hizentra (SC): mg/kg/min checks do not apply, even far above."""
    plan = steps("hizentra", 1, 50)
    assert found(plan, LABEL) == ()
    assert found(plan, CAP, recorded_woman("70 kg", "diabetes")) == ()


# --------------------------------------------------------------------------
# RATE_ABOVE_AT_RISK_CAP


AT_RISK = recorded_woman("70 kg", "diabetes")


def test_inclusive_cap_at_3_3_is_within() -> None:
    """Octagam 10 %, at most 3.3 mg/kg/min: 3.3 (138.6 mL/h) is within."""
    assert found(steps("octagam-10", 1, 3.3), CAP, AT_RISK, "itp") == ()


def test_inclusive_cap_just_above_is_a_soft_limit() -> None:
    """3.31 mg/kg/min = 139.02 mL/h above 138.6: a soft limit, once per day.

    Two days, steps 1, 3.31, 3.4: each day names its first step above (2).
    """
    plan = steps("octagam-10", 1, 3.31, 3.4, days=2)
    report = assess(AT_RISK, plan, indication="itp")
    f = only(report, CAP)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.SOFT_LIMIT,
        Concern.whole_plan(),
    )
    second = plan.infusions[1].date.isoformat()
    assert f.message == (
        "At risk (diabetes mellitus): Octagam 10 %'s at-risk cap is ≤ 3.3 "
        f"mg/kg/min ({_OCTAGAM10_PI}); above it on 2 days: {START.isoformat()}: "
        "step 2 runs at 139.0 mL/h, the cap at 70 kg is at most 138.6 mL/h; "
        f"{second}: step 2 runs at 139.0 mL/h, the cap at 70 kg is at most "
        "138.6 mL/h. Hold the rate "
        "within the cap, or override with the reason."
    )
    assert f in report.blocking


def test_strict_cap_at_its_value_is_above() -> None:
    """Octagam 5 %, less than 3.3 mg/kg/min: 3.3 (277.2 mL/h) is above.

    3.3 × 84 = 277.2 mL/h; 3.29 × 84 = 276.36 mL/h is below.
    """
    (f,) = found(steps("octagam-5", 1, 3.3), CAP, AT_RISK)
    assert "at-risk cap is < 3.3 mg/kg/min" in f.message
    assert "on 1 day: " in f.message
    assert (
        f"{START.isoformat()}: step 2 runs at 277.2 mL/h, the cap at 70 kg is "
        "below 277.2 mL/h."
    ) in f.message
    assert found(steps("octagam-5", 1, 3.29), CAP, AT_RISK) == ()


def test_a_secondary_cap_says_so_and_can_be_switched_off() -> None:
    """Bivigam's < 2 mg/kg/min (secondary monograph): applied while allowed."""
    plan = steps("bivigam", 1, 2)
    (f,) = found(plan, CAP, AT_RISK)
    assert f.assessed
    assert "Bivigam's at-risk cap is < 2 mg/kg/min (a secondary source only) (" in (
        f.message
    )
    (off,) = found(plan, CAP, AT_RISK, config=SafetyConfig(secondary_caps=False))
    assert (off.assessed, off.severity, off.message) == (
        False,
        Severity.INFO,
        (
            "The patient is at risk (diabetes mellitus) and Bivigam has no numeric "
            "at-risk cap in use: use the minimum infusion rate practicable (boxed "
            "warning)."
        ),
    )


def test_a_product_without_a_cap_is_not_assessed_only_at_risk() -> None:
    """Privigen (no numeric cap): INFO when at risk; nothing when not."""
    (f,) = found(steps("privigen", 1, 8), CAP, AT_RISK)
    assert (f.assessed, f.severity, f.concerns) == (
        False,
        Severity.INFO,
        Concern.whole_plan(),
    )
    assert f.message.startswith("The patient is at risk (diabetes mellitus) and ")
    assert found(steps("privigen", 1, 8), CAP) == ()
    two = recorded_woman("70 kg", "diabetes", "oestrogen_use")
    (g,) = found(steps("privigen", 1, 8), CAP, two)
    assert g.message.startswith(
        "The patient is at risk (use of oestrogens; diabetes mellitus) and Privigen "
        "has no numeric at-risk cap in use"
    )


def test_renal_and_thrombotic_reasons_both_count() -> None:
    """Oestrogen use (thrombotic) then diabetes (renal) are both named."""
    p = recorded_woman("70 kg", "diabetes", "oestrogen_use")
    (f,) = found(steps("octagam-10", 1, 3.31), CAP, p, "itp")
    assert f.message.startswith(
        "At risk (use of oestrogens; diabetes mellitus): Octagam 10 %'s"
    )


def test_above_the_cap_without_an_assessed_risk_is_not_assessed() -> None:
    """No factor and age not assessed (no thrombosis age set): INFO."""
    (f,) = found(steps("octagam-10", 1, 3.31), CAP, indication="itp")
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.INFO,
        Concern.whole_plan(),
        (
            "Some steps are above Octagam 10 %'s at-risk cap ≤ 3.3 mg/kg/min "
            f"({_OCTAGAM10_PI}), and whether the patient is at risk was not fully "
            "assessed (see the THROMBOSIS_RISK and RENAL_RISK not-assessed findings)."
        ),
    )


def test_in_dermatomyositis_the_note_says_why_dm_is_no_cap_trigger() -> None:
    """In DM the not-assessed finding adds why DM itself does not apply the cap."""
    (f,) = found(steps("octagam-10", 1, 3.31), CAP, indication="dermatomyositis")
    assert f.message.endswith(
        "not-assessed findings). Dermatomyositis itself does not apply the cap: the "
        "labelled maximum for dermatomyositis already reflects its thrombosis risk "
        "(Octagam 10 % US label); the cap is for the boxed warning's other risk "
        "factors."
    )


def test_above_the_cap_with_risk_fully_assessed_and_absent_is_quiet() -> None:
    """Thrombosis age set (75), creatinine on record, no factor: nothing."""
    cfg = SafetyConfig(thrombosis_age_from="75 year")
    assert found(steps("octagam-10", 1, 3.31), CAP, config=cfg, indication="itp") == ()


def test_missing_creatinine_leaves_the_risk_unassessed() -> None:
    """Thrombosis age set but no creatinine: still not fully assessed."""
    cfg = SafetyConfig(thrombosis_age_from="75 year")
    p = recorded_woman(serum_creatinine=None)
    (f,) = found(steps("octagam-10", 1, 3.31), CAP, p, "itp", cfg)
    assert not f.assessed


def test_within_the_cap_at_risk_is_quiet() -> None:
    """At risk and every step within the cap: nothing."""
    assert found(steps("octagam-10", 1, 2, 3), CAP, AT_RISK, "itp") == ()


def test_days_without_steps_are_skipped_by_the_cap() -> None:
    """A day with no steps is not compared with the cap (the label check says so)."""
    plan = steps("octagam-10", 1, 3.31, days=2)
    bare = attrs.evolve(
        plan.infusions[0], run=attrs.evolve(plan.infusions[0].run, steps=())
    )
    plan = attrs.evolve(plan, infusions=(bare, plan.infusions[1]))
    (f,) = found(plan, CAP, AT_RISK, "itp")
    assert "above it on 1 day: " in f.message


def _rates(plan: Plan) -> Sequence[float]:
    return [s.rate_ml_h for s in plan.infusions[0].run.steps]


def test_the_fixture_rates_are_the_hand_figures() -> None:
    """The fixture's steps: 1 and 3.3 mg/kg/min at 70 kg, 10 % = 42, 138.6 mL/h."""
    assert [round(r, 6) for r in _rates(steps("octagam-10", 1, 3.3))] == [42.0, 138.6]


def test_equal_highest_maxima_name_the_first_indication() -> None:
    """Privigen PI and CIDP both 8 mg/kg/min: the first (PI) is named.

    8.5 mg/kg/min at 70 kg and 100 mg/mL: 8.5 × 42 = 357 mL/h, above 8 × 42 =
    336 mL/h.
    """
    (f,) = [g for g in found(steps("privigen", 1, 8.5), LABEL) if g.assessed]
    assert f.message.startswith(
        "Step 2 runs at 357.0 mL/h, above 336.0 mL/h (8 mg/kg/min, the highest "
        "labelled maximum (pi); 70 kg, Privigen)."
    )
