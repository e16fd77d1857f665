"""The ``ivig-core`` command.

Verbs:

``ivig-core weight``
    BMI, ideal and adjusted body weight, and the dosing weight under every
    built-in policy with its reason.

``ivig-core plan``
    A dated plan for a patient, a regimen and a product: a table of the
    infusion days (date, phase, g/kg, grams, vials, mL, rate steps,
    duration), the notes and the safety findings; or the plan as JSON
    (``--format json``) or as an iCalendar file (``--format ics``); and a
    plot of the course (``--plot course.png``). Every clinically decisive
    choice is a required option: nothing is defaulted.

``ivig-core scig``
    Switch a maintenance patient from IVIg to a subcutaneous product: the
    IVIg dose and interval converted under an explicit rule (label factor,
    1:1 or your factor) and spread weekly, every 2 weeks, n times a week or
    (HyQvia, after its ramp-up) as the IVIg; or a fixed SC regimen preset
    (``--preset hizentra-cidp-0.2``). The same outputs as ``plan``: a table
    of the SC days (grams, volume, sites, mL and mL/h per site, duration),
    how each number was derived (factor and source, first day, site limits),
    and the safety findings; or JSON, or an iCalendar file.

``ivig-core example``
    A worked example from the seeds, with no arguments: seed 000's 2 g/kg
    induction then 1 g/kg maintenance, with the JND 2023 taper, for a
    documented example patient. It prints the equivalent ``plan`` command.

``ivig-core show FILE``
    Check a stored plan document (types, units, the plan's arithmetic) and
    show it like ``plan`` does, with the safety findings it carries.

``ivig-core products``
    The product catalogue.

Exit status:

* 0 (:data:`EXIT_OK`): success; for ``plan`` and ``scig``, the plan is
  ready to issue.
* 2 (:data:`EXIT_BAD_INPUT`): bad input or a plan that cannot be built, with
  a one-line message on stderr and no traceback.
* 3 (:data:`EXIT_BLOCKED`): the plan was built but safety blocks it (a hard
  limit, or a soft limit without ``--override CODE=REASON``). The table and
  the JSON are still printed, so the findings can be read; an iCalendar file
  is not written for a blocked plan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, NoReturn, TextIO

from ivig_core import units
from ivig_core.body import (
    ADJBW_FACTOR,
    IbwFormula,
    ShortStature,
    adjbw_kg,
    bmi_kg_m2,
    ibw_kg,
)
from ivig_core.dosing_weight import BUILTIN_POLICIES, dosing_weight
from ivig_core.errors import InputError, IvigError
from ivig_core.io import text
from ivig_core.patient import Patient


if TYPE_CHECKING:
    from ivig_core.infusion import RateSchedule
    from ivig_core.plan import Plan
    from ivig_core.planning.calendar import ClosedDays
    from ivig_core.planning.scig import FirstInfusions
    from ivig_core.planning.split import SplitLimits
    from ivig_core.products import Product
    from ivig_core.regimen import Regimen, Taper
    from ivig_core.safety import Override, SafetyReport
    from ivig_core.scig import ConversionRule, ScLimits
    from ivig_core.vials import RoundingPolicy


__all__ = [
    "EXAMPLE_ARGS",
    "EXIT_BAD_INPUT",
    "EXIT_BLOCKED",
    "EXIT_OK",
    "main",
]

#: Exit status on success (for ``plan``: the plan is ready to issue).
EXIT_OK: Final = 0
#: Exit status for bad input (argparse's own convention).
EXIT_BAD_INPUT: Final = 2
#: Exit status for a plan that safety blocks (hard or un-overridden soft limit).
EXIT_BLOCKED: Final = 3

_DISCLAIMER = text.DISCLAIMER

#: The worked example's ``plan`` arguments (``ivig-core example``). Each
#: choice is the example's, stated here and printed with the output:
#: seed 000's regimen (2 g/kg over 2-5 days: 2 days chosen; 1 g/kg every
#: 4 weeks: 1 day per course and 3 courses chosen), then the published JND
#: 2023 dose steps (90/75/50/25/0 % of the starting dose, 12 weeks each),
#: dosed on ideal body weight as seed 004's guideline does, with Octagam 10 %
#: (labelled for dermatomyositis) and its label's 1 to 4 mg/kg/min ramp in
#: steps of 1 mg/kg/min every 30 min (the step size and time are local
#: policy, not in the label).
EXAMPLE_ARGS: Final = (
    "--sex", "female", "--age", "54", "--height", "165 cm", "--weight", "92 kg",
    "--preset", "seed-000-myositis",
    "--induction-days", "2", "--maintenance-days", "1", "--cycles", "3",
    "--taper", "jnd-2023", "--taper-end", "stop",
    "--product", "octagam-10", "--indication", "dermatomyositis",
    "--start", "2026-01-05", "--policy", "ideal", "--rounding", "never-below",
    "--rate-weight", "dosing",
    "--rate-increment", "1 mg/kg/min", "--rate-interval", "30 min",
)  # fmt: skip

_PATIENT_FLAGS: Final = ("sex", "age", "height", "weight")
_PATIENT_FILE_KEYS: Final = frozenset(
    {
        "sex",
        "age",
        "height",
        "weight",
        "serum_iga",
        "serum_creatinine",
        "abo_group",
        "pregnant",
        "pre_pregnancy_weight",
        "risk_factors",
    }
)
_TAPERS: Final = ("jnd-2023", "procid-starting", "procid-previous")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line to stderr and exit with status 2."""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


