"""Record what the ``ivig-core`` command prints, to compare before and after.

A restructuring of the command must keep its output: run this before it and
again after, and compare the two files (``compare``). Each line is one
invocation: its name, its arguments, the exit status and the exact stdout and
stderr. The invocations cover every verb (``example``, ``plan`` with several
presets, policies, roundings and formats, ``scig`` conversions and presets
including HyQvia, ``weight``, ``products``, ``show`` of a saved plan,
``--override``), bad input (exit 2) and blocked plans (exit 3).

``main(argv)`` runs in this process with stdout and stderr captured; files it
reads (a patient, a regimen, a formulary, saved plans) are written to a
scratch directory that becomes the working directory, so paths in messages
are the same on every run. The terminal width is fixed for ``--help``.

Usage::

    python benchmarks/cli_golden.py record OUT.jsonl
    python benchmarks/cli_golden.py compare BEFORE.jsonl AFTER.jsonl
"""

from __future__ import annotations

import contextlib
import difflib
import importlib.resources
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


Args = tuple[str, ...]

SEED_004: Args = (
    "plan",
    "--sex", "female", "--age", "54", "--height", "165 cm", "--weight", "92 kg",
    "--preset", "dm-privigen-1gkg-2d-4w", "--cycles", "2",
    "--product", "octagam-10", "--indication", "dermatomyositis",
    "--start", "2026-01-05", "--policy", "ideal", "--rounding", "never-below",
    "--rate-weight", "dosing",
    "--rate-increment", "1 mg/kg/min", "--rate-interval", "30 min",
)  # fmt: skip

CIDP_ICE: Args = (
    "plan",
    "--sex", "male", "--age", "40", "--height", "180 cm", "--weight", "70 kg",
    "--preset", "cidp-ice", "--induction-days", "2", "--maintenance-days", "1",
    "--taper", "procid-starting", "--taper-end", "stop",
    "--product", "gamunex-c", "--indication", "cidp",
    "--start", "2026-01-05", "--policy", "adjusted", "--rounding", "ontario",
    "--rate-weight", "actual",
    "--rate-increment", "2 mg/kg/min", "--rate-interval", "30 min",
)  # fmt: skip

PATIENT: Args = (
    "--sex", "female", "--age", "54", "--height", "165 cm", "--weight", "70 kg",
)  # fmt: skip

HIZENTRA: Args = (
    "scig", *PATIENT,
    "--ivig-dose", "30 g", "--ivig-interval", "4 week",
    "--product", "hizentra", "--rule", "label", "--frequency", "weekly",
    "--last-ivig", "2026-01-05", "--cycles", "4",
    "--policy", "actual", "--rounding", "never-below",
    "--site-rate", "label-maximum",
    "--situation", "PI, later infusions",
    "--first-situation", "PI, first infusion", "--first-count", "1",
    "--max-sites", "4", "--limits-source", "infusion-centre protocol 12",
)  # fmt: skip

HYQVIA: Args = (
    "scig", *PATIENT,
    "--ivig-dose", "30 g", "--ivig-interval", "4 week",
    "--product", "hyqvia", "--rule", "label", "--frequency", "same-as-ivig",
    "--first-dose", "2026-01-12", "--cycles", "2",
    "--policy", "actual", "--rounding", "never-below",
    "--site-rate", "300 mL/h",
    "--situation", "per site, 1 or 2 sites", "--situation", "per site, 3 sites",
    "--situation", "per day, patients ≥ 40 kg",
)  # fmt: skip

CIDP_SC: Args = (
    "scig", *PATIENT,
    "--preset", "hizentra-cidp-0.2", "--maintenance-days", "1",
    "--product", "hizentra", "--indication", "cidp",
    "--last-ivig", "2026-01-05", "--cycles", "2",
    "--policy", "actual", "--rounding", "never-below",
    "--site-rate", "label-maximum", "--situation", "CIDP, later infusions",
    "--max-sites", "4", "--limits-source", "infusion-centre protocol 12",
)  # fmt: skip

