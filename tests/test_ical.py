"""iCalendar output: one event per infusion day, deterministic."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest

from ivig_core import InputError
from ivig_core.io.ical import PRODID, plan_digest, plan_to_ics
from worked import (
    LAST_IVIG,
    example_plan_on_actual_weight,
    hizentra_later_limits,
    woman,
)


def events(data: bytes) -> list[Any]:
    """The infusion VEVENTs of an iCalendar file (not the review points)."""
    calendar = icalendar.Calendar.from_ical(data)
    return [
        c
        for c in calendar.walk()
        if c.name == "VEVENT" and "REVIEW" not in c.get("categories").to_ical().decode()
    ]


def test_one_event_per_infusion_day() -> None:
    """Each infusion day is one all-day event on its date."""
    plan = example_plan_on_actual_weight()
    found = events(plan_to_ics(plan))
    assert len(found) == len(plan.infusions) == 17
    starts = [e.decoded("dtstart") for e in found]
    assert starts == list(plan.dates)
    assert all(type(d) is dt.date for d in starts)
    ends = [e.decoded("dtend") for e in found]
    assert ends == [d + dt.timedelta(days=1) for d in plan.dates]


def test_event_text_gives_dose_product_and_duration() -> None:
    """Summary and description carry grams, product, vials, rates, duration."""
    plan = example_plan_on_actual_weight()
    first, last = events(plan_to_ics(plan))[0], events(plan_to_ics(plan))[-1]
    infusion = plan.infusions[0]
    summary = str(first.get("summary"))
    assert summary == (
        f"IVIg Octagam 10 % {infusion.dispensed_g:g} g (induction course 1, day 1/2)"
    )
    description = str(first.get("description"))
    assert f"{infusion.dispensed_g:g} g dispensed" in description
    assert "g/kg ×" in description
    assert "Vials: " in description
    assert f"Volume: {infusion.volume_ml:g} mL" in description
    assert f"Duration: {infusion.run.duration_min:.0f} min" in description
    assert "mL/h for 30 min" in description
    assert "does not prescribe" in description
    assert "taper course 16" in str(last.get("summary"))


def test_uids_are_stable_and_distinct() -> None:
    """UIDs come from the plan content: same plan same UIDs, new plan new UIDs."""
    uids = [
        str(e.get("uid")) for e in events(plan_to_ics(example_plan_on_actual_weight()))
    ]
    assert len(set(uids)) == len(uids)
    assert (
        uids[0]
        == f"{plan_digest(example_plan_on_actual_weight())[:24]}-c1-d1@ivig-core"
    )
    again = [
        str(e.get("uid")) for e in events(plan_to_ics(example_plan_on_actual_weight()))
    ]
    assert again == uids
    other = [
        str(e.get("uid"))
        for e in events(plan_to_ics(example_plan_on_actual_weight("80 kg")))
    ]
    assert not set(other) & set(uids)


def test_output_is_byte_identical_and_stamped_from_the_plan() -> None:
    """No wall-clock DTSTAMP: two exports are the same bytes."""
    plan = example_plan_on_actual_weight()
    data = plan_to_ics(plan)
    assert data == plan_to_ics(plan)
    stamps = {e.decoded("dtstamp") for e in events(data)}
    assert stamps == {dt.datetime(2026, 1, 5, tzinfo=dt.UTC)}
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar.get("prodid")) == PRODID
    assert str(calendar.get("version")) == "2.0"


def test_explicit_stamp() -> None:
    """A host may stamp the events with the time the plan was issued."""
    issued = dt.datetime(2025, 12, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    data = plan_to_ics(example_plan_on_actual_weight(), stamp=issued)
    stamps = {e.decoded("dtstamp") for e in events(data)}
    assert stamps == {dt.datetime(2025, 12, 20, 8, 30, tzinfo=dt.UTC)}


@pytest.mark.parametrize(
    ("plan", "stamp", "field", "allowed"),
    [
        ("not a plan", None, "plan", r"a Plan \(from plan_course\)"),
        (
            None,
            dt.datetime(2026, 1, 1),  # noqa: DTZ001 - naive on purpose
            "stamp",
            "a timezone-aware datetime",
        ),
    ],
)
def test_refusals(
    plan: object, stamp: dt.datetime | None, field: str, allowed: str
) -> None:
    """Not a plan, or a naive stamp, is an InputError naming the field."""
    given = example_plan_on_actual_weight() if plan is None else plan
    with pytest.raises(InputError, match=f"^{field}: got .*; allowed: {allowed}$"):
        plan_to_ics(given, stamp=stamp)  # type: ignore[arg-type]


def test_subcutaneous_events_name_the_route_and_sites() -> None:
    """An SC plan's events say SCIg and give the sites per day."""
    from ivig_core.planning.scig import plan_scig_regimen  # noqa: PLC0415
    from ivig_core.scig import get_scig_preset  # noqa: PLC0415

    sc = plan_scig_regimen(
        woman("80 kg"),
        get_scig_preset("hizentra-cidp-0.2").choose(maintenance_days=2, cycles=2),
        "hizentra",
        last_ivig=LAST_IVIG,
        policy="actual",
        rounding="never-below",
        limits=hizentra_later_limits("CIDP, later infusions"),
        site_rate="label-maximum",
    )
    found = events(plan_to_ics(sc.plan))
    assert len(found) == len(sc.plan.infusions) == 4
    assert all(str(e.get("summary")).startswith("SCIg Hizentra ") for e in found)
    first = sc.plan.infusions[0].sc
    assert first is not None
    assert f"Sites: {first.sites} at once" in str(found[0].get("description"))
