"""The impact report's plots: dosing weight and grams per year by scenario.

Needs the ``plot`` extra (matplotlib): ``pip install "ivig-core[plot]"``.
Drawn with matplotlib's object API (no pyplot, no display).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ivig_core.io import require


__all__ = ["impact_figure"]


def impact_figure(
    results: pd.DataFrame,
    scenarios: Sequence[str],
    baseline: str,
    path: str | Path | None = None,
) -> Any:  # noqa: ANN401 - a matplotlib Figure
    """Box plots by scenario of the dosing weight and of grams dispensed per year.

    Over the patients of *results* planned under every one of *scenarios*
    (:attr:`ImpactReport.results <ivig_core.population.ImpactReport>`).
    With *path*, the figure is also saved (the format from its suffix).

    Raises:
        MissingExtraError: matplotlib is not installed (extra ``plot``).

    .. versionadded:: 0.1.0
    """
    figure_mod = require("matplotlib.figure", extra="plot", purpose="The impact plot")
    planned = results[results["status"] == "planned"]
    per_row = planned.groupby("row")["scenario"].nunique()
    compared = planned[planned["row"].isin(per_row.index[per_row == len(scenarios)])]
    fig = figure_mod.Figure(figsize=(11, 5), layout="constrained")
    axes = fig.subplots(1, 2)
    panels = (
        ("dosing_weight_kg", "Dosing weight (kg)"),
        ("dispensed_g_year", "Grams dispensed per year (g)"),
    )
    for ax, (column, title) in zip(axes, panels, strict=True):
        data = [
            compared.loc[compared["scenario"] == s, column].to_numpy(dtype=float)
            for s in scenarios
        ]
        ax.boxplot(data, tick_labels=list(scenarios), showmeans=True)
        ax.set_title(title)
        ax.tick_params(axis="x", labelrotation=20)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(
        f"{len(compared['row'].unique())} patients planned under every scenario "
        f"(baseline {baseline})"
    )
    if path is not None:
        fig.savefig(Path(path), dpi=100)
    return fig
