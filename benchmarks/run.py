"""Run the ivig_core benchmarks and print the table.

    .venv/bin/python benchmarks/run.py            # everything (~3-5 min)
    .venv/bin/python benchmarks/run.py --quick    # fewer repeats, 100/1 000 only
    .venv/bin/python benchmarks/run.py --no-startup --no-scaling   # plans only

Every library timing is taken in the same run as its pure-float reference
(``reference.py``), interleaved repeat by repeat, so machine noise hits both;
the table gives medians over the repeats and the ratio of the medians. Times
are CPU time of the process (``time.process_time``): on a shared 2-core
machine, other processes inflate wall time, not CPU time. See README.md for
how to read it.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final


HERE: Final = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_cases as bc  # noqa: E402 - after the path is set


def _time_per_call(fn: Callable[[], object], calls: int) -> float:
    """CPU seconds per call of *fn*, over *calls* calls."""
    t0 = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - t0) / calls


def paired(
    library: Sequence[Callable[[], object]],
    reference: Sequence[Callable[[], object]],
    *,
    repeats: int,
    calls: int,
) -> tuple[float, float]:
    """Median seconds per call (library, reference), interleaved by repeat.

    Each repeat times every library function then every reference function
    *calls* times; a repeat's figure is the mean over the functions.
    """
    for fn in (*library, *reference):  # warm caches and imports
        fn()
    lib: list[float] = []
    ref: list[float] = []
    for _ in range(repeats):
        lib.append(statistics.fmean(_time_per_call(f, calls) for f in library))
        ref.append(statistics.fmean(_time_per_call(f, calls) for f in reference))
    return statistics.median(lib), statistics.median(ref)


def _fmt_time(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def kept_bytes(make: Callable[[], object], count: int) -> float:
    """Bytes of memory held per result when *count* results of *make* are kept.

    Measured with ``tracemalloc`` after one warm-up call (imports, registry
    and vial tables are not counted): the traced memory growth while the
    results are alive, divided by *count*.
    """
    make()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [make() for _ in range(count)]
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    return (after - before) / count


# --------------------------------------------------------------------------
# Start-up

_STARTUP_LIBRARY: Final = """
import time
t0 = time.process_time()
import datetime as dt
import ivig_core
from ivig_core.infusion import rate_schedule
from ivig_core.planning import plan_course
from ivig_core.regimen import DoseSteps, Hold, Stop, Taper, get_preset
taper = Taper(
    strategy=DoseSteps(fractions=(0.9, 0.75, 0.5, 0.25, 0.1), hold=Hold(cycles=1),
                       source="benchmark"),
    end=Stop(),
)
plan = plan_course(
    ivig_core.Patient(sex="female", age="54 year", height="165 cm", weight="70 kg"),
    get_preset("myositis-2gkg-then-1gkg-4w").choose(
        induction_days=5, maintenance_days=2, cycles=5, taper=taper),
    "gamunex-c",
    start=dt.date(2026, 1, 5), policy="actual", rounding="never-below",
    indication="cidp", rate_weight="dosing",
    rate_schedule=rate_schedule("gamunex-c", "cidp", increment="2 mg/kg/min",
                                interval="30 min"),
)
assert len(plan.infusions) == 25
print(time.process_time() - t0)
"""

_STARTUP_PINT: Final = """
import time
t0 = time.process_time()
import pint
pint.get_application_registry().Quantity(70.0, "kilogram")
print(time.process_time() - t0)
"""

_STARTUP_IMPORT: Final = """
import time
t0 = time.process_time()
import ivig_core
print(time.process_time() - t0)
"""


def _child(code: str, env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds measured inside a fresh interpreter, wall seconds of it)."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - t0
    return float(out.stdout.strip().splitlines()[-1]), wall


def startup(runs: int, *, bytecode: bool) -> dict[str, tuple[float, float]]:
    """Medians (inside, wall) of fresh interpreters, interleaved.

    With *bytecode*, compiled modules are cached (as for an installed wheel)
    in a temporary ``PYTHONPYCACHEPREFIX``, for pint and ivig_core alike;
    without, every module is compiled from source in every interpreter
    (``PYTHONDONTWRITEBYTECODE=1``, as in this sandbox: the editable
    ivig_core is compiled from source every time, pint's installed bytecode
    is used).
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    with tempfile.TemporaryDirectory(prefix="ivig-bench-pyc-") as cache:
        if bytecode:
            env["PYTHONPYCACHEPREFIX"] = cache
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        codes = {
            "library": _STARTUP_LIBRARY,
            "pint": _STARTUP_PINT,
            "import": _STARTUP_IMPORT,
        }
        got: dict[str, list[tuple[float, float]]] = {k: [] for k in codes}
        for code in codes.values():  # warm-up: disk cache, bytecode cache
            _child(code, env)
        for _ in range(runs):
            for name, code in codes.items():
                got[name].append(_child(code, env))
    return {
        k: (statistics.median(a for a, _ in v), statistics.median(w for _, w in v))
        for k, v in got.items()
    }


