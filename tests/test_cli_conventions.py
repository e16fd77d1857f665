"""The command behaves like the command-line tools people know (issue 16).

``--version`` and ``python -m ivig_core``; errors that name the option typed;
every problem of a document at once; a closed pipe ends quietly; the page fits
``COLUMNS``; natural plurals and units; optional extras checked before any
output; kebab-case values, with a hint for the snake_case spelling.
Through the installed console script (``processes.cli``).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from ivig_core.cli import EXAMPLE_ARGS, EXIT_BAD_INPUT, EXIT_OK, EXIT_PIPE
from ivig_core.io.text import duration, plural
from processes import cli, shell


#: seed 004 (1 g/kg on 2 days, every 4 weeks), one course.
ONE_COURSE: tuple[str, ...] = (
    "plan",
    "--sex", "female", "--age", "1", "--height", "75 cm", "--weight", "9.5 kg",
    "--preset", "dm-privigen-1gkg-2d-4w", "--cycles", "1",
    "--product", "octagam-10", "--indication", "dermatomyositis",
    "--start", "2026-01-05", "--policy", "actual", "--rounding", "never-below",
    "--rate-weight", "dosing",
    "--rate-increment", "1 mg/kg/min", "--rate-interval", "30 min",
)  # fmt: skip


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_version() -> None:
    """``--version`` prints the program and the installed version, exit 0."""
    result = cli("--version")
    assert result.returncode == EXIT_OK
    name, number = result.stdout.split()
    assert name == "ivig-core"
    assert number[0].isdigit()
    assert result.stderr == ""


def test_python_dash_m() -> None:
    """``python -m ivig_core --help`` is the same command."""
    result = subprocess.run(
        [sys.executable, "-m", "ivig_core", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert result.stdout.startswith("usage: ivig-core ")
    assert "--version" in result.stdout


@pytest.mark.parametrize("columns", [80, 100])
def test_page_fits_columns(columns: int) -> None:
    """The example's page (table, prose and the same-as command) fits COLUMNS."""
    result = cli("example", columns=columns)
    assert result.returncode == EXIT_OK, result.stderr
    assert _widest(result.stdout) <= columns
    assert "rate A: 34→68→102→137 mL/h" in result.stdout


def test_wide_terminal_keeps_the_full_table() -> None:
    """With room, the rate steps stay in their column."""
    result = cli("example", columns=140)
    header = next(line for line in result.stdout.splitlines() if line[:4] == "date")
    assert "rate steps mL/h" in header
    assert "calc g" in header
    assert "rate A:" not in result.stdout


def test_same_as_command_is_wrapped_and_runs() -> None:
    """The reproducing command is wrapped with backslashes and still the same."""
    out = cli("example", columns=80).stdout
    block = out.split("the same as:\n", 1)[1].split("\n\n", 1)[0]
    lines = block.splitlines()
    assert len(lines) > 1
    assert all(line.endswith(" \\") for line in lines[:-1])
    assert shlex.split(block.replace("\\\n", " ")) == [
        "ivig-core",
        "plan",
        *EXAMPLE_ARGS,
    ]


def test_closed_pipe_ends_quietly() -> None:
    """``ivig-core example | head -1``: the first line, no traceback."""
    result = shell("ivig-core example --format json | head -1; echo ${PIPESTATUS[0]}")
    assert result.stdout.splitlines()[0] == "{"
    assert result.stdout.splitlines()[-1] in {str(EXIT_OK), str(EXIT_PIPE)}
    assert result.stderr == ""


