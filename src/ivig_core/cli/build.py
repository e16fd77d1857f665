"""Parsed arguments → library calls: the patient, the regimen, the plan.

Each function takes the verb's namespace (its values already converted by
:mod:`ivig_core.cli.parser`) and calls the library. A library
:class:`~ivig_core.errors.InputError` raised by a call made from options is
re-raised naming the option (:func:`_options`, through
:func:`~ivig_core.cli.parser.flag_for`); one raised from a file (``--patient``,
``--regimen``, ``--formulary``) keeps its own field.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ivig_core.cli.parser import CONVERSION_DESTS, SITE_LIMIT_DESTS, flag_for
from ivig_core.errors import DocumentError, InputError, IvigError
from ivig_core.patient import Patient


if TYPE_CHECKING:
    from ivig_core.plan import Plan
    from ivig_core.planning.calendar import ClosedDays
    from ivig_core.planning.request import FirstInfusions, PlanRequest
    from ivig_core.planning.split import SplitLimits
    from ivig_core.products import Product
    from ivig_core.protocol import Protocol
    from ivig_core.rates import RateSchedule
    from ivig_core.regimen import Regimen, Taper
    from ivig_core.scig import ConversionRule, ScLimits
    from ivig_core.vials import RoundingPolicy


__all__ = [
    "UsageError",
    "patient",
    "plan",
    "plan_request",
    "scig",
    "show",
    "weight_patient",
]

#: The patient options (``dest`` = the :class:`~ivig_core.Patient` field).
PATIENT_DESTS: Final = ("sex", "age", "height", "weight")
_LABS: Final = ("serum_iga", "serum_creatinine", "abo_group", "risk_factors")
_PATIENT_FILE_KEYS: Final = frozenset(
    {*PATIENT_DESTS, *_LABS, "pregnant", "pre_pregnancy_weight"}
)


class UsageError(IvigError):
    """Options that do not go together (exit status 2)."""


@contextlib.contextmanager
def _options(
    args: argparse.Namespace,
    *dests: str,
    **aliases: str | tuple[str, ...],
) -> Iterator[None]:
    """Re-raise an :class:`InputError` of the block naming its option.

    Args:
        args: The verb's namespace (its ``flags``: options by ``dest``).
        dests: The options passed to the call under their own ``dest``.
        aliases: The call's other arguments, with the ``dest`` of the
            option(s) they came from (``increment="rate_increment"``).
    """
    try:
        yield
    except InputError as exc:
        flag = flag_for(args.flags, exc.field, dests, aliases)
        if flag is None:
            raise
        raise type(exc)(flag, exc.value, exc.allowed, exc.detail) from None


def _given(args: argparse.Namespace, dests: tuple[str, ...]) -> list[str]:
    """The options among *dests* that were given, as typed."""
    return [args.flags[d] for d in dests if getattr(args, d) is not None]


# --------------------------------------------------------------------------
# The patient


def weight_patient(args: argparse.Namespace) -> Patient:
    """The ``weight`` verb's patient (every patient option required)."""
    with _options(args, *PATIENT_DESTS, "pregnant", "pre_pregnancy_weight"):
        return Patient(
            sex=args.sex,
            age=args.age,
            height=args.height,
            weight=args.weight,
            pregnant=args.pregnant,
            pre_pregnancy_weight=args.pre_pregnancy_weight,
        )


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


def _patient_file(path: Path) -> Patient:
    data = _read_mapping(path, "--patient")
    if "schema" in data:
        from ivig_core.io.json import patient_from_json  # noqa: PLC0415 - extra

        return patient_from_json(path.read_text(encoding="utf-8"))
    problems = [
        (f"{key}", "unknown field") for key in sorted(set(data) - _PATIENT_FILE_KEYS)
    ]
    problems += [
        (key, "required field missing") for key in PATIENT_DESTS if key not in data
    ]
    if problems:
        field, detail = problems[0]
        raise DocumentError(
            f"--patient {path}: {field}",
            data.get(field),
            f"a patient file with the fields {', '.join(PATIENT_DESTS)} and "
            f"optionally {', '.join(sorted(_PATIENT_FILE_KEYS - set(PATIENT_DESTS)))}",
            detail,
            tuple((f"--patient {path}: {f}", d) for f, d in problems),
        )
    try:
        return Patient(**data)
    except InputError as exc:
        raise type(exc)(
            f"--patient {path}: {exc.field}", exc.value, exc.allowed, exc.detail
        ) from None


