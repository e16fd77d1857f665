"""Dose checks (safety/dose.py), pinned where mutation testing found them loose.

Each finding: present and absent, its severity, whether it blocks, and its
threshold at, just below and just above, in the source's words:

* ``DAILY_DOSE_ABOVE_80G``: "If the dose of IVIG is higher than 80 g, it may
  be administered over 3 to 5 days" (droracle-privigen-dm, weak): a day
  *above* 80 g fires, 80 g does not; the larger of calculated and dispensed
  grams counts.
* ``DOSE_ABOVE_LIMIT``: Octagam 10 % US PI, dermatomyositis "2 g/kg divided
  in equal doses given over 2-5 consecutive days every 4 weeks": a course
  *above* 2 g/kg, a day *above* 1 g/kg, courses *closer* than 28 days.
* ``COURSE_INTERVAL_SHORT``: a course starting *sooner* than the regimen's
  interval (the planned gap, the induction's first maintenance, the HyQvia
  US PI ramp-up: weeks 1, 2, 4, 7).

Every expected message is written out and its numbers worked by hand.
"""

from __future__ import annotations

import datetime as dt

import attrs

from ivig_core.findings import Concern
from ivig_core.plan import Phase, Plan
from ivig_core.regimen import DayRange, Induction, Maintenance, Regimen
from ivig_core.safety import (
    DoseLimit,
    Finding,
    FindingCode,
    SafetyConfig,
    SafetyReport,
    Severity,
    assess,
)
from ivig_core.sources import cited_in
from safety_plans import START, make_plan
from worked import recorded_woman


DAILY = FindingCode.DAILY_DOSE_ABOVE_80G
LIMIT = FindingCode.DOSE_ABOVE_LIMIT
SHORT = FindingCode.COURSE_INTERVAL_SHORT

_80G_TAIL = (
    "A secondary source says a dose above 80 g 'may be administered over 3 to 5 "
    "days at 0.4 g/kg'; consider the planner's split option. No label gives an "
    "80 g limit."
)


def day(n: int) -> str:
    """The ISO date *n* days after the fixtures' start (2026-01-05)."""
    return (START + dt.timedelta(days=n)).isoformat()


def only(report: SafetyReport, code: FindingCode) -> Finding:
    """The one finding with *code* (assessed or not)."""
    (f,) = report.with_code(code)
    return f


def grams_plan(calculated: float, dispensed: float, days: int = 1) -> Plan:
    """A Privigen plan whose every day has these calculated and dispensed grams."""
    p = make_plan(product="privigen", weight_kg=70.0, days=days)
    infusions = tuple(
        attrs.evolve(i, calculated_g=calculated, dispensed_g=dispensed)
        for i in p.infusions
    )
    return attrs.evolve(p, infusions=infusions)


# --------------------------------------------------------------------------
# DAILY_DOSE_ABOVE_80G


def test_80g_fires_just_above_and_is_an_advice_that_does_not_block() -> None:
    """80.5 g on each of 2 days (2 g/kg over 2 days at 80.5 kg): one advice.

    1 g/kg × 80.5 kg = 80.5 g a day, above "higher than 80 g".
    """
    report = assess(
        recorded_woman("80.5 kg"), make_plan(product="privigen", weight_kg=80.5)
    )
    f = only(report, DAILY)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.ADVICE,
        Concern.whole_plan(),
    )
    assert f.message == (
        f"2 infusion days are above 80 g ({day(0)}: 80.5 g; {day(1)}: 80.5 g). "
        + _80G_TAIL
    )
    assert cited_in([f.source]) == ("droracle-privigen-dm",)
    assert f not in report.blocking


def test_80g_at_and_below_the_threshold_is_quiet() -> None:
    """80 g is not "higher than 80 g"; 79.5 g neither; 80.001 g is."""
    for grams in (80.0, 79.5):
        assert assess(recorded_woman(), grams_plan(grams, grams)).with_code(DAILY) == ()
    f = only(assess(recorded_woman(), grams_plan(80.001, 80.001)), DAILY)
    assert f.message.startswith(f"1 infusion day is above 80 g ({day(0)}: 80.001 g).")


