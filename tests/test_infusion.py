"""Rate schedules: conversions, label ramps, local protocols, runs and caps."""

from __future__ import annotations

import math

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import InputError, PlanningError, UnitError
from ivig_core.infusion import plan_infusion, plan_infusion_ml, rate_schedule
from ivig_core.io.text import run_table
from ivig_core.products import get_product
from ivig_core.rates import RateKind, RateSchedule, RateStep, rate_kind, rate_to_ml_h
from ivig_core.units import Q_


US_ORDER_FORM = RateSchedule.ramp(
    start="30 mL/h",
    increment="30 mL/h",
    every="15 min",
    maximum="150 mL/h",
    source="US IVIG order form (reference §1.6)",
)


def test_mg_to_ml_per_kg_at_10_and_5_percent() -> None:
    """At 10 %, 1 mg/kg/min = 0.01 mL/kg/min; at 5 %, 0.02."""
    per_kg_10 = rate_to_ml_h(1.0, RateKind.MG_PER_KG_PER_MIN, 1.0, 100.0) / 60
    per_kg_5 = rate_to_ml_h(1.0, RateKind.MG_PER_KG_PER_MIN, 1.0, 50.0) / 60
    assert pytest.approx(per_kg_10) == 0.01
    assert pytest.approx(per_kg_5) == 0.02


def test_70_kg_at_1_mg_kg_min_of_10_percent_is_42_ml_h() -> None:
    """A 70 kg patient at 1 mg/kg/min of a 10 % product runs at 42 mL/h."""
    schedule = RateSchedule(
        steps=[RateStep(rate="1 mg/kg/min")], maximum="1 mg/kg/min", source="test"
    )
    run = plan_infusion(
        volume="100 mL",
        product=get_product("privigen"),
        schedule=schedule,
        rate_weight="70 kg",
    )
    assert pytest.approx(run.steps[0].rate_ml_h) == 42.0


def test_ml_per_kg_per_h_is_kept_as_ml_per_kg() -> None:
    """0.5 mL/kg/h is a mL/kg/min rate (70 kg → 35 mL/h)."""
    step = RateStep(rate="0.5 mL/kg/h")
    assert RateKind.ML_PER_KG_PER_MIN is step.kind
    assert pytest.approx(rate_to_ml_h(step.rate_value, step.kind, 70.0, 100.0)) == 35.0


def test_rate_kind_refuses_non_rates() -> None:
    """A bare number or a percentage per minute is not a rate."""
    with pytest.raises(
        UnitError,
        match=(
            r"^rate: got 4 \(a bare number; units are never assumed\); "
            r"allowed: a volume rate as a pint Quantity or a string such "
            r"as '150 mL/h'$"
        ),
    ):
        rate_kind(4)
    with pytest.raises(
        UnitError,
        match=(
            r"^rate: 4\.0 %/min is not written as mass per body mass; "
            r"allowed: an infusion rate per body mass written as mass per "
            r"body mass, e\.g\. '4 mg/kg/min'$"
        ),
    ):
        rate_kind("4 %/min")


def test_octagam_itp_label_ramp() -> None:
    """Octagam 10 % ITP: 1 → 2 → 4 → 8 mg/kg/min, 30 min each, max 12."""
    schedule = rate_schedule(get_product("octagam-10"), "itp")
    assert [s.rate_value for s in schedule.steps] == [1.0, 2.0, 4.0, 8.0]
    assert [s.duration_min for s in schedule.steps] == [30.0, 30.0, 30.0, None]
    assert schedule.maximum.m_as("mg/kg/min") == 12.0


def test_octagam_dm_needs_local_step_size() -> None:
    """Octagam 10 % DM gives no step size: it is required, and recorded."""
    octagam = get_product("octagam-10")
    with pytest.raises(
        InputError,
        match=(
            r"^increment: got None; allowed: a rate step \(mg/kg/min or "
            r"mL/kg/min\): the Octagam 10 % label for dermatomyositis "
            r"gives no step size, so it is local policy$"
        ),
    ):
        rate_schedule(octagam, "dermatomyositis", interval="30 min")
    dm = rate_schedule(
        octagam, "dermatomyositis", increment="1 mg/kg/min", interval="30 min"
    )
    assert [s.rate_value for s in dm.steps] == [1.0, 2.0, 3.0, 4.0]
    assert dm.maximum.m_as("mg/kg/min") == 4.0
    assert any("local policy" in note for note in dm.notes)