def patient(args: argparse.Namespace) -> Patient:
    """The patient of ``plan`` and ``scig``: ``--patient FILE`` or options."""
    labs = {key: getattr(args, key) for key in _LABS}
    if args.patient is not None:
        given = _given(args, PATIENT_DESTS)
        if given:
            msg = f"--patient and {', '.join(given)} cannot be combined"
            raise UsageError(msg)
        found = _patient_file(args.patient)
        if any(labs.values()):
            msg = "with --patient, give the laboratory values in the file"
            raise UsageError(msg)
        return found
    missing = [args.flags[d] for d in PATIENT_DESTS if getattr(args, d) is None]
    if missing:
        msg = (
            "the following arguments are required: "
            f"{', '.join(missing)} (or --patient FILE)"
        )
        raise UsageError(msg)
    with _options(args, *PATIENT_DESTS, *_LABS, "pregnant", "pre_pregnancy_weight"):
        return Patient(
            sex=args.sex,
            age=args.age,
            height=args.height,
            weight=args.weight,
            pregnant=args.pregnant,
            pre_pregnancy_weight=args.pre_pregnancy_weight,
            **labs,
        )


# --------------------------------------------------------------------------
# The options plan and scig share


def _rounding(args: argparse.Namespace) -> RoundingPolicy:
    from ivig_core.vials import get_rounding  # noqa: PLC0415 - lazy

    params: dict[str, object] = {}
    if args.rounding_tolerance is not None:
        params["tolerance"] = args.rounding_tolerance
    if args.rounding_increment is not None:
        params["increment"] = args.rounding_increment
    with _options(
        args,
        "rounding",
        tolerance="rounding_tolerance",
        increment="rounding_increment",
    ):
        return get_rounding(args.rounding, **params)


# --------------------------------------------------------------------------
# plan


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
            raise UsageError(msg)
        return None
    if args.taper_end is None and args.taper_floor is None:
        msg = "--taper needs exactly one of --taper-end stop or --taper-floor"
        raise UsageError(msg)
    with _options(args, floor="taper_floor"):
        end = Stop() if args.taper_end else Floor(intensity=args.taper_floor)
    if args.taper == "jnd-2023":
        return Taper(strategy=DoseSteps.jnd_2023(), end=end)
    if args.taper == "procid-starting":
        return Taper(strategy=PercentPerInfusion.procid(of="starting"), end=end)
    return Taper(strategy=PercentPerInfusion.procid(of="previous"), end=end)


def _regimen(args: argparse.Namespace) -> Regimen:
    if args.regimen is not None:
        from ivig_core.io.json import regimen_from_json  # noqa: PLC0415 - extra

        try:
            text = args.regimen.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(
                "--regimen", str(args.regimen), "a file", str(exc)
            ) from None
        base = regimen_from_json(text)
    elif args.preset is not None:
        base = args.preset
    else:
        msg = "give exactly one of --preset NAME or --regimen FILE"
        raise UsageError(msg)
    taper = _taper(args)
    with _options(
        args,
        "induction_days",
        "maintenance_days",
        "cycles",
        "interval",
        dose="maintenance_dose",
    ):
        chosen = base.choose(
            induction_days=args.induction_days,
            maintenance_days=args.maintenance_days,
            cycles=args.cycles,
            interval=args.interval,
            dose=args.maintenance_dose,
            taper="keep" if taper is None else taper,
        )
    _check_choices(args, chosen)
    return chosen


def _check_choices(args: argparse.Namespace, regimen: Regimen) -> None:
    """Every choice the regimen leaves open, named by its option."""
    if regimen.is_complete:
        return
    needed = []
    for choice in regimen.open_choices:
        name, _, allowed = choice.partition(" ")
        needed.append(f"{args.flags.get(name, name)} {allowed}".strip())
    msg = f"{regimen.name} leaves choices open: give {'; '.join(needed)}"
    raise UsageError(msg)


def _schedule(args: argparse.Namespace, product: Product) -> RateSchedule:
    from ivig_core.infusion import rate_schedule  # noqa: PLC0415 - lazy

    with _options(
        args,
        "indication",
        increment="rate_increment",
        interval="rate_interval",
        target="rate_target",
    ):
        return rate_schedule(
            product,
            args.indication,
            increment=args.rate_increment,
            interval=args.rate_interval,
            target=args.rate_target,
        )


