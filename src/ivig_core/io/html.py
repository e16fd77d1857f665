"""A printable worksheet of a plan, as one HTML page (extra ``html``).

:func:`plan_to_html` renders the plan for the pharmacist and the infusion
nurse: the patient, the dosing weight and why, each infusion day with its
vials and volume, the rate steps as a pump schedule, the notes, the safety
findings with their sources, the overrides, the review points (if the plan
has them) and, when matplotlib is installed, the course plot inline as SVG.
The page is self-contained (no scripts, no external files) and prints on A4
and on Letter paper (its print styles fit the narrower page width and the
shorter page height of the two).

The template is ``ivig_core/io/templates/worksheet.html.j2`` (Jinja2,
autoescaped); everything it shows is prepared here as text, so the template
holds layout only.

Example:
    >>> import datetime as dt
    >>> from ivig_core import Patient, get_preset, plan_course, rate_schedule
    >>> from ivig_core.io.html import plan_to_html
    >>> plan = plan_course(
    ...     Patient(sex="female", age="54 year", height="165 cm", weight="70 kg"),
    ...     get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1),
    ...     "privigen", start=dt.date(2026, 1, 5), policy="actual",
    ...     rounding="never-below", indication="cidp", rate_weight="dosing",
    ...     rate_schedule=rate_schedule("privigen", "cidp",
    ...         increment="1 mg/kg/min", interval="30 min"))
    >>> page = plan_to_html(plan, plot=False)
    >>> page.startswith("<!DOCTYPE html>"), "Pump schedule per infusion day" in page
    (True, True)

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import importlib.util
import io
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from ivig_core._checks import flag, instance
from ivig_core.errors import InputError
from ivig_core.io import require
from ivig_core.io.text import DISCLAIMER, duration, plural
from ivig_core.patient import Patient
from ivig_core.plan import Plan
from ivig_core.products import Route


if TYPE_CHECKING:
    from ivig_core.plan import Infusion
    from ivig_core.safety import SafetyReport


__all__ = ["TEMPLATE", "plan_to_html", "worksheet_context"]

#: The worksheet's template, in the package's ``io/templates`` folder.
TEMPLATE: Final = "worksheet.html.j2"

_ROUTES: Final = {
    Route.IV: "intravenous",
    Route.SC: "subcutaneous",
    Route.FACILITATED_SC: "facilitated subcutaneous (with hyaluronidase)",
}


def _g(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _clock(minutes: float) -> str:
    """Minutes after the start as h:mm (``+1:30``)."""
    whole = int(minutes + 0.5)
    return f"+{whole // 60}:{whole % 60:02d}"


def _vials(infusion: Infusion) -> str:
    """``30+20+5+2×2 g``: each vial size, with its count if above one."""
    parts = [
        f"{n}×{vial.grams_g:g}" if n > 1 else f"{vial.grams_g:g}"
        for vial, n in infusion.vials.vials
    ]
    return "+".join(parts) + " g"


def _steps(infusion: Infusion) -> list[dict[str, str]]:
    """The pump schedule: from when, at what rate, for how long, how much."""
    rows = []
    given = 0.0
    for step in infusion.run.steps:
        given += step.volume_ml
        rows.append(
            {
                "start": _clock(step.start_min),
                "rate": f"{step.rate_ml_h:.0f}",
                "for": duration(step.duration_min),
                "volume": f"{step.volume_ml:.0f}",
                "cumulative": f"{given:.0f}",
                "note": "held at the at-risk cap" if step.capped else "",
            }
        )
    return rows


def _day(infusion: Infusion, sc: bool) -> dict[str, object]:
    row: dict[str, object] = {
        "date": infusion.date.isoformat(),
        "weekday": infusion.date.strftime("%a"),
        "phase": infusion.phase.value,
        "course": f"{infusion.cycle}",
        "day": f"{infusion.day}/{infusion.days_in_course}",
        "g_per_kg": f"{infusion.dose_g_per_kg:.2f}",
        "calculated_g": f"{infusion.calculated_g:.2f}",
        "dispensed_g": _g(infusion.dispensed_g),
        "vials": _vials(infusion),
        "volume_ml": f"{infusion.volume_ml:.0f}",
        "duration": duration(infusion.run.duration_min),
        "steps": _steps(infusion),
        "rates": " → ".join(f"{s.rate_ml_h:.0f}" for s in infusion.run.steps),
    }
    if sc and infusion.sc is not None:
        row["sites"] = str(infusion.sc.sites)
        row["per_site_ml"] = f"{infusion.sc.volume_per_site_ml:.1f}"
        row["per_site_ml_h"] = f"{infusion.sc.rate_per_site_ml_h:.1f}"
    return row


def _findings(report: SafetyReport) -> list[dict[str, str]]:
    return [
        {
            "severity": f.severity.name,
            "code": f.code.value,
            "concerns": str(f.concerns),
            "assessed": "" if f.assessed else "not assessed",
            "overridden": "overridden" if report.is_overridden(f) else "",
            "message": f.message,
            "source": f.source,
            "class": f.severity.name.lower(),
        }
        for f in report.findings
    ]


def _review_points(plan: Plan) -> list[dict[str, str]]:
    """The plan's review points: the date and what the regimen says to do."""
    return [
        {
            "date": point.date.isoformat(),
            "what": (
                f"{point.reason}. No deterioration: {point.if_stable}. "
                f"On deterioration: {point.if_deterioration}."
            ),
        }
        for point in plan.reviews
    ]


