"""What ``ivig-core`` writes: a plan in the chosen format, weights, products.

:func:`emit` picks the plan's format (the text report of
:func:`ivig_core.io.text.report`, the JSON document, or an iCalendar file,
which is not written for a blocked plan), saves the plot if asked, and says
on stderr when safety blocks the plan. :func:`weights` and :func:`products`
print the ``weight`` and ``products`` verbs.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from ivig_core.body import (
    ADJBW_FACTOR,
    IbwFormula,
    ShortStature,
    adjbw_kg,
    bmi_kg_m2,
    ibw_kg,
)
from ivig_core.dosing_weight import BUILTIN_POLICIES, dosing_weight
from ivig_core.errors import InputError
from ivig_core.io.text import DISCLAIMER, report


if TYPE_CHECKING:
    from pathlib import Path

    from ivig_core.patient import Patient
    from ivig_core.plan import Plan


__all__ = ["emit", "products", "weights"]


def _codes(plan: Plan) -> str:
    safety = plan.safety
    blocking = () if safety is None else safety.blocking
    return ", ".join(dict.fromkeys(f.code.value for f in blocking))


def emit(
    plan: Plan,
    out: TextIO,
    *,
    fmt: str,
    plot: Path | None,
    patient: Patient | None,
    rate_weight: str | None,
    width: int = 100,
    wording: Mapping[str, str] | None = None,
) -> bool:
    """Write *plan* to *out* as *fmt*; return whether it is ready to issue.

    Args:
        plan: The plan, with its safety report.
        out: Where to write.
        fmt: ``"table"`` (the text report), ``"json"`` or ``"ics"``.
        plot: Also save a plot of the course there, if given.
        patient: The patient, for the report's first line (not stored in a
            plan document).
        rate_weight: The weight per-kg rates were multiplied by, if known.
        width: The page width of the text report.
        wording: Library phrases of the notes, as the command says them.
    """
    ready = plan.ready_to_issue
    if fmt == "ics":
        if not ready:
            sys.stderr.write(
                f"ivig-core: blocked by safety ({_codes(plan)}); no calendar is "
                "written for a plan that is not ready to issue\n"
            )
            return False
        from ivig_core.io.ical import plan_to_ics  # noqa: PLC0415 - extra

        out.write(plan_to_ics(plan).decode("utf-8"))
    elif fmt == "json":
        from ivig_core.io.json import plan_to_json  # noqa: PLC0415 - extra

        out.write(plan_to_json(plan) + "\n")
    elif fmt == "html":
        from ivig_core.io.html import plan_to_html  # noqa: PLC0415 - extra

        out.write(
            plan_to_html(
                plan, patient=patient, rate_weight=rate_weight, wording=wording
            )
        )
    else:
        out.write(
            report(
                plan,
                patient=patient,
                rate_weight=rate_weight,
                width=width,
                wording=wording,
            )
        )
    if plot is not None:
        from ivig_core.io.plot import plot_course  # noqa: PLC0415 - extra

        plot_course(plan, plot)
    if not ready:
        sys.stderr.write(f"ivig-core: blocked by safety: {_codes(plan)}\n")
    return ready


def weights(
    patient: Patient,
    formula: IbwFormula,
    below: ShortStature,
    out: TextIO,
    *,
    width: int = 100,
    wording: Mapping[str, str] | None = None,
) -> None:
    """BMI, IBW, AdjBW and the dosing weight under every built-in policy.

    Each policy's reason is wrapped to *width* columns; *wording* replaces
    library phrases (argument names) with the command's.
    """

    def say(text: str) -> str:
        for phrase, words in (wording or {}).items():
            text = text.replace(phrase, words)
        return text

    def wrapped(head: str, text: str) -> str:
        lines = textwrap.wrap(
            say(text),
            width=max(width - len(head), 30),
            break_on_hyphens=False,
            break_long_words=False,
        )
        return head + f"\n{' ' * len(head)}".join(lines) + "\n"

    weight_kg = patient.weight_kg
    years = patient.age_years
    out.write(
        f"Patient: {patient.sex.value}, {years:g} year{'' if years == 1 else 's'}, "
        f"{patient.height_cm:.1f} cm, {weight_kg:.1f} kg\n"
    )
    out.write(f"BMI: {bmi_kg_m2(weight_kg, patient.height_cm):.1f} kg/m²\n")
    try:
        ideal = ibw_kg(
            patient.height_cm, patient.sex, formula, below, patient.age_years
        )
    except InputError as exc:
        out.write(wrapped(f"IBW ({formula.value}): ", f"not computed: {exc}"))
    else:
        adjusted = adjbw_kg(weight_kg, ideal, ADJBW_FACTOR)
        out.write(f"IBW ({formula.value}): {ideal:.1f} kg\n")
        out.write(f"AdjBW (factor {ADJBW_FACTOR:g}): {adjusted:.1f} kg\n")
    out.write("\nDosing weight by policy:\n")
    name_width = max(len(name) for name in BUILTIN_POLICIES)
    for name, policy in BUILTIN_POLICIES.items():
        try:
            result = dosing_weight(patient, policy)
        except InputError as exc:
            out.write(wrapped(f"  {name:<{name_width}}  ", f"not applicable: {exc}"))
        else:
            head = f"  {name:<{name_width}}  {result.weight_kg:6.1f} kg  "
            head += f"{result.basis.value:<13}  "
            out.write(wrapped(head, result.reason))
    out.write(f"\n{DISCLAIMER}\n")


def products(out: TextIO, *, width: int = 100) -> None:
    """The product catalogue: key, name, concentration, routes, vials.

    The last column (indications) is wrapped to fit *width* columns.
    """
    from ivig_core.products import default_catalogue  # noqa: PLC0415 - lazy

    catalogue = default_catalogue()
    rows = [("key", "name", "conc.", "routes", "vials (g)", "indications")]
    for key in catalogue:
        p = catalogue[key]
        rows.append(
            (
                p.key,
                p.name,
                f"{p.concentration_percent:g} %",
                ",".join(r.value for r in p.routes),
                ", ".join(f"{v.grams_g:g}" for v in p.vials) or "UNCONFIRMED",
                ", ".join(p.indications) or "-",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lead = sum(widths) + 2 * len(widths)
    if width - lead >= 20:  # the narrowest useful last column
        for row in rows:
            cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)]
            last = textwrap.wrap(row[-1], width=width - lead, break_on_hyphens=False)
            out.write("  ".join([*cells, last[0]]).rstrip() + "\n")
            out.writelines(f"{' ' * lead}{more}\n" for more in last[1:])
    else:  # too narrow: vials and indications on indented lines of their own
        for number, row in enumerate(rows):
            cells = [c.ljust(w) for c, w in zip(row[:4], widths, strict=False)]
            out.write("  ".join(cells).rstrip() + "\n")
            extra = (
                [f"{row[4]}; {row[5]}"]
                if number == 0
                else [f"vials (g): {row[4]}", f"indications: {row[5]}"]
            )
            for text in extra:
                wrapped = textwrap.wrap(
                    text,
                    width=max(width, 40),
                    initial_indent=" " * 4,
                    subsequent_indent=" " * 6,
                    break_on_hyphens=False,
                )
                out.writelines(f"{line}\n" for line in wrapped)
    note = (
        "Each value group carries its source: see ivig_core.products and the "
        "docs' product reference."
    )
    out.write("\n" + "\n".join(textwrap.wrap(note, width=max(width, 40))) + "\n")
