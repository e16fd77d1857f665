"""The check registry: a new check is one function and its registration, here.

Everything below the registration is derived: ``assess`` runs it, the rules
table and ``FindingCode`` list it, the findings reference page shows it, and
its findings round-trip through JSON and the shipped schema without
regenerating anything.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import pickle
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import worked
from ivig_core import DocumentError, InputError
from ivig_core.findings import CODE_PATTERN, Concern, Finding, Rule, Severity
from ivig_core.infusion import rate_schedule
from ivig_core.io.json import (
    plan_from_json,
    plan_schema_text,
    plan_to_json,
    report_from_json,
    report_to_json,
)
from ivig_core.plan import Plan
from ivig_core.planning.course import plan_course
from ivig_core.products import get_product
from ivig_core.regimen import get_preset
from ivig_core.safety import (
    RULES,
    FindingCode,
    Override,
    SafetyConfig,
    SafetyOptions,
    assess,
)
from ivig_core.safety.context import Context
from ivig_core.safety.registry import CHECKS, Check, check, registered
from safety_plans import make_plan


def _weekend_start(rule: Rule, ctx: Context) -> Iterable[Finding]:
    """A new check: the first infusion on a weekend (a soft limit here)."""
    first = ctx.plan.infusions[0]
    if first.date.weekday() >= 5:
        yield rule.fired(
            f"The first infusion is on {first.date:%A}: check the unit's staffing.",
            Concern.infusion_on(first.date, first.cycle),
        )


def weekend_check() -> AbstractContextManager[Check]:
    """The registration: the one place a new check is written."""
    return registered(
        check(
            code="WEEKEND_START",
            severity=Severity.SOFT_LIMIT,
            rule="The first infusion falls on a Saturday or Sunday.",
            action="Check the infusion unit's staffing, or override with the reason.",
            source="local protocol (test)",
        )(_weekend_start)
    )


SATURDAY = dt.date(2026, 1, 10)


def saturday_plan() -> Plan:
    """A plan that starts on a Saturday."""
    return make_plan(product="privigen", starts=[SATURDAY])


def generated_docs() -> ModuleType:
    """The docs' generator module (docs/_ext/generated.py)."""
    path = Path(__file__).parent.parent / "docs" / "_ext" / "generated.py"
    spec = importlib.util.spec_from_file_location("_generated_docs", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_check_registered_here_runs_everywhere() -> None:
    """Registered in this module only: assess, rules, docs, overrides, JSON."""
    with weekend_check():
        code = FindingCode.parse("weekend_start")
        assert code in FindingCode
        assert RULES[code].severity is Severity.SOFT_LIMIT
        assert RULES[code].module == "test_safety_registry"
        report = assess(worked.recorded_woman(), saturday_plan())
        (found,) = report.with_code(code)
        assert found.concerns == Concern.infusion_on(SATURDAY, 1)
        assert not report.ready_to_issue
        assert "WEEKEND_START" in generated_docs().finding_codes()
        # A soft limit: an override accepts it, and the CLI's text form works.
        accepted = assess(
            worked.recorded_woman(),
            saturday_plan(),
            overrides=[Override(code="WEEKEND_START", reason="staffed this week")],
        )
        assert accepted.ready_to_issue
        # Its findings round-trip through JSON, valid against the shipped schema.
        assert report_from_json(report_to_json(report)) == report
        planned = real_plan(SATURDAY)
        assert planned.safety is not None
        assert planned.safety.with_code(code)
        assert plan_from_json(plan_to_json(planned)) == planned
    # Unregistered at the end of the block: gone from every table.
    assert "WEEKEND_START" not in FindingCode
    assert all(c.value != "WEEKEND_START" for c in RULES)
    assert all(c.value != "WEEKEND_START" for c in CHECKS)
    assert not saturday_plan().infusions[0].date.weekday() < 5
    report = assess(worked.recorded_woman(), saturday_plan())
    assert not report.with_code("WEEKEND_START")  # type: ignore[arg-type]


def test_shipped_schema_takes_any_well_formed_code() -> None:
    """The schema's code is a pattern, not the list of today's codes."""
    schema = json.loads(plan_schema_text())
    code = schema["$defs"]["Finding"]["properties"]["code"]
    assert code["pattern"] == CODE_PATTERN
    assert "enum" not in code


def test_unknown_code_in_a_document_is_refused() -> None:
    """A document naming a code no check registered is refused."""
    text = report_to_json(assess(worked.recorded_woman(), saturday_plan()))
    bad = text.replace('"HYDRATION"', '"NO_SUCH_CHECK"')
    with pytest.raises(
        (DocumentError, InputError),
        match=r"^findings\[1\]\.code: .*; allowed: a safety report document as",
    ):
        report_from_json(bad)


def test_a_code_is_registered_once() -> None:
    """Registering an existing code, or a malformed one, is refused."""

    def nothing(_rule: Rule, _ctx: Context) -> Iterable[Finding]:
        return ()

    for code, allowed in (
        ("HYDRATION", "a code not yet registered"),
        ("not upper", "upper-case words joined by '_'"),
        ("TRAILING_", "upper-case words joined by '_'"),
    ):
        with pytest.raises(InputError, match=rf"^code: .*; allowed: {allowed}$"):
            check(code=code, severity=Severity.INFO, rule="r", action="a", source="s")(
                nothing
            )
    assert RULES[FindingCode.HYDRATION].module == "other"


def test_a_check_returns_only_its_own_code() -> None:
    """A check returning another code's finding is refused, naming both."""

    def wrong(_rule: Rule, _ctx: Context) -> Iterable[Finding]:
        return [FindingCode.HYDRATION.rule.fired("misfiled")]

    with (
        registered(
            check(
                code="MISFILED",
                severity=Severity.INFO,
                rule="r",
                action="a",
                source="s",
            )(wrong)
        ),
        pytest.raises(
            InputError, match=r"^finding\.code: .*; allowed: MISFILED \(its check\)"
        ),
    ):
        assess(worked.recorded_woman(), saturday_plan())


def test_codes_are_singletons_and_pickle() -> None:
    """Codes parse to one object, compare with their text, and pickle."""
    code = FindingCode.IGA_NOT_MEASURED
    assert FindingCode("iga_not_measured") is code
    assert FindingCode["IGA_NOT_MEASURED"] is code
    assert code == "IGA_NOT_MEASURED"
    assert code.value == "IGA_NOT_MEASURED"
    assert pickle.loads(pickle.dumps(code)) is code  # noqa: S301 - our own bytes
    assert len(FindingCode) == len(RULES) == len(CHECKS)
    with pytest.raises(
        AttributeError, match=r"^no finding code 'NO_SUCH' is registered$"
    ):
        _ = FindingCode.NO_SUCH


def test_rule_factories() -> None:
    """rule.fired takes the rule's severity; rule.not_assessed never blocks."""
    rule = FindingCode.RATE_ABOVE_AT_RISK_CAP.rule
    fired = rule.fired("100 g on one day.")
    assert fired.severity is Severity.SOFT_LIMIT
    assert fired.assessed
    assert fired.source == rule.source
    missing = rule.not_assessed("No infusions.", Concern.whole_plan())
    assert missing.severity is Severity.WARNING
    assert not missing.assessed
    with pytest.raises(
        InputError, match=r"^severity: .*; allowed: INFO, ADVICE or WARNING for a"
    ):
        rule.not_assessed("x", severity=Severity.SOFT_LIMIT)


# --------------------------------------------------------------------------
# Typed reading: numbers from outside the planner are re-checked


def test_plan_with_nan_loaded_from_a_document_is_refused() -> None:
    """A NaN written into a plan document is refused on load, naming the path."""
    plan = real_plan()
    doc = json.loads(plan_to_json(plan))
    doc["infusions"][0]["dispensed_g"] = float("nan")
    with pytest.raises(
        DocumentError,
        match=(
            r"^document: NaN is not a finite number; allowed: a plan "
            r"document as written by ivig_core \(version 1\)$"
        ),
    ):
        plan_from_json(json.dumps(doc))


def test_plan_with_nan_built_by_hand_is_refused_by_assess() -> None:
    """A NaN in a hand-built plan's rate step is refused, naming the field."""
    plan = make_plan(product="privigen")
    inf = plan.infusions[1]
    steps = (
        *inf.run.steps[:-1],
        attrs.evolve(inf.run.steps[-1], rate_ml_h=float("nan")),
    )
    bad = attrs.evolve(
        plan,
        infusions=(
            plan.infusions[0],
            attrs.evolve(inf, run=attrs.evolve(inf.run, steps=steps)),
        ),
    )
    with pytest.raises(
        InputError,
        match=(
            r"^plan\.infusions\[1\]\.run\.steps\[2\]\.rate_ml_h: got nan; "
            r"allowed: a finite number ≥ 0 \(finite\)$"
        ),
    ):
        assess(worked.recorded_woman(), bad)


def real_plan(start: dt.date = dt.date(2026, 1, 5)) -> Plan:
    """A planner's plan (Octagam 10 % in dermatomyositis), with its report."""
    octagam = get_product("octagam 10%")
    return plan_course(
        worked.recorded_woman(),
        get_preset("octagam10-dm").choose(maintenance_days=2, cycles=1),
        octagam,
        start=start,
        policy="actual",
        rounding="never-below",
        indication="dermatomyositis",
        rate_weight="dosing",
        rate_schedule=rate_schedule(
            octagam, "dermatomyositis", increment="1 mg/kg/min", interval="30 min"
        ),
    )


# --------------------------------------------------------------------------
# The safety block as one value


def test_assess_takes_safety_options() -> None:
    """options=SafetyOptions(...) gives the same report as the keywords."""
    cfg = SafetyConfig(thrombosis_age_from="50 year")
    plan = make_plan(product="privigen")
    by_keywords = assess(
        worked.recorded_woman(), plan, config=cfg, previous_product="octagam-10"
    )
    by_options = assess(
        worked.recorded_woman(),
        plan,
        options=SafetyOptions(config=cfg, previous_product="octagam-10"),
    )
    assert by_options == by_keywords
    with pytest.raises(
        InputError,
        match=(
            r"^options: .*; allowed: either "
            r"options=SafetyOptions\(\.\.\.\) or the keywords config, "
            r"overrides, previous_product and strict, not both$"
        ),
    ):
        assess(worked.recorded_woman(), plan, options=SafetyOptions(), config=cfg)


def test_parameters_name_safety_config_fields() -> None:
    """A check's parameters are SafetyConfig fields; a misspelt one is refused."""

    def nothing(_rule: Rule, _ctx: Context) -> Iterable[Finding]:
        return ()

    with pytest.raises(
        InputError,
        match=(
            r"^parameters\[0\]: got 'daily_gram_above'; allowed: a "
            r"SafetyConfig field \(thrombosis_age_from, .*, "
            r"daily_grams_above, .*\)$"
        ),
    ):
        check(
            code="TYPO_PARAMETER",
            severity=Severity.INFO,
            rule="r",
            action="a",
            source="s",
            parameters=("daily_gram_above",),
        )(nothing)
    assert "TYPO_PARAMETER" not in FindingCode
