"""The ``ivig-core replan`` verb: the rest of a course, planned again.

From a stored plan (``--from-plan``, a plan document written by
``ivig-core plan --format json``), a history file (``--history``, TOML or
JSON: what was given), the date to re-plan from (``--from-date``) and the
prescriber's decision at a review (``--decision``). A plan document does not
carry the request it was made from, so the verb takes the ``plan`` verb's
options again (with ``--protocol``: the patient, the preset, the product and
the start): the patient as now (new weight, new labs), the same regimen,
product and policies. It prints the re-planned plan as ``plan`` does, with
the history's notes; ``--format json`` writes the plan document with its
history, for the record.

A history file holds one ``[[administered]]`` table (TOML) or an
``"administered"`` list (JSON) per infusion day given, in date order::

    [[administered]]
    date = 2026-06-01
    grams = "70 g"          # "0 g": planned but not given
    product = "gamunex-c"
    lot = "A217"            # optional
    rate_reached = "350 mL/h"   # optional: the highest rate reached
    reactions = ["headache"]    # optional

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ivig_core.cli import build
from ivig_core.cli.parser import _dests, _output_group, _plan_verb, date
from ivig_core.errors import InputError
from ivig_core.io.text import DISCLAIMER


if TYPE_CHECKING:
    from ivig_core.patient import Patient
    from ivig_core.plan import Administered, Plan


__all__ = ["add_verb", "replan"]

_RECORD_KEYS: Final = frozenset(
    {"date", "grams", "product", "lot", "rate_reached", "reactions"}
)


def add_verb(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``replan`` verb to the ``ivig-core`` parser's verbs *sub*."""
    verb = sub.add_parser(
        "replan",
        help="the rest of a course planned again: a stored plan, what was "
        "given, the patient as now and the decision at a review",
        description=(
            "Re-plan the rest of a course from a date: the stored plan "
            "(--from-plan), what was given (--history), the plan's options "
            "again with the patient as now, and the prescriber's decision at "
            f"a review (--decision). {DISCLAIMER}"
        ),
        epilog="Exit status: 0 ready to issue, 2 bad input, 3 blocked by safety.",
    )
    course = verb.add_argument_group("the course so far")
    course.add_argument(
        "--from-plan",
        type=Path,
        metavar="FILE",
        required=True,
        help="the plan being followed (a plan JSON document)",
    )
    course.add_argument(
        "--history",
        type=Path,
        metavar="FILE",
        help="what was given (TOML or JSON, [[administered]] records); none: "
        "nothing given",
    )
    course.add_argument(
        "--from-date",
        type=date,
        metavar="YYYY-MM-DD",
        required=True,
        help="the first day of the rest (after the last record)",
    )
    course.add_argument(
        "--decision",
        choices=["continue", "step-down", "step-up"],
        help="the prescriber's decision at the review before the next course "
        "(none: the rest as planned)",
    )
    _plan_verb(verb)
    _output_group(verb)
    verb.set_defaults(flags=_dests(verb))


def _record(i: int, row: object, where: str) -> Administered:
    from ivig_core.plan import Administered  # noqa: PLC0415 - lazy

    field = f"{where}: administered[{i}]"
    if not isinstance(row, dict):
        raise InputError(field, row, "a table/object of fields")
    unknown = sorted(set(row) - _RECORD_KEYS)
    if unknown:
        raise InputError(
            f"{field}.{unknown[0]}", row[unknown[0]], f"one of {sorted(_RECORD_KEYS)}"
        )
    data = dict(row)
    when = data.get("date")
    if isinstance(when, str):
        try:
            data["date"] = dt.date.fromisoformat(when)
        except ValueError:
            raise InputError(f"{field}.date", when, "a date YYYY-MM-DD") from None
    if "rate_reached" in data:
        data["rate_reached_ml_h"] = data.pop("rate_reached")
    if isinstance(data.get("reactions"), list):
        data["reactions"] = tuple(data["reactions"])
    try:
        return Administered(**data)
    except InputError as exc:
        name = exc.field.removeprefix("administered.").removesuffix("_ml_h")
        raise type(exc)(f"{field}.{name}", exc.value, exc.allowed, exc.detail) from None
    except TypeError as exc:  # a required field missing
        raise InputError(
            field, None, "date, grams and product (required)", str(exc)
        ) from None


def _history(path: Path | None) -> tuple[Administered, ...]:
    if path is None:
        return ()
    data = build._read_mapping(path, "--history")  # noqa: SLF001 - the CLI's file reader
    where = f"--history {path}"
    unknown = sorted(set(data) - {"administered"})
    if unknown:
        raise InputError(f"{where}: {unknown[0]}", data[unknown[0]], "administered")
    rows = data.get("administered", [])
    if not isinstance(rows, list):
        raise InputError(f"{where}: administered", rows, "a list of records")
    return tuple(_record(i, row, where) for i, row in enumerate(rows))


_FLAGS: Final = {
    "from_date": "--from-date",
    "decision": "--decision",
    "administered": "--history",
    "request": "the plan options (--preset/--regimen: the plan's regimen)",
    "patient": "--patient",
}


def replan(args: argparse.Namespace, who: Patient) -> Plan:
    """The ``replan`` verb's plan: the rest of ``--from-plan``'s course.

    The history file holds either the whole history (the stored plan's,
    then what was given since) or only what was given since.

    Raises:
        InputError: Naming the flag (``--from-date``, ``--history``, ...).
    """
    from ivig_core.planning.replan import replan as run_replan  # noqa: PLC0415 - lazy

    stored = build.stored_plan(args, args.from_plan, "--from-plan")
    history = _history(args.history)
    request = build.plan_request(args, who)
    try:
        return run_replan(
            stored,
            request=request,
            administered=(*stored.history.records, *history)
            if history[: len(stored.history.records)] != stored.history.records
            else history,
            patient=who,
            from_date=args.from_date,
            decision=args.decision,
        )
    except InputError as exc:
        flag = _FLAGS.get(exc.field)
        if flag is None:
            raise
        raise type(exc)(flag, exc.value, exc.allowed, exc.detail) from None
