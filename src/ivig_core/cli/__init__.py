"""The ``ivig-core`` command.

Verbs:

``ivig-core weight``
    BMI, ideal and adjusted body weight, and the dosing weight under every
    built-in policy with its reason.

``ivig-core plan``
    A dated plan for a patient, a regimen and a product: a table of the
    infusion days (date, phase, g/kg, grams, vials, mL, rate steps,
    duration), the notes and the safety findings; or the plan as JSON
    (``--format json``), as an iCalendar file (``--format ics``) or as a
    printable worksheet (``--format html``); and a plot of the course
    (``--plot course.png``). Every clinically decisive choice is a required
    option: nothing is defaulted.

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
    A worked example, with no arguments: a 2 g/kg induction then 1 g/kg
    maintenance (myositis patient information), with the JND 2023 taper, for
    a documented example patient. It prints the equivalent ``plan`` command.

``ivig-core show FILE``
    Check a stored plan document (types, units, the plan's arithmetic) and
    show it like ``plan`` does, with the safety findings it carries.

``ivig-core products``
    The product catalogue.

``ivig-core serve``
    The CDS Hooks service (extra ``service``), see :mod:`ivig_core.cli.serve`.
``ivig-core impact POPULATION``
    The policy-impact report of a population table (CSV or Parquet) planned
    under each ``--policy`` and ``--rounding``: totals, distributions, the
    differences against the baseline, the patients who change most
    (:mod:`ivig_core.cli.impact`; needs the ``population`` extra).
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
* 141 (:data:`EXIT_PIPE`): the reader closed the pipe (``| head``); nothing
  more is written, and no traceback.

Conventions: ``--version``; ``python -m ivig_core``; the page fits
``COLUMNS`` (:func:`width`); values in kebab-case (the snake_case spelling is
accepted with a hint); an optional extra is checked before any output.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import signal
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Final, TextIO

from ivig_core._checks import iterates
from ivig_core.body import IbwFormula
from ivig_core.cli import build, impact, render, replan
from ivig_core.cli.parser import EXAMPLE_ARGS, ArgumentsError, build_parser
from ivig_core.errors import DocumentError, InputError, IvigError
from ivig_core.io.text import MIN_WIDTH


if TYPE_CHECKING:
    import argparse

    from ivig_core.patient import Patient
    from ivig_core.plan import Plan


__all__ = [
    "EXAMPLE_ARGS",
    "EXIT_BAD_INPUT",
    "EXIT_BLOCKED",
    "EXIT_OK",
    "EXIT_PIPE",
    "WORDING",
    "command_lines",
    "main",
    "width",
]

#: Exit status on success (for ``plan``: the plan is ready to issue).
EXIT_OK: Final = 0
#: Exit status for bad input (argparse's own convention).
EXIT_BAD_INPUT: Final = 2
#: Exit status for a plan that safety blocks (hard or un-overridden soft limit).
EXIT_BLOCKED: Final = 3
#: Exit status when the reader closed the pipe (``ivig-core example | head``):
#: 128 + SIGPIPE, as for the shell's own tools; nothing is printed.
EXIT_PIPE: Final = 128 + int(getattr(signal, "SIGPIPE", 13))

#: The page width when the output is not a terminal and ``COLUMNS`` is unset.
DEFAULT_WIDTH: Final = 100

#: The optional extra behind each output, with the module it needs.
_EXTRAS: Final = {
    "json": ("cattrs", "json"),
    "ics": ("icalendar", "ics"),
    "html": ("jinja2", "html"),
    "plot": ("matplotlib", "plot"),
}

#: Library phrases in a plan's notes, as the command line says them.
WORDING: Final = {
    "pass first_infusions= ": "give --first-situation TEXT and --first-count N ",
    "choose below_60in='extrapolate' or 'clamp'": (
        "choose --below-60in extrapolate or clamp (ivig-core weight)"
    ),
}


def width() -> int:
    """The page width: ``COLUMNS``, else the terminal's, else 100."""
    columns = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return max(columns, MIN_WIDTH)


def _need(extra: str, what: str) -> None:
    """Refuse before any output if the optional *extra* is not installed."""
    module, name = _EXTRAS[extra]
    if importlib.util.find_spec(module) is None:
        msg = (
            f"{what} needs the optional extra {name!r} ({module} is not "
            f'installed): pip install "ivig-core[{name}]"'
        )
        raise build.UsageError(msg)


def _check_extras(args: argparse.Namespace) -> None:
    """Every optional extra the command will use, checked before any output."""
    fmt = getattr(args, "format", None)
    if fmt in {"json", "ics", "html"}:
        _need(fmt, f"--format {fmt}")
    if getattr(args, "plot", None) is not None:
        _need("plot", "--plot")
    if args.command == "show":
        _need("json", "show (reading a plan document)")
    if getattr(args, "regimen", None) is not None:
        _need("json", "--regimen (a regimen JSON document)")


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
        width=width(),
        wording=WORDING,
    )
    return EXIT_OK if ready else EXIT_BLOCKED


