"""Batch planning: plan_many, plan_one, mapping requests, PlanFailure."""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest

import worked
from ivig_core import Patient, planning
from ivig_core.batch import PlanFailure, iter_plans, plan_many, plan_one
from ivig_core.errors import InputError, PlanningError
from ivig_core.io.text import explain
from ivig_core.plan import Plan
from ivig_core.planning import ClosedDays, SplitLimits, plan_course
from ivig_core.rates import RateSchedule
from ivig_core.regimen import Regimen, get_preset


@pytest.fixture(scope="module")
def regimen() -> Regimen:
    """Seed 004's course, two cycles."""
    return get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=2)


@pytest.fixture(scope="module")
def schedule() -> RateSchedule:
    """Octagam 10 % dermatomyositis ramp with local step size and time."""
    return worked.octagam_dm_schedule()


def _request(
    regimen: Regimen,
    schedule: RateSchedule,
    *,
    weight: str,
    key: object,
    policy: str = "actual",
    height: str = "165 cm",
) -> dict[str, Any]:
    return {
        "key": key,
        "patient": worked.woman(weight, height=height),
        "regimen": regimen,
        "product": "octagam 10%",
        "start": worked.MONDAY,
        "policy": policy,
        "rounding": "never-below",
        "indication": "dermatomyositis",
        "rate_weight": "dosing",
        "rate_schedule": schedule,
        "closed": ClosedDays.weekends(),
    }


def _arguments(request: dict[str, Any]) -> dict[str, Any]:
    """plan_course's keyword arguments of a request (without its key)."""
    return {k: v for k, v in request.items() if k != "key"}


@pytest.fixture(scope="module")
def requests(regimen: Regimen, schedule: RateSchedule) -> list[dict[str, Any]]:
    """Seven requests; the one at index 3 cannot be planned (IBW below 60 in)."""
    weights = ["70 kg", "92 kg", "55.5 kg", "80 kg", "101.3 kg", "48 kg", "66 kg"]
    out = [
        _request(regimen, schedule, weight=w, key=f"MRN-{i}")
        for i, w in enumerate(weights)
    ]
    out[3] = _request(
        regimen, schedule, weight="80 kg", key="MRN-3", policy="ideal", height="150 cm"
    )
    return out


def test_bad_patient_in_the_middle_is_reported_and_the_rest_planned(
    requests: list[dict[str, Any]],
) -> None:
    """One failure, at its index, with its key and error; six plans."""
    results = plan_many(requests)
    assert len(results) == len(requests)
    failures = [r for r in results if isinstance(r, PlanFailure)]
    assert len(failures) == 1
    failure = failures[0]
    assert results[3] is failure
    assert failure.index == 3
    assert failure.key == "MRN-3"
    assert failure.error_type == "InputError"
    assert failure.field == "height"
    assert isinstance(failure.error, InputError)
    assert "60 in" in failure.message
    assert all(isinstance(r, Plan) for i, r in enumerate(results) if i != 3)


def test_results_are_in_input_order(requests: list[dict[str, Any]]) -> None:
    """Each result is the plan of the request at the same position."""
    results = plan_many(requests)
    for request, result in zip(requests, results, strict=True):
        if isinstance(result, PlanFailure):
            continue
        assert result == plan_course(**_arguments(request))
        patient = request["patient"]
        assert isinstance(patient, Patient)
        assert result.dosing_weight.weight_kg == patient.weight_kg


def test_plans_pickle_and_unpickle_equal(requests: list[dict[str, Any]]) -> None:
    """A plan survives pickling (process pools, distributed engines)."""
    for result in plan_many(requests):
        again = pickle.loads(pickle.dumps(result))  # noqa: S301 - our own data
        assert again == result
        if isinstance(result, Plan):
            assert explain(again) == explain(result)


def test_failures_pickle_with_their_fields(requests: list[dict[str, Any]]) -> None:
    """A failure and its error keep index, key, type, message and field."""
    failure = plan_many(requests)[3]
    assert isinstance(failure, PlanFailure)
    again = pickle.loads(pickle.dumps(failure))  # noqa: S301 - our own data
    assert again == failure
    assert (again.index, again.key, again.error_type, again.field) == (
        3,
        "MRN-3",
        "InputError",
        "height",
    )
    assert isinstance(again.error, InputError)
    assert again.error.field == "height"
    assert str(again.error) == failure.message


def test_requests_pickle(requests: list[dict[str, Any]]) -> None:
    """Requests cross process boundaries too."""
    again = pickle.loads(pickle.dumps(requests))  # noqa: S301 - our own data
    assert again == requests


def test_process_pool_gives_the_same_results(requests: list[dict[str, Any]]) -> None:
    """processes=2 returns what the serial run returns, in the same order."""
    serial = plan_many(requests)
    pooled = plan_many(requests, processes=2, chunksize=2)
    assert pooled == serial