def test_80g_reads_the_larger_of_calculated_and_dispensed() -> None:
    """78 g calculated, 82 g dispensed (vials) fires on 82 g; and the reverse."""
    for calculated, dispensed in ((78.0, 82.0), (82.0, 78.0)):
        f = only(assess(recorded_woman(), grams_plan(calculated, dispensed)), DAILY)
        assert f.message == (
            f"1 infusion day is above 80 g ({day(0)}: 82 g). " + _80G_TAIL
        )


def test_80g_lists_only_the_days_above() -> None:
    """Day 1 at 85 g, day 2 at 75 g: one day listed, singular wording."""
    p = grams_plan(85.0, 85.0, days=2)
    second = attrs.evolve(p.infusions[1], calculated_g=75.0, dispensed_g=75.0)
    p = attrs.evolve(p, infusions=(p.infusions[0], second))
    f = only(assess(recorded_woman(), p), DAILY)
    assert f.message == f"1 infusion day is above 80 g ({day(0)}: 85 g). " + _80G_TAIL


def test_80g_threshold_is_the_configured_one() -> None:
    """daily_grams_above = 100 g: 92 g is quiet, 101 g fires naming 100 g."""
    cfg = SafetyConfig(daily_grams_above="100 g")
    assert (
        assess(recorded_woman(), grams_plan(92.0, 92.0), config=cfg).with_code(DAILY)
        == ()
    )
    f = only(assess(recorded_woman(), grams_plan(101.0, 101.0), config=cfg), DAILY)
    assert f.message.startswith(f"1 infusion day is above 100 g ({day(0)}: 101 g).")
    assert "a dose above 100 g 'may be administered" in f.message


def test_80g_raised_to_a_soft_limit_blocks() -> None:
    """A site raising the advice to a soft limit makes it block the plan."""
    cfg = SafetyConfig(severities={"DAILY_DOSE_ABOVE_80G": "soft_limit"})
    report = assess(recorded_woman(), grams_plan(90.0, 90.0), config=cfg)
    f = only(report, DAILY)
    assert f.severity is Severity.SOFT_LIMIT
    assert f in report.blocking


def test_80g_without_infusions_is_not_assessed() -> None:
    """No infusions: a not-assessed warning for the plan, never a silent pass."""
    empty = attrs.evolve(make_plan(product="privigen"), infusions=())
    f = only(assess(recorded_woman(), empty), DAILY)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.WARNING,
        Concern.whole_plan(),
        "The plan has no infusions: daily grams not assessed.",
    )


# --------------------------------------------------------------------------
# DOSE_ABOVE_LIMIT


def octagam(
    course: float = 2.0, days: int = 2, cycles: int = 1, gaps: tuple[int, ...] = ()
) -> Plan:
    """Octagam 10 % at 70 kg; courses *gaps* days apart (default 28)."""
    starts = [START]
    for gap in gaps:
        starts.append(starts[-1] + dt.timedelta(days=gap))
    return make_plan(
        product="octagam-10",
        course_g_per_kg=course,
        days=days,
        cycles=max(cycles, len(starts)),
        starts=starts if gaps else None,
    )


def dm(p: Plan, config: SafetyConfig | None = None) -> tuple[Finding, ...]:
    """The DOSE_ABOVE_LIMIT findings of *p* in dermatomyositis."""
    report = assess(recorded_woman(), p, indication="dermatomyositis", config=config)
    return report.with_code(LIMIT)


LABEL_ONLY = SafetyConfig(dose_limits=(SafetyConfig().dose_limits[0],))