class _UsageError(IvigError):
    """A usage problem found after parsing (private; exit 2)."""


def _age(text: str) -> object:
    """``--age 54`` means 54 years (documented); ``--age "18 month"`` too."""
    try:
        years = float(text)
    except ValueError:
        return text
    return units.quantity(years, units.YEAR)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ivig-core",
        description=f"Plan and check immunoglobulin therapy. {_DISCLAIMER}",
        epilog=(
            "Exit status: 0 success (plan ready to issue), 2 bad input, "
            "3 plan blocked by safety."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    weight = sub.add_parser(
        "weight",
        help="BMI, IBW, AdjBW and the dosing weight under every built-in policy",
        description=(
            "Print BMI, ideal body weight, adjusted body weight and the dosing "
            f"weight under every built-in policy, with reasons. {_DISCLAIMER}"
        ),
    )
    _add_patient_arguments(weight, required=True)
    weight.add_argument(
        "--formula",
        default="devine",
        choices=[f.value for f in IbwFormula],
        help="IBW formula for the IBW and AdjBW lines (default: devine)",
    )
    weight.add_argument(
        "--below-60in",
        default="refuse",
        choices=["refuse", "extrapolate", "clamp"],
        help="what the IBW line does below 60 in (default: refuse)",
    )
    plan = sub.add_parser(
        "plan",
        help="a dated plan with vials, volumes, rate steps and safety findings",
        description=(
            "Plan a regimen for a patient with a product, and check it. Every "
            f"clinically decisive choice is a required option. {_DISCLAIMER}"
        ),
        epilog="Exit status: 0 ready to issue, 2 bad input, 3 blocked by safety.",
    )
    _add_plan_arguments(plan)
    _add_output_arguments(plan)
    scig = sub.add_parser(
        "scig",
        help="switch from IVIg to a subcutaneous product: dated SC plan with "
        "sites, volumes and findings",
        description=(
            "Convert a patient's IVIg maintenance dose to a subcutaneous "
            "product (or plan a fixed SC regimen preset), lay the SC doses on "
            "a calendar with sites, volumes and rates per site, and check the "
            "plan. Every clinically decisive choice is a required option. "
            f"{_DISCLAIMER}"
        ),
        epilog="Exit status: 0 ready to issue, 2 bad input, 3 blocked by safety.",
    )
    _add_scig_arguments(scig)
    _add_output_arguments(scig)
    example = sub.add_parser(
        "example",
        help="a worked example from the seeds (seed 000 with a taper)",
        description=(
            "Run a worked example: seed 000's 2 g/kg induction, then 1 g/kg "
            "every 4 weeks, then the JND 2023 taper, for a documented example "
            f"patient. {_DISCLAIMER}"
        ),
    )
    _add_output_arguments(example)
    show = sub.add_parser(
        "show",
        help="check a stored plan document and show it (table, JSON or ICS)",
        description=(
            "Read a plan document written by ivig-core plan --format json (or "
            "plan_to_json), check it (types, units, totals), and show it with "
            f"its safety findings. {_DISCLAIMER}"
        ),
        epilog="Exit status: 0 ready to issue, 2 bad document, 3 blocked by safety.",
    )
    show.add_argument("file", type=Path, metavar="FILE", help="a plan JSON document")
    _add_output_arguments(show)
    sub.add_parser(
        "products",
        help="the product catalogue",
        description="List the product catalogue with its sources.",
    )
    return parser


def _add_patient_arguments(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    *,
    required: bool,
) -> None:
    parser.add_argument("--sex", required=required, help="male or female")
    parser.add_argument(
        "--age",
        required=required,
        type=_age,
        help="age in years (a bare number means years), or e.g. '18 month'",
    )
    parser.add_argument(
        "--height",
        required=required,
        help="height with its unit: '165 cm', '5 ft 5 in'",
    )
    parser.add_argument(
        "--weight", required=required, help="weight with its unit: '92 kg', '202.8 lb'"
    )
    parser.add_argument(
        "--pregnant",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="pregnancy status (omit if not recorded)",
    )
    parser.add_argument(
        "--pre-pregnancy-weight", default=None, help="used by the Ontario rule"
    )


def _add_patient_group(parser: argparse.ArgumentParser) -> None:
    """The patient options of ``plan`` and ``scig`` (:func:`_plan_patient`)."""
    who = parser.add_argument_group(
        "patient", "either --patient FILE, or --sex, --age, --height and --weight"
    )
    who.add_argument(
        "--patient",
        type=Path,
        metavar="FILE",
        help="a patient file: TOML or JSON with sex, age, height, weight, ... "
        "(values with units: weight = '92 kg'), or a patient JSON document",
    )
    _add_patient_arguments(who, required=False)
    who.add_argument("--serum-iga", help="serum IgA, e.g. '90 mg/dL' (if measured)")
    who.add_argument(
        "--serum-creatinine", help="serum creatinine, e.g. '0.9 mg/dL' (if measured)"
    )
    who.add_argument("--abo", help="ABO blood group: O, A, B or AB (if recorded)")
    who.add_argument(
        "--risk-factor",
        action="append",
        default=[],
        metavar="NAME",
        help="a recorded risk factor, e.g. diabetes (repeatable)",
    )


def _add_rounding_arguments(group: argparse._ArgumentGroup) -> None:
    """``--rounding`` and its parameters (:func:`_rounding`)."""
    group.add_argument(
        "--rounding",
        required=True,
        choices=["never-below", "nearest-within", "nearest-increment", "ontario"],
        help="vial rounding policy, applied once per course",
    )
    group.add_argument(
        "--rounding-tolerance", help="for nearest-within: '10 %%' or 0.1"
    )
    group.add_argument("--rounding-increment", help="for nearest-increment: '5 g'")


def _add_safety_group(parser: argparse.ArgumentParser) -> None:
    """``--override`` and ``--previous-product`` (:func:`_overrides`)."""
    safety = parser.add_argument_group("safety")
    safety.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="CODE=REASON",
        help="accept a soft limit with a reason (repeatable; recorded)",
    )
    safety.add_argument(
        "--previous-product", help="the product the patient had before, if any"
    )


