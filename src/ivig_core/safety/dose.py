"""Dose checks.

The summary behind ``DAILY_DOSE_ABOVE_80G`` does not say whether "the dose"
is a day's or a course's; the check reads it per day (the larger of
calculated and dispensed grams) and gives one advice for the plan, listing
the days. ``DOSE_ABOVE_LIMIT`` is not assessed without an
indication or a :class:`~ivig_core.safety.config.DoseLimit` for it: the
product catalogue holds no dose maxima. ``COURSE_INTERVAL_SHORT`` compares
consecutive courses with the regimen's interval (and the plan's own planned
dates); after a HyQvia ramp-up course (:attr:`~ivig_core.plan.Phase.RAMP_UP`)
the gap is the label's ramp, not the regimen's interval: the k-th ramp-up
course is a k-week dose and the next dose follows k weeks later (weeks 1,
2, 4, 7; :func:`~ivig_core.scig.hyqvia_ramp_up_values`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from ivig_core._checks import DAYS_PER_WEEK, REL_TOL, days_word, exceeds
from ivig_core.findings import Concern, Finding, Rule, Severity
from ivig_core.plan import Cycle, Phase
from ivig_core.safety.config import DoseLimit
from ivig_core.safety.context import Context
from ivig_core.safety.registry import check, describe


__all__: list[str] = []


@check(
    code="DAILY_DOSE_ABOVE_80G",
    severity=Severity.ADVICE,
    rule=(
        "One or more infusion days above daily_grams_above (80 g): one "
        "finding for the plan, listing the days."
    ),
    action=(
        "Consider giving such a course over 3 to 5 days at 0.4 g/kg per day "
        "(the planner's split option). A site that wants a limit raises the "
        "severity in SafetyConfig.severities."
    ),
    source=(
        "An AI-generated summary citing Mayo Clin Proc (not read): 'If the "
        "dose of IVIG is higher than 80 g, it may be administered over 3 to 5 "
        "days at 0.4 g/kg'. A weak source: no label or guideline read gives "
        "an 80 g limit"
    ),
    sources=("droracle-privigen-dm",),
    parameters=("daily_grams_above",),
    raisable=True,
)
def _daily_grams(rule: Rule, ctx: Context) -> Iterable[Finding]:
    limit = ctx.config.daily_grams_above_g
    if not ctx.infusions:
        return [
            rule.not_assessed(
                "The plan has no infusions: daily grams not assessed.",
                Concern.whole_plan(),
            )
        ]
    days = [
        (inf.date, max(inf.calculated_g, inf.dispensed_g))
        for inf in ctx.infusions
        if exceeds(max(inf.calculated_g, inf.dispensed_g), limit)
    ]
    if not days:
        return []
    listed = "; ".join(f"{day.isoformat()}: {grams:g} g" for day, grams in days)
    count = f"{len(days)} infusion day" + ("s are" if len(days) > 1 else " is")
    return [
        rule.fired(
            f"{count} above {limit:g} g ({listed}). A secondary source says a "
            f"dose above {limit:g} g 'may be administered over 3 to 5 days at "
            "0.4 g/kg'; consider the planner's split option. No label gives an "
            "80 g limit.",
            Concern.whole_plan(),
        )
    ]


def _limit_findings(rule: Rule, ctx: Context, limit: DoseLimit) -> list[Finding]:
    """One finding per kind of limit exceeded: the label's figure and the plan's."""
    out: list[Finding] = []
    where = limit.indication + ("" if limit.product is None else f", {limit.product}")
    if limit.max_per_day is not None:
        day_max = float(limit.max_per_day.magnitude)
        days = [
            f"{inf.date.isoformat()}: {inf.dose_g_per_kg:g} g/kg"
            for inf in ctx.infusions
            if exceeds(inf.dose_g_per_kg, day_max)
        ]
        if days:
            out.append(
                rule.fired(
                    f"Above the {day_max:g} g/kg per day for {where} on "
                    f"{len(days)} day{'s' * (len(days) > 1)} ({'; '.join(days)}). "
                    "Check the dose, or override with the reason.",
                    Concern.whole_plan(),
                    source=limit.source,
                )
            )
    if limit.max_per_course is not None:
        course_max = float(limit.max_per_course.magnitude)
        courses = [
            f"course {number}: {dose:g} g/kg"
            for number, dose in sorted(ctx.course_doses().items())
            if exceeds(dose, course_max)
        ]
        if courses:
            out.append(
                rule.fired(
                    f"Above the {course_max:g} g/kg per course for {where} "
                    f"({'; '.join(courses)}). Check the dose, or override with "
                    "the reason.",
                    Concern.whole_plan(),
                    source=limit.source,
                )
            )
    if limit.min_interval is not None:
        out.extend(_interval_findings(rule, ctx, limit, where))
    return out


def _interval_findings(
    rule: Rule, ctx: Context, limit: DoseLimit, where: str
) -> list[Finding]:
    """Courses closer than the label's interval: above its dose intensity."""
    assert limit.min_interval is not None  # noqa: S101 - the caller checked
    label_days = float(limit.min_interval.magnitude)
    cycles = sorted(ctx.cycles, key=lambda c: c.number)
    doses = ctx.course_doses()
    close = [
        (a, b, float((b.start - a.start).days))
        for a, b in itertools.pairwise(cycles)
        if a.phase is not Phase.RAMP_UP
        and float((b.start - a.start).days) < label_days * (1 - REL_TOL)
    ]
    if not close:
        return []
    label_max = (
        None if limit.max_per_course is None else float(limit.max_per_course.magnitude)
    )
    label_text = (
        f"{label_max:g} g/kg every {label_days:g} days "
        f"({label_max / label_days * DAYS_PER_WEEK:.2g} g/kg per week)"
        if label_max is not None
        else f"every {label_days:g} days"
    )
    pairs = "; ".join(
        f"course {b.number} {gap:g} days after course {a.number} "
        f"({doses.get(a.number, 0.0):g} g/kg, "
        f"{doses.get(a.number, 0.0) / gap * DAYS_PER_WEEK:.2g} g/kg per week)"
        for a, b, gap in close
    )
    return [
        rule.fired(
            f"Shorter interval than the label for {where}: label {label_text}; "
            f"plan {pairs}. The plan is above the label's dose intensity and "
            "does not follow its interval. Check the schedule, or override with "
            "the reason.",
            Concern.whole_plan(),
            source=limit.source,
        )
    ]


