"""Infusion durations worked by hand, at the step boundaries, and the rate limits.

A step of r mL/h for m min gives r × m / 60 mL; the last step reached runs the
rest of the volume, (rest / r) × 60 min.
"""

from __future__ import annotations

from dataclasses import dataclass

import attrs
import pytest

from ivig_core import InputError, PlanningError, UnitError
from ivig_core.infusion import (
    InfusionRun,
    RunStep,
    plan_infusion,
    plan_infusion_ml,
    prepare_rates,
    rate_schedule,
    run_volume_ml,
)
from ivig_core.products import get_product
from ivig_core.rates import RateSchedule, RateStep
from ivig_core.sources import cite
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
    # The same cap as a pint quantity, in mL/h.
    cap = result.at_risk_cap
    assert cap is not None
    assert (cap.magnitude, str(cap.units)) == (90.0, "milliliter / hour")
    # The other quantity views: the run's maximum in mL/h; each step's start,
    # duration (min) and volume (mL). Step 4 starts at 45 min, runs 15 min
    # at 90 mL/h: 22.5 mL.
    maximum = result.maximum
    assert (maximum.magnitude, str(maximum.units)) == (90.0, "milliliter / hour")
    step = result.steps[3]
    assert [(q.magnitude, str(q.units)) for q in (step.start, step.duration)] == [
        (45.0, "minute"),
        (15.0, "minute"),
    ]
    assert (step.volume.magnitude, str(step.volume.units)) == (22.5, "milliliter")


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


# --------------------------------------------------------------------------
# Label schedules, each checked against its label's rate line.


def _steps(schedule: RateSchedule) -> list[tuple[float, float | None]]:
    return [(round(s.rate_value, 10), s.duration_min) for s in schedule.steps]


def test_octagam_10_itp_label_steps() -> None:
    """Octagam 10 % ITP (octagam10-uspi): 1 → 2 → 4 → 8 mg/kg/min, 30 min each.

    "1.0 mg/kg/min … Up to 12.0 mg/kg/min": the schedule's maximum is 12.
    """
    schedule = rate_schedule("octagam-10", "itp")
    assert _steps(schedule) == [(1.0, 30.0), (2.0, 30.0), (4.0, 30.0), (8.0, None)]
    assert schedule.maximum.magnitude == 12.0
    assert schedule.indication == "itp"
    assert schedule.source == (
        "Octagam 10 % label, itp: " + cite(("octagam10-usage", "octagam10-uspi"))
    )
    assert schedule.notes == get_product("octagam-10").indication("itp").ramp.notes  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "value"), [("increment", "1 mg/kg/min"), ("interval", "30 min")]
)
def test_label_steps_take_no_parameters(name: str, value: str) -> None:
    """Where the label lists the steps, an increment, interval or target is refused."""
    with refused(name, value, "None: the label gives the steps for this indication"):
        rate_schedule("octagam-10", "itp", **{name: value})
    with refused(
        "target", "4 mg/kg/min", "None: the label gives the steps for this indication"
    ):
        rate_schedule("octagam-10", "itp", target="4 mg/kg/min")


def test_bivigam_label_ramp() -> None:
    """Bivigam PI: the label's start, step, interval and maximum.

    bivigam-hcp-site: "0.5 mg/kg/min … [first 10 minutes] … Increase every 20
    minutes … by 0.8 mg/kg/min up to 6 mg/kg/min".

    0.5 (10 min), 1.3, 2.1, 2.9, 3.7, 4.5, 5.3 (20 min each), then 6 (5.3 + 0.8
    = 6.1 is above 6, so the last step is the maximum, and a note says so).
    """
    schedule = rate_schedule("bivigam", "pi")
    assert _steps(schedule) == [
        (0.5, 10.0),
        (1.3, 20.0),
        (2.1, 20.0),
        (2.9, 20.0),
        (3.7, 20.0),
        (4.5, 20.0),
        (5.3, 20.0),
        (6.0, None),
    ]
    assert schedule.indication == "pi"
    assert schedule.notes == (
        "the last step is set to the maximum 6 mg/kg/min; the increment would give 6.1",
    )
    with refused("increment", "1 mg/kg/min", "None: the label gives the step"):
        rate_schedule("bivigam", "pi", increment="1 mg/kg/min")
    with refused("interval", "30 min", "None: the label gives every 20 min"):
        rate_schedule("bivigam", "pi", interval="30 min")