def _limits(args: argparse.Namespace) -> SplitLimits | None:
    from ivig_core.planning.split import (  # noqa: PLC0415 - lazy
        EightyGramRule,
        SplitLimits,
    )

    dests = ("max_daily_dose", "max_daily_grams", "eighty_gram_rule", "granularity")
    if not _given(args, dests):
        return None
    with _options(args, *dests):
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

    dates = frozenset(args.closed_dates)
    if not args.closed_weekends and not dates:
        return None
    weekdays = frozenset({5, 6}) if args.closed_weekends else frozenset()
    return ClosedDays(weekdays=weekdays, dates=dates)


def _protocol(args: argparse.Namespace) -> Protocol | None:
    """The ``--protocol`` file, loaded (all or nothing), or ``None``.

    The one reader of ``--protocol`` for every verb that takes it; a bad
    file's problems each name the flag, the file, the table and the field.
    """
    if getattr(args, "protocol", None) is None:
        return None
    from ivig_core.protocol import load_protocol  # noqa: PLC0415 - lazy

    try:
        return load_protocol(args.protocol)
    except DocumentError as exc:  # name the flag the user typed
        raise DocumentError(
            f"--protocol {exc.field}",
            exc.value,
            exc.allowed,
            exc.detail,
            tuple((f"--protocol {where}", message) for where, message in exc.errors),
        ) from None


def _plan_product(args: argparse.Namespace, protocol: Protocol | None) -> Product:
    """``--product`` from ``--formulary``, the protocol's or the catalogue."""
    from ivig_core.products import (  # noqa: PLC0415 - lazy
        Catalogue,
        get_product,
        load_formulary,
    )

    catalogue = None if protocol is None else protocol.catalogue
    if args.formulary is not None:
        from ivig_core.products import default_catalogue  # noqa: PLC0415 - lazy

        base = default_catalogue() if catalogue is None else catalogue
        catalogue = Catalogue(
            products={**base, **load_formulary(args.formulary)},
            origin=f"{base.origin} + {args.formulary}",
        )
    with _options(args, "product"):
        return get_product(args.product, catalogue)


def _required_unless_protocol(
    args: argparse.Namespace, protocol: Protocol | None
) -> None:
    """The policy flags a protocol would give, when there is none."""
    for dest, attr in (
        ("policy", "policy"),
        ("rounding", "rounding"),
        ("rate_weight", "rate_weight"),
    ):
        if getattr(args, dest) is None and (
            protocol is None or getattr(protocol, attr) is None
        ):
            flag = "--" + dest.replace("_", "-")
            msg = f"required: {flag} (or a --protocol FILE that sets it)"
            raise UsageError(msg)


def plan(args: argparse.Namespace, who: Patient) -> Plan:
    """The ``plan`` verb's plan for *who* (:func:`~ivig_core.plan_course`)."""
    from ivig_core.planning import plan as run_plan  # noqa: PLC0415 - lazy

    request = plan_request(args, who)
    with _options(
        args,
        "start",
        "policy",
        "indication",
        "rate_weight",
        "at_risk_cap",
        "previous_product",
    ):
        return run_plan(request)


def plan_request(args: argparse.Namespace, who: Patient) -> PlanRequest:
    """The ``plan`` options' request for *who* (as :func:`~ivig_core.plan_course`)."""
    from ivig_core.planning.request import PlanRequest  # noqa: PLC0415 - lazy
    from ivig_core.safety import SafetyOptions  # noqa: PLC0415 - lazy

    protocol = _protocol(args)
    _required_unless_protocol(args, protocol)
    regimen = _regimen(args)
    product = _plan_product(args, protocol)
    if args.indication is None:
        if regimen.indication is None:
            msg = "required: --indication (the regimen names none)"
            raise UsageError(msg)
        args.indication = regimen.indication
    rounding = None if args.rounding is None else _rounding(args)
    rate_flags = ("rate_increment", "rate_interval", "rate_target")
    schedule = (
        None
        if protocol is not None
        and not _given(args, rate_flags)
        and protocol.rate_schedule(product, args.indication) is not None
        else _schedule(args, product)
    )
    limits = _limits(args)
    closed = _closed(args)
    with _options(
        args,
        "start",
        "policy",
        "indication",
        "rate_weight",
        "at_risk_cap",
        "previous_product",
    ):
        return PlanRequest(
            patient=who,
            regimen=regimen,
            product=product,
            start=args.start,
            policy=args.policy,
            rounding=rounding,
            indication=args.indication,
            rate_weight=args.rate_weight,
            rate_schedule=schedule,
            at_risk_cap=args.at_risk_cap,
            closed=closed,
            limits=limits,
            safety=SafetyOptions(
                overrides=args.overrides, previous_product=args.previous_product
            ),
            protocol=protocol,
        )


