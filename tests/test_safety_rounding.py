"""ROUNDING_CHANGES_DOSE: a vial rounding that moves a course's dose too far.

The tolerance is ``SafetyConfig.rounding_tolerance``, 10 % by default: HOPA
2017, "Rounding of biologic and cytotoxic agents within 10% of the ordered
dose is designated as acceptable for routine clinical care" (applied to
immunoglobulin by analogy), and for IVIG "stay within 10% of the original
defined order, whether you are rounding up or down" (an interview, weak).
Every expected number below is worked by hand in the test's docstring.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import Q_, InputError, IvigError, UnitError, load_protocol
from ivig_core.plan import Plan
from ivig_core.planning import plan_course
from ivig_core.regimen import DayRange, Induction, Regimen
from ivig_core.safety import (
    FindingCode,
    Override,
    SafetyBlock,
    SafetyConfig,
    Severity,
    assess,
)
from ivig_core.sources import cited_in
from ivig_core.vials import get_rounding
from safety_plans import fired, make_plan, unassessed
from worked import (
    MONDAY,
    octagam,
    octagam_dm_schedule,
    recorded_woman,
    woman,
)


CODE = FindingCode.ROUNDING_CHANGES_DOSE


def dispensed(plan: Plan, grams_per_day: dict[int, float]) -> Plan:
    """*plan* with each listed course's days dispensing *grams_per_day* g."""
    infusions = tuple(
        attrs.evolve(inf, dispensed_g=grams_per_day[inf.cycle])
        if inf.cycle in grams_per_day
        else inf
        for inf in plan.infusions
    )
    return attrs.evolve(plan, infusions=infusions)


def fifty_gram_course(cycles: int = 1) -> Plan:
    """Courses of 2 g/kg over 2 days at 25 kg: 50 g per course, 25 g a day."""
    return make_plan(
        product="privigen", weight_kg=25.0, course_g_per_kg=2.0, days=2, cycles=cycles
    )


def test_the_issue_example_a_50_g_increment_for_a_74_g_course() -> None:
    """Issue 14: a 50 g increment dispenses 50 g for a 74 g course, now a soft limit.

    By hand: 37 kg × 2 g/kg in one day = 74 g, rounded to the nearest 50 g =
    50 g: −24 g, −24/74 = −32.43 %, above the 10 % tolerance.
    """
    one_day = Regimen(
        name="one-day",
        induction=Induction(
            dose="2 g/kg", allowed_days=DayRange.exactly(1), days=1, source="test"
        ),
        source="test",
    )
    plan = plan_course(
        woman("37 kg"),
        one_day,
        octagam(),
        start=MONDAY,
        policy="actual",
        rounding=get_rounding("nearest-increment", increment="50 g"),
        rate_weight="dosing",
        rate_schedule=octagam_dm_schedule(),
    )
    report = plan.safety
    assert report is not None
    (f,) = fired(report, CODE)
    assert f.severity is Severity.SOFT_LIMIT
    assert f.message.startswith(
        "The vial rounding (nearest-increment) changes the dose of 1 course by "
        "more than the 10 % tolerance: course 1 (2026-01-05): prescribed 74 g, "
        "dispensed 50 g, -24 g (-32.43 %)."
    )
    assert not report.ready_to_issue


def test_above_the_tolerance_names_course_days_grams_change_and_tolerance() -> None:
    """74 g dispensed as 80 g is +6 g, +8.11 %: above a 5 % tolerance.

    By hand: 37 kg × 2 g/kg = 74 g; 80 − 74 = 6 g; 6 / 74 = 8.108 %.
    """
    plan = make_plan(product="privigen", weight_kg=37.0, days=2, cycles=2)
    changed = dispensed(plan, {1: 40.0})
    report = assess(
        recorded_woman(), changed, config=SafetyConfig(rounding_tolerance="5 %")
    )
    (f,) = fired(report, CODE)
    assert f.message == (
        "The vial rounding (test fixture) changes the dose of 1 course by more "
        "than the 5 % tolerance: course 1 (2026-01-05, 2026-01-06): prescribed "
        "74 g, dispensed 80 g, +6 g (+8.11 %). Check the rounding policy and "
        "the vial sizes, or accept the change with an override giving the reason."
    )
    assert f.concerns.kind == "plan"
    assert "course 2" not in f.message


