"""Record the JSON of a varied population of plans, to compare before and after.

A restructuring must keep behaviour: run this before it, and again after, and
compare the two files byte for byte (``--compare``). Each line is one case:
its name and either the plan's JSON document and explanation, or the error
class and message of a refusal.

The population covers both routes: IV presets with every weight policy,
rounding, rate weight and closed-day rule; tapers; SCIg conversions (weekly,
every 2 weeks, several times a week, HyQvia with and without ramp-up) and the
Hizentra CIDP presets; and refusals.

Usage::

    python benchmarks/golden.py record OUT.jsonl
    python benchmarks/golden.py compare BEFORE.jsonl AFTER.jsonl
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from ivig_core import Patient
from ivig_core.errors import IvigError
from ivig_core.io.json import plan_to_json
from ivig_core.plan import Plan


START = dt.date(2026, 1, 5)

PATIENTS = (
    ("female", "54 year", "165 cm", "92 kg"),
    ("male", "40 year", "180 cm", "70 kg"),
    ("female", "33 year", "158 cm", "131 kg"),
    ("male", "71 year", "172 cm", "61.4 kg"),
    ("male", "25 year", "185.4 cm", "92 kg"),
    ("female", "12 year", "150 cm", "41 kg"),
)
POLICIES = ("actual", "ideal", "adjusted", "bloodstar-2026")
ROUNDINGS = ("never-below", "ontario")
RATE_WEIGHTS = ("dosing", "actual")


def _patient(row: tuple[str, str, str, str]) -> Patient:
    sex, age, height, weight = row
    return Patient(sex=sex, age=age, height=height, weight=weight)


def _text(plan: object) -> str:
    """The plan's explanation, wherever the library renders it."""
    explain = getattr(plan, "explain", None)
    if callable(explain):
        return str(explain())
    from ivig_core.io.text import explain as render  # noqa: PLC0415

    return render(plan)  # type: ignore[arg-type]


def _iv_cases() -> Iterator[tuple[str, Callable[[], Plan]]]:
    from ivig_core.infusion import rate_schedule  # noqa: PLC0415
    from ivig_core.planning import ClosedDays, plan_course  # noqa: PLC0415
    from ivig_core.products import get_product  # noqa: PLC0415
    from ivig_core.regimen import (  # noqa: PLC0415
        DoseSteps,
        PercentPerInfusion,
        Stop,
        Taper,
        get_preset,
    )

    octagam = get_product("octagam 10%")
    gamunex = get_product("gamunex-c")
    privigen = get_product("privigen")
    regimens = {
        "seed000-jnd": (
            get_preset("myositis-2gkg-then-1gkg-4w").choose(
                induction_days=2,
                maintenance_days=1,
                cycles=3,
                taper=Taper(strategy=DoseSteps.jnd_2023(), end=Stop()),
            ),
            octagam,
            "dermatomyositis",
        ),
        "octagam-dm": (
            get_preset("octagam10-dm").choose(maintenance_days=2, cycles=2),
            octagam,
            "dermatomyositis",
        ),
        "cidp-ice-procid": (
            get_preset("cidp-ice").choose(
                induction_days=2,
                maintenance_days=1,
                taper=Taper(
                    strategy=PercentPerInfusion.procid(of="starting"), end=Stop()
                ),
            ),
            gamunex,
            "cidp",
        ),
        "seed004-privigen": (
            get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=2),
            privigen,
            "cidp",
        ),
    }
    schedules = {
        "octagam 10%": rate_schedule(
            octagam, "dermatomyositis", increment="1 mg/kg/min", interval="30 min"
        ),
        "gamunex-c": rate_schedule(
            gamunex, "cidp", increment="2 mg/kg/min", interval="30 min"
        ),
        "privigen": rate_schedule(
            privigen, "cidp", increment="1 mg/kg/min", interval="30 min"
        ),
    }
    schedule_of = {
        "seed000-jnd": "octagam 10%",
        "octagam-dm": "octagam 10%",
        "cidp-ice-procid": "gamunex-c",
        "seed004-privigen": "privigen",
    }
    for (
        name,
        (regimen, product, indication),
    ), prow, policy, rounding, rw, closed in itertools.product(
        regimens.items(),
        PATIENTS,
        POLICIES,
        ROUNDINGS,
        RATE_WEIGHTS,
        (False, True),
    ):
        case = f"iv/{name}/{prow[0]}-{prow[3]}/{policy}/{rounding}/{rw}/closed={closed}"

        def run(
            regimen: object = regimen,
            product: object = product,
            indication: str = indication,
            prow: tuple[str, str, str, str] = prow,
            policy: str = policy,
            rounding: str = rounding,
            rw: str = rw,
            closed: bool = closed,
            name: str = name,
        ) -> Plan:
            return plan_course(
                _patient(prow),
                regimen,  # type: ignore[arg-type]
                product,  # type: ignore[arg-type]
                start=START,
                policy=policy,
                rounding=rounding,
                indication=indication,
                rate_weight=rw,  # type: ignore[arg-type]
                rate_schedule=schedules[schedule_of[name]],
                closed=ClosedDays.weekends() if closed else None,
            )

        yield case, run


