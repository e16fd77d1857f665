"""The ``ivig-core`` argument tree, and the option behind a library argument.

Each option is declared once (the options several verbs share: the patient,
the dosing-weight policy, the rounding policy, safety overrides, the output
format), and each option's ``type=`` converter turns its text into the value
the library takes: a date, a day count, a preset, a policy, a conversion rule
or frequency, an override. A quantity's text is checked for its number and
unit and passed on as typed (the library reads it with the dimension it
needs, and quotes it as typed). A value that cannot be read is refused by
argparse with the option the user typed: ``argument --start: got
'5/1/2026'; allowed: a date as YYYY-MM-DD``.

What only a library call can check (a value against the regimen, the product
or another option) is named by :func:`flag_for`, from the parser's own
actions: an option's ``dest`` is the name of the library argument it is
passed as (``--abo`` sets ``abo_group``), or the call says which option an
argument came from (``increment="rate_increment"``), so
``maintenance.cycles`` gives ``--cycles``; there is no table of flags.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import functools
import importlib
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal, NoReturn, TypeVar

from ivig_core import units
from ivig_core.body import IbwFormula
from ivig_core.cli import impact
from ivig_core.dosing_weight import BUILTIN_POLICIES, DosingWeightPolicy, get_policy
from ivig_core.errors import InputError, IvigError
from ivig_core.io.text import DISCLAIMER


if TYPE_CHECKING:
    from ivig_core.patient import RiskFactor
    from ivig_core.regimen import Regimen
    from ivig_core.safety import Override
    from ivig_core.scig import ConversionRule, ScigFrequency
    from ivig_core.units import Quantity


__all__ = [
    "EXAMPLE_ARGS",
    "ArgumentsError",
    "build_parser",
    "flag_for",
]

T = TypeVar("T")

#: The worked example's ``plan`` arguments (``ivig-core example``). Each
#: choice is the example's, stated here and printed with the output:
#: the myositis patient-information regimen (myositis-patient-info: 2 g/kg
#: over 2-5 days: 2 days chosen; 1 g/kg every 4 weeks: 1 day per course and 3
#: courses chosen), then the published JND 2023 dose steps
#: (jnd-2023-scig-taper: 90/75/50/25/0 % of the starting dose, 12 weeks
#: each), dosed on ideal body weight as an AI-generated summary says
#: (droracle-privigen-dm, a weak source), with Octagam 10 %
#: (labelled for dermatomyositis) and its label's 1 to 4 mg/kg/min ramp in
#: steps of 1 mg/kg/min every 30 min (the step size and time are local
#: policy, not in the label).
EXAMPLE_ARGS: Final = (
    "--sex", "female", "--age", "54", "--height", "165 cm", "--weight", "92 kg",
    "--preset", "myositis-2gkg-then-1gkg-4w",
    "--induction-days", "2", "--maintenance-days", "1", "--cycles", "3",
    "--taper", "jnd-2023", "--taper-end", "stop",
    "--product", "octagam-10", "--indication", "dermatomyositis",
    "--start", "2026-01-05", "--policy", "ideal", "--rounding", "never-below",
    "--rate-weight", "dosing",
    "--rate-increment", "1 mg/kg/min", "--rate-interval", "30 min",
)  # fmt: skip

TAPERS: Final = ("jnd-2023", "procid-starting", "procid-previous")
ROUNDINGS: Final = ("never-below", "nearest-within", "nearest-increment", "ontario")

#: The conversion options of ``scig`` (instead of them: ``--preset``).
CONVERSION_DESTS: Final = ("ivig_dose", "ivig_interval", "rule", "frequency")
#: The site-limit values of ``scig`` that need ``--limits-source``.
SITE_LIMIT_DESTS: Final = (
    "max_sites",
    "volume_per_site",
    "rate_per_site",
    "total_rate",
    "volume_per_day",
)


class ArgumentsError(IvigError):
    """A usage error found by argparse: the whole line, ready to print."""


class _Version(argparse.Action):
    """``--version``: the installed version (read only when asked)."""

    def __init__(self, option_strings: list[str], dest: str, **_: object) -> None:  # noqa: ARG002 - argparse passes dest; --version stores nothing
        super().__init__(
            option_strings,
            dest=argparse.SUPPRESS,
            default=argparse.SUPPRESS,
            nargs=0,
            help="print the version and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,  # noqa: ARG002 - argparse.Action's signature
        values: object,  # noqa: ARG002 - ditto
        option_string: str | None = None,  # noqa: ARG002 - ditto
    ) -> None:
        # Imported here: importlib.metadata is read only when asked.
        from importlib.metadata import (  # noqa: PLC0415 - ditto
            PackageNotFoundError,
            version,
        )

        try:
            number = version("ivig-core")
        except PackageNotFoundError:  # pragma: no cover - run from a source tree
            number = "0+unknown"
        sys.stdout.write(f"{parser.prog} {number}\n")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (exit status 2 in main)."""

    def error(self, message: str) -> NoReturn:
        """Raise :class:`ArgumentsError` with argparse's one-line message."""
        raise ArgumentsError(f"{self.prog}: error: {message}")


