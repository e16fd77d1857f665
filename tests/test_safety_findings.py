"""Findings, overrides, the report, strict mode, and validators switched off."""

from __future__ import annotations

import datetime as dt
import pickle

import attrs
import pytest

import worked
from ivig_core import InputError, IvigError
from ivig_core.io.text import safety_summary
from ivig_core.safety import (
    RULES,
    BlockingFindingError,
    Concern,
    Finding,
    FindingCode,
    Override,
    SafetyBlock,
    SafetyConfig,
    SafetyReport,
    Severity,
    assess,
    label_dose_limits,
)
from processes import cold_import
from safety_plans import make_plan


def finding(code: FindingCode, **kwargs: object) -> Finding:
    """A finding with its rule's severity and source."""
    rule = RULES[code]
    values: dict[str, object] = {
        "code": code,
        "severity": rule.severity,
        "message": "m",
        "source": rule.source,
    }
    values.update(kwargs)
    return Finding(**values)  # type: ignore[arg-type]


def test_severity_order() -> None:
    """INFO < ADVICE < WARNING < SOFT_LIMIT < HARD_LIMIT."""
    assert max(Severity) is Severity.HARD_LIMIT
    assert (
        Severity.INFO
        < Severity.ADVICE
        < Severity.WARNING
        < Severity.SOFT_LIMIT
        < Severity.HARD_LIMIT
    )
    assert [s.blocks for s in Severity] == [False, False, False, True, True]


def test_every_code_has_a_rule_with_source() -> None:
    """Every FindingCode has a rule, a stable text value and a source."""
    assert set(RULES) == set(FindingCode)
    for code, rule in RULES.items():
        assert code.value == code.name
        assert rule.code is code
        assert rule.source.strip()
        assert rule.action.strip()


def test_code_parse() -> None:
    """Codes parse from their text; unknown text is refused."""
    assert FindingCode.parse("iga_not_measured") is FindingCode.IGA_NOT_MEASURED
    with pytest.raises(InputError, match=r"code: got .NO_SUCH_CODE.; allowed: one of"):
        FindingCode.parse("NO_SUCH_CODE")


def test_override_of_hard_limit_is_refused() -> None:
    """An override of a hard limit is refused, naming the code."""
    with pytest.raises(
        InputError,
        match=(
            r"^override\.code: RATE_ABOVE_LABEL_MAX is a hard limit and "
            r"cannot be overridden; allowed: the code of a soft limit$"
        ),
    ):
        Override(code=FindingCode.RATE_ABOVE_LABEL_MAX, reason="consultant")


def test_override_of_non_blocking_code_is_refused() -> None:
    """A warning needs no override: one is refused."""
    with pytest.raises(
        InputError,
        match=(
            r"^override\.code: RENAL_RISK is a WARNING and needs no "
            r"override; allowed: the code of a soft limit$"
        ),
    ):
        Override(code="RENAL_RISK", reason="known")


def test_override_needs_a_reason() -> None:
    """An empty reason is refused."""
    with pytest.raises(
        InputError, match=r"^override\.reason: got '  '; allowed: a non-empty string$"
    ):
        Override(code=FindingCode.DAILY_DOSE_ABOVE_80G, reason="  ")


def test_finding_severity_must_match_rule() -> None:
    """An assessed finding with another severity than its rule is refused."""
    with pytest.raises(
        InputError, match=r"^severity: .*; allowed: HARD_LIMIT \(the rule of"
    ):
        finding(FindingCode.RATE_ABOVE_LABEL_MAX, severity=Severity.INFO)
    with pytest.raises(
        InputError,
        match=(
            r"^severity: got <Severity\.HARD_LIMIT: 'hard_limit'>; "
            r"allowed: INFO, ADVICE or WARNING for a finding that was not "
            r"assessed$"
        ),
    ):
        finding(
            FindingCode.RATE_ABOVE_LABEL_MAX,
            severity=Severity.HARD_LIMIT,
            assessed=False,
        )


def test_concern_needs_cycle_and_date() -> None:
    """An infusion concern needs its date; a cycle concern its number."""
    with pytest.raises(
        InputError, match=r"^concern\.date: got None; allowed: the infusion's date$"
    ):
        Concern(kind="infusion", cycle=1)
    with pytest.raises(
        InputError,
        match=r"^concern\.cycle: got None; allowed: a course number \(int\)$",
    ):
        Concern(kind="cycle")
    with pytest.raises(
        InputError,
        match=(
            r"^concern\.kind: got 'ward'; allowed: 'patient', 'plan', "
            r"'cycle' or 'infusion'$"
        ),
    ):
        Concern(kind="ward")
    assert str(Concern.infusion_on(dt.date(2026, 1, 5), 1)) == (
        "infusion 2026-01-05 (cycle 1)"
    )