# --------------------------------------------------------------------------
# scig


def _check_scig_options(args: argparse.Namespace) -> None:
    """A conversion (its four options) or a preset (with its days), not both."""
    given = _given(args, CONVERSION_DESTS)
    if args.preset is not None:
        if given or args.factor_reason is not None:
            msg = (
                f"--preset and {', '.join(given) or '--factor-reason'} cannot be "
                "combined: a preset's dose is not derived from the IVIg dose"
            )
            raise UsageError(msg)
        if args.maintenance_days is None:
            msg = "--preset needs --maintenance-days N (sessions per week)"
            raise UsageError(msg)
        return
    missing = [args.flags[d] for d in CONVERSION_DESTS if getattr(args, d) is None]
    if missing:
        msg = (
            f"the following arguments are required: {', '.join(missing)} "
            "(or --preset NAME)"
        )
        raise UsageError(msg)
    if args.maintenance_days is not None:
        msg = "--maintenance-days goes with --preset"
        raise UsageError(msg)


def _rule(args: argparse.Namespace) -> ConversionRule:
    """``--rule``, with ``--factor-reason`` for ``factor=F``."""
    from ivig_core.scig import UserFactor  # noqa: PLC0415 - lazy

    if not isinstance(args.rule, UserFactor):
        if args.factor_reason is not None:
            msg = "--factor-reason goes with --rule factor=F"
            raise UsageError(msg)
        chosen: ConversionRule = args.rule
        return chosen
    if args.factor_reason is None:
        msg = "--rule factor=F needs --factor-reason TEXT (recorded with the factor)"
        raise UsageError(msg)
    with _options(args, "rule", reason="factor_reason"):
        return UserFactor(args.rule.factor, reason=args.factor_reason)


def _sc_product(args: argparse.Namespace) -> Product:
    from ivig_core.products import (  # noqa: PLC0415 - lazy
        Catalogue,
        default_catalogue,
        get_product,
        load_formulary,
    )
    from ivig_core.scig import sc_product  # noqa: PLC0415 - lazy

    if args.formulary is None:
        with _options(args, "product"):
            product = get_product(args.product)
    else:
        try:
            local = load_formulary(args.formulary)
        except InputError as exc:  # name the flag the user typed
            detail = exc.detail or f"{exc.field}: got {exc.value!r}"
            raise type(exc)("--formulary", exc.value, exc.allowed, detail) from None
        both = Catalogue(
            products={**default_catalogue(), **local},
            origin=f"the shipped catalogue + {args.formulary}",
        )
        with _options(args, "product"):
            product = get_product(args.product, both)
    with _options(args, "product"):
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
        "(UNCONFIRMED: no source read gives them), so no dose can be dispensed; "
        "give your "
        "pharmacy's vials in a formulary file with --formulary FILE (the "
        "shipped catalogue's TOML format, read by load_formulary)"
    )
    raise UsageError(msg)


def _site_limits(
    args: argparse.Namespace, product: Product, situation: str
) -> ScLimits:
    """The catalogue's limits for the situations of option *situation*."""
    from ivig_core.scig import ScLimits  # noqa: PLC0415 - lazy

    with _options(
        args, *SITE_LIMIT_DESTS, situation=situation, parameter_source="limits_source"
    ):
        return ScLimits.from_product(
            product,
            situation=getattr(args, situation),
            max_sites=args.max_sites,
            volume_per_site=args.volume_per_site,
            rate_per_site=args.rate_per_site,
            total_rate=args.total_rate,
            volume_per_day=args.volume_per_day,
            # Checked by _sc_limits: given whenever a value above is.
            parameter_source=args.limits_source or "",
        )