def test_one_finding_for_the_plan_listing_every_course_over() -> None:
    """Two courses over the tolerance: one finding naming both, in order.

    By hand: 50 g → 60 g is +10 g, +20 %; 50 g → 40 g is −10 g, −20 %.
    """
    plan = dispensed(fifty_gram_course(cycles=3), {1: 30.0, 3: 20.0})
    (f,) = fired(assess(recorded_woman(), plan), CODE)
    assert "changes the dose of 2 courses" in f.message
    assert "course 1 (2026-01-05, 2026-01-06): prescribed 50 g, dispensed 60 g" in (
        f.message
    )
    assert "+10 g (+20.00 %)" in f.message
    assert "course 3 (2026-03-02, 2026-03-03): prescribed 50 g, dispensed 40 g" in (
        f.message
    )
    assert "-10 g (-20.00 %)" in f.message
    assert "course 2" not in f.message


@pytest.mark.parametrize(
    ("per_day", "fires"),
    [
        (27.5, False),  # 55 g of 50 g: +10 % exactly, the tolerance met
        (27.505, True),  # 55.01 g: +10.02 %, just above
        (27.0, False),  # 54 g: +8 %, below
        (22.5, False),  # 45 g: −10 % exactly, rounding down
        (22.495, True),  # 44.99 g: −10.02 %, just above
    ],
)
def test_at_below_and_above_the_tolerance(per_day: float, *, fires: bool) -> None:
    """The tolerance is "within 10 %": exactly 10 % passes, more fires, both ways."""
    plan = dispensed(fifty_gram_course(), {1: per_day})
    assert bool(fired(assess(recorded_woman(), plan), CODE)) is fires


def test_a_soft_limit_blocks_until_overridden_with_a_reason() -> None:
    """The finding blocks issue; an override with a reason accepts it (recorded)."""
    plan = dispensed(fifty_gram_course(), {1: 30.0})
    woman_ = recorded_woman()
    blocked = assess(woman_, plan)
    assert CODE in {f.code for f in blocked.blocking}
    with pytest.raises(SafetyBlock):
        assess(woman_, plan, strict=True)
    accepted = Override(code=CODE, reason="only 40 g vials in stock; prescriber agreed")
    report = assess(woman_, plan, overrides=[accepted])
    assert CODE not in {f.code for f in report.blocking}
    assert [f.code for f in report.overridden] == [CODE]
    assert report.overrides == (accepted,)


def test_quiet_when_nothing_is_rounded_or_within_the_tolerance() -> None:
    """Dispensed equals prescribed: no finding at all (not even not-assessed)."""
    report = assess(recorded_woman(), fifty_gram_course(cycles=2))
    assert not report.with_code(CODE)


def test_no_tolerance_is_not_assessed_and_names_the_largest_change() -> None:
    """``rounding_tolerance=None``: INFO "not assessed", never a silent pass."""
    plan = dispensed(fifty_gram_course(cycles=2), {1: 26.0, 2: 30.0})
    report = assess(
        recorded_woman(), plan, config=SafetyConfig(rounding_tolerance=None)
    )
    assert not fired(report, CODE)
    (f,) = unassessed(report, CODE)
    assert f.severity is Severity.INFO
    assert "2 courses" in f.message
    assert "the largest: course 2" in f.message
    assert "SafetyConfig.rounding_tolerance" in f.message
    assert report.ready_to_issue


def test_the_rule_cites_hopa_by_analogy_and_the_weak_interview() -> None:
    """The rule's sources are the position statement and the IVIG interview."""
    rule = CODE.rule
    assert rule.severity is Severity.SOFT_LIMIT
    assert rule.parameters == ("rounding_tolerance",)
    assert rule.sources == ("hopa-2017-dose-rounding", "pppmag-2010-ivig-management")
    assert "by analogy" in rule.source
    assert "weak: secondary source" in rule.source
    assert cited_in([rule.source]) == rule.sources


# --------------------------------------------------------------------------
# The parameter