def test_label_limits_are_the_octagam_dm_label() -> None:
    """The first built-in limit: Octagam 10 % DM, 2 g/kg, 1 g/kg/day, 28 days.

    Octagam 10 % US PI: "2 g/kg divided in equal doses given over 2-5
    consecutive days every 4 weeks" (4 weeks = 28 days; 2 g/kg over the
    fewest, 2, days = 1 g/kg a day).
    """
    lim = LABEL_ONLY.dose_limits[0]
    assert (lim.indication, lim.product) == ("dermatomyositis", "octagam-10")
    assert float(lim.max_per_course.magnitude) == 2.0  # type: ignore[union-attr]
    assert float(lim.max_per_day.magnitude) == 1.0  # type: ignore[union-attr]
    assert float(lim.min_interval.magnitude) == 28.0  # type: ignore[union-attr]


def test_course_at_the_label_maximum_is_quiet() -> None:
    """2 g/kg over 2 days, 1 g/kg a day: at every limit, nothing fires."""
    assert dm(octagam(2.0, days=2), LABEL_ONLY) == ()


def test_course_just_above_the_label_maximum_fires() -> None:
    """2.05 g/kg over 5 days (0.41 g/kg a day): the course limit only.

    A soft limit for the plan, citing the label, and it blocks.
    """
    report = assess(
        recorded_woman(),
        octagam(2.05, days=5),
        indication="dermatomyositis",
        config=LABEL_ONLY,
    )
    (f,) = report.with_code(LIMIT)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.SOFT_LIMIT,
        Concern.whole_plan(),
    )
    assert f.message == (
        "Above the 2 g/kg per course for dermatomyositis, octagam-10 (course 1: "
        "2.05 g/kg). Check the dose, or override with the reason."
    )
    assert cited_in([f.source]) == ("octagam10-uspi",)
    assert f in report.blocking


def test_day_above_the_label_daily_maximum_fires() -> None:
    """1.9 g/kg in 1 day: 1.9 > 1 g/kg a day, the course 1.9 ≤ 2 is quiet."""
    (f,) = dm(octagam(1.9, days=1), LABEL_ONLY)
    assert (f.severity, f.concerns) == (Severity.SOFT_LIMIT, Concern.whole_plan())
    assert cited_in([f.source]) == ("octagam10-uspi",)
    assert f.message == (
        f"Above the 1 g/kg per day for dermatomyositis, octagam-10 on 1 day "
        f"({day(0)}: 1.9 g/kg). Check the dose, or override with the reason."
    )


def test_days_above_a_daily_maximum_are_counted() -> None:
    """3 g/kg over 2 days (1.5 g/kg a day): both limits, days plural."""
    day_f, course_f = dm(octagam(3.0, days=2), LABEL_ONLY)
    assert day_f.message == (
        f"Above the 1 g/kg per day for dermatomyositis, octagam-10 on 2 days "
        f"({day(0)}: 1.5 g/kg; {day(1)}: 1.5 g/kg). Check the dose, or override "
        "with the reason."
    )
    assert course_f.message.startswith(
        "Above the 2 g/kg per course for dermatomyositis, octagam-10 (course 1: "
        "3 g/kg)."
    )


def test_a_limit_for_any_product_names_only_the_indication() -> None:
    """A limit without a product: 'for cidp', every course above listed."""
    cfg = SafetyConfig(
        dose_limits=(
            DoseLimit(indication="CIDP", max_per_course="1 g/kg", source="local"),
        )
    )
    p = make_plan(product="privigen", course_g_per_kg=1.5, cycles=2)
    (f,) = assess(recorded_woman(), p, indication="cidp", config=cfg).with_code(LIMIT)
    assert f.message == (
        "Above the 1 g/kg per course for cidp (course 1: 1.5 g/kg; course 2: "
        "1.5 g/kg). Check the dose, or override with the reason."
    )
    assert f.source == "local"


def test_day_at_a_daily_maximum_is_quiet() -> None:
    """0.5 g/kg a day against 0.5 g/kg per day: at the limit, quiet."""
    cfg = SafetyConfig(
        dose_limits=(DoseLimit(indication="cidp", max_per_day="0.5 g/kg", source="t"),)
    )
    p = make_plan(product="privigen", course_g_per_kg=1.0, days=2)
    assert (
        assess(recorded_woman(), p, indication="cidp", config=cfg).with_code(LIMIT)
        == ()
    )