def _add_plan_arguments(plan: argparse.ArgumentParser) -> None:
    _add_patient_group(plan)
    reg = plan.add_argument_group(
        "regimen", "either --preset NAME (with its open choices) or --regimen FILE"
    )
    reg.add_argument(
        "--preset",
        metavar="NAME",
        help="a regimen preset: seed-000-myositis, seed-004-privigen-dm, "
        "octagam10-dm, cidp-ice, ... (ivig_core.regimen.PRESETS)",
    )
    reg.add_argument(
        "--regimen",
        type=Path,
        metavar="FILE",
        help="a regimen JSON document (regimen_to_json)",
    )
    reg.add_argument(
        "--induction-days", help="days of the induction course, or 'fewest'"
    )
    reg.add_argument(
        "--maintenance-days", help="days per maintenance course, or 'fewest'"
    )
    reg.add_argument("--cycles", type=int, help="number of maintenance courses")
    reg.add_argument("--interval", help="replace the maintenance interval: '21 day'")
    reg.add_argument(
        "--taper",
        choices=_TAPERS,
        help="add a published taper: jnd-2023 (90/75/50/25/0 %%, 12 weeks each) "
        "or ProCID's -25 %% per infusion of the starting or previous dose",
    )
    reg.add_argument("--taper-end", choices=["stop"], help="end the taper by stopping")
    reg.add_argument(
        "--taper-floor", help="end the taper at a floor intensity: '0.1 g/kg/week'"
    )
    choices = plan.add_argument_group("product, dates and policies (all required)")
    choices.add_argument(
        "--product",
        required=True,
        metavar="NAME",
        help="a catalogue product (ivig-core products)",
    )
    choices.add_argument(
        "--indication",
        required=True,
        metavar="KEY",
        help="the label indication whose rates apply (dermatomyositis, cidp, ...)",
    )
    choices.add_argument(
        "--start",
        required=True,
        metavar="YYYY-MM-DD",
        help="the first infusion day",
    )
    choices.add_argument(
        "--policy",
        required=True,
        metavar="NAME",
        help=f"dosing-weight policy: {', '.join(BUILTIN_POLICIES)}",
    )
    _add_rounding_arguments(choices)
    choices.add_argument(
        "--rate-weight",
        required=True,
        choices=["dosing", "actual"],
        help="the weight per-kg infusion rates are multiplied by",
    )
    choices.add_argument(
        "--rate-increment",
        help="rate step size where the label gives none: '1 mg/kg/min'",
    )
    choices.add_argument(
        "--rate-interval",
        help="time per rate step where the label gives none: '30 min'",
    )
    choices.add_argument(
        "--rate-target", help="hold at this rate if below the labelled maximum"
    )
    choices.add_argument(
        "--at-risk-cap", help="a lower maximum rate for a patient at risk: '100 mL/h'"
    )
    limits = plan.add_argument_group("per-day limits and calendar (optional)")
    limits.add_argument(
        "--max-daily-dose", help="at most this dose per day: '1 g/kg/day'"
    )
    limits.add_argument(
        "--max-daily-grams", help="at most this many grams per day: '80 g/day'"
    )
    limits.add_argument(
        "--eighty-gram-rule",
        choices=["day", "course"],
        help="apply seed 004's 80 g rule to the daily dose or the course total",
    )
    limits.add_argument(
        "--granularity", help="dispense in whole multiples of this mass: '1 g'"
    )
    limits.add_argument(
        "--closed-weekends",
        action="store_true",
        help="the centre is closed on Saturdays and Sundays (courses move)",
    )
    limits.add_argument(
        "--closed-date",
        action="append",
        default=[],
        metavar="YYYY-MM-DD",
        help="a date the centre is closed (repeatable)",
    )
    _add_safety_group(plan)


