"""The plan, example and products verbs, through the installed console script."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import icalendar
import pytest

import worked
from ivig_core.cli import EXAMPLE_ARGS, EXIT_BAD_INPUT, EXIT_BLOCKED, EXIT_OK, main
from ivig_core.io.json import (
    patient_to_json,
    plan_from_json,
    plan_to_json,
    regimen_to_json,
)
from ivig_core.regimen import get_preset
from processes import cli


#: seed 004 (2 g/kg as 1 g/kg on 2 days, every 4 weeks), 2 cycles.
SEED_004: tuple[str, ...] = (
    "plan",
    "--sex", "female", "--age", "54", "--height", "165 cm", "--weight", "92 kg",
    "--preset", "dm-privigen-1gkg-2d-4w", "--cycles", "2",
    "--product", "octagam-10", "--indication", "dermatomyositis",
    "--start", "2026-01-05", "--policy", "ideal", "--rounding", "never-below",
    "--rate-weight", "dosing",
    "--rate-increment", "1 mg/kg/min", "--rate-interval", "30 min",
)  # fmt: skip


def replace(args: tuple[str, ...], flag: str, value: str) -> tuple[str, ...]:
    """*args* with *flag*'s value replaced."""
    i = args.index(flag)
    return (*args[: i + 1], value, *args[i + 2 :])


def without(args: tuple[str, ...], flag: str) -> tuple[str, ...]:
    """*args* without *flag* and its value."""
    i = args.index(flag)
    return args[:i] + args[i + 2 :]


@pytest.fixture(scope="module")
def example() -> subprocess.CompletedProcess[str]:
    """``ivig-core example``, run once."""
    return cli("example")


def test_example_table(example: subprocess.CompletedProcess[str]) -> None:
    """The worked example prints the course, the findings and READY, exit 0."""
    assert example.returncode == EXIT_OK, example.stderr
    out = example.stdout
    assert out.startswith("Worked example (a myositis regimen with the JND 2023 taper)")
    assert "ivig-core plan --sex female --age 54 --height '165 cm'" in out
    assert "Dosing weight:  56.91 kg (ideal, policy ideal)" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("date"))
    for column in ("phase", "g/kg", "calc g", "disp g", "vials", "mL", "duration"):
        assert column in header
    assert "rate steps mL/h" in header
    rows = [line for line in lines if line[:4] in {"2026", "2027"}]
    assert len(rows) == 17
    assert rows[0].split()[:2] == ["2026-01-05", "induction"]
    assert "30+20+5+2 g" in rows[0]
    assert "34→68→102→137" in rows[0]
    assert "4 h 55 min" in rows[0]
    assert rows[-1].split()[:2] == ["2027-03-01", "taper"]
    total = next(line for line in lines if line.startswith("total"))
    assert "16 courses" in total
    assert "702" in total
    assert "WARNING: IGA_NOT_MEASURED (patient)" in out
    assert "Status: READY to issue (no blocking findings)" in out
    assert out.rstrip().endswith("it does not prescribe.")
    assert example.stderr == ""


def test_example_equals_its_plan_command(
    example: subprocess.CompletedProcess[str],
) -> None:
    """The example's output is the plan verb's output with the same arguments."""
    result = cli("plan", *EXAMPLE_ARGS)
    assert result.returncode == EXIT_OK
    assert example.stdout.endswith(result.stdout)


def test_example_is_stable(example: subprocess.CompletedProcess[str]) -> None:
    """Two runs print the same bytes (the README shows this output)."""
    assert cli("example").stdout == example.stdout


def test_json_output_round_trips() -> None:
    """--format json prints the plan document, which reads back."""
    result = cli("example", "--format", "json")
    assert result.returncode == EXIT_OK, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "ivig_core.plan"
    plan = plan_from_json(result.stdout)
    assert len(plan.infusions) == 17
    assert plan_to_json(plan) + "\n" == result.stdout


def test_ics_output() -> None:
    """--format ics prints a calendar with one event per infusion day."""
    result = cli("example", "--format", "ics")
    assert result.returncode == EXIT_OK, result.stderr
    calendar = icalendar.Calendar.from_ical(result.stdout)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    reviews = [e for e in events if "REVIEW" in e.get("categories").to_ical().decode()]
    assert len(events) - len(reviews) == 17
    assert len(reviews) == 5  # the JND 2023 taper: 4 steps, then stop
    assert str(events[0].decoded("dtstart")) == "2026-01-05"
    assert "Octagam 10 % 57 g" in str(events[0].get("summary"))


