"""Re-planning the rest of a course: what was given, a new weight, a decision."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import InputError, Patient, PlanRequest, replan
from ivig_core.infusion import rate_schedule
from ivig_core.io.json import plan_from_json, plan_to_json
from ivig_core.plan import Administered, History, Phase, Plan
from ivig_core.planning import plan as make_plan
from ivig_core.regimen import DoseSteps, Hold, Stop, Taper, get_preset


START = dt.date(2026, 1, 5)
TAPER = Taper(
    strategy=DoseSteps(fractions=(0.75, 0.5, 0.0), hold=Hold(cycles=2), source="test"),
    end=Stop(),
)


def _patient(kg: float = 70.0) -> Patient:
    return Patient(sex="female", age="54 year", height="165 cm", weight=f"{kg} kg")


def _tapered() -> PlanRequest:
    return PlanRequest(
        patient=_patient(),
        regimen=get_preset("myositis-2gkg-then-1gkg-4w").choose(
            induction_days=2, maintenance_days=1, cycles=2, taper=TAPER
        ),
        product="octagam-10",
        start=START,
        policy="actual",
        rounding="never-below",
        rate_weight="dosing",
        rate_schedule=rate_schedule(
            "octagam-10", "dermatomyositis", increment="1 mg/kg/min", interval="30 min"
        ),
    )


def _itp() -> PlanRequest:
    return PlanRequest(
        patient=_patient(),
        regimen=get_preset("itp-octagam-10"),
        indication="itp",
        product="octagam-10",
        start=START,
        policy="actual",
        rounding="never-below",
        rate_weight="dosing",
    )


REQUESTS = {"tapered": _tapered, "itp": _itp}


@functools.cache
def _made(name: str) -> tuple[PlanRequest, Plan]:
    request = REQUESTS[name]()
    return request, make_plan(request)


def _given_before(
    plan: Plan, day: dt.date, product: str = "octagam-10"
) -> list[Administered]:
    """The plan's infusions before *day*, as given."""
    return [
        Administered(date=i.date, grams=f"{i.dispensed_g} g", product=product)
        for i in plan.infusions
        if i.date < day
    ]


def _intensity(plan: Plan) -> list[float]:
    return [
        c.intensity_g_per_kg_per_week
        for c in plan.cycles
        if c.phase in {Phase.MAINTENANCE, Phase.TAPER}
    ]


@given(st.sampled_from(sorted(REQUESTS)))
def test_nothing_given_nothing_changed_is_the_same_plan(name: str) -> None:
    """Re-planning with nothing given and nothing changed returns the same plan."""
    request, plan = _made(name)
    assert replan(plan, request=request) == plan
    assert (
        replan(plan, request=request, administered=History(), from_date=START) == plan
    )


def _case() -> st.SearchStrategy[tuple[int, str | None, float]]:
    return st.tuples(
        st.integers(1, 6),
        st.sampled_from([None, "continue", "step-down", "step-up"]),
        st.floats(50.0, 90.0).map(lambda kg: round(kg, 1)),
    )


def _try(
    past: int, decision: str | None, kg: float
) -> tuple[Plan, Plan, list[Administered], Plan | None]:
    request, plan = _made("tapered")
    day = plan.cycles[past].start
    records = _given_before(plan, day)
    new: Plan | None = None
    with contextlib.suppress(InputError):  # a decision the plan cannot follow
        new = replan(
            plan,
            request=request,
            administered=records,
            patient=_patient(kg),
            from_date=day,
            decision=decision,  # type: ignore[arg-type]  # drawn from the four values
        )
    return plan, plan, records, new


@given(_case())
def test_history_kept_and_cumulative_dose_is_the_sum_given(
    case: tuple[int, str | None, float],
) -> None:
    """The history is kept as given (never rewritten); cumulative = sum given."""
    _, plan, records, new = _try(*case)
    if new is None:
        return
    assert new.history.records == tuple(records)
    assert new.history.cumulative_g == pytest.approx(sum(r.grams for r in records))
    assert all(i.date >= plan.cycles[case[0]].start for i in new.infusions)
    # a later re-plan appends: what was kept is kept as it was
    later = new.cycles[0].start + dt.timedelta(days=1)
    more = new.history.add(_given_before(new, later))
    assert more.records[: len(records)] == new.history.records
    request, _ = _made("tapered")
    if len(new.cycles) > 1:
        again = replan(
            new,
            request=request,
            administered=more,
            patient=_patient(case[2]),
            from_date=new.cycles[1].start,
        )
        assert again.history.records[: len(records)] == tuple(records)


