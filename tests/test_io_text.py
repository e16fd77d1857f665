"""Text renderings (ivig_core.io.text): the one place a plan becomes text."""

from __future__ import annotations

import datetime as dt
from functools import cache

import attrs

import ivig_core
import worked
from ivig_core.infusion import rate_schedule
from ivig_core.io import text
from ivig_core.io.text import safety_summary
from ivig_core.plan import Plan
from ivig_core.planning.course import plan_course
from ivig_core.planning.scig import plan_scig
from ivig_core.regimen import get_preset
from ivig_core.scig import LabelFactor, ScigDose, ScLimits, Weekly, convert_to_scig


@cache
def iv_plan() -> Plan:
    """Seed 004 with Privigen for CIDP, one course of 2 days (70 kg, actual)."""
    return plan_course(
        worked.woman("70 kg"),
        get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1),
        "privigen",
        start=dt.date(2026, 1, 5),
        policy="actual",
        rounding="never-below",
        indication="cidp",
        rate_weight="dosing",
        rate_schedule=rate_schedule(
            "privigen", "cidp", increment="1 mg/kg/min", interval="30 min"
        ),
    )


@cache
def conversion() -> ScigDose:
    """30 g every 4 weeks to Hizentra weekly at the label factor."""
    return convert_to_scig(
        ivig_dose="30 g",
        ivig_interval="4 week",
        product="hizentra",
        rule=LabelFactor(),
        frequency=Weekly(),
        last_ivig=dt.date(2026, 1, 5),
    )


@cache
def sc_plan() -> Plan:
    """The conversion laid on 2 weeks, 4 sites at most (local protocol)."""
    limits = ScLimits.from_product(
        "hizentra",
        situation="PI, later infusions",
        max_sites=4,
        parameter_source="local protocol",
    )
    return plan_scig(
        worked.woman("70 kg"),
        conversion(),
        policy="actual",
        rounding="never-below",
        limits=limits,
        site_rate="label-maximum",
        cycles=2,
    ).plan


def test_explain_is_exported() -> None:
    """ivig_core.explain is io.text.explain (the top-level name)."""
    assert ivig_core.explain is text.explain


def test_table_rows_and_total() -> None:
    """One fixed-width row per infusion day and a total row."""
    lines = text.table(iv_plan()).splitlines()
    assert lines[0].startswith("date        phase        cyc day  g/kg")
    assert len(lines) == 1 + 2 + 1
    assert lines[1].split()[:2] == ["2026-01-05", "maintenance"]
    assert lines[-1].startswith("total")
    assert "140.00   140.00" in lines[-1]  # 2 x 70 g: 40 + 20 + 10 g vials a day


def test_explain_traces_then_tables() -> None:
    """The explanation: regimen, trace, notes, the table, safety, the sources."""
    plan = iv_plan()
    out = text.explain(plan)
    assert out.startswith("Plan: dm-privigen-1gkg-2d-4w, Privigen, from 2026-01-05")
    assert "\n- dosing weight = 70.00 kg (actual)\n    formula: " in out
    assert text.table(plan) in out
    assert plan.safety is not None
    cited = text.bibliography(text.plan_sources(plan))
    assert out.endswith(f"{safety_summary(plan.safety)}\n\n{cited}")
    # The actual-weight policy cites the Privigen label (dosing_weight.py).
    assert "- Privigen US prescribing information (CSL Behring; DailyMed" in cited
    assert "Route:" not in out


def test_sc_table_and_explain() -> None:
    """An SC plan: sites and mL per site in the table; the SC table follows."""
    plan = sc_plan()
    assert "  sites  mL/site" in text.table(plan).splitlines()[0]
    sc = text.sc_table(plan).splitlines()
    assert sc[0].startswith("date        cyc label")
    assert len(sc) == 1 + len(plan.infusions)
    assert sc[1].split()[0] == "2026-01-12"
    out = text.sc_explain(plan)
    assert "Route: subcutaneous" in out
    assert out.endswith("Subcutaneous details:\n" + text.sc_table(plan))


def test_conversion_derivation() -> None:
    """The conversion: its headline, each traced number, the notes."""
    out = text.conversion(conversion())
    assert out.startswith("IVIg → Hizentra (label factor, weekly)\n")
    assert "- conversion factor = 1.37\n    formula: label factor for Hizentra" in out


def test_report_iv_and_sc() -> None:
    """The command's page: rate steps for IV, sites for SC, status last."""
    iv = text.report(
        iv_plan(), patient=worked.woman("70 kg"), rate_weight="dosing", width=120
    )
    assert iv.startswith("Patient:        female, 54 years, 165.0 cm, 70.0 kg\n")
    assert "rate steps mL/h" in iv
    assert "; rates on the dosing weight" in iv
    # Privigen's 5, 10, 20 and 40 g vials make 2 × 70 g = 140 g exactly: no
    # blocking finding (with the 40 g vial alone it was 160 g, +14.3 %).
    assert "Status: READY to issue (no blocking findings)" in iv
    assert iv.endswith(text.DISCLAIMER + "\n")
    sc = text.report(sc_plan())
    # By default the report shows the patient the plan records ...
    assert sc.startswith("Patient:        female, 54 years, 165.0 cm, 70.0 kg\n")
    # ... and a plan that records none (loaded with verify="arithmetic") says so.
    unrecorded = text.report(attrs.evolve(sc_plan(), inputs=None))
    assert "Patient:        not stored in a plan document" in unrecorded
    assert "mL/h/site" in sc
    assert "How the doses were derived:" in sc
    assert text.days(sc_plan()) in sc
    assert text.derivation(sc_plan()) in sc


def test_report_without_safety() -> None:
    """A plan assembled without a safety report says so."""
    bare = attrs.evolve(iv_plan(), safety=None)
    assert "Safety: not assessed (the plan carries no safety report)" in (
        text.report(bare)
    )