def test_plot_option(tmp_path: Path) -> None:
    """--plot saves the course plot next to the table."""
    target = tmp_path / "course.png"
    result = cli("example", "--plot", str(target))
    assert result.returncode == EXIT_OK, result.stderr
    assert target.read_bytes().startswith(b"\x89PNG")


def test_seed_004_two_days_a_course() -> None:
    """Seed 004's regimen: 2 days per course, 1 g/kg a day."""
    result = cli(*SEED_004)
    assert result.returncode == EXIT_OK, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("2026")]
    assert [r.split()[:4] for r in rows] == [
        ["2026-01-05", "maintenance", "1", "d1/2"],
        ["2026-01-06", "maintenance", "1", "d2/2"],
        ["2026-02-02", "maintenance", "2", "d1/2"],
        ["2026-02-03", "maintenance", "2", "d2/2"],
    ]
    assert all(" 1.00 " in r for r in rows)


def test_eighty_gram_rule_and_closed_days() -> None:
    """The 80 g rule spreads a course over 5 days; closed weekends move it."""
    args = (
        *without(without(SEED_004, "--policy"), "--start"),
        *("--policy", "actual", "--start", "2026-01-03"),
        *("--eighty-gram-rule", "day", "--closed-weekends"),
        *("--closed-date", "2026-01-05"),
    )
    result = cli(*args)
    assert result.returncode in {EXIT_OK, EXIT_BLOCKED}, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("2026")]
    assert [r.split()[2:4] for r in rows[:5]] == [
        ["1", f"d{day}/5"] for day in range(1, 6)
    ]
    assert rows[0].startswith("2026-01-12")  # 5 open days in a row: Mon-Fri
    text = " ".join(result.stdout.split())
    assert "moved 9 days from 2026-01-03 to 2026-01-12" in text
    assert "5 days by the 80 g rule" in text
    assert " 0.40 " in rows[0]


def test_soft_limit_blocks_with_status_3() -> None:
    """A soft limit without an override: table printed, BLOCKED, exit 3.

    A soft limit without an override: table printed, BLOCKED, exit 3 (diabetes: the
    Octagam 10 % at-risk cap of 3.3 mg/kg/min).
    """
    result = cli(*SEED_004, "--risk-factor", "diabetes")
    assert result.returncode == EXIT_BLOCKED
    assert "SOFT_LIMIT: RATE_ABOVE_AT_RISK_CAP" in result.stdout
    assert "Status: BLOCKED by safety (1 blocking: RATE_ABOVE_AT_RISK_CAP)" in (
        result.stdout
    )
    assert result.stderr == "ivig-core: blocked by safety: RATE_ABOVE_AT_RISK_CAP\n"


