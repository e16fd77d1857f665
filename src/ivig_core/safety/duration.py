"""Duration checks: maintenance planned longer than the label's studied period.

Some labels state how long maintenance was studied for an indication: the
US labels of Privigen and Gammagard Liquid say their CIDP maintenance "has
not been studied for periods longer than 6 months" and ask to
"individualize the duration of any treatment beyond 6 months"; Hizentra's
says CIDP maintenance "has been systematically studied for 6 months and for
a further 12 months in a follow-up study" (18 months in all), and
"continued maintenance beyond these periods should be individualized". The
catalogue records these per product and indication
(:attr:`~ivig_core.products.Product.maintenance_durations`, ``None`` where
the label text read states none).

The studied period is counted in calendar months from the first
maintenance course (taper courses are reduced maintenance and count too);
a course that starts after it is "beyond" the label. A course that starts
exactly on the date the period ends is within it. The labels' words are
"individualize", not "do not": the finding is a warning, which a site may
raise to a soft limit (``SafetyConfig.severities``) and then accept with an
override giving the reason.

The first maintenance course is the first one given when the course was
re-planned after its maintenance began (:func:`~ivig_core.replan` records
the day, from the history of what was given, as
:attr:`~ivig_core.plan.Plan.maintenance_started`), else the plan's own
first maintenance course: a re-plan does not restart the count.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from ivig_core.findings import Concern, Finding, Rule, Severity
from ivig_core.plan import Cycle, Phase, Plan
from ivig_core.safety.context import Context
from ivig_core.safety.registry import check, describe


__all__: list[str] = []

#: The phases counted as maintenance: a taper is reduced maintenance.
_MAINTENANCE: frozenset[Phase] = frozenset({Phase.MAINTENANCE, Phase.TAPER})


def _add_months(day: dt.date, months: int) -> dt.date | None:
    """*day* plus *months* calendar months (the month's last day if shorter).

    ``None`` past the calendar's last year: no course can start after it.
    """
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    if year > dt.MAXYEAR:
        return None
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def _maintenance(ctx: Context) -> list[Cycle]:
    return sorted(
        (c for c in ctx.cycles if c.phase in _MAINTENANCE),
        key=lambda c: (c.start, c.number),
    )


def _first(plan: Plan, cycles: list[Cycle]) -> tuple[dt.date, bool]:
    """The day the studied period counts from, and whether it was given before.

    The one place that decides it: the day maintenance was first given
    before the plan (:attr:`~ivig_core.plan.Plan.maintenance_started`, a
    re-plan) if it is earlier than the plan's first maintenance course
    (*cycles*, sorted, not empty), else that course's start.
    """
    planned = cycles[0].start
    given = plan.maintenance_started
    if given is not None and given < planned:
        return given, True
    return planned, False


def _beyond(
    first: dt.date, cycles: list[Cycle], months: int
) -> tuple[dt.date | None, list[Cycle]]:
    """The end of the studied period from *first*, the courses starting after it."""
    end = _add_months(first, months)
    if end is None:
        return None, []
    return end, [c for c in cycles if c.start > end]


def _no_indication(rule: Rule, ctx: Context, cycles: list[Cycle]) -> list[Finding]:
    """Without an indication: "not assessed" where a stated duration is passed."""
    product = ctx.product
    stated = [d for d in product.maintenance_durations if d.months is not None]
    shortest = min(stated, key=lambda d: d.months or 0, default=None)
    if shortest is None or shortest.months is None:
        return []
    end, beyond = _beyond(_first(ctx.plan, cycles)[0], cycles, shortest.months)
    if not beyond or end is None:
        return []
    return [
        rule.not_assessed(
            f"No indication given: {product.name}'s label states a studied "
            f"maintenance duration for {', '.join(d.indication for d in stated)} "
            f"({shortest.months} months for {shortest.indication}), and "
            f"{len(beyond)} maintenance course"
            f"{'s start' if len(beyond) > 1 else ' starts'} after "
            f"{end.isoformat()}: not assessed. Pass indication=... to assess.",
            Concern.whole_plan(),
            severity=Severity.INFO,
            source=str(shortest.source),
        )
    ]


@check(
    code="MAINTENANCE_BEYOND_LABEL_DURATION",
    severity=Severity.WARNING,
    rule=(
        "Maintenance courses that start later than the label's studied "
        "maintenance duration for the product and indication (in CIDP: 6 "
        "months for Privigen and Gammagard Liquid, 18 months for Hizentra), "
        "counted from the first "
        "maintenance course (the first one given, for a re-planned course): "
        "one finding for the plan, listing the courses."
    ),
    action=(
        "Individualize the duration beyond the studied period on the "
        "patient's response and need (the label's words); plan a review. A "
        "site that wants a limit raises the severity in "
        "SafetyConfig.severities, then accepts it with an override giving "
        "the reason."
    ),
    source=(
        "US labels, limitations of use: CIDP maintenance 'has not been "
        "studied for periods longer than 6 months ... Individualize the "
        "duration of any treatment beyond 6 months' (Privigen, Gammagard "
        "Liquid); 'systematically studied for 6 months and for a further 12 "
        "months in a follow-up study ... beyond these periods should be "
        "individualized' (Hizentra)"
    ),
    sources=(
        "privigen-uspi",
        "privigen-hcp-site",
        "gammagard-liquid-uspi",
        "gammagard-hcp-site",
        "hizentra-optimizing-guide",
    ),
    raisable=True,
)
def _duration(rule: Rule, ctx: Context) -> Iterable[Finding]:
    cycles = _maintenance(ctx)
    if not cycles:
        return []
    product = ctx.product
    if ctx.indication is None:
        return _no_indication(rule, ctx, cycles)
    duration = product.maintenance_duration(ctx.indication)
    if duration is None or duration.months is None:
        return []
    first, given = _first(ctx.plan, cycles)
    end, beyond = _beyond(first, cycles, duration.months)
    if not beyond or end is None:
        return []
    listed = ", ".join(f"{c.number} ({c.start.isoformat()})" for c in beyond)
    count = f"{len(beyond)} maintenance course" + (
        "s start" if len(beyond) > 1 else " starts"
    )
    since = (
        f"maintenance was first given on {first.isoformat()}, before this plan "
        "(the history of what was given),"
        if given
        else f"maintenance starts {first.isoformat()}"
    )
    return [
        rule.fired(
            f"{product.name} for {duration.indication}: {since} and {count} "
            f"more than {duration.months} months later, after {end.isoformat()} "
            f"(course{'s' * (len(beyond) > 1)} {listed}). The label: "
            f"'{duration.words}' Plan a review of the response and the need "
            "before continuing.",
            Concern.whole_plan(),
            source=str(duration.source),
        )
    ]


__doc__ = (__doc__ or "") + describe(__name__)
