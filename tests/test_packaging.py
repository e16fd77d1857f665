"""Packaging and project hygiene: README commands, CI script, examples."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest


ROOT = Path(__file__).parent.parent


def _readme_commands() -> list[str]:
    """The one-line shell commands in README.md's console blocks."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\$ (.+)$", text, re.MULTILINE)


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run runs the README's test command verbatim."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_commands = [c for c in _readme_commands() if "scripts/check.sh" in c]
    assert len(test_commands) == 1
    assert test_commands[0] in ci


def test_readme_says_it_does_not_prescribe() -> None:
    """The README states plainly that the library does not prescribe."""
    assert "does not prescribe" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("script", sorted((ROOT / "examples").glob("*.py")), ids=str)
def test_example_runs(script: Path) -> None:
    """Every example script runs to completion."""
    result = subprocess.run(  # noqa: S603 - our own example scripts
        [sys.executable, str(script)], capture_output=True, text=True, check=False,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout
