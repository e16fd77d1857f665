"""The ``ivig-core`` command.

Verbs:

``ivig-core weight``
    BMI, ideal and adjusted body weight, and the dosing weight under every
    built-in policy with its reason.

Exit status: 0 on success; 2 for bad input, with a one-line message on
stderr and no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

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
from ivig_core.patient import Patient


__all__ = ["EXIT_BAD_INPUT", "EXIT_OK", "main"]

#: Exit status on success.
EXIT_OK = 0
#: Exit status for bad input (argparse's own convention).
EXIT_BAD_INPUT = 2

_DISCLAIMER = "ivig_core computes and checks; it does not prescribe."


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line to stderr and exit with status 2."""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


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
    _add_patient_arguments(weight)
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
    return parser


def _add_patient_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sex", required=True, help="male or female")
    parser.add_argument(
        "--age",
        required=True,
        type=_age,
        help="age in years (a bare number means years), or e.g. '18 month'",
    )
    parser.add_argument(
        "--height", required=True, help="height with its unit: '165 cm', '5 ft 5 in'"
    )
    parser.add_argument(
        "--weight", required=True, help="weight with its unit: '92 kg', '202.8 lb'"
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ivig-core`` command; return its exit status.

    Args:
        argv: The arguments (without the program name); ``sys.argv[1:]`` if
            ``None``.

    .. versionadded:: 0.1.0
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    handlers = {"weight": _weight_report}
    try:
        return handlers[args.command](args, sys.stdout)
    except IvigError as exc:
        sys.stderr.write(f"ivig-core: error: {exc}\n")
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
