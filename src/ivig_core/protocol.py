"""A local protocol as data: what a site decides once, in one TOML file.

A hospital decides its dosing-weight policy, its vial rounding, which weight
per-kg rates use, the rate steps it uses where a label gives none, its
safety thresholds and premedication wording, the days its infusion centre
is closed and the products its pharmacy adds. :func:`load_protocol` reads
such a file all or nothing: every problem in it is found and reported at
once, each naming the file, the table and the field, and nothing is
returned half-built. The planners take it as ``protocol=``; the plan
records its name, version and hash (:class:`~ivig_core.plan.ProtocolRef`),
and the plan's JSON document carries the text it was read from, so the plan
loads without the file (:func:`protocol_from_text` reads it again).

None of the protocol's values is a default of the library: each is the
site's decision, and the plan says which protocol it came from.

The file (all tables but ``[protocol]`` optional)::

    [protocol]
    name = "Example District Hospital immunoglobulin protocol"
    version = "2026-01"

    [dosing_weight]
    policy = "adjusted"      # a built-in policy ...
    factor = 0.4             # ... and its parameters

    [rounding]
    policy = "nearest-within"
    tolerance = "10 %"

    [rates]
    weight = "dosing"        # or "actual"

    [[rates.steps]]          # where the label gives no step size
    product = "privigen"
    indications = ["pi", "cidp", "itp"]
    increment = "1 mg/kg/min"
    interval = "30 min"

    [[rates.schedule]]       # where the catalogue has no labelled rates
    product = "gammagard-sd"
    indications = ["pi", "itp", "cll", "kawasaki"]
    start = "0.5 mL/kg/h"
    increment = "0.5 mL/kg/h"
    every = "30 min"
    maximum = "4 mL/kg/h"

    [safety]
    thrombosis_age_from = "65 year"
    hydration_protocol = "..."

    [premedication]
    name = "..."
    agents = ["..."]
    after_prior_reaction = ["..."]

    [calendar]
    closed_weekends = true
    closed_dates = [2026-12-25]

    [formulary]
    file = "formulary.toml"  # relative to the protocol file

Example:
    >>> from pathlib import Path
    >>> p = load_protocol(Path("examples/protocols/district-hospital.toml"))
    >>> p.name, p.version, len(p.sha256)
    ('Example District Hospital immunoglobulin protocol', '2026-01', 64)

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import tomllib
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, TypeVar

import attrs

from ivig_core.dosing_weight import DosingWeightPolicy, get_policy
from ivig_core.errors import DocumentError, InputError, IvigError
from ivig_core.infusion import rate_schedule
from ivig_core.plan import ProtocolRef
from ivig_core.products import (
    Catalogue,
    Product,
    default_catalogue,
    formulary_from_text,
    get_product,
)
from ivig_core.rates import RateSchedule
from ivig_core.safety import PremedicationProtocol, SafetyConfig
from ivig_core.vials import RoundingPolicy, get_rounding


if TYPE_CHECKING:
    from collections.abc import Iterable


__all__ = ["Protocol", "load_protocol", "protocol_from_text"]

_T = TypeVar("_T")

_WEEKDAYS: Final = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_TABLES: Final = frozenset(
    {
        "protocol", "dosing_weight", "rounding", "rates", "safety",
        "premedication", "calendar", "formulary",
    }
)  # fmt: skip
_SAFETY_FIELDS: Final = frozenset(
    {
        "thrombosis_age_from", "renal_age_above", "iga_deficiency_below",
        "crcl_below", "daily_grams_above", "haemolysis_course_from",
        "obesity_bmi_above", "large_volume_per_day", "hydration_protocol",
        "rounding_tolerance",
    }
)  # fmt: skip


# --------------------------------------------------------------------------
# The model


@attrs.frozen(kw_only=True)
class Protocol:
    """A site's decisions, loaded from one file by :func:`load_protocol`.

    Attributes:
        name: The protocol's name.
        version: Its version.
        sha256: The SHA-256 of the file's bytes (hex).
        file: The file it was loaded from.
        policy: The dosing-weight policy, or ``None`` (not decided here).
        rounding: The vial rounding policy, or ``None``.
        rate_weight: ``"dosing"`` or ``"actual"``, or ``None``.
        rates: Local rate schedules by ``(product key, indication)``.
        safety: The safety configuration (thresholds, premedication,
            hydration), or ``None`` for the library's.
        closed_weekdays: Weekdays the centre is closed (0 = Monday).
        closed_dates: Single closed dates.
        formulary: Products the pharmacy adds, or ``None``.
        text: What :func:`load_protocol` read: the file's text, whose
            SHA-256 is :attr:`sha256` (``None`` for a protocol not read from
            a file). A plan document carries it, so the plan loads without
            the file (:func:`protocol_from_text` rebuilds this protocol).
        formulary_text: The formulary file's text, or ``None``.

    .. versionadded:: 0.2.0
    """

    name: str
    version: str
    sha256: str
    file: str
    policy: DosingWeightPolicy | None = None
    rounding: RoundingPolicy | None = None
    rate_weight: Literal["dosing", "actual"] | None = None
    rates: Mapping[tuple[str, str], RateSchedule] = attrs.field(factory=dict)
    safety: SafetyConfig | None = None
    closed_weekdays: frozenset[int] = frozenset()
    closed_dates: frozenset[dt.date] = frozenset()
    formulary: Catalogue | None = None
    text: str | None = attrs.field(default=None, repr=False)
    formulary_text: str | None = attrs.field(default=None, repr=False)

    @property
    def ref(self) -> ProtocolRef:
        """The name, version and hash a plan records."""
        return ProtocolRef(name=self.name, version=self.version, sha256=self.sha256)

    @property
    def catalogue(self) -> Catalogue:
        """The shipped catalogue with the protocol's formulary added."""
        if self.formulary is None:
            return default_catalogue()
        return Catalogue(
            products={**default_catalogue(), **self.formulary},
            origin=f"the shipped catalogue + {self.formulary.origin}",
        )

    def product(self, name: str) -> Product:
        """The product called *name*, from the formulary or the catalogue.

        Raises:
            InputError: Unknown product.
        """
        return get_product(name, self.catalogue)

    def rate_schedule(
        self, product: Product, indication: str | None
    ) -> RateSchedule | None:
        """The protocol's schedule for *product* and *indication*, or ``None``."""
        if indication is None:
            return None
        return self.rates.get((product.key, indication))


