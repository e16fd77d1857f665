"""Rates: unit conversions worked by hand, ramps at their maximum, refusals.

mg/kg/min → mL/h is rate × weight × 60 min/h ÷ concentration (a concentration
in g/L is the same number in mg/mL); mL/kg/min → mL/h is rate × weight × 60.
"""

from __future__ import annotations

import math

import pytest

from ivig_core import Q_, InputError, UnitError
from ivig_core.rates import (
    RateKind,
    RateSchedule,
    RateStep,
    rate_kind,
    rate_to_ml_h,
    read_minutes,
    read_rate,
    step_rates_ml_h,
)
from mutation_helpers import refused


def test_mg_per_kg_per_min_to_ml_h() -> None:
    """8 mg/kg/min, 70 kg, 10 % (100 mg/mL): 8 × 70 × 60 / 100 = 336 mL/h."""
    assert rate_to_ml_h(8.0, RateKind.MG_PER_KG_PER_MIN, 70.0, 100.0) == 336.0
    # 5 % (50 mg/mL): twice the volume, 672 mL/h
    assert rate_to_ml_h(8.0, RateKind.MG_PER_KG_PER_MIN, 70.0, 50.0) == 672.0


def test_ml_per_kg_to_ml_h() -> None:
    """0.5 mL/kg/h is 0.5/60 mL/kg/min; at 70 kg: 35 mL/h, any concentration."""
    step = RateStep(rate="0.5 mL/kg/h", duration="30 min")
    assert step.kind is RateKind.ML_PER_KG_PER_MIN
    assert step.rate_value == pytest.approx(0.5 / 60)
    assert rate_to_ml_h(step.rate_value, step.kind, 70.0, 100.0) == pytest.approx(35.0)
    assert rate_to_ml_h(0.05, RateKind.ML_PER_KG_PER_MIN, 70.0, 50.0) == (
        pytest.approx(210.0)  # 0.05 × 70 × 60
    )


def test_ml_per_h_unchanged() -> None:
    """A rate in mL/h is the same whatever the weight and concentration."""
    assert rate_to_ml_h(150.0, RateKind.ML_PER_H, 70.0, 100.0) == 150.0
    assert rate_kind("2.5 mL/min") is RateKind.ML_PER_H
    assert rate_kind("0.08 mL/kg/min") is RateKind.ML_PER_KG_PER_MIN
    assert rate_kind("4.8 mg/kg/min") is RateKind.MG_PER_KG_PER_MIN


def test_ramp_lands_on_the_maximum() -> None:
    """30 mL/h + 30 every 15 min up to 150: 30, 60, 90, 120, 150; no note."""
    ramp = RateSchedule.ramp(
        start="30 mL/h",
        increment="30 mL/h",
        every="15 min",
        maximum="150 mL/h",
        source="US IVIG order form",
    )
    assert [s.rate_value for s in ramp.steps] == [30.0, 60.0, 90.0, 120.0, 150.0]
    assert [s.duration_min for s in ramp.steps] == [15.0, 15.0, 15.0, 15.0, None]
    assert ramp.notes == ()
    # 8 mg/kg/min... the schedule in mL/h is the same at any weight
    assert step_rates_ml_h(ramp, 70.0, 100.0) == [30.0, 60.0, 90.0, 120.0, 150.0]


def test_ramp_capped_at_the_maximum_says_so() -> None:
    """Up to 140 mL/h: 30, 60, 90, 120, 140 and a note (the increment gives 150)."""
    ramp = RateSchedule.ramp(
        start="30 mL/h",
        increment="30 mL/h",
        every="15 min",
        maximum="140 mL/h",
        source="local",
        first="30 min",
        notes=("local protocol",),
    )
    assert [s.rate_value for s in ramp.steps] == [30.0, 60.0, 90.0, 120.0, 140.0]
    assert [s.duration_min for s in ramp.steps] == [30.0, 15.0, 15.0, 15.0, None]
    assert ramp.notes == (
        "local protocol",
        "the last step is set to the maximum 140 mL/h; the increment would give 150",
    )


def test_ramp_decimal_steps_do_not_drift() -> None:
    """0.5 + 0.1 steps up to 0.8 mg/kg/min: 0.5, 0.6, 0.7, 0.8 (no 0.7999...)."""
    ramp = RateSchedule.ramp(
        start="0.5 mg/kg/min",
        increment="0.1 mg/kg/min",
        every="30 min",
        maximum="0.8 mg/kg/min",
        source="label",
    )
    assert [s.rate_value for s in ramp.steps] == [0.5, 0.6, 0.7, 0.8]
    assert ramp.notes == ()


