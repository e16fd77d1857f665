"""The code of the how-to docs/how-to/population.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    import datetime as dt
    from pathlib import Path
    from ivig_core.population import (PlanSettings, Scenario, impact_report,
        plan_population, read_population)
    population = read_population(Path("examples/population/synthetic-1000.csv"))
    print(len(population))
    rows = population.frame.head(30)
    scenarios = [
        Scenario(policy="actual", rounding="never-below"),
        Scenario(policy="adjusted", rounding="never-below"),
        Scenario(policy="bloodstar-2026", rounding="nearest-within:10 %"),
    ]
    settings = PlanSettings(start=dt.date(2026, 1, 5), rate_weight="dosing",
        rate_increment="1 mg/kg/min", rate_interval="30 min")
    results = plan_population(rows, scenarios, settings)
    print(sorted(results['status'].unique()))
    refused = results[results["status"] == "refused"]
    print(refused[['id', 'scenario', 'field']].head(2).to_numpy().tolist())
    report = impact_report(results, top=3)
    print(report.totals[['patients', 'refused', 'compared', 'not_ready']])
    print(report.differences['dispensed_g_year_pct'].round(1).tolist())
    print(report.to_text())  # doctest: +ELLIPSIS
    import logging
    from distributed import Client, LocalCluster
    logging.getLogger("distributed").setLevel(logging.ERROR)
    with LocalCluster(n_workers=2, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        on_dask = plan_population(rows, scenarios, settings, engine="dask",
                                  chunk_rows=10)
    print(on_dask.equals(results))
    import dask.dataframe as dd
    from ivig_core.population.distributed import plan_partitions
    with LocalCluster(n_workers=2, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        partitions = dd.from_pandas(rows, npartitions=3, sort=False)
        gathered = plan_partitions(partitions, scenarios, settings).compute()
    print(len(gathered) == len(results))
    print(float(gathered['dispensed_g_year'].sum()) == float(results['dispensed_g_year'].sum()))