# --------------------------------------------------------------------------
# Converters: an option's text -> the library's value


def _message(exc: InputError) -> str:
    """*exc*'s message without its field: argparse names the option."""
    what = exc.detail if exc.detail is not None else f"got {exc.value!r}"
    return f"{what}; allowed: {exc.allowed}"


def _converter(read: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse ``type=``: an :class:`InputError` names the option."""

    @functools.wraps(read)
    def convert(text: str) -> T:
        try:
            return read(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(_message(exc)) from None

    return convert


@_converter
def quantity(text: str) -> str:
    """A number with its unit (``"92 kg"``, ``"5 ft 5 in"``); never bare.

    The text is checked here (so a bare number names its option) and passed
    on as typed: the library reads it with the dimension it needs, and its
    messages quote it as the user wrote it.
    """
    units.parse_quantity(text, field="value")
    return text


@_converter
def age(text: str) -> Quantity | str:
    """``54`` means 54 years (documented); ``"18 month"`` too."""
    try:
        years = float(text)
    except ValueError:
        return quantity(text)
    return units.quantity(years, units.YEAR)


@_converter
def date(text: str) -> dt.date:
    """A date written ``YYYY-MM-DD``."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or len(text) != len("2026-01-05"):
        raise InputError("date", text, "a date as YYYY-MM-DD")
    return day


@_converter
def days(text: str) -> int | Literal["fewest"]:
    """Days of a course: a whole number, or ``fewest``."""
    if text == "fewest":
        return "fewest"
    try:
        return int(text)
    except ValueError:
        raise InputError("days", text, "a whole number of days or 'fewest'") from None


@_converter
def policy(text: str) -> DosingWeightPolicy:
    """A built-in dosing-weight policy by name (snake_case with a hint)."""
    name = _kebab(text, BUILTIN_POLICIES, "--policy")
    # An unknown name: the library's message (it suggests the closest).
    return get_policy(text if name is None else name)


@_converter
def preset(text: str) -> Regimen:
    """A regimen preset by name (``ivig_core.regimen.PRESETS``).

    A renamed preset's old name is accepted, with a hint on stderr.
    """
    import sys  # noqa: PLC0415 - lazy
    import warnings  # noqa: PLC0415 - lazy

    from ivig_core.regimen import get_preset  # noqa: PLC0415 - lazy

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        found = get_preset(text)
    for warning in caught:
        sys.stderr.write(f"ivig-core: --preset: {warning.message}\n")
    return found


@_converter
def scig_preset(text: str) -> Regimen:
    """An SC regimen preset by name (``ivig_core.scig.SCIG_PRESETS``)."""
    from ivig_core.scig import get_scig_preset  # noqa: PLC0415 - lazy

    return get_scig_preset(text)


@_converter
def override(text: str) -> Override:
    """``CODE=REASON``: an accepted soft limit with its reason."""
    from ivig_core.safety import Override  # noqa: PLC0415 - lazy

    code, sep, reason = text.partition("=")
    if not sep:
        raise InputError("override", text, "CODE=REASON, e.g. X=discussed")
    return Override(code=code.strip(), reason=reason.strip())


@_converter
def rule(text: str) -> ConversionRule:
    """``label``, ``1:1`` or ``factor=F`` (F > 0; its reason is an option)."""
    from ivig_core.scig import LabelFactor, OneToOne, UserFactor  # noqa: PLC0415

    key = text.strip().lower()
    if key == "label":
        return LabelFactor()
    if key in {"1:1", "one-to-one"}:
        return OneToOne()
    if key != "factor" and not key.startswith("factor="):
        raise InputError("rule", text, "label, 1:1 or factor=F (F > 0)")
    number = key.partition("=")[2].strip()
    try:
        factor = float(number)
    except ValueError:
        raise InputError(
            "rule", text, "factor=F with a number F > 0, e.g. factor=1.2"
        ) from None
    return UserFactor(factor)


@_converter
def frequency(text: str) -> ScigFrequency:
    """``weekly``, ``every-2-weeks``, ``N-per-week`` or ``same-as-ivig``."""
    from ivig_core.scig import parse_frequency  # noqa: PLC0415 - lazy

    return parse_frequency(text)


def _kebab(text: str, names: Iterable[str], flag: str) -> str | None:
    """*text* as one of the kebab-case *names*, or ``None``.

    The snake_case spelling (``prior_thrombosis``) is accepted, with a hint
    on stderr: every value on the command line is written in kebab-case.
    """
    key = text.strip().lower()
    known = set(names)
    if key in known:
        return key
    kebab = key.replace("_", "-")
    if kebab in known:
        sys.stderr.write(
            f"ivig-core: hint: {flag} {text}: written {kebab} on the command line\n"
        )
        return kebab
    return None


def _did_you_mean(text: str, names: Iterable[str]) -> str:
    close = difflib.get_close_matches(
        text.strip().lower().replace("_", "-"), list(names), n=1
    )
    return f" (did you mean {close[0]}?)" if close else ""


@_converter
def risk_factor(text: str) -> RiskFactor:
    """A risk factor in kebab-case (``prior-thrombosis``); snake_case with a hint."""
    from ivig_core.patient import RiskFactor  # noqa: PLC0415 - lazy

    names = {m.value.replace("_", "-"): m for m in RiskFactor}
    found = _kebab(text, names, "--risk-factor")
    if found is None:
        raise InputError(
            "risk_factor",
            text,
            f"one of {', '.join(names)}",
            f"got {text!r}{_did_you_mean(text, names)}",
        )
    return names[found]


def choice(names: Iterable[str], flag: str) -> Callable[[str], str]:
    """An argparse ``type=`` for a kebab-case choice; snake_case with a hint."""
    known = tuple(names)

    def convert(text: str) -> str:
        found = _kebab(text, known, flag)
        if found is None:
            msg = (
                f"got {text!r}{_did_you_mean(text, known)}; allowed: {', '.join(known)}"
            )
            raise argparse.ArgumentTypeError(msg)
        return found

    return convert


def site_rate(text: str) -> str:
    """``label-maximum``, or a rate per site with its unit (``"20 mL/h"``)."""
    return text if text == "label-maximum" else quantity(text)


# --------------------------------------------------------------------------
# The flag behind a library argument


def _dests(parser: argparse.ArgumentParser) -> Mapping[str, str]:
    """Each option's ``dest``, with the option strings that set it."""
    return MappingProxyType(
        {
            action.dest: "/".join(action.option_strings)
            for action in parser._actions  # noqa: SLF001 - argparse's action list
            if action.option_strings and action.dest != "help"
        }
    )


def _names(field: str) -> Iterator[str]:
    """The names a field may stand for, longest first.

    ``"maintenance.cycles"`` gives ``maintenance_cycles``, ``maintenance``,
    ``cycles``; indices (``risk_factors[0]``) are dropped.
    """
    parts = [p for p in re.split(r"[.\[\]]+", field) if p and not p.isdigit()]
    for n in range(len(parts), 0, -1):
        for i in range(len(parts) - n + 1):
            yield "_".join(parts[i : i + n])


def flag_for(
    flags: Mapping[str, str],
    field: str,
    dests: tuple[str, ...],
    aliases: Mapping[str, str | tuple[str, ...]],
) -> str | None:
    """The option(s) behind an error's *field*, or ``None``.

    Args:
        flags: The verb's options by ``dest`` (``args.flags``).
        field: The :class:`~ivig_core.errors.InputError`'s field.
        dests: The options whose ``dest`` is the name of the library argument
            they were passed as.
        aliases: The other library arguments, with the ``dest`` of the
            option(s) they came from (``increment="rate_increment"``).
    """
    names = list(_names(field))
    for name in names:
        alias = aliases.get(name)
        if alias is not None:
            chosen = (alias,) if isinstance(alias, str) else alias
            return "/".join(flags[d] for d in chosen)
    for name in names:
        if name in dests:
            return flags[name]
    return None


# --------------------------------------------------------------------------
# The tree


def _patient_options(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    *,
    required: bool,
) -> None:
    parser.add_argument("--sex", required=required, help="male or female")
    parser.add_argument(
        "--age",
        required=required,
        type=age,
        help="age in years (a bare number means years), or e.g. '18 month'",
    )
    parser.add_argument(
        "--height",
        required=required,
        type=quantity,
        help="height with its unit: '165 cm', '5 ft 5 in'",
    )
    parser.add_argument(
        "--weight",
        required=required,
        type=quantity,
        help="weight with its unit: '92 kg', '202.8 lb'",
    )
    parser.add_argument(
        "--pregnant",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="pregnancy status (omit if not recorded)",
    )
    parser.add_argument(
        "--pre-pregnancy-weight",
        default=None,
        type=quantity,
        help="used by the Ontario rule",
    )


def _patient_group(parser: argparse.ArgumentParser) -> None:
    """The patient options of ``plan`` and ``scig``."""
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
    _patient_options(who, required=False)
    who.add_argument(
        "--serum-iga",
        type=quantity,
        help="serum IgA, e.g. '90 mg/dL' (if measured)",
    )
    who.add_argument(
        "--serum-creatinine",
        type=quantity,
        help="serum creatinine, e.g. '0.9 mg/dL' (if measured)",
    )
    who.add_argument(
        "--abo",
        dest="abo_group",
        metavar="ABO",
        help="ABO blood group: O, A, B or AB (if recorded)",
    )
    who.add_argument(
        "--risk-factor",
        dest="risk_factors",
        action="append",
        default=[],
        type=risk_factor,
        metavar="NAME",
        help="a recorded risk factor, e.g. diabetes, prior-thrombosis "
        "(repeatable; the error lists them all)",
    )


def _policy_options(group: argparse._ArgumentGroup, *, required: bool = True) -> None:
    """``--policy``, ``--rounding`` and its parameters."""
    group.add_argument(
        "--policy",
        required=required,
        metavar="NAME",
        type=policy,
        help=f"dosing-weight policy: {', '.join(BUILTIN_POLICIES)}",
    )
    group.add_argument(
        "--rounding",
        required=required,
        type=choice(ROUNDINGS, "--rounding"),
        metavar="NAME",
        help=f"vial rounding policy, applied once per course: {', '.join(ROUNDINGS)}",
    )
    group.add_argument(
        "--rounding-tolerance", help="for nearest-within: '10 %%' or 0.1"
    )
    group.add_argument(
        "--rounding-increment",
        type=quantity,
        help="for nearest-increment: '5 g'",
    )


def _safety_group(parser: argparse.ArgumentParser) -> None:
    """``--override`` and ``--previous-product``."""
    safety = parser.add_argument_group("safety")
    safety.add_argument(
        "--override",
        dest="overrides",
        action="append",
        default=[],
        type=override,
        metavar="CODE=REASON",
        help="accept a soft limit with a reason (repeatable; recorded)",
    )
    safety.add_argument(
        "--previous-product", help="the product the patient had before, if any"
    )


def _output_group(parser: argparse.ArgumentParser) -> None:
    out = parser.add_argument_group("output")
    out.add_argument(
        "--format",
        choices=["table", "json", "ics", "html"],
        default="table",
        help="table (default), json (the plan document), ics (iCalendar) or "
        "html (a printable worksheet)",
    )
    out.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help="also save a plot of the course (.png or .svg)",
    )