def test_ramp_start_at_the_maximum_is_one_step() -> None:
    """Start = maximum: a single step that runs until the volume is given."""
    ramp = RateSchedule.ramp(
        start="150 mL/h",
        increment="30 mL/h",
        every="15 min",
        maximum="150 mL/h",
        source="x",
    )
    assert [(s.rate_value, s.duration_min) for s in ramp.steps] == [(150.0, None)]
    assert ramp.notes == ()


def test_ramp_refusals() -> None:
    """Start above the maximum; mixed kinds; too many steps."""
    with pytest.raises(InputError) as caught:
        RateSchedule.ramp(
            start="160 mL/h",
            increment="30 mL/h",
            every="15 min",
            maximum="150 mL/h",
            source="x",
        )
    assert (caught.value.field, caught.value.allowed) == (
        "start",
        "at most the maximum 150 mL/h",
    )
    with pytest.raises(InputError) as caught:
        RateSchedule.ramp(
            start="30 mL/h",
            increment="1 mg/kg/min",
            every="15 min",
            maximum="150 mL/h",
            source="x",
        )
    assert (caught.value.field, caught.value.allowed) == (
        "increment",
        "a rate in mL/h, the kind of the start rate",
    )
    with pytest.raises(InputError) as caught:
        RateSchedule.ramp(
            start="30 mL/h",
            increment="30 mL/h",
            every="15 min",
            maximum="4 mg/kg/min",
            source="x",
        )
    assert caught.value.field == "maximum"


def test_ramp_at_most_ten_thousand_steps() -> None:
    """1 mL/h + 1 up to 10 001 mL/h reaches it; up to 10 002 it does not."""
    kwargs: dict[str, object] = {
        "start": "1 mL/h",
        "increment": "1 mL/h",
        "every": "5 min",
        "source": "x",
    }
    ramp = RateSchedule.ramp(maximum="10001 mL/h", **kwargs)  # type: ignore[arg-type]
    assert len(ramp.steps) == 10_001
    with refused(
        "increment",
        1.0,
        "a step size that reaches the maximum in at most 10,000 steps",
    ):
        RateSchedule.ramp(maximum="10002 mL/h", **kwargs)  # type: ignore[arg-type]


def test_step_above_maximum_refused() -> None:
    """A step of the maximum's kind above it names the step and the maximum."""
    with refused(
        "steps[1].rate",
        RateStep(rate="200 mL/h").rate,
        "at most the schedule's maximum 150 mL/h",
        "step 2 runs at 200 mL/h, above the maximum 150 mL/h",
    ):
        RateSchedule(
            steps=[
                RateStep(rate="100 mL/h", duration="15 min"),
                RateStep(rate="200 mL/h"),
            ],
            maximum="150 mL/h",
            source="x",
        )
    at_max = RateSchedule(
        steps=[RateStep(rate="150 mL/h")], maximum="150 mL/h", source="x"
    )
    assert at_max.maximum_kind is RateKind.ML_PER_H


def test_rate_must_be_above_zero() -> None:
    """0 mL/h is not a rate."""
    with refused("rate", "0 mL/h", "a rate > 0 mL/h", "0 is not > 0"):
        read_rate("0 mL/h", field="rate")


@pytest.mark.parametrize("minutes", ["0 min", "4.9 min", "10081 min"])
def test_step_minutes_range(minutes: str) -> None:
    """A step lasts at least 5 min and at most 7 days (10 080 min)."""
    with pytest.raises(InputError) as caught:
        read_minutes(minutes, field="every")
    assert str(caught.value) == (
        f"every: {minutes} is outside the accepted range; allowed: [5, 10080] min "
        "(a step lasts at least 5 min (labels step every 15 to 30 min) and at most "
        "7 days)"
    )
    assert read_minutes("5 min", field="every") == 5.0
    assert read_minutes("10080 min", field="every") == 10080.0
    assert read_minutes("7 day", field="every") == 10080.0


