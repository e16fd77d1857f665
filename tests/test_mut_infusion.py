"""Infusion durations worked by hand, at the step boundaries, and the rate limits.

A step of r mL/h for m min gives r × m / 60 mL; the last step reached runs the
rest of the volume, (rest / r) × 60 min.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ivig_core import InputError, PlanningError
from ivig_core.infusion import plan_infusion, plan_infusion_ml, prepare_rates
from ivig_core.products import get_product
from ivig_core.rates import RateSchedule, RateStep
from mutation_helpers import refused


def us_ramp() -> RateSchedule:
    """30 mL/h + 30 every 15 min up to 150 mL/h (volumes 7.5, 15, 22.5, 30 mL)."""
    return RateSchedule.ramp(
        start="30 mL/h",
        increment="30 mL/h",
        every="15 min",
        maximum="150 mL/h",
        source="US IVIG order form",
    )


def run(volume_ml: float, **kw: object) -> list[tuple[float, float, float]]:
    """(mL/h, min, mL) per step of Gamunex-C (10 %) at 70 kg."""
    result = plan_infusion_ml(
        volume_ml=volume_ml,
        product=get_product("gamunex-c"),
        schedule=kw.pop("schedule", us_ramp()),  # type: ignore[arg-type]
        rate_weight_kg=70.0,
        **kw,  # type: ignore[arg-type]
    )
    return [(s.rate_ml_h, s.duration_min, s.volume_ml) for s in result.steps]


def test_375_ml_through_the_ramp() -> None:
    """75 mL in the first hour (7.5 + 15 + 22.5 + 30); 300 mL at 150 mL/h: 2 h."""
    result = plan_infusion(
        volume="375 mL",
        product=get_product("gamunex-c"),
        schedule=us_ramp(),
        rate_weight="70 kg",
    )
    assert [(s.rate_ml_h, s.duration_min, s.volume_ml) for s in result.steps] == [
        (30.0, 15.0, 7.5),
        (60.0, 15.0, 15.0),
        (90.0, 15.0, 22.5),
        (120.0, 15.0, 30.0),
        (150.0, 120.0, 300.0),
    ]
    assert [s.start_min for s in result.steps] == [0.0, 15.0, 30.0, 45.0, 60.0]
    assert result.duration_min == 180.0
    assert result.duration_h == 3.0
    assert result.volume_ml == 375.0


def test_volume_ending_exactly_at_a_step_boundary() -> None:
    """75 mL ends with step 4: four steps, 60 min, step 5 not reached."""
    result = plan_infusion_ml(
        volume_ml=75.0,
        product=get_product("gamunex-c"),
        schedule=us_ramp(),
        rate_weight_kg=70.0,
    )
    assert len(result.steps) == 4
    assert result.duration_min == 60.0
    assert result.notes[-1] == (
        "the volume runs out in step 4; steps 5-5 are not reached"
    )


def test_volume_inside_a_step() -> None:
    """10 mL: 7.5 mL in step 1, then 2.5 mL at 60 mL/h = 2.5 min."""
    assert run(10.0) == [(30.0, 15.0, 7.5), (60.0, 2.5, 2.5)]
    # just past the first step: 7.6 mL → 0.1 mL at 60 mL/h = 0.1 min
    assert run(7.6)[1] == pytest.approx((60.0, 0.1, 0.1))
    # exactly the first step's volume: one step
    assert run(7.5) == [(30.0, 15.0, 7.5)]


def test_inclusive_cap_holds_steps_at_it() -> None:
    """A cap of 90 mL/h: steps 4 and 5 held at 90; step 3 (at 90) is not above."""
    result = plan_infusion_ml(
        volume_ml=375.0,
        product=get_product("gamunex-c"),
        schedule=us_ramp(),
        rate_weight_kg=70.0,
        at_risk_cap="90 mL/h",
    )
    assert [s.rate_ml_h for s in result.steps] == [30.0, 60.0, 90.0, 90.0, 90.0]
    assert [s.capped for s in result.steps] == [False, False, False, True, True]
    assert "at-risk cap ≤ 90 mL/h (90.0 mL/h): steps 4, 5 held at the cap" in (
        result.notes
    )
    # 45 mL in 45 min, step 4 22.5 mL in 15 min, 307.5 mL at 90 mL/h = 205 min
    assert result.duration_min == pytest.approx(265.0)
    assert result.maximum_ml_h == 90.0
    assert result.at_risk_cap_ml_h == 90.0


def test_cap_above_every_step() -> None:
    """A cap of 150 mL/h holds nothing and says so."""
    rates = prepare_rates(
        product=get_product("gamunex-c"),
        schedule=us_ramp(),
        rate_weight_kg=70.0,
        at_risk_cap="150 mL/h",
    )
    assert rates.capped == (False,) * 5
    assert rates.notes[-1] == "at-risk cap ≤ 150 mL/h (150.0 mL/h): no step above it"


@dataclass
class Below:
    """A cap the label words as "below" (duck-typed AtRiskCap)."""

    rate: str
    inclusive: bool = False


def test_below_cap_refuses_a_step_at_it() -> None:
    """A "below 90 mL/h" cap: step 3 at 90 mL/h is not below it: refused."""
    with pytest.raises(PlanningError) as caught:
        run(375.0, at_risk_cap=Below("90 mL/h"))
    assert str(caught.value) == (
        "at_risk_cap: step 3 runs at 90.0 mL/h, not below the at-risk cap < 90 "
        "mL/h (90.0 mL/h), which requires a rate below it; give a schedule whose "
        "steps are below the cap, or an explicit inclusive cap"
    )
    assert run(375.0, at_risk_cap=Below("150.1 mL/h"))[-1][0] == 150.0


def test_per_kg_cap_in_ml_h() -> None:
    """A cap of 0.5 mg/kg/min at 70 kg, 100 mg/mL: 0.5 × 70 × 60 / 100 = 21 mL/h."""
    rates = prepare_rates(
        product=get_product("gamunex-c"),
        schedule=us_ramp(),
        rate_weight_kg=70.0,
        at_risk_cap="0.5 mg/kg/min",
    )
    assert rates.cap_ml_h == pytest.approx(21.0)
    assert rates.rates_ml_h == pytest.approx((21.0,) * 5)


def test_schedule_maximum_per_kg_in_ml_h() -> None:
    """Maximum 1 mg/kg/min at 70 kg, 10 %: 42 mL/h. A 50 mL/h step is refused."""
    schedule = RateSchedule(
        steps=[RateStep(rate="42 mL/h", duration="30 min"), RateStep(rate="50 mL/h")],
        maximum="1 mg/kg/min",
        source="x",
    )
    with refused(
        "schedule.steps[1].rate",
        schedule.steps[1].rate,
        "at most the schedule's maximum 1 mg/kg/min (42.0 mL/h here)",
        "step 2 runs at 50.0 mL/h, 8.0 mL/h above the schedule's maximum",
    ):
        run(100.0, schedule=schedule)
    at_max = RateSchedule(
        steps=[RateStep(rate="42 mL/h")], maximum="1 mg/kg/min", source="x"
    )
    assert run(42.0, schedule=at_max) == [(42.0, 60.0, 42.0)]


@pytest.mark.parametrize("volume", [0.0, 20_000.5])
def test_volume_range(volume: float) -> None:
    """A volume is above 0 mL and at most 20 L."""
    with pytest.raises(InputError) as caught:
        run(volume)
    assert str(caught.value) == (
        f"volume: {volume:g} mL is outside the accepted range; allowed: (0, 20000] "
        "mL (more than 0 mL; 20 L catches a unit slip)"
    )


def test_rate_weight_must_be_positive() -> None:
    """A rate weight of 0 kg is refused under its name."""
    with pytest.raises(InputError, match=r"^rate_weight: "):
        prepare_rates(
            product=get_product("gamunex-c"), schedule=us_ramp(), rate_weight_kg=0.0
        )
    with refused("rate_weight", True, "a number (results hold floats)"):  # noqa: FBT003
        prepare_rates(
            product=get_product("gamunex-c"),
            schedule=us_ramp(),
            rate_weight_kg=True,
        )