def _weight_verb(weight: argparse.ArgumentParser) -> None:
    _patient_options(weight, required=True)
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


def _plan_verb(plan: argparse.ArgumentParser) -> None:
    _patient_group(plan)
    reg = plan.add_argument_group(
        "regimen", "either --preset NAME (with its open choices) or --regimen FILE"
    )
    base = reg.add_mutually_exclusive_group()
    base.add_argument(
        "--preset",
        metavar="NAME",
        type=preset,
        help="a regimen preset, one per labelled indication and product (pi-privigen, "
        "itp-octagam-10, cidp-panzyga, mmn-gammagard-liquid, cll-gammagard-sd, "
        "octagam10-dm, cidp-ice, ...: ivig_core.regimen.PRESETS)",
    )
    base.add_argument(
        "--regimen",
        type=Path,
        metavar="FILE",
        help="a regimen JSON document (regimen_to_json)",
    )
    reg.add_argument(
        "--induction-days",
        type=days,
        help="days of the induction course, or 'fewest'",
    )
    reg.add_argument(
        "--maintenance-days",
        type=days,
        help="days per maintenance course, or 'fewest'",
    )
    reg.add_argument("--cycles", type=int, help="number of maintenance courses")
    reg.add_argument(
        "--maintenance-dose",
        help="the maintenance dose per course, within the preset's range: '0.4 g/kg'",
    )
    reg.add_argument(
        "--interval",
        type=quantity,
        help="replace the maintenance interval: '21 day'",
    )
    reg.add_argument(
        "--taper",
        type=choice(TAPERS, "--taper"),
        metavar="NAME",
        help="add a published taper: jnd-2023 (90/75/50/25/0 %%, 12 weeks each) "
        "or ProCID's -25 %% per infusion of the starting or previous dose "
        "(procid-starting, procid-previous)",
    )
    end = reg.add_mutually_exclusive_group()
    end.add_argument("--taper-end", choices=["stop"], help="end the taper by stopping")
    end.add_argument(
        "--taper-floor",
        type=quantity,
        help="end the taper at a floor intensity: '0.1 g/kg/week'",
    )
    choices = plan.add_argument_group(
        "product, dates and policies (required; --protocol FILE gives the "
        "policies, and a preset its indication)"
    )
    choices.add_argument(
        "--protocol",
        type=Path,
        metavar="FILE",
        help="a local protocol TOML (ivig_core.load_protocol): dosing-weight "
        "policy, rounding, rate weight, rate steps, safety settings, closed "
        "days and formulary, decided once by the site; flags given win",
    )
    choices.add_argument(
        "--formulary",
        type=Path,
        metavar="FILE",
        help="a local formulary TOML (load_formulary) whose products replace "
        "the catalogue's of the same key",
    )
    choices.add_argument(
        "--product",
        required=True,
        metavar="NAME",
        help="a catalogue product (ivig-core products)",
    )
    choices.add_argument(
        "--indication",
        metavar="KEY",
        help="the label indication whose rates apply (dermatomyositis, cidp, "
        "...); default: the preset's",
    )
    choices.add_argument(
        "--start",
        required=True,
        metavar="YYYY-MM-DD",
        type=date,
        help="the first infusion day",
    )
    _policy_options(choices, required=False)
    choices.add_argument(
        "--rate-weight",
        choices=["dosing", "actual"],
        help="the weight per-kg infusion rates are multiplied by",
    )
    choices.add_argument(
        "--rate-increment",
        type=quantity,
        help="rate step size where the label gives none: '1 mg/kg/min'",
    )
    choices.add_argument(
        "--rate-interval",
        type=quantity,
        help="time per rate step where the label gives none: '30 min'",
    )
    choices.add_argument(
        "--rate-target",
        type=quantity,
        help="hold at this rate if below the labelled maximum",
    )
    choices.add_argument(
        "--at-risk-cap",
        type=quantity,
        help="a lower maximum rate for a patient at risk: '100 mL/h'",
    )
    limits = plan.add_argument_group("per-day limits and calendar (optional)")
    limits.add_argument(
        "--max-daily-dose",
        type=quantity,
        help="at most this dose per day: '1 g/kg/day'",
    )
    limits.add_argument(
        "--max-daily-grams",
        type=quantity,
        help="at most this many grams per day: '80 g/day'",
    )
    limits.add_argument(
        "--eighty-gram-rule",
        choices=["day", "course"],
        help="apply the 80 g rule (over 80 g: 3-5 days at 0.4 g/kg; from an "
        "AI-generated summary, a weak source) to the daily dose or the course "
        "total",
    )
    limits.add_argument(
        "--granularity",
        type=quantity,
        help="dispense in whole multiples of this mass: '1 g'",
    )
    _closed_days(limits)
    _safety_group(plan)


