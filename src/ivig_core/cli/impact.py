"""``ivig-core impact POPULATION``: the policy-impact report of a population.

Reads a population table (CSV or Parquet), plans every patient under each
combination of ``--policy`` and ``--rounding`` (each may be repeated), and
prints the report: totals and distributions per scenario, the differences
against the baseline (the first policy with the first rounding, or
``--baseline``) and the patients who change most. ``--results``,
``--totals`` and ``--plot`` write the per-patient table, the totals and the
box plots.

Needs the ``population`` extra (``--engine dask``: the ``dask`` extra,
``--plot``: the ``plot`` extra). The population package is imported inside
the command (the cli layer does not depend on it).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

from ivig_core.errors import InputError


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = ["add_parser", "run"]

#: The library argument each option is passed as, for error messages.
_FLAGS: Final[Mapping[str, str]] = {
    "policy": "--policy",
    "rounding": "--rounding",
    "tolerance": "--rounding",
    "start": "--start",
    "rate_weight": "--rate-weight",
    "increment": "--rate-increment",
    "interval": "--rate-interval",
    "horizon_days": "--horizon-days",
    "baseline": "--baseline",
    "top": "--top",
    "workers": "--workers",
    "chunk_rows": "--chunk-rows",
    "engine": "--engine",
}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"got {text!r}; allowed: a date as YYYY-MM-DD"
        raise argparse.ArgumentTypeError(msg) from None


def add_parser(sub: Any) -> argparse.ArgumentParser:  # noqa: ANN401 - argparse's sub-parsers action
    """Add the ``impact`` verb to *sub* (the parser's sub-commands)."""
    verb: argparse.ArgumentParser = sub.add_parser(
        "impact",
        help="policy-impact report: a population planned under several "
        "dosing-weight and rounding policies",
        description=(
            "Plan every patient of a population table under each --policy and "
            "--rounding, and compare: grams calculated and dispensed per year, "
            "waste, vials, infusion hours, plans not ready to issue; the "
            "differences against the baseline and the patients who change "
            "most. It computes and compares; it does not choose a policy."
        ),
    )
    verb.add_argument(
        "population",
        type=Path,
        metavar="POPULATION",
        help="a .csv or .parquet table, one row per patient",
    )
    verb.add_argument(
        "--policy",
        action="append",
        required=True,
        help="a dosing-weight policy (repeat to compare)",
    )
    verb.add_argument(
        "--rounding",
        action="append",
        required=True,
        help="never-below, ontario, nearest-within:10%%, "
        "nearest-increment:5 g (repeat to compare)",
    )
    verb.add_argument(
        "--start",
        type=_date,
        required=True,
        help="first day of every plan (YYYY-MM-DD)",
    )
    verb.add_argument(
        "--rate-weight",
        required=True,
        choices=("dosing", "actual"),
        help="the weight per-kg rates are multiplied by",
    )
    verb.add_argument(
        "--rate-increment", help="rate step where the label gives none (local policy)"
    )
    verb.add_argument(
        "--rate-interval", help="time at each rate step where the label gives none"
    )
    verb.add_argument(
        "--horizon-days",
        type=int,
        default=365,
        help="days from --start summed as 'per year' (365)",
    )
    verb.add_argument("--baseline", help="the scenario compared with (default: first)")
    verb.add_argument(
        "--top", type=int, default=10, help="patients listed as changing most (10)"
    )
    verb.add_argument(
        "--engine",
        choices=("serial", "processes", "dask"),
        default="serial",
        help="where to plan (serial)",
    )
    verb.add_argument("--workers", type=int, help="worker processes (processes)")
    verb.add_argument(
        "--chunk-rows", type=int, default=250, help="rows per task / partition (250)"
    )
    verb.add_argument(
        "--results", type=Path, help="write the per-patient results (.csv or .parquet)"
    )
    verb.add_argument(
        "--totals", type=Path, help="write the totals per scenario (.csv or .parquet)"
    )
    verb.add_argument(
        "--plot", type=Path, help="write the box plots (.png, .svg or .pdf)"
    )
    verb.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (default: on a terminal for 1 000 rows or more)",
    )
    return verb


def _flag(error: InputError) -> str:
    field = error.field.split(".")[-1]
    return _FLAGS.get(field, "POPULATION")


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``impact``; 0 when the report was made (bad rows are listed)."""
    population = importlib.import_module("ivig_core.population")
    if args.plot is not None:
        importlib.import_module("ivig_core.io").require(
            "matplotlib", extra="plot", purpose="The impact plot"
        )
    try:
        scenarios = [
            population.Scenario(policy=p, rounding=r)
            for p, r in itertools.product(args.policy, args.rounding)
        ]
        settings = population.PlanSettings(
            start=args.start,
            rate_weight=args.rate_weight,
            rate_increment=args.rate_increment,
            rate_interval=args.rate_interval,
            horizon_days=args.horizon_days,
        )
        table = population.read_population(args.population)
        results = population.plan_population(
            table,
            scenarios,
            settings,
            engine=args.engine,
            workers=args.workers,
            chunk_rows=args.chunk_rows,
            progress=args.progress,
        )
        report = population.impact_report(results, baseline=args.baseline, top=args.top)
    except InputError as error:
        raise InputError(
            _flag(error), error.value, error.allowed, error.detail
        ) from error
    out.write(report.to_text())
    if args.results is not None:
        report.write(args.results, "results")
    if args.totals is not None:
        report.write(args.totals, "totals")
    if args.plot is not None:
        report.plot(args.plot)
    return 0