@check(
    code="DOSE_ABOVE_LIMIT",
    severity=Severity.SOFT_LIMIT,
    rule=(
        "A day's or a course's g/kg above a configured DoseLimit for "
        "the indication (and product), or courses closer together than "
        "its labelled interval (above the label's dose intensity); one "
        "finding per kind, naming the label's figure and the plan's."
    ),
    action="Check the dose against the label or guideline; override with the reason.",
    source=(
        "Each DoseLimit's own source (label or guideline); the "
        "DOSEHINDW dose-for-weight alert"
    ),
    sources=("hl7-weight-alert",),
    parameters=("dose_limits",),
)
def _dose_limits(rule: Rule, ctx: Context) -> Iterable[Finding]:
    if ctx.indication is None:
        return [
            rule.not_assessed(
                "No indication given: the dose was not checked against "
                "indication or label dose limits. Pass indication=... to assess.",
                Concern.whole_plan(),
                severity=Severity.INFO,
            )
        ]
    limits = [
        lim
        for lim in ctx.config.dose_limits
        if lim.applies(ctx.indication, ctx.product_key)
    ]
    if not limits:
        return [
            rule.not_assessed(
                f"No dose limit is configured for {ctx.indication} with "
                f"{ctx.product_key}: dose against label or guideline maxima not "
                "assessed (the product data holds no dose maxima; add a DoseLimit).",
                Concern.whole_plan(),
                severity=Severity.INFO,
            )
        ]
    out: list[Finding] = []
    for lim in limits:
        out.extend(_limit_findings(rule, ctx, lim))
    return out