def test_increment_may_be_given_per_ml() -> None:
    """A step size in mL/kg/min is converted with the concentration."""
    dm = rate_schedule(
        "octagam 10%", "dermatomyositis", increment="0.01 mL/kg/min", interval="30 min"
    )
    assert [s.rate_value for s in dm.steps] == [1.0, 2.0, 3.0, 4.0]


def test_bivigam_full_label_ramp() -> None:
    """Bivigam: 0.5 for 10 min, +0.8 every 20 min, up to 6 (last step at 6)."""
    schedule = rate_schedule("bivigam", "pi")
    rates = [s.rate_value for s in schedule.steps]
    assert pytest.approx(rates) == [0.5, 1.3, 2.1, 2.9, 3.7, 4.5, 5.3, 6.0]
    assert schedule.steps[0].duration_min == 10.0
    assert any("set to the maximum" in note for note in schedule.notes)


def test_panzyga_interval_must_be_in_label_range() -> None:
    """Panzyga: 'every 15-30 min': the interval is required and checked."""
    with pytest.raises(
        InputError,
        match=(
            r"^interval: got None; allowed: a step duration: the Panzyga "
            r"label for pi gives 15-30 min, so the choice is local policy$"
        ),
    ):
        rate_schedule("panzyga", "pi", increment="1 mg/kg/min")
    with pytest.raises(
        InputError,
        match=(
            r"^interval: got '45 min'; allowed: between 15 and 30 min "
            r"\(the label's range\)$"
        ),
    ):
        rate_schedule("panzyga", "pi", increment="1 mg/kg/min", interval="45 min")


def test_label_given_parameters_are_refused() -> None:
    """Passing a step size the label already gives is refused."""
    with pytest.raises(
        InputError,
        match=(
            r"^increment: got '1 mg/kg/min'; allowed: None: the label "
            r"gives the step$"
        ),
    ):
        rate_schedule("bivigam", "pi", increment="1 mg/kg/min")
    with pytest.raises(
        InputError,
        match=(
            r"^interval: got '15 min'; allowed: None: the label gives the "
            r"steps for this indication$"
        ),
    ):
        rate_schedule("octagam-10", "itp", interval="15 min")


def test_unconfirmed_rates_are_refused() -> None:
    """Gammagard S/D rates are UNCONFIRMED: no label schedule."""
    with pytest.raises(
        InputError,
        match=(
            r"^indication: Gammagard S/D has no labelled rates for pi in "
            r"the catalogue \(UNCONFIRMED in the sources read\); use a "
            r"local protocol; allowed: an indication whose label rates are "
            r"in the catalogue$"
        ),
    ):
        rate_schedule("gammagard s/d", "pi")


def test_target_below_label_maximum() -> None:
    """A local ceiling below the label maximum is allowed and noted."""
    schedule = rate_schedule(
        "asceniv", "pi", increment="1 mg/kg/min", target="4 mg/kg/min"
    )
    assert schedule.steps[-1].rate_value == 4.0
    assert schedule.maximum.m_as("mg/kg/min") == 8.0
    with pytest.raises(
        InputError,
        match=(
            r"^target: got '9 mg/kg/min'; allowed: at most the labelled "
            r"maximum 8 mg/kg/min$"
        ),
    ):
        rate_schedule("asceniv", "pi", increment="1 mg/kg/min", target="9 mg/kg/min")


def test_us_order_form_protocol() -> None:
    """30 mL/h, +30 every 15 min, max 150: 600 mL takes 4 h 30 min."""
    run = plan_infusion(
        volume="600 mL",
        product=get_product("gamunex-c"),
        schedule=US_ORDER_FORM,
        rate_weight="70 kg",
    )
    assert [s.rate_ml_h for s in run.steps] == [30.0, 60.0, 90.0, 120.0, 150.0]
    # 7.5 + 15 + 22.5 + 30 = 75 mL in the first hour; 525 mL at 150 mL/h = 210 min
    assert pytest.approx(run.duration_min) == 270.0
    assert pytest.approx(run.volume_ml) == 600.0