def test_override_records_reason_and_unblocks() -> None:
    """--override CODE=REASON accepts a soft limit; it is shown, exit 0."""
    reason = "DM label maximum chosen by the consultant"
    result = cli(
        *SEED_004,
        "--risk-factor",
        "diabetes",
        "--override",
        f"RATE_ABOVE_AT_RISK_CAP={reason}",
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert "RATE_ABOVE_AT_RISK_CAP (plan) (overridden)" in result.stdout
    assert f"Override RATE_ABOVE_AT_RISK_CAP: {reason}" in result.stdout
    assert "Status: READY to issue" in result.stdout
    as_json = cli(
        *SEED_004,
        "--risk-factor",
        "diabetes",
        "--override",
        f"RATE_ABOVE_AT_RISK_CAP={reason}",
        "--format",
        "json",
    )
    overrides = json.loads(as_json.stdout)["safety"]["overrides"]
    assert overrides == [
        {"by": None, "code": "RATE_ABOVE_AT_RISK_CAP", "reason": reason}
    ]


def test_hard_limit_blocks_every_format() -> None:
    """A hard limit: exit 3; no calendar is written for a blocked plan."""
    args = (
        *SEED_004,
        "--risk-factor",
        "anti-iga-antibodies",
        "--risk-factor",
        "ig-hypersensitivity-history",
    )
    table = cli(*args)
    assert table.returncode == EXIT_BLOCKED
    assert "HARD_LIMIT: ANTI_IGA_CONTRAINDICATION" in table.stdout
    as_json = cli(*args, "--format", "json")
    assert as_json.returncode == EXIT_BLOCKED
    doc = json.loads(as_json.stdout)
    assert doc["schema"] == "ivig_core.plan"
    first = doc["safety"]["findings"][0]
    assert (first["code"], first["severity"]) == (
        "ANTI_IGA_CONTRAINDICATION",
        "hard_limit",
    )
    ics = cli(*args, "--format", "ics")
    assert ics.returncode == EXIT_BLOCKED
    assert ics.stdout == ""
    assert "no calendar is written" in ics.stderr


def test_patient_and_regimen_files(tmp_path: Path) -> None:
    """--patient (TOML or JSON document) and --regimen FILE give the same plan."""
    toml = tmp_path / "patient.toml"
    toml.write_text(
        'sex = "female"\nage = "54 year"\nheight = "165 cm"\nweight = "92 kg"\n'
        'risk_factors = ["prior_infusion_reaction"]\n',
        encoding="utf-8",
    )
    document = tmp_path / "patient.json"
    document.write_text(
        patient_to_json(worked.woman(risk_factors=["prior_infusion_reaction"])),
        encoding="utf-8",
    )
    regimen = tmp_path / "regimen.json"
    regimen.write_text(
        regimen_to_json(get_preset("dm-privigen-1gkg-2d-4w")), encoding="utf-8"
    )
    base = SEED_004
    for flag in ("--sex", "--age", "--height", "--weight"):
        base = without(base, flag)
    flags = cli(
        *SEED_004, "--risk-factor", "prior-infusion-reaction", "--format", "json"
    )
    from_toml = cli(*base, "--patient", str(toml), "--format", "json")
    from_doc = cli(
        *without(base, "--preset"),
        "--patient",
        str(document),
        "--regimen",
        str(regimen),
        "--format",
        "json",
    )
    assert flags.returncode == from_toml.returncode == from_doc.returncode == 0
    assert flags.stdout == from_toml.stdout == from_doc.stdout


def test_products_lists_the_catalogue() -> None:
    """ivig-core products lists every product with vials and indications."""
    result = cli("products")
    assert result.returncode == EXIT_OK, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("octagam-10"))
    assert "2, 5, 10, 20, 30" in line
    assert "dermatomyositis" in line
    # Every product now has sourced vial sizes: none is UNCONFIRMED (issue 13).


BAD = [
    (without(SEED_004, "--product"), "required: --product"),
    (without(SEED_004, "--policy"), "required: --policy"),
    (without(SEED_004, "--rate-weight"), "required: --rate-weight"),
    (without(SEED_004, "--sex"), "required: --sex (or --patient FILE)"),
    ((*without(SEED_004, "--weight"), "--weight", "92"), "weight: '92' has no unit"),
    ((*without(SEED_004, "--start"), "--start", "5/1/2026"), "--start: "),
    ((*without(SEED_004, "--preset"), "--preset", "nope"), "preset"),
    (without(SEED_004, "--preset"), "exactly one of --preset NAME or --regimen FILE"),
    ((*without(SEED_004, "--cycles"), "--cycles", "9"), "--cycles: got 9"),
    ((*SEED_004, "--override", "IGA_DEFICIENCY_PRODUCT"), "CODE=REASON"),
    ((*SEED_004, "--override", "NOPE=x"), "got 'NOPE'; allowed: one of ["),
    ((*SEED_004, "--patient", "p.toml"), "cannot be combined"),
    ((*SEED_004, "--taper-end", "stop"), "need --taper"),
    ((*SEED_004, "--taper", "jnd-2023"), "exactly one of --taper-end"),
    ((*without(SEED_004, "--product"), "--product", "nope"), "product"),
    ((*without(SEED_004, "--indication"), "--indication", "cidp"), "cidp"),
    ((*SEED_004, "--interval", "1 day"), "--interval: an interval of 1 day is shorter"),
    (
        (*without(SEED_004, "--rounding"), "--rounding", "nearest-within"),
        "tolerance",
    ),
    (("example", "--format", "pdf"), "invalid choice"),
    ((*SEED_004, "--closed-date", "2026-02-30"), "--closed-date: "),
    ((*SEED_004, "--max-daily-grams", "80 g"), "--max-daily-grams: 80.0 g is not"),
    (("products", "--all"), "unrecognized arguments"),
]


