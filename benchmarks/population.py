"""A synthetic clinic population for the scaling benchmark.

Deterministic (seeded): adults of both sexes, 150-200 cm, BMI 18-40, on the
benchmark regimen (``bench_cases``), with the dosing-weight policies and
closed weekends of the benchmark cases in turn. Planned with
:func:`ivig_core.batch.plan_many`, serially.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Final


sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cases as bc

from ivig_core import Patient
from ivig_core.batch import PlanResult, Request, plan_many
from ivig_core.planning import ClosedDays


SEED: Final = 9
_POLICIES: Final = ("actual", "adjusted", "ideal", "bloodstar-2026")


def requests(n: int) -> list[Request]:
    """*n* plan requests (the same first requests for every *n*)."""
    s = bc.setup()
    rng = random.Random(SEED)  # noqa: S311 - synthetic data, not security
    weekends = ClosedDays.weekends()
    out: list[Request] = []
    for i in range(n):
        sex = "female" if i % 2 else "male"
        height = round(rng.uniform(153.0, 200.0), 1)
        bmi = rng.uniform(18.0, 40.0)
        weight = round(bmi * (height / 100.0) ** 2, 1)
        patient = Patient(
            sex=sex,
            age=f"{rng.randint(18, 90)} year",
            height=f"{height} cm",
            weight=f"{weight} kg",
        )
        request: dict[str, object] = {
            "key": i,
            "patient": patient,
            "regimen": s.regimen,
            "product": s.product,
            "start": bc.START,
            "policy": _POLICIES[i % len(_POLICIES)],
            "rounding": "never-below",
            "indication": bc.INDICATION,
            "rate_weight": "dosing",
            "rate_schedule": s.schedule,
        }
        if i % 3 == 0:
            request["closed"] = weekends
        out.append(request)
    return out


def warm() -> None:
    """Plan a few requests once (imports, registry, vial tables)."""
    plan(requests(4))


def plan(reqs: list[Request]) -> list[PlanResult]:
    """Plan the requests serially."""
    return plan_many(reqs)