# --------------------------------------------------------------------------
# Scaling: a population in a fresh process per size

_SCALE_CHILD: Final = f"""
import gc, json, resource, sys, time
sys.path.insert(0, {str(HERE)!r})
import population
n, repeats = int(sys.argv[1]), int(sys.argv[2])
requests = population.requests(n)
population.warm()
# One untimed pass at this size first: every timed repeat, at every size,
# then runs on memory the process already has (without it, the single
# 10 000 repeat ran on fresh pages while the smaller sizes' medians came
# from repeats reusing the memory freed by the one before).
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
population.plan(requests)
times = []
for _ in range(repeats):
    results = None
    gc.collect()
    t0 = time.process_time()
    results = population.plan(requests)
    times.append((time.process_time() - t0) / n)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
failures = sum(1 for r in results if not hasattr(r, "infusions"))
print(json.dumps({{"times": times, "rss_kb": [before, peak], "failures": failures}}))
"""


def scaling(
    sizes: Sequence[int], repeats: Callable[[int], int]
) -> list[dict[str, float]]:
    """Per-patient seconds (median) and peak memory per population size."""
    rows = []
    for n in sizes:
        out = subprocess.run(
            [sys.executable, "-c", _SCALE_CHILD, str(n), str(repeats(n))],
            check=True,
            capture_output=True,
            text=True,
        )
        data = json.loads(out.stdout.strip().splitlines()[-1])
        before, peak = data["rss_kb"]
        rows.append(
            {
                "n": n,
                "per_patient": statistics.median(data["times"]),
                "peak_mb": peak / 1024.0,
                "growth_mb": (peak - before) / 1024.0,
                "failures": data["failures"],
            }
        )
    return rows


# --------------------------------------------------------------------------


def _plan_rows(
    repeats: int, *, quick: bool
) -> tuple[list[tuple[str, float, float, str]], list[tuple[str, float]]] | None:
    """Timed rows and kept sizes of both courses; None on a mismatch."""
    rows: list[tuple[str, float, float, str]] = []
    sizes_kb: list[tuple[str, float]] = []
    for kind, target in (("full", "≤ 5×"), ("short", "≤ 10×")):
        s = bc.setup(kind)
        cases = bc.cases(s)
        for case in cases:  # same numbers on both sides, or no table
            if bc.summary(bc.plan_library(s, case)) != bc.plan_reference(case):
                print(f"MISMATCH between library and reference: {case.name}")
                return None
        plan0 = bc.plan_library(s, cases[0])
        safety = getattr(plan0, "safety", None) is not None
        infusions = len(plan0.infusions)
        gc.collect()
        lib, ref = paired(
            [functools.partial(bc.plan_library, s, c) for c in cases],
            [functools.partial(bc.plan_reference, c) for c in cases],
            repeats=repeats,
            calls=3 if quick else 5,
        )
        what = "with" if safety else "WITHOUT"
        rows.append(
            (
                f"{kind} course plan ({infusions} infusions, {what} safety report)",
                lib,
                ref,
                target,
            )
        )
        held = kept_bytes(functools.partial(bc.plan_library, s, cases[0]), 50)
        sizes_kb.append((f"{kind} course ({infusions} infusions)", held / 1024.0))
    return rows, sizes_kb


def _print_sizes(sizes_kb: list[tuple[str, float]]) -> None:
    """The kept-plan memory table."""
    print()
    print("Memory held per kept plan (tracemalloc, 50 plans kept; target ≤ 25 kB):")
    print(f"| {'plan':<58} | {'kept':>10} |")
    print(f"|{'-' * 60}|{'-' * 12}|")
    for name, kb in sizes_kb:
        print(f"| {name:<58} | {kb:>7.1f} kB |")


