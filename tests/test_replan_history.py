"""The record of what was given: append-only history and what it tells."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import InputError, Patient, get_preset, plan_course
from ivig_core.plan import Administered, History
from ivig_core.planning.replan import history_notes


START = dt.date(2026, 1, 5)
PLAN = plan_course(
    Patient(sex="female", age="54 year", height="165 cm", weight="70 kg"),
    get_preset("itp-octagam-10"),
    "octagam-10",
    start=START,
    policy="actual",
    rounding="never-below",
    rate_weight="dosing",
)


def _given(
    day: int, grams: float, product: str = "octagam-10", **kw: object
) -> Administered:
    return Administered(
        date=START + dt.timedelta(days=day), grams=f"{grams} g", product=product, **kw
    )


records = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 200)), min_size=0, max_size=8
).map(
    lambda rows: [
        _given(day, grams)
        for day, grams in sorted(
            ((sum(r[0] for r in rows[: i + 1]), g) for i, (_, g) in enumerate(rows))
        )
    ]
)


@given(records, records)
def test_cumulative_dose_is_the_sum_and_history_is_never_rewritten(
    first: list[Administered], second: list[Administered]
) -> None:
    """Adding keeps every earlier record as it was; the total is the sum."""
    h1 = History().add(first)
    assert h1.cumulative_g == pytest.approx(sum(r.grams for r in first))
    if first and second and second[0].date < first[-1].date:
        with pytest.raises(InputError, match="history"):
            h1.add(second)
        return
    h2 = h1.add(second)
    assert h2.records[: len(first)] == h1.records
    assert h2.cumulative_g == pytest.approx(
        h1.cumulative_g + sum(r.grams for r in second)
    )


def test_as_planned_says_nothing() -> None:
    """Both ITP days given as planned, same product, no reaction: no notes."""
    h = History().add([_given(0, 70), _given(1, 70)])
    assert history_notes(PLAN, h) == ()


def test_reaction_switch_late_and_missed() -> None:
    """Each finding from the history, in words."""
    h = History().add([
        _given(0, 0),
        _given(2, 70, product="privigen", lot="L1", rate_reached_ml_h="300 mL/h",
               reactions=("headache",)),
    ])  # fmt: skip
    notes = " | ".join(history_notes(PLAN, h))
    assert "not given (missed)" in notes
    assert "reaction on 2026-01-07 (headache): start the next infusion slower" in notes
    assert "1 day(s) late" in notes
    h = History().add([_given(0, 70), _given(1, 70, product="privigen")])
    assert "restart at the initial rate" in " ".join(history_notes(PLAN, h))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("grams", "-1 g"),
        ("grams", "70 mL"),
        ("rate_reached_ml_h", "0 mL/h"),
        ("lot", ""),
    ],
)
def test_bad_records_name_the_field(field: str, value: str) -> None:
    """A bad record names its field; nothing is kept."""
    kwargs: dict[str, object] = {"date": START, "grams": "1 g", "product": "p"}
    kwargs[field] = value
    with pytest.raises(InputError, match=f"administered.{field}"):
        Administered(**kwargs)