def _weight(args: argparse.Namespace, out: TextIO) -> int:
    patient = build.weight_patient(args)
    render.weights(
        patient,
        IbwFormula.parse(args.formula),
        args.below_60in,
        out,
        width=width(),
        wording=WORDING,
    )
    return EXIT_OK


def _plan(args: argparse.Namespace, out: TextIO) -> int:
    patient = build.patient(args)
    return _emit(build.plan(args, patient), args, out, patient=patient)


def _scig(args: argparse.Namespace, out: TextIO) -> int:
    patient = build.patient(args)
    return _emit(build.scig(args, patient), args, out, patient=patient)


def _show(args: argparse.Namespace, out: TextIO) -> int:
    stored = build.show(args)
    return _emit(stored, args, out, patient=None)


def command_lines(args: Sequence[str], columns: int, indent: str = "  ") -> list[str]:
    """A shell command wrapped to *columns*, continued with backslashes.

    An option stays on the line of its value.
    """
    words = [shlex.quote(a) for a in args]
    groups: list[str] = []
    for word in words:
        if groups and not word.startswith("-") and groups[-1].startswith("-"):
            groups[-1] += f" {word}"
        else:
            groups.append(word)
    lines: list[str] = []
    line = indent
    for group in groups:
        lead = line.strip() == ""
        if not lead and len(line) + 1 + len(group) + 2 > columns:
            lines.append(f"{line} \\")
            line = f"{indent}    {group}"
        else:
            line = f"{line}{group}" if lead else f"{line} {group}"
    lines.append(line)
    return lines


def _example(args: argparse.Namespace, out: TextIO) -> int:
    plan_args = build_parser().parse_args(["plan", *EXAMPLE_ARGS])
    plan_args.format = args.format
    plan_args.plot = args.plot
    if args.format == "table":
        command = command_lines(("ivig-core", "plan", *EXAMPLE_ARGS), width())
        out.write(
            "Worked example (a myositis regimen with the JND 2023 taper), the "
            "same as:\n"
        )
        out.write("\n".join(command) + "\n\n")
    return _plan(plan_args, out)


def _replan(args: argparse.Namespace, out: TextIO) -> int:
    patient = build.patient(args)
    return _emit(replan.replan(args, patient), args, out, patient=patient)


def _products(_: argparse.Namespace, out: TextIO) -> int:
    render.products(out, width=width())
    return EXIT_OK


_VERBS: Final[dict[str, Callable[[argparse.Namespace, TextIO], int]]] = {
    "weight": _weight,
    "plan": _plan,
    "scig": _scig,
    "example": _example,
    "show": _show,
    "products": _products,
    "serve": lambda args, out: import_module("ivig_core.cli.serve").run(args, out),
    "impact": impact.run,
    "replan": _replan,
}


def _message(exc: IvigError) -> str:
    """The error as one line; a missing value says so instead of "got None"."""
    if isinstance(exc, InputError) and exc.value is None and exc.detail is None:
        text = f"{exc.field}: not given; needed: {exc.allowed}"
    else:
        text = " ".join(str(exc).split())
    for phrase, words in WORDING.items():
        text = text.replace(phrase, words)
    return text


def _problems(exc: DocumentError) -> str:
    """Every problem of a document, one per line."""
    lines = [f"ivig-core: error: {len(exc.errors)} problems; allowed: {exc.allowed}"]
    lines += [f"  {path}: {' '.join(message.split())}" for path, message in exc.errors]
    return "\n".join(lines) + "\n"


def _run(argv: Sequence[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except ArgumentsError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_BAD_INPUT
    except SystemExit as exc:  # argparse: --help or --version
        return int(exc.code or 0)
    try:
        _check_extras(args)
        status = _VERBS[args.command](args, sys.stdout)
    except DocumentError as exc:
        if len(exc.errors) < 2:
            sys.stderr.write(f"ivig-core: error: {_message(exc)}\n")
        else:
            sys.stderr.write(_problems(exc))
        return EXIT_BAD_INPUT
    except IvigError as exc:
        sys.stderr.write(f"ivig-core: error: {_message(exc)}\n")
        return EXIT_BAD_INPUT
    sys.stdout.flush()
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ivig-core`` command; return its exit status.

    Args:
        argv: The arguments (without the program name); ``sys.argv[1:]`` if
            ``None``.

    Returns:
        :data:`EXIT_OK`, :data:`EXIT_BAD_INPUT`, :data:`EXIT_BLOCKED`, or
        :data:`EXIT_PIPE` when the reader closed the pipe.

    Raises:
        InputError: *argv* is not a sequence of strings (a host's slip; the
            console's own errors are exit statuses).

    .. versionadded:: 0.1.0
    """
    given: object = argv  # checked at run time: callers may be untyped
    args: list[str] | None = None
    if given is not None:
        if isinstance(given, (str, bytes)) or not iterates(given):
            raise InputError("argv", argv, "a sequence of strings, or None (sys.argv)")
        args = list(given)
        for i, arg in enumerate(args):
            if not isinstance(arg, str):
                raise InputError(f"argv[{i}]", arg, "a string")
    try:
        return _run(args)
    except BrokenPipeError:
        # The reader has gone (``| head``): say nothing more. Point stdout at
        # the null device so the interpreter's final flush cannot fail too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_PIPE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