def test_last_step_cut_and_later_steps_dropped() -> None:
    """A small volume ends inside an early step; the run says so."""
    run = plan_infusion(
        volume="20 mL",
        product=get_product("gamunex-c"),
        schedule=US_ORDER_FORM,
        rate_weight="70 kg",
    )
    assert [s.rate_ml_h for s in run.steps] == [30.0, 60.0]
    assert pytest.approx(run.steps[-1].volume_ml) == 12.5
    assert any("not reached" in n for n in run.notes)


def test_schedule_above_its_own_maximum_is_refused() -> None:
    """A step above the schedule's maximum is an InputError naming the step."""
    with pytest.raises(
        InputError,
        match=(
            r"^steps\[1\]\.rate: step 2 runs at 5 mg/kg/min, above the "
            r"maximum 4 mg/kg/min; allowed: at most the schedule's maximum "
            r"4 mg/kg/min$"
        ),
    ):
        RateSchedule(
            steps=[
                RateStep(rate="1 mg/kg/min", duration="30 min"),
                RateStep(rate="5 mg/kg/min"),
            ],
            maximum="4 mg/kg/min",
            source="test",
        )


def test_mixed_kind_step_above_maximum_refused_when_planned() -> None:
    """A mL/h step above a mg/kg/min maximum is refused for the patient."""
    schedule = RateSchedule(
        steps=[RateStep(rate="200 mL/h")], maximum="4 mg/kg/min", source="test"
    )
    with pytest.raises(
        InputError,
        match=(
            r"^schedule\.steps\[0\]\.rate: step 1 runs at 200\.0 mL/h, "
            r"104\.0 mL/h above the schedule's maximum; allowed: at most "
            r"the schedule's maximum 4 mg/kg/min \(96\.0 mL/h here\)$"
        ),
    ):
        plan_infusion(
            volume="100 mL",
            product=get_product("octagam-10"),
            schedule=schedule,
            rate_weight="40 kg",
        )


def test_rate_above_label_maximum_is_refused() -> None:
    """150 mL/h at 30 kg exceeds Octagam 10 % DM's 4 mg/kg/min (72 mL/h)."""
    with pytest.raises(
        InputError,
        match=(
            r"^schedule\.steps\[2\]\.rate: step 3 runs at 90\.0 mL/h, "
            r"18\.0 mL/h above the labelled maximum; allowed: at most "
            r"Octagam 10 %'s labelled maximum 4 mg/kg/min \(72\.0 mL/h "
            r"here\)$"
        ),
    ):
        plan_infusion(
            volume="300 mL",
            product=get_product("octagam-10"),
            schedule=US_ORDER_FORM,
            rate_weight="30 kg",
            indication="dermatomyositis",
        )


def test_step_missing_duration_is_refused() -> None:
    """Only the last step may run without a duration."""
    with pytest.raises(
        InputError,
        match=(
            r"^steps\[0\]\.duration: got None; allowed: a duration \(only "
            r"the last step has none\)$"
        ),
    ):
        RateSchedule(
            steps=[RateStep(rate="30 mL/h"), RateStep(rate="60 mL/h")],
            maximum="60 mL/h",
            source="test",
        )


def test_bad_rate_weight_and_volume() -> None:
    """rate_weight is required with units; volume must be positive."""
    octagam = get_product("octagam-10")
    schedule = rate_schedule(octagam, "itp")
    with pytest.raises(
        UnitError,
        match=(
            r"^rate_weight: got 70 \(a bare number; units are never "
            r"assumed\); allowed: a mass as a pint Quantity or a string "
            r"such as '70 kg' or '154 lb'$"
        ),
    ):
        plan_infusion(
            volume="100 mL", product=octagam, schedule=schedule, rate_weight=70
        )
    with pytest.raises(InputError, match=r"^volume: got -1\.0; allowed: ≥ 0$"):
        plan_infusion_ml(
            volume_ml=-1.0, product=octagam, schedule=schedule, rate_weight_kg=70.0
        )