def _svg(plan: Plan) -> str | None:
    """The course plot as inline SVG, or ``None`` without matplotlib."""
    if importlib.util.find_spec("matplotlib") is None:
        return None
    import matplotlib as mpl  # noqa: PLC0415 - optional extra

    from ivig_core.io.plot import draw_course  # noqa: PLC0415 - optional extra

    buffer = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": "ivig-core", "svg.fonttype": "none"}):
        figure = draw_course(plan)
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    # Inline: drop the XML prolog and doctype; let CSS size the figure.
    text = text[text.index("<svg") :]
    return re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", text, count=1
    )


def _reword(text: str, wording: Mapping[str, str]) -> str:
    for phrase, words in wording.items():
        text = text.replace(phrase, words)
    return text


def _check_arguments(
    plan: object, patient: object, rate_weight: object, wording: object, plot: object
) -> None:
    """Refuse an argument of the wrong kind, by name, before anything is read."""
    instance(plan, Plan, field="plan")
    if patient is not None:
        instance(patient, Patient, field="patient", allowed="a Patient or None")
    if rate_weight is not None and not isinstance(rate_weight, str):
        raise InputError("rate_weight", rate_weight, "a text or None")
    if wording is not None and not (
        isinstance(wording, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in wording.items())
    ):
        raise InputError("wording", wording, "a mapping of text to text, or None")
    flag(plot, field="plot")


def worksheet_context(
    plan: Plan,
    *,
    patient: Patient | None = None,
    rate_weight: str | None = None,
    wording: Mapping[str, str] | None = None,
    plot: bool = True,
) -> dict[str, object]:
    """What the worksheet shows, as text: the template's variables.

    Args:
        plan: The plan, with its safety report (without one, the page says
            that safety was not assessed).
        patient: The patient; by default the one the plan records
            (:attr:`~ivig_core.plan.PlanInputs.patient`), if any.
        rate_weight: The weight per-kg rates were multiplied by, if known.
        wording: Phrases of the notes to say otherwise (see
            :func:`ivig_core.io.text.report`).
        plot: Include the course plot (only if matplotlib is installed).

    Raises:
        InputError: An argument of the wrong kind, naming it.

    .. versionadded:: 0.1.0
    """
    _check_arguments(plan, patient, rate_weight, wording, plot)
    if patient is None and plan.inputs is not None:
        patient = plan.inputs.patient
    sc = plan.route is not Route.IV
    weight = plan.dosing_weight
    reword = {} if wording is None else wording
    safety = plan.safety
    blocking = () if safety is None else safety.blocking
    if safety is None:
        status = "Safety not assessed: the plan carries no safety report"
    elif blocking:
        codes = ", ".join(dict.fromkeys(f.code.value for f in blocking))
        status = f"BLOCKED by safety ({len(blocking)} blocking: {codes})"
    else:
        status = "READY to issue (no blocking findings)"
    who = None
    if patient is not None:
        years = patient.age_years
        who = {
            "sex": patient.sex.value,
            "age": f"{years:g} year" + ("" if years == 1 else "s"),
            "height": f"{patient.height_cm:.1f} cm",
            "weight": f"{patient.weight_kg:.1f} kg",
        }
    return {
        "title": f"{plan.regimen.name}: {plan.product} from {plan.start.isoformat()}",
        "patient": who,
        "regimen": plan.regimen.name,
        "regimen_source": plan.regimen.source,
        "product": plan.product,
        "indication": plan.indication or "no indication recorded",
        "route": _ROUTES[plan.route],
        "sc": sc,
        "dosing_weight": f"{weight.weight_kg:.2f} kg",
        "weight_basis": weight.basis.value,
        "weight_policy": str(weight.policy),
        "weight_reason": weight.reason,
        "rounding": plan.rounding,
        "rate_weight": rate_weight,
        "extent": (
            f"{plural(len(plan.cycles), 'course')}, "
            f"{plural(len(plan.infusions), 'infusion day')}, ended by {plan.ended}"
        ),
        "days": [_day(i, sc) for i in plan.infusions],
        "total": {
            "calculated_g": f"{plan.total_calculated_g:.2f}",
            "dispensed_g": _g(plan.total_dispensed_g),
            "volume_ml": f"{plan.total_volume_ml:.0f}",
            "duration": duration(plan.total_duration_min),
        },
        "notes": [_reword(n, reword) for n in plan.notes],
        "rate_notes": [
            _reword(n, reword)
            for n in dict.fromkeys(n for i in plan.infusions for n in i.run.notes)
        ],
        "assessed": safety is not None,
        "findings": [] if safety is None else _findings(safety),
        "overrides": []
        if safety is None
        else [
            {
                "code": o.code.value,
                "reason": o.reason,
                "by": o.by or "",
                "unused": o in safety.unused_overrides,
            }
            for o in safety.overrides
        ],
        "review_points": _review_points(plan),
        "ready": safety is not None and not blocking,
        "status": status,
        "plot": _svg(plan) if plot else None,
        "disclaimer": DISCLAIMER,
    }


def plan_to_html(
    plan: Plan,
    *,
    patient: Patient | None = None,
    rate_weight: str | None = None,
    wording: Mapping[str, str] | None = None,
    plot: bool = True,
) -> str:
    """The plan as a printable HTML worksheet (one self-contained page).

    Args: as :func:`worksheet_context`.

    Raises:
        MissingExtraError: Jinja2 is not installed (extra ``html``).

    .. versionadded:: 0.1.0
    """
    jinja2 = require("jinja2", extra="html", purpose="The HTML worksheet")
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("ivig_core.io", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    context = worksheet_context(
        plan, patient=patient, rate_weight=rate_weight, wording=wording, plot=plot
    )
    if context["plot"] is not None:
        markupsafe = require("markupsafe", extra="html", purpose="The HTML worksheet")
        context["plot"] = markupsafe.Markup(context["plot"])  # our own SVG
    page: str = environment.get_template(TEMPLATE).render(context)
    return page