def test_every_applicable_limit_is_checked() -> None:
    """Both DM limits (the label's and Ontario's) fire on 2.5 g/kg."""
    found = dm(octagam(2.5, days=5))
    assert sorted(cited_in([f.source]) for f in found) == [
        ("octagam10-uspi",),
        ("ontario-igum-iim",),
    ]


def test_courses_28_days_apart_follow_the_label_interval() -> None:
    """Courses 28 days apart ("every 4 weeks"): within the label."""
    assert dm(octagam(gaps=(28,)), LABEL_ONLY) == ()


def test_courses_27_days_apart_are_above_the_label_intensity() -> None:
    """27 days apart: 2 g/kg ÷ 27 days × 7 = 0.5185 → 0.52 g/kg per week.

    The label's: 2 g/kg ÷ 28 days × 7 = 0.5 g/kg per week.
    """
    (f,) = dm(octagam(gaps=(27,)), LABEL_ONLY)
    assert (f.severity, f.concerns) == (Severity.SOFT_LIMIT, Concern.whole_plan())
    assert f.message == (
        "Shorter interval than the label for dermatomyositis, octagam-10: label "
        "2 g/kg every 28 days (0.5 g/kg per week); plan course 2 27 days after "
        "course 1 (2 g/kg, 0.52 g/kg per week). The plan is above the label's "
        "dose intensity and does not follow its interval. Check the schedule, or "
        "override with the reason."
    )
    assert cited_in([f.source]) == ("octagam10-uspi",)


def test_every_close_pair_is_listed_in_course_order() -> None:
    """Gaps 20, 28, 14 days: courses 2 and 4 listed; cycles sorted by number.

    1 g/kg courses: 1 ÷ 20 × 7 = 0.35, 1 ÷ 14 × 7 = 0.5 g/kg per week.
    """
    p = octagam(1.0, gaps=(20, 28, 14))
    p = attrs.evolve(p, cycles=tuple(reversed(p.cycles)))
    (f,) = dm(p, LABEL_ONLY)
    assert (
        "plan course 2 20 days after course 1 (1 g/kg, 0.35 g/kg per week); "
        "course 4 14 days after course 3 (1 g/kg, 0.5 g/kg per week)."
    ) in f.message


def test_interval_limit_without_a_course_maximum() -> None:
    """A limit with an interval only says 'every 21 days'."""
    cfg = SafetyConfig(
        dose_limits=(DoseLimit(indication="cidp", min_interval="21 day", source="t"),)
    )
    p = make_plan(
        product="privigen", cycles=2, starts=[START, START + dt.timedelta(20)]
    )
    (f,) = assess(recorded_woman(), p, indication="cidp", config=cfg).with_code(LIMIT)
    assert f.message.startswith(
        "Shorter interval than the label for cidp: label every 21 days; plan "
        "course 2 20 days after course 1 (2 g/kg, 0.7 g/kg per week)."
    )


def test_the_gap_after_a_ramp_up_course_is_not_a_label_interval() -> None:
    """A ramp-up course 7 days before the next is the ramp, not the DM interval."""
    p = octagam(gaps=(7,))
    first = attrs.evolve(p.cycles[0], phase=Phase.RAMP_UP)
    p = attrs.evolve(p, cycles=(first, p.cycles[1]))
    assert not [f for f in dm(p, LABEL_ONLY) if "Shorter interval" in f.message]


def test_no_indication_is_not_assessed() -> None:
    """No indication: an INFO not-assessed finding for the plan."""
    f = only(assess(recorded_woman(), make_plan(product="privigen")), LIMIT)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.INFO,
        Concern.whole_plan(),
        (
            "No indication given: the dose was not checked against indication or "
            "label dose limits. Pass indication=... to assess."
        ),
    )


