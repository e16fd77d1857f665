"""The infusions as an iCalendar (RFC 5545) file: one event per infusion day.

Needs the ``ics`` extra (icalendar): ``pip install "ivig-core[ics]"``.

Each infusion day is an all-day ``VEVENT`` (``DTSTART`` as a date, and
``DTEND`` the next day, exclusive) whose summary gives the grams and the
product, and whose description gives the dose, the vials, the volume, the
rate steps and the duration.

Output is deterministic, byte for byte:

* ``UID``: derived from the plan's content (a SHA-256 of the product, the
  regimen, the dosing weight and every infusion day), plus the course and the
  day, so re-exporting the same plan updates the same events, and a changed
  plan gets new ones;
* ``DTSTAMP`` is required by RFC 5545 when the calendar has no ``METHOD``
  (it is the time the information was last revised). A plan records no such
  time, so it is taken from the plan, as midnight UTC on its first day,
  unless the host passes ``stamp=`` (for example the time the plan was
  issued). It is never the wall clock, which would change every export.

Example (``plan`` from :func:`~ivig_core.planning.course.plan_course`)::

    from pathlib import Path
    from ivig_core.io.ical import plan_to_ics

    Path("course.ics").write_bytes(plan_to_ics(plan))

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Final

from ivig_core._checks import instance as _instance
from ivig_core.errors import InputError
from ivig_core.io import require
from ivig_core.plan import Infusion, Plan
from ivig_core.products import Route


if TYPE_CHECKING:
    from collections.abc import Iterable


__all__ = ["PRODID", "plan_digest", "plan_to_ics"]

#: The calendar's PRODID (RFC 5545 §3.7.3).
PRODID: Final = "-//ivig_core//ivig-core plan//EN"
_DISCLAIMER: Final = "ivig_core computes and checks; it does not prescribe."
#: How each route is named in event summaries.
_ROUTE_LABELS: Final = {
    Route.IV: "IVIg",
    Route.SC: "SCIg",
    Route.FACILITATED_SC: "fSCIg",
}


def _content(plan: Plan) -> Iterable[str]:
    weight = plan.dosing_weight
    yield (
        f"{plan.product}|{plan.regimen.name}|{plan.start.isoformat()}|"
        f"{weight.weight_kg!r}|{weight.basis.value}|{weight.policy}|{plan.rounding}"
    )
    for i in plan.infusions:
        yield (
            f"{i.date.isoformat()}|{i.phase.value}|{i.cycle}|{i.day}|"
            f"{i.dose_g_per_kg!r}|{i.dispensed_g!r}|{i.volume_ml!r}|"
            f"{i.run.duration_min!r}"
        )


def plan_digest(plan: Plan) -> str:
    """A SHA-256 hex digest of the plan's content (stable across runs).

    .. versionadded:: 0.1.0
    """
    _instance(plan, Plan, field="plan")
    digest = hashlib.sha256()
    for line in _content(plan):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _description(plan: Plan, i: Infusion) -> str:
    vials = ", ".join(f"{n} × {vial}" for vial, n in i.vials.vials)
    steps = ", ".join(
        f"{s.rate_ml_h:.0f} mL/h for {s.duration_min:.0f} min" for s in i.run.steps
    )
    return "\n".join(
        (
            (
                f"{plan.product}: {i.dispensed_g:g} g dispensed "
                f"(calculated {i.calculated_g:.2f} g = {i.dose_g_per_kg:g} g/kg × "
                f"{plan.dosing_weight.weight_kg:.2f} kg dosing weight)"
            ),
            f"Course {i.cycle} ({i.phase.value}), day {i.day} of {i.days_in_course}",
            f"Vials: {vials}",
            f"Volume: {i.volume_ml:g} mL",
            f"Rate steps: {steps}",
            f"Duration: {i.run.duration_min:.0f} min",
            *_sc_lines(i),
            _DISCLAIMER,
        )
    )


def _sc_lines(i: Infusion) -> tuple[str, ...]:
    sc = i.sc
    if sc is None:
        return ()
    line = (
        f"Sites: {sc.sites} at once, {sc.volume_per_site_ml:.3g} mL and "
        f"{sc.rate_per_site_ml_h:.3g} mL/h per site"
    )
    return (line,)


def plan_to_ics(plan: Plan, *, stamp: dt.datetime | None = None) -> bytes:
    """The plan's infusion days as an iCalendar file (UTF-8 bytes).

    Args:
        plan: The plan.
        stamp: The ``DTSTAMP`` of every event, timezone-aware; by default
            midnight UTC on the plan's first day (see the module docs).

    Raises:
        InputError: Not a plan, or a naive *stamp*.
        MissingExtraError: icalendar is not installed (extra ``ics``).

    .. versionadded:: 0.1.0
    """
    if not isinstance(plan, Plan):
        raise InputError("plan", plan, "a Plan (from plan_course)")
    if stamp is None:
        stamp = dt.datetime.combine(plan.start, dt.time(0, 0), tzinfo=dt.UTC)
    elif getattr(stamp, "tzinfo", None) is None:
        raise InputError("stamp", stamp, "a timezone-aware datetime")
    icalendar = require("icalendar", extra="ics", purpose="The iCalendar output")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{plan.regimen.name}: {plan.product}")
    digest = plan_digest(plan)[:24]
    for i in plan.infusions:
        event = icalendar.Event()
        event.add("uid", f"{digest}-c{i.cycle}-d{i.day}@ivig-core")
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        event.add("dtstart", i.date)
        event.add("dtend", i.date + dt.timedelta(days=1))
        event.add(
            "summary",
            f"{_ROUTE_LABELS.get(plan.route, 'Ig')} {plan.product} {i.dispensed_g:g} g "
            f"({i.phase.value} course {i.cycle}, day {i.day}/{i.days_in_course})",
        )
        event.add("description", _description(plan, i))
        event.add("categories", ["IVIG", i.phase.value.upper()])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    for point in plan.reviews:
        event = icalendar.Event()
        event.add("uid", f"{digest}-review-c{point.cycle}@ivig-core")
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        event.add("dtstart", point.date)
        event.add("dtend", point.date + dt.timedelta(days=1))
        event.add("summary", f"Review before course {point.cycle}: {point.reason}")
        event.add(
            "description",
            f"No deterioration: {point.if_stable}.\nDeterioration: "
            f"{point.if_deterioration}.\nSource: {point.source}",
        )
        event.add("categories", ["IVIG", "REVIEW"])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