#: Errors name the option the user typed, whether argparse finds them (a
#: value that cannot be read) or the library (a value it refuses).
FLAGS = [
    (
        replace(SEED_004, "--rate-increment", "0"),
        "argument --rate-increment: '0' has no unit",
    ),
    (
        replace(SEED_004, "--rate-increment", "0 mg/kg/min"),
        "ivig-core: error: --rate-increment: 0 is not > 0",
    ),
    (
        replace(SEED_004, "--rate-interval", "30 mL"),
        "ivig-core: error: --rate-interval: 30.0 ml is not a duration",
    ),
    (
        (
            *replace(SEED_004, "--rounding", "nearest-increment"),
            "--rounding-increment",
            "5 mL",
        ),
        "ivig-core: error: --rounding-increment: 5.0 ml is not a mass",
    ),
    (
        replace(SEED_004, "--rounding", "nearest-within"),
        "ivig-core: error: --rounding-tolerance: not given",
    ),
    (
        (*SEED_004, "--maintenance-days", "9"),
        "ivig-core: error: --maintenance-days: 9 days",
    ),
    ((*SEED_004, "--induction-days", "x"), "argument --induction-days: got 'x'"),
    (replace(SEED_004, "--start", "2026-1-5"), "argument --start: got '2026-1-5'"),
    (
        replace(SEED_004, "--policy", "heaviest"),
        "argument --policy: no built-in policy",
    ),
    (replace(SEED_004, "--preset", "nope"), "argument --preset: no preset 'nope'"),
    (replace(SEED_004, "--product", "nope"), "ivig-core: error: --product: no product"),
    (
        replace(SEED_004, "--indication", "cidp"),
        "ivig-core: error: --indication: 'cidp'",
    ),
    (replace(SEED_004, "--sex", "x"), "ivig-core: error: --sex: got 'x'"),
    (replace(SEED_004, "--weight", "700 kg"), "ivig-core: error: --weight: 700"),
    (
        (*SEED_004, "--taper", "jnd-2023", "--taper-floor", "0.1 g/kg"),
        "ivig-core: error: --taper-floor: 0.1 g/kg is not a dose intensity",
    ),
    ((*SEED_004, "--at-risk-cap", "100 g"), "ivig-core: error: --at-risk-cap: 100.0 g"),
    ((*SEED_004, "--granularity", "0 g"), "ivig-core: error: --granularity: got '0 g'"),
    (
        (*SEED_004, "--max-daily-dose", "-1 g/kg/day"),
        "ivig-core: error: --max-daily-dose: got '-1 g/kg/day'",
    ),
    ((*SEED_004, "--override", "NOPE=x"), "argument --override: got 'NOPE'"),
    (
        (
            *SEED_004,
            "--taper",
            "jnd-2023",
            "--taper-end",
            "stop",
            "--taper-floor",
            "0.1 g/kg/week",
        ),
        "argument --taper-floor: not allowed with argument --taper-end",
    ),
]


@pytest.mark.parametrize(("args", "needle"), FLAGS, ids=[f[1] for f in FLAGS])
def test_errors_name_the_option(args: tuple[str, ...], needle: str) -> None:
    """A refused value is named by its option (--rate-increment), not the API's."""
    result = cli(*args)
    assert result.returncode == EXIT_BAD_INPUT, result.stdout
    assert needle in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_weight_errors_name_the_option() -> None:
    """The weight verb names its options too."""
    result = cli(
        "weight", "--sex", "female", "--age", "54", "--height", "165 cm",
        "--weight", "700 kg",
    )  # fmt: skip
    assert result.returncode == EXIT_BAD_INPUT
    assert result.stderr.startswith("ivig-core: error: --weight: 700")