def test_report_sorted_most_severe_first() -> None:
    """The report is sorted by severity (highest first), code, then concern."""
    report = SafetyReport(
        findings=[
            finding(FindingCode.HYDRATION),
            finding(FindingCode.DAILY_DOSE_ABOVE_80G, concerns=Concern.course(2)),
            finding(FindingCode.RATE_ABOVE_LABEL_MAX),
            finding(FindingCode.DAILY_DOSE_ABOVE_80G, concerns=Concern.course(1)),
        ]
    )
    assert [f.code for f in report.findings] == [
        FindingCode.RATE_ABOVE_LABEL_MAX,
        FindingCode.DAILY_DOSE_ABOVE_80G,
        FindingCode.DAILY_DOSE_ABOVE_80G,
        FindingCode.HYDRATION,
    ]
    assert [f.concerns.cycle for f in report.findings[1:3]] == [1, 2]


#: A site that makes the 80 g advice a soft limit (SafetyConfig.severities).
RAISED_80G = SafetyConfig(severities={"DAILY_DOSE_ABOVE_80G": Severity.SOFT_LIMIT})


def test_soft_limit_blocks_until_overridden() -> None:
    """92 g a day, raised by the site to a soft limit, blocks until overridden.

    92 g a day, raised to a soft limit by the site, blocks issue; an override with a
    reason makes it ready.
    """
    plan = make_plan(product="privigen", weight_kg=92.0)
    blocked = assess(
        worked.recorded_woman("92 kg"), plan, indication="cidp", config=RAISED_80G
    )
    assert not blocked.ready_to_issue
    assert {f.code for f in blocked.blocking} == {FindingCode.DAILY_DOSE_ABOVE_80G}
    accepted = Override(
        code=FindingCode.DAILY_DOSE_ABOVE_80G, reason="2 days agreed", by="Dr A"
    )
    ready = assess(
        worked.recorded_woman("92 kg"),
        plan,
        indication="cidp",
        overrides=[accepted],
        config=RAISED_80G,
    )
    assert ready.ready_to_issue
    assert ready.overrides == (accepted,)
    assert len(ready.overridden) == 1  # one finding listing both days
    assert "(overridden)" in safety_summary(ready)
    assert "2 days agreed (by Dr A)" in safety_summary(ready)


def test_unused_override_is_recorded() -> None:
    """An override that matches no finding is kept and marked unused."""
    o = Override(code=FindingCode.DOSE_ABOVE_LIMIT, reason="n/a")
    plan = make_plan(product="privigen")
    report = assess(worked.recorded_woman("92 kg"), plan, overrides=[o])
    assert report.unused_overrides == (o,)
    assert "[matches no finding]" in safety_summary(report)


def test_strict_mode_raises_group_of_blocking_findings() -> None:
    """strict=True raises SafetyBlock listing every blocking finding."""
    plan = make_plan(product="octagam-10", weight_kg=92.0, rates_mg_kg_min=(1.0, 5.0))
    with pytest.raises(SafetyBlock, match="not ready to issue") as info:
        assess(
            worked.recorded_woman("92 kg"),
            plan,
            indication="dermatomyositis",
            strict=True,
            config=RAISED_80G,
        )
    exc = info.value
    assert isinstance(exc, IvigError)
    assert exc.report is not None
    blocking = [e for e in exc.exceptions if isinstance(e, BlockingFindingError)]
    assert len(blocking) == len(exc.exceptions)
    codes = {e.finding.code for e in blocking}
    assert codes == {FindingCode.RATE_ABOVE_LABEL_MAX, FindingCode.DAILY_DOSE_ABOVE_80G}


def test_strict_mode_split_keeps_class() -> None:
    """except* and split keep SafetyBlock for each part."""
    plan = make_plan(product="octagam-10", weight_kg=92.0, rates_mg_kg_min=(1.0, 5.0))
    report = assess(
        worked.recorded_woman("92 kg"),
        plan,
        indication="dermatomyositis",
        config=RAISED_80G,
    )
    group = SafetyBlock.from_report(report)
    hard, rest = group.split(
        lambda e: (
            isinstance(e, BlockingFindingError)
            and e.finding.severity is Severity.HARD_LIMIT
        )
    )
    assert isinstance(hard, SafetyBlock)
    assert isinstance(rest, SafetyBlock)
    assert len(hard.exceptions) == 2


def test_strict_mode_passes_when_ready() -> None:
    """A ready plan returns its report in strict mode."""
    report = assess(
        worked.recorded_woman("92 kg"), make_plan(product="privigen"), strict=True
    )
    assert report.ready_to_issue


