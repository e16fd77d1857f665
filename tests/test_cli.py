"""The ivig-core command, run through the installed console script."""

from __future__ import annotations

import pytest

from ivig_core.cli import EXAMPLE_ARGS, main
from ivig_core.cli.parser import build_parser, flag_for
from processes import cli


WEIGHT = (
    "weight",
    "--sex",
    "female",
    "--age",
    "54",
    "--height",
    "165 cm",
    "--weight",
    "92 kg",
)


def test_weight_worked_example() -> None:
    """The README's main command prints every policy with its reason."""
    result = cli(*WEIGHT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "BMI: 33.8 kg/m²" in out
    assert "IBW (devine): 56.9 kg" in out
    assert "AdjBW (factor 0.4): 70.9 kg" in out
    for name in ("actual", "ideal", "uk-request-form", "ontario", "bloodstar-2026"):
        assert f"  {name} " in out
    assert "it does not prescribe" in out


def test_pounds_and_feet() -> None:
    """Imperial input gives the same IBW line."""
    result = cli(
        "weight",
        "--sex",
        "female",
        "--age",
        "54 year",
        "--height",
        "5 ft 5 in",
        "--weight",
        "202.8 lb",
    )
    assert result.returncode == 0, result.stderr
    assert "IBW (devine): 57.0 kg" in result.stdout  # 65 in exactly


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            (
                "weight",
                "--sex",
                "female",
                "--age",
                "54",
                "--height",
                "165 cm",
                "--weight",
                "92",
            ),
            "weight: '92' has no unit",
        ),
        (
            (
                "weight",
                "--sex",
                "x",
                "--age",
                "54",
                "--height",
                "165 cm",
                "--weight",
                "92 kg",
            ),
            "sex:",
        ),
        (
            (
                "weight",
                "--sex",
                "male",
                "--age",
                "54",
                "--height",
                "165 kg",
                "--weight",
                "92 kg",
            ),
            "height:",
        ),
        (("weight",), "required"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_bad_input_is_one_line_exit_2(args: tuple[str, ...], needle: str) -> None:
    """Bad input: exit status 2, one line on stderr, no traceback."""
    result = cli(*args)
    assert result.returncode == 2
    assert needle in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_short_patient_reports_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    """Policies that cannot apply say so per row; the others still print."""
    code = main(
        [
            "weight",
            "--sex",
            "female",
            "--age",
            "54",
            "--height",
            "150 cm",
            "--weight",
            "80 kg",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "not applicable: height: 150 cm is below 60 in" in out
    assert "bloodstar-2026" in out


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """--help prints usage and returns 0."""
    assert main(["weight", "--help"]) == 0
    assert "--height" in capsys.readouterr().out


def test_flag_for_reads_the_parser() -> None:
    """A library field maps to the option whose dest it names, longest first."""
    args = build_parser().parse_args(["products"])
    plan = build_parser().parse_args(["plan", *EXAMPLE_ARGS])
    assert args.flags == {}
    flags = plan.flags
    assert flags["cycles"] == "--cycles"
    assert flags["abo_group"] == "--abo"
    assert flags["pregnant"] == "--pregnant/--no-pregnant"
    assert flag_for(flags, "maintenance.cycles", ("cycles",), {}) == "--cycles"
    days = ("induction_days", "maintenance_days")
    assert flag_for(flags, "maintenance.days", days, {}) == "--maintenance-days"
    assert flag_for(flags, "increment", (), {"increment": "rate_increment"}) == (
        "--rate-increment"
    )
    assert flag_for(flags, "risk_factors[2]", ("risk_factors",), {}) == (
        "--risk-factor"
    )
    both = {"limits": ("rounding_tolerance", "rounding_increment")}
    assert flag_for(flags, "limits", (), both) == (
        "--rounding-tolerance/--rounding-increment"
    )
    assert flag_for(flags, "cycles", (), {}) is None  # not passed to that call
    assert flag_for(flags, "infusions[4].dispensed_g", ("cycles",), {}) is None
