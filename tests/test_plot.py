"""The course plot: the numbers drawn, the axes, and the saved files."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from ivig_core import InputError
from ivig_core.io.plot import PhaseSpan, course_data, draw_course, plot_course
from ivig_core.plan import Phase
from worked import example_plan


def test_course_data_follows_the_plan() -> None:
    """Dates, grams and intensities are the plan's, course by course."""
    plan = example_plan()
    data = course_data(plan)
    assert data.infusion_dates == plan.dates
    assert data.dispensed_g == tuple(i.dispensed_g for i in plan.infusions)
    assert data.calculated_g == tuple(i.calculated_g for i in plan.infusions)
    assert data.course_starts == tuple(c.start for c in plan.cycles)
    # 2 g/kg every 4 weeks, then 1 g/kg, then the JND steps 90/75/50/25 %.
    expected = (0.5, 0.25, 0.25, 0.25, *[0.225] * 3, *[0.1875] * 3)
    expected += (*[0.125] * 3, *[0.0625] * 3)
    assert data.intensity_g_per_kg_per_week == pytest.approx(expected)
    assert data.course_ends[:-1] == data.course_starts[1:]
    assert data.course_ends[-1] == dt.date(2027, 3, 29)


def test_taper_never_raises_the_intensity() -> None:
    """Across the taper span the plotted intensity never increases."""
    data = course_data(example_plan())
    values = data.intensity_g_per_kg_per_week
    assert all(b <= a for a, b in itertools.pairwise(values))


def test_phases_are_contiguous_spans() -> None:
    """Induction, maintenance and taper are shaded end to end, in order."""
    assert course_data(example_plan()).phases == (
        PhaseSpan(
            phase=Phase.INDUCTION, start=dt.date(2026, 1, 5), end=dt.date(2026, 2, 2)
        ),
        PhaseSpan(
            phase=Phase.MAINTENANCE,
            start=dt.date(2026, 2, 2),
            end=dt.date(2026, 4, 27),
        ),
        PhaseSpan(
            phase=Phase.TAPER, start=dt.date(2026, 4, 27), end=dt.date(2027, 3, 29)
        ),
    )


def test_figure_axes_hold_the_data() -> None:
    """The step line and the bars carry the plan's numbers."""
    plan = example_plan()
    data = course_data(plan)
    fig = draw_course(plan)
    top, bottom = fig.axes
    assert "g/kg per week" in top.get_ylabel()
    assert "grams per infusion" in bottom.get_ylabel()
    step = top.lines[0]
    assert list(step.get_xdata()) == [*data.course_starts, data.course_ends[-1]]
    assert list(step.get_ydata())[:-1] == list(data.intensity_g_per_kg_per_week)
    bars = bottom.containers[0]
    assert [bar.get_height() for bar in bars] == list(data.dispensed_g)
    shaded = [p for p in top.patches if p.get_alpha() == pytest.approx(0.18)]
    assert len(shaded) == 3
    legend = [t.get_text() for t in top.get_legend().get_texts()]
    assert legend == ["induction", "maintenance", "taper", "review point"]
    assert "myositis-2gkg-then-1gkg-4w" in fig.texts[0].get_text()


@pytest.mark.parametrize(
    ("suffix", "magic"), [(".png", b"\x89PNG"), (".svg", b"<?xml")]
)
def test_saved_files(tmp_path: Path, suffix: str, magic: bytes) -> None:
    """PNG and SVG are written, are what they say, and are reproducible."""
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    data = plot_course(example_plan(), first)
    plot_course(example_plan(), second)
    assert data == course_data(example_plan())
    content = first.read_bytes()
    assert content.startswith(magic)
    assert content == second.read_bytes()
    if suffix == ".svg":
        text = content.decode("utf-8")
        assert "dose intensity" in text
        assert "2026-01" in text


def test_no_path_draws_only(tmp_path: Path) -> None:
    """Without a path, nothing is written and the data is returned."""
    assert plot_course(example_plan()).infusion_dates == example_plan().dates
    assert not list(tmp_path.iterdir())


def test_refusals(tmp_path: Path) -> None:
    """A suffix other than .png/.svg, or not a plan, is an InputError."""
    with pytest.raises(InputError, match=r"^path:.*\.png or \.svg"):
        plot_course(example_plan(), tmp_path / "course.pdf")
    with pytest.raises(
        InputError, match=r"^plan: got 'plan'; allowed: a Plan \(from plan_course\)$"
    ):
        course_data("plan")  # type: ignore[arg-type]