@given(_case())
def test_a_taper_never_rises_unless_the_decision_says_so(
    case: tuple[int, str | None, float],
) -> None:
    """Without "step-up", no course is more intense than the last one given."""
    past, decision, _ = case
    plan, _, _, new = _try(*case)
    if new is None:
        return
    last = plan.cycles[past - 1].intensity_g_per_kg_per_week
    rest = _intensity(new)
    if decision == "step-up":
        assert rest[0] > last
    else:
        assert all(x <= last * (1 + 1e-9) for x in rest)
    assert all(b <= a * (1 + 1e-9) for a, b in itertools.pairwise(rest[1:]))


def test_decisions_at_the_review_before_taper_step_2() -> None:
    """At the review before taper step 2 (course 6): each decision's rest."""
    request, plan = _made("tapered")
    day = plan.cycles[5].start  # 2026-05-25; courses 1-5 given
    records = _given_before(plan, day)

    def doses(decision: str | None) -> list[float]:
        new = replan(
            plan,
            request=request,
            administered=records,
            from_date=day,
            decision=decision,  # type: ignore[arg-type]  # one of the four
        )
        return [c.dose_g_per_kg for c in new.cycles]

    # plan: 2 (induction), 1, 1 (maintenance), 0.75, 0.75, 0.5, 0.5 g/kg
    assert doses(None) == [0.5, 0.5]
    assert doses("continue") == [0.75, 0.5, 0.5]
    assert doses("step-down") == [0.5, 0.5]
    assert doses("step-up") == [1.0, 1.0, 0.75, 0.75, 0.5, 0.5]


def test_new_weight_recomputes_the_grams_and_keeps_the_dates() -> None:
    """70 kg → 64 kg: 0.75 g/kg is 48 g (never-below, 5 g vials: 48 g)."""
    request, plan = _made("tapered")
    day = plan.cycles[3].start
    new = replan(
        plan,
        request=request,
        administered=_given_before(plan, day),
        patient=_patient(64.0),
        from_date=day,
    )
    assert new.cycles[0].start == day
    assert new.cycles[0].calculated_g == pytest.approx(0.75 * 64)
    assert new.dosing_weight.weight_kg == pytest.approx(64.0)
    assert [r.cycle for r in new.reviews] == [1, 3, 5]
    assert any("Given so far: 280 g" in n for n in new.notes)


def test_reaction_switch_late_and_missed_are_noted() -> None:
    """What the history tells is in the new plan's notes."""
    request, plan = _made("tapered")
    first, second, third = plan.infusions[:3]
    records = [
        Administered(date=first.date, grams="70 g", product="octagam-10"),
        Administered(date=second.date, grams="0 g", product="octagam-10"),
        Administered(
            date=third.date + dt.timedelta(days=2),
            grams="70 g",
            product="privigen",
            lot="P123",
            rate_reached_ml_h="300 mL/h",
            reactions=("headache", "chills"),
        ),
    ]
    new = replan(
        plan,
        request=request,
        administered=records,
        from_date=plan.cycles[2].start,
    )
    text = "\n".join(new.notes)
    assert "headache; chills" in text
    assert "start the next infusion slower" in text
    assert "premedication" in text
    assert "not given (missed)" in text
    assert "2 day(s) late" in text
    assert (
        "Product switched from privigen to Octagam 10 %: restart at the initial rate"
        in text
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"decision": "continue"}, "decision"),
        ({"decision": "stop"}, "decision"),
        ({"from_date": dt.datetime(2026, 3, 1, 9, 0)}, "from_date"),  # noqa: DTZ001 - a datetime is the bad input
        ({"from_date": dt.date(2027, 1, 1)}, "from_date"),
        ({"administered": "70 g"}, "administered"),
        ({"patient": "70 kg"}, "patient"),
        (
            {
                "administered": [
                    Administered(
                        date=dt.date(2026, 3, 2), grams="70 g", product="octagam-10"
                    )
                ],
                "from_date": dt.date(2026, 3, 1),
            },
            "from_date",
        ),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    """A bad argument is refused with the field named."""
    request, plan = _made("tapered")
    with pytest.raises(InputError) as info:
        replan(plan, request=request, **kwargs)  # type: ignore[arg-type]  # bad on purpose
    assert info.value.field == field


