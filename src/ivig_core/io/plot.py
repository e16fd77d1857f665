"""A plot of the course: dose intensity and grams per infusion over time.

Needs the ``plot`` extra (matplotlib): ``pip install "ivig-core[plot]"``.
Drawing uses matplotlib's object API with the Agg renderer (no display, no
pyplot state), so it works on servers and in tests.

Two panels share the time axis, with induction, maintenance and taper
shaded:

* dose intensity, g/kg per week: each course's dose ÷ its interval in
  weeks, drawn as a step from the course's first day to the next course's
  (the quantity a taper must not increase);
* grams per infusion day: dispensed (bars) and calculated (markers).

:func:`course_data` returns the numbers drawn, without matplotlib, so
hosts and tests can check them; :func:`plot_course` draws and saves them
(PNG or SVG) and returns the same data.

Example (``plan`` from :func:`~ivig_core.planning.course.plan_course`)::

    from ivig_core.io.plot import plot_course

    data = plot_course(plan, "course.png")  # also "course.svg"
    data.intensity_g_per_kg_per_week  # the numbers drawn, per course

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Final

import attrs

from ivig_core.errors import InputError
from ivig_core.io import require
from ivig_core.plan import Phase, Plan


__all__ = ["CourseData", "PhaseSpan", "course_data", "draw_course", "plot_course"]

_FORMATS: Final = frozenset({".png", ".svg"})
#: Phase colours (Okabe-Ito palette, readable with colour-vision deficiency).
_COLOURS: Final = {
    Phase.INDUCTION: "#E69F00",
    Phase.MAINTENANCE: "#56B4E9",
    Phase.TAPER: "#009E73",
    Phase.RAMP_UP: "#CC79A7",
}
_OTHER: Final = "#999999"


@attrs.frozen(kw_only=True)
class PhaseSpan:
    """A shaded span: a phase from its first course's day to its end.

    .. versionadded:: 0.1.0
    """

    phase: Phase
    start: dt.date
    end: dt.date


@attrs.frozen(kw_only=True)
class CourseData:
    """The numbers a course plot draws.

    Attributes:
        infusion_dates: Each infusion day.
        dispensed_g: Grams dispensed each day.
        calculated_g: Grams calculated each day.
        course_starts: Each course's first day.
        course_ends: Where each course's interval ends (the next course's
            first day; for the last, its start plus its interval).
        intensity_g_per_kg_per_week: Each course's dose intensity.
        phases: The shaded spans, in order.
        review_dates: The review points' dates (dashed lines).

    .. versionadded:: 0.1.0
    """

    infusion_dates: tuple[dt.date, ...]
    dispensed_g: tuple[float, ...]
    calculated_g: tuple[float, ...]
    course_starts: tuple[dt.date, ...]
    course_ends: tuple[dt.date, ...]
    intensity_g_per_kg_per_week: tuple[float, ...]
    phases: tuple[PhaseSpan, ...]
    review_dates: tuple[dt.date, ...] = ()


def course_data(plan: Plan) -> CourseData:
    """The numbers :func:`plot_course` draws (no matplotlib needed).

    .. versionadded:: 0.1.0
    """
    if not isinstance(plan, Plan):
        raise InputError("plan", plan, "a Plan (from plan_course)")
    cycles = plan.cycles
    ends = [
        cycles[k + 1].start
        if k + 1 < len(cycles)
        else c.start + dt.timedelta(days=c.interval_days)
        for k, c in enumerate(cycles)
    ]
    spans: list[PhaseSpan] = []
    for cycle, end in zip(cycles, ends, strict=True):
        if spans and spans[-1].phase is cycle.phase:
            spans[-1] = attrs.evolve(spans[-1], end=end)
        else:
            spans.append(PhaseSpan(phase=cycle.phase, start=cycle.start, end=end))
    return CourseData(
        infusion_dates=tuple(i.date for i in plan.infusions),
        dispensed_g=tuple(i.dispensed_g for i in plan.infusions),
        calculated_g=tuple(i.calculated_g for i in plan.infusions),
        course_starts=tuple(c.start for c in cycles),
        course_ends=tuple(ends),
        intensity_g_per_kg_per_week=tuple(
            c.intensity_g_per_kg_per_week for c in cycles
        ),
        phases=tuple(spans),
        review_dates=tuple(point.date for point in plan.reviews),
    )


def draw_course(plan: Plan, *, title: str | None = None) -> Any:  # noqa: ANN401 - a matplotlib Figure
    """Draw the course on a new matplotlib ``Figure`` (not saved, no pyplot).

    The figure has two axes: dose intensity (a step line) and grams per
    infusion day (bars for dispensed, markers for calculated).

    .. versionadded:: 0.1.0
    """
    return _draw(plan, course_data(plan), title)


def _draw(plan: Plan, data: CourseData, title: str | None) -> Any:  # noqa: ANN401 - a matplotlib Figure
    figure_mod = require("matplotlib.figure", extra="plot", purpose="The course plot")
    fig = figure_mod.Figure(figsize=(10, 6), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(1, 1.3))
    for ax in (top, bottom):
        for span in data.phases:
            ax.axvspan(
                span.start,
                span.end,
                color=_COLOURS.get(span.phase, _OTHER),
                alpha=0.18,
                linewidth=0,
                label=span.phase.value if ax is top else None,
            )
        ax.grid(visible=True, axis="y", alpha=0.3)
    xs = [*data.course_starts, data.course_ends[-1]]
    ys = [*data.intensity_g_per_kg_per_week, data.intensity_g_per_kg_per_week[-1]]
    top.step(xs, ys, where="post", color="black", linewidth=1.8)
    for number, day in enumerate(data.review_dates):
        top.axvline(
            day,
            color="#CC79A7",
            linestyle="--",
            linewidth=1.2,
            label="review point" if number == 0 else None,
        )
    top.set_ylabel("dose intensity\ng/kg per week")
    top.set_ylim(bottom=0)
    handles, labels = top.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    top.legend(unique.values(), unique.keys(), loc="upper right", frameon=False)
    bottom.bar(
        data.infusion_dates,
        data.dispensed_g,
        width=3.0,
        color="#0072B2",
        label="dispensed g",
    )
    bottom.plot(
        data.infusion_dates,
        data.calculated_g,
        linestyle="none",
        marker="_",
        markersize=10,
        color="#D55E00",
        label="calculated g",
    )
    bottom.set_ylabel("grams per infusion day")
    bottom.set_ylim(bottom=0)
    bottom.legend(loc="upper right", frameon=False)
    weight = plan.dosing_weight
    fig.suptitle(
        title
        or (
            f"{plan.regimen.name}: {plan.product}, dosing weight "
            f"{weight.weight_kg:.1f} kg ({weight.basis.value})"
        )
    )
    fig.autofmt_xdate()
    return fig


def plot_course(
    plan: Plan, path: str | Path | None = None, *, title: str | None = None
) -> CourseData:
    """Draw the course; save it to *path* (``.png`` or ``.svg``) if given.

    Args:
        plan: The plan.
        path: Where to save the figure; the suffix picks the format.
        title: The figure's title (default: regimen, product and weight).

    Returns:
        The numbers drawn (:class:`CourseData`).

    Raises:
        InputError: Not a plan, or a suffix other than ``.png``/``.svg``.
        MissingExtraError: matplotlib is not installed (extra ``plot``).

    .. versionadded:: 0.1.0
    """
    data = course_data(plan)
    target = None if path is None else Path(path)
    if target is not None and target.suffix.lower() not in _FORMATS:
        raise InputError("path", str(target), "a file name ending in .png or .svg")
    mpl = require("matplotlib", extra="plot", purpose="The course plot")
    with mpl.rc_context({"svg.hashsalt": "ivig-core", "svg.fonttype": "none"}):
        fig = _draw(plan, data, title)
        if target is not None:
            metadata = (
                {"Date": None}
                if target.suffix.lower() == ".svg"
                else {"Software": None}
            )
            fig.savefig(target, dpi=100, metadata=metadata)
    return data
