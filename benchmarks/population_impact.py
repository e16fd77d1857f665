"""The population impact report at scale: serial vs processes vs Dask.

Each run is a fresh Python process (so that start-up, imports and peak
memory are its own): it generates the synthetic population, plans it under
the scenarios with one engine, builds the impact report, and prints one
JSON line: wall time (population planned and report built, after the
imports), CPU time of the process and its child processes (the whole run,
imports included; children count once they have ended), and peak resident
memory of the process and of its largest child (a pool or Dask worker
process).

Run:
    python benchmarks/population_impact.py --patients 100000 --repeat 1
    python benchmarks/population_impact.py --patients 5000 --repeat 3

Engines: ``serial``; ``processes`` (a ProcessPoolExecutor of --workers);
``dask`` (a distributed LocalCluster of --workers single-threaded worker
processes on this machine). The figures go to benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any


ENGINES = ("serial", "processes", "dask")
#: The example site's local rate step (the labels give none for these uses).
INCREMENT = "1 mg/kg/min"
INTERVAL = "30 min"


def one(patients: int, engine: str, workers: int, scenarios: int) -> dict[str, Any]:
    """Plan and report once in this process; the measurements."""
    from ivig_core.population import (  # noqa: PLC0415 - timed after imports
        PlanSettings,
        Scenario,
        impact_report,
        plan_population,
        read_population,
        synthetic_population,
    )

    table = read_population(synthetic_population(patients))
    settings = PlanSettings(
        start=dt.date(2026, 1, 5),
        rate_weight="dosing",
        rate_increment=INCREMENT,
        rate_interval=INTERVAL,
    )
    chosen = [
        Scenario(policy="adjusted", rounding="never-below"),
        Scenario(policy="actual", rounding="never-below"),
    ][:scenarios]
    cluster = client = None
    if engine == "dask":
        import distributed  # noqa: PLC0415 - only for this engine

        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = distributed.Client(cluster)
    start = time.perf_counter()
    results = plan_population(
        table,
        chosen,
        settings,
        engine=engine,  # type: ignore[arg-type]
        workers=workers,
        chunk_rows=500,
        progress=False,
    )
    report = impact_report(results)
    wall = time.perf_counter() - start
    if client is not None and cluster is not None:
        client.close()
        cluster.close()
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = me.ru_maxrss / 1024
    child = children.ru_maxrss / 1024
    cpu = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime
    planned = int((results["status"] == "planned").sum())
    return {
        "engine": engine,
        "patients": patients,
        "scenarios": scenarios,
        "plans": planned,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 1),
        "peak_mib": round(own, 1),
        "peak_child_mib": round(child, 1),
        "dispensed_g_year": round(float(report.totals["dispensed_g_year"].sum()), 1),
    }


def main() -> None:
    """Run every engine --repeat times, each in a fresh process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenarios", type=int, default=1)
    parser.add_argument("--engine", choices=ENGINES)
    args = parser.parse_args()
    if args.engine is not None:  # the child
        print(json.dumps(one(args.patients, args.engine, args.workers, args.scenarios)))
        return
    runs: dict[str, list[dict[str, Any]]] = {e: [] for e in ENGINES}
    for _ in range(args.repeat):
        for engine in ENGINES:
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--engine",
                    engine,
                    "--patients",
                    str(args.patients),
                    "--workers",
                    str(args.workers),
                    "--scenarios",
                    str(args.scenarios),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            record = json.loads(out.strip().splitlines()[-1])
            runs[engine].append(record)
            print(json.dumps(record), flush=True)
    base = statistics.median(r["wall_s"] for r in runs["serial"])
    print(
        f"\n{args.patients} patients x {args.scenarios} scenario(s), "
        f"{args.repeat} run(s) each, medians:"
    )
    for engine in ENGINES:
        wall = statistics.median(r["wall_s"] for r in runs[engine])
        peak = statistics.median(r["peak_mib"] for r in runs[engine])
        child = statistics.median(r["peak_child_mib"] for r in runs[engine])
        cpu = statistics.median(r.get("cpu_s", float("nan")) for r in runs[engine])
        print(
            f"  {engine:9} {wall:8.1f} s  x{base / wall:4.2f} vs serial  "
            f"cpu {cpu:8.1f} s  peak {peak:7.1f} MiB (largest child {child:6.1f} MiB)"
        )


if __name__ == "__main__":
    main()