def test_panzyga_interval_inside_the_label_range() -> None:
    """Panzyga PI: the interval is chosen inside the label's 15-30 min.

    panzyga-uspi: "initial infusion rate should be maintained for 30 min …
    increased every 15-30 minutes" from 1 up to 14 mg/kg/min.

    Step 2 mg/kg/min every 15 min: 1 (30 min), 3, 5, 7, 9, 11, 13, then 14.
    """
    schedule = rate_schedule(
        "panzyga", "pi", increment="2 mg/kg/min", interval="15 min"
    )
    assert _steps(schedule) == [
        (1.0, 30.0),
        *((float(r), 15.0) for r in (3, 5, 7, 9, 11, 13)),
        (14.0, None),
    ]
    assert schedule.notes == (
        "The label gives no step size: it is local policy.",
        "step size 2 mg/kg/min is local policy (not in the label)",
        "step duration 15 min is local policy (not in the label)",
        "the last step is set to the maximum 14 mg/kg/min; the increment would give 15",
    )
    # "every 15-30 minutes": both ends are inside the range, just past is not.
    at_30 = rate_schedule("panzyga", "pi", increment="2 mg/kg/min", interval="30 min")
    assert at_30.steps[1].duration_min == 30.0
    for outside in ("14.9 min", "30.1 min"):
        with refused("interval", outside, "between 15 and 30 min (the label's range)"):
            rate_schedule("panzyga", "pi", increment="2 mg/kg/min", interval=outside)
    with refused(
        "interval",
        None,
        "a step duration: the Panzyga label for pi gives 15-30 min, so the choice "
        "is local policy",
    ):
        rate_schedule("panzyga", "pi", increment="2 mg/kg/min")
    with refused(
        "interval",
        "5 kg",
        "a duration, e.g. '30 min'",
        "5.0 kg is not a duration (its dimension is [mass])",
        error=UnitError,
    ):
        rate_schedule("panzyga", "pi", increment="2 mg/kg/min", interval="5 kg")


def test_gammaplex_per_volume_ramp_from_a_mg_step() -> None:
    """Gammaplex 5 % PI: a mg/kg/min step for a label written in mL/kg/min.

    gammaplex5-uspi: "0.5 mg/kg/min (0.01 mL/kg/min) for 15 minutes · Increase
    gradually every 15 minutes to 4 mg/kg/min (0.08 mL/kg/min)".

    A step of 0.5 mg/kg/min at 50 mg/mL is 0.5 / 50 = 0.01 mL/kg/min:
    0.01, 0.02, … 0.08 mL/kg/min, 15 min each.
    """
    schedule = rate_schedule("gammaplex-5", "pi", increment="0.5 mg/kg/min")
    assert _steps(schedule) == [
        *((r / 100, 15.0) for r in range(1, 8)),
        (0.08, None),
    ]
    assert schedule.notes == (
        "The label gives no step size: it is local policy.",
        "step size 0.01 mL/kg/min is local policy (not in the label)",
    )
    same = rate_schedule("gammaplex-5", "pi", increment="0.01 mL/kg/min")
    assert _steps(same) == _steps(schedule)


def test_gammagard_no_interval_and_first_step() -> None:
    """Gammagard Liquid MMN: no interval and no first-step duration in the label.

    gammagard-hcp-site: "0.5 mL/kg/hr … up to 5.4 mL/kg/hr (9 mg/kg/min)".

    1 mg/kg/min at 100 mg/mL is 0.01 mL/kg/min; 0.5 mL/kg/h = 0.008333
    mL/kg/min: 0.008333, 0.018333, … 0.088333, then 0.09.
    """
    with refused(
        "interval",
        None,
        "a step duration: the Gammagard Liquid label for mmn gives no interval, "
        "so the choice is local policy",
    ):
        rate_schedule("gammagard-liquid", "mmn", increment="1 mg/kg/min")
    schedule = rate_schedule(
        "gammagard-liquid", "mmn", increment="1 mg/kg/min", interval="30 min"
    )
    rates = [s.rate_value for s in schedule.steps]
    assert rates[:2] == pytest.approx([0.5 / 60, 0.5 / 60 + 0.01])
    assert rates[-1] == pytest.approx(0.09)
    assert len(rates) == 10
    assert schedule.notes[1:4] == (
        "step size 0.01 mL/kg/min is local policy (not in the label)",
        "step duration 30 min is local policy (not in the label)",
        "the first step's duration (30 min) is local policy (not in the label)",
    )
    assert schedule.indication == "mmn"