def test_the_default_tolerance_is_10_percent() -> None:
    """HOPA 2017: 'within 10% of the ordered dose'."""
    assert SafetyConfig().rounding_tolerance_percent == 10.0


@pytest.mark.parametrize(
    ("value", "percent"),
    [("5 %", 5.0), ("12.5 percent", 12.5), (Q_(50.0, "percent"), 50.0)],
)
def test_the_tolerance_is_a_percentage(value: object, percent: float) -> None:
    """A percentage as text or as a quantity; 50 % is the plausible top."""
    assert SafetyConfig(rounding_tolerance=value).rounding_tolerance_percent == percent


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (10, UnitError),  # a bare number: 10 % or 0.1? units are never assumed
        ("0 %", InputError),
        ("-5 %", InputError),
        ("50.5 %", InputError),
        ("nan %", InputError),
        ("10 g", UnitError),
        (True, UnitError),
    ],
)
def test_a_bad_tolerance_is_refused_naming_the_parameter(
    value: object, error: type[Exception]
) -> None:
    """Outside (0, 50] %, or not a percentage: refused, naming rounding_tolerance."""
    with pytest.raises(error, match=r"^rounding_tolerance: "):
        SafetyConfig(rounding_tolerance=value)


# --------------------------------------------------------------------------
# Properties


@given(
    weight=st.floats(min_value=20.0, max_value=150.0),
    dose=st.floats(min_value=0.2, max_value=2.0),
    days=st.integers(min_value=1, max_value=5),
    cycles=st.integers(min_value=1, max_value=4),
    tolerance=st.floats(min_value=0.01, max_value=50.0),
)
def test_dispensing_the_prescribed_dose_never_fires(
    weight: float, dose: float, days: int, cycles: int, tolerance: float
) -> None:
    """A plan that dispenses exactly what was prescribed never gets the finding."""
    plan = make_plan(
        product="privigen",
        weight_kg=weight,
        course_g_per_kg=dose,
        days=days,
        cycles=cycles,
    )
    config = SafetyConfig(rounding_tolerance=f"{tolerance} %")
    assert not assess(recorded_woman(), plan, config=config).with_code(CODE)


@given(
    changes=st.lists(st.floats(min_value=-0.6, max_value=0.6), min_size=1, max_size=4),
    low=st.floats(min_value=0.1, max_value=50.0),
    high=st.floats(min_value=0.1, max_value=50.0),
)
def test_raising_the_tolerance_never_adds_a_finding(
    changes: list[float], low: float, high: float
) -> None:
    """The courses flagged at a higher tolerance are among those at a lower one."""
    low, high = min(low, high), max(low, high)
    plan = fifty_gram_course(cycles=len(changes))
    plan = dispensed(
        plan, {k: 25.0 * (1.0 + c) for k, c in enumerate(changes, start=1)}
    )

    def flagged(tolerance: float) -> set[str]:
        config = SafetyConfig(rounding_tolerance=f"{tolerance} %")
        found = fired(assess(recorded_woman(), plan, config=config), CODE)
        if not found:
            return set()
        return {
            f"course {k} "
            for k in range(1, len(changes) + 1)
            if f"course {k} (" in found[0].message
        }

    assert flagged(high) <= flagged(low)


def test_a_site_protocol_sets_the_tolerance(tmp_path: Path) -> None:
    """``[safety] rounding_tolerance`` in a protocol file; a bad one is named."""
    examples = Path("examples/protocols")
    text = (examples / "district-hospital.toml").read_text(encoding="utf-8")
    formulary = examples / "district-formulary.toml"
    (tmp_path / formulary.name).write_text(
        formulary.read_text(encoding="utf-8"), encoding="utf-8"
    )
    path = tmp_path / "protocol.toml"
    path.write_text(
        text.replace("[safety]\n", '[safety]\nrounding_tolerance = "5 %"\n'),
        encoding="utf-8",
    )
    protocol = load_protocol(path)
    assert protocol.safety is not None
    assert protocol.safety.rounding_tolerance_percent == 5.0
    path.write_text(
        text.replace("[safety]\n", '[safety]\nrounding_tolerance = "75 %"\n'),
        encoding="utf-8",
    )
    with pytest.raises(IvigError, match="rounding_tolerance"):
        load_protocol(path)