def _closed_days(group: argparse._ArgumentGroup) -> None:
    """The calendar's closed days, for every verb that plans (every route)."""
    group.add_argument(
        "--closed-weekends",
        action="store_true",
        help="the centre is closed on Saturdays and Sundays (courses move)",
    )
    group.add_argument(
        "--closed-date",
        dest="closed_dates",
        action="append",
        default=[],
        type=date,
        metavar="YYYY-MM-DD",
        help="a date the centre is closed (repeatable)",
    )


def _scig_verb(scig: argparse.ArgumentParser) -> None:
    _patient_group(scig)
    conv = scig.add_argument_group(
        "conversion",
        "either --ivig-dose, --ivig-interval, --rule and --frequency (an IVIg "
        "to SC conversion), or --preset NAME with --maintenance-days",
    )
    conv.add_argument(
        "--ivig-dose",
        metavar="DOSE",
        type=quantity,
        help="the current IVIg dose per course: '30 g', or '1 g/kg' (grams "
        "then come from the dosing weight under --policy)",
    )
    conv.add_argument(
        "--ivig-interval",
        metavar="INTERVAL",
        type=quantity,
        help="the current IVIg interval: '4 week', '21 day'",
    )
    conv.add_argument(
        "--rule",
        metavar="RULE",
        type=rule,
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
        type=frequency,
        help="weekly, every-2-weeks, N-per-week (N 2-7) for a 20 %% SC "
        "product; same-as-ivig for HyQvia",
    )
    conv.add_argument(
        "--preset",
        metavar="NAME",
        type=scig_preset,
        help="instead of a conversion, a fixed SC regimen: hizentra-cidp-0.2 "
        "or hizentra-cidp-0.4 (ivig_core.scig.SCIG_PRESETS)",
    )
    conv.add_argument(
        "--maintenance-days",
        metavar="N",
        type=days,
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
        type=date,
        help="the last IVIg day; the first SC day follows the label's timing",
    )
    choices.add_argument(
        "--first-dose",
        metavar="YYYY-MM-DD",
        type=date,
        help="the first SC day (within the label's window if --last-ivig is "
        "given; required for HyQvia, whose timing no source read gives)",
    )
    choices.add_argument(
        "--cycles",
        required=True,
        type=int,
        metavar="N",
        help="weeks (weekly, N-per-week), fortnights (every-2-weeks) or full "
        "doses after the HyQvia ramp-up to plan",
    )
    _policy_options(choices)
    choices.add_argument(
        "--site-rate",
        required=True,
        metavar="RATE",
        type=site_rate,
        help="the rate per site: 'label-maximum' or e.g. '20 mL/h'",
    )
    choices.add_argument(
        "--indication",
        metavar="KEY",
        help="the indication, if any: recorded and used by the safety checks",
    )
    _closed_days(
        scig.add_argument_group(
            "calendar (optional)",
            "whole courses move to the next open days, as for IV",
        )
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
        "--max-volume-per-site",
        dest="volume_per_site",
        metavar="VOLUME",
        type=quantity,
        help="per-site volume: '25 mL'",
    )
    limits.add_argument(
        "--max-rate-per-site",
        dest="rate_per_site",
        metavar="RATE",
        type=quantity,
        help="per-site rate: '25 mL/h'",
    )
    limits.add_argument(
        "--max-total-rate",
        dest="total_rate",
        metavar="RATE",
        type=quantity,
        help="rate over all sites: '240 mL/h'",
    )
    limits.add_argument(
        "--max-volume-per-day",
        dest="volume_per_day",
        metavar="VOLUME",
        type=quantity,
        help="volume per day: '1200 mL'",
    )
    limits.add_argument(
        "--limits-source",
        metavar="TEXT",
        help="where the values above come from, e.g. 'infusion-centre "
        "protocol 12' (required with any of them)",
    )
    _safety_group(scig)