def _sc_cases() -> Iterator[tuple[str, Callable[[], object]]]:
    from ivig_core.planning.request import FirstInfusions  # noqa: PLC0415
    from ivig_core.planning.scig import (  # noqa: PLC0415
        plan_scig,
        plan_scig_regimen,
    )
    from ivig_core.scig import (  # noqa: PLC0415
        EveryTwoWeeks,
        LabelFactor,
        OneToOne,
        SameAsIvig,
        ScLimits,
        TimesPerWeek,
        Weekly,
        convert_to_scig,
        get_scig_preset,
    )

    local = "local protocol (golden population)"
    hz_later = ScLimits.from_product(
        "hizentra", situation="PI, later infusions", max_sites=8, parameter_source=local
    )
    hz_first = FirstInfusions(
        limits=ScLimits.from_product(
            "hizentra",
            situation="PI, first infusion",
            max_sites=8,
            parameter_source=local,
        ),
        count=1,
    )
    hyq = ScLimits.from_product(
        "hyqvia",
        situation=[
            "per site, 1 or 2 sites",
            "per site, 3 sites",
            "per day, patients ≥ 40 kg",
        ],
        rate_per_site="300 mL/h",
        parameter_source=local,
    )
    last = dt.date(2026, 1, 5)
    freqs = {
        "weekly": Weekly(),
        "2-weekly": EveryTwoWeeks(),
        "3-per-week": TimesPerWeek(times=3),
    }
    for (fname, freq), grams, rule, policy, rounding, prow in itertools.product(
        freqs.items(),
        ("30 g", "45 g", "0.4 g/kg"),
        ("label", "one-to-one"),
        POLICIES[:3],
        ROUNDINGS,
        PATIENTS[:4],
    ):
        case = f"sc/hizentra/{fname}/{grams}/{rule}/{policy}/{rounding}/{prow[3]}"

        def run(
            freq: object = freq,
            grams: str = grams,
            rule: str = rule,
            policy: str = policy,
            rounding: str = rounding,
            prow: tuple[str, str, str, str] = prow,
        ) -> object:
            dose = convert_to_scig(
                ivig_dose=grams,
                ivig_interval="4 week",
                product="hizentra",
                rule=LabelFactor() if rule == "label" else OneToOne(),
                frequency=freq,  # type: ignore[arg-type]
                last_ivig=last,
            )
            return plan_scig(
                _patient(prow),
                dose,
                policy=policy,
                rounding=rounding,
                limits=hz_later,
                first_infusions=hz_first,
                site_rate="label-maximum",
                cycles=4,
            )

        yield case, run
    for grams, ramp, policy, prow in itertools.product(
        ("30 g", "40 g", "0.5 g/kg"), (True, False), POLICIES[:3], PATIENTS[:5]
    ):
        case = f"sc/hyqvia/{grams}/ramp={ramp}/{policy}/{prow[3]}"

        def run(
            grams: str = grams,
            ramp: bool = ramp,
            policy: str = policy,
            prow: tuple[str, str, str, str] = prow,
        ) -> object:
            dose = convert_to_scig(
                ivig_dose=grams,
                ivig_interval="4 week",
                product="hyqvia",
                rule=LabelFactor(),
                frequency=SameAsIvig(),
            )
            return plan_scig(
                _patient(prow),
                dose,
                policy=policy,
                rounding="never-below",
                limits=hyq,
                site_rate="label-maximum",
                cycles=2,
                first_dose=dt.date(2026, 1, 12),
                ramp_up=ramp,
            )

        yield case, run
    for preset, days, policy, prow in itertools.product(
        ("hizentra-cidp-0.2", "hizentra-cidp-0.4"), (1, 2), POLICIES[:3], PATIENTS[:5]
    ):
        case = f"sc/{preset}/days={days}/{policy}/{prow[3]}"

        def run(
            preset: str = preset,
            days: int = days,
            policy: str = policy,
            prow: tuple[str, str, str, str] = prow,
        ) -> object:
            regimen = get_scig_preset(preset).choose(maintenance_days=days, cycles=3)
            return plan_scig_regimen(
                _patient(prow),
                regimen,
                "hizentra",
                last_ivig=last,
                policy=policy,
                rounding="never-below",
                limits=hz_later,
                site_rate="label-maximum",
            )

        yield case, run