def test_mappings_and_planning_errors(regimen: Regimen, schedule: RateSchedule) -> None:
    """Mapping requests work; a PlanningError and a bad mapping are failures."""
    good = _arguments(_request(regimen, schedule, weight="70 kg", key=None))
    too_short = {**good, "key": "short", "limits": SplitLimits(granularity="3 g")}
    unknown = {**good, "key": "typo", "rate_wieght": "dosing"}
    nonsense_request: Any = "not a request"
    results = plan_many([good, too_short, unknown, nonsense_request])
    assert isinstance(results[0], Plan)
    short, typo, nonsense = results[1:]
    assert isinstance(short, PlanFailure)
    assert (short.index, short.key, short.error_type) == (1, "short", "PlanningError")
    assert short.field is None
    assert "3 g units" in short.message
    assert isinstance(typo, PlanFailure)
    assert (typo.index, typo.key, typo.error_type) == (2, "typo", "InputError")
    assert "rate_wieght" in typo.message
    assert isinstance(nonsense, PlanFailure)
    assert nonsense.index == 3
    assert nonsense.field == "request"


def test_planning_error_record(regimen: Regimen, schedule: RateSchedule) -> None:
    """A PlanningError has no field; its message says what failed."""
    request = _request(regimen, schedule, weight="70 kg", key="k")
    error = PlanningError("interval: courses would overlap")
    failure = PlanFailure.from_error(5, request["key"], error)
    assert (failure.index, failure.field, failure.error_type) == (
        5,
        None,
        "PlanningError",
    )
    assert pickle.loads(pickle.dumps(failure)) == failure  # noqa: S301


def test_plan_one_and_iter_plans(requests: list[dict[str, Any]]) -> None:
    """plan_one is plan_many for one request; iter_plans yields lazily."""
    first = plan_one(requests[0])
    assert first == plan_many(requests[:1])[0]
    iterator = iter_plans(iter(requests))
    assert next(iterator) == first


@pytest.mark.parametrize("processes", [0, -1, 1.5, True, "2"])
def test_bad_processes_are_refused(processes: object) -> None:
    """The processes argument must be None or an int ≥ 1."""
    with pytest.raises(
        InputError, match=r"^processes: .*; allowed: a whole number >= 1"
    ):
        plan_many([], processes=processes)  # type: ignore[arg-type]


def test_processes_at_most_one_thousand() -> None:
    """A pool of 2**31 - 1 workers is refused, not an OverflowError.

    1 000 is the library's bound on counts; 1 001 is refused.
    """
    for processes in (1001, 2**31 - 1):
        with pytest.raises(InputError) as caught:
            plan_many([], processes=processes)
        assert (caught.value.field, caught.value.allowed) == (
            "processes",
            "a whole number >= 1 and <= 1000",
        )


def test_bad_chunksize_is_refused() -> None:
    """The chunk size is ≥ 1."""
    with pytest.raises(
        InputError, match=r"^chunksize: .*; allowed: a whole number >= 1"
    ):
        plan_many([], chunksize=0)


def test_empty_input() -> None:
    """No requests, no results (serial and pooled)."""
    assert plan_many([]) == []
    assert plan_many([], processes=2) == []


def test_patient_rows_are_built_inside_the_batch(
    regimen: Regimen, schedule: RateSchedule
) -> None:
    """A patient given as a row of strings: a bad row is a failure, not a crash."""
    base = _arguments(_request(regimen, schedule, weight="70 kg", key=None))
    rows = [
        {"sex": "female", "age": "54 year", "height": "165 cm", "weight": "70 kg"},
        {"sex": "female", "age": "54 year", "height": "165 cm", "weight": 70},
        {"sex": "female", "age": "54 year", "height": "165 cm", "wieght": "70 kg"},
    ]
    results = plan_many(
        [{**base, "patient": row, "key": f"row-{i}"} for i, row in enumerate(rows)]
    )
    assert isinstance(results[0], Plan)
    assert results[0] == plan_course(**base)
    bare, typo = results[1:]
    assert isinstance(bare, PlanFailure)
    assert (bare.index, bare.key, bare.error_type, bare.field) == (
        1,
        "row-1",
        "UnitError",
        "weight",
    )
    assert isinstance(typo, PlanFailure)
    assert (typo.index, typo.key, typo.error_type) == (2, "row-2", "InputError")
    assert "wieght" in typo.message


def test_the_planners_request_is_planned_as_it_is(
    regimen: Regimen, schedule: RateSchedule
) -> None:
    """The pipeline's own PlanRequest is a batch request: same plan as plan_course."""
    arguments = _arguments(_request(regimen, schedule, weight="70 kg", key="A"))
    request = planning.PlanRequest(
        patient=arguments["patient"],
        regimen=regimen,
        product="octagam 10%",
        start=worked.MONDAY,
        policy="actual",
        rounding="never-below",
        indication="dermatomyositis",
        rate_weight="dosing",
        rate_schedule=schedule,
        closed=ClosedDays.weekends(),
    )
    planned, refused = plan_many([request, attrs.evolve(request, policy="nope")])
    assert planned == plan_course(**arguments)
    assert isinstance(refused, PlanFailure)
    assert refused.key is None
    assert refused.field == "policy"
