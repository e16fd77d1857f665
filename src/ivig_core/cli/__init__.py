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

``ivig-core replan``
    The rest of a course planned again from a date: a stored plan
    (``--from-plan``), what was given (``--history``), the plan's options
    again with the patient as now, and the decision at a review
    (``--decision``); the history file holds ``[[administered]]`` records
    (TOML or JSON).

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

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final, TextIO

from ivig_core.body import IbwFormula
from ivig_core.cli import build, render, replan
from ivig_core.cli.parser import EXAMPLE_ARGS, ArgumentsError, build_parser
from ivig_core.errors import IvigError


if TYPE_CHECKING:
    import argparse

    from ivig_core.patient import Patient
    from ivig_core.plan import Plan


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


def _emit(
    plan: Plan, args: argparse.Namespace, out: TextIO, *, patient: Patient | None
) -> int:
    ready = render.emit(
        plan,
        out,
        fmt=args.format,
        plot=args.plot,
        patient=patient,
        rate_weight=getattr(args, "rate_weight", None),
    )
    return EXIT_OK if ready else EXIT_BLOCKED


def _weight(args: argparse.Namespace, out: TextIO) -> int:
    patient = build.weight_patient(args)
    render.weights(patient, IbwFormula.parse(args.formula), args.below_60in, out)
    return EXIT_OK


def _plan(args: argparse.Namespace, out: TextIO) -> int:
    patient = build.patient(args)
    return _emit(build.plan(args, patient), args, out, patient=patient)


def _scig(args: argparse.Namespace, out: TextIO) -> int:
    patient = build.patient(args)
    return _emit(build.scig(args, patient), args, out, patient=patient)


def _show(args: argparse.Namespace, out: TextIO) -> int:
    return _emit(build.show(args), args, out, patient=None)


def _example(args: argparse.Namespace, out: TextIO) -> int:
    plan_args = build_parser().parse_args(["plan", *EXAMPLE_ARGS])
    plan_args.format = args.format
    plan_args.plot = args.plot
    if args.format == "table":
        command = " ".join(
            f"'{a}'" if " " in a else a for a in ("ivig-core", "plan", *EXAMPLE_ARGS)
        )
        out.write("Worked example (seed 000 with the JND 2023 taper), the same as:\n")
        out.write(f"  {command}\n\n")
    return _plan(plan_args, out)


def _replan(args: argparse.Namespace, out: TextIO) -> int:
    patient = build.patient(args)
    return _emit(replan.replan(args, patient), args, out, patient=patient)


def _products(_: argparse.Namespace, out: TextIO) -> int:
    render.products(out)
    return EXIT_OK


_VERBS: Final[dict[str, Callable[[argparse.Namespace, TextIO], int]]] = {
    "weight": _weight,
    "plan": _plan,
    "scig": _scig,
    "example": _example,
    "show": _show,
    "products": _products,
    "replan": _replan,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ivig-core`` command; return its exit status.

    Args:
        argv: The arguments (without the program name); ``sys.argv[1:]`` if
            ``None``.

    Returns:
        :data:`EXIT_OK`, :data:`EXIT_BAD_INPUT` or :data:`EXIT_BLOCKED`.

    .. versionadded:: 0.1.0
    """
    try:
        args = build_parser().parse_args(argv)
    except ArgumentsError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_BAD_INPUT
    except SystemExit as exc:  # argparse: --help or --version
        return int(exc.code or 0)
    try:
        return _VERBS[args.command](args, sys.stdout)
    except IvigError as exc:
        message = " ".join(str(exc).split())
        sys.stderr.write(f"ivig-core: error: {message}\n")
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