# --------------------------------------------------------------------------
# Loading: every problem at once


class _Problems:
    """Problems found in one protocol file, all reported at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[tuple[str, str]] = []

    def add(self, where: str, message: str) -> None:
        self.items.append((where, message))

    def run(self, where: str, make: Callable[[], _T]) -> _T | None:
        try:
            return make()
        except IvigError as exc:
            self.add(where, _message(exc))
        except (TypeError, ValueError) as exc:
            self.add(where, str(exc))
        return None

    def raise_if_any(self) -> None:
        if not self.items:
            return
        listed = "; ".join(f"{self.file}: {w}: {m}" for w, m in self.items)
        first = self.items[0][0]
        raise DocumentError(
            f"{self.file}: {first}",
            self.file,
            "a valid local protocol file",
            f"{len(self.items)} problem(s): {listed}",
            tuple((f"{self.file}: {w}", m) for w, m in self.items),
        )


def _message(exc: IvigError) -> str:
    if isinstance(exc, InputError):
        detail = exc.detail or f"got {exc.value!r}"
        return f"{detail}; allowed: {exc.allowed}"
    return str(exc)


def _table(
    data: Mapping[str, object], key: str, problems: _Problems
) -> dict[str, object]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        problems.add(f"[{key}]", "expected a table")
        return {}
    return value


def _unknown(
    table: Mapping[str, object], name: str, allowed: Iterable[str], problems: _Problems
) -> None:
    for key in sorted(set(table) - set(allowed)):
        problems.add(f"[{name}] {key}", "unknown field")


def _text(
    table: Mapping[str, object], name: str, key: str, problems: _Problems
) -> str | None:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(f"[{name}] {key}", f"required, a non-empty string (got {value!r})")
        return None
    return value


def _policy(table: dict[str, object], problems: _Problems) -> DosingWeightPolicy | None:
    if not table:
        return None
    params = {k: v for k, v in table.items() if k != "policy"}
    name = table.get("policy")
    if not isinstance(name, str):
        problems.add(
            "[dosing_weight] policy", f"required, a built-in policy name (got {name!r})"
        )
        return None
    base = problems.run("[dosing_weight] policy", lambda: get_policy(name))
    if base is None or not params:
        return base
    if not attrs.has(type(base)):
        problems.add("[dosing_weight]", f"policy {name!r} takes no parameters")
        return None
    cls: Any = type(base)
    known = {a.name for a in attrs.fields(cls) if a.init}
    for key in sorted(set(params) - known):
        problems.add(f"[dosing_weight] {key}", f"unknown parameter of policy {name!r}")
    good = {k: v for k, v in params.items() if k in known}
    bad = False
    for key, value in good.items():
        one = functools.partial(_evolve, base, {key: value})
        if problems.run(f"[dosing_weight] {key}", one) is None:
            bad = True
    if bad or set(good) != set(params):
        return None
    return _evolve(base, good)


def _evolve(
    policy: DosingWeightPolicy, changes: dict[str, object]
) -> DosingWeightPolicy:
    """*policy* with its parameters changed (checked by its converters)."""
    instance: Any = policy
    return typing.cast("DosingWeightPolicy", attrs.evolve(instance, **changes))


def _rounding(table: dict[str, object], problems: _Problems) -> RoundingPolicy | None:
    if not table:
        return None
    name = table.get("policy")
    if not isinstance(name, str):
        problems.add(
            "[rounding] policy", f"required, a rounding policy name (got {name!r})"
        )
        return None
    params = {k: v for k, v in table.items() if k != "policy"}
    return problems.run("[rounding]", functools.partial(get_rounding, name, **params))


#: Reads a file's bytes: the disk's, or a plan document's copy.
_Read: TypeAlias = Callable[[Path], bytes]


def _read_disk(path: Path) -> bytes:
    return path.read_bytes()


def _formulary(path: Path, read: _Read) -> tuple[Catalogue, str]:
    """The formulary at *path* and the text it was read from, all or nothing.

    As :func:`~ivig_core.products.load_formulary`, from one read (the text a
    plan document carries is the text that was parsed).
    """
    try:
        text = read(path).decode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: a NUL
        raise InputError(
            str(path),
            str(path),
            "a readable UTF-8 TOML file",
            f"cannot read {path}: {exc}",
        ) from exc
    # Text mode's newlines, as load_formulary reads the file.
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    return formulary_from_text(lines, file=str(path)), text


def _catalogue(
    table: dict[str, object], base: Path, problems: _Problems, read: _Read
) -> tuple[Catalogue, str] | None:
    _unknown(table, "formulary", ("file",), problems)
    if not table:
        return None
    file = table.get("file")
    if not isinstance(file, str) or not file.strip():
        problems.add("[formulary] file", f"required, a path (got {file!r})")
        return None
    return problems.run("[formulary] file", lambda: _formulary(base / file, read))


_STEP_KEYS: Final = frozenset(
    {"product", "indications", "increment", "interval", "target"}
)
_SCHEDULE_KEYS: Final = frozenset(
    {"product", "indications", "start", "increment", "every", "maximum"}
)


def _rate_entries(
    rates: dict[str, object],
    kind: str,
    catalogue: Catalogue,
    label: str,
    problems: _Problems,
) -> dict[tuple[str, str], RateSchedule]:
    out: dict[tuple[str, str], RateSchedule] = {}
    entries = rates.get(kind, [])
    if not isinstance(entries, list):
        problems.add(
            f"[rates.{kind}]", "expected an array of tables ([[rates.{kind}]])"
        )
        return out
    keys = _STEP_KEYS if kind == "steps" else _SCHEDULE_KEYS
    for number, entry in enumerate(entries, start=1):
        where = f"[[rates.{kind}]] #{number}"
        if not isinstance(entry, dict):
            problems.add(where, "expected a table")
            continue
        for key in sorted(set(entry) - keys):
            problems.add(f"{where} {key}", "unknown field")
        name = entry.get("product")
        product = problems.run(
            f"{where} product", functools.partial(get_product, str(name), catalogue)
        )
        indications = entry.get("indications")
        if not isinstance(indications, list) or not indications:
            problems.add(f"{where} indications", "required, a list of indication keys")
            continue
        if product is None:
            continue
        for ind in indications:
            key = str(ind)
            make: Callable[[], RateSchedule]
            if kind == "steps":
                make = functools.partial(
                    rate_schedule,
                    product,
                    key,
                    increment=entry.get("increment"),
                    interval=entry.get("interval"),
                    target=entry.get("target"),
                )
            else:
                make = functools.partial(
                    RateSchedule.ramp,
                    start=entry.get("start"),
                    increment=entry.get("increment"),
                    every=entry.get("every"),
                    maximum=entry.get("maximum"),
                    source=f"local protocol {label}: a schedule where the "
                    "catalogue has no labelled rates",
                    indication=key,
                )
            made = problems.run(f"{where} ({key})", make)
            if made is not None:
                if (product.key, key) in out:
                    problems.add(
                        f"{where} ({key})", f"a second schedule for {product.key} {key}"
                    )
                out[(product.key, key)] = made
    return out


def _safety(
    table: dict[str, object], premed: dict[str, object], label: str, problems: _Problems
) -> SafetyConfig | None:
    _unknown(table, "safety", _SAFETY_FIELDS, problems)
    _unknown(
        premed, "premedication", ("name", "agents", "after_prior_reaction"), problems
    )
    if not table and not premed:
        return None
    fields = {k: v for k, v in table.items() if k in _SAFETY_FIELDS}
    ok = True
    for key, value in fields.items():
        one = functools.partial(_safety_config, {key: value})
        if problems.run(f"[safety] {key}", one) is None:
            ok = False
    if premed:
        made = problems.run(
            "[premedication]",
            functools.partial(
                PremedicationProtocol,
                name=premed.get("name"),
                agents=premed.get("agents"),
                after_prior_reaction=premed.get("after_prior_reaction", ()),
                source=f"local protocol {label}",
            ),
        )
        if made is None:
            return None
        fields["premedication"] = made
    if not ok:
        return None
    return problems.run("[safety]", functools.partial(_safety_config, fields))


def _safety_config(fields: dict[str, object]) -> SafetyConfig:
    values: dict[str, Any] = fields
    return SafetyConfig(**values)


def _calendar(
    table: dict[str, object], problems: _Problems
) -> tuple[frozenset[int], frozenset[dt.date]]:
    _unknown(
        table,
        "calendar",
        ("closed_weekends", "closed_weekdays", "closed_dates"),
        problems,
    )
    weekdays: set[int] = set()
    weekends = table.get("closed_weekends", False)
    if not isinstance(weekends, bool):
        problems.add("[calendar] closed_weekends", f"true or false (got {weekends!r})")
    elif weekends:
        weekdays |= {5, 6}
    names = table.get("closed_weekdays", [])
    if not isinstance(names, list):
        problems.add("[calendar] closed_weekdays", "a list of weekday names")
        names = []
    for name in names:
        if not isinstance(name, str) or name.strip().lower() not in _WEEKDAYS:
            problems.add(
                "[calendar] closed_weekdays",
                f"{name!r} is not a weekday name (monday ... sunday)",
            )
        else:
            weekdays.add(_WEEKDAYS.index(name.strip().lower()))
    dates: set[dt.date] = set()
    raw = table.get("closed_dates", [])
    if not isinstance(raw, list):
        problems.add("[calendar] closed_dates", "a list of dates (2026-12-25)")
        raw = []
    for day in raw:
        if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
            problems.add(
                "[calendar] closed_dates",
                f"{day!r} is not a date (write 2026-12-25, unquoted)",
            )
        else:
            dates.add(day)
    return frozenset(weekdays), frozenset(dates)


def load_protocol(path: str | Path) -> Protocol:
    """Load a local protocol file, all or nothing.

    The protocol keeps the text it read (:attr:`Protocol.text`, and its
    formulary's), so a plan document made under it carries it and loads
    without the file.

    Raises:
        DocumentError: Every problem in the file, in one error (an
            :class:`~ivig_core.InputError`): each names the file, the table
            and the field; ``errors`` lists them as ``(where, message)``.

    .. versionadded:: 0.2.0
    """
    if not isinstance(path, (str, Path)):
        raise InputError("path", path, "a file path (a str or a pathlib.Path)")
    return _load(Path(path), _read_disk)


def protocol_from_text(
    text: str, *, file: str, formulary_text: str | None = None
) -> Protocol:
    """The protocol :func:`load_protocol` read from *file*, rebuilt from its text.

    A plan document carries its protocol's :attr:`~Protocol.text`,
    :attr:`~Protocol.file` and :attr:`~Protocol.formulary_text`; this
    rebuilds an equal :class:`Protocol` from them, with the same checks as
    :func:`load_protocol` and nothing read from the disk.

    Args:
        text: The protocol file's text.
        file: The path it was read from (its problems are named after it;
            a ``[formulary] file`` is relative to it).
        formulary_text: The text of the formulary the protocol names, or
            ``None`` if it names none.

    Raises:
        InputError: A bad argument, naming it.
        DocumentError: Every problem in the text, as :func:`load_protocol`.

    Example:
        >>> from pathlib import Path
        >>> p = load_protocol(Path("examples/protocols/district-hospital.toml"))
        >>> protocol_from_text(
        ...     p.text, file=p.file, formulary_text=p.formulary_text
        ... ) == p
        True

    .. versionadded:: 0.2.0
    """
    given: tuple[object, object, object] = (text, file, formulary_text)
    if not isinstance(given[0], str):
        raise InputError("text", text, "the protocol file's text (a str)")
    if not isinstance(given[1], str) or not file.strip():
        raise InputError("file", file, "the path the protocol was read from")
    if given[2] is not None and not isinstance(given[2], str):
        raise InputError(
            "formulary_text", formulary_text, "the formulary's text or None"
        )
    own = Path(file)
    data = text.encode("utf-8", "surrogatepass")

    def read(path: Path) -> bytes:
        if path == own:
            return data
        if formulary_text is None:
            msg = "not given (formulary_text is None)"
            raise OSError(msg)
        return formulary_text.encode("utf-8", "surrogatepass")

    return _load(own, read)


def _load(file: Path, read: _Read) -> Protocol:
    """The protocol in *file*, its files read with *read*."""
    problems = _Problems(str(file))
    try:
        raw_bytes = read(file)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        problems.add("file", f"cannot read: {exc}")
        problems.raise_if_any()
        raise  # pragma: no cover - raise_if_any raised
    try:
        raw_text = raw_bytes.decode("utf-8")
        data = tomllib.loads(raw_text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problems.add("file", f"not a UTF-8 TOML file: {exc}")
        problems.raise_if_any()
        raise  # pragma: no cover - raise_if_any raised
    for key in sorted(set(data) - _TABLES):
        problems.add(f"[{key}]", "unknown table")
    head = _table(data, "protocol", problems)
    _unknown(head, "protocol", ("name", "version", "note"), problems)
    name = _text(head, "protocol", "name", problems)
    version = _text(head, "protocol", "version", problems)
    label = f"{name or '?'} version {version or '?'}"
    policy = _policy(_table(data, "dosing_weight", problems), problems)
    rounding = _rounding(_table(data, "rounding", problems), problems)
    read_formulary = _catalogue(
        _table(data, "formulary", problems), file.parent, problems, read
    )
    formulary, formulary_text = (
        (None, None) if read_formulary is None else read_formulary
    )
    catalogue = (
        default_catalogue()
        if formulary is None
        else Catalogue(products={**default_catalogue(), **formulary}, origin=str(file))
    )
    rates = _table(data, "rates", problems)
    _unknown(rates, "rates", ("weight", "steps", "schedule"), problems)
    weight: Literal["dosing", "actual"] | None = None
    given = rates.get("weight")
    if given == "dosing":
        weight = "dosing"
    elif given == "actual":
        weight = "actual"
    elif given is not None:
        problems.add("[rates] weight", f"'dosing' or 'actual' (got {given!r})")
    schedules = {
        **_rate_entries(rates, "steps", catalogue, label, problems),
        **_rate_entries(rates, "schedule", catalogue, label, problems),
    }
    safety = _safety(
        _table(data, "safety", problems),
        _table(data, "premedication", problems),
        label,
        problems,
    )
    weekdays, dates = _calendar(_table(data, "calendar", problems), problems)
    problems.raise_if_any()
    assert name is not None  # noqa: S101 - raise_if_any reported a missing name
    assert version is not None  # noqa: S101 - likewise
    return Protocol(
        name=name,
        version=version,
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
        file=str(file),
        policy=policy,
        rounding=rounding,
        rate_weight=weight,
        rates=schedules,
        safety=safety,
        closed_weekdays=weekdays,
        closed_dates=dates,
        formulary=formulary,
        text=raw_text,
        formulary_text=formulary_text,
    )
