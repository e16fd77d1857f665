"""Review points: dates with what the regimen says to do, in every output."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ivig_core import Patient, get_preset, plan_course
from ivig_core.infusion import rate_schedule
from ivig_core.io.json import plan_from_json, plan_to_json
from ivig_core.io.text import explain, report
from ivig_core.plan import Phase, Plan
from ivig_core.regimen import DoseSteps, Hold, Stop, Taper


PATIENT = Patient(sex="female", age="54 year", height="165 cm", weight="70 kg")
START = dt.date(2026, 1, 5)


def _plan(taper: Taper | None) -> Plan:
    regimen = get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=2, maintenance_days=1, cycles=2, taper=taper
    )
    return plan_course(
        PATIENT,
        regimen,
        "octagam-10",
        start=START,
        policy="actual",
        rounding="never-below",
        rate_weight="dosing",
        rate_schedule=rate_schedule(
            "octagam-10", "dermatomyositis", increment="1 mg/kg/min", interval="30 min"
        ),
    )


TAPER = Taper(
    strategy=DoseSteps(fractions=(0.75, 0.5, 0.0), hold=Hold(cycles=2), source="test"),
    end=Stop(),
)


@pytest.fixture(scope="module")
def tapered() -> Plan:
    """Induction, 2 maintenance courses, then 75 % x2, 50 % x2, stop."""
    return _plan(TAPER)


def test_no_taper_no_review_points() -> None:
    """A plan without a taper lists no review points."""
    assert _plan(None).reviews == ()


def test_review_at_the_end_of_each_hold(tapered: Plan) -> None:
    """Reviews before each new step's first course, and after the last."""
    taper_starts = [c for c in tapered.cycles if c.phase is Phase.TAPER]
    assert [c.start for c in taper_starts] == [
        dt.date(2026, 3, 30),
        dt.date(2026, 4, 27),
        dt.date(2026, 5, 25),
        dt.date(2026, 6, 22),
    ]
    assert [r.date for r in tapered.reviews] == [
        dt.date(2026, 3, 30),  # end of maintenance: step down to 75 %
        dt.date(2026, 5, 25),  # end of the 75 % hold (2 courses): 50 %
        dt.date(2026, 7, 20),  # 4 weeks after the last 50 % course: stop
    ]
    first, second, last = tapered.reviews
    assert "step down to taper step 1" in first.if_stable
    assert first.if_deterioration == "continue 1 g/kg every 28 days (maintenance)"
    assert "return to the previous step: 1 g/kg" in second.if_deterioration
    assert last.if_stable == "stop"
    assert "return to the previous step: 0.75 g/kg" in last.if_deterioration


def test_reviews_in_text_json_ical_and_plot(tapered: Plan) -> None:
    """The table, the explanation, JSON, iCalendar and the plot show them."""
    assert "Review points (the prescriber decides at each):" in report(tapered)
    assert "Review points:" in explain(tapered)
    doc = json.loads(plan_to_json(tapered))
    assert [r["date"] for r in doc["reviews"]] == [
        "2026-03-30",
        "2026-05-25",
        "2026-07-20",
    ]
    assert plan_from_json(plan_to_json(tapered)).reviews == tapered.reviews
    from ivig_core.io.ical import plan_to_ics  # noqa: PLC0415 - extra

    ics = plan_to_ics(tapered).decode()
    assert ics.count("CATEGORIES:IVIG,REVIEW") == 3
    assert "Review before course 6" in ics
    from ivig_core.io.plot import course_data  # noqa: PLC0415 - extra

    assert course_data(tapered).review_dates == tuple(r.date for r in tapered.reviews)