def test_no_limit_for_the_indication_is_not_assessed() -> None:
    """An indication without a limit: INFO, naming it and the product."""
    report = assess(recorded_woman(), make_plan(product="privigen"), indication="itp")
    f = only(report, LIMIT)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.INFO,
        Concern.whole_plan(),
        (
            "No dose limit is configured for itp with privigen: dose against label or "
            "guideline maxima not assessed (the product data holds no dose maxima; add "
            "a DoseLimit)."
        ),
    )


# --------------------------------------------------------------------------
# COURSE_INTERVAL_SHORT


def with_phases(
    p: Plan,
    phases: tuple[Phase, ...],
    gaps: tuple[int, ...],
    regimen: Regimen | None = None,
) -> Plan:
    """*p*'s courses with these phases, started (and planned) *gaps* days apart."""
    starts = [START]
    for gap in gaps:
        starts.append(starts[-1] + dt.timedelta(days=gap))
    cycles = tuple(
        attrs.evolve(c, phase=phase, start=s, planned_start=s)
        for c, phase, s in zip(p.cycles, phases, starts, strict=True)
    )
    infusions = tuple(
        attrs.evolve(i, date=starts[i.cycle - 1] + dt.timedelta(days=i.day - 1))
        for i in p.infusions
    )
    return attrs.evolve(
        p,
        cycles=cycles,
        infusions=infusions,
        regimen=p.regimen if regimen is None else regimen,
    )


def shorts(p: Plan) -> tuple[Finding, ...]:
    """The COURSE_INTERVAL_SHORT findings of *p*."""
    return assess(recorded_woman(), p).with_code(SHORT)


M = Phase.MAINTENANCE
R = Phase.RAMP_UP
INDUCTION = Phase.INDUCTION


def test_a_course_on_the_regimen_interval_is_quiet() -> None:
    """28 days after the previous course on a 28-day regimen: quiet."""
    assert shorts(with_phases(make_plan(cycles=2), (M, M), (28,))) == ()


def test_a_course_one_day_early_is_a_warning_for_that_course() -> None:
    """27 days on a 28-day regimen: 1 day sooner; a warning, not blocking."""
    p = with_phases(make_plan(cycles=2), (M, M), (27,))
    report = assess(recorded_woman(), p)
    f = only(report, SHORT)
    assert (f.assessed, f.severity, f.concerns) == (
        True,
        Severity.WARNING,
        Concern.course(2),
    )
    assert f.message == (
        "Course 2 starts 27 days after course 1, 1 day sooner than the regimen's "
        "28-day interval. Check the dates, or confirm the shorter gap was intended."
    )
    assert f.source.endswith(" (test fixture)")  # the regimen's source
    assert f.source.startswith(FindingCode.COURSE_INTERVAL_SHORT.rule.source)
    assert f not in report.blocking


def test_a_course_one_day_after_the_previous_says_day() -> None:
    """1 day after the previous course on a 28-day regimen: "1 day", 27 sooner."""
    (f,) = shorts(with_phases(make_plan(cycles=2), (M, M), (1,)))
    assert f.message == (
        "Course 2 starts 1 day after course 1, 27 days sooner than the regimen's "
        "28-day interval. Check the dates, or confirm the shorter gap was intended."
    )


def test_the_planned_gap_counts_when_longer_than_the_interval() -> None:
    """Planned 35 days apart, given 30 days apart: 5 days sooner than planned."""
    p = make_plan(cycles=2, interval_days=28)
    second = attrs.evolve(
        p.cycles[1],
        planned_start=START + dt.timedelta(35),
        start=START + dt.timedelta(30),
    )
    p = attrs.evolve(p, cycles=(p.cycles[0], second))
    (f,) = shorts(p)
    assert "30 days after course 1, 5 days sooner than 35 days as planned." in (
        f.message
    )