def test_at_risk_cap_holds_steps_and_says_so() -> None:
    """Octagam 10 % at-risk cap 3.3 mg/kg/min holds the 4 and 8 steps."""
    octagam = get_product("octagam-10")
    run = plan_infusion(
        volume="500 mL",
        product=octagam,
        schedule=rate_schedule(octagam, "itp"),
        rate_weight="70 kg",
        at_risk_cap=octagam.at_risk_cap,
    )
    cap = 138.6  # 3.3 mg/kg/min × 70 kg × 60 min/h ÷ 100 mg/mL
    assert [42.0, 84.0, cap, cap] == pytest.approx([s.rate_ml_h for s in run.steps])
    assert [s.capped for s in run.steps] == [False, False, True, True]
    assert run.capped
    assert any("held at the cap" in n for n in run.notes)
    assert cap == pytest.approx(run.maximum_ml_h)


def test_below_cap_refuses_steps_at_it() -> None:
    """A cap worded 'below' (Octagam 5 %) refuses steps at or above it."""
    octagam5 = get_product("octagam-5")
    schedule = rate_schedule(
        octagam5, "pi", increment="0.5 mg/kg/min", interval="30 min"
    )
    with pytest.raises(PlanningError, match=r"at_risk_cap: step \d+ .*not below"):
        plan_infusion(
            volume="500 mL",
            product=octagam5,
            schedule=schedule,
            rate_weight="70 kg",
            at_risk_cap=octagam5.at_risk_cap,
        )


def test_run_table_is_text() -> None:
    """The run renders as a small table with the total."""
    run = plan_infusion(
        volume="315 mL",
        product=get_product("octagam-10"),
        schedule=rate_schedule("octagam-10", "itp"),
        rate_weight="70 kg",
    )
    assert "total: 315.0 mL in 120.0 min" in run_table(run)


# --------------------------------------------------------------------------
# Properties

label_schedules = st.sampled_from(
    [
        ("octagam-10", "itp", {}),
        ("bivigam", "pi", {}),
        ("gamunex-c", "cidp", {"increment": "1 mg/kg/min", "interval": "30 min"}),
        ("gammagard-liquid", "pi", {"increment": "1 mL/kg/h"}),
        ("panzyga", "pi", {"increment": "2 mg/kg/min", "interval": "15 min"}),
        ("gammaplex-5", "pi", {"increment": "0.01 mL/kg/min"}),
        ("privigen", "itp", {"increment": "0.5 mg/kg/min", "interval": "30 min"}),
    ]
)
weights = st.floats(min_value=3.0, max_value=250.0)
volumes = st.floats(min_value=1.0, max_value=3000.0)
caps = st.none() | st.floats(min_value=0.5, max_value=10.0)


def in_unit_of(rate_ml_h: float, conc: float, weight_kg: float, unit: object) -> float:
    """A pump rate restated by pint in *unit* (mL/h, mL/kg/min or mg/kg/min).

    mL/h as given, per kg by dividing by the weight, in mass by multiplying
    by the concentration (g/L): pint's unit arithmetic, not the library's
    rate conversion.
    """
    pump = Q_(rate_ml_h, "mL/h")
    per_kg = pump / Q_(weight_kg, "kg")
    for candidate in (pump, per_kg, per_kg * Q_(conc, "g/L")):
        if candidate.is_compatible_with(unit):
            return float(candidate.m_as(unit))
    raise AssertionError(unit)  # pragma: no cover - every kind is covered


