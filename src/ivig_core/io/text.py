"""Text renderings of a plan: tables, explanations, the command's report.

Every text rendering of the library lives here, so a column or a line is
changed in one place:

* :func:`table`: the infusions as a fixed-width table (SC plans add the sites
  and the volume per site);
* :func:`explain`: how every number was obtained, with its formula, inputs
  and source, then the table and the safety summary;
* :func:`report`: what ``ivig-core plan``, ``scig`` and ``show`` print: the
  patient, the regimen, the dosing weight, the infusion days (:func:`days`:
  vials and rate steps, or sites and per-site values for an SC plan), the
  notes, an SC plan's derivation (:func:`derivation`), the safety findings
  (:func:`findings`) and the status;
* :func:`sc_table` and :func:`sc_explain`: an SC plan's per-site table, and
  the explanation followed by it;
* :func:`conversion`: how an IVIg → SC conversion was derived
  (:class:`~ivig_core.scig.ScigDose`);
* :func:`run_table`: one infusion's rate steps
  (:class:`~ivig_core.infusion.InfusionRun`);
* :func:`safety_summary`: a safety report's readiness, findings and
  overrides (:class:`~ivig_core.safety.SafetyReport`).

Each function returns a string (no trailing newline, except :func:`report`,
which is a whole page) and needs no optional extra.

Example:
    >>> import datetime as dt
    >>> from ivig_core import Patient, get_preset, plan_course, rate_schedule
    >>> from ivig_core.io.text import explain, table
    >>> plan = plan_course(
    ...     Patient(sex="female", age="54 year", height="165 cm", weight="70 kg"),
    ...     get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=1),
    ...     "privigen", start=dt.date(2026, 1, 5), policy="actual",
    ...     rounding="never-below", indication="cidp", rate_weight="dosing",
    ...     rate_schedule=rate_schedule("privigen", "cidp",
    ...         increment="1 mg/kg/min", interval="30 min"))
    >>> print(table(plan))
    date        phase        cyc day  g/kg    calc g   disp g   mL      min
    2026-01-05  maintenance    1  1/2  1.000    70.00    80.00     800   262.9
    2026-01-06  maintenance    1  2/2  1.000    70.00    80.00     800   262.9
    total...140.00   160.00    1600   525.7
    >>> print(explain(plan).splitlines()[0])
    Plan: dm-privigen-1gkg-2d-4w, Privigen, from 2026-01-05

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from ivig_core.products import Route


if TYPE_CHECKING:
    from ivig_core.infusion import InfusionRun
    from ivig_core.patient import Patient
    from ivig_core.plan import Infusion, Plan
    from ivig_core.safety import Finding, SafetyReport
    from ivig_core.scig import ScigDose
    from ivig_core.trace import Trace


__all__ = [
    "DISCLAIMER",
    "conversion",
    "days",
    "derivation",
    "explain",
    "findings",
    "report",
    "run_table",
    "safety_summary",
    "sc_explain",
    "sc_table",
    "table",
]

#: The line every report ends with.
DISCLAIMER: Final = "ivig_core computes and checks; it does not prescribe."

_WIDTH: Final = 100

_ROUTES: Final = {
    Route.IV: "intravenous",
    Route.SC: "subcutaneous",
    Route.FACILITATED_SC: "facilitated subcutaneous (with hyaluronidase)",
}

_ENDINGS: Final = {
    "cycles": "after the chosen number of cycles (continuing is a new decision)",
    "floor": "at the taper's floor (minimum effective dose intensity)",
    "stop": "at stop, after the taper's last step",
}


# --------------------------------------------------------------------------
# The plan: table and explanation


def table(plan: Plan) -> str:
    """The infusions as a fixed-width text table.

    An SC or facilitated-SC plan adds the number of sites and the volume per
    site (from the infusions' ``sc`` details).

    .. versionadded:: 0.1.0
    """
    sc = any(i.sc is not None for i in plan.infusions)
    header = "date        phase        cyc day  g/kg    calc g   disp g   mL      min"
    lines = [header + ("  sites  mL/site" if sc else "")]
    for i in plan.infusions:
        line = (
            f"{i.date.isoformat()}  {i.phase.value:<11}  {i.cycle:>3} "
            f"{i.day:>2}/{i.days_in_course:<1} {i.dose_g_per_kg:6.3f}  "
            f"{i.calculated_g:7.2f}  {i.dispensed_g:7.2f}  {i.volume_ml:6.0f}  "
            f"{i.run.duration_min:6.1f}"
        )
        if sc:
            line += (
                f"  {'-':>5}  {'-':>7}"
                if i.sc is None
                else f"  {i.sc.sites:>5}  {i.sc.volume_per_site_ml:7.1f}"
            )
        lines.append(line)
    lines.append(
        f"total{'':48}{plan.total_calculated_g:7.2f}  "
        f"{plan.total_dispensed_g:7.2f}  {plan.total_volume_ml:6.0f}  "
        f"{plan.total_duration_min:6.1f}"
    )
    return "\n".join(lines)


def _trace(trace: Iterable[Trace], head: str = "- ", indent: str = "    ") -> list[str]:
    lines = []
    for t in trace:
        lines.append(f"{head}{t.what} = {t.value}")
        lines.append(f"{indent}formula: {t.formula}")
        lines.append(f"{indent}inputs:  {t.inputs}")
        lines.append(f"{indent}source:  {t.source}")
    return lines


def _rate_notes(plan: Plan) -> dict[str, None]:
    """What the rate steps took from local policy, once per distinct note."""
    return dict.fromkeys(n for i in plan.infusions for n in i.run.notes)


def explain(plan: Plan) -> str:
    """A readable trace of how every number was obtained, with sources.

    The regimen and its fixed choices, how the plan ends, each traced number
    (formula, inputs, source), the notes, the rate-step notes, then
    :func:`table` and the safety summary.

    .. versionadded:: 0.1.0
    """
    lines = [
        f"Plan: {plan.regimen.name}, {plan.product}, from {plan.start.isoformat()}",
        f"Regimen source: {plan.regimen.source}",
    ]
    if plan.route is not Route.IV:
        lines.append(f"Route: {_ROUTES[plan.route]}")
    lines.extend(f"Fixed by the regimen: {text}" for text in plan.regimen.fixed)
    lines.append(f"Ends: {_ENDINGS[plan.ended]}")
    lines.append("")
    lines += _trace(plan.trace)
    if plan.notes:
        lines.append("")
        lines.append("Notes:")
        lines.extend(f"- {note}" for note in plan.notes)
    rate_notes = _rate_notes(plan)
    if rate_notes:
        lines.append("")
        lines.append("Infusion rates:")
        lines.extend(f"- {note}" for note in rate_notes)
    if plan.reviews:
        lines.append("")
        lines.append("Review points:")
        lines.extend(f"- {point}" for point in plan.reviews)
    lines.append("")
    lines.append(table(plan))
    if plan.safety is not None:
        lines.append("")
        lines.append(safety_summary(plan.safety))
    return "\n".join(lines)


def run_table(run: InfusionRun) -> str:
    """One infusion's rate steps: start minute, mL/h, minutes, mL; the total.

    A step held at the at-risk cap says so.

    .. versionadded:: 0.1.0
    """
    lines = ["start min  rate mL/h  min     mL"]
    for step in run.steps:
        flag = "  (at-risk cap)" if step.capped else ""
        lines.append(
            f"{step.start_min:9.0f}  {step.rate_ml_h:9.1f}  "
            f"{step.duration_min:5.1f}  {step.volume_ml:5.1f}{flag}"
        )
    lines.append(
        f"total: {run.volume_ml:.1f} mL in {run.duration_min:.1f} min "
        f"({run.duration_h:.2f} h)"
    )
    return "\n".join(lines)


def safety_summary(report: SafetyReport) -> str:
    """A safety report as text: readiness, every finding, the overrides.

    .. versionadded:: 0.1.0
    """
    state = "READY to issue" if report.ready_to_issue else "NOT ready to issue"
    lines = [f"Safety: {state} ({len(report.blocking)} blocking)"]
    for f in report.findings:
        mark = " (overridden)" if report.is_overridden(f) else ""
        lines.append(f"- {f}{mark}")
    lines.extend(
        f"Override {o.code.value}: {o.reason}"
        + (f" (by {o.by})" if o.by else "")
        + ("" if o not in report.unused_overrides else " [matches no finding]")
        for o in report.overrides
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Subcutaneous plans and conversions


def sc_table(plan: Plan) -> str:
    """An SC plan's infusions: date, grams, volume, sites, mL and mL/h per site.

    Infusions without SC details are left out.

    .. versionadded:: 0.1.0
    """
    lines = [
        (
            "date        cyc label                 disp g   mL     sites "
            "mL/site mL/h/site  min"
        )
    ]
    labels = {c.number: c.label for c in plan.cycles}
    for infusion in plan.infusions:
        sc = infusion.sc
        if sc is None:
            continue
        label = labels.get(infusion.cycle, "")[:20]
        lines.append(
            f"{infusion.date.isoformat()}  {infusion.cycle:>3} {label:<20}  "
            f"{infusion.dispensed_g:7.2f}  {infusion.volume_ml:5.0f}  "
            f"{sc.sites:>5} {sc.volume_per_site_ml:7.1f} "
            f"{sc.rate_per_site_ml_h:9.1f}  {infusion.run.duration_min:5.0f}"
        )
    return "\n".join(lines)


def sc_explain(plan: Plan) -> str:
    """An SC plan's :func:`explain`, then its :func:`sc_table`.

    .. versionadded:: 0.1.0
    """
    return f"{explain(plan)}\n\nSubcutaneous details:\n{sc_table(plan)}"


def conversion(dose: ScigDose) -> str:
    """How an IVIg → SC conversion was derived, number by number.

    Each traced number with its formula, inputs and source, then the notes.

    .. versionadded:: 0.1.0
    """
    lines = [f"IVIg → {dose.product_name} ({dose.rule}, {dose.frequency.name})"]
    lines += _trace(dose.trace)
    lines.extend(f"Note: {n}" for n in dose.notes)
    return "\n".join(lines)


# --------------------------------------------------------------------------
# The command's report


def _wrap(text: str, indent: str, *, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=_WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _g(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _vials(infusion: Infusion) -> str:
    parts = [
        f"{n}×{vial.grams_g:g}" if n > 1 else f"{vial.grams_g:g}"
        for vial, n in infusion.vials.vials
    ]
    return "+".join(parts) + " g"


def _duration(minutes: float) -> str:
    whole = int(minutes + 0.5)
    return f"{whole // 60} h {whole % 60:02d} min"


def _rates(infusion: Infusion) -> str:
    return "→".join(f"{s.rate_ml_h:.0f}" for s in infusion.run.steps)


def days(plan: Plan) -> str:
    """The infusion days with vials, volume and duration, and a total row.

    An IV plan shows each day's rate steps (mL/h); an SC or facilitated-SC
    plan shows its sites, mL per site and mL/h per site instead.

    .. versionadded:: 0.1.0
    """
    sc = plan.route is not Route.IV
    head = ("date", "phase", "course", "g/kg", "calc g", "disp g", "vials", "mL")
    tail = ("sites", "mL/site", "mL/h/site") if sc else ("rate steps mL/h",)
    header = (*head, *tail, "duration")
    rows = [header]
    for i in plan.infusions:
        cells = (
            i.date.isoformat(),
            i.phase.value,
            f"{i.cycle} d{i.day}/{i.days_in_course}",
            f"{i.dose_g_per_kg:.2f}",
            f"{i.calculated_g:.2f}",
            _g(i.dispensed_g),
            _vials(i),
            f"{i.volume_ml:.0f}",
        )
        if i.sc is None:
            extra: tuple[str, ...] = ("", "", "") if sc else (_rates(i),)
        elif sc:
            extra = (
                str(i.sc.sites),
                f"{i.sc.volume_per_site_ml:.1f}",
                f"{i.sc.rate_per_site_ml_h:.1f}",
            )
        else:  # pragma: no cover - SC details on an IV plan are refused
            extra = (_rates(i),)
        rows.append((*cells, *extra, _duration(i.run.duration_min)))
    rows.append(
        (
            "total",
            "",
            f"{len(plan.cycles)} courses",
            "",
            f"{plan.total_calculated_g:.2f}",
            _g(plan.total_dispensed_g),
            "",
            f"{plan.total_volume_ml:.0f}",
            *("" for _ in tail),
            _duration(plan.total_duration_min),
        )
    )
    right = {3, 4, 5, 7, 8, 9, 10} if sc else {3, 4, 5, 7}
    widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = tuple(
            cell.rjust(w) if c in right else cell.ljust(w)
            for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        lines.append("  ".join(cells).rstrip())
        if n == 0 or n == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def derivation(plan: Plan) -> str:
    """How the doses were derived: the plan's trace, wrapped.

    The per-infusion traces (vials, sites, rate) are left to :func:`days`.

    .. versionadded:: 0.1.0
    """
    lines = ["How the doses were derived:"]
    for t in plan.trace:
        if t.what.startswith("infusion of "):
            continue
        lines += _wrap(f"{t.what} = {t.value}", "      ", first="  - ")
        lines += _wrap(f"formula: {t.formula}", "      ", first="    ")
        lines += _wrap(f"inputs:  {t.inputs}", "      ", first="    ")
        lines += _wrap(f"source:  {t.source}", "      ", first="    ")
    return "\n".join(lines)


def _finding(report: SafetyReport, finding: Finding) -> list[str]:
    status = "" if finding.assessed else ", not assessed"
    mark = " (overridden)" if report.is_overridden(finding) else ""
    head = (
        f"  {finding.severity.name}{status}: {finding.code.value} "
        f"({finding.concerns}){mark}"
    )
    lines = [head]
    lines += _wrap(finding.message, "      ")
    lines += _wrap(f"Source: {finding.source}", "      ")
    return lines


def findings(report: SafetyReport) -> str:
    """Every finding with its message and source, the overrides, the status.

    .. versionadded:: 0.1.0
    """
    blocking = report.blocking
    lines = [f"Safety findings ({len(report.findings)}):"]
    for finding in report.findings:
        lines += _finding(report, finding)
    for o in report.overrides:
        unused = " [matches no finding]" if o in report.unused_overrides else ""
        lines.append(f"  Override {o.code.value}: {o.reason}{unused}")
    lines.append("")
    if blocking:
        codes = ", ".join(dict.fromkeys(f.code.value for f in blocking))
        lines.append(f"Status: BLOCKED by safety ({len(blocking)} blocking: {codes})")
    else:
        lines.append("Status: READY to issue (no blocking findings)")
    return "\n".join(lines)


def report(
    plan: Plan,
    *,
    patient: Patient | None = None,
    rate_weight: str | None = None,
) -> str:
    """The page ``ivig-core plan``, ``scig`` and ``show`` print for a plan.

    Args:
        plan: The plan, with its safety report (a plan without one says
            that its safety was not assessed).
        patient: The patient, if known (a stored plan does not hold one).
        rate_weight: The weight the per-kg rates were multiplied by
            (``"dosing"`` or ``"actual"``), if known.

    .. versionadded:: 0.1.0
    """
    weight = plan.dosing_weight
    who = (
        "not stored in a plan document"
        if patient is None
        else f"{patient.sex.value}, {patient.age_years:g} year, "
        f"{patient.height_cm:.1f} cm, {patient.weight_kg:.1f} kg"
    )
    basis = (
        f"{weight.weight_kg:.2f} kg ({weight.basis.value}, policy "
        f"{weight.policy}): {weight.reason}"
    )
    extent = (
        f"{len(plan.cycles)} courses, {len(plan.infusions)} infusion days "
        f"from {plan.start.isoformat()}, ended by {plan.ended}"
    )
    rates = "" if rate_weight is None else f"; rates on the {rate_weight} weight"
    indication = plan.indication or "no indication recorded"
    sc = plan.route is not Route.IV
    lines = [
        f"Patient:        {who}",
        f"Regimen:        {plan.regimen.name}",
        *_wrap(f"Source: {plan.regimen.source}", "                "),
        f"Product:        {plan.product} for {indication}",
        *([f"Route:          {_ROUTES[plan.route]}"] if sc else []),
        f"Dosing weight:  {basis}",
        f"Rounding:       {plan.rounding}{rates}",
        f"Plan:           {extent}",
        "",
        days(plan),
    ]
    if plan.notes:
        lines += ["", "Notes:"]
        for note in plan.notes:
            lines += _wrap(note, "    ", first="  - ")
    rate_notes = _rate_notes(plan)
    if rate_notes:
        lines += ["", "Infusion rates:"]
        for note in rate_notes:
            lines += _wrap(note, "    ", first="  - ")
    if plan.reviews:
        lines += ["", "Review points (the prescriber decides at each):"]
        for point in plan.reviews:
            lines += _wrap(str(point), "    ", first="  - ")
    if sc:
        lines += ["", derivation(plan)]
    safety = (
        "Safety: not assessed (the plan carries no safety report)"
        if plan.safety is None
        else findings(plan.safety)
    )
    lines += ["", safety, "", DISCLAIMER]
    return "\n".join(lines) + "\n"