def _add_scig_arguments(scig: argparse.ArgumentParser) -> None:
    _add_patient_group(scig)
    conv = scig.add_argument_group(
        "conversion",
        "either --ivig-dose, --ivig-interval, --rule and --frequency (an IVIg "
        "to SC conversion), or --preset NAME with --maintenance-days",
    )
    conv.add_argument(
        "--ivig-dose",
        metavar="DOSE",
        help="the current IVIg dose per course: '30 g', or '1 g/kg' (grams "
        "then come from the dosing weight under --policy)",
    )
    conv.add_argument(
        "--ivig-interval",
        metavar="INTERVAL",
        help="the current IVIg interval: '4 week', '21 day'",
    )
    conv.add_argument(
        "--rule",
        metavar="RULE",
        help="the conversion rule: 'label' (the product's US label factor), "
        "'1:1', or 'factor=F' (your own factor > 0, with --factor-reason)",
    )
    conv.add_argument(
        "--factor-reason",
        metavar="TEXT",
        help="why the factor of --rule factor=F (recorded)",
    )
    conv.add_argument(
        "--frequency",
        metavar="FREQ",
        help="weekly, every-2-weeks, N-per-week (N 2-7) for a 20 %% SC "
        "product; same-as-ivig for HyQvia",
    )
    conv.add_argument(
        "--preset",
        metavar="NAME",
        help="instead of a conversion, a fixed SC regimen: hizentra-cidp-0.2 "
        "or hizentra-cidp-0.4 (ivig_core.scig.SCIG_PRESETS)",
    )
    conv.add_argument(
        "--maintenance-days",
        metavar="N",
        help="with --preset: sessions (consecutive days) per week, 1 or 2",
    )
    choices = scig.add_argument_group("product, dates and policies (all required)")
    choices.add_argument(
        "--product",
        required=True,
        metavar="NAME",
        help="an SC product (ivig-core products: route sc or facilitated_sc)",
    )
    choices.add_argument(
        "--formulary",
        type=Path,
        metavar="FILE",
        help="a local formulary TOML (load_formulary) whose products replace "
        "the catalogue's of the same key, e.g. Cuvitru with your vial sizes",
    )
    choices.add_argument(
        "--last-ivig",
        metavar="YYYY-MM-DD",
        help="the last IVIg day; the first SC day follows the label's timing",
    )
    choices.add_argument(
        "--first-dose",
        metavar="YYYY-MM-DD",
        help="the first SC day (within the label's window if --last-ivig is "
        "given; required for HyQvia, whose timing is not in the reference)",
    )
    choices.add_argument(
        "--cycles",
        required=True,
        type=int,
        metavar="N",
        help="weeks (weekly, N-per-week), fortnights (every-2-weeks) or full "
        "doses after the HyQvia ramp-up to plan",
    )
    choices.add_argument(
        "--policy",
        required=True,
        metavar="NAME",
        help=f"dosing-weight policy: {', '.join(BUILTIN_POLICIES)}",
    )
    _add_rounding_arguments(choices)
    choices.add_argument(
        "--site-rate",
        required=True,
        metavar="RATE",
        help="the rate per site: 'label-maximum' or e.g. '20 mL/h'",
    )
    choices.add_argument(
        "--indication",
        metavar="KEY",
        help="the indication, if any: recorded and used by the safety checks",
    )
    limits = scig.add_argument_group(
        "site limits",
        "the catalogue's SC limits for the named situations; a value the "
        "catalogue lacks is an option here, with --limits-source (a value "
        "the catalogue gives cannot be replaced)",
    )
    limits.add_argument(
        "--situation",
        action="append",
        required=True,
        metavar="TEXT",
        help="a catalogue situation for the (later) infusions, e.g. 'PI, "
        "later infusions' (repeatable; the error lists the product's)",
    )
    limits.add_argument(
        "--first-situation",
        action="append",
        default=[],
        metavar="TEXT",
        help="the situation for the first infusion(s), e.g. 'PI, first "
        "infusion' (repeatable; with --first-count)",
    )
    limits.add_argument(
        "--first-count",
        type=int,
        metavar="N",
        help="how many infusions the --first-situation limits cover",
    )
    limits.add_argument(
        "--max-sites", type=int, metavar="N", help="the most sites at once"
    )
    limits.add_argument(
        "--max-volume-per-site", metavar="VOLUME", help="per-site volume: '25 mL'"
    )
    limits.add_argument(
        "--max-rate-per-site", metavar="RATE", help="per-site rate: '25 mL/h'"
    )
    limits.add_argument(
        "--max-total-rate", metavar="RATE", help="rate over all sites: '240 mL/h'"
    )
    limits.add_argument(
        "--max-volume-per-day", metavar="VOLUME", help="volume per day: '1200 mL'"
    )
    limits.add_argument(
        "--limits-source",
        metavar="TEXT",
        help="where the values above come from, e.g. 'infusion-centre "
        "protocol 12' (required with any of them)",
    )
    _add_safety_group(scig)


def _add_output_arguments(parser: argparse.ArgumentParser) -> None:
    out = parser.add_argument_group("output")
    out.add_argument(
        "--format",
        choices=["table", "json", "ics"],
        default="table",
        help="table (default), json (the plan document) or ics (iCalendar)",
    )
    out.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help="also save a plot of the course (.png or .svg)",
    )


# --------------------------------------------------------------------------
# weight


def _patient(args: argparse.Namespace) -> Patient:
    return Patient(
        sex=args.sex,
        age=args.age,
        height=args.height,
        weight=args.weight,
        pregnant=args.pregnant,
        pre_pregnancy_weight=args.pre_pregnancy_weight,
    )


