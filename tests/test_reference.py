"""The pure-float reference (benchmarks/) and the library agree on every case.

The benchmark's ratios mean something only if both sides compute the same
plan: dates, grams calculated and dispensed, vial counts, volumes, rate steps
and durations, compared exactly.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path
from typing import Any

import pytest


BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> Any:
    """The benchmark cases module (it imports reference.py next to it)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("bench_cases")
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def setup(bench: Any) -> Any:
    """The shared regimen, product, schedule and reference configuration."""
    return bench.setup()


def test_reference_is_pure_float() -> None:
    """reference.py does not import ivig_core or pint."""
    tree = ast.parse((BENCHMARKS / "reference.py").read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported
    assert not imported & {"ivig_core", "pint", "attrs", "numpy"}


def test_every_case_is_planned_the_same(bench: Any, setup: Any) -> None:
    """Library and reference give equal numbers for every benchmark patient."""
    cases = bench.cases(setup)
    assert len(cases) >= 8
    for case in cases:
        library = bench.summary(bench.plan_library(setup, case))
        reference = bench.plan_reference(case)
        assert library.infusions, case.name
        assert library == reference, case.name


def test_the_full_course_has_every_phase(bench: Any, setup: Any) -> None:
    """Induction (5 days), 5 maintenance and 5 taper courses: 25 infusions."""
    plan = bench.plan_library(setup, bench.cases(setup)[0])
    phases = [c.phase.value for c in plan.cycles]
    assert phases == ["induction"] + ["maintenance"] * 5 + ["taper"] * 5
    assert len(plan.infusions) == 25
    assert all(len(i.run.steps) >= 1 for i in plan.infusions)


def test_closed_weekends_move_courses_in_both(bench: Any, setup: Any) -> None:
    """The cases with closed weekends plan no infusion on a weekend."""
    closed = [c for c in bench.cases(setup) if c.closed is not None]
    assert closed
    for case in closed:
        reference = bench.plan_reference(case)
        assert all(i.date.weekday() < 5 for i in reference.infusions)


def test_dosing_weight_and_split_agree(bench: Any, setup: Any) -> None:
    """The smaller benchmarks compute the same numbers on both sides."""
    for case in bench.cases(setup):
        library = bench.weight_library(case)()
        assert library.weight_kg == bench.weight_reference(case)()
        split = bench.split_library(case.patient.weight_kg)()
        daily, share = bench.split_reference(case.patient.weight_kg)()
        assert split.daily_g == daily
        assert split.daily_calculated_g == (share,) * split.days


def test_the_short_course_is_planned_the_same(bench: Any) -> None:
    """The short course (11 infusions) too: library and reference agree."""
    short = bench.setup(short=True)
    for case in bench.cases(short):
        library = bench.summary(bench.plan_library(short, case))
        assert len(library.infusions) == 11, case.name
        assert library == bench.plan_reference(case), case.name
