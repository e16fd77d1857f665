"""A full plan for seed 004's dermatomyositis course, explained line by line.

Seed 004: "1 to 2 g/kg of ideal body weight, usually given over 2 consecutive
days (1 g/kg each on day 1 and day 2) once a month for 1 to 6 months". The
preset ``dm-privigen-1gkg-2d-4w`` holds that course; this script chooses 3
cycles, doses on ideal body weight as the seed says, and plans it with
Octagam 10 %, the product whose US label covers dermatomyositis (reference
§2.1). The label gives the dermatomyositis rates as "initial 1 → maximum
4 mg/kg/min" without a step table, so the step size and step time below are
a local choice; each infusion's run notes say which parts are label and
which are local policy.

The script ends with the safety report: every finding a prescriber and a
pharmacist must see for this patient and plan. The library computes and
checks; it does not prescribe. Every choice here
(policy, cycles, rounding, rate steps) is the prescriber's and the
pharmacist's.

Run: python examples/first_plan.py
"""

from __future__ import annotations

import datetime as dt

from ivig_core import Patient, explain
from ivig_core.infusion import rate_schedule
from ivig_core.io.text import safety_summary
from ivig_core.plan import Plan
from ivig_core.planning import plan_course
from ivig_core.products import get_product
from ivig_core.regimen import get_preset
from ivig_core.safety import assess


PATIENT = Patient(
    sex="female",
    age="54 year",
    height="165 cm",
    weight="70 kg",
    serum_iga="150 mg/dL",
    serum_creatinine="0.8 mg/dL",
    abo_group="O",
)


def build_plan() -> Plan:
    """Plan three cycles of seed 004's course for one patient."""
    patient = PATIENT
    regimen = get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=3)
    octagam = get_product("octagam 10%")
    schedule = rate_schedule(
        octagam,
        "dermatomyositis",
        increment="1 mg/kg/min",  # local policy: the label gives no step size
        interval="30 min",  # local policy: the label gives no step time
    )
    return plan_course(
        patient,
        regimen,
        octagam,
        start=dt.date(2026, 1, 5),
        policy="ideal",  # seed 004: "g/kg of ideal body weight"
        rounding="never-below",
        indication="dermatomyositis",
        rate_weight="dosing",
        rate_schedule=schedule,
    )


def main() -> None:
    """Print the plan's explanation: every number with formula and source."""
    plan = build_plan()
    print(explain(plan))
    print()
    print("Rate notes (first infusion):")
    for note in plan.infusions[0].run.notes:
        print(f"- {note}")
    print()
    print(
        f"{len(plan.infusions)} infusions, {plan.total_dispensed_g:g} g dispensed "
        f"for {plan.total_calculated_g:.2f} g calculated"
    )
    print()
    report = assess(PATIENT, plan, indication="dermatomyositis")
    print(safety_summary(report))


if __name__ == "__main__":
    main()
