"""Dose checks.

* ``DAILY_DOSE_ABOVE_80G`` (soft limit): an infusion day above
  ``SafetyConfig.daily_grams_above`` (80 g, seed 004: "if the dose of IVIG is
  higher than 80 g, it may be administered over 3 to 5 days at 0.4 g/kg").
  The seed does not say whether "the dose" is a day's or a course's; this
  check reads it per day (the larger of calculated and dispensed grams).
* ``DOSE_ABOVE_LIMIT`` (soft limit): a day's or a course's g/kg above a
  :class:`~ivig_core.safety.config.DoseLimit` for the indication (and
  product). Not assessed without an indication or a limit for it: the
  product catalogue holds no dose maxima.
* ``COURSE_INTERVAL_SHORT`` (warning): consecutive courses closer together
  than the regimen's interval (and than the plan's own planned dates). After
  a HyQvia ramp-up course (phase ``ramp_up``) the gap is the label's ramp,
  not the regimen's interval: the k-th ramp-up course is a k-week dose and
  the next dose follows k weeks later (weeks 1, 2, 4, 7;
  :func:`~ivig_core.scig.hyqvia_ramp_up_values`).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from ivig_core.safety.findings import Concern, Finding, FindingCode, Severity


if TYPE_CHECKING:
    from ivig_core.safety._context import Context, CycleFacts
    from ivig_core.safety.config import DoseLimit, SafetyConfig


__all__ = ["check_dose"]

_REL_TOL = 1e-9  # float round-off, not a clinical tolerance


def _above(value: float, limit: float) -> bool:
    return value > limit * (1.0 + _REL_TOL)


def _daily_grams(ctx: Context, cfg: SafetyConfig) -> list[Finding]:
    rule = FindingCode.DAILY_DOSE_ABOVE_80G.rule
    limit = cfg.daily_grams_above_g
    if not ctx.infusions:
        return [
            Finding(
                code=rule.code,
                severity=Severity.WARNING,
                message="The plan has no infusions: daily grams not assessed.",
                source=rule.source,
                concerns=Concern.whole_plan(),
                assessed=False,
            )
        ]
    out: list[Finding] = []
    for inf in ctx.infusions:
        grams = max(inf.calculated_g, inf.dispensed_g)
        if _above(grams, limit):
            out.append(
                Finding(
                    code=rule.code,
                    severity=rule.severity,
                    message=(
                        f"{grams:g} g on one day (calculated {inf.calculated_g:g} g, "
                        f"dispensed {inf.dispensed_g:g} g) is above {limit:g} g. "
                        "Consider giving the course over 3 to 5 days at 0.4 g/kg "
                        "per day, or override with the reason."
                    ),
                    source=rule.source,
                    concerns=Concern.infusion_on(inf.date, inf.cycle),
                )
            )
    return out


def _limit_findings(ctx: Context, limit: DoseLimit) -> list[Finding]:
    rule = FindingCode.DOSE_ABOVE_LIMIT.rule
    out: list[Finding] = []
    where = limit.indication + ("" if limit.product is None else f", {limit.product}")
    if limit.max_per_day is not None:
        day_max = float(limit.max_per_day.magnitude)
        out.extend(
            Finding(
                code=rule.code,
                severity=rule.severity,
                message=(
                    f"{inf.dose_g_per_kg:g} g/kg on one day is above the "
                    f"{day_max:g} g/kg per day for {where}. Check the dose, or "
                    "override with the reason."
                ),
                source=limit.source,
                concerns=Concern.infusion_on(inf.date, inf.cycle),
            )
            for inf in ctx.infusions
            if _above(inf.dose_g_per_kg, day_max)
        )
    if limit.max_per_course is not None:
        course_max = float(limit.max_per_course.magnitude)
        out.extend(
            Finding(
                code=rule.code,
                severity=rule.severity,
                message=(
                    f"Course {number}: {dose:g} g/kg is above the {course_max:g} "
                    f"g/kg per course for {where}. Check the dose, or override "
                    "with the reason."
                ),
                source=limit.source,
                concerns=Concern.course(number),
            )
            for number, dose in sorted(ctx.course_doses().items())
            if _above(dose, course_max)
        )
    return out


def _dose_limits(ctx: Context, cfg: SafetyConfig) -> list[Finding]:
    rule = FindingCode.DOSE_ABOVE_LIMIT.rule
    if ctx.indication is None:
        return [
            Finding(
                code=rule.code,
                severity=Severity.INFO,
                message=(
                    "No indication given: the dose was not checked against "
                    "indication or label dose limits. Pass indication=... to assess."
                ),
                source=rule.source,
                concerns=Concern.whole_plan(),
                assessed=False,
            )
        ]
    limits = [
        lim for lim in cfg.dose_limits if lim.applies(ctx.indication, ctx.product_key)
    ]
    if not limits:
        return [
            Finding(
                code=rule.code,
                severity=Severity.INFO,
                message=(
                    f"No dose limit is configured for {ctx.indication}"
                    + ("" if ctx.product_key is None else f" with {ctx.product_key}")
                    + ": dose against label or guideline maxima not assessed "
                    "(the product data holds no dose maxima; add a DoseLimit)."
                ),
                source=rule.source,
                concerns=Concern.whole_plan(),
                assessed=False,
            )
        ]
    out: list[Finding] = []
    for lim in limits:
        out.extend(_limit_findings(ctx, lim))
    return out


def _ramp_gap(position: int) -> tuple[float, str] | None:
    """The label's gap after the *position*-th HyQvia ramp-up course (from 1)."""
    from ivig_core.scig import hyqvia_ramp_up_values  # noqa: PLC0415 - lazy

    weeks = [week for week, _, _ in hyqvia_ramp_up_values(1.0, 4.0)]
    if position >= len(weeks):
        return None
    gap = float((weeks[position] - weeks[position - 1]) * 7)
    return gap, (
        f"the label's HyQvia ramp-up ({gap:g} days after ramp-up course "
        f"{position}, weeks {weeks[position - 1]} to {weeks[position]})"
    )


