"""Populations: a table of patients in, a table of plans per scenario out.

The payer's and the blood authority's question: what does a dosing-weight
policy or a vial rounding rule change across *our* patients? Read a
population (CSV, Parquet or a dataframe: :func:`read_population`), plan every
patient under each :class:`Scenario` (a policy and a rounding) with
:func:`plan_population` (serially, in a process pool, or on Dask), and
compare the scenarios with :func:`impact_report`: totals, distributions, the
differences against a baseline and the patients who change most.
:func:`synthetic_population` makes a seeded, synthetic population for
examples and benchmarks.

Needs the ``population`` extra (pandas, pyarrow, tqdm):
``pip install "ivig-core[population]"``; Dask needs the ``dask`` extra and
the plots the ``plot`` extra.

The library computes and compares; it does not choose a policy.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from ivig_core.io import require


for _module in ("pandas", "pyarrow", "tqdm"):
    require(_module, extra="population", purpose="population tables")

from ivig_core.population.engines import plan_population  # noqa: E402 - after the extra is checked
from ivig_core.population.planner import (  # noqa: E402
    RESULT_COLUMNS,
    PlanSettings,
    Scenario,
    plan_rows,
)
from ivig_core.population.report import ImpactReport, impact_report  # noqa: E402
from ivig_core.population.synthetic import synthetic_population  # noqa: E402
from ivig_core.population.table import Population, read_population  # noqa: E402


__all__ = [
    "RESULT_COLUMNS",
    "ImpactReport",
    "PlanSettings",
    "Population",
    "Scenario",
    "impact_report",
    "plan_population",
    "plan_rows",
    "read_population",
    "synthetic_population",
]
