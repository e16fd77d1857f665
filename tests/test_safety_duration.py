"""MAINTENANCE_BEYOND_LABEL_DURATION: maintenance longer than the label studied.

The US labels of Privigen and Gammagard Liquid (limitations of use, read at
the manufacturers' pages quoting them): CIDP maintenance "has not been
studied for periods longer than 6 months ... Individualize the duration of
any treatment beyond 6 months based upon the patient's response and
demonstrated need for continued therapy". Dates below are counted by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import InputError, PlanRequest, get_preset, rate_schedule, replan
from ivig_core.io.json import plan_from_json, plan_to_json
from ivig_core.plan import Administered, Phase, Plan
from ivig_core.planning import plan as plan_request
from ivig_core.products import get_product, load_formulary
from ivig_core.regimen import DoseSteps, Stop, Taper
from ivig_core.safety import (
    Finding,
    FindingCode,
    Override,
    SafetyConfig,
    SafetyReport,
    Severity,
    assess,
)
from ivig_core.sources import cited_in
from safety_plans import fired, make_plan, unassessed
from test_products import GOOD
from worked import recorded_woman


CODE = FindingCode.MAINTENANCE_BEYOND_LABEL_DURATION
PRIVIGEN_WORDS = (
    "Privigen maintenance therapy in CIDP has not been studied for periods "
    "longer than 6 months."
)


def every_3_weeks(cycles: int, product: str = "privigen") -> Plan:
    """1 g/kg maintenance courses every 21 days from Monday 2026-01-05."""
    return make_plan(
        product=product,
        course_g_per_kg=1.0,
        days=1,
        cycles=cycles,
        interval_days=21,
    )


def starting(*starts: dt.date, product: str = "privigen") -> Plan:
    """Maintenance courses starting on *starts*."""
    return make_plan(
        product=product,
        course_g_per_kg=1.0,
        days=1,
        cycles=len(starts),
        interval_days=21,
        starts=starts,
    )


def with_phases(plan: Plan, phases: dict[int, Phase]) -> Plan:
    """*plan* with the listed courses in another phase."""
    cycles = tuple(
        attrs.evolve(c, phase=phases[c.number]) if c.number in phases else c
        for c in plan.cycles
    )
    return attrs.evolve(plan, cycles=cycles)


def cidp(plan: Plan) -> tuple[Finding, ...]:
    """The assessed findings with the code, for CIDP."""
    return fired(assess(recorded_woman(), plan, indication="cidp"), CODE)


# --------------------------------------------------------------------------
# The catalogue


def test_privigen_and_gammagard_liquid_cidp_were_studied_6_months() -> None:
    """Both labels: 6 months, in their own words, cited by ID."""
    privigen = get_product("privigen").maintenance_duration("cidp")
    assert privigen is not None
    assert privigen.months == 6
    assert privigen.words.startswith(PRIVIGEN_WORDS)
    assert "Individualize the duration of any treatment beyond 6 months" in (
        privigen.words
    )
    assert privigen.source.ids == ("privigen-uspi", "privigen-hcp-site")
    gammagard = get_product("gammagard-liquid").maintenance_duration("CIDP")
    assert gammagard is not None
    assert gammagard.months == 6
    assert gammagard.words.startswith(
        "GAMMAGARD LIQUID maintenance therapy in CIDP has not been studied for "
        "periods longer than 6 months."
    )
    assert gammagard.source.ids == ("gammagard-liquid-uspi", "gammagard-hcp-site")


@pytest.mark.parametrize(
    ("product", "indication"),
    [("gamunex-c", "cidp"), ("panzyga", "cidp"), ("octagam-10", "dermatomyositis")],
)
def test_labels_read_without_a_stated_duration_record_none(
    product: str, indication: str
) -> None:
    """Checked and none stated: recorded as None with the pages read, not absent."""
    duration = get_product(product).maintenance_duration(indication)
    assert duration is not None
    assert duration.months is None
    assert duration.words == ""
    assert duration.source.ids
    assert "not stated" in duration.note or "No studied duration" in duration.note


def test_no_entry_where_nothing_was_recorded() -> None:
    """Privigen PI and a non-text indication: no recorded duration."""
    assert get_product("privigen").maintenance_duration("pi") is None
    assert get_product("privigen").maintenance_duration(None) is None


def test_a_formulary_may_record_a_duration(tmp_path: Path) -> None:
    """A local formulary reads the same rows, checked (months 1 to 120)."""
    row = (
        "\n[[products.local-ivig.maintenance_durations]]\n"
        'indication = "pi"\nmonths = {months}\nwords = "studied for 12 months"\n'
        'source = "local formulary"\nversion = "2026-01"\n'
    )
    path = tmp_path / "formulary.toml"
    path.write_text(GOOD + row.format(months=12), encoding="utf-8")
    product = get_product("local-ivig", load_formulary(path))
    duration = product.maintenance_duration("pi")
    assert duration is not None
    assert duration.months == 12
    path.write_text(GOOD + row.format(months=0), encoding="utf-8")
    with pytest.raises(InputError, match=r"maintenance_durations\[0\]\.months"):
        load_formulary(path)


# --------------------------------------------------------------------------
# The check


def test_nine_courses_every_3_weeks_stay_within_6_months() -> None:
    """Courses 1-9 start 2026-01-05 to 2026-06-22 (+168 days), before 2026-07-05."""
    assert not cidp(every_3_weeks(9))


def test_a_tenth_course_is_beyond_and_the_label_is_quoted() -> None:
    """Course 10 starts 2026-07-13 (+189 days), after 2026-07-05: a warning.

    By hand: 2026-01-05 + 6 calendar months = 2026-07-05; 2026-06-22 + 21
    days = 2026-07-13.
    """
    (f,) = cidp(every_3_weeks(10))
    assert f.severity is Severity.WARNING
    assert f.concerns.kind == "plan"
    assert f.message.startswith(
        "Privigen for cidp: maintenance starts 2026-01-05 and 1 maintenance "
        "course starts more than 6 months later, after 2026-07-05 (course 10 "
        f"(2026-07-13)). The label: '{PRIVIGEN_WORDS}"
    )
    assert "Individualize the duration" in f.message
    assert cited_in([f.source]) == ("privigen-uspi", "privigen-hcp-site")


def test_twelve_courses_list_every_course_beyond() -> None:
    """Courses 10, 11, 12 start 2026-07-13, 2026-08-03, 2026-08-24."""
    (f,) = cidp(every_3_weeks(12))
    assert "3 maintenance courses start more than 6 months later" in f.message
    assert "courses 10 (2026-07-13), 11 (2026-08-03), 12 (2026-08-24)" in f.message


@pytest.mark.parametrize(
    ("second", "beyond"),
    [
        (dt.date(2026, 7, 4), False),
        (dt.date(2026, 7, 5), False),  # exactly 6 months: within
        (dt.date(2026, 7, 6), True),  # one day more
    ],
)
def test_at_below_and_above_6_months(second: dt.date, *, beyond: bool) -> None:
    """A course on the day the 6 months end is within; the next day is beyond."""
    assert bool(cidp(starting(dt.date(2026, 1, 5), second))) is beyond


@pytest.mark.parametrize(
    ("second", "beyond"),
    [(dt.date(2027, 2, 28), False), (dt.date(2027, 3, 1), True)],
)
def test_calendar_months_end_on_the_months_last_day(
    second: dt.date, *, beyond: bool
) -> None:
    """From 2026-08-31, 6 calendar months end on 2027-02-28 (no 31 February)."""
    assert bool(cidp(starting(dt.date(2026, 8, 31), second))) is beyond


def test_counted_from_the_first_maintenance_course_not_the_induction() -> None:
    """An induction course does not start the count; a taper course counts.

    By hand: induction 2026-01-05; maintenance from course 2, 2026-01-26;
    6 months later 2026-07-26: course 10 (2026-07-13) is within, course 11
    (2026-08-03), a taper course here, is beyond.
    """
    plan = with_phases(every_3_weeks(11), {1: Phase.INDUCTION, 11: Phase.TAPER})
    (f,) = cidp(plan)
    assert "maintenance starts 2026-01-26" in f.message
    assert "after 2026-07-26 (course 11 (2026-08-03))" in f.message
    assert not cidp(with_phases(every_3_weeks(10), {1: Phase.INDUCTION}))


def test_gammagard_liquid_cidp_too() -> None:
    """The same 6 months for Gammagard Liquid, quoting its own label."""
    (f,) = cidp(every_3_weeks(10, product="gammagard-liquid"))
    assert "GAMMAGARD LIQUID maintenance therapy in CIDP" in f.message


@pytest.mark.parametrize(
    ("product", "indication"),
    [
        ("gamunex-c", "cidp"),
        ("panzyga", "cidp"),
        ("octagam-10", "dermatomyositis"),
        ("privigen", "pi"),
    ],
)
def test_quiet_where_the_label_states_no_duration(
    product: str, indication: str
) -> None:
    """No stated duration (or none recorded): no finding, however long the plan."""
    report = assess(recorded_woman(), every_3_weeks(20, product), indication=indication)
    assert not report.with_code(CODE)


def test_without_an_indication_it_is_not_assessed() -> None:
    """Privigen states 6 months for CIDP; without an indication: INFO, not assessed."""
    report = assess(recorded_woman(), every_3_weeks(10))
    assert not fired(report, CODE)
    (f,) = unassessed(report, CODE)
    assert f.severity is Severity.INFO
    assert "No indication given" in f.message
    assert "after 2026-07-05" in f.message
    assert not assess(recorded_woman(), every_3_weeks(9)).with_code(CODE)


def test_a_warning_does_not_block_a_site_may_raise_it_then_override() -> None:
    """'Individualize', not 'do not': a warning; raised, a soft limit with a reason."""
    plan = every_3_weeks(10)
    woman_ = recorded_woman()
    assert CODE.rule.raisable
    report = assess(woman_, plan, indication="cidp")
    assert CODE not in {f.code for f in report.blocking}
    raised = SafetyConfig(severities={CODE.value: Severity.SOFT_LIMIT})
    blocked = assess(woman_, plan, indication="cidp", config=raised)
    (f,) = fired(blocked, CODE)
    assert f.severity is Severity.SOFT_LIMIT
    assert CODE in {b.code for b in blocked.blocking}
    accepted = Override(code=CODE, reason="responding; neurologist reviews at 6 months")
    kept = assess(woman_, plan, indication="cidp", config=raised, overrides=[accepted])
    assert CODE not in {b.code for b in kept.blocking}
    assert [o.code for o in kept.overridden] == [CODE]


# --------------------------------------------------------------------------
# Property


@given(
    start=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 12, 31)),
    gaps=st.lists(st.integers(min_value=7, max_value=60), min_size=1, max_size=8),
)
def test_a_span_under_181_days_never_fires_over_184_always(
    start: dt.date, gaps: list[int]
) -> None:
    """6 calendar months are 181 to 184 days: shorter never fires, longer always."""
    starts = [start]
    for gap in gaps:
        starts.append(starts[-1] + dt.timedelta(days=gap))
    span = (starts[-1] - starts[0]).days
    found = bool(cidp(starting(*starts)))
    if span <= 181:
        assert not found
    if span > 184:
        assert found


# --------------------------------------------------------------------------
# After a re-plan: counted from the first maintenance course given
#
# A Privigen CIDP course: a 2 g/kg induction over 2 days from Monday
# 2026-01-05, then 1 g/kg every 3 weeks from 2026-01-26 (21 days after the
# induction's first day), tapered by the JND 2023 steps every 3 weeks. Its
# courses start 01-05, 01-26, 02-16, 03-09, 03-30, 04-20, 05-11, 06-01,
# 06-22, 07-13, 08-03, 08-24 ... (+21 days each, counted by hand).


def privigen_cidp() -> PlanRequest:
    """The request of the Privigen CIDP course above."""
    return PlanRequest(
        patient=recorded_woman(),
        regimen=get_preset("cidp-ice").choose(
            induction_days=2,
            maintenance_days=1,
            taper=Taper(strategy=DoseSteps.jnd_2023(), end=Stop()),
        ),
        product="privigen",
        start=dt.date(2026, 1, 5),
        indication="cidp",
        policy="actual",
        rounding="never-below",
        rate_weight="dosing",
        rate_schedule=rate_schedule(
            "privigen", "cidp", increment="1 mg/kg/min", interval="30 min"
        ),
    )


REQUEST = privigen_cidp()
COURSE = plan_request(REQUEST)


def report(plan: Plan) -> SafetyReport:
    """The safety report the planner attached to *plan*."""
    assert plan.safety is not None
    return plan.safety


def given_before(
    plan: Plan, day: dt.date, moved: dict[dt.date, dt.date] | None = None
) -> list[Administered]:
    """Every infusion day of *plan* before *day*, given (*moved*: on another day)."""
    moved = moved or {}
    return [
        Administered(
            date=moved.get(i.date, i.date),
            grams=f"{i.dispensed_g} g",
            product="privigen",
        )
        for i in plan.infusions
        if i.date < day
    ]


def test_the_course_as_planned() -> None:
    """The dates the tests below count from (by hand, above)."""
    starts = [(c.number, c.phase, c.start) for c in COURSE.cycles[:11]]
    assert starts[:3] == [
        (1, Phase.INDUCTION, dt.date(2026, 1, 5)),
        (2, Phase.MAINTENANCE, dt.date(2026, 1, 26)),
        (3, Phase.MAINTENANCE, dt.date(2026, 2, 16)),
    ]
    assert starts[8:] == [
        (9, Phase.TAPER, dt.date(2026, 6, 22)),
        (10, Phase.TAPER, dt.date(2026, 7, 13)),
        (11, Phase.TAPER, dt.date(2026, 8, 3)),
    ]
    assert COURSE.maintenance_started is None


def test_a_re_plan_at_month_5_does_not_restart_the_count() -> None:
    """Re-planned from 2026-06-22: counted from 2026-01-26, as given, not 06-22.

    By hand: 2026-01-26 + 6 calendar months = 2026-07-26; the new plan's
    courses 1, 2 (06-22, 07-13) are within, 3 (08-03) and later are beyond.
    Counted from 06-22 (the re-plan's first course), the period would end on
    2026-12-22 and courses 3 to 9 would pass unseen.
    """
    day = dt.date(2026, 6, 22)
    new = replan(
        COURSE, request=REQUEST, administered=given_before(COURSE, day), from_date=day
    )
    assert new.maintenance_started == dt.date(2026, 1, 26)
    assert new.cycles[0].start == day
    (f,) = fired(report(new), CODE)
    assert f.message.startswith(
        "Privigen for cidp: maintenance was first given on 2026-01-26, before "
        "this plan (the history of what was given), and "
    )
    assert (
        "more than 6 months later, after 2026-07-26 (courses 3 (2026-08-03), "
        "4 (2026-08-24), "
    ) in f.message
    assert f.severity is Severity.WARNING
    assert assess(recorded_woman(), new, indication="cidp").with_code(CODE) == (f,)


@pytest.mark.parametrize(
    ("first_given", "end", "first_beyond"),
    [
        # given a day early: 07-25 ends the period, 07-26 (course 2) is beyond
        (dt.date(2026, 1, 25), "2026-07-25", "2 (2026-07-26)"),
        # as planned: 07-26 ends it, course 2 on 07-26 is within
        (dt.date(2026, 1, 26), "2026-07-26", "3 (2026-08-16)"),
        # given a day late: 07-27 ends it, course 2 on 07-26 is within
        (dt.date(2026, 1, 27), "2026-07-27", "3 (2026-08-16)"),
    ],
)
def test_at_just_before_and_just_after_6_months_from_the_day_given(
    first_given: dt.date, end: str, first_beyond: str
) -> None:
    """Re-planned from 2026-07-05: its courses start 07-05, 07-26, 08-16 ...

    The first maintenance dose, planned 01-26, given on *first_given*: the
    6 calendar months end 6 months after the day it was given.
    """
    day = dt.date(2026, 7, 5)
    moved = {dt.date(2026, 1, 26): first_given}
    new = replan(
        COURSE,
        request=REQUEST,
        administered=given_before(COURSE, day, moved),
        from_date=day,
    )
    assert [c.start for c in new.cycles[:3]] == [
        dt.date(2026, 7, 5),
        dt.date(2026, 7, 26),
        dt.date(2026, 8, 16),
    ]
    assert new.maintenance_started == first_given
    (f,) = fired(report(new), CODE)
    assert f"first given on {first_given.isoformat()}," in f.message
    assert f"after {end} (courses {first_beyond}, " in f.message


def test_a_missed_first_maintenance_dose_is_not_given() -> None:
    """01-26 recorded as 0 g (missed): maintenance was first given 02-16."""
    day = dt.date(2026, 6, 22)
    records = [
        attrs.evolve(r, grams="0 g") if r.date == dt.date(2026, 1, 26) else r
        for r in given_before(COURSE, day)
    ]
    new = replan(COURSE, request=REQUEST, administered=records, from_date=day)
    assert new.maintenance_started == dt.date(2026, 2, 16)
    (f,) = fired(report(new), CODE)
    assert "first given on 2026-02-16," in f.message
    assert "after 2026-08-16 (courses 4 (2026-08-24), " in f.message


def test_a_re_plan_before_any_maintenance_counts_as_before() -> None:
    """Only the induction given (01-05, 01-06), re-planned from 01-20.

    No maintenance given: counted from the new plan's first maintenance
    course, as for a plan made from scratch (here 01-20; + 6 months =
    2026-07-20).
    """
    day = dt.date(2026, 1, 20)
    new = replan(
        COURSE, request=REQUEST, administered=given_before(COURSE, day), from_date=day
    )
    assert new.maintenance_started is None
    assert (new.cycles[0].phase, new.cycles[0].start) == (Phase.MAINTENANCE, day)
    (f,) = fired(report(new), CODE)
    assert f.message.startswith("Privigen for cidp: maintenance starts 2026-01-20 and ")
    assert "after 2026-07-20 (courses " in f.message


def test_a_re_plan_of_a_re_plan_keeps_the_first_day_given() -> None:
    """Re-planned at 06-22, then at 09-14: still counted from 2026-01-26."""
    first = replan(
        COURSE,
        request=REQUEST,
        administered=given_before(COURSE, dt.date(2026, 6, 22)),
        from_date=dt.date(2026, 6, 22),
    )
    day = dt.date(2026, 9, 14)
    since = given_before(first, day)
    second = replan(
        first, request=REQUEST, administered=first.history.add(since), from_date=day
    )
    assert second.maintenance_started == dt.date(2026, 1, 26)
    (f,) = fired(report(second), CODE)
    assert "first given on 2026-01-26," in f.message
    assert "after 2026-07-26 (courses 1 (2026-09-14), " in f.message


def test_the_day_given_round_trips_through_json() -> None:
    """The document records the day; both ways of loading keep it."""
    day = dt.date(2026, 6, 22)
    new = replan(
        COURSE, request=REQUEST, administered=given_before(COURSE, day), from_date=day
    )
    text = plan_to_json(new)
    assert '"maintenance_started": "2026-01-26"' in text
    assert plan_from_json(text) == new
    assert plan_from_json(text, verify="arithmetic") == new


def given_on(day: dt.date, plan: Plan) -> Plan:
    """*plan*, recorded as re-planned after maintenance was first given on *day*."""
    return attrs.evolve(plan, maintenance_started=day)


@pytest.mark.parametrize(
    ("second", "beyond"),
    [
        (dt.date(2026, 7, 4), False),
        (dt.date(2026, 7, 5), False),  # exactly 6 months after the day given
        (dt.date(2026, 7, 6), True),
    ],
)
def test_counted_from_the_day_given_at_below_and_above(
    second: dt.date, *, beyond: bool
) -> None:
    """Maintenance given from 2026-01-05; the plan's courses 2026-05-04 and *second*."""
    plan = given_on(dt.date(2026, 1, 5), starting(dt.date(2026, 5, 4), second))
    assert bool(cidp(plan)) is beyond


@pytest.mark.parametrize(
    ("second", "beyond"),
    [(dt.date(2027, 2, 28), False), (dt.date(2027, 3, 1), True)],
)
def test_counted_from_the_day_given_in_calendar_months(
    second: dt.date, *, beyond: bool
) -> None:
    """Given from 2026-08-31: 6 calendar months end on 2027-02-28."""
    plan = given_on(dt.date(2026, 8, 31), starting(dt.date(2026, 12, 7), second))
    assert bool(cidp(plan)) is beyond


def test_a_day_given_not_before_the_plans_first_course_is_not_used() -> None:
    """The earlier of the two counts: the plan's own first course (2026-01-05)."""
    for day in (dt.date(2026, 1, 5), dt.date(2026, 3, 1)):
        (f,) = cidp(given_on(day, every_3_weeks(10)))
        assert f.message.startswith(
            "Privigen for cidp: maintenance starts 2026-01-05 and 1 maintenance "
            "course starts more than 6 months later, after 2026-07-05 (course 10 "
            "(2026-07-13))."
        )


def test_without_an_indication_counted_from_the_day_given() -> None:
    """Not assessed, and the end of the period counted from the day given."""
    plan = given_on(dt.date(2025, 12, 1), every_3_weeks(9))
    (f,) = unassessed(assess(recorded_woman(), plan), CODE)
    assert "1 maintenance course starts after 2026-06-01: not assessed" in f.message


def test_the_day_given_is_a_date() -> None:
    """A text or a datetime is refused, naming the field, on the plan and in assess."""
    plan = every_3_weeks(2)
    for bad in ("2026-01-05", dt.datetime(2026, 1, 5, 9, 0)):  # noqa: DTZ001 - the bad value
        with pytest.raises(InputError, match=r"^maintenance_started: "):
            attrs.evolve(plan, maintenance_started=bad)
        sneaked = attrs.evolve(plan)
        object.__setattr__(sneaked, "maintenance_started", bad)
        with pytest.raises(InputError, match=r"^plan\.maintenance_started: "):
            assess(recorded_woman(), sneaked, indication="cidp")


@given(index=st.integers(min_value=1, max_value=len(COURSE.cycles) - 1))
def test_re_planning_as_given_flags_the_same_courses(index: int) -> None:
    """Everything given as planned, re-planned at any later course: the same days.

    The rest of the course keeps its dates; the courses beyond the studied
    period are the original plan's from that course on, wherever the re-plan
    falls (before, at or after the first maintenance course).
    """
    day = COURSE.cycles[index].start
    new = replan(
        COURSE, request=REQUEST, administered=given_before(COURSE, day), from_date=day
    )
    assert [c.start for c in new.cycles] == [c.start for c in COURSE.cycles[index:]]

    def flagged(plan: Plan) -> set[str]:
        found = fired(report(plan), CODE)
        return {
            d for f in found for d in re.findall(r"\((\d{4}-\d\d-\d\d)\)", f.message)
        }

    assert flagged(new) == {d for d in flagged(COURSE) if d >= day.isoformat()}
