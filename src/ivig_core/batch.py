"""Plan many patients: an iterable of requests in, plans or error records out.

For population-scale work (supply forecasting for a clinic, research, a
nightly re-plan) :func:`plan_many` runs the planning pipeline once per
request and returns the results **in input order**. A request is the
planner's own :class:`ivig_core.planning.PlanRequest` (planned as it is), or
a mapping of :func:`~ivig_core.planning.plan_course`'s keyword arguments with
an optional ``"key"`` (the caller's identifier, copied to a failure) and a
``"patient"`` that may be a row of :class:`~ivig_core.Patient`'s arguments
(built inside the batch, so that a bad row becomes a failure). A request
that the library refuses (an
:class:`~ivig_core.errors.IvigError`: bad input, a plan that cannot be built,
a strict-mode safety block) becomes a :class:`PlanFailure` holding the
request's index, the caller's key and the error; one bad patient never stops
the batch. Any other exception is a bug and propagates.

Requests, plans and failures pickle, so the same function runs in a local
process pool (``processes=N``) and, unchanged, on a distributed engine: map
:func:`plan_one` over the indexed requests there (the how-to
``docs/how-to/batch.rst`` does it on Dask). For a table of patients compared
under several policies, see :mod:`ivig_core.population`.

Example:
    >>> import datetime as dt
    >>> from ivig_core import Patient
    >>> from ivig_core.infusion import rate_schedule
    >>> from ivig_core.regimen import get_preset
    >>> regimen = get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1)
    >>> schedule = rate_schedule("octagam 10%", "dermatomyositis",
    ...                          increment="1 mg/kg/min", interval="30 min")
    >>> def request(height, key):
    ...     return dict(
    ...         key=key,
    ...         patient=Patient(sex="female", age="54 year", height=height,
    ...                         weight="70 kg"),
    ...         regimen=regimen, product="octagam 10%", start=dt.date(2026, 1, 5),
    ...         policy="ideal", rounding="never-below",
    ...         indication="dermatomyositis", rate_weight="dosing",
    ...         rate_schedule=schedule)
    >>> results = plan_many([request("165 cm", "A"), request("150 cm", "B"),
    ...                      request("170 cm", "C")])
    >>> [type(r).__name__ for r in results]
    ['Plan', 'PlanFailure', 'Plan']
    >>> results[0].total_dispensed_g
    114.0
    >>> failure = results[1]
    >>> failure.index, failure.key, failure.error_type, failure.field
    (1, 'B', 'InputError', 'height')
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, TypeAlias

import attrs

from ivig_core._checks import MAX_COUNT, iterates, whole
from ivig_core.errors import InputError, IvigError
from ivig_core.patient import Patient
from ivig_core.plan import Plan
from ivig_core.planning import request as planning_request
from ivig_core.planning.course import plan_course
from ivig_core.planning.pipeline import plan


__all__ = [
    "PlanFailure",
    "PlanResult",
    "Request",
    "iter_plans",
    "plan_many",
    "plan_one",
]

#: Requests sent to a worker process at a time (amortises the pickling).
DEFAULT_CHUNKSIZE: Final = 16


@attrs.frozen(kw_only=True)
class PlanFailure:
    """A request the library refused, in place of its plan.

    Equal when index, key, error type and message are equal (exceptions
    themselves compare by identity, and do not survive pickling as the same
    object).

    Attributes:
        index: The request's position in the input, from 0.
        key: The mapping request's ``"key"`` (``None`` for a
            :class:`~ivig_core.planning.PlanRequest` or a mapping without
            one).
        error_type: The error's class name (``"InputError"``,
            ``"PlanningError"``, ``"UnitError"``, ``"SafetyBlock"``).
        message: The error's message (it names the field, the value and
            what is allowed, or the constraint that failed).
        field: For an :class:`~ivig_core.errors.InputError`, the offending
            field (e.g. ``"weight"``); otherwise ``None``.
        error: The exception itself (it pickles with its fields).

    .. versionadded:: 0.1.0
    """

    index: int
    key: object
    error_type: str
    message: str
    field: str | None
    error: IvigError = attrs.field(eq=False, repr=False)

    @classmethod
    def from_error(cls, index: int, key: object, error: IvigError) -> PlanFailure:
        """The record of *error* for the request at *index*."""
        return cls(
            index=index,
            key=key,
            error_type=type(error).__name__,
            message=str(error),
            field=error.field if isinstance(error, InputError) else None,
            error=error,
        )


#: What :func:`plan_many` returns per request.
PlanResult: TypeAlias = Plan | PlanFailure


def _key(request: object) -> object:
    if isinstance(request, Mapping):
        return request.get("key")
    return None


def _arguments(request: object) -> dict[str, Any]:
    """plan_course's keyword arguments, the patient built; or refuse."""
    if isinstance(request, Mapping) and all(isinstance(k, str) for k in request):
        arguments = {k: v for k, v in request.items() if k != "key"}
    else:
        raise InputError(
            "request",
            request,
            "a PlanRequest or a mapping of plan_course keyword arguments",
        )
    patient = arguments.get("patient")
    if isinstance(patient, Mapping):
        if not all(isinstance(k, str) for k in patient):
            raise InputError("patient", patient, "a Patient or its arguments")
        arguments["patient"] = Patient(**patient)
    return arguments