def _weight_report(args: argparse.Namespace, out: TextIO) -> int:
    patient = _patient(args)
    formula = IbwFormula.parse(args.formula)
    below: ShortStature = args.below_60in
    weight_kg = patient.weight_kg
    out.write(
        f"Patient: {patient.sex.value}, {patient.age_years:g} year, "
        f"{patient.height_cm:.1f} cm, {weight_kg:.1f} kg\n"
    )
    out.write(f"BMI: {bmi_kg_m2(weight_kg, patient.height_cm):.1f} kg/m²\n")
    try:
        ideal = ibw_kg(
            patient.height_cm, patient.sex, formula, below, patient.age_years
        )
    except InputError as exc:
        out.write(f"IBW ({formula.value}): not computed: {exc}\n")
    else:
        adjusted = adjbw_kg(weight_kg, ideal, ADJBW_FACTOR)
        out.write(f"IBW ({formula.value}): {ideal:.1f} kg\n")
        out.write(f"AdjBW (factor {ADJBW_FACTOR:g}): {adjusted:.1f} kg\n")
    out.write("\nDosing weight by policy:\n")
    width = max(len(name) for name in BUILTIN_POLICIES)
    for name, policy in BUILTIN_POLICIES.items():
        try:
            result = dosing_weight(patient, policy)
        except InputError as exc:
            out.write(f"  {name:<{width}}  not applicable: {exc}\n")
        else:
            out.write(
                f"  {name:<{width}}  {result.weight_kg:6.1f} kg  "
                f"{result.basis.value:<13}  {result.reason}\n"
            )
    out.write(f"\n{_DISCLAIMER}\n")
    return EXIT_OK


# --------------------------------------------------------------------------
# products


def _products(_: argparse.Namespace, out: TextIO) -> int:
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
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)]
        out.write("  ".join([*cells, row[-1]]).rstrip() + "\n")
    out.write(
        "\nEach value group carries its source: see ivig_core.products and the "
        "docs' product reference.\n"
    )
    return EXIT_OK


# --------------------------------------------------------------------------
# The plan verb: inputs


