"""Thread-safe first use: the unit registry and the catalogue, built once.

pint builds its application registry lazily, on first use, and that build is
not thread-safe: before the fix, 16 threads planning at once on a cold
interpreter were refused with "age: unknown unit 'year'" (the registry race
reported as the user's bad input). Each test runs in a fresh interpreter, so
the first use really is concurrent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Final


#: How many threads plan at once (issue 14: "a test plans from 16 threads").
THREADS: Final = 16

_PLAN_IN_THREADS = """
import datetime as dt, json, sys, threading
import ivig_core as ic

N = int(sys.argv[1])
barrier = threading.Barrier(N)
results, errors = [], []

def work():
    barrier.wait()  # every thread's first use of pint and the catalogue at once
    try:
        patient = ic.Patient(
            sex="female", age="54 year", height="165 cm", weight="202.8 lb"
        )
        octagam = ic.get_product("octagam 10%")
        plan = ic.plan_course(
            patient,
            ic.get_preset("octagam10-dm").choose(maintenance_days=2, cycles=2),
            octagam,
            start=dt.date(2026, 1, 5),
            policy="uk-request-form",
            rounding="never-below",
            indication="dermatomyositis",
            rate_weight="dosing",
            rate_schedule=ic.rate_schedule(
                octagam, "dermatomyositis", increment="1 mg/kg/min", interval="30 min"
            ),
        )
        results.append(
            (
                [(str(i.date), i.dispensed_g) for i in plan.infusions],
                plan.ready_to_issue,
                id(octagam),
                id(ic.products.default_catalogue()),
            )
        )
    except Exception as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=work) for _ in range(N)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"results": results, "errors": errors}))
"""


def _run() -> dict[str, list[object]]:
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", _PLAN_IN_THREADS, str(THREADS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_sixteen_threads_plan_on_a_cold_interpreter() -> None:
    """16 threads plan at once from a cold start: all succeed, all agree."""
    found = _run()
    assert found["errors"] == []
    results = found["results"]
    assert len(results) == THREADS
    plans = {json.dumps(r[:2]) for r in results}  # type: ignore[index]
    assert len(plans) == 1  # every thread planned the same course
    products = {r[2] for r in results}  # type: ignore[index]
    catalogues = {r[3] for r in results}  # type: ignore[index]
    assert len(products) == 1  # one Product per key
    assert len(catalogues) == 1  # one shipped catalogue
