"""The time to write and to load a plan document, against making the plan.

Run on demand (never a timed assertion in the tests)::

    .venv/bin/python benchmarks/json_load.py

For each of the eight full-course cases of ``bench_cases.py`` (11 courses,
25 infusions): CPU time (``time.process_time``) of ``plan_course``,
``plan_to_json`` and ``plan_from_json``, each the median over repeats of
every case. Prints the medians per call in ms and the ratio load ÷ plan.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path


sys.path.insert(0, str(Path(__file__).parent))

from bench_cases import cases, plan_library, setup

from ivig_core.io.json import plan_from_json, plan_to_json


REPEATS = 11


def _median_ms(run: Callable[[], object], calls: int) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.process_time()
        run()
        times.append((time.process_time() - start) / calls * 1000.0)
    return statistics.median(times)


def main() -> None:
    """Print the medians per call, ms, and the ratio of load to plan."""
    s = setup("full")
    all_cases = cases(s)
    plans = [plan_library(s, c) for c in all_cases]
    texts = [plan_to_json(p) for p in plans]
    for text in texts:  # warm-up, and a check that every document loads
        plan_from_json(text)
    n = len(all_cases)
    plan_ms = _median_ms(lambda: [plan_library(s, c) for c in all_cases], n)
    write_ms = _median_ms(lambda: [plan_to_json(p) for p in plans], n)
    load_ms = _median_ms(lambda: [plan_from_json(t) for t in texts], n)
    size = statistics.median(len(t) for t in texts)
    print(f"cases: {n} (full course, 25 infusions); document median {size:.0f} chars")
    print(f"plan_course    {plan_ms:8.2f} ms")
    print(f"plan_to_json   {write_ms:8.2f} ms")
    print(f"plan_from_json {load_ms:8.2f} ms  ({load_ms / plan_ms:.2f} x plan_course)")


if __name__ == "__main__":
    main()