def test_the_request_must_be_the_plans() -> None:
    """A request with another regimen is refused."""
    request, plan = _made("tapered")
    other = attrs.evolve(request, regimen=_itp().regimen)
    with pytest.raises(
        InputError,
        match=(
            r"^request: the plan follows 'myositis-2gkg-then-1gkg-4w'; "
            r"allowed: the PlanRequest the plan was made from \(the same "
            r"regimen\)$"
        ),
    ):
        replan(plan, request=other)
    with pytest.raises(
        InputError,
        match=(
            r"^request: got 'request'; allowed: the PlanRequest the plan "
            r"was made from$"
        ),
    ):
        replan(plan, request="request")  # type: ignore[arg-type]  # bad on purpose


def test_step_down_with_no_lower_step_and_step_up_to_induction_are_refused() -> None:
    """The decision must be one the plan can follow."""
    request, plan = _made("tapered")
    last = plan.cycles[-1].start
    with pytest.raises(
        InputError,
        match=(
            r"^decision: got 'step-down'; allowed: 'continue' or "
            r"'step-up': no lower step is planned after the last course "
            r"given$"
        ),
    ):
        replan(plan, request=request, from_date=last, decision="step-down")
    day = plan.cycles[2].start  # after the first maintenance course
    with pytest.raises(
        InputError,
        match=(
            r"^decision: got 'step-up'; allowed: 'continue' or "
            r"'step-down': no more intense maintenance or taper step came "
            r"before the last course \(a new induction is a new plan\)$"
        ),
    ):
        replan(plan, request=request, from_date=day, decision="step-up")


def test_history_and_replanned_plan_round_trip_in_json() -> None:
    """The record: the history and the re-planned plan, through the plan document."""
    request, plan = _made("tapered")
    day = plan.cycles[3].start
    records = _given_before(plan, day)
    records[-1] = attrs.evolve(
        records[-1], lot="A1", rate_reached_ml_h=300.0, reactions=("rash",)
    )
    new = replan(plan, request=request, administered=records, from_date=day)
    back = plan_from_json(plan_to_json(new))
    assert back == new
    assert back.history.records[-1].reactions == ("rash",)


def test_a_history_that_rewrites_the_plans_is_refused() -> None:
    """Following a re-planned plan, its history must come first, unchanged."""
    request, plan = _made("tapered")
    day = plan.cycles[3].start
    records = _given_before(plan, day)
    new = replan(plan, request=request, administered=records, from_date=day)
    changed = [attrs.evolve(records[0], grams=1.0), *records[1:]]
    with pytest.raises(
        InputError,
        match=(
            r"^administered: got 4; allowed: the plan's history, then what "
            r"was given since \(a history is never rewritten\)$"
        ),
    ) as info:
        replan(
            new, request=request, administered=changed, from_date=new.cycles[1].start
        )
    assert info.value.field == "administered"
    # what the re-planned plan saw is not read again against its dates
    since = _given_before(new, new.cycles[1].start)
    followed = replan(
        new,
        request=request,
        administered=new.history.add(since),
        from_date=new.cycles[1].start,
    )
    assert not any("early" in n or "late" in n for n in followed.notes)
    # none given: the plan's own history is kept
    again = replan(new, request=request, from_date=new.cycles[1].start)
    assert again.history == new.history


def test_a_switch_in_the_history_is_the_safety_report_s_previous_product() -> None:
    """The product last given, when it differs, reaches the safety checks."""
    request, plan = _made("tapered")
    day = plan.cycles[1].start
    records = _given_before(plan, day, product="privigen")
    new = replan(plan, request=request, administered=records, from_date=day)
    assert any("Product switched from privigen" in n for n in new.notes)
    assert new.safety is not None
    assert plan.safety is not None
    codes = {f.code.value for f in new.safety.findings}
    assert "PRODUCT_SWITCH" in codes - {f.code.value for f in plan.safety.findings}