def test_override_of_hard_limit_refused_by_assess_even_if_smuggled() -> None:
    """An Override altered to a hard-limit code is refused again by assess."""
    o = Override(code=FindingCode.DAILY_DOSE_ABOVE_80G, reason="r")
    object.__setattr__(o, "code", FindingCode.ANTI_IGA_CONTRAINDICATION)
    with pytest.raises(
        InputError,
        match=(
            r"^override\.code: ANTI_IGA_CONTRAINDICATION is a hard limit "
            r"and cannot be overridden; allowed: the code of a soft limit$"
        ),
    ):
        assess(
            worked.recorded_woman("92 kg"), make_plan(product="privigen"), overrides=[o]
        )


def test_checks_fire_with_attrs_validators_disabled() -> None:
    """With attrs validators off process-wide, checks and refusals still hold."""
    with attrs.validators.disabled():
        patient = worked.recorded_woman(
            "92 kg", "anti_iga_antibodies", "ig_hypersensitivity_history"
        )
        plan = make_plan(
            product="octagam-10", weight_kg=92.0, rates_mg_kg_min=(1.0, 5.0)
        )
        report = assess(patient, plan, indication="dermatomyositis", config=RAISED_80G)
        codes = {f.code for f in report.blocking}
        assert FindingCode.ANTI_IGA_CONTRAINDICATION in codes
        assert FindingCode.RATE_ABOVE_LABEL_MAX in codes
        assert FindingCode.DAILY_DOSE_ABOVE_80G in codes
        assert not report.ready_to_issue
        with pytest.raises(
            InputError,
            match=(
                r"^override\.code: ANTI_IGA_CONTRAINDICATION is a hard limit "
                r"and cannot be overridden; allowed: the code of a soft limit$"
            ),
        ):
            Override(code=FindingCode.ANTI_IGA_CONTRAINDICATION, reason="r")
        with pytest.raises(
            InputError, match=r"^override\.reason: got ''; allowed: a non-empty string$"
        ):
            Override(code=FindingCode.DAILY_DOSE_ABOVE_80G, reason="")
        with pytest.raises(
            InputError, match=r"^severity: .*; allowed: HARD_LIMIT \(the rule of"
        ):
            finding(FindingCode.RATE_ABOVE_LABEL_MAX, severity=Severity.INFO)
        bad = attrs.evolve(
            plan, infusions=(attrs.evolve(plan.infusions[0], dose_g_per_kg=-1.0),)
        )
        with pytest.raises(
            InputError,
            match=r"^plan\.infusions\[0\]\.dose_g_per_kg: .*; allowed: a finite"
            r" number ≥ 0$",
        ):
            assess(patient, bad)


def test_config_refuses_bare_numbers_and_bad_values() -> None:
    """Thresholds need units; non-positive values are refused."""
    with pytest.raises(
        InputError,
        match=r"^daily_grams_above: .*; allowed: a mass as a pint Quantity or",
    ):
        SafetyConfig(daily_grams_above=80)
    with pytest.raises(
        InputError, match=r"^crcl_below: .*; allowed: a value > 0 mL/min"
    ):
        SafetyConfig(crcl_below="0 mL/min")
    with pytest.raises(InputError, match=r"^config: .*; allowed: a SafetyConfig"):
        assess(worked.recorded_woman("92 kg"), make_plan(), config="strict")  # type: ignore[arg-type]


def test_assess_refuses_non_patient() -> None:
    """Something that is not a Patient is refused."""
    with pytest.raises(
        InputError, match=r"^patient: got 'patient'; allowed: an ivig_core\.Patient$"
    ):
        assess("patient", make_plan())  # type: ignore[arg-type]


def test_report_pickles_and_findings_print() -> None:
    """Reports pickle (for process pools) and findings print on one line."""
    report = assess(worked.recorded_woman("92 kg"), make_plan(product="privigen"))
    assert pickle.loads(pickle.dumps(report)) == report  # noqa: S301 - own data
    line = str(report.findings[0])
    assert line.startswith("[")
    assert "Source:" in line


def test_import_builds_no_registry() -> None:
    """Importing ivig_core.safety builds no pint registry (limits are lazy)."""
    assert cold_import("ivig_core.safety").registry == "LazyRegistry"


def test_label_dose_limits_are_sourced() -> None:
    """The shipped dose limits each carry a source and are cached."""
    limits = label_dose_limits()
    assert limits is label_dose_limits()
    assert all(lim.source for lim in limits)
    assert SafetyConfig().dose_limits == limits
