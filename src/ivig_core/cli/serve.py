"""``ivig-core serve``: start the CDS Hooks service (extra ``service``).

The options are the site's choices the service plans with (dosing-weight
policy, vial rounding, the weight per-kg rates use, how old an observation
may be, and optionally the 80 g rule it suggests a split under); none has a
default. ``--protocol FILE`` plans every order under the site's local
protocol (:func:`~ivig_core.load_protocol`: its policies, rate steps,
safety configuration, closed days and formulary), read by the same reader
as the other verbs' ``--protocol``; it may then give the policy, rounding
and rate weight, and a flag given wins over it. A bad file stops the start
with every problem, each naming ``--protocol``, before anything is served.
The service itself lives in :mod:`ivig_core.service`, reached through
:mod:`importlib` so that the command-line layer does not import it (the two
are independent layers); its extra is checked before anything is printed.

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0
   ``--protocol``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
from pathlib import Path
from typing import TextIO

from ivig_core.cli import build, parser
from ivig_core.errors import InputError
from ivig_core.io.text import DISCLAIMER


__all__ = ["add_verb", "run"]


def _age_limit(text: str) -> dt.timedelta | None:
    if text == "none":
        return None
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0:
        msg = f"got {text!r}; allowed: a whole number of days, or 'none' (no limit)"
        raise argparse.ArgumentTypeError(msg)
    return dt.timedelta(days=days)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 < port < 65536:  # TCP ports
        msg = f"got {text!r}; allowed: a TCP port, 1-65535"
        raise argparse.ArgumentTypeError(msg)
    return port


def add_verb(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve`` to the ``ivig-core`` parser (one line in parser.py)."""
    serve = sub.add_parser(
        "serve",
        help="start the CDS Hooks service (order-select, order-sign)",
        description=(
            "Serve the CDS Hooks discovery endpoint and the ivig-order-select "
            "and ivig-order-sign services with uvicorn. Needs the service "
            f'extra: pip install "ivig-core[service]". {DISCLAIMER}'
        ),
    )
    site = serve.add_argument_group(
        "the site's choices (--policy, --rounding and --rate-weight are "
        "required unless --protocol FILE sets them)"
    )
    site.add_argument(
        "--protocol",
        type=Path,
        metavar="FILE",
        help="a local protocol TOML (ivig_core.load_protocol): every order is "
        "planned under it (dosing-weight policy, rounding, rate weight, rate "
        "steps, safety settings, closed days, formulary); flags given win",
    )
    parser._policy_options(site, required=False)  # noqa: SLF001 - the cli package's shared options
    site.add_argument(
        "--rate-weight",
        choices=["dosing", "actual"],
        help="the weight per-kg infusion rates are multiplied by",
    )
    site.add_argument(
        "--max-observation-age",
        required=True,
        type=_age_limit,
        metavar="DAYS",
        help="how old a weight, height or lab result may be, in days "
        "('none': no limit)",
    )
    site.add_argument(
        "--eighty-gram-rule",
        choices=["day", "course"],
        help="suggest a split over more days under the 80 g rule, read per "
        "day or per course",
    )
    net = serve.add_argument_group("network")
    net.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    net.add_argument("--port", default=8000, type=_port, help="port (default 8000)")
    serve.set_defaults(flags=parser._dests(serve))  # noqa: SLF001 - ditto


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Check the extra, build the configuration and serve until stopped."""
    glue = importlib.import_module("ivig_core.service.serve")
    glue.check_extra()
    protocol = build._protocol(args)  # noqa: SLF001 - the one reader of --protocol
    build._required_unless_protocol(args, protocol)  # noqa: SLF001 - ditto
    split = None
    if args.eighty_gram_rule is not None:
        planning = importlib.import_module("ivig_core.planning")
        split_mod = importlib.import_module("ivig_core.planning.split")
        split = planning.SplitLimits(
            eighty_gram_rule=split_mod.EightyGramRule(applies_to=args.eighty_gram_rule)
        )
    config = glue.ServiceConfig(
        policy=args.policy,
        rounding=None if args.rounding is None else build._rounding(args),  # noqa: SLF001 - the cli package's helper
        rate_weight=args.rate_weight,
        max_age=args.max_observation_age,
        split_limits=split,
        protocol=protocol,
    )
    if not isinstance(args.host, str) or not args.host:
        raise InputError("host", args.host, "an address such as 127.0.0.1")
    out.write(
        f"ivig-core CDS Hooks service on http://{args.host}:{args.port}/cds-services "
        "(Ctrl-C to stop)\n"
    )
    out.flush()
    glue.serve(config, host=args.host, port=args.port)
    return 0
