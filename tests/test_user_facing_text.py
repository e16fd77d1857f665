"""No user-facing text cites the team's notes instead of the literature.

The seeds and the team's reference notes are working notes, not
publications: a pharmacist cannot look up "seed 000", "reference §4.1",
"clinical.md §2.1" or a confidence tag such as "[mfr-site]". Every output a
user reads must cite the project's bibliography instead
(:mod:`ivig_core.sources`). This test reads every such output: the CLI in
every format for the worked examples (table, JSON, iCalendar, and the
explanation), every finding's rule, action and source, the product
catalogue, the dosing-weight policies, the docs' sources, the README and the
generated bibliography.
"""

from __future__ import annotations

import importlib
import io
import re
import sys
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from ivig_core.cli import main
from ivig_core.cli.build import patient as build_patient
from ivig_core.cli.build import plan as build_plan
from ivig_core.cli.parser import EXAMPLE_ARGS, build_parser
from ivig_core.io.text import explain
from ivig_core.safety import RULES
from ivig_core.sources import all_sources


ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: The team's words and tags: "seed", "reference §", "clinical.md", a section
#: sign followed by a number (the notes' sections; RFC sections are fine), and
#: the notes' bracketed confidence tags.
_PATTERNS = (
    re.compile(r"seed", re.IGNORECASE),
    re.compile(r"reference\s*§", re.IGNORECASE),
    re.compile(r"clinical\.md", re.IGNORECASE),
    re.compile(r"(?<!RFC 5545 )§\s*\d"),
    re.compile(
        r"\[(?:label|label-equivalent[^\]]*|mfr-site|mfr doc|mfr ISI|mfr|"
        r"secondary|payer|primary abstract|UNCONFIRMED)\]",
        re.IGNORECASE,
    ),
)

#: Ordinary English that contains "seed" (Python's hash seed, Hypothesis), and
#: the two renamed presets' old names, still accepted with a deprecation
#: warning that names the new one (the presets how-to documents the rename).
_ALLOWED = re.compile(
    r"hash seed|random seed|--hypothesis-seed|seed-000-myositis|seed-004-privigen-dm",
    re.IGNORECASE,
)


def team_words(text: str) -> list[str]:
    """Every team-note word or tag in *text*, with a little context."""
    clean = _ALLOWED.sub("", text)
    found: list[str] = []
    for pattern in _PATTERNS:
        found.extend(
            clean[max(0, m.start() - 30) : m.end() + 30]
            for m in pattern.finditer(clean)
        )
    return found


# --------------------------------------------------------------------------
# The checker itself


@pytest.mark.parametrize(
    "planted",
    [
        "Source: the label (reference §4.1)",
        "Source: reference §2.1",
        "octagam.com (clinical.md §2.1)",
        "seed 004: 'higher than 80 g'",
        "Seeds 000 and 004",
        "privigen.com/Dosing [mfr-site]",
        "prescriberpoint [label]",
        "skyscape [secondary]",
        "limits (§1.6)",
    ],
)
def test_checker_catches_a_planted_team_word(planted: str) -> None:
    """A planted 'reference §' (and every other team word) is caught."""
    text = f"Plan: example\n  Source: fine text; {planted}; more fine text\n"
    assert team_words(text)


@pytest.mark.parametrize(
    "clean",
    [
        (
            "Privigen US prescribing information (CSL Behring; DailyMed, updated "
            "April 4, 2022)"
        ),
        "Keys are sorted; the output does not depend on Python's hash seed.",
        "The calendar's PRODID (RFC 5545 §3.7.3).",
        "- [WARNING NOT ASSESSED] HAEMOLYSIS_MONITOR (cycle 1)",
        '"sources": ["ice-2008"]',
    ],
)
def test_checker_passes_clean_text(clean: str) -> None:
    """Citations, a hash seed, an RFC section and severity brackets are fine."""
    assert team_words(clean) == []


# --------------------------------------------------------------------------
# CLI output, every format, for the worked examples

