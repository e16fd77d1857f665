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
  overrides (:class:`~ivig_core.safety.SafetyReport`);
* :func:`plan_sources` and :func:`bibliography`: the publications a plan
  cites, by ID of the project's bibliography (:mod:`ivig_core.sources`), and
  their citations (:func:`explain` ends with them).

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
    2026-01-05  maintenance    1  1/2  1.000    70.00    70.00     700   245.0
    2026-01-06  maintenance    1  2/2  1.000    70.00    70.00     700   245.0
    total...140.00   140.00    1400   490.0
    >>> print(explain(plan).splitlines()[0])
    Plan: dm-privigen-1gkg-2d-4w, Privigen, from 2026-01-05

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

import attrs

from ivig_core._checks import instance as _instance
from ivig_core._checks import real as _real
from ivig_core._checks import tuple_of as _tuple_of
from ivig_core.findings import SafetyReport
from ivig_core.infusion import InfusionRun
from ivig_core.plan import Plan, PlanInputs
from ivig_core.products import Route
from ivig_core.sources import Source, cited_in, get_source


if TYPE_CHECKING:
    from ivig_core.patient import Patient
    from ivig_core.plan import Infusion
    from ivig_core.safety import Finding
    from ivig_core.scig import ScigDose
    from ivig_core.trace import Trace


__all__ = [
    "DISCLAIMER",
    "bibliography",
    "conversion",
    "days",
    "derivation",
    "duration",
    "explain",
    "findings",
    "plan_sources",
    "plural",
    "report",
    "run_table",
    "safety_summary",
    "sc_explain",
    "sc_table",
    "table",
]

#: The line every report ends with.
DISCLAIMER: Final = "ivig_core computes and checks; it does not prescribe."

#: The width of the text report unless told (:func:`report`'s *width*).
_WIDTH: Final = 100
#: The narrowest width prose is wrapped to, whatever the terminal.
MIN_WIDTH: Final = 40

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
    _instance(plan, Plan, field="plan")
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
    _instance(plan, Plan, field="plan")
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
    cited = plan_sources(plan)
    if cited:
        lines.append("")
        lines.append(bibliography(cited))
    return "\n".join(lines)


def _strings(obj: object, out: list[str], seen: set[int]) -> None:
    """Collect the ``source`` texts of *obj* and everything it holds.

    A plan's inputs (what it was planned from) are not what it cites.
    """
    if isinstance(obj, (str, int, float, bool, PlanInputs)) or obj is None:
        return
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, dict):
        for value in obj.values():
            _strings(value, out, seen)
        return
    if isinstance(obj, (list, tuple, set, frozenset)):
        for value in obj:
            _strings(value, out, seen)
        return
    cls = type(obj)
    if attrs.has(cls):
        for field in attrs.fields(cls):
            value = getattr(obj, field.name)
            if "source" in field.name:
                if isinstance(value, str):
                    out.append(value)
                elif isinstance(value, tuple):
                    out.extend(v for v in value if isinstance(v, str))
            _strings(value, out, seen)


def plan_sources(plan: object) -> tuple[Source, ...]:
    """The publications *plan* cites, in the bibliography's order.

    Every ``source`` text a plan holds (its trace, regimen, dosing weight,
    rate schedules, findings ...) is rendered from source IDs; this finds
    them again (:func:`ivig_core.sources.cited_in`). Works for any attrs
    object (a plan, a safety report, an SC conversion).

    Example:
        >>> from ivig_core import Patient, dosing_weight
        >>> p = Patient(sex="female", age="54 year", height="165 cm", weight="92 kg")
        >>> [s.id for s in plan_sources(dosing_weight(p, "ontario"))]
        ['nba-bloodstar-ibw', 'ontario-ig-calculator']

    .. versionadded:: 0.2.0
    """
    texts: list[str] = []
    _strings(plan, texts, set())
    return tuple(get_source(i) for i in cited_in(texts))


def bibliography(cited: Iterable[Source]) -> str:
    """The sources a plan cites, one per line, with the address read.

    Weak sources (secondary, AI-generated summaries) say so in their citation.

    .. versionadded:: 0.2.0
    """
    lines = ["Sources cited:"]
    for s in _tuple_of(cited, Source, field="cited"):
        lines.append(f"- {s.citation}")
        if s.url is not None:
            lines.append(f"  {s.url}")
    return "\n".join(lines)


