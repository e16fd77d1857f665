"""``ivig-core replan``: a stored plan, a history file, the patient as now."""

from __future__ import annotations

import contextlib
import io
import json
from typing import TYPE_CHECKING

import pytest

from ivig_core.cli import EXIT_BAD_INPUT, main
from ivig_core.cli.parser import EXAMPLE_ARGS
from ivig_core.io.json import plan_from_json


if TYPE_CHECKING:
    from pathlib import Path


def _args(weight: str = "92 kg") -> list[str]:
    args = list(EXAMPLE_ARGS)
    args[args.index("--weight") + 1] = weight
    return args


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The worked example's plan, stored as JSON."""
    path = tmp_path_factory.mktemp("replan") / "plan.json"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["plan", *_args(), "--format", "json"]) in (0, 3)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


HISTORY = """
[[administered]]
date = 2026-01-05
grams = "40 g"
product = "octagam-10"

[[administered]]
date = 2026-01-06
grams = "40 g"
product = "octagam-10"
lot = "B7"
rate_reached = "240 mL/h"
reactions = ["chills"]
"""


def test_replan_from_a_stored_plan_and_a_history_file(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rest from 2 February, for 88 kg, with the history's notes, as JSON."""
    history = tmp_path / "given.toml"
    history.write_text(HISTORY, encoding="utf-8")
    code = main(
        [
            "replan",
            *_args("88 kg"),
            "--from-plan",
            str(stored),
            "--history",
            str(history),
            "--from-date",
            "2026-02-02",
            "--format",
            "json",
        ]
    )
    assert code in (0, 3)
    new = plan_from_json(capsys.readouterr().out)
    assert new.cycles[0].start.isoformat() == "2026-02-02"
    assert new.history.cumulative_g == 80.0
    assert new.history.records[-1].rate_reached_ml_h == 240.0
    assert any("chills" in note for note in new.notes)


def test_the_table_and_a_json_history(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON history file works as the TOML one; the table shows the notes."""
    history = tmp_path / "given.json"
    history.write_text(
        json.dumps(
            {
                "administered": [
                    {"date": "2026-01-05", "grams": "40 g", "product": "octagam-10"},
                    {"date": "2026-01-06", "grams": "0 g", "product": "octagam-10"},
                ]
            }
        ),
        encoding="utf-8",
    )
    code = main(
        [
            "replan",
            *_args(),
            "--from-plan",
            str(stored),
            "--history",
            str(history),
            "--from-date",
            "2026-02-02",
        ]
    )
    assert code in (0, 3)
    assert "not given (missed)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "flag"),
    [
        (["--from-date", "2026-01-05"], "--from-date"),
        (["--from-date", "2026-02-02", "--decision", "step-up"], "--decision"),
        (["--from-date", "2026-02-02", "--history", "missing.toml"], "--history"),
    ],
)
def test_errors_name_the_flag(
    stored: Path, extra: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad value is refused naming the flag typed."""
    history = stored.parent / "h.toml"
    history.write_text(HISTORY, encoding="utf-8")
    args = ["replan", *_args(), "--from-plan", str(stored)]
    if "--history" not in extra:
        args += ["--history", str(history)]
    code = main([*args, *extra])
    assert code == EXIT_BAD_INPUT
    assert flag in capsys.readouterr().err


def test_a_bad_record_names_its_field(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A record's bad field is named with the file and the record's index."""
    history = tmp_path / "bad.toml"
    history.write_text(HISTORY.replace('"40 g"', '"40 mL"', 1), encoding="utf-8")
    code = main(
        [
            "replan",
            *_args(),
            "--from-plan",
            str(stored),
            "--history",
            str(history),
            "--from-date",
            "2026-02-02",
        ]
    )
    assert code == EXIT_BAD_INPUT
    assert "administered[0].grams" in capsys.readouterr().err