def _read_mapping(path: Path, what: str) -> Mapping[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(what, str(path), "a readable file", str(exc)) from None
    try:
        if path.suffix.lower() == ".toml":
            data: object = tomllib.loads(text)
        else:
            data = json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            what, str(path), "a TOML (.toml) or JSON file", f"{path}: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise InputError(what, str(path), "a table/object of fields")
    return data


def _patient_from_file(path: Path) -> Patient:
    data = _read_mapping(path, "--patient")
    if "schema" in data:
        from ivig_core.io.json import patient_from_json  # noqa: PLC0415 - extra

        return patient_from_json(path.read_text(encoding="utf-8"))
    unknown = sorted(set(data) - _PATIENT_FILE_KEYS)
    if unknown:
        raise InputError(
            f"--patient {path}: {unknown[0]}",
            data[unknown[0]],
            f"one of the fields {sorted(_PATIENT_FILE_KEYS)}",
            "unknown field",
        )
    for key in _PATIENT_FLAGS:
        if key not in data:
            raise InputError(
                f"--patient {path}: {key}", None, "a value", "required field missing"
            )
    return Patient(**data)


def _plan_patient(args: argparse.Namespace) -> Patient:
    extra = {
        "serum_iga": args.serum_iga,
        "serum_creatinine": args.serum_creatinine,
        "abo_group": args.abo,
        "risk_factors": args.risk_factor,
    }
    if args.patient is not None:
        given = [f"--{k}" for k in _PATIENT_FLAGS if getattr(args, k) is not None]
        if given:
            msg = f"--patient and {', '.join(given)} cannot be combined"
            raise _UsageError(msg)
        patient = _patient_from_file(args.patient)
        if any(v for v in extra.values()):
            msg = "with --patient, give the laboratory values in the file"
            raise _UsageError(msg)
        return patient
    missing = [f"--{k}" for k in _PATIENT_FLAGS if getattr(args, k) is None]
    if missing:
        msg = (
            "the following arguments are required: "
            f"{', '.join(missing)} (or --patient FILE)"
        )
        raise _UsageError(msg)
    return Patient(
        sex=args.sex,
        age=args.age,
        height=args.height,
        weight=args.weight,
        pregnant=args.pregnant,
        pre_pregnancy_weight=args.pre_pregnancy_weight,
        **extra,
    )


def _days(text: str | None, flag: str) -> int | str | None:
    if text is None or text == "fewest":
        return text
    try:
        return int(text)
    except ValueError:
        raise InputError(flag, text, "a whole number of days or 'fewest'") from None


def _taper(args: argparse.Namespace) -> Taper | None:
    from ivig_core.regimen import (  # noqa: PLC0415 - lazy
        DoseSteps,
        Floor,
        PercentPerInfusion,
        Stop,
        Taper,
    )

    if args.taper is None:
        if args.taper_end or args.taper_floor:
            msg = "--taper-end/--taper-floor need --taper"
            raise _UsageError(msg)
        return None
    if (args.taper_end is None) == (args.taper_floor is None):
        msg = "--taper needs exactly one of --taper-end stop or --taper-floor"
        raise _UsageError(msg)
    end = Stop() if args.taper_end else Floor(intensity=args.taper_floor)
    if args.taper == "jnd-2023":
        return Taper(strategy=DoseSteps.jnd_2023(), end=end)
    if args.taper == "procid-starting":
        return Taper(strategy=PercentPerInfusion.procid(of="starting"), end=end)
    return Taper(strategy=PercentPerInfusion.procid(of="previous"), end=end)


def _regimen(args: argparse.Namespace) -> Regimen:
    from ivig_core.regimen import get_preset  # noqa: PLC0415 - lazy

    if (args.preset is None) == (args.regimen is None):
        msg = "give exactly one of --preset NAME or --regimen FILE"
        raise _UsageError(msg)
    if args.regimen is not None:
        from ivig_core.io.json import regimen_from_json  # noqa: PLC0415 - extra

        try:
            text = args.regimen.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(
                "--regimen", str(args.regimen), "a file", str(exc)
            ) from None
        base = regimen_from_json(text)
    else:
        base = get_preset(args.preset)
    taper = _taper(args)
    return base.choose(
        induction_days=_days(args.induction_days, "--induction-days"),  # type: ignore[arg-type]
        maintenance_days=_days(args.maintenance_days, "--maintenance-days"),  # type: ignore[arg-type]
        cycles=args.cycles,
        interval=args.interval,
        taper="keep" if taper is None else taper,
    )


def _rounding(args: argparse.Namespace) -> RoundingPolicy:
    from ivig_core.vials import get_rounding  # noqa: PLC0415 - lazy

    params: dict[str, object] = {}
    if args.rounding_tolerance is not None:
        params["tolerance"] = args.rounding_tolerance
    if args.rounding_increment is not None:
        params["increment"] = args.rounding_increment
    return get_rounding(args.rounding, **params)


def _schedule(args: argparse.Namespace, product: Product) -> RateSchedule:
    from ivig_core.infusion import rate_schedule  # noqa: PLC0415 - lazy

    return rate_schedule(
        product,
        args.indication,
        increment=args.rate_increment,
        interval=args.rate_interval,
        target=args.rate_target,
    )


def _date(text: str, flag: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or len(text) != len("2026-01-05"):
        raise InputError(flag, text, "a date as YYYY-MM-DD")
    return day


def _limits(args: argparse.Namespace) -> SplitLimits | None:
    from ivig_core.planning.split import (  # noqa: PLC0415 - lazy
        EightyGramRule,
        SplitLimits,
    )

    given = (
        args.max_daily_dose,
        args.max_daily_grams,
        args.eighty_gram_rule,
        args.granularity,
    )
    if all(value is None for value in given):
        return None
    rule = (
        None
        if args.eighty_gram_rule is None
        else EightyGramRule(applies_to=args.eighty_gram_rule)
    )
    return SplitLimits(
        max_daily_dose=args.max_daily_dose,
        max_daily_grams=args.max_daily_grams,
        eighty_gram_rule=rule,
        granularity=args.granularity,
    )


def _closed(args: argparse.Namespace) -> ClosedDays | None:
    from ivig_core.planning.calendar import ClosedDays  # noqa: PLC0415 - lazy

    dates = frozenset(_date(text, "--closed-date") for text in args.closed_date)
    if not args.closed_weekends and not dates:
        return None
    weekdays = frozenset({5, 6}) if args.closed_weekends else frozenset()
    return ClosedDays(weekdays=weekdays, dates=dates)


def _overrides(items: Sequence[str]) -> tuple[Override, ...]:
    from ivig_core.safety import Override  # noqa: PLC0415 - lazy

    out = []
    for item in items:
        code, sep, reason = item.partition("=")
        if not sep:
            raise InputError("--override", item, "CODE=REASON, e.g. X=discussed")
        out.append(Override(code=code.strip(), reason=reason.strip()))
    return tuple(out)


# --------------------------------------------------------------------------
# The plan verb


def _run_plan(args: argparse.Namespace, out: TextIO) -> int:
    from ivig_core.planning.course import plan_course  # noqa: PLC0415 - lazy
    from ivig_core.products import get_product  # noqa: PLC0415

    patient = _plan_patient(args)
    regimen = _regimen(args)
    product = get_product(args.product)
    plan = plan_course(
        patient,
        regimen,
        product,
        start=_date(args.start, "--start"),
        policy=args.policy,
        rounding=_rounding(args),
        indication=args.indication,
        rate_weight=args.rate_weight,
        rate_schedule=_schedule(args, product),
        at_risk_cap=args.at_risk_cap,
        closed=_closed(args),
        limits=_limits(args),
        overrides=_overrides(args.override),
        previous_product=args.previous_product,
    )
    report = plan.safety
    if report is None:  # pragma: no cover - plan_course always assesses
        msg = "the plan carries no safety report"
        raise _UsageError(msg)
    return _emit(plan, report, args, out, patient=patient)


def _emit(
    plan: Plan,
    report: SafetyReport,
    args: argparse.Namespace,
    out: TextIO,
    *,
    patient: Patient | None,
) -> int:
    blocked = not report.ready_to_issue
    if args.format == "ics":
        if blocked:
            codes = ", ".join(dict.fromkeys(f.code.value for f in report.blocking))
            sys.stderr.write(
                f"ivig-core: blocked by safety ({codes}); no calendar is written "
                "for a plan that is not ready to issue\n"
            )
            return EXIT_BLOCKED
        from ivig_core.io.ical import plan_to_ics  # noqa: PLC0415 - extra

        out.write(plan_to_ics(plan).decode("utf-8"))
    elif args.format == "json":
        from ivig_core.io.json import plan_to_json  # noqa: PLC0415 - extra

        out.write(plan_to_json(plan) + "\n")
    else:
        rate_weight = getattr(args, "rate_weight", None)
        out.write(text.report(plan, patient=patient, rate_weight=rate_weight))
    if args.plot is not None:
        from ivig_core.io.plot import plot_course  # noqa: PLC0415 - extra

        plot_course(plan, args.plot)
    if blocked:
        codes = ", ".join(dict.fromkeys(f.code.value for f in report.blocking))
        sys.stderr.write(f"ivig-core: blocked by safety: {codes}\n")
        return EXIT_BLOCKED
    return EXIT_OK


# --------------------------------------------------------------------------
# The scig verb


_SITE_PARAMETERS: Final = (
    "--max-sites",
    "--max-volume-per-site",
    "--max-rate-per-site",
    "--max-total-rate",
    "--max-volume-per-day",
)
_CONVERSION_FLAGS: Final = ("ivig_dose", "ivig_interval", "rule", "frequency")
#: The API's field names in errors, as the ``scig`` options that set them.
_SCIG_FLAGS: Final = {
    "ivig_dose": "--ivig-dose",
    "ivig_interval": "--ivig-interval",
    "interval": "--ivig-interval",
    "frequency": "--frequency",
    "rule": "--rule",
    "rule.factor": "--rule",
    "rule.reason": "--factor-reason",
    "product": "--product",
    "preset": "--preset",
    "cycles": "--cycles",
    "first_dose": "--first-dose",
    "start": "--first-dose",
    "last_ivig": "--last-ivig",
    "situation": "--situation",
    "limits": "--situation/--first-situation",
    "first_infusions.count": "--first-count",
    "max_sites": "--max-sites",
    "volume_per_site": "--max-volume-per-site",
    "rate_per_site": "--max-rate-per-site",
    "total_rate": "--max-total-rate",
    "volume_per_day": "--max-volume-per-day",
    "site_rate": "--site-rate",
}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _sc_rule(args: argparse.Namespace) -> ConversionRule:
    from ivig_core.scig import LabelFactor, OneToOne, UserFactor  # noqa: PLC0415

    text = args.rule.strip().lower()
    if text != "factor" and not text.startswith("factor="):
        if args.factor_reason is not None:
            msg = "--factor-reason goes with --rule factor=F"
            raise _UsageError(msg)
        if text == "label":
            return LabelFactor()
        if text in {"1:1", "one-to-one"}:
            return OneToOne()
        raise InputError("--rule", args.rule, "label, 1:1 or factor=F (F > 0)")
    number = text.partition("=")[2].strip()
    try:
        factor = float(number)
    except ValueError:
        raise InputError(
            "--rule", args.rule, "factor=F with a number F > 0, e.g. factor=1.2"
        ) from None
    if args.factor_reason is None:
        UserFactor(factor)  # a factor ≤ 0 is named before the missing reason
        msg = "--rule factor=F needs --factor-reason TEXT (recorded with the factor)"
        raise _UsageError(msg)
    return UserFactor(factor, reason=args.factor_reason)


def _sc_catalogue_product(args: argparse.Namespace) -> Product:
    from ivig_core.products import (  # noqa: PLC0415 - lazy
        Catalogue,
        default_catalogue,
        get_product,
        load_formulary,
    )
    from ivig_core.scig import sc_product  # noqa: PLC0415 - lazy

    if args.formulary is None:
        product = get_product(args.product)
    else:
        local = load_formulary(args.formulary)
        both = Catalogue(
            products={**default_catalogue(), **local},
            origin=f"the shipped catalogue + {args.formulary}",
        )
        product = get_product(args.product, both)
    product, _ = sc_product(product)
    return product


def _need_vials(product: Product, args: argparse.Namespace) -> None:
    if product.vials:
        return
    where = (
        "the catalogue"
        if args.formulary is None
        else f"the catalogue or {args.formulary}"
    )
    msg = (
        f"--product {args.product}: {product.name} has no vial sizes in {where} "
        "(UNCONFIRMED in the reference), so no dose can be dispensed; give your "
        "pharmacy's vials in a formulary file with --formulary FILE (the "
        "shipped catalogue's TOML format, read by load_formulary)"
    )
    raise _UsageError(msg)


def _site_limits(
    args: argparse.Namespace, product: Product, situation: Sequence[str], flag: str
) -> ScLimits:
    from ivig_core.scig import ScLimits  # noqa: PLC0415 - lazy

    try:
        return ScLimits.from_product(
            product,
            situation=situation,
            max_sites=args.max_sites,
            volume_per_site=args.max_volume_per_site,
            rate_per_site=args.max_rate_per_site,
            total_rate=args.max_total_rate,
            volume_per_day=args.max_volume_per_day,
            # Checked by _sc_limits: given whenever a value above is.
            parameter_source=args.limits_source or "",
        )
    except InputError as exc:
        if exc.field != "situation":
            raise
        raise type(exc)(flag, exc.value, exc.allowed, exc.detail) from None


def _sc_limits(
    args: argparse.Namespace, product: Product
) -> tuple[ScLimits, FirstInfusions | None]:
    from ivig_core.planning.scig import FirstInfusions  # noqa: PLC0415 - lazy

    given = [
        flag
        for flag in _SITE_PARAMETERS
        if getattr(args, flag[2:].replace("-", "_")) is not None
    ]
    if given and args.limits_source is None:
        msg = (
            f"{', '.join(given)} need --limits-source TEXT (where the value comes from)"
        )
        raise _UsageError(msg)
    if args.limits_source is not None and not given:
        msg = "--limits-source goes with a --max-... site-limit option"
        raise _UsageError(msg)
    limits = _site_limits(args, product, args.situation, "--situation")
    if not args.first_situation:
        if args.first_count is not None:
            msg = "--first-count needs --first-situation TEXT"
            raise _UsageError(msg)
        return limits, None
    if args.first_count is None:
        msg = "--first-situation needs --first-count N (how many infusions)"
        raise _UsageError(msg)
    first = _site_limits(args, product, args.first_situation, "--first-situation")
    return limits, FirstInfusions(limits=first, count=args.first_count)


def _run_scig(args: argparse.Namespace, out: TextIO) -> int:
    """The ``scig`` verb; an error names the option, not the API's argument."""
    try:
        return _scig(args, out)
    except InputError as exc:
        flag = _SCIG_FLAGS.get(exc.field)
        if flag is None:
            raise
        raise type(exc)(flag, exc.value, exc.allowed, exc.detail) from None


def _scig(args: argparse.Namespace, out: TextIO) -> int:
    from ivig_core.planning.scig import (  # noqa: PLC0415 - lazy
        plan_scig,
        plan_scig_regimen,
    )
    from ivig_core.scig import convert_to_scig, get_scig_preset  # noqa: PLC0415

    patient = _plan_patient(args)
    given = [_flag(k) for k in _CONVERSION_FLAGS if getattr(args, k) is not None]
    if args.preset is not None:
        if given or args.factor_reason is not None:
            msg = (
                f"--preset and {', '.join(given) or '--factor-reason'} cannot be "
                "combined: a preset's dose is not derived from the IVIg dose"
            )
            raise _UsageError(msg)
        if args.maintenance_days is None:
            msg = "--preset needs --maintenance-days N (sessions per week)"
            raise _UsageError(msg)
    else:
        missing = [_flag(k) for k in _CONVERSION_FLAGS if getattr(args, k) is None]
        if missing:
            msg = (
                f"the following arguments are required: {', '.join(missing)} "
                "(or --preset NAME)"
            )
            raise _UsageError(msg)
        if args.maintenance_days is not None:
            msg = "--maintenance-days goes with --preset"
            raise _UsageError(msg)
    product = _sc_catalogue_product(args)
    last_ivig = None if args.last_ivig is None else _date(args.last_ivig, "--last-ivig")
    first_dose = (
        None if args.first_dose is None else _date(args.first_dose, "--first-dose")
    )
    if args.preset is not None:
        regimen = get_scig_preset(args.preset).choose(
            maintenance_days=_days(args.maintenance_days, "--maintenance-days"),  # type: ignore[arg-type]
            cycles=args.cycles,
        )
    else:
        conversion = convert_to_scig(
            ivig_dose=args.ivig_dose,
            ivig_interval=args.ivig_interval,
            product=product,
            rule=_sc_rule(args),
            frequency=args.frequency,
            last_ivig=last_ivig,
        )
    limits, first = _sc_limits(args, product)
    _need_vials(product, args)
    common = {
        "policy": args.policy,
        "rounding": _rounding(args),
        "limits": limits,
        "site_rate": args.site_rate,
        "first_infusions": first,
        "indication": args.indication,
        "overrides": _overrides(args.override),
        "previous_product": args.previous_product,
    }
    if args.preset is not None:
        sc = plan_scig_regimen(
            patient, regimen, product, start=first_dose, last_ivig=last_ivig, **common
        )
    else:
        sc = plan_scig(
            patient, conversion, cycles=args.cycles, first_dose=first_dose, **common
        )
    report = sc.plan.safety
    if report is None:  # pragma: no cover - plan_scig always assesses
        msg = "the plan carries no safety report"
        raise _UsageError(msg)
    return _emit(sc.plan, report, args, out, patient=patient)


def _show(args: argparse.Namespace, out: TextIO) -> int:
    from ivig_core.io.json import plan_from_json  # noqa: PLC0415 - extra

    path: Path = args.file
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise InputError(
            "show", str(path), "a readable plan document", str(exc)
        ) from None
    plan = plan_from_json(text)
    if plan.safety is None:
        raise InputError(
            "safety",
            None,
            "a plan document with its safety report (made by plan_course)",
            f"{path} holds a plan without a safety report",
        )
    return _emit(plan, plan.safety, args, out, patient=None)


def _example(args: argparse.Namespace, out: TextIO) -> int:
    parser = _build_parser()
    plan_args = parser.parse_args(["plan", *EXAMPLE_ARGS])
    plan_args.format = args.format
    plan_args.plot = args.plot
    if args.format == "table":
        command = " ".join(
            f"'{a}'" if " " in a else a for a in ("ivig-core", "plan", *EXAMPLE_ARGS)
        )
        out.write("Worked example (seed 000 with the JND 2023 taper), the same as:\n")
        out.write(f"  {command}\n\n")
    return _run_plan(plan_args, out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ivig-core`` command; return its exit status.

    Args:
        argv: The arguments (without the program name); ``sys.argv[1:]`` if
            ``None``.

    Returns:
        :data:`EXIT_OK`, :data:`EXIT_BAD_INPUT` or :data:`EXIT_BLOCKED`.

    .. versionadded:: 0.1.0
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    handlers = {
        "weight": _weight_report,
        "plan": _run_plan,
        "scig": _run_scig,
        "example": _example,
        "show": _show,
        "products": _products,
    }
    try:
        return handlers[args.command](args, sys.stdout)
    except IvigError as exc:
        message = " ".join(str(exc).split())
        sys.stderr.write(f"ivig-core: error: {message}\n")
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