WEIGHT: Args = (
    "weight", "--sex", "female", "--age", "54", "--height", "165 cm",
    "--weight", "92 kg",
)  # fmt: skip


def replace(args: Args, flag: str, value: str) -> Args:
    """*args* with *flag*'s value replaced."""
    i = args.index(flag)
    return (*args[: i + 1], value, *args[i + 2 :])


def without(args: Args, flag: str) -> Args:
    """*args* without *flag* and its value."""
    i = args.index(flag)
    return args[:i] + args[i + 2 :]


def _no_patient(args: Args) -> Args:
    for flag in ("--sex", "--age", "--height", "--weight"):
        args = without(args, flag)
    return args


def _cases() -> Iterator[tuple[str, Args]]:  # noqa: PLR0915 - a flat list of cases
    # example
    yield "example/table", ("example",)
    yield "example/json", ("example", "--format", "json")
    yield "example/ics", ("example", "--format", "ics")
    # plan: presets, policies, roundings, formats
    yield "plan/seed004/table", SEED_004
    yield "plan/seed004/json", (*SEED_004, "--format", "json")
    yield "plan/seed004/ics", (*SEED_004, "--format", "ics")
    yield "plan/cidp-ice/procid", CIDP_ICE
    yield (
        "plan/cidp-ice/procid-previous-floor",
        (
            *replace(without(CIDP_ICE, "--taper-end"), "--taper", "procid-previous"),
            "--taper-floor",
            "0.1 g/kg/week",
        ),
    )
    yield (
        "plan/seed004/bloodstar-nearest-within",
        (
            *replace(
                replace(SEED_004, "--policy", "bloodstar-2026"),
                "--rounding",
                "nearest-within",
            ),
            "--rounding-tolerance",
            "10 %",
        ),
    )
    yield (
        "plan/seed004/actual-nearest-increment-rate-actual",
        (
            *replace(
                replace(
                    replace(SEED_004, "--policy", "actual"),
                    "--rounding",
                    "nearest-increment",
                ),
                "--rate-weight",
                "actual",
            ),
            "--rounding-increment",
            "5 g",
        ),
    )
    yield (
        "plan/seed004/nearest-increment-1g",
        (
            *replace(SEED_004, "--rounding", "nearest-increment"),
            *("--rounding-increment", "1 g", "--max-daily-grams", "60 g/day"),
        ),
    )
    yield (
        "plan/seed004/80g-closed",
        (
            *replace(replace(SEED_004, "--policy", "actual"), "--start", "2026-01-03"),
            *("--eighty-gram-rule", "day", "--closed-weekends"),
            *("--closed-date", "2026-01-05"),
        ),
    )
    yield (
        "plan/seed004/limits",
        (
            *SEED_004,
            *("--max-daily-dose", "1 g/kg/day", "--granularity", "1 g"),
            *("--rate-target", "3 mg/kg/min", "--at-risk-cap", "100 mL/h"),
            *("--risk-factor", "diabetes", "--serum-iga", "90 mg/dL"),
            *("--serum-creatinine", "0.9 mg/dL", "--abo", "A"),
        ),
    )
    yield (
        "plan/seed004/interval",
        (*SEED_004, "--interval", "21 day", "--pregnant"),
    )
    yield "plan/blocked-soft", (*SEED_004, "--risk-factor", "iga_deficiency")
    yield (
        "plan/override",
        (
            *SEED_004,
            *("--risk-factor", "iga_deficiency", "--override"),
            "IGA_DEFICIENCY_PRODUCT=no IgA-depleted product; discussed",
            *("--override", "DAILY_DOSE_ABOVE_80G=unused"),
        ),
    )
    hard = (
        *SEED_004,
        *("--risk-factor", "anti_iga_antibodies"),
        *("--risk-factor", "ig_hypersensitivity_history"),
    )
    yield "plan/blocked-hard/table", hard
    yield "plan/blocked-hard/ics", (*hard, "--format", "ics")
    yield "plan/files", (*_no_patient(SEED_004), "--patient", "patient.toml")
    yield (
        "plan/files-json",
        (
            *_no_patient(without(SEED_004, "--preset")),
            *("--patient", "patient.json", "--regimen", "regimen.json"),
        ),
    )
    # weight
    yield "weight/example", WEIGHT
    yield (
        "weight/imperial-robinson",
        (
            *replace(replace(WEIGHT, "--height", "5 ft 5 in"), "--weight", "202.8 lb"),
            *("--formula", "robinson"),
        ),
    )
    yield "weight/short", replace(WEIGHT, "--height", "150 cm")
    yield (
        "weight/short-extrapolate",
        (
            *replace(WEIGHT, "--height", "150 cm"),
            *("--below-60in", "extrapolate", "--pregnant", "--pre-pregnancy-weight"),
            "80 kg",
        ),
    )
    # products
    yield "products", ("products",)
    # scig
    yield "scig/hizentra/table", HIZENTRA
    yield "scig/hizentra/json", (*HIZENTRA, "--format", "json")
    yield "scig/hizentra/ics", (*HIZENTRA, "--format", "ics")
    yield "scig/hizentra/3-per-week", replace(HIZENTRA, "--frequency", "3-per-week")
    yield (
        "scig/hizentra/1to1-per-kg",
        replace(
            replace(replace(HIZENTRA, "--ivig-dose", "1 g/kg"), "--rule", "1:1"),
            "--ivig-interval",
            "3 week",
        ),
    )
    yield (
        "scig/hizentra/1to1-per-kg-3-per-week",
        replace(
            replace(
                replace(replace(HIZENTRA, "--ivig-dose", "1 g/kg"), "--rule", "1:1"),
                "--ivig-interval",
                "3 week",
            ),
            "--frequency",
            "3-per-week",
        ),
    )
    yield (
        "scig/hizentra/factor",
        (*replace(HIZENTRA, "--rule", "factor=1.2"), "--factor-reason", "policy 7"),
    )
    yield "scig/hyqvia/table", HYQVIA
    yield "scig/hyqvia/json", (*HYQVIA, "--format", "json")
    yield "scig/cidp-0.2", CIDP_SC
    yield (
        "scig/cidp-0.4-two-days",
        replace(
            replace(CIDP_SC, "--preset", "hizentra-cidp-0.4"), "--maintenance-days", "2"
        ),
    )
    cuvitru = replace(HIZENTRA, "--product", "cuvitru")
    cuvitru = replace(cuvitru, "--situation", "later infusions")
    cuvitru = replace(
        cuvitru, "--first-situation", "first 2 infusions, patients ≥ 40 kg"
    )
    cuvitru = replace(cuvitru, "--first-count", "2")
    cuvitru = without(without(cuvitru, "--max-sites"), "--limits-source")
    yield "scig/cuvitru-formulary", (*cuvitru, "--formulary", "formulary.toml")
    yield "scig/cuvitru-no-vials", cuvitru
    yield "scig/blocked-soft", (*HIZENTRA, "--risk-factor", "iga_deficiency")
    yield (
        "scig/blocked-hard-ics",
        (*HYQVIA, "--risk-factor", "hyaluronidase_hypersensitivity", "--format", "ics"),
    )
    yield (
        "scig/override",
        (
            *HIZENTRA,
            *("--risk-factor", "iga_deficiency", "--override"),
            "IGA_DEFICIENCY_PRODUCT=tolerated before",
        ),
    )
    yield "scig/patient-file", (*_no_patient(HIZENTRA), "--patient", "patient70.toml")
    # show (files written by _prepare)
    yield "show/iv", ("show", "saved-iv.json")
    yield "show/iv-json", ("show", "saved-iv.json", "--format", "json")
    yield "show/sc", ("show", "saved-sc.json")
    yield "show/blocked", ("show", "saved-blocked.json")
    yield "show/tampered", ("show", "saved-tampered.json")
    yield "show/missing", ("show", "nope.json")
    # bad input: plan
    bad_plan: dict[str, Args] = {
        "no-product": without(SEED_004, "--product"),
        "no-sex": without(SEED_004, "--sex"),
        "weight-no-unit": replace(SEED_004, "--weight", "92"),
        "age-bad": replace(SEED_004, "--age", "old"),
        "sex-bad": replace(SEED_004, "--sex", "x"),
        "start-bad": replace(SEED_004, "--start", "5/1/2026"),
        "preset-bad": replace(SEED_004, "--preset", "nope"),
        "no-preset": without(SEED_004, "--preset"),
        "cycles-9": replace(SEED_004, "--cycles", "9"),
        "cycles-x": replace(SEED_004, "--cycles", "x"),
        "induction-days-x": (*SEED_004, "--induction-days", "x"),
        "maintenance-days-9": (*SEED_004, "--maintenance-days", "9"),
        "interval-1-day": (*SEED_004, "--interval", "1 day"),
        "interval-bad": (*SEED_004, "--interval", "soon"),
        "override-no-reason": (*SEED_004, "--override", "IGA_DEFICIENCY_PRODUCT"),
        "override-unknown": (*SEED_004, "--override", "NOPE=x"),
        "patient-and-flags": (*SEED_004, "--patient", "patient.toml"),
        "patient-and-lab": (
            *_no_patient(SEED_004),
            *("--patient", "patient.toml", "--serum-iga", "90 mg/dL"),
        ),
        "patient-unknown-field": (
            *_no_patient(SEED_004),
            *("--patient", "patient-unknown.toml"),
        ),
        "taper-end-alone": (*SEED_004, "--taper-end", "stop"),
        "taper-alone": (*SEED_004, "--taper", "jnd-2023"),
        "taper-floor-bad": (
            *SEED_004,
            *("--taper", "jnd-2023", "--taper-floor", "0.1 g/kg"),
        ),
        "product-bad": replace(SEED_004, "--product", "nope"),
        "indication-bad": replace(SEED_004, "--indication", "cidp"),
        "policy-bad": replace(SEED_004, "--policy", "heaviest"),
        "rounding-choice": replace(SEED_004, "--rounding", "up"),
        "rounding-no-tolerance": replace(SEED_004, "--rounding", "nearest-within"),
        "rounding-tolerance-bad": (
            *replace(SEED_004, "--rounding", "nearest-within"),
            *("--rounding-tolerance", "lots"),
        ),
        "rounding-increment-bad": (
            *replace(SEED_004, "--rounding", "nearest-increment"),
            *("--rounding-increment", "5 mL"),
        ),
        "rate-increment-0": replace(SEED_004, "--rate-increment", "0 mg/kg/min"),
        "rate-increment-bare": replace(SEED_004, "--rate-increment", "0"),
        "rate-interval-bad": replace(SEED_004, "--rate-interval", "30 mL"),
        "rate-target-bad": (*SEED_004, "--rate-target", "fast"),
        "at-risk-cap-bad": (*SEED_004, "--at-risk-cap", "100 g"),
        "max-daily-grams": (*SEED_004, "--max-daily-grams", "80 g"),
        "max-daily-dose-bad": (*SEED_004, "--max-daily-dose", "-1 g/kg/day"),
        "granularity-bad": (*SEED_004, "--granularity", "0 g"),
        "closed-date-bad": (*SEED_004, "--closed-date", "2026-02-30"),
        "previous-product-bad": (*SEED_004, "--previous-product", "nope"),
        "regimen-missing": (
            *without(SEED_004, "--preset"),
            *("--regimen", "missing.json"),
        ),
        "format-pdf": ("example", "--format", "pdf"),
        "products-extra": ("products", "--all"),
    }
    for name, args in bad_plan.items():
        yield f"bad/plan/{name}", args
    # bad input: scig
    bad_scig: dict[str, Args] = {
        "iv-product": replace(HIZENTRA, "--product", "privigen"),
        "factor-0": replace(HIZENTRA, "--rule", "factor=0"),
        "factor-x": replace(HIZENTRA, "--rule", "factor=x"),
        "factor-no-reason": replace(HIZENTRA, "--rule", "factor=1.2"),
        "reason-without-factor": (*HIZENTRA, "--factor-reason", "x"),
        "rule-us": replace(HIZENTRA, "--rule", "us"),
        "interval-0": replace(HIZENTRA, "--ivig-interval", "0 week"),
        "dose-no-unit": replace(HIZENTRA, "--ivig-dose", "30"),
        "frequency-bad": replace(HIZENTRA, "--frequency", "fortnightly"),
        "frequency-8": replace(HIZENTRA, "--frequency", "8-per-week"),
        "frequency-same": replace(HIZENTRA, "--frequency", "same-as-ivig"),
        "hyqvia-weekly": replace(HYQVIA, "--frequency", "weekly"),
        "hyqvia-no-first-dose": without(HYQVIA, "--first-dose"),
        "situation-bad": replace(HIZENTRA, "--situation", "later"),
        "first-situation-bad": replace(HIZENTRA, "--first-situation", "first"),
        "situation-not-patient": without(
            without(
                replace(
                    replace(CIDP_SC, "--product", "gammagard-liquid"),
                    "--situation",
                    "SC, patients < 40 kg",
                ),
                "--max-sites",
            ),
            "--limits-source",
        ),
        "cycles-0": replace(HIZENTRA, "--cycles", "0"),
        "last-ivig-bad": replace(HIZENTRA, "--last-ivig", "5/1/2026"),
        "site-rate-high": replace(HIZENTRA, "--site-rate", "40 mL/h"),
        "no-limits-source": without(HIZENTRA, "--limits-source"),
        "no-max-sites": without(without(HIZENTRA, "--limits-source"), "--max-sites"),
        "limits-source-alone": (*HYQVIA, "--limits-source", "protocol"),
        "max-sites-given": (*HYQVIA, "--max-sites", "4", "--limits-source", "p"),
        "first-count-alone": without(HIZENTRA, "--first-situation"),
        "first-situation-alone": without(HIZENTRA, "--first-count"),
        "no-rule": without(HIZENTRA, "--rule"),
        "preset-and-rule": (*CIDP_SC, "--rule", "label"),
        "preset-no-days": without(CIDP_SC, "--maintenance-days"),
        "days-without-preset": (*HIZENTRA, "--maintenance-days", "1"),
        "preset-bad": replace(CIDP_SC, "--preset", "hizentra-cidp"),
        "preset-days-x": replace(CIDP_SC, "--maintenance-days", "x"),
        "formulary-missing": (*HIZENTRA, "--formulary", "/nonexistent/f.toml"),
        "no-situation": without(HIZENTRA, "--situation"),
        "max-volume-bad": (*HIZENTRA, "--max-volume-per-site", "25 g"),
    }
    for name, args in bad_scig.items():
        yield f"bad/scig/{name}", args
    # help
    yield "help/top", ("--help",)
    yield "help/plan", ("plan", "--help")
    yield "help/scig", ("scig", "--help")
    yield "help/weight", ("weight", "--help")


