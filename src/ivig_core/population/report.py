"""The policy-impact report: scenarios compared over one population.

:func:`impact_report` takes the results table of
:func:`~ivig_core.population.plan_population` and gives, per scenario:

* **totals** over the patients planned under *every* scenario (so that the
  scenarios are compared on the same patients): grams calculated and
  dispensed per year, waste (dispensed − calculated), vials, infusions and
  infusion hours, plans not ready to issue; with the number of patients
  planned and refused under each scenario, and of unreadable rows;
* **distributions** of the dosing weight and of the grams dispensed per
  year (mean and percentiles);
* **differences** of the totals against a baseline scenario (grams and %);
* the patients who **change most**: the largest differences in grams
  dispensed per year against the baseline.

It renders as text (:meth:`ImpactReport.to_text`), writes its tables as
CSV or Parquet (:meth:`ImpactReport.write`) and plots the distributions
(:meth:`ImpactReport.plot`, extra ``plot``).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import attrs
import pandas as pd

from ivig_core._checks import instance, whole
from ivig_core.errors import InputError
from ivig_core.population.planner import RESULT_COLUMNS
from ivig_core.population.plots import impact_figure


__all__ = ["SUMMED", "ImpactReport", "impact_report"]

#: The per-patient figures summed into a scenario's totals.
SUMMED: Final = (
    "calculated_g_year",
    "dispensed_g_year",
    "waste_g_year",
    "vials_year",
    "infusions_year",
    "infusion_hours_year",
)

_PERCENTILES: Final = (0.1, 0.5, 0.9)
_TABLES: Final = ("results", "totals", "distributions", "differences", "changes")


@attrs.frozen(kw_only=True)
class ImpactReport:
    """Scenarios compared over one population (see the module).

    Attributes:
        scenarios: The scenarios' names, in order.
        baseline: The scenario the others are compared with.
        results: The per-patient results (one row per patient × scenario,
            and one per unreadable row).
        totals: Per scenario: ``patients`` planned, ``refused``,
            ``compared`` (planned under every scenario), ``not_ready`` (of
            the compared), and the :data:`SUMMED` figures over the compared
            patients.
        distributions: Per scenario and figure (``dosing_weight_kg``,
            ``dispensed_g_year``): mean and 10th, 50th, 90th percentiles
            over the compared patients.
        differences: The totals minus the baseline's, and in % of it.
        changes: The patients who change most: per patient, grams
            dispensed per year under each scenario and the largest change
            against the baseline.
        problems: The unreadable rows: row, id, field, message.

    .. versionadded:: 0.1.0
    """

    scenarios: tuple[str, ...]
    baseline: str
    results: pd.DataFrame = attrs.field(eq=False, repr=False)
    totals: pd.DataFrame = attrs.field(eq=False, repr=False)
    distributions: pd.DataFrame = attrs.field(eq=False, repr=False)
    differences: pd.DataFrame = attrs.field(eq=False, repr=False)
    changes: pd.DataFrame = attrs.field(eq=False, repr=False)
    problems: pd.DataFrame = attrs.field(eq=False, repr=False)

    def to_text(self) -> str:
        """The report as text tables (totals, differences, changes)."""
        lines = [
            (
                f"Population impact: {len(self.scenarios)} scenarios, baseline "
                f"{self.baseline!r}"
            ),
            (
                "Per year = the infusions dated within the horizon from the start; "
                f"{len(self.problems)} unreadable rows."
            ),
            "",
            "Totals (patients planned under every scenario):",
            _table(self.totals),
            "",
            f"Differences against {self.baseline!r}:",
            _table(self.differences),
            "",
            "Distributions:",
            _table(self.distributions),
            "",
            "Patients who change most (grams dispensed per year):",
            _table(self.changes),
        ]
        if len(self.problems):
            lines += ["", "Unreadable rows:", _table(self.problems.head(20))]
        return "\n".join(lines) + "\n"

    def write(self, path: str | Path, table: str = "results") -> Path:
        """Write one of the report's tables as ``.csv`` or ``.parquet``.

        Args:
            path: The file; its suffix chooses the format.
            table: ``"results"``, ``"totals"``, ``"distributions"``,
                ``"differences"`` or ``"changes"``.

        Raises:
            InputError: Another suffix or table name.
        """
        if table not in _TABLES:
            raise InputError("table", table, f"one of {', '.join(_TABLES)}")
        frame: pd.DataFrame = getattr(self, table)
        out = Path(path)
        suffix = out.suffix.lower()
        keep_index = table != "results"
        if suffix == ".csv":
            frame.to_csv(out, index=keep_index)
        elif suffix in {".parquet", ".pq"}:
            frame.to_parquet(out, index=keep_index)
        else:
            raise InputError("path", str(out), "a .csv or .parquet file")
        return out

    def plot(self, path: str | Path | None = None) -> object:
        """Box plots of the dosing weight and of grams per year by scenario.

        Needs the ``plot`` extra (matplotlib). Returns the figure; with
        *path*, also saves it (PNG, SVG or PDF by suffix).
        """
        return impact_figure(self.results, self.scenarios, self.baseline, path)


def _table(frame: pd.DataFrame) -> str:
    with pd.option_context(
        "display.width",
        200,
        "display.max_columns",
        30,
        "display.float_format",
        "{:,.1f}".format,
    ):
        return frame.to_string()


def _compared(planned: pd.DataFrame, count: int) -> pd.Index:
    per_row = planned.groupby("row")["scenario"].nunique()
    return per_row.index[per_row == count]


def _check(results: object, baseline: object) -> None:
    """Refuse a value that is not a results table or a scenario name, by name."""
    table = instance(
        results, pd.DataFrame, field="results", allowed="a results DataFrame"
    )
    missing = [c for c in RESULT_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(
            "results",
            f"a table without {', '.join(missing)}",
            "the results table of plan_population (RESULT_COLUMNS)",
        )
    if baseline is not None and not isinstance(baseline, str):
        raise InputError("baseline", baseline, "a scenario name or None")


def impact_report(
    results: pd.DataFrame, *, baseline: str | None = None, top: int = 10
) -> ImpactReport:
    """Compare the scenarios of a results table (see the module).

    Args:
        results: The table from
            :func:`~ivig_core.population.plan_population`.
        baseline: The scenario to compare with (default: the first).
        top: How many patients to list in :attr:`ImpactReport.changes`.

    Raises:
        InputError: No scenario in *results*, an unknown baseline.

    .. versionadded:: 0.1.0
    """
    count = whole(top, field="top", low=0)
    _check(results, baseline)
    scenarios = tuple(dict.fromkeys(results["scenario"].dropna()))
    if not scenarios:
        raise InputError("results", len(results), "results with at least one scenario")
    base = scenarios[0] if baseline is None else baseline
    if base not in scenarios:
        raise InputError("baseline", base, f"one of {', '.join(scenarios)}")
    planned = results[results["status"] == "planned"]
    refused = results[results["status"] == "refused"]
    compared_rows = _compared(planned, len(scenarios))
    compared = planned[planned["row"].isin(compared_rows)]
    records = []
    for name in scenarios:
        mine = compared[compared["scenario"] == name]
        record: dict[str, object] = {
            "scenario": name,
            "patients": planned.loc[planned["scenario"] == name, "row"].nunique(),
            "refused": refused.loc[refused["scenario"] == name, "row"].nunique(),
            "compared": len(compared_rows),
            "not_ready": int((~mine["ready_to_issue"].astype(bool)).sum()),
        }
        for figure in SUMMED:
            record[figure] = mine[figure].sum()
        records.append(record)
    totals = pd.DataFrame.from_records(records).set_index("scenario")
    for name in (
        "patients",
        "refused",
        "compared",
        "not_ready",
        "vials_year",
        "infusions_year",
    ):
        totals[name] = totals[name].astype("int64")
    for name in (
        "calculated_g_year",
        "dispensed_g_year",
        "waste_g_year",
        "infusion_hours_year",
    ):
        totals[name] = totals[name].astype("float64")
    differences = totals[list(SUMMED)] - totals.loc[base, list(SUMMED)]
    for name in ("calculated_g_year", "dispensed_g_year"):
        reference = float(totals.loc[base, name])  # type: ignore[arg-type] # a float column
        differences[f"{name}_pct"] = (
            100.0 * differences[name] / reference if reference else float("nan")
        )
    stats = []
    for figure in ("dosing_weight_kg", "dispensed_g_year"):
        for name in scenarios:
            values = compared.loc[compared["scenario"] == name, figure].astype(float)
            stats.append(
                {
                    "figure": figure,
                    "scenario": name,
                    "mean": values.mean(),
                    **{f"p{round(q * 100)}": values.quantile(q) for q in _PERCENTILES},
                }
            )
    distributions = pd.DataFrame.from_records(stats).set_index(["figure", "scenario"])
    wide = compared.pivot_table(
        index=["row", "id"], columns="scenario", values="dispensed_g_year", sort=False
    )
    wide = wide.reindex(columns=list(scenarios))
    change = wide.sub(wide[base], axis=0).drop(columns=[base])
    if change.shape[1]:
        wide["largest_change_g"] = change.apply(
            lambda r: r.loc[r.abs().idxmax()] if r.notna().any() else float("nan"),
            axis=1,
        )
        order = wide["largest_change_g"].abs().sort_values(ascending=False).index
        changes = wide.loc[order].head(count)
    else:
        changes = wide.head(0)
    bad = results[results["status"] == "bad-row"][["row", "id", "field", "message"]]
    return ImpactReport(
        scenarios=scenarios,
        baseline=base,
        results=results,
        totals=totals,
        distributions=distributions,
        differences=differences,
        changes=changes,
        problems=bad.reset_index(drop=True),
    )
