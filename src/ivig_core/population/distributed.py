"""The population on Dask: partitions planned in workers, one dataframe out.

Needs the ``dask`` extra (``pip install "ivig-core[dask]"``: dask's
dataframe and distributed). :func:`plan_partitions` maps
:func:`~ivig_core.population.plan_rows` over the partitions of a Dask
dataframe of population rows and returns a lazy Dask dataframe of results;
``compute()`` runs it on the current scheduler: a
``distributed.Client`` (a local cluster or a real one), or Dask's local
schedulers. :func:`plan_dask` is the same from a pandas table, computed.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ivig_core._checks import instance, whole
from ivig_core.io import require
from ivig_core.population.planner import (
    PlanSettings,
    Scenario,
    checked_arguments,
    combine,
    empty_results,
    plan_rows,
)


__all__ = ["plan_dask", "plan_partitions"]


def _dataframe() -> Any:  # noqa: ANN401 - the dask.dataframe module
    return require("dask.dataframe", extra="dask", purpose="Planning on Dask")


def plan_partitions(
    rows: Any,  # noqa: ANN401 - a dask.dataframe.DataFrame
    scenarios: Sequence[Scenario],
    settings: PlanSettings,
) -> Any:  # noqa: ANN401 - a dask.dataframe.DataFrame
    """Plan each partition of a Dask dataframe of rows; lazy results.

    Args:
        rows: A Dask dataframe of :attr:`Population.frame` rows
            (``dask.dataframe.from_pandas(population.frame, ...)``).
        scenarios: The scenarios.
        settings: What is the same for every patient.

    Returns:
        A Dask dataframe of results (:data:`RESULT_COLUMNS`), one partition
        per input partition; nothing is planned until it is computed.

    .. versionadded:: 0.1.0
    """
    dd = _dataframe()
    rows = instance(rows, dd.DataFrame, field="rows", allowed="a Dask DataFrame")
    _, chosen, settings = checked_arguments(pd.DataFrame(), scenarios, settings)
    return rows.map_partitions(
        plan_rows,
        chosen,
        settings,
        meta=empty_results(),
        align_dataframes=False,
    )


def plan_dask(
    frame: pd.DataFrame,
    scenarios: Sequence[Scenario],
    settings: PlanSettings,
    *,
    chunk_rows: int,
) -> pd.DataFrame:
    """Plan a population table on Dask in partitions of *chunk_rows* rows.

    Computed with the current Dask scheduler (a ``distributed.Client`` if
    one is active). The results are in row, then scenario order.

    .. versionadded:: 0.1.0
    """
    dd = _dataframe()
    frame, chosen, settings = checked_arguments(frame, scenarios, settings)
    size = whole(chunk_rows, field="chunk_rows")
    if not len(frame):
        return empty_results()
    partitions = max(1, -(-len(frame) // size))
    rows = dd.from_pandas(frame, npartitions=partitions, sort=False)
    computed = plan_partitions(rows, chosen, settings).compute()
    return combine([computed.reset_index(drop=True)])
