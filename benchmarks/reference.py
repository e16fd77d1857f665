"""A pure-float reference implementation of the maths of ``plan_course``.

This module is the yardstick for ``benchmarks/run.py``: the same maths as
ivig_core for the benchmark cases (dosing weight, course totals, the
never-below vial rounding, the largest-remainder split, the calendar, vials
per day, volumes, infusion-rate steps in mL/h and durations), written the
way a hand-rolled script would write it: plain floats and tuples, no pint,
no attrs, no validation beyond what the maths needs, no explanations.

It imports nothing from ivig_core, and it is checked to give the same numbers
as the library on every benchmark case (``tests/test_reference.py``). It
covers only what the benchmark cases use: the actual, ideal (Devine),
adjusted and BloodSTAR 2026 weight policies, regimens with a fixed number of
days per course, dose-step tapers ending at stop, the never-below rounding,
rates in mg/kg/min, and optionally weekends closed.

Like the library, it keeps the fewest-vial table of each vial set between
calls (the same algorithm on both sides, so the ratio measures the cost of
units, validation and records, not a different algorithm).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Final, Literal


Policy = Literal["actual", "ideal", "adjusted", "bloodstar-2026"]

_CM_PER_INCH: Final = 2.54
_BASE_INCHES: Final = 60.0
_DEVINE: Final = {"male": (50.0, 2.3), "female": (45.5, 2.3)}
_ADJBW_FACTOR: Final = 0.4
_MG_PER_G: Final = 1000
_EPS: Final = 1e-6
_REL_TOL: Final = 1e-9


@dataclass(frozen=True, slots=True)
class RefPatient:
    """A patient as floats."""

    sex: Literal["male", "female"]
    age_years: float
    height_cm: float
    weight_kg: float


@dataclass(frozen=True, slots=True)
class RefCourse:
    """One course: dose per course, days, interval to the next course."""

    dose_g_per_kg: float
    days: int
    interval_days: float


@dataclass(frozen=True, slots=True)
class RefConfig:
    """Everything but the patient, as floats (built once per benchmark)."""

    policy: Policy
    induction: RefCourse | None
    maintenance: RefCourse
    cycles: int
    taper_fractions: tuple[float, ...]
    taper_hold_cycles: int
    vial_sizes_g: tuple[float, ...]  # in the catalogue's order
    concentration_g_per_l: float
    rates_mg_kg_min: tuple[float, ...]
    durations_min: tuple[float | None, ...]  # None: the last step
    schedule_max_mg_kg_min: float
    label_max_mg_kg_min: float
    rate_weight: Literal["dosing", "actual"]
    start: dt.date
    weekends_closed: bool = False


@dataclass(frozen=True, slots=True)
class RefInfusion:
    """One infusion day, as the benchmark compares it."""

    date: dt.date
    cycle: int
    day: int
    calculated_g: float
    dispensed_g: float
    vials: tuple[tuple[float, int], ...]  # (size g, count), largest first
    volume_ml: float
    steps: tuple[tuple[float, float, float], ...]  # (mL/h, min, mL)
    duration_min: float


@dataclass(frozen=True, slots=True)
class RefPlan:
    """A plan as floats."""

    dosing_weight_kg: float
    infusions: tuple[RefInfusion, ...]
    course_calculated_g: tuple[float, ...]
    course_dispensed_g: tuple[float, ...]


# --------------------------------------------------------------------------
# Dosing weight


def ideal_kg(sex: str, height_cm: float, *, extrapolate: bool = False) -> float:
    """Devine ideal body weight (below 60 in: refused, or extrapolated)."""
    over = height_cm / _CM_PER_INCH - _BASE_INCHES
    if -1e-9 < over < 0:
        over = 0.0
    if over < 0 and not extrapolate:
        msg = f"{height_cm} cm is below 60 in"
        raise ValueError(msg)
    base, per_inch = _DEVINE[sex]
    return base + per_inch * over


def dosing_weight_kg(p: RefPatient, policy: Policy) -> float:
    """The weight a g/kg dose is multiplied by."""
    actual = p.weight_kg
    if policy == "actual":
        return actual
    if policy == "bloodstar-2026":
        if p.age_years < 18.0 or p.height_cm < 152.0:
            return actual
        ideal = ideal_kg(p.sex, p.height_cm, extrapolate=True)
    else:
        ideal = ideal_kg(p.sex, p.height_cm)
    if policy == "ideal":
        return ideal
    adjusted = ideal + _ADJBW_FACTOR * (actual - ideal)
    return min(adjusted, actual)


# --------------------------------------------------------------------------
# Vials: fewest vials on a 1 mg grid, never below the dose

_TABLES: dict[tuple[int, ...], list[tuple[int, int] | None]] = {}


def grid(sizes_g: tuple[float, ...]) -> tuple[int, tuple[int, ...]]:
    """The vial sizes on their 1 mg grid: (gcd in mg, sizes in gcd units)."""
    mg = [round(s * _MG_PER_G) for s in sizes_g]
    step = math.gcd(*mg)
    return step, tuple(m // step for m in mg)


def _table(sizes: tuple[int, ...], top: int) -> list[tuple[int, int] | None]:
    best = _TABLES.setdefault(sizes, [(0, -1)])
    if len(best) > top:
        return best
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    for total in range(len(best), top + 1):
        cur: tuple[int, int] | None = None
        for i in order:
            prev = total - sizes[i]
            if (
                prev >= 0
                and (b := best[prev]) is not None
                and (cur is None or b[0] + 1 < cur[0])
            ):
                cur = (b[0] + 1, i)
        best.append(cur)
    return best


def never_below(dose_g: float, vials: tuple[int, tuple[int, ...]]) -> tuple[int, ...]:
    """Counts per size: the smallest total ≥ the dose, then the fewest vials."""
    step, sizes = vials
    target = math.ceil(dose_g * _MG_PER_G / step - _EPS)
    best = _table(sizes, target + max(sizes))
    total = target
    while best[total] is None:
        total += 1
    counts = [0] * len(sizes)
    while total > 0:
        entry = best[total]
        assert entry is not None  # noqa: S101 - reachable by construction
        counts[entry[1]] += 1
        total -= sizes[entry[1]]
    return tuple(counts)


def _grams(counts: tuple[int, ...], sizes_g: tuple[float, ...]) -> float:
    return math.fsum(n * s for n, s in zip(counts, sizes_g, strict=True))


# --------------------------------------------------------------------------
# Split and calendar


def split_course(
    calculated_g: float, total_g: float, days: int, granularity_g: float
) -> tuple[tuple[float, ...], float]:
    """Daily grams (largest remainder, earliest days first) and daily calculated."""
    whole = round(total_g / granularity_g)
    base, extra = divmod(whole, days)
    daily = tuple(
        (base + 1 if d < extra else base) * granularity_g for d in range(days)
    )
    return daily, calculated_g / days


def _courses(c: RefConfig) -> list[RefCourse]:
    out: list[RefCourse] = []
    m = c.maintenance
    if c.induction is not None:
        out.append(c.induction)
    out.extend(m for _ in range(c.cycles))
    for fraction in c.taper_fractions:
        if fraction == 0.0:
            break
        step = RefCourse(m.dose_g_per_kg * fraction, m.days, m.interval_days)
        out.extend(step for _ in range(c.taper_hold_cycles))
    return out


def _open_start(planned: dt.date, days: int) -> dt.date:
    start, day, run = planned, planned, 0
    while True:
        if day.weekday() >= 5:
            run = 0
            start = day + dt.timedelta(days=1)
        else:
            run += 1
            if run == days:
                return start
        day += dt.timedelta(days=1)


# --------------------------------------------------------------------------
# Rates


def run_steps(
    volume_ml: float, weight_kg: float, c: RefConfig
) -> tuple[tuple[tuple[float, float, float], ...], float]:
    """(mL/h, min, mL) per step run, and the total minutes."""
    conc = c.concentration_g_per_l
    rates = [r * weight_kg * 60.0 / conc for r in c.rates_mg_kg_min]
    limit = min(
        c.schedule_max_mg_kg_min * weight_kg * 60.0 / conc,
        c.label_max_mg_kg_min * weight_kg * 60.0 / conc,
    )
    if any(r > limit * (1.0 + _REL_TOL) for r in rates):
        msg = "a step above the maximum rate"
        raise ValueError(msg)
    out: list[tuple[float, float, float]] = []
    remaining = volume_ml
    elapsed = 0.0
    for rate, minutes in zip(rates, c.durations_min, strict=True):
        full = math.inf if minutes is None else rate * minutes / 60.0
        if full >= remaining:
            step = remaining / rate * 60.0
            out.append((rate, step, remaining))
            return tuple(out), elapsed + step
        out.append((rate, float(minutes or 0.0), full))
        elapsed += float(minutes or 0.0)
        remaining -= full
    msg = "unreachable: the last step has no duration"
    raise AssertionError(msg)


# --------------------------------------------------------------------------
# The plan


def plan(p: RefPatient, c: RefConfig) -> RefPlan:
    """Plan the course for one patient."""
    weight = dosing_weight_kg(p, c.policy)
    rate_kg = weight if c.rate_weight == "dosing" else p.weight_kg
    sizes = c.vial_sizes_g
    vials_grid = grid(sizes)
    granularity = vials_grid[0] / _MG_PER_G
    by_size = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    infusions: list[RefInfusion] = []
    calc_totals: list[float] = []
    disp_totals: list[float] = []
    day_cache: dict[
        float,
        tuple[
            tuple[tuple[float, int], ...],
            float,
            tuple[tuple[float, float, float], ...],
            float,
        ],
    ] = {}
    planned = c.start
    for number, course in enumerate(_courses(c), start=1):
        calculated = course.dose_g_per_kg * weight
        dispensed = _grams(never_below(calculated, vials_grid), sizes)
        daily, share = split_course(calculated, dispensed, course.days, granularity)
        begin = _open_start(planned, course.days) if c.weekends_closed else planned
        for day, grams in enumerate(daily, start=1):
            found = day_cache.get(grams)
            if found is None:
                counts = never_below(grams, vials_grid)
                volume = _grams(counts, sizes) / c.concentration_g_per_l * 1000.0
                vials = tuple((sizes[i], counts[i]) for i in by_size if counts[i])
                steps, minutes = run_steps(volume, rate_kg, c)
                found = day_cache[grams] = (vials, volume, steps, minutes)
            vials, volume, steps, minutes = found
            infusions.append(
                RefInfusion(
                    date=begin + dt.timedelta(days=day - 1),
                    cycle=number,
                    day=day,
                    calculated_g=share,
                    dispensed_g=grams,
                    vials=vials,
                    volume_ml=volume,
                    steps=steps,
                    duration_min=minutes,
                )
            )
        calc_totals.append(calculated)
        disp_totals.append(dispensed)
        planned = begin + dt.timedelta(days=max(int(course.interval_days), course.days))
    return RefPlan(
        dosing_weight_kg=weight,
        infusions=tuple(infusions),
        course_calculated_g=tuple(calc_totals),
        course_dispensed_g=tuple(disp_totals),
    )