def _run(args: Args) -> dict[str, object]:
    from ivig_core.cli import main  # noqa: PLC0415 - after sys.path is set

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: object = main(list(args))
        except SystemExit as exc:  # pragma: no cover - main returns
            code = f"SystemExit({exc.code})"
        except Exception as exc:  # noqa: BLE001 - record any escape
            code = f"raised {type(exc).__name__}: {exc}"
    return {"exit": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


def _prepare(where: Path) -> None:
    """Write the files the cases read into *where* (the working directory)."""
    from ivig_core.io.json import patient_to_json, regimen_to_json  # noqa: PLC0415
    from ivig_core.patient import Patient  # noqa: PLC0415
    from ivig_core.regimen import get_preset  # noqa: PLC0415

    (where / "patient.toml").write_text(
        'sex = "female"\nage = "54 year"\nheight = "165 cm"\nweight = "92 kg"\n'
        'risk_factors = ["prior_infusion_reaction"]\n',
        encoding="utf-8",
    )
    (where / "patient70.toml").write_text(
        'sex = "female"\nage = "54 year"\nheight = "165 cm"\nweight = "70 kg"\n',
        encoding="utf-8",
    )
    (where / "patient-unknown.toml").write_text(
        'sex = "female"\nage = "54 year"\nheight = "165 cm"\nweight = "92 kg"\n'
        'wieght = "80 kg"\n',
        encoding="utf-8",
    )
    (where / "patient.json").write_text(
        patient_to_json(
            Patient(sex="female", age="54 year", height="165 cm", weight="92 kg")
        ),
        encoding="utf-8",
    )
    (where / "regimen.json").write_text(
        regimen_to_json(get_preset("dm-privigen-1gkg-2d-4w")), encoding="utf-8"
    )
    shipped = (
        importlib.resources.files("ivig_core")
        .joinpath("data", "products.toml")
        .read_text(encoding="utf-8")
    )
    entry = shipped[
        shipped.index("[products.cuvitru]") : shipped.index("[products.xembify]")
    ]
    entry = entry.replace('"vials", ', "")
    entry = re.sub(
        r"vials = \[\].*",
        'vials = [{ grams = "1 g" }, { grams = "2 g" }, { grams = "4 g" }]',
        entry,
    )
    entry = re.sub(
        r'(\[products\.cuvitru\.presentation\][^\[]*?)source = ".*"',
        r'\1source = "test formulary (not label data)"',
        entry,
    )
    (where / "formulary.toml").write_text(f"schema = 1\n\n{entry}", encoding="utf-8")
    saved = {
        "saved-iv.json": ("example", "--format", "json"),
        "saved-sc.json": (*HIZENTRA, "--format", "json"),
        "saved-blocked.json": (
            *SEED_004,
            *("--risk-factor", "iga_deficiency", "--format", "json"),
        ),
    }
    for name, args in saved.items():
        (where / name).write_text(str(_run(args)["stdout"]), encoding="utf-8")
    doc = json.loads((where / "saved-iv.json").read_text(encoding="utf-8"))
    doc["infusions"][4]["dispensed_g"] = 75.0
    (where / "saved-tampered.json").write_text(json.dumps(doc), encoding="utf-8")


def record(out: Path) -> int:
    """Run every case and write one JSON line each to *out*; return how many."""
    os.environ["COLUMNS"] = "100"
    out = out.resolve()
    here = Path.cwd()
    n = 0
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            _prepare(Path(scratch))
            with out.open("w", encoding="utf-8") as fh:
                for case, args in _cases():
                    row = {"case": case, "argv": list(args), **_run(args)}
                    fh.write(json.dumps(row, sort_keys=True) + "\n")
                    n += 1
        finally:
            os.chdir(here)
    return n


def compare(before: Path, after: Path, *, show: int = 3) -> int:
    """Print every case whose exit status, stdout or stderr differs."""
    a = [json.loads(line) for line in before.read_text(encoding="utf-8").splitlines()]
    b = {
        r["case"]: r
        for r in (
            json.loads(line) for line in after.read_text(encoding="utf-8").splitlines()
        )
    }
    differ = {"exit": 0, "stdout": 0, "stderr": 0, "missing": 0}
    for row in a:
        other = b.get(row["case"])
        if other is None:
            differ["missing"] += 1
            print(f"missing: {row['case']}")
            continue
        for key in ("exit", "stdout", "stderr"):
            if row[key] == other[key]:
                continue
            differ[key] += 1
            print(f"{key} differs: {row['case']}")
            if key == "exit":
                print(f"  {row[key]!r} -> {other[key]!r}")
                continue
            lines = difflib.unified_diff(
                str(row[key]).splitlines(),
                str(other[key]).splitlines(),
                lineterm="",
                n=0,
            )
            for k, line in enumerate(lines):
                if k >= 2 + 2 * show * 4:
                    print("  ...")
                    break
                if k >= 2:
                    print(f"  {line}")
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