def test_gamunex_first_step_from_the_chart() -> None:
    """Gamunex-C CIDP: the first step's 30 min is the chart's, the rest is ours.

    gamunexc-rate-chart: "CIDP … 2 mg/kg/min … 8 mg/kg/min", "the initial rate
    is used for the first 30 min"; no later interval.

    Step 2 every 20 min: 2 (30 min), 4, 6 (20 min), 8; the first step's
    duration is the chart's, so no note calls it local policy.
    """
    schedule = rate_schedule(
        "gamunex-c", "cidp", increment="2 mg/kg/min", interval="20 min"
    )
    assert _steps(schedule) == [(2.0, 30.0), (4.0, 20.0), (6.0, 20.0), (8.0, None)]
    assert not any("first step" in note for note in schedule.notes)
    with refused(
        "interval",
        None,
        "a step duration: the Gamunex-C label for cidp gives no interval, so the "
        "choice is local policy",
    ):
        rate_schedule("gamunex-c", "cidp", increment="2 mg/kg/min")


def test_step_size_refusals() -> None:
    """A step size is required where the label gives none, in a per-kg unit."""
    with refused(
        "increment",
        None,
        "a rate step (mg/kg/min or mL/kg/min): the Privigen label for itp gives "
        "no step size, so it is local policy",
    ):
        rate_schedule("privigen", "itp", interval="30 min")
    for product, kind in (("privigen", "mg/kg/min"), ("gammaplex-5", "mL/kg/min")):
        with refused("increment", "30 mL/h", f"a per-kg rate ({kind})"):
            rate_schedule(product, "pi", increment="30 mL/h", interval="15 min")
    with refused(
        "increment",
        "5 kg",
        "a volume rate, e.g. '150 mL/h'",
        "5.0 kg is not a volume rate (its dimension is [mass])",
        error=UnitError,
    ):
        rate_schedule("privigen", "itp", increment="5 kg", interval="30 min")


def test_target_holds_below_the_label_maximum() -> None:
    """Asceniv PI (asceniv-hcp-site): 0.5 for 15 min, every 15 min, up to 8.

    A target of 0.04 mL/kg/min at 100 mg/mL is 4 mg/kg/min: 0.5, 1.5, 2.5,
    3.5, then 4; the schedule's maximum stays the label's 8.
    """
    schedule = rate_schedule(
        "asceniv", "pi", increment="1 mg/kg/min", target="0.04 mL/kg/min"
    )
    assert _steps(schedule) == [
        (0.5, 15.0),
        (1.5, 15.0),
        (2.5, 15.0),
        (3.5, 15.0),
        (4.0, None),
    ]
    assert schedule.maximum.magnitude == 8.0
    assert schedule.indication == "pi"
    assert "held at 4 mg/kg/min by choice (label maximum 8)" in schedule.notes
    with refused("target", "9 mg/kg/min", "at most the labelled maximum 8 mg/kg/min"):
        rate_schedule("asceniv", "pi", increment="1 mg/kg/min", target="9 mg/kg/min")
    with refused("target", "30 mL/h", "a per-kg rate (mg/kg/min)"):
        rate_schedule("asceniv", "pi", increment="1 mg/kg/min", target="30 mL/h")


def test_rate_schedule_refusals() -> None:
    """Not a product; an indication without label rates."""
    with refused("product", 3, "a Product or a product name"):
        rate_schedule(3, "pi")  # type: ignore[arg-type]
    with refused(
        "indication",
        "pi",
        "an indication whose label rates are in the catalogue",
        "Gammagard S/D has no labelled rates for pi in the catalogue (UNCONFIRMED "
        "in the sources read); use a local protocol",
    ):
        rate_schedule("gammagard-sd", "pi")


# --------------------------------------------------------------------------
# Runs: the notes, the shared steps, the highest labelled maximum.


def test_run_through_every_step_has_no_cut_note() -> None:
    """375 mL reaches step 5 (the last): no "not reached" note."""
    result = plan_infusion_ml(
        volume_ml=375.0,
        product=get_product("gamunex-c"),
        schedule=us_ramp(),
        rate_weight_kg=70.0,
    )
    assert len(result.steps) == 5
    assert not any("not reached" in note for note in result.notes)