def _ramp_gap(position: int) -> tuple[float, str] | None:
    """The label's gap after the *position*-th HyQvia ramp-up course (from 1)."""
    from ivig_core.scig import hyqvia_ramp_up_values  # noqa: PLC0415 - start-up: the SC modules load on first SC use

    weeks = [week for week, _, _ in hyqvia_ramp_up_values(1.0, 4.0)]
    if position >= len(weeks):
        return None
    gap = float((weeks[position] - weeks[position - 1]) * 7)
    return gap, (
        f"the label's HyQvia ramp-up ({gap:g} days after ramp-up course "
        f"{position}, weeks {weeks[position - 1]} to {weeks[position]})"
    )


def _expected_gap(
    ctx: Context, a: Cycle, b: Cycle, ramp_position: int = 0
) -> tuple[float | None, str]:
    """The shortest gap the regimen allows between courses *a* and *b*."""
    candidates: list[tuple[float, str]] = []
    planned = float((b.planned_start - a.planned_start).days)
    candidates.append((planned, f"{planned:g} days as planned"))
    if a.phase is Phase.RAMP_UP:
        ramp = _ramp_gap(ramp_position)
        if ramp is None:
            return None, ""
        candidates.append(ramp)
    elif a.phase is Phase.INDUCTION and b.phase is not Phase.INDUCTION:
        first = ctx.first_maintenance_days
        if first is not None:
            candidates.append((first, f"{first:g} days from the induction"))
    elif ctx.maintenance_interval_days is not None and b.phase is not Phase.INDUCTION:
        iv = ctx.maintenance_interval_days
        candidates.append((iv, f"the regimen's {iv:g}-day interval"))
    return max(candidates)


@check(
    code="COURSE_INTERVAL_SHORT",
    severity=Severity.WARNING,
    rule=(
        "Two consecutive courses start closer together than the "
        "regimen's interval; after a HyQvia ramp-up course, closer "
        "than the label's ramp-up (an n-week dose, then the next "
        "dose n weeks later)."
    ),
    action="Check the dates, or confirm the shorter gap was intended.",
    source=("The plan's regimen (its interval and its source); HyQvia US PI ramp-up"),
    sources=("hyqvia-uspi", "hyqvia-hcp-site"),
)
def _intervals(rule: Rule, ctx: Context) -> Iterable[Finding]:
    cycles = sorted(ctx.cycles, key=lambda c: c.number)
    out = []
    ramp_position = 0
    regimen_source = ctx.plan.regimen.source
    for a, b in itertools.pairwise(cycles):
        gap = float((b.start - a.start).days)
        ramp_position += a.phase is Phase.RAMP_UP
        expected, what = _expected_gap(ctx, a, b, ramp_position)
        if expected is None:
            out.append(
                rule.not_assessed(
                    f"Courses {a.number} and {b.number} are {gap:g} days apart; "
                    f"the label's HyQvia ramp-up has no gap after ramp-up "
                    f"course {ramp_position}: not assessed.",
                    Concern.course(b.number),
                    severity=Severity.INFO,
                )
            )
        elif gap < expected:
            out.append(
                rule.fired(
                    f"Course {b.number} starts {gap:g} {days_word(gap)} after course "
                    f"{a.number}, {expected - gap:g} {days_word(expected - gap)} "
                    f"sooner than {what}. "
                    "Check the dates, or confirm the shorter gap was intended.",
                    Concern.course(b.number),
                    source=rule.source
                    + (f" ({regimen_source})" if regimen_source else ""),
                )
            )
    return out


__doc__ = (__doc__ or "") + describe(__name__)