_SC_EXAMPLE = (
    "scig",
    *("--sex", "female", "--age", "54", "--height", "165 cm", "--weight", "70 kg"),
    *("--ivig-dose", "30 g", "--ivig-interval", "4 week", "--product", "hizentra"),
    *("--rule", "label", "--frequency", "weekly", "--last-ivig", "2026-01-05"),
    *("--cycles", "4", "--policy", "actual", "--rounding", "never-below"),
    *("--site-rate", "label-maximum", "--situation", "PI, later infusions"),
    *("--first-situation", "PI, first infusion", "--first-count", "1"),
    *("--max-sites", "4", "--limits-source", "infusion-centre protocol 12"),
)


def _run(argv: list[str]) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        main(argv)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["table", "json", "ics"])
def test_worked_example_cli_output(fmt: str) -> None:
    """``ivig-core example --format FMT`` cites no team notes."""
    pytest.importorskip("cattrs" if fmt == "json" else "icalendar")
    text = _run(["example", "--format", fmt])
    assert text
    assert team_words(text) == []


def test_worked_example_explanation() -> None:
    """The explanation of the worked example cites no team notes."""
    args = build_parser().parse_args(["plan", *EXAMPLE_ARGS])
    text = explain(build_plan(args, build_patient(args)))
    assert "Sources cited:" in text
    assert team_words(text) == []


@pytest.mark.parametrize("fmt", ["table", "json", "ics"])
def test_sc_worked_example_cli_output(fmt: str) -> None:
    """The SC how-to's ``ivig-core scig`` example cites no team notes."""
    pytest.importorskip("cattrs" if fmt == "json" else "icalendar")
    text = _run([*_SC_EXAMPLE, "--format", fmt])
    assert text
    assert team_words(text) == []


def test_weight_verb_cites_the_bibliography() -> None:
    """``ivig-core weight``: the dosing-weight policies cite real sources."""
    text = _run(
        [
            *("weight", "--sex", "female", "--age", "54"),
            *("--height", "165 cm", "--weight", "92 kg"),
        ]
    )
    assert team_words(text) == []


def test_products_verb() -> None:
    """``ivig-core products`` cites no team notes."""
    assert team_words(_run(["products"])) == []


def test_dosing_weight_policies_cite_the_bibliography() -> None:
    """Every built-in policy's source is rendered from bibliography IDs."""
    from ivig_core.dosing_weight import BUILTIN_POLICIES  # noqa: PLC0415

    for policy in BUILTIN_POLICIES.values():
        assert team_words(policy.source) == [], policy.name
        assert "source" in policy.source


# --------------------------------------------------------------------------
# Findings


def _rules() -> Iterator[tuple[str, str]]:
    for code, rule in RULES.items():
        for field in ("rule", "action", "source"):
            yield f"{code.value}.{field}", getattr(rule, field)


def test_findings_text_and_sources() -> None:
    """Every finding's rule, action and source cites no team notes."""
    bad = {where: team_words(text) for where, text in _rules() if team_words(text)}
    assert bad == {}


# --------------------------------------------------------------------------
# Docs, README, bibliography


def _doc_files() -> list[Path]:
    files = [
        p
        for p in sorted(DOCS.rglob("*"))
        if p.suffix in {".rst", ".py", ".md"} and "_build" not in p.parts
    ]
    return [*files, ROOT / "README.md"]


def _doc_params() -> Iterator[object]:
    for path in _doc_files():
        rel = path.relative_to(ROOT).as_posix()
        yield pytest.param(path, id=rel)


@pytest.mark.parametrize("path", list(_doc_params()))
def test_docs_and_readme(path: Path) -> None:
    """A docs source file or the README cites no team notes."""
    text = path.read_text(encoding="utf-8")
    if path.name == "test_user_facing_text.py":  # pragma: no cover - not in docs
        return
    assert team_words(text) == []


def test_generated_bibliography_page() -> None:
    """The bibliography page as generated, and every citation, is clean."""
    sys.path.insert(0, str(DOCS))
    try:
        module = importlib.import_module("_ext.bibliography")
    finally:
        sys.path.remove(str(DOCS))
    page = module.bibliography_rst()
    assert isinstance(page, str)
    for s in all_sources():
        assert f".. _source-{s.id}:" in page
        assert team_words(s.citation) == [], s.id
    assert team_words(page) == []
    assert "weak source" in page