def test_shared_steps_are_those_run_in_full() -> None:
    """Steps run in full are kept by index and reused; the cut last step is not.

    375 mL runs steps 1-4 in full and 300 mL of step 5; 200 mL then reuses
    steps 1-4 and runs 125 mL (50 min) at 150 mL/h in step 5.
    """
    rates = prepare_rates(
        product=get_product("gamunex-c"), schedule=us_ramp(), rate_weight_kg=70.0
    )
    shared: dict[int, RunStep] = {}
    first = run_volume_ml(375.0, rates, shared=shared)
    assert sorted(shared) == [0, 1, 2, 3]
    second = run_volume_ml(200.0, rates, shared=shared)
    assert all(a is b for a, b in zip(first.steps[:4], second.steps[:4], strict=True))
    assert (second.steps[4].volume_ml, second.steps[4].duration_min) == (125.0, 50.0)
    assert second.duration_min == 110.0
    short = run_volume_ml(10.0, rates, shared=shared)  # 7.5 mL + 2.5 mL in step 2
    assert short.steps[0] is first.steps[0]
    assert (short.steps[1].volume_ml, short.steps[1].duration_min) == (2.5, 2.5)


def test_plan_infusion_names_the_volume() -> None:
    """A volume in the wrong unit is refused under "volume"."""
    with refused(
        "volume",
        "5 kg",
        "a volume, e.g. '400 mL'",
        "5.0 kg is not a volume (its dimension is [mass])",
        error=UnitError,
    ):
        plan_infusion(
            volume="5 kg",
            product=get_product("gamunex-c"),
            schedule=us_ramp(),
            rate_weight="70 kg",
        )


def test_highest_labelled_maximum_skips_an_indication_without_one() -> None:
    """No indication: the highest labelled maximum, past one that has none.

    Privigen PI 8 mg/kg/min (privigen-uspi): 8 × 70 × 60 / 100 = 336 mL/h at
    70 kg, so a 400 mL/h step is 64 mL/h above it; at 90 kg it is 432 mL/h.
    """
    privigen = get_product("privigen")
    no_rates = attrs.evolve(privigen.indications["itp"], ramp=None)
    product = attrs.evolve(
        privigen, indications={"itp": no_rates, "pi": privigen.indications["pi"]}
    )
    ramp = RateSchedule.ramp(
        start="100 mL/h",
        increment="100 mL/h",
        every="30 min",
        maximum="400 mL/h",
        source="x",
    )
    rates = prepare_rates(product=product, schedule=ramp, rate_weight_kg=90.0)
    assert rates.maximum_ml_h == 400.0  # the schedule's own, below 432 mL/h
    with refused(
        "schedule.steps[3].rate",
        ramp.steps[3].rate,
        "at most Privigen's labelled maximum 8 mg/kg/min for pi, the highest "
        "(336.0 mL/h here)",
        "step 4 runs at 400.0 mL/h, 64.0 mL/h above the labelled maximum",
    ):
        prepare_rates(product=product, schedule=ramp, rate_weight_kg=70.0)


def test_shared_steps_never_hold_a_cut_step() -> None:
    """A cut step is never kept, nor fetched in place of one: every run is exact.

    10 mL: 7.5 mL in step 1, 2.5 mL (2.5 min) in step 2. Then 375 mL runs step
    2 in full (15 mL); 50 mL runs 7.5 + 15 + 22.5 = 45 mL, then 5 mL (2.5 min
    at 120 mL/h) in step 4, not step 4's full 30 mL.
    """
    rates = prepare_rates(
        product=get_product("gamunex-c"), schedule=us_ramp(), rate_weight_kg=70.0
    )
    shared: dict[int, RunStep] = {}
    short = run_volume_ml(10.0, rates, shared=shared)
    assert [(s.volume_ml, s.duration_min) for s in short.steps] == [
        (7.5, 15.0),
        (2.5, 2.5),
    ]
    assert sorted(shared) == [0]
    full = run_volume_ml(375.0, rates, shared=shared)
    assert [s.volume_ml for s in full.steps] == [7.5, 15.0, 22.5, 30.0, 300.0]
    assert full.duration_min == 180.0
    part = run_volume_ml(50.0, rates, shared=shared)
    assert [(s.volume_ml, s.duration_min) for s in part.steps] == [
        (7.5, 15.0),
        (15.0, 15.0),
        (22.5, 15.0),
        (5.0, 2.5),
    ]


