"""Plan every patient of a population under every scenario: a table out.

A :class:`Scenario` is a dosing-weight policy and a vial rounding policy;
:class:`PlanSettings` holds what is the same for every patient (the first
day, the weight rates are multiplied by, the site's rate step, the horizon,
the site's regimens by indication). :func:`plan_rows` plans a table of rows
(any slice of a :class:`~ivig_core.population.Population`) and is what a
worker runs; :func:`~ivig_core.population.plan_population` runs it serially,
in a process pool or on Dask, with a progress bar.

Each patient is planned by the library's one pipeline
(:func:`ivig_core.planning.plan`, the function under
:func:`~ivig_core.planning.plan_course`): a population result is the same
plan, summed. The results table has one row per patient × scenario
(:data:`RESULT_COLUMNS`), with ``status``:

* ``"planned"``: the plan's totals over the horizon;
* ``"refused"``: the library refused this scenario for this patient (e.g.
  an ideal-weight policy for a height below 60 in); ``field`` and
  ``message`` say why;
* ``"bad-row"``: the row itself cannot be read (a weight without a unit, an
  unknown preset or product); one record per row, with no scenario.

"Per year" means over the first :attr:`PlanSettings.horizon_days` days from
the start (365 by default): the infusions dated in that window. A plan that
ends sooner contributes its own courses only (``plan_days`` says how long
each plan runs); nothing is extrapolated.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final, Literal

import attrs
import pandas as pd

from ivig_core._checks import instance, items, whole
from ivig_core.dosing_weight import get_policy
from ivig_core.errors import InputError, IvigError
from ivig_core.infusion import rate_schedule
from ivig_core.patient import Patient
from ivig_core.plan import Plan
from ivig_core.planning import PlanRequest, plan
from ivig_core.planning.calendar import ClosedDays
from ivig_core.products import get_product
from ivig_core.rates import RateSchedule
from ivig_core.regimen import Regimen, get_preset
from ivig_core.vials import RoundingPolicy, get_rounding


__all__ = [
    "RESULT_COLUMNS",
    "PlanSettings",
    "Scenario",
    "combine",
    "empty_results",
    "plan_figures",
    "plan_rows",
]

#: The results table's columns, in order.
RESULT_COLUMNS: Final = (
    "row",
    "id",
    "scenario",
    "policy",
    "rounding",
    "status",
    "field",
    "message",
    "dosing_weight_kg",
    "calculated_g_year",
    "dispensed_g_year",
    "waste_g_year",
    "vials_year",
    "infusions_year",
    "infusion_hours_year",
    "ready_to_issue",
    "plan_days",
)

_ROUNDING_PARAMETER: Final = {
    "nearest-within": "tolerance",
    "nearest-increment": "increment",
}


def _rounding(spec: str) -> RoundingPolicy:
    """``"never-below"``, ``"ontario"``, ``"nearest-within:10 %"``..."""
    name, _, parameter = str(spec).partition(":")
    name = name.strip().lower()
    key = _ROUNDING_PARAMETER.get(name)
    if key is None:
        if parameter.strip():
            raise InputError("rounding", spec, f"no parameter for {name!r}")
        return get_rounding(name)
    if not parameter.strip():
        raise InputError(
            "rounding",
            spec,
            f"{name}:VALUE with its {key} (e.g. 'nearest-within:10 %', "
            "'nearest-increment:5 g')",
        )
    return get_rounding(name, **{key: parameter.strip()})


@attrs.frozen(kw_only=True)
class Scenario:
    """A dosing-weight policy and a vial rounding policy, named.

    Attributes:
        policy: A built-in dosing-weight policy's name (``"actual"``,
            ``"adjusted"``, ``"bloodstar-2026"``...).
        rounding: A rounding policy: ``"never-below"``, ``"ontario"``,
            ``"nearest-within:10 %"`` or ``"nearest-increment:5 g"``.
        name: The scenario's name in the tables (``"policy/rounding"`` if
            not given).

    Raises:
        InputError: An unknown policy or rounding, a missing or unexpected
            rounding parameter.

    Example:
        >>> Scenario(policy="adjusted", rounding="nearest-within:10 %").name
        'adjusted/nearest-within:10 %'

    .. versionadded:: 0.1.0
    """

    policy: str
    rounding: str
    name: str = attrs.field()

    @name.default
    def _name(self) -> str:
        return f"{self.policy}/{self.rounding}"

    def __attrs_post_init__(self) -> None:
        """Check the policy and the rounding now, not per patient."""
        get_policy(self.policy)
        _rounding(self.rounding)

    def rounding_policy(self) -> RoundingPolicy:
        """The rounding policy object."""
        return _rounding(self.rounding)


def _start(value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InputError("start", value, "a datetime.date (not a datetime)")
    return value


def _rate_weight(value: object) -> Literal["dosing", "actual"]:
    if value == "dosing":
        return "dosing"
    if value == "actual":
        return "actual"
    raise InputError("rate_weight", value, "'dosing' or 'actual'")


def _horizon(value: object) -> int:
    return whole(value, field="horizon_days")


def _regimens(value: object) -> Mapping[str, Regimen]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, Regimen) for k, v in value.items()
    ):
        raise InputError("regimens", value, "a mapping of indication to Regimen")
    return {k.strip().lower(): v for k, v in value.items()}


def _closed(value: object) -> ClosedDays | None:
    if value is None or isinstance(value, ClosedDays):
        return value
    raise InputError("closed", value, "a ClosedDays rule (it must pickle) or None")


@attrs.frozen(kw_only=True)
class PlanSettings:
    """What is the same for every patient of a population run.

    Attributes:
        start: The first day of every plan.
        rate_weight: ``"dosing"`` or ``"actual"``: the weight per-kg rates
            are multiplied by (labels do not say which).
        rate_increment: The rate step where the label gives none (local
            policy, e.g. ``"1 mg/kg/min"``), or ``None``.
        rate_interval: The time at each step where the label gives none
            (local policy, e.g. ``"30 min"``), or ``None``.
        horizon_days: The window "per year" figures are summed over, from
            *start* (365).
        regimens: Your site's regimen by indication, for rows without a
            preset.
        closed: Days the infusion centre is closed, or ``None``.

    .. versionadded:: 0.1.0
    """

    start: dt.date = attrs.field(converter=_start)
    rate_weight: Literal["dosing", "actual"] = attrs.field(converter=_rate_weight)
    rate_increment: str | None = None
    rate_interval: str | None = None
    horizon_days: int = attrs.field(default=365, converter=_horizon)
    regimens: Mapping[str, Regimen] = attrs.field(factory=dict, converter=_regimens)
    closed: ClosedDays | None = attrs.field(default=None, converter=_closed)


# --- one row ---------------------------------------------------------------


class _Caches:
    """Regimens, products and rate schedules, made once per worker task."""

    def __init__(self, settings: PlanSettings) -> None:
        self.settings = settings
        self.regimens: dict[tuple[object, ...], Regimen] = {}
        self.schedules: dict[tuple[str, str], RateSchedule | None] = {}

    def regimen(self, row: Mapping[str, Any]) -> Regimen:
        preset = row["preset"]
        induction = _days(row["induction_days"], field="induction_days")
        maintenance = _days(row["maintenance_days"], field="maintenance_days")
        cycles = _count(row["cycles"], field="cycles")
        key = (preset, row["indication"], induction, maintenance, cycles)
        if key not in self.regimens:
            if preset is None:
                indication = str(row["indication"]).strip().lower()
                if indication not in self.settings.regimens:
                    raise InputError(
                        "preset",
                        None,
                        "a preset, or a regimen for the indication in "
                        "PlanSettings.regimens",
                        f"no regimen for indication {row['indication']!r}",
                    )
                base = self.settings.regimens[indication]
            else:
                base = get_preset(preset)
            given = (induction, maintenance, cycles) != (None, None, None)
            self.regimens[key] = (
                base.choose(
                    induction_days=induction,
                    maintenance_days=maintenance,
                    cycles=cycles,
                )
                if given
                else base
            )
        return self.regimens[key]

    def schedule(self, product: str, indication: str) -> RateSchedule | None:
        key = (product, indication)
        if key not in self.schedules:
            settings = self.settings
            if settings.rate_increment is None and settings.rate_interval is None:
                self.schedules[key] = None
            else:
                self.schedules[key] = rate_schedule(
                    product,
                    indication,
                    increment=settings.rate_increment,
                    interval=settings.rate_interval,
                )
        return self.schedules[key]


def _count(value: object, *, field: str) -> int | None:
    """A whole-number cell (``"2"``, ``2``, ``2.0``), or ``None`` if blank."""
    if value is None:
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise InputError(field, value, "a whole number") from None
    return whole(int(number) if number.is_integer() else number, field=field)


def _days(value: object, *, field: str) -> int | Literal["fewest"] | None:
    """A days-per-course cell: a whole number, ``"fewest"`` or blank."""
    if value is not None and str(value).strip().lower() == "fewest":
        return "fewest"
    return _count(value, field=field)


def _patient(row: Mapping[str, Any]) -> Patient:
    labs = {
        name: row[name]
        for name in ("serum_creatinine", "serum_iga")
        if row[name] is not None
    }
    return Patient(
        sex=row["sex"],
        age=row["age"],
        height=row["height"],
        weight=row["weight"],
        **labs,
    )


def _request(
    row: Mapping[str, Any], caches: _Caches
) -> Callable[[Scenario, RoundingPolicy], PlanRequest]:
    """The row read (or refused): a maker of its request per scenario."""
    patient = _patient(row)
    regimen = caches.regimen(row)
    if row["product"] is None:
        raise InputError("product", None, "a product name")
    if row["indication"] is None:
        raise InputError("indication", None, "the product indication")
    product = get_product(row["product"])
    indication = str(row["indication"]).strip().lower()
    schedule = caches.schedule(product.key, indication)
    settings = caches.settings

    def make(scenario: Scenario, rounding: RoundingPolicy) -> PlanRequest:
        return PlanRequest(
            patient=patient,
            regimen=regimen,
            product=product,
            start=settings.start,
            policy=scenario.policy,
            rounding=rounding,
            indication=indication,
            rate_weight=settings.rate_weight,
            rate_schedule=schedule,
            closed=settings.closed,
        )

    return make


def _failure(
    row: Mapping[str, Any], scenario: Scenario | None, status: str, error: IvigError
) -> dict[str, object]:
    return {
        "row": row["row"],
        "id": row["id"],
        "scenario": None if scenario is None else scenario.name,
        "policy": None if scenario is None else scenario.policy,
        "rounding": None if scenario is None else scenario.rounding,
        "status": status,
        "field": error.field if isinstance(error, InputError) else None,
        "message": " ".join(str(error).split()),
    }


def plan_figures(plan_: Plan, settings: PlanSettings) -> dict[str, object]:
    """The figures of one plan over the horizon (the results' numbers).

    Example:
        Used by :func:`plan_rows`; equal to summing the plan's infusions
        dated before ``start + horizon_days``.

    .. versionadded:: 0.1.0
    """
    end = settings.start + dt.timedelta(days=settings.horizon_days)
    infusions = [i for i in plan_.infusions if i.date < end]
    calculated = math.fsum(i.calculated_g for i in infusions)
    dispensed = math.fsum(i.dispensed_g for i in infusions)
    last = plan_.infusions[-1].date if plan_.infusions else plan_.start
    return {
        "dosing_weight_kg": plan_.dosing_weight.weight_kg,
        "calculated_g_year": calculated,
        "dispensed_g_year": dispensed,
        "waste_g_year": dispensed - calculated,
        "vials_year": sum(n for i in infusions for _, n in i.vials.vials),
        "infusions_year": len(infusions),
        "infusion_hours_year": math.fsum(i.run.duration_min for i in infusions) / 60.0,
        "ready_to_issue": plan_.ready_to_issue,
        "plan_days": (last - plan_.start).days + 1,
    }


def _plan_row(
    row: Mapping[str, Any],
    scenarios: Sequence[tuple[Scenario, RoundingPolicy]],
    caches: _Caches,
) -> Iterator[dict[str, object]]:
    try:
        make = _request(row, caches)
    except IvigError as error:
        yield _failure(row, None, "bad-row", error)
        return
    for scenario, rounding in scenarios:
        try:
            planned = plan(make(scenario, rounding))
        except IvigError as error:
            yield _failure(row, scenario, "refused", error)
            continue
        yield {
            "row": row["row"],
            "id": row["id"],
            "scenario": scenario.name,
            "policy": scenario.policy,
            "rounding": scenario.rounding,
            "status": "planned",
            "field": None,
            "message": None,
            **plan_figures(planned, caches.settings),
        }


def empty_results() -> pd.DataFrame:
    """An empty results table with the columns' types (Dask's ``meta``).

    .. versionadded:: 0.1.0
    """
    return _typed(pd.DataFrame({name: [] for name in RESULT_COLUMNS}))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reindex(columns=list(RESULT_COLUMNS))
    for name in ("row", "vials_year", "infusions_year", "plan_days"):
        frame[name] = frame[name].astype("Int64")
    for name in ("id", "scenario", "policy", "rounding", "status", "field", "message"):
        frame[name] = pd.Series(
            [None if _missing(v) else v for v in frame[name]],
            index=frame.index,
            dtype=object,
        )
    for name in (
        "dosing_weight_kg",
        "calculated_g_year",
        "dispensed_g_year",
        "waste_g_year",
        "infusion_hours_year",
    ):
        frame[name] = frame[name].astype("float64")
    frame["ready_to_issue"] = frame["ready_to_issue"].astype("boolean")
    return frame


def _missing(value: object) -> bool:
    """A blank cell: None, NaN, or pandas' NA (Dask's Arrow strings)."""
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and math.isnan(value))
    )


def _records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    columns = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        yield {
            c: (None if _missing(v) else v)
            for c, v in zip(columns, values, strict=True)
        }


def checked_scenarios(value: object) -> tuple[Scenario, ...]:
    """*value* as a tuple of one or more :class:`Scenario` with different names.

    Raises:
        InputError: Not a collection of scenarios, none, or two with one name.
    """
    allowed = "one or more Scenario"
    scenarios = items(value, field="scenarios", allowed=allowed)
    if not scenarios or not all(isinstance(s, Scenario) for s in scenarios):
        raise InputError("scenarios", value, allowed)
    names = [s.name for s in scenarios if isinstance(s, Scenario)]
    if len(set(names)) != len(names):
        raise InputError("scenarios", names, "scenarios with different names")
    return tuple(s for s in scenarios if isinstance(s, Scenario))


def checked_arguments(
    frame: object, scenarios: object, settings: object, *, field: str = "frame"
) -> tuple[pd.DataFrame, tuple[Scenario, ...], PlanSettings]:
    """The arguments every planner of rows takes, checked (errors name them)."""
    table = instance(frame, pd.DataFrame, field=field, allowed="a pandas DataFrame")
    chosen = checked_scenarios(scenarios)
    return table, chosen, instance(settings, PlanSettings, field="settings")


def plan_rows(
    frame: pd.DataFrame, scenarios: Sequence[Scenario], settings: PlanSettings
) -> pd.DataFrame:
    """Plan each row of *frame* under each scenario; the results table.

    This is what a worker runs on its part of the population: a top-level
    function of picklable values (a dataframe slice of
    :attr:`~ivig_core.population.Population.frame`, the scenarios and the settings).

    Returns:
        One row per patient × scenario (status ``"planned"`` or
        ``"refused"``) and one per unreadable row (``"bad-row"``), in the
        columns of :data:`RESULT_COLUMNS`.

    .. versionadded:: 0.1.0
    """
    frame, chosen, settings = checked_arguments(frame, scenarios, settings)
    caches = _Caches(settings)
    pairs = [(s, s.rounding_policy()) for s in chosen]
    out = [r for row in _records(frame) for r in _plan_row(row, pairs, caches)]
    if not out:
        return empty_results()
    return _typed(pd.DataFrame.from_records(out))


# --- engines ---------------------------------------------------------------


def combine(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Join results tables (from workers) in row, then scenario order.

    .. versionadded:: 0.1.0
    """
    kept = [p for p in parts if len(p)]
    if not kept:
        return empty_results()
    return _typed(pd.concat(kept, ignore_index=True))