def build_parser() -> argparse.ArgumentParser:
    """The ``ivig-core`` parser: one sub-command per verb.

    Each verb's namespace carries ``flags``: its options by ``dest``, for
    :func:`flag_for`.
    """
    parser = _Parser(
        prog="ivig-core",
        description=f"Plan and check immunoglobulin therapy. {DISCLAIMER}",
        epilog=(
            "Exit status: 0 success (plan ready to issue), 2 bad input, "
            "3 plan blocked by safety."
        ),
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    weight = sub.add_parser(
        "weight",
        help="BMI, IBW, AdjBW and the dosing weight under every built-in policy",
        description=(
            "Print BMI, ideal body weight, adjusted body weight and the dosing "
            f"weight under every built-in policy, with reasons. {DISCLAIMER}"
        ),
    )
    _weight_verb(weight)
    plan = sub.add_parser(
        "plan",
        help="a dated plan with vials, volumes, rate steps and safety findings",
        description=(
            "Plan a regimen for a patient with a product, and check it. Every "
            f"clinically decisive choice is a required option. {DISCLAIMER}"
        ),
        epilog="Exit status: 0 ready to issue, 2 bad input, 3 blocked by safety.",
    )
    _plan_verb(plan)
    _output_group(plan)
    scig = sub.add_parser(
        "scig",
        help="switch from IVIg to a subcutaneous product: dated SC plan with "
        "sites, volumes and findings",
        description=(
            "Convert a patient's IVIg maintenance dose to a subcutaneous "
            "product (or plan a fixed SC regimen preset), lay the SC doses on "
            "a calendar with sites, volumes and rates per site, and check the "
            "plan. Every clinically decisive choice is a required option. "
            f"{DISCLAIMER}"
        ),
        epilog="Exit status: 0 ready to issue, 2 bad input, 3 blocked by safety.",
    )
    _scig_verb(scig)
    _output_group(scig)
    example = sub.add_parser(
        "example",
        help="a worked example (a myositis regimen with a taper)",
        description=(
            "Run a worked example: a 2 g/kg induction, then 1 g/kg "
            "every 4 weeks, then the JND 2023 taper, for a documented example "
            f"patient. {DISCLAIMER}"
        ),
    )
    _output_group(example)
    show = sub.add_parser(
        "show",
        help="check a stored plan document and show it (table, JSON or ICS)",
        description=(
            "Read a plan document written by ivig-core plan --format json (or "
            "plan_to_json), check it (types, units, totals; then plan it again "
            "from the inputs it records and compare), and show it with its "
            f"safety findings. {DISCLAIMER}"
        ),
        epilog="Exit status: 0 ready to issue, 2 bad document, 3 blocked by safety.",
    )
    show.add_argument("file", type=Path, metavar="FILE", help="a plan JSON document")
    made = show.add_argument_group(
        "what the plan was made with (it is planned again and compared on load)"
    )
    made.add_argument(
        "--protocol",
        type=Path,
        metavar="FILE",
        help="the local protocol TOML the plan was made under",
    )
    made.add_argument(
        "--formulary",
        type=Path,
        metavar="FILE",
        help="the local formulary TOML the plan's product came from",
    )
    _output_group(show)
    products = sub.add_parser(
        "products",
        help="the product catalogue",
        description="List the product catalogue with its sources.",
    )
    for verb in (weight, plan, scig, example, show, products, impact.add_parser(sub)):
        verb.set_defaults(flags=_dests(verb))
    importlib.import_module("ivig_core.cli.serve").add_verb(sub)
    importlib.import_module("ivig_core.cli.replan").add_verb(sub)  # its own module
    return parser