def test_run_records_its_inputs() -> None:
    """Each step keeps its scheduled rate; the run its product and source."""
    schedule = us_ramp()
    run = plan_infusion_ml(
        volume_ml=375.0,
        product=get_product("gamunex-c"),
        schedule=schedule,
        rate_weight_kg=70.0,
    )
    assert [s.scheduled_rate for s in run.steps] == [s.rate for s in schedule.steps]
    assert run.product == "gamunex-c"
    assert run.schedule_source == "US IVIG order form"
    assert run.rate_weight_kg == 70.0
    assert run.at_risk_cap_ml_h is None
    assert run.at_risk_cap is None
    assert not run.capped
    assert [s.capped for s in run.steps] == [False] * 5
    assert run.notes[0] == "per-kg rates use rate_weight 70 kg"


def _privigen_run(**kw: object) -> tuple[float, tuple[str, ...]]:
    """(maximum mL/h, notes) of a local 30-300 mL/h ramp at 70 kg."""
    rates = prepare_rates(
        product=kw.pop("product", get_product("privigen")),  # type: ignore[arg-type]
        schedule=kw.pop(  # type: ignore[arg-type]
            "schedule",
            RateSchedule.ramp(
                start="30 mL/h",
                increment="30 mL/h",
                every="30 min",
                maximum="150 mL/h",
                source="local",
            ),
        ),
        rate_weight_kg=70.0,
        **kw,  # type: ignore[arg-type]
    )
    return rates.maximum_ml_h, rates.notes


def test_which_labelled_maximum_the_notes_say() -> None:
    """The indication's labelled maximum, the highest, or none in the catalogue.

    Privigen ITP 4 mg/kg/min (privigen-uspi, "Increase to 4 mg/kg/min"): 4 × 70 ×
    60 / 100 = 168 mL/h, above the local ramp's 150 mL/h maximum.
    """
    maximum, notes = _privigen_run(indication="itp")
    assert maximum == 150.0
    assert notes[1] == "labelled maximum for itp: " + cite(
        ("privigen-uspi", "privigen-hcp-site")
    )
    _, notes = _privigen_run()
    assert notes[1] == (
        "no indication given: the product's per-indication labelled maxima "
        "(pi, cidp, itp) were checked, the highest applies"
    )
    sd = get_product("gammagard-sd")
    _, notes = _privigen_run(product=sd, indication="pi")
    assert notes[1] == (
        "Gammagard S/D has no labelled maximum rate for pi in the catalogue; only "
        "the schedule's maximum applies"
    )
    _, notes = _privigen_run(product=sd)
    assert notes[1] == (
        "Gammagard S/D has no labelled maximum rate in the catalogue; only the "
        "schedule's maximum applies"
    )


def test_schedule_indication_applies_without_an_argument() -> None:
    """A schedule tied to ITP is held to Privigen's ITP maximum, 168 mL/h at 70 kg."""
    schedule = RateSchedule.ramp(
        start="60 mL/h",
        increment="60 mL/h",
        every="30 min",
        maximum="180 mL/h",
        source="local",
        indication="itp",
    )
    with refused(
        "schedule.steps[2].rate",
        schedule.steps[2].rate,
        "at most Privigen's labelled maximum 4 mg/kg/min (168.0 mL/h here)",
        "step 3 runs at 180.0 mL/h, 12.0 mL/h above the labelled maximum",
    ):
        _privigen_run(schedule=schedule)
    # The PI maximum 8 mg/kg/min (336 mL/h) allows it when PI is asked for.
    assert _privigen_run(schedule=schedule, indication="pi")[0] == 180.0