def test_schedule_shape_refusals() -> None:
    """Steps: non-empty, RateSteps, only the last without a duration."""
    hold = RateStep(rate="100 mL/h")
    timed = RateStep(rate="100 mL/h", duration="15 min")
    bads: tuple[object, ...] = ("steps", [], None)
    for bad in bads:
        with refused("steps", bad, "a non-empty sequence of RateStep"):
            RateSchedule(steps=bad, maximum="150 mL/h", source="x")
    with refused("steps[0]", 3, "a RateStep"):
        RateSchedule(steps=[3], maximum="150 mL/h", source="x")
    with refused("steps[0].duration", None, "a duration (only the last step has none)"):
        RateSchedule(steps=[hold, hold], maximum="150 mL/h", source="x")
    with refused(
        "steps[0].duration",
        timed.duration,
        "None: the last step runs until the volume is given",
    ):
        RateSchedule(steps=[timed], maximum="150 mL/h", source="x")
    with refused("notes", "a note", "a sequence of strings"):
        RateSchedule(steps=[hold], maximum="150 mL/h", source="x", notes="a note")
    with refused("notes", ("a", 1), "a sequence of strings"):
        RateSchedule(steps=[hold], maximum="150 mL/h", source="x", notes=("a", 1))
    with refused("indication", " ", "None or a non-empty string"):
        RateSchedule(steps=[hold], maximum="150 mL/h", source="x", indication=" ")
    with refused("source", "", "a non-empty string"):
        RateSchedule(steps=[hold], maximum="150 mL/h", source="")
    sched = RateSchedule(
        steps=[hold], maximum="150 mL/h", source="x", indication=" CIDP "
    )
    assert sched.indication == "cidp"


# --------------------------------------------------------------------------
# The plausibility bounds of a rate, at, below and above each boundary.
# rates.py: "Panzyga, primary immunodeficiency, 14 mg/kg/min (source:
# panzyga-uspi)" is the highest labelled rate; the floor is "a tenth of the
# lowest labelled starting rate in the catalogue (0.5 mg/kg/min)" = 0.05.
# Per volume: 14 mg/kg/min ÷ 50 mg/mL = 0.28 mL/kg/min; 0.05 ÷ 200 = 0.00025.

_WHY = (
    "above it is above every label's maximum (Panzyga 14 mg/kg/min); "
    "below it is a tenth of the lowest labelled starting rate"
)


@pytest.mark.parametrize(
    ("text", "magnitude"),
    [
        ("14 mg/kg/min", 14.0),
        ("0.05 mg/kg/min", 0.05),
        ("0.28 mL/kg/min", 0.28),
        ("0.00025 mL/kg/min", 0.00025),
    ],
)
def test_rate_bounds_inclusive(text: str, magnitude: float) -> None:
    """Each bound itself is accepted (the range is closed)."""
    assert read_rate(text, field="rate").magnitude == magnitude


@pytest.mark.parametrize(
    ("text", "magnitude", "allowed"),
    [
        ("14.01 mg/kg/min", 14.01, "[0.05, 14] mg/kg/min"),
        ("0.049 mg/kg/min", 0.049, "[0.05, 14] mg/kg/min"),
        ("0.281 mL/kg/min", 0.281, "[0.00025, 0.28] mL/kg/min"),
        ("0.00024 mL/kg/min", 0.00024, "[0.00025, 0.28] mL/kg/min"),
    ],
)
def test_rate_bounds_refused(text: str, magnitude: float, allowed: str) -> None:
    """Just outside each bound: refused naming the field, with the reason."""
    unit = allowed.rsplit(" ", 1)[1]
    with refused(
        "maximum",
        magnitude,
        f"{allowed} ({_WHY})",
        f"{magnitude:g} {unit} is outside the accepted range",
    ):
        read_rate(text, field="maximum")


def test_ml_per_h_has_no_bound() -> None:
    """A fixed mL/h rate depends on the weight: 2 000 mL/h passes read_rate."""
    assert read_rate("2000 mL/h", field="rate").magnitude == 2000.0


def test_rate_refusals_name_the_field() -> None:
    """Every reading of a rate names the caller's field, not a default."""
    with refused(
        "start",
        "5 kg",
        "a volume rate, e.g. '150 mL/h'",
        "5.0 kg is not a volume rate (its dimension is [mass])",
        error=UnitError,
    ):
        read_rate("5 kg", field="start")
    bare = "got 5 (a bare number; units are never assumed)"
    with refused(
        "target",
        5,
        "a volume rate as a pint Quantity or a string such as '150 mL/h'",
        bare,
        error=UnitError,
    ):
        rate_kind(5, field="target")
    # A NaN in mg/kg/min (the canonical unit's fast path) is refused too.
    nan_mg = Q_(math.nan, "mg/kg/min")
    with refused("maximum", nan_mg, "a finite number", "nan is not a finite number"):
        rate_kind(nan_mg, field="maximum")
    # A NaN mL/h has the kind mL/h; reading it as a rate refuses the magnitude.
    nan_ml = Q_(math.nan, "mL/h")
    assert rate_kind(nan_ml) is RateKind.ML_PER_H
    with refused("start", nan_ml, "a finite number", "nan is not a finite number"):
        read_rate(nan_ml, field="start")
    with refused(
        "every",
        "5 kg",
        "a duration, e.g. '30 min'",
        "5.0 kg is not a duration (its dimension is [mass])",
        error=UnitError,
    ):
        read_minutes("5 kg", field="every")