def induction_regimen(first_after: str = "21 day") -> Regimen:
    """2 g/kg induction, then 1 g/kg every 28 days from *first_after*."""
    return Regimen(
        name="fixture",
        induction=Induction(
            dose="2 g/kg", allowed_days=DayRange.exactly(2), days=2, source="t"
        ),
        maintenance=Maintenance(
            dose="1 g/kg",
            interval="28 day",
            allowed_days=DayRange.exactly(2),
            days=2,
            allowed_cycles=DayRange(low=1),
            cycles=2,
            source="t",
        ),
        first_maintenance_after=first_after,
        source="test fixture",
    )


def test_the_first_maintenance_follows_the_induction_gap() -> None:
    """Induction then maintenance 21 days later: quiet; 20 days: 1 day sooner.

    The maintenance interval (28 days) is not the induction's gap (21 days).
    """
    base = make_plan(cycles=3)
    reg = induction_regimen()
    assert shorts(with_phases(base, (INDUCTION, M, M), (21, 28), reg)) == ()
    (f,) = shorts(with_phases(base, (INDUCTION, M, M), (20, 28), reg))
    assert f.concerns == Concern.course(2)
    assert "20 days after course 1, 1 day sooner than 21 days from the induction." in (
        f.message
    )


def test_induction_courses_are_held_to_their_planned_dates_only() -> None:
    """Two induction courses 10 days apart as planned: no maintenance interval."""
    base = make_plan(cycles=3)
    reg = induction_regimen()
    assert shorts(with_phases(base, (INDUCTION, INDUCTION, M), (10, 21), reg)) == ()
    assert shorts(with_phases(base, (M, INDUCTION, M), (10, 21), reg)) == ()


def test_hyqvia_ramp_up_gaps_are_the_label_weeks() -> None:
    """Ramp-up courses at weeks 1, 2, 4 and the full dose at week 7: quiet.

    HyQvia US PI: the k-th ramp-up infusion is a k-week dose, the next
    follows k weeks later: 7, 14, 21 days.
    """
    p = with_phases(make_plan(cycles=5), (R, R, R, M, M), (7, 14, 21, 28))
    assert shorts(p) == ()


def test_each_ramp_up_gap_one_day_short_fires() -> None:
    """6, 13, 20 days after ramp-up courses 1, 2, 3: one day short each."""
    p = with_phases(make_plan(cycles=4), (R, R, R, M), (6, 13, 20))
    found = shorts(p)
    assert [f.concerns for f in found] == [Concern.course(n) for n in (2, 3, 4)]
    assert [f.message.split(". ")[0] for f in found] == [
        (
            "Course 2 starts 6 days after course 1, 1 day sooner than the label's "
            "HyQvia ramp-up (7 days after ramp-up course 1, weeks 1 to 2)"
        ),
        (
            "Course 3 starts 13 days after course 2, 1 day sooner than the label's "
            "HyQvia ramp-up (14 days after ramp-up course 2, weeks 2 to 4)"
        ),
        (
            "Course 4 starts 20 days after course 3, 1 day sooner than the label's "
            "HyQvia ramp-up (21 days after ramp-up course 3, weeks 4 to 7)"
        ),
    ]


def test_a_fourth_ramp_up_course_has_no_label_gap() -> None:
    """The label's 4-week ramp has 3 gaps: after a 4th ramp-up course, INFO."""
    p = with_phases(make_plan(cycles=5), (R, R, R, R, M), (7, 14, 21, 30))
    f = only(assess(recorded_woman(), p), SHORT)
    assert (f.assessed, f.severity, f.concerns, f.message) == (
        False,
        Severity.INFO,
        Concern.course(5),
        (
            "Courses 4 and 5 are 30 days apart; the label's HyQvia ramp-up has no gap "
            "after ramp-up course 4: not assessed."
        ),
    )


def test_courses_are_compared_in_number_order() -> None:
    """Cycles stored out of order are read by number (27 days: one finding)."""
    p = with_phases(make_plan(cycles=3), (M, M, M), (28, 27))
    p = attrs.evolve(p, cycles=(p.cycles[2], p.cycles[0], p.cycles[1]))
    (f,) = shorts(p)
    assert f.concerns == Concern.course(3)
