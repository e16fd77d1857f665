"""Where a population is planned: this process, a process pool, or Dask.

:func:`plan_population` splits the population into chunks of rows and runs
:func:`~ivig_core.population.plan_rows` on each: in this process, in a
:class:`~concurrent.futures.ProcessPoolExecutor`, or as the partitions of a
Dask dataframe (:mod:`ivig_core.population.distributed`, extra ``dask``),
and joins the results in row order, with a progress bar (tqdm) on long runs.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import concurrent.futures
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias

import pandas as pd

from ivig_core._checks import MAX_COUNT, flag, instance, whole
from ivig_core.errors import InputError
from ivig_core.population import distributed
from ivig_core.population.planner import (
    PlanSettings,
    Scenario,
    checked_scenarios,
    combine,
    plan_rows,
)
from ivig_core.population.table import Population, read_population


__all__ = ["DEFAULT_CHUNK_ROWS", "Engine", "plan_population"]

#: Rows planned per task (a process-pool chunk, a Dask partition, a
#: progress-bar step).
DEFAULT_CHUNK_ROWS: Final = 250

#: Where the population is planned.
Engine: TypeAlias = Literal["serial", "processes", "dask"]


def _chunks(frame: pd.DataFrame, rows: int) -> list[pd.DataFrame]:
    return [frame.iloc[i : i + rows] for i in range(0, len(frame), rows)]


def _show_progress(progress: bool | None, rows: int) -> bool:
    if progress is None:
        return sys.stderr.isatty() and rows >= 1_000
    return flag(progress, field="progress")


def _bar(total: int, *, show: bool) -> Any:  # noqa: ANN401 - a tqdm bar
    from tqdm import tqdm  # noqa: PLC0415 - imported only for a visible bar

    return tqdm(total=total, unit="patient", disable=not show, file=sys.stderr)


def plan_population(
    population: Population | pd.DataFrame,
    scenarios: Iterable[Scenario],
    settings: PlanSettings,
    *,
    engine: Engine = "serial",
    workers: int | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Plan every patient under every scenario; the results table.

    Args:
        population: A :class:`Population`, a slice of its frame, or a
            table in the layout :func:`read_population` reads.
        scenarios: The scenarios, the first being the usual baseline.
        settings: What is the same for every patient.
        engine: ``"serial"`` (this process), ``"processes"`` (a
            :class:`~concurrent.futures.ProcessPoolExecutor` of *workers*)
            or ``"dask"`` (the population in partitions of *chunk_rows*,
            computed by Dask's current scheduler or client; needs the
            ``dask`` extra).
        workers: Worker processes for ``"processes"``, 1 to 1 000
            (default: the CPU count).
        chunk_rows: Rows per task.
        progress: Show a progress bar on stderr (default: on a terminal,
            for 1 000 rows or more). With Dask, use Dask's own progress
            display.

    Returns:
        The results (:data:`RESULT_COLUMNS`), ordered by row then scenario.

    Raises:
        InputError: No scenarios, two with one name, a bad engine, workers
            or chunk size.

    .. versionadded:: 0.1.0
    """
    chosen = checked_scenarios(scenarios)
    instance(settings, PlanSettings, field="settings")
    rows = whole(chunk_rows, field="chunk_rows")
    chosen_engine: object = engine
    if not isinstance(chosen_engine, str) or chosen_engine not in {
        "serial",
        "processes",
        "dask",
    }:
        raise InputError("engine", engine, "'serial', 'processes' or 'dask'")
    given: object = population
    if isinstance(given, Population):
        frame = given.frame
    elif isinstance(given, pd.DataFrame) and "row" in given.columns:
        frame = given  # a slice of a Population's frame
    elif isinstance(given, (pd.DataFrame, str, Path)):  # a table or its file
        frame = read_population(given).frame
    else:
        raise InputError(
            "population", given, "a Population, a pandas DataFrame or a file path"
        )
    if engine == "dask":
        return distributed.plan_dask(frame, chosen, settings, chunk_rows=rows)
    chunks = _chunks(frame, rows)
    parts: list[pd.DataFrame] = []
    with _bar(len(frame), show=_show_progress(progress, len(frame))) as bar:
        if engine == "serial":
            for chunk in chunks:
                parts.append(plan_rows(chunk, chosen, settings))
                bar.update(len(chunk))
        else:
            size = (
                None
                if workers is None
                else whole(workers, field="workers", high=MAX_COUNT)
            )
            with concurrent.futures.ProcessPoolExecutor(max_workers=size) as pool:
                futures = [
                    pool.submit(plan_rows, chunk, chosen, settings) for chunk in chunks
                ]
                for chunk, future in zip(chunks, futures, strict=True):
                    parts.append(future.result())
                    bar.update(len(chunk))
    return combine(parts)