def test_reader_gone_before_output() -> None:
    """A pipe already closed: exit 128 + SIGPIPE, nothing on stderr."""
    script = Path(sys.executable).with_name("ivig-core")
    proc = subprocess.Popen(  # noqa: S603 - our own console script
        [str(script), "example"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_PIPE
    assert err == b""


def test_natural_plurals_and_units() -> None:
    """One course, one year, 44 min: as people write them."""
    result = cli(*ONE_COURSE, columns=140)
    out = result.stdout
    assert "Patient:        female, 1 year, 75.0 cm, 9.5 kg" in out
    assert "Plan:           1 course, 2 infusion days" in out
    total = next(line for line in out.splitlines() if line.startswith("total"))
    assert "1 course " in total
    assert " 0 h " not in out
    assert plural(1, "course") == "1 course"
    assert plural(0, "course") == "0 courses"
    assert (duration(44.4), duration(59.6), duration(120)) == (
        "44 min",
        "1 h 00 min",
        "2 h 00 min",
    )


def _without_module(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command as if *module* were not installed."""
    code = (
        f"import sys; sys.modules[{module!r}] = None\n"
        "from ivig_core.cli import main\n"
        f"raise SystemExit(main({list(args)!r}))"
    )
    return subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("module", "args", "extra"),
    [
        ("matplotlib", ("example", "--plot", "course.png"), "plot"),
        ("icalendar", ("example", "--format", "ics"), "ics"),
        ("cattrs", ("example", "--format", "json"), "json"),
        ("jinja2", ("example", "--format", "html"), "html"),
    ],
)
def test_missing_extra_before_any_output(
    module: str, args: tuple[str, ...], extra: str, tmp_path: Path
) -> None:
    """A missing extra is refused before anything is printed or written."""
    result = _without_module(module, *args)
    assert result.returncode == EXIT_BAD_INPUT
    assert result.stdout == ""
    assert f'pip install "ivig-core[{extra}]"' in result.stderr
    assert args[-2] in result.stderr  # the option that needs it
    assert not (tmp_path / "course.png").exists()


def test_risk_factors_are_kebab_case() -> None:
    """Kebab-case like every value; snake_case works with a hint; typos suggest."""
    kebab = cli(*ONE_COURSE, "--risk-factor", "prior-thrombosis")
    assert kebab.returncode in {0, 3}, kebab.stderr
    assert "hint" not in kebab.stderr
    snake = cli(*ONE_COURSE, "--risk-factor", "prior_thrombosis")
    assert snake.returncode == kebab.returncode
    assert snake.stdout == kebab.stdout
    assert (
        "ivig-core: hint: --risk-factor prior_thrombosis: written prior-thrombosis"
        in snake.stderr
    )
    typo = cli(*ONE_COURSE, "--risk-factor", "prior-thrombosys")
    assert typo.returncode == EXIT_BAD_INPUT
    assert "argument --risk-factor: got 'prior-thrombosys'" in typo.stderr
    assert "did you mean prior-thrombosis?" in typo.stderr


def test_other_values_accept_snake_case_with_a_hint() -> None:
    """--rounding never_below is never-below, said once on stderr."""
    args = list(ONE_COURSE)
    args[args.index("never-below")] = "never_below"
    result = cli(*args)
    assert "hint: --rounding never_below: written never-below" in result.stderr
    assert "Rounding:       never-below" in result.stdout


def test_open_choices_name_their_options() -> None:
    """A preset's open choices are named by the options that make them."""
    i = ONE_COURSE.index("--cycles")
    result = cli(*ONE_COURSE[:i], *ONE_COURSE[i + 2 :])
    assert result.returncode == EXIT_BAD_INPUT
    assert "leaves choices open: give --cycles (allowed 1-6 cycles)" in result.stderr
    assert "choose" not in result.stderr


def test_missing_value_says_so() -> None:
    """A value the label does not give and the user did not: "not given"."""
    i = ONE_COURSE.index("--rate-increment")
    result = cli(*ONE_COURSE[:i], *ONE_COURSE[i + 2 :])
    assert result.returncode == EXIT_BAD_INPUT
    assert "ivig-core: error: --rate-increment: not given; needed:" in result.stderr
    assert "None" not in result.stderr


def test_patient_file_lists_every_problem(tmp_path: Path) -> None:
    """Unknown and missing fields of a patient file, all at once."""
    path = tmp_path / "patient.toml"
    path.write_text('sex = "female"\nage = "54 year"\nwieght = "80 kg"\n', "utf-8")
    args = list(ONE_COURSE[9:])
    result = cli("plan", "--patient", str(path), *args)
    assert result.returncode == EXIT_BAD_INPUT
    lines = result.stderr.splitlines()
    assert lines[0].startswith("ivig-core: error: 3 problems; allowed: a patient file")
    assert lines[1:] == [
        f"  --patient {path}: wieght: unknown field",
        f"  --patient {path}: height: required field missing",
        f"  --patient {path}: weight: required field missing",
    ]
    assert result.stdout == ""


def test_notes_name_options_not_library_arguments() -> None:
    """A note that would say "pass first_infusions=" names the options instead."""
    from test_cli_scig import HIZENTRA, without  # noqa: PLC0415 - the SC worked case

    args = without(without(HIZENTRA, "--first-situation"), "--first-count")
    result = cli(*args, columns=100)
    text = " ".join(result.stdout.split())
    assert "first_infusions" not in text
    assert "give --first-situation TEXT and --first-count N if this is" in text


@pytest.mark.parametrize("verb", [("products",), ("weight", *ONE_COURSE[1:9])])
def test_other_verbs_fit_columns(verb: tuple[str, ...]) -> None:
    """The catalogue and the weight table fit 80 columns too."""
    result = cli(*verb, columns=80)
    assert result.returncode == EXIT_OK, result.stderr
    assert _widest(result.stdout) <= 80


def test_sc_plan_fits_80_columns() -> None:
    """An SC plan's page (sites and per-site columns) fits 80 columns too."""
    from test_cli_scig import HIZENTRA  # noqa: PLC0415 - the SC worked case

    result = cli(*HIZENTRA, columns=80)
    assert result.returncode == EXIT_OK, result.stderr
    assert _widest(result.stdout) <= 80
    assert "mL/h/site" in result.stdout
