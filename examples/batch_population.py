"""Plan a whole population in a loop, collecting errors per row.

A research extract or a pharmacy work list is a list of rows, some of them
wrong: a weight without its unit, a height typed in kg, a patient the chosen
policy cannot decide for. One bad row must not stop the batch, and every
refusal must say which row, which field and what is allowed. Every error
ivig_core raises on purpose is an :class:`~ivig_core.IvigError`; anything
else is a bug and is left to propagate.

The regimen, product and policies are fixed for the batch; each row's
course is planned and safety-assessed independently (plans are immutable
values, so rows could equally be planned in parallel).

Run: python examples/batch_population.py
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import attrs

from ivig_core import InputError, IvigError, Patient
from ivig_core.infusion import rate_schedule
from ivig_core.plan import Plan
from ivig_core.planning import plan_course
from ivig_core.products import Product, get_product
from ivig_core.rates import RateSchedule
from ivig_core.regimen import Regimen, get_preset
from ivig_core.safety import SafetyReport, assess


#: Rows as a host application would receive them (strings with units).
ROWS: tuple[Mapping[str, object], ...] = (
    {"sex": "female", "age": "54 year", "height": "165 cm", "weight": "92 kg"},
    {"sex": "male", "age": "40 year", "height": "5 ft 11 in", "weight": "176 lb"},
    {"sex": "female", "age": "61 year", "height": "158 cm", "weight": 70},
    {"sex": "male", "age": "35 year", "height": "180 kg", "weight": "80 kg"},
    {"sex": "female", "age": "47 year", "height": "147 cm", "weight": "58 kg"},
    {"sex": "unknown", "age": "50 year", "height": "170 cm", "weight": "75 kg"},
    {"sex": "male", "age": "66 year", "height": "172 cm", "weight": "104 kg"},
)


@attrs.frozen
class Failure:
    """One refused row: where, which field, what was wrong."""

    index: int
    kind: str
    field: str
    message: str


@attrs.frozen
class Batch:
    """What a batch produced: plans by row index, and the failures."""

    plans: dict[int, Plan]
    reports: dict[int, SafetyReport]
    failures: list[Failure]


def plan_row(
    row: Mapping[str, object],
    regimen: Regimen,
    product: Product,
    schedule: RateSchedule,
) -> tuple[Plan, SafetyReport]:
    """Plan and assess one row (raises IvigError when the row is refused)."""
    patient = Patient(
        sex=row.get("sex"),
        age=row.get("age"),
        height=row.get("height"),
        weight=row.get("weight"),
    )
    plan = plan_course(
        patient,
        regimen,
        product,
        start=dt.date(2026, 1, 5),
        policy="us-120-percent-ibw",
        rounding="never-below",
        indication="dermatomyositis",
        rate_weight="dosing",
        rate_schedule=schedule,
    )
    return plan, assess(patient, plan, product=product, indication="dermatomyositis")


def plan_all(rows: Iterable[Mapping[str, object]]) -> Batch:
    """Plan every row; never stop at a refused one."""
    regimen = get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1)
    product = get_product("octagam 10%")
    schedule = rate_schedule(
        product, "dermatomyositis", increment="1 mg/kg/min", interval="30 min"
    )
    batch = Batch(plans={}, reports={}, failures=[])
    for index, row in enumerate(rows):
        try:
            plan, report = plan_row(row, regimen, product, schedule)
        except IvigError as exc:
            field = exc.field if isinstance(exc, InputError) else "-"
            batch.failures.append(Failure(index, type(exc).__name__, field, str(exc)))
        else:
            batch.plans[index] = plan
            batch.reports[index] = report
    return batch


def main() -> None:
    """Print one line per planned row, then the failures."""
    batch = plan_all(ROWS)
    print(f"planned {len(batch.plans)} of {len(ROWS)} rows")
    for index, plan in batch.plans.items():
        weight = plan.dosing_weight
        report = batch.reports[index]
        blocking = ", ".join(sorted({f.code.value for f in report.blocking}))
        print(
            f"row {index}: {weight.weight_kg:.1f} kg ({weight.basis.value}), "
            f"{plan.total_dispensed_g:g} g over {len(plan.infusions)} days; "
            f"{len(report.findings)} findings, blocking: {blocking or 'none'}"
        )
    print(f"\n{len(batch.failures)} refused:")
    for failure in batch.failures:
        print(
            f"row {failure.index}: {failure.kind} [{failure.field}] {failure.message}"
        )


if __name__ == "__main__":
    main()