def _sc_limits(
    args: argparse.Namespace, product: Product
) -> tuple[ScLimits, FirstInfusions | None]:
    from ivig_core.planning.request import FirstInfusions  # noqa: PLC0415 - lazy

    given = _given(args, SITE_LIMIT_DESTS)
    if given and args.limits_source is None:
        msg = (
            f"{', '.join(given)} need --limits-source TEXT (where the value comes from)"
        )
        raise UsageError(msg)
    if args.limits_source is not None and not given:
        msg = "--limits-source goes with a --max-... site-limit option"
        raise UsageError(msg)
    limits = _site_limits(args, product, "situation")
    if not args.first_situation:
        if args.first_count is not None:
            msg = "--first-count needs --first-situation TEXT"
            raise UsageError(msg)
        return limits, None
    if args.first_count is None:
        msg = "--first-situation needs --first-count N (how many infusions)"
        raise UsageError(msg)
    first = _site_limits(args, product, "first_situation")
    with _options(args, count="first_count"):
        return limits, FirstInfusions(limits=first, count=args.first_count)


def scig(args: argparse.Namespace, who: Patient) -> Plan:
    """The ``scig`` verb's SC plan for *who*: a conversion or a preset."""
    from ivig_core.planning.scig import (  # noqa: PLC0415 - lazy
        plan_scig,
        plan_scig_regimen,
    )
    from ivig_core.scig import convert_to_scig  # noqa: PLC0415 - lazy

    _check_scig_options(args)
    product = _sc_product(args)
    if args.preset is None:
        rule = _rule(args)
        with _options(
            args,
            "ivig_dose",
            "ivig_interval",
            "frequency",
            "last_ivig",
            "product",
            "rule",
            interval="ivig_interval",
        ):
            conversion = convert_to_scig(
                ivig_dose=args.ivig_dose,
                ivig_interval=args.ivig_interval,
                product=product,
                rule=rule,
                frequency=args.frequency,
                last_ivig=args.last_ivig,
            )
    else:
        with _options(args, "maintenance_days", "cycles"):
            regimen = args.preset.choose(
                maintenance_days=args.maintenance_days, cycles=args.cycles
            )
        _check_choices(args, regimen)
    limits, first = _sc_limits(args, product)
    _need_vials(product, args)
    rounding = _rounding(args)
    with _options(
        args,
        "cycles",
        "first_dose",
        "last_ivig",
        "policy",
        "site_rate",
        "indication",
        "previous_product",
        "product",
        start="first_dose",
        limits=("situation", "first_situation"),
        count="first_count",
    ):
        # The options both SC planners take, read once.
        common: dict[str, Any] = {
            "policy": args.policy,
            "rounding": rounding,
            "limits": limits,
            "site_rate": args.site_rate,
            "first_infusions": first,
            "indication": args.indication,
            "overrides": args.overrides,
            "previous_product": args.previous_product,
            "closed": _closed(args),
        }
        if args.preset is not None:
            sc = plan_scig_regimen(
                who,
                regimen,
                product,
                start=args.first_dose,
                last_ivig=args.last_ivig,
                **common,
            )
        else:
            sc = plan_scig(
                who,
                conversion,
                cycles=args.cycles,
                first_dose=args.first_dose,
                **common,
            )
    return sc.plan


# --------------------------------------------------------------------------
# show


def stored_plan(args: argparse.Namespace, path: Path, flag: str) -> Plan:
    """The plan document at *path*, checked and planned again on load.

    ``--protocol`` and ``--formulary`` (where the verb has them) are the ones
    the plan was made with: the loader needs them to plan it again
    (:func:`~ivig_core.io.json.plan_from_json`).
    """
    from ivig_core.io.json import plan_from_json  # noqa: PLC0415 - extra
    from ivig_core.products import load_formulary  # noqa: PLC0415 - lazy

    try:
        text = path.read_bytes()
    except OSError as exc:
        raise InputError(
            flag, str(path), "a readable plan document", str(exc)
        ) from None
    formulary = None
    if getattr(args, "formulary", None) is not None:
        try:
            formulary = load_formulary(args.formulary)
        except InputError as exc:  # name the flag the user typed
            detail = exc.detail or f"{exc.field}: got {exc.value!r}"
            raise type(exc)("--formulary", exc.value, exc.allowed, detail) from None
    return plan_from_json(text, products=formulary, protocol=_protocol(args))


def show(args: argparse.Namespace) -> Plan:
    """The stored plan of ``show FILE``, checked, with its safety report."""
    path: Path = args.file
    stored = stored_plan(args, path, "show")
    if stored.safety is None:
        raise InputError(
            "safety",
            None,
            "a plan document with its safety report (made by plan_course)",
            f"{path} holds a plan without a safety report",
        )
    return stored
