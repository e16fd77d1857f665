"""The printable HTML worksheet (``--format html``, extra ``html``).

Structure is checked with the standard library's ``html.parser``; the page is
also rendered in a real headless browser when one is installed (skipped
cleanly where not).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest

import worked
from ivig_core import get_preset, plan_course, rate_schedule
from ivig_core.cli import EXIT_OK
from ivig_core.io.html import plan_to_html, worksheet_context
from ivig_core.plan import ReviewPoint
from ivig_core.safety import Override
from processes import cli
from test_io_text import iv_plan, sc_plan


class _Page(HTMLParser):
    """Tags, classes, the text under each class, and the tables' rows."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.classes: Counter[str] = Counter()
        self.text: list[str] = []
        self.open: list[tuple[str, str]] = []
        self.rows: dict[str, list[list[str]]] = {}
        self._table: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        cls = dict(attrs).get("class") or ""
        for name in cls.split():
            self.classes[name] += 1
        if tag == "table":
            self._table.append(cls or "table")
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._table:
            self._table.pop()
        elif tag == "tbody":
            self._in_body = False
        elif tag in {"td", "th"} and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.setdefault(self._table[-1], []).append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def example() -> tuple[str, _Page]:
    """The worked example's worksheet, through the console script."""
    result = cli("example", "--format", "html")
    assert result.returncode == EXIT_OK, result.stderr
    return result.stdout, _parse(result.stdout)


def test_example_page_structure(example: tuple[str, _Page]) -> None:
    """Patient, dosing weight and why, 17 days, a pump schedule each, findings."""
    page, parsed = example
    assert page.startswith("<!DOCTYPE html>")
    text = parsed.all_text()
    assert "female, 54 years, 165.0 cm, 92.0 kg" in text
    assert (
        "56.91 kg (ideal, policy ideal): ideal body weight (devine) by policy" in text
    )
    days = parsed.rows["days"]
    assert len(days) == 17
    assert days[0][:4] == ["Mon 2026-01-05", "induction", "1", "1/2"]
    assert days[0][6:10] == ["57", "30+20+5+2 g", "570", "4 h 55 min"]
    assert days[-1][0] == "Mon 2027-03-01"
    steps = parsed.rows["steps"]
    assert len(steps) == 17 * 4
    assert steps[0][:5] == ["+0:00", "34", "30 min", "17", "17"]
    assert steps[3][:5] == ["+1:30", "137", "3 h 25 min", "468", "570"]
    assert parsed.classes["pump"] == 17
    assert parsed.classes["finding"] == 9
    assert text.count("Source: ") >= 9 + 1  # each finding, and the regimen
    assert "READY to issue (no blocking findings)" in text
    assert "it does not prescribe" in text


def test_example_page_is_self_contained_and_printable(
    example: tuple[str, _Page],
) -> None:
    """No scripts or external files; print styles; the plot inline as SVG."""
    page, parsed = example
    assert parsed.tags["script"] == 0
    assert parsed.tags["link"] == 0
    assert "src=" not in page
    assert "@page" in page
    assert "@media print" in page
    assert parsed.tags["svg"] == 1
    assert "<?xml" not in page


def test_blocked_plan_status() -> None:
    """A blocked plan says so at the top and the bottom."""
    plan = worked.example_plan_at_risk()
    text = _parse(plan_to_html(plan, plot=False)).all_text()
    assert text.count("BLOCKED by safety") == (0 if plan.ready_to_issue else 2)
    assert text.count("READY to issue") == (2 if plan.ready_to_issue else 0)


def test_overrides_are_listed_and_escaped() -> None:
    """An override's reason is shown, escaped, with the finding it accepts."""
    assert worksheet_context(iv_plan(), plot=False)["overrides"] == []
    plan = plan_course(
        worked.recorded_woman("70 kg", "iga_deficiency"),
        get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1),
        "privigen",
        start=dt.date(2026, 1, 5),
        policy="actual",
        rounding="never-below",
        indication="cidp",
        rate_weight="dosing",
        rate_schedule=rate_schedule(
            "privigen", "cidp", increment="1 mg/kg/min", interval="30 min"
        ),
        overrides=[
            Override(code="IGA_DEFICIENCY_PRODUCT", reason="<b>discussed</b> & agreed")
        ],
    )
    page = plan_to_html(plan, plot=False)
    parsed = _parse(page)
    assert "&lt;b&gt;discussed&lt;/b&gt; &amp; agreed" in page
    assert parsed.tags["b"] == 0
    assert parsed.classes["overrides"] == 1


def test_sc_plan_shows_sites() -> None:
    """An SC plan's table has sites and per-site volume and rate."""
    parsed = _parse(plan_to_html(sc_plan(), patient=worked.woman("70 kg")))
    header = " ".join(parsed.all_text().split())
    assert "mL/site" in header
    assert "mL/h/site" in header
    assert "subcutaneous" in header
    first = parsed.rows["days"][0]
    assert first[9].isdigit()  # sites


def test_review_points_when_the_plan_has_them() -> None:
    """Review points get their own dated table, with both branches; none, none."""
    plan = iv_plan()
    assert not plan.reviews
    assert "Review points" not in plan_to_html(plan, plot=False)
    point = ReviewPoint(
        date=dt.date(2026, 3, 2),
        cycle=3,
        reason="end of <the hold>",
        if_stable="step down",
        if_deterioration="return to the previous step",
        source="a taper",
    )
    page = plan_to_html(attrs.evolve(plan, reviews=(point,)), plot=False)
    assert "Review points" in page
    assert "2026-03-02" in page
    assert (
        "end of &lt;the hold&gt;. No deterioration: step down. "
        "On deterioration: return to the previous step." in page
    )


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found is not None:
            return found
    return None


def test_renders_in_a_headless_browser(
    example: tuple[str, _Page], tmp_path: Path
) -> None:
    """A real browser renders the page and prints it to PDF."""
    browser = _browser()
    if browser is None:
        pytest.skip("no headless browser (chromium or chrome) installed")
    page = tmp_path / "worksheet.html"
    page.write_text(example[0], encoding="utf-8")
    shot = tmp_path / "worksheet.png"
    pdf = tmp_path / "worksheet.pdf"
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu"]
    for args in (
        ["--window-size=900,1400", f"--screenshot={shot}"],
        ["--no-pdf-header-footer", f"--print-to-pdf={pdf}"],
    ):
        subprocess.run(  # noqa: S603 - a browser found on PATH, fixed arguments
            [*common, *args, page.as_uri()],
            capture_output=True,
            check=False,
            timeout=120,
        )
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert shot.stat().st_size > 20_000  # not a blank page
    assert pdf.read_bytes().startswith(b"%PDF")