@pytest.mark.parametrize(("args", "needle"), BAD, ids=[b[1] for b in BAD])
def test_bad_input_is_one_line_exit_2(args: tuple[str, ...], needle: str) -> None:
    """Bad input: exit 2, one line on stderr naming the problem, no traceback."""
    result = cli(*args)
    assert result.returncode == EXIT_BAD_INPUT, result.stdout
    assert needle in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_patient_file_refusals(tmp_path: Path) -> None:
    """A patient file with an unknown or missing field is refused, exit 2."""
    base = SEED_004
    for flag in ("--sex", "--age", "--height", "--weight"):
        base = without(base, flag)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text(
        'sex = "female"\nage = "54 year"\nheight = "165 cm"\nweight = "92 kg"\n'
        'wieght = "80 kg"\n',
        encoding="utf-8",
    )
    missing = tmp_path / "missing.json"
    missing.write_text('{"sex": "female", "age": "54 year"}', encoding="utf-8")
    for path, needle in ((unknown, "wieght"), (missing, "height")):
        assert main([*base, "--patient", str(path)]) == EXIT_BAD_INPUT, needle


def test_help_names_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    """The plan verb's --help documents the exit statuses."""
    assert main(["plan", "--help"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "3 blocked by safety" in out
    assert "--override CODE=REASON" in out


def test_help_names_real_presets(capsys: pytest.CaptureFixture[str]) -> None:
    """The presets the plan verb's help names all exist."""
    assert main(["plan", "--help"]) == EXIT_OK
    text = " ".join(capsys.readouterr().out.split())
    for name in ("pi-privigen", "cidp-panzyga", "octagam10-dm", "cidp-ice"):
        assert name in text
        assert get_preset(name).name == name
    assert get_preset("cidp-ice").name in text


def test_show_checks_and_prints_a_stored_plan(tmp_path: Path) -> None:
    """Show reads a stored plan, checks it, and prints the same course."""
    stored = tmp_path / "plan.json"
    stored.write_text(cli("example", "--format", "json").stdout, encoding="utf-8")
    shown = cli("show", str(stored))
    assert shown.returncode == EXIT_OK, shown.stderr
    # the document records the patient (its inputs, planned again on load)
    assert "Patient:        female, 54 years, 165.0 cm, 92.0 kg" in shown.stdout
    planned = cli("example").stdout
    table = planned[planned.index("date        phase") :]
    assert shown.stdout.endswith(table)
    ics = cli("show", str(stored), "--format", "ics")
    assert ics.returncode == EXIT_OK
    reviews = ics.stdout.count("CATEGORIES:IVIG,REVIEW")
    assert reviews == 5  # the JND 2023 taper's review points
    assert ics.stdout.count("BEGIN:VEVENT") == 17 + reviews


def test_show_refuses_a_tampered_plan(tmp_path: Path) -> None:
    """A tampered stored plan: exit 2, every problem on its own line."""
    doc = json.loads(cli("example", "--format", "json").stdout)
    doc["infusions"][4]["dispensed_g"] = 75.0
    stored = tmp_path / "plan.json"
    stored.write_text(json.dumps(doc), encoding="utf-8")
    result = cli("show", str(stored))
    assert result.returncode == EXIT_BAD_INPUT
    lines = result.stderr.splitlines()
    assert lines[0].startswith("ivig-core: error: 3 problems; allowed: a plan document")
    assert lines[1:] == [
        "  infusions[4].dispensed_g: 75.0 g does not match its vials (57.0 g)",
        "  cycles[3].dispensed_g: 57.0 is not the sum of its days' dispensed_g (75.0)",
        "  totals.dispensed_g: 702.0 is not the sum over the infusions (720.0)",
    ]
    assert result.stdout == ""
    missing = cli("show", str(tmp_path / "nope.json"))
    assert missing.returncode == EXIT_BAD_INPUT
    assert "nope.json" in missing.stderr


def test_show_keeps_a_blocked_plan_blocked(tmp_path: Path) -> None:
    """A stored plan that safety blocks shows as blocked, exit 3."""
    args = (*SEED_004, "--risk-factor", "diabetes", "--format", "json")
    stored = tmp_path / "plan.json"
    stored.write_text(cli(*args).stdout, encoding="utf-8")
    result = cli("show", str(stored))
    assert result.returncode == EXIT_BLOCKED
    assert "Status: BLOCKED by safety" in result.stdout


def test_table_says_which_rate_steps_are_local_policy(
    example: subprocess.CompletedProcess[str],
) -> None:
    """The table lists the rate-step notes: what is local policy, not label."""
    out = example.stdout
    section = out[out.index("Infusion rates:") : out.index("Safety findings")]
    assert "step size 1 mg/kg/min is local policy (not in the label)" in section
    assert "step duration 30 min is local policy (not in the label)" in section