def main(argv: Sequence[str] | None = None) -> int:
    """Run everything and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--no-startup", action="store_true", help="skip start-up")
    parser.add_argument("--no-scaling", action="store_true", help="skip scaling")
    args = parser.parse_args(argv)
    quick: bool = args.quick
    repeats = 5 if quick else 11

    plan_rows = _plan_rows(repeats, quick=quick)
    if plan_rows is None:
        return 1
    rows, sizes_kb = plan_rows
    s = bc.setup()
    cases = bc.cases(s)
    lib, ref = paired(
        [bc.weight_library(c) for c in cases],
        [bc.weight_reference(c) for c in cases],
        repeats=repeats,
        calls=200,
    )
    rows.append(("dosing_weight alone", lib, ref, ""))
    weights = [c.patient.weight_kg for c in cases]
    lib, ref = paired(
        [bc.split_library(w) for w in weights],
        [bc.split_reference(w) for w in weights],
        repeats=repeats,
        calls=200,
    )
    rows.append(("one split course (split_course_g)", lib, ref, ""))

    print(
        f"ivig_core benchmarks — Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {'quick' if quick else 'full'} run, "
        f"medians of {repeats} repeats"
    )
    print()
    print(
        f"| {'benchmark':<58} | {'ivig_core':>10} | {'reference':>10} | "
        f"{'ratio':>7} | target |"
    )
    print(f"|{'-' * 60}|{'-' * 12}|{'-' * 12}|{'-' * 9}|--------|")
    for name, lib, ref, target in rows:
        print(
            f"| {name:<58} | {_fmt_time(lib):>10} | {_fmt_time(ref):>10} | "
            f"{lib / ref:>6.1f}× | {target:<6} |"
        )

    _print_sizes(sizes_kb)

    runs = 5 if quick else 15
    for bytecode in (True, False) if not args.no_startup else ():
        up = startup(runs, bytecode=bytecode)
        lib_in, lib_wall = up["library"]
        pint_in, pint_wall = up["pint"]
        imp_in, _ = up["import"]
        how = (
            "bytecode cached (as installed)"
            if bytecode
            else "PYTHONDONTWRITEBYTECODE=1 (ivig_core compiled each time)"
        )
        print()
        print(f"Start-up, fresh interpreters, {how}, medians of {runs}:")
        print(f"| {'what':<58} | {'CPU':>10} | {'wall':>10} |")
        print(f"|{'-' * 60}|{'-' * 12}|{'-' * 12}|")
        print(
            f"| {'import ivig_core (alone)':<58} | {_fmt_time(imp_in):>10} | {'':>10} |"
        )
        print(
            f"| {'import ivig_core + first full plan':<58} | "
            f"{_fmt_time(lib_in):>10} | {_fmt_time(lib_wall):>10} |"
        )
        print(
            f"| {'import pint + first Quantity (application registry)':<58} | "
            f"{_fmt_time(pint_in):>10} | {_fmt_time(pint_wall):>10} |"
        )
        print(
            f"| {'ratio (target ≤ 1.2×)':<58} | {lib_in / pint_in:>9.2f}× | "
            f"{lib_wall / pint_wall:>9.2f}× |"
        )

    if args.no_scaling:
        return 0
    sizes = (100, 1000) if quick else (100, 1000, 10000)
    scale = scaling(sizes, lambda n: 1 if n >= 10000 else (3 if n >= 1000 else 7))
    base = scale[0]["per_patient"]
    print()
    print("Scaling: plan_many over a population (fresh process per size, serial):")
    print(
        f"| {'patients':>9} | {'per patient':>11} | {'vs 100':>7} | "
        f"{'peak RSS':>9} | {'RSS growth':>10} | failures |"
    )
    print(f"|{'-' * 11}|{'-' * 13}|{'-' * 9}|{'-' * 11}|{'-' * 12}|----------|")
    for row in scale:
        print(
            f"| {row['n']:>9,} | {_fmt_time(row['per_patient']):>11} | "
            f"{row['per_patient'] / base:>6.2f}× | {row['peak_mb']:>6.0f} MB | "
            f"{row['growth_mb']:>7.0f} MB | {row['failures']:>8} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