def _expected_gap(
    ctx: Context, a: CycleFacts, b: CycleFacts, ramp_position: int = 0
) -> tuple[float | None, str]:
    """The shortest gap the regimen allows between courses *a* and *b*."""
    candidates: list[tuple[float, str]] = []
    if a.planned_start is not None and b.planned_start is not None:
        planned = float((b.planned_start - a.planned_start).days)
        candidates.append((planned, f"{planned:g} days as planned"))
    if a.phase == "ramp_up":
        ramp = _ramp_gap(ramp_position)
        if ramp is None:
            return None, ""
        candidates.append(ramp)
    elif a.phase == "induction" and b.phase != "induction":
        if ctx.first_maintenance_days is not None:
            first = ctx.first_maintenance_days
            candidates.append((first, f"{first:g} days from the induction"))
    elif ctx.maintenance_interval_days is not None and b.phase != "induction":
        iv = ctx.maintenance_interval_days
        candidates.append((iv, f"the regimen's {iv:g}-day interval"))
    if not candidates:
        return None, ""
    return max(candidates)


def _intervals(ctx: Context) -> list[Finding]:
    rule = FindingCode.COURSE_INTERVAL_SHORT.rule
    cycles = sorted(ctx.cycles, key=lambda c: c.number)
    out = []
    ramp_position = 0
    for a, b in itertools.pairwise(cycles):
        gap = float((b.start - a.start).days)
        ramp_position += a.phase == "ramp_up"
        expected, what = _expected_gap(ctx, a, b, ramp_position)
        if expected is None:
            out.append(
                Finding(
                    code=rule.code,
                    severity=Severity.INFO,
                    message=(
                        f"Courses {a.number} and {b.number} are {gap:g} days apart; "
                        + (
                            f"the label's HyQvia ramp-up has no gap after ramp-up "
                            f"course {ramp_position}: not assessed."
                            if a.phase == "ramp_up"
                            else "the regimen's interval is not known: not assessed."
                        )
                    ),
                    source=rule.source,
                    concerns=Concern.course(b.number),
                    assessed=False,
                )
            )
        elif gap < expected:
            source = rule.source + (
                f" ({ctx.regimen_source})" if ctx.regimen_source else ""
            )
            out.append(
                Finding(
                    code=rule.code,
                    severity=rule.severity,
                    message=(
                        f"Course {b.number} starts {gap:g} days after course "
                        f"{a.number}, {expected - gap:g} days sooner than {what}. "
                        "Check the dates, or confirm the shorter gap was intended."
                    ),
                    source=source,
                    concerns=Concern.course(b.number),
                )
            )
    return out


def check_dose(ctx: Context, cfg: SafetyConfig) -> list[Finding]:
    """All dose findings.

    .. versionadded:: 0.1.0
    """
    return [*_daily_grams(ctx, cfg), *_dose_limits(ctx, cfg), *_intervals(ctx)]