def test_prepare_rates_refusals() -> None:
    """Product, schedule, rate weight and cap are refused under their names."""
    product = get_product("gamunex-c")
    with refused("product", "gamunex-c", "a Product"):
        prepare_rates(product="gamunex-c", schedule=us_ramp(), rate_weight_kg=70.0)  # type: ignore[arg-type]
    with refused("schedule", "x", "a RateSchedule (from rate_schedule)"):
        prepare_rates(product=product, schedule="x", rate_weight_kg=70.0)  # type: ignore[arg-type]
    with refused("rate_weight", 0.0, "a finite number > 0"):
        prepare_rates(product=product, schedule=us_ramp(), rate_weight_kg=0.0)
    with pytest.raises(InputError) as caught:
        prepare_rates(product=product, schedule=us_ramp(), rate_weight_kg=1000.0)
    assert (caught.value.field, caught.value.value) == ("rate_weight", 1000.0)
    with refused(
        "at_risk_cap",
        "5 kg",
        "a volume rate, e.g. '150 mL/h'",
        "5.0 kg is not a volume rate (its dimension is [mass])",
        error=UnitError,
    ):
        prepare_rates(
            product=product, schedule=us_ramp(), rate_weight_kg=70.0, at_risk_cap="5 kg"
        )


# --------------------------------------------------------------------------
# Results built by hand are checked like any input.


_STEP: dict[str, object] = {
    "start_min": 0.0,
    "rate_ml_h": 30.0,
    "duration_min": 15.0,
    "volume_ml": 7.5,
    "scheduled_rate": "30 mL/h",
}


def test_run_step_fields() -> None:
    """A RunStep holds floats ≥ 0 (a rate > 0) and a checked scheduled rate."""
    step = RunStep(**_STEP)  # type: ignore[arg-type]
    assert step.scheduled_rate == RateStep(rate="30 mL/h").rate
    assert RunStep(**{**_STEP, "start_min": 0, "volume_ml": 0.0}).start_min == 0.0  # type: ignore[arg-type]
    for name in ("start_min", "duration_min", "volume_ml"):
        with refused(name, -1.0, "≥ 0"):
            RunStep(**{**_STEP, name: -1.0})  # type: ignore[arg-type]
        with refused(name, "1", "a number (results hold floats)"):
            RunStep(**{**_STEP, name: "1"})  # type: ignore[arg-type]
    with refused("rate_ml_h", 0.0, "a finite number > 0"):
        RunStep(**{**_STEP, "rate_ml_h": 0.0})  # type: ignore[arg-type]
    assert RunStep(**{**_STEP, "rate_ml_h": 0.5}).rate_ml_h == 0.5  # type: ignore[arg-type]
    with refused(
        "rate",
        "5 kg",
        "a volume rate, e.g. '150 mL/h'",
        "5.0 kg is not a volume rate (its dimension is [mass])",
        error=UnitError,
    ):
        RunStep(**{**_STEP, "scheduled_rate": "5 kg"})  # type: ignore[arg-type]


def test_infusion_run_fields() -> None:
    """An InfusionRun holds steps, floats in range and an optional cap > 0."""
    step = RunStep(**_STEP)  # type: ignore[arg-type]
    base: dict[str, object] = {
        "steps": [step],
        "volume_ml": 7.5,
        "duration_min": 15.0,
        "rate_weight_kg": 70.0,
        "product": "gamunex-c",
        "schedule_source": "x",
        "maximum_ml_h": 30.0,
    }
    run = InfusionRun(**base)  # type: ignore[arg-type]
    assert run.steps == (step,)
    assert run.at_risk_cap_ml_h is None
    assert InfusionRun(**{**base, "at_risk_cap_ml_h": 30}).at_risk_cap_ml_h == 30.0  # type: ignore[arg-type]
    for name, allowed in (
        ("rate_weight_kg", "a finite number > 0"),
        ("maximum_ml_h", "a finite number > 0"),
        ("at_risk_cap_ml_h", "a finite number > 0"),
        ("volume_ml", "≥ 0"),
        ("duration_min", "≥ 0"),
    ):
        with refused(name, -1.0, allowed):
            InfusionRun(**{**base, name: -1.0})  # type: ignore[arg-type]
    for name in ("rate_weight_kg", "maximum_ml_h", "at_risk_cap_ml_h"):
        with refused(name, 0.0, "a finite number > 0"):
            InfusionRun(**{**base, name: 0.0})  # type: ignore[arg-type]
    for bad in ("steps", 3):
        with refused("steps", bad, "a sequence of RunStep"):
            InfusionRun(**{**base, "steps": bad})  # type: ignore[arg-type]
    for bad in ([], [step, 3]):  # type: ignore[assignment]
        with refused("steps", bad, "a non-empty sequence of RunStep"):
            InfusionRun(**{**base, "steps": bad})  # type: ignore[arg-type]
