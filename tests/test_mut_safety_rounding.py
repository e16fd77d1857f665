"""ROUNDING_CHANGES_DOSE (safety/rounding.py), its messages and filters pinned.

The check's body is mutated since scripts/mutation.py decorates by assignment in
its scratch copy; these tests pin what tests/test_safety_rounding.py leaves
loose: the whole messages (fired and not assessed), a course left unchanged,
a course dispensing nothing, and which course is "the largest" change.

By hand, ``fifty_gram_course``: 2 g/kg over 2 days at 25 kg = 50 g a course,
25 g a day; courses start 2026-01-05, 2026-02-02, 2026-03-02 (28 days apart).
"""

from __future__ import annotations

from ivig_core.findings import Concern
from ivig_core.planning import plan_course
from ivig_core.regimen import DayRange, Induction, Regimen
from ivig_core.safety import Finding, FindingCode, SafetyConfig, Severity, assess
from ivig_core.vials import get_rounding
from test_safety_rounding import dispensed, fifty_gram_course
from worked import MONDAY, octagam, octagam_dm_schedule, recorded_woman, woman


CODE = FindingCode.ROUNDING_CHANGES_DOSE
_ACTION = (
    " Check the rounding policy and the vial sizes, or accept the change with an "
    "override giving the reason."
)


def findings(
    grams_per_day: dict[int, float], cycles: int = 2, *, tolerance: bool = True
) -> tuple[Finding, ...]:
    """The findings with the code (assessed or not), tolerance 10 % or None."""
    plan = dispensed(fifty_gram_course(cycles=cycles), grams_per_day)
    config = SafetyConfig() if tolerance else SafetyConfig(rounding_tolerance=None)
    return assess(recorded_woman(), plan, config=config).with_code(CODE)


def test_two_courses_over_are_listed_joined_by_a_semicolon() -> None:
    """50 → 60 g (+10 g, +20 %) and 50 → 40 g (−10 g, −20 %): one finding."""
    (f,) = findings({1: 30.0, 3: 20.0}, cycles=3)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.SOFT_LIMIT,
        Concern.whole_plan(),
    )
    assert f.message == (
        "The vial rounding (test fixture) changes the dose of 2 courses by more "
        "than the 10 % tolerance: course 1 (2026-01-05, 2026-01-06): prescribed "
        "50 g, dispensed 60 g, +10 g (+20.00 %); course 3 (2026-03-02, "
        "2026-03-03): prescribed 50 g, dispensed 40 g, -10 g (-20.00 %)." + _ACTION
    )


def test_a_course_dispensing_nothing_is_a_100_percent_change() -> None:
    """50 g prescribed, 0 g dispensed: −50 g, −100 %."""
    (f,) = findings({1: 0.0}, cycles=1)
    assert "prescribed 50 g, dispensed 0 g, -50 g (-100.00 %)." in f.message


def test_no_tolerance_one_course_the_whole_message() -> None:
    """One course changed, 50 → 60 g, no tolerance: "1 course", not assessed."""
    (f,) = findings({1: 30.0}, tolerance=False)
    assert (f.assessed, f.severity, f.concerns) == (
        False,
        Severity.INFO,
        Concern.whole_plan(),
    )
    assert f.message == (
        "The rounding changes the dose of 1 course, the largest: course 1 "
        "(2026-01-05, 2026-01-06): prescribed 50 g, dispensed 60 g, +10 g "
        "(+20.00 %); no rounding tolerance is configured "
        "(SafetyConfig.rounding_tolerance): not assessed."
    )


def test_no_tolerance_the_largest_change_is_named_not_the_last_course() -> None:
    """Course 1: 50 → 60 g (+20 %); course 2: 50 → 52 g (+4 %): course 1 named."""
    (f,) = findings({1: 30.0, 2: 26.0}, tolerance=False)
    assert "2 courses, the largest: course 1 (2026-01-05, 2026-01-06)" in f.message


def test_no_tolerance_and_nothing_changed_is_quiet() -> None:
    """Dispensed equals prescribed, no tolerance: nothing to assess, no finding."""
    assert findings({}, tolerance=False) == ()


def test_a_course_under_one_gram_is_assessed() -> None:
    """A 2 kg patient at 0.4 g/kg in one day: 0.8 g, dispensed as a 2 g vial.

    By hand: 2 kg × 0.4 g/kg = 0.8 g; Octagam 10 %'s smallest vial is 2 g,
    so never-below dispenses 2 g: +1.2 g, +1.2/0.8 = +150 %.
    """
    one_day = Regimen(
        name="one-day",
        induction=Induction(
            dose="0.4 g/kg", allowed_days=DayRange.exactly(1), days=1, source="test"
        ),
        source="test",
    )
    plan = plan_course(
        woman("2 kg"),
        one_day,
        octagam(),
        start=MONDAY,
        policy="actual",
        rounding=get_rounding("never-below"),
        rate_weight="dosing",
        rate_schedule=octagam_dm_schedule(),
    )
    assert plan.safety is not None
    (f,) = plan.safety.with_code(CODE)
    assert f.message == (
        "The vial rounding (never-below) changes the dose of 1 course by more "
        "than the 10 % tolerance: course 1 (2026-01-05): prescribed 0.8 g, "
        "dispensed 2 g, +1.2 g (+150.00 %)." + _ACTION
    )