#: What :func:`plan_one` takes.
Request: TypeAlias = planning_request.PlanRequest | Mapping[str, Any]


def plan_one(request: Request, index: int = 0) -> PlanResult:
    """Plan one request; a refusal is returned as a :class:`PlanFailure`.

    This is the function to map on a distributed engine: it is a top-level
    function of plain, picklable values.

    Args:
        request: A :class:`ivig_core.planning.PlanRequest`, or a mapping
            of plan_course's keyword arguments (with an optional
            ``"key"``; its ``"patient"`` may be a mapping of
            :class:`~ivig_core.Patient`'s arguments).
        index: The request's position, recorded on a failure.

    Returns:
        The :class:`~ivig_core.plan.Plan`, or a :class:`PlanFailure` for an
        :class:`~ivig_core.errors.IvigError`.

    .. versionadded:: 0.1.0
    """
    key = _key(request)
    try:
        if isinstance(request, planning_request.PlanRequest):
            return plan(request)
        return plan_course(**_arguments(request))
    except IvigError as error:
        return PlanFailure.from_error(index, key, error)
    except TypeError as error:  # a missing or unknown argument
        if not _is_call_error(error):
            raise
        wrapped = InputError("request", request, "plan_course's arguments", str(error))
        return PlanFailure.from_error(index, key, wrapped)


def _is_call_error(error: TypeError) -> bool:
    text = str(error)
    return text.startswith(("plan_course() ", "Patient.__init__() ")) and (
        "argument" in text
    )


def _plan_indexed(item: tuple[int, Any]) -> PlanResult:
    """Plan ``(index, request)`` (a top-level function: it pickles)."""
    index, request = item
    return plan_one(request, index)


def _processes(value: object) -> int | None:
    return None if value is None else whole(value, field="processes", high=MAX_COUNT)


def _chunksize(value: object) -> int:
    return whole(value, field="chunksize")


def iter_plans(
    requests: Iterable[Request],
    *,
    processes: int | None = None,
    chunksize: int = DEFAULT_CHUNKSIZE,
) -> Iterator[PlanResult]:
    """Like :func:`plan_many`, but yield the results one by one, in order.

    With a process pool, the requests are consumed as the pool needs them,
    but ``Executor.map`` submits them all at once: for a very large input,
    feed it in slices.

    .. versionadded:: 0.1.0
    """
    workers = _processes(processes)
    chunks = _chunksize(chunksize)
    if isinstance(requests, (str, bytes, Mapping)) or not iterates(requests):
        raise InputError("requests", requests, "an iterable of plan requests")
    indexed = enumerate(requests)
    if workers is None or workers == 1:
        yield from map(_plan_indexed, indexed)
        return
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_plan_indexed, indexed, chunksize=chunks)


def plan_many(
    requests: Iterable[Request],
    *,
    processes: int | None = None,
    chunksize: int = DEFAULT_CHUNKSIZE,
) -> list[PlanResult]:
    """Plan every request; results in input order, failures in place.

    Args:
        requests: :class:`ivig_core.planning.PlanRequest` objects, or
            mappings of :func:`~ivig_core.planning.plan_course`'s keyword
            arguments (each may carry a ``"key"``, and its ``"patient"``
            may be a mapping of :class:`~ivig_core.Patient`'s arguments).
        processes: ``None`` or 1 to plan in this process; N > 1 (up to
            1 000) to plan in a
            :class:`concurrent.futures.ProcessPoolExecutor` of N workers
            (every request must pickle).
        chunksize: Requests sent to a worker at a time.

    Returns:
        One result per request, in input order: a
        :class:`~ivig_core.plan.Plan` or a :class:`PlanFailure` with the
        request's index, key and error.

    Raises:
        InputError: A bad *processes* (not a whole number from 1 to
            1 000) or *chunksize*.

    .. versionadded:: 0.1.0
    """
    return list(iter_plans(requests, processes=processes, chunksize=chunksize))