def run_table(run: InfusionRun) -> str:
    """One infusion's rate steps: start minute, mL/h, minutes, mL; the total.

    A step held at the at-risk cap says so.

    .. versionadded:: 0.1.0
    """
    _instance(run, InfusionRun, field="run")
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
    _instance(report, SafetyReport, field="report")
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
    _instance(plan, Plan, field="plan")
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
    _instance(plan, Plan, field="plan")
    return f"{explain(plan)}\n\nSubcutaneous details:\n{sc_table(plan)}"


def conversion(dose: ScigDose) -> str:
    """How an IVIg → SC conversion was derived, number by number.

    Each traced number with its formula, inputs and source, then the notes.

    .. versionadded:: 0.1.0
    """
    from ivig_core.scig import ScigDose  # noqa: PLC0415 - scig loads only for SC text

    _instance(dose, ScigDose, field="dose")
    lines = [f"IVIg → {dose.product_name} ({dose.rule}, {dose.frequency.name})"]
    lines += _trace(dose.trace)
    lines.extend(f"Note: {n}" for n in dose.notes)
    return "\n".join(lines)


# --------------------------------------------------------------------------
# The command's report


def _wrap(
    text: str, indent: str, *, first: str | None = None, width: int = _WIDTH
) -> list[str]:
    return textwrap.wrap(
        text,
        width=max(width, MIN_WIDTH),
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def plural(count: int, one: str, many: str | None = None) -> str:
    """*count* with its noun, singular or plural: ``1 course``, ``2 courses``.

    Example:
        >>> plural(1, "course"), plural(16, "course"), plural(2, "day")
        ('1 course', '16 courses', '2 days')

    .. versionadded:: 0.1.0
    """
    noun = one if count == 1 else (many or f"{one}s")
    return f"{count} {noun}"


def duration(minutes: float) -> str:
    """A duration in whole minutes as people write it.

    Example:
        >>> duration(44.2), duration(60), duration(295.4), duration(3849)
        ('44 min', '1 h 00 min', '4 h 55 min', '64 h 09 min')

    .. versionadded:: 0.1.0
    """
    whole = int(_real(minutes, field="minutes") + 0.5)
    hours, rest = divmod(whole, 60)
    return f"{rest} min" if hours == 0 else f"{hours} h {rest:02d} min"


def _age(years: float) -> str:
    return f"{years:g} year" if years == 1 else f"{years:g} years"


def _g(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _vials(infusion: Infusion) -> str:
    parts = [
        f"{n}×{vial.grams_g:g}" if n > 1 else f"{vial.grams_g:g}"
        for vial, n in infusion.vials.vials
    ]
    return "+".join(parts) + " g"


def _rates(infusion: Infusion) -> str:
    return "→".join(f"{s.rate_ml_h:.0f}" for s in infusion.run.steps)


def _key(n: int) -> str:
    """Rate-step keys: A, B, ..., Z, then 27, 28, ..."""
    return chr(ord("A") + n) if n < 26 else str(n + 1)


#: The columns of :func:`days` aligned right.
_RIGHT: Final = frozenset(
    {"g/kg", "calc g", "disp g", "mL", "sites", "mL/site", "mL/h/site"}
)


def _day_rows(plan: Plan, rate_keys: Mapping[str, str] | None) -> list[dict[str, str]]:
    """One row per infusion (by column name), then the total row."""
    sc = plan.route is not Route.IV
    rows = []
    for i in plan.infusions:
        row = {
            "date": i.date.isoformat(),
            "phase": i.phase.value,
            "course": f"{i.cycle} d{i.day}/{i.days_in_course}",
            "g/kg": f"{i.dose_g_per_kg:.2f}",
            "calc g": f"{i.calculated_g:.2f}",
            "disp g": _g(i.dispensed_g),
            "vials": _vials(i),
            "mL": f"{i.volume_ml:.0f}",
        }
        if sc:
            row["sites"] = "" if i.sc is None else str(i.sc.sites)
            row["mL/site"] = "" if i.sc is None else f"{i.sc.volume_per_site_ml:.1f}"
            row["mL/h/site"] = "" if i.sc is None else f"{i.sc.rate_per_site_ml_h:.1f}"
        elif rate_keys is None:
            row["rate steps mL/h"] = _rates(i)
        else:
            row["rate"] = rate_keys[_rates(i)]
        row["duration"] = duration(i.run.duration_min)
        rows.append(row)
    rows.append(
        {
            "date": "total",
            "phase": plural(len(plan.cycles), "course"),
            "calc g": f"{plan.total_calculated_g:.2f}",
            "disp g": _g(plan.total_dispensed_g),
            "mL": f"{plan.total_volume_ml:.0f}",
            "duration": duration(plan.total_duration_min),
        }
    )
    return rows


def _grid(rows: list[dict[str, str]], columns: list[str], gap: str) -> list[str]:
    """*rows* as aligned text under a header, with rules around the body."""
    cells = [columns, *([row.get(c, "") for c in columns] for row in rows)]
    widths = [max(len(r[n]) for r in cells) for n in range(len(columns))]
    lines = []
    for n, row in enumerate(cells):
        text = gap.join(
            cell.rjust(w) if c in _RIGHT else cell.ljust(w)
            for c, cell, w in zip(columns, row, widths, strict=True)
        )
        lines.append(text.rstrip())
        if n in {0, len(cells) - 2}:
            lines.append(gap.join("-" * w for w in widths))
    return lines


def days(plan: Plan, *, width: int = _WIDTH) -> str:
    """The infusion days with vials, volume and duration, and a total row.

    An IV plan shows each day's rate steps (mL/h); an SC or facilitated-SC
    plan shows its sites, mL per site and mL/h per site instead.

    The table fits *width* columns where it can: if the full layout is
    wider, the rate steps move to a key below the table (``rate A: 34→68
    mL/h``), then the calculated grams (dose × dosing weight, before vial
    rounding) leave the table for a line below it, then the columns close up,
    then the phase column goes.

    .. versionadded:: 0.1.0
    """
    _instance(plan, Plan, field="plan")
    sc = plan.route is not Route.IV
    keys = dict.fromkeys(_rates(i) for i in plan.infusions)
    rate_keys = {steps: _key(n) for n, steps in enumerate(keys)}
    tail = ["sites", "mL/site", "mL/h/site"] if sc else ["rate steps mL/h"]
    full = ["date", "phase", "course", "g/kg", "calc g", "disp g", "vials", "mL"]
    layouts: list[tuple[bool, list[str], str]] = [
        (False, [*full, *tail, "duration"], "  ")
    ]
    narrow_tail = tail if sc else ["rate"]
    narrow = [c for c in full if c != "calc g"]
    layouts += [
        (not sc, [*full, *narrow_tail, "duration"], "  "),
        (not sc, [*narrow, *narrow_tail, "duration"], "  "),
        (not sc, [*narrow, *narrow_tail, "duration"], " "),
        # Last: without the phase (the course number still tells the days).
        (not sc, [c for c in narrow if c != "phase"] + [*narrow_tail, "duration"], " "),
    ]
    for keyed, columns, gap in layouts:  # pragma: no branch - the last one is used
        rows = _day_rows(plan, rate_keys if keyed else None)
        lines = _grid(rows, columns, gap)
        if max(map(len, lines)) <= width:
            break
    if "calc g" not in columns:
        lines += _wrap(
            f"calc g (g/kg × dosing weight, before vial rounding): "
            f"{plan.total_calculated_g:.2f} g in all",
            "  ",
            first="",
            width=width,
        )
    if keyed:
        lines += [f"rate {key}: {steps} mL/h" for steps, key in rate_keys.items()]
    return "\n".join(lines)


def derivation(plan: Plan, *, width: int = _WIDTH) -> str:
    """How the doses were derived: the plan's trace, wrapped to *width*.

    The per-infusion traces (vials, sites, rate) are left to :func:`days`.

    .. versionadded:: 0.1.0
    """
    _instance(plan, Plan, field="plan")
    lines = ["How the doses were derived:"]
    for t in plan.trace:
        if t.what.startswith("infusion of "):
            continue
        lines += _wrap(f"{t.what} = {t.value}", "      ", first="  - ", width=width)
        lines += _wrap(f"formula: {t.formula}", "      ", first="    ", width=width)
        lines += _wrap(f"inputs:  {t.inputs}", "      ", first="    ", width=width)
        lines += _wrap(f"source:  {t.source}", "      ", first="    ", width=width)
    return "\n".join(lines)


def _finding(report: SafetyReport, finding: Finding, width: int) -> list[str]:
    status = "" if finding.assessed else ", not assessed"
    mark = " (overridden)" if report.is_overridden(finding) else ""
    head = (
        f"{finding.severity.name}{status}: {finding.code.value} "
        f"({finding.concerns}){mark}"
    )
    lines = _wrap(head, "    ", first="  ", width=width)
    lines += _wrap(finding.message, "      ", width=width)
    lines += _wrap(f"Source: {finding.source}", "      ", width=width)
    return lines


def findings(report: SafetyReport, *, width: int = _WIDTH) -> str:
    """Every finding with its message and source, the overrides, the status.

    Lines are wrapped to *width*.

    .. versionadded:: 0.1.0
    """
    _instance(report, SafetyReport, field="report")
    blocking = report.blocking
    lines = [f"Safety findings ({len(report.findings)}):"]
    for finding in report.findings:
        lines += _finding(report, finding, width)
    for o in report.overrides:
        unused = " [matches no finding]" if o in report.unused_overrides else ""
        lines += _wrap(
            f"Override {o.code.value}: {o.reason}{unused}",
            "    ",
            first="  ",
            width=width,
        )
    lines.append("")
    if blocking:
        codes = ", ".join(dict.fromkeys(f.code.value for f in blocking))
        lines += _wrap(
            f"Status: BLOCKED by safety ({len(blocking)} blocking: {codes})",
            "    ",
            first="",
            width=width,
        )
    else:
        lines.append("Status: READY to issue (no blocking findings)")
    return "\n".join(lines)


def _reword(text: str, wording: Mapping[str, str]) -> str:
    for phrase, words in wording.items():
        text = text.replace(phrase, words)
    return text


def report(
    plan: Plan,
    *,
    patient: Patient | None = None,
    rate_weight: str | None = None,
    width: int = _WIDTH,
    wording: Mapping[str, str] | None = None,
) -> str:
    """The page ``ivig-core plan``, ``scig`` and ``show`` print for a plan.

    Args:
        plan: The plan, with its safety report (a plan without one says
            that its safety was not assessed).
        patient: The patient; by default the one the plan records
            (:attr:`~ivig_core.plan.PlanInputs.patient`), if any.
        rate_weight: The weight the per-kg rates were multiplied by
            (``"dosing"`` or ``"actual"``), if known.
        width: The page width in columns: prose is wrapped to it and the
            infusion table drops to a narrower layout to fit (:func:`days`).
        wording: Phrases of the plan's notes to say otherwise, e.g. a
            library argument replaced by the command-line option that sets
            it (the ``ivig-core`` command passes its own).

    .. versionadded:: 0.1.0
    """
    _instance(plan, Plan, field="plan")
    if patient is None and plan.inputs is not None:
        patient = plan.inputs.patient
    weight = plan.dosing_weight
    who = (
        "not stored in a plan document"
        if patient is None
        else f"{patient.sex.value}, {_age(patient.age_years)}, "
        f"{patient.height_cm:.1f} cm, {patient.weight_kg:.1f} kg"
    )
    basis = (
        f"{weight.weight_kg:.2f} kg ({weight.basis.value}, policy "
        f"{weight.policy}): {weight.reason}"
    )
    extent = (
        f"{plural(len(plan.cycles), 'course')}, "
        f"{plural(len(plan.infusions), 'infusion day')} "
        f"from {plan.start.isoformat()}, ended by {plan.ended}"
    )
    rates = "" if rate_weight is None else f"; rates on the {rate_weight} weight"
    indication = plan.indication or "no indication recorded"
    sc = plan.route is not Route.IV
    pad = " " * 16

    def head(label: str, text: str) -> list[str]:
        return _wrap(text, pad, first=f"{label + ':':<16}", width=width)

    lines = [
        *head("Patient", who),
        *head("Regimen", plan.regimen.name),
        *_wrap(f"Source: {plan.regimen.source}", pad, width=width),
        *head("Product", f"{plan.product} for {indication}"),
        *(head("Route", _ROUTES[plan.route]) if sc else []),
        *head("Dosing weight", basis),
        *head("Rounding", f"{plan.rounding}{rates}"),
        *head("Plan", extent),
        "",
        days(plan, width=width),
    ]
    reword = {} if wording is None else wording
    if plan.notes:
        lines += ["", "Notes:"]
        for note in plan.notes:
            lines += _wrap(_reword(note, reword), "    ", first="  - ", width=width)
    rate_notes = _rate_notes(plan)
    if rate_notes:
        lines += ["", "Infusion rates:"]
        for note in rate_notes:
            lines += _wrap(_reword(note, reword), "    ", first="  - ", width=width)
    if plan.reviews:
        lines += ["", "Review points (the prescriber decides at each):"]
        for point in plan.reviews:
            lines += _wrap(str(point), "    ", first="  - ", width=width)
    if sc:
        lines += ["", derivation(plan, width=width)]
    safety = (
        "Safety: not assessed (the plan carries no safety report)"
        if plan.safety is None
        else findings(plan.safety, width=width)
    )
    lines += ["", safety, "", DISCLAIMER]
    return "\n".join(lines) + "\n"