def test_step_and_schedule_fields() -> None:
    """A step's duration and a schedule's maximum are refused under their names."""
    with refused(
        "duration",
        4.0,
        "[5, 10080] min (a step lasts at least 5 min (labels step every 15 to 30 "
        "min) and at most 7 days)",
        "4 min is outside the accepted range",
    ):
        RateStep(rate="100 mL/h", duration="4 min")
    with refused(
        "maximum",
        "5 kg",
        "a volume rate, e.g. '150 mL/h'",
        "5.0 kg is not a volume rate (its dimension is [mass])",
        error=UnitError,
    ):
        RateSchedule(steps=[RateStep(rate="100 mL/h")], maximum="5 kg", source="x")


_RAMP: dict[str, object] = {
    "start": "30 mL/h",
    "increment": "30 mL/h",
    "every": "15 min",
    "maximum": "150 mL/h",
    "source": "x",
}


@pytest.mark.parametrize("name", ["start", "increment", "maximum", "every", "first"])
def test_ramp_refusals_name_each_argument(name: str) -> None:
    """A wrong unit in any argument of ramp() names that argument."""
    kind = (
        "a duration, e.g. '30 min'"
        if name in {"every", "first"}
        else "a volume rate, e.g. '150 mL/h'"
    )
    dimension = kind.split(",", maxsplit=1)[0].removeprefix("a ")
    with refused(
        name,
        "5 kg",
        kind,
        f"5.0 kg is not a {dimension} (its dimension is [mass])",
        error=UnitError,
    ):
        RateSchedule.ramp(**{**_RAMP, name: "5 kg"})  # type: ignore[arg-type]


def test_ramp_refusals_carry_the_value() -> None:
    """Mixed kinds and a start above the maximum show the offending rate."""
    with refused(
        "maximum",
        read_rate("4 mg/kg/min", field="maximum"),
        "a rate in mL/h, the kind of the start rate",
    ):
        RateSchedule.ramp(**{**_RAMP, "maximum": "4 mg/kg/min"})  # type: ignore[arg-type]
    with refused(
        "start",
        read_rate("160 mL/h", field="start"),
        "at most the maximum 150 mL/h",
    ):
        RateSchedule.ramp(**{**_RAMP, "start": "160 mL/h"})  # type: ignore[arg-type]


def test_ramp_keeps_its_indication() -> None:
    """ramp(indication=" PI ") gives a schedule for "pi"; without, None."""
    ramp = RateSchedule.ramp(**_RAMP, indication=" PI ")  # type: ignore[arg-type]
    assert ramp.indication == "pi"
    assert RateSchedule.ramp(**_RAMP).indication is None  # type: ignore[arg-type]


def test_two_step_ramp_capped_at_the_maximum_says_so() -> None:
    """30 mL/h + 30 up to 50: 30 then 50 (two steps), and a note (30 + 30 = 60)."""
    ramp = RateSchedule.ramp(**{**_RAMP, "maximum": "50 mL/h"})  # type: ignore[arg-type]
    assert [s.rate_value for s in ramp.steps] == [30.0, 50.0]
    assert ramp.notes == (
        "the last step is set to the maximum 50 mL/h; the increment would give 60",
    )


def test_ramp_values_rounded_to_ten_decimals() -> None:
    """Start + k × increment is rounded to 10 decimals (no 2.9000000000000004).

    30.00000000001 + 30 = 60.00000000001, which at 10 decimals is 60.0.
    """
    ramp = RateSchedule.ramp(**{**_RAMP, "start": "30.00000000001 mL/h"})  # type: ignore[arg-type]
    assert [s.rate_value for s in ramp.steps] == [
        30.00000000001,
        60.0,
        90.0,
        120.0,
        150.0,
    ]


def test_step_rates_refusals() -> None:
    """step_rates_ml_h: a schedule, a weight > 0 and a concentration > 0."""
    sched = RateSchedule(
        steps=[RateStep(rate="100 mL/h")], maximum="150 mL/h", source="x"
    )
    with refused("schedule", "x", "a RateSchedule"):
        step_rates_ml_h("x", 70.0, 100.0)  # type: ignore[arg-type]
    with refused("weight", 0.0, "a number > 0"):
        step_rates_ml_h(sched, 0.0, 100.0)
    with refused("concentration", 0.0, "a number > 0"):
        step_rates_ml_h(sched, 70.0, 0.0)
    assert step_rates_ml_h(sched, 70.0, 100.0) == [100.0]