def _record(case: str, run: Callable[[], object]) -> dict[str, str]:
    try:
        result = run()
    except IvigError as exc:
        return {"case": case, "error": f"{type(exc).__name__}: {exc}"}
    plan = getattr(result, "plan", result)
    return {
        "case": case,
        "json": plan_to_json(plan),  # type: ignore[arg-type]
        "explain": _text(plan),
    }


def record(out: Path) -> int:
    """Write every case's line to *out*; return how many."""
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for case, run in itertools.chain(_iv_cases(), _sc_cases()):
            fh.write(json.dumps(_record(case, run), sort_keys=True) + "\n")
            n += 1
    return n


def compare(before: Path, after: Path) -> int:
    """Print every case whose JSON, explanation or refusal differs."""
    a = [json.loads(line) for line in before.read_text(encoding="utf-8").splitlines()]
    b = [json.loads(line) for line in after.read_text(encoding="utf-8").splitlines()]
    # Case names are not unique (two patients weigh 92 kg): pair the n-th
    # row of a name in one file with the n-th row of that name in the other.
    by_case: dict[str, list[dict[str, str]]] = {}
    for r in b:
        by_case.setdefault(r["case"], []).append(r)
    seen: dict[str, int] = {}
    differ = {"json": 0, "explain": 0, "error": 0, "missing": 0}
    for row in a:
        n = seen[row["case"]] = seen.get(row["case"], -1) + 1
        rows = by_case.get(row["case"], [])
        other = rows[n] if n < len(rows) else None
        if other is None:
            differ["missing"] += 1
            print(f"missing: {row['case']}")
            continue
        for key in ("json", "explain", "error"):
            if row.get(key) != other.get(key):
                differ[key] += 1
                if differ[key] <= 3:
                    print(f"{key} differs: {row['case']}")
    print(f"{len(a)} cases; differences: {differ}")
    return 0 if not any(differ.values()) else 1


def main(argv: list[str]) -> int:
    """Command line: ``record OUT`` or ``compare BEFORE AFTER``."""
    if len(argv) == 2 and argv[0] == "record":
        print(f"{record(Path(argv[1]))} cases recorded")
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