@given(label_schedules, weights, volumes, caps)
def test_run_volume_and_maximum(
    case: tuple[str, str, dict[str, str]],
    weight_kg: float,
    volume: float,
    cap: float | None,
) -> None:
    """Volume across steps = the dose's volume; no step above max or cap."""
    key, indication, params = case
    product = get_product(key)
    schedule = rate_schedule(product, indication, **params)
    run = plan_infusion_ml(
        volume_ml=volume,
        product=product,
        schedule=schedule,
        rate_weight_kg=weight_kg,
        at_risk_cap=None if cap is None else Q_(cap, "mg/kg/min"),
    )
    assert math.fsum(s.volume_ml for s in run.steps) == pytest.approx(volume)
    assert run.volume_ml == pytest.approx(volume)
    conc = product.concentration_g_per_l
    maximum = schedule.maximum
    for step in run.steps:
        in_label_unit = in_unit_of(step.rate_ml_h, conc, weight_kg, maximum.units)
        assert in_label_unit <= float(maximum.magnitude) * (1 + 1e-9)
        assert step.rate_ml_h <= run.maximum_ml_h * (1 + 1e-9)
        if cap is not None:
            mg_kg_min = in_unit_of(step.rate_ml_h, conc, weight_kg, "mg/kg/min")
            assert mg_kg_min <= cap * (1 + 1e-9)
    assert run.duration_min == pytest.approx(
        math.fsum(s.duration_min for s in run.steps)
    )


def test_schedule_checks_hold_with_validators_disabled() -> None:
    """A step above the maximum is refused even with attrs validators off."""
    attrs.validators.set_disabled(True)
    try:
        with pytest.raises(
            InputError,
            match=(
                r"^steps\[0\]\.rate: step 1 runs at 5 mg/kg/min, above the "
                r"maximum 4 mg/kg/min; allowed: at most the schedule's maximum "
                r"4 mg/kg/min$"
            ),
        ):
            RateSchedule(
                steps=[RateStep(rate="5 mg/kg/min")], maximum="4 mg/kg/min", source="x"
            )
        with pytest.raises(
            InputError, match=r"^source: got ''; allowed: a non-empty string$"
        ):
            RateSchedule(
                steps=[RateStep(rate="1 mg/kg/min")], maximum="4 mg/kg/min", source=""
            )
    finally:
        attrs.validators.set_disabled(False)


def test_run_quantities_match_floats() -> None:
    """The run's quantity properties agree with its float fields."""
    run = plan_infusion(
        volume="315 mL",
        product=get_product("octagam-10"),
        schedule=rate_schedule("octagam-10", "itp"),
        rate_weight="70 kg",
    )
    assert run.volume.m_as("mL") == run.volume_ml
    assert run.duration.m_as("h") == pytest.approx(2.0)
    assert run.rate_weight.m_as("kg") == 70.0
    assert run.steps[1].rate.m_as("mL/h") == 84.0
    assert run.at_risk_cap is None


def test_no_indication_uses_highest_label_maximum() -> None:
    """Without an indication, the product's highest labelled maximum applies."""
    schedule = RateSchedule(
        steps=[RateStep(rate="13 mg/kg/min")], maximum="13 mg/kg/min", source="x"
    )
    run = plan_infusion(
        volume="100 mL",
        product=get_product("panzyga"),
        schedule=schedule,
        rate_weight="10 kg",
    )
    assert any("highest applies" in note for note in run.notes)
    # 13 mg/kg/min is above Privigen's highest labelled maximum (8, pi); a
    # rate above every label's maximum (Panzyga's 14) is refused when made.
    with pytest.raises(
        InputError,
        match=(
            r"^schedule\.steps\[0\]\.rate: step 1 runs at 78\.0 mL/h, "
            r"30\.0 mL/h above the labelled maximum; allowed: at most "
            r"Privigen's labelled maximum 8 mg/kg/min for pi, the highest "
            r"\(48\.0 mL/h here\)$"
        ),
    ):
        plan_infusion(
            volume="100 mL",
            product=get_product("privigen"),
            schedule=schedule,
            rate_weight="10 kg",
        )
    with pytest.raises(
        InputError,
        match=(
            r"^rate: 15 mg/kg/min is outside the accepted range; allowed: "
            r"\[0\.05, 14\] mg/kg/min \(above it is above every label's "
            r"maximum \(Panzyga 14 mg/kg/min\); below it is a tenth of the "
            r"lowest labelled starting rate\)$"
        ),
    ):
        RateStep(rate="15 mg/kg/min")
