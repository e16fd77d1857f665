"""Units: the one place that knows about pint.

ivig_core takes dimensioned values at its public boundary as pint quantities
or as strings such as ``"92 kg"``, ``"202.8 lb"``, ``"5 ft 5 in"`` or
``"54 year"``, checks their dimension, and works inside on plain floats in
fixed canonical units (kg, cm, g, mL, ...). Results are wrapped back into
quantities once.

A bare number for a dimensioned value is refused with :class:`UnitError`: it
is never assumed to be kg, cm or anything else.

Registry:
    The library uses pint's *application registry*, looked up lazily at call
    time, so quantities made by the host application combine with the
    library's results. :func:`set_registry` points the library at another
    registry. The library never defines units in, or changes settings of, the
    host's registry. A quantity from another registry is re-homed with
    ``Quantity.from_tuple(q.to_tuple())`` (never ``Quantity(q, unit)``, which
    pint turns into nonsense without an error).

Cost:
    pint 0.25 re-parses prefixed unit strings such as ``"kg"`` on every use
    (pint#2320), so unit objects are parsed once per registry and cached
    (see ``reference/pint-notes.md``).
"""

from __future__ import annotations

import functools
import math
import numbers
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, TypeAlias, cast

import attrs
import pint

from ivig_core.errors import InputError, UnitError


if TYPE_CHECKING:
    Quantity: TypeAlias = pint.Quantity[float]
    Unit: TypeAlias = pint.Unit
    Registry: TypeAlias = pint.UnitRegistry[float]
else:  # at run time: the base classes every registry's classes derive from
    Quantity = pint.Quantity
    Unit = pint.Unit
    Registry = pint.UnitRegistry

__all__ = [
    "CM",
    "DAY",
    "G_PER_DAY",
    "G_PER_KG",
    "G_PER_KG_PER_DAY",
    "G_PER_KG_PER_WEEK",
    "G_PER_L",
    "HOUR",
    "KG",
    "KG_PER_M2",
    "MG",
    "MG_PER_DL",
    "MG_PER_KG_PER_MIN",
    "MG_PER_ML",
    "MINUTE",
    "ML",
    "ML_PER_H",
    "ML_PER_KG_PER_MIN",
    "ML_PER_MIN",
    "MMOL_PER_L",
    "PERCENT",
    "Q_",
    "UG_PER_ML",
    "UMOL_PER_L",
    "WEEK",
    "YEAR",
    "G",
    "Quantity",
    "UnitSpec",
    "get_registry",
    "has_dimension",
    "is_canonical",
    "magnitude",
    "parse_quantity",
    "quantities",
    "quantity",
    "require_range",
    "set_registry",
    "to_float",
    "to_quantity",
]


# --------------------------------------------------------------------------
# Registry


_override: Registry | None = None
#: pint's application-registry holder (a fixed object; what it holds is
#: looked up at each call, so pint.set_application_registry is honoured).
_APPLICATION: Final = pint.get_application_registry()  # type: ignore[no-untyped-call]
#: Serialises the first use of a registry. pint builds its default registry
#: lazily, on the first attribute looked up, and that build is not
#: thread-safe: threads that arrive while it runs see a half-loaded registry
#: ("unknown unit 'year'"). The first use of each registry therefore happens
#: here, once, under this lock.
_FIRST_USE: Final = threading.Lock()
#: The registries already built under :data:`_FIRST_USE` (held, so an
#: identity is never reused by another registry).
_built: tuple[object, ...] = ()


def _ready(registry: Registry) -> Registry:
    """*registry*, fully built: its lazy first use done once, under a lock."""
    global _built  # noqa: PLW0603 - the registry's first-use record (DESIGN.md)
    if any(known is registry for known in _built):
        return registry
    with _FIRST_USE:
        if not any(known is registry for known in _built):
            registry.Unit("kilogram")  # builds a lazy registry, once
            _built = (*_built, registry)
    return registry


def get_registry() -> Registry:
    """Return the registry ivig_core builds its quantities in.

    That is the registry set with :func:`set_registry`, or else pint's
    application registry, looked up now (not at import time), so a host that
    calls :func:`pint.set_application_registry` before using the library is
    honoured.

    .. versionadded:: 0.1.0
    """
    if _override is not None:
        return _override
    return _ready(cast("Registry", _APPLICATION.get()))


def set_registry(registry: Registry | None) -> None:
    """Make ivig_core build its quantities in *registry*.

    Args:
        registry: A :class:`pint.UnitRegistry`, or ``None`` to go back to
            pint's application registry.

    Quantities the library made earlier stay in the registry they were made
    in; pint does not let quantities of two registries be combined.

    .. versionadded:: 0.1.0
    """
    global _override  # noqa: PLW0603 - the one piece of global state (DESIGN.md)
    if registry is not None and not isinstance(registry, pint.UnitRegistry):
        raise InputError(
            "registry", registry, "a pint.UnitRegistry, or None for pint's default"
        )
    _override = None if registry is None else _ready(registry)


# --------------------------------------------------------------------------
# Canonical units


@attrs.frozen(kw_only=True, cache_hash=True)
class UnitSpec:
    """A canonical unit the library computes in, with what it accepts.

    Attributes:
        name: The pint name of the unit (full names parse from pint's cache).
        symbol: The short symbol used in messages and output.
        dimension: The pint dimensionality every accepted value must have.
        kind: What the value is, for messages ("a mass", "a length", ...).
        example: An example accepted string, for messages.
        mass_ratio: For per-kilogram quantities such as g/kg, whose mass
            dimensions cancel: the unit must be written as a ratio of masses,
            so ``"2 %"`` or a dimensionless ``2`` is not taken for 2 g/kg.

    .. versionadded:: 0.1.0
    """

    name: str
    symbol: str
    dimension: str
    kind: str
    example: str
    mass_ratio: bool = False


KG: Final = UnitSpec(
    name="kilogram",
    symbol="kg",
    dimension="[mass]",
    kind="a mass",
    example="'70 kg' or '154 lb'",
)
G: Final = UnitSpec(
    name="gram",
    symbol="g",
    dimension="[mass]",
    kind="a mass",
    example="'35 g' or '35000 mg'",
)
MG: Final = UnitSpec(
    name="milligram",
    symbol="mg",
    dimension="[mass]",
    kind="a mass",
    example="'500 mg'",
)
CM: Final = UnitSpec(
    name="centimeter",
    symbol="cm",
    dimension="[length]",
    kind="a length",
    example="'165 cm' or '5 ft 5 in'",
)
YEAR: Final = UnitSpec(
    name="year",
    symbol="year",
    dimension="[time]",
    kind="a duration",
    example="'54 year'",
)
WEEK: Final = UnitSpec(
    name="week",
    symbol="week",
    dimension="[time]",
    kind="a duration",
    example="'4 week'",
)
DAY: Final = UnitSpec(
    name="day",
    symbol="day",
    dimension="[time]",
    kind="a duration",
    example="'28 day' or '4 week'",
)
HOUR: Final = UnitSpec(
    name="hour",
    symbol="h",
    dimension="[time]",
    kind="a duration",
    example="'2.5 hour'",
)
MINUTE: Final = UnitSpec(
    name="minute",
    symbol="min",
    dimension="[time]",
    kind="a duration",
    example="'30 min'",
)
ML: Final = UnitSpec(
    name="milliliter",
    symbol="mL",
    dimension="[length] ** 3",
    kind="a volume",
    example="'400 mL'",
)
G_PER_L: Final = UnitSpec(
    name="gram / liter",
    symbol="g/L",
    dimension="[mass] / [length] ** 3",
    kind="a mass concentration",
    example="'100 g/L' or '0.1 g/mL'",
)
MG_PER_DL: Final = UnitSpec(
    name="milligram / deciliter",
    symbol="mg/dL",
    dimension="[mass] / [length] ** 3",
    kind="a mass concentration",
    example="'0.9 mg/dL'",
)
G_PER_KG: Final = UnitSpec(
    name="gram / kilogram",
    symbol="g/kg",
    dimension="[]",
    kind="a dose per body mass",
    example="'2 g/kg' or '400 mg/kg'",
    mass_ratio=True,
)
G_PER_KG_PER_DAY: Final = UnitSpec(
    name="gram / kilogram / day",
    symbol="g/kg/day",
    dimension="1 / [time]",
    kind="a dose per body mass per day",
    example="'0.4 g/kg/day'",
    mass_ratio=True,
)
G_PER_KG_PER_WEEK: Final = UnitSpec(
    name="gram / kilogram / week",
    symbol="g/kg/week",
    dimension="1 / [time]",
    kind="a dose intensity",
    example="'0.25 g/kg/week'",
    mass_ratio=True,
)
G_PER_DAY: Final = UnitSpec(
    name="gram / day",
    symbol="g/day",
    dimension="[mass] / [time]",
    kind="a mass per day",
    example="'80 g/day'",
)
MG_PER_KG_PER_MIN: Final = UnitSpec(
    name="milligram / kilogram / minute",
    symbol="mg/kg/min",
    dimension="1 / [time]",
    kind="an infusion rate per body mass",
    example="'4 mg/kg/min'",
    mass_ratio=True,
)
ML_PER_KG_PER_MIN: Final = UnitSpec(
    name="milliliter / kilogram / minute",
    symbol="mL/kg/min",
    dimension="[length] ** 3 / [mass] / [time]",
    kind="a volume rate per body mass",
    example="'0.04 mL/kg/min'",
)
ML_PER_H: Final = UnitSpec(
    name="milliliter / hour",
    symbol="mL/h",
    dimension="[length] ** 3 / [time]",
    kind="a volume rate",
    example="'150 mL/h'",
)
ML_PER_MIN: Final = UnitSpec(
    name="milliliter / minute",
    symbol="mL/min",
    dimension="[length] ** 3 / [time]",
    kind="a volume rate",
    example="'60 mL/min'",
)
UG_PER_ML: Final = UnitSpec(
    name="microgram / milliliter",
    symbol="µg/mL",
    dimension="[mass] / [length] ** 3",
    kind="a mass concentration",
    example="'25 ug/mL'",
)
MG_PER_ML: Final = UnitSpec(
    name="milligram / milliliter",
    symbol="mg/mL",
    dimension="[mass] / [length] ** 3",
    kind="a mass concentration",
    example="'90 mg/mL'",
)
MMOL_PER_L: Final = UnitSpec(
    name="millimole / liter",
    symbol="mmol/L",
    dimension="[substance] / [length] ** 3",
    kind="a molar concentration",
    example="'250 mmol/L'",
)
PERCENT: Final = UnitSpec(
    name="percent",
    symbol="%",
    dimension="[]",
    kind="a percentage",
    example="'10 %'",
)
UMOL_PER_L: Final = UnitSpec(
    name="micromole / liter",
    symbol="µmol/L",
    dimension="[substance] / [length] ** 3",
    kind="a molar concentration",
    example="'80 umol/L'",
)
KG_PER_M2: Final = UnitSpec(
    name="kilogram / meter ** 2",
    symbol="kg/m²",
    dimension="[mass] / [length] ** 2",
    kind="a body-mass index",
    example="'33.8 kg/m**2'",
)


def _spec(unit: object) -> UnitSpec:
    """*unit* if it is a :class:`UnitSpec`; else the library's own error."""
    if type(unit) is not UnitSpec:
        raise InputError("unit", unit, "a UnitSpec of ivig_core.units (KG, G, ML, ...)")
    return unit


def _number(value: object, field: str = "value") -> float:
    """*value* as a float if it is a real number (not a bool or a string)."""
    if type(value) is float:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(field, value, "a real number")
    return float(value)


@functools.cache
def _unit(registry: Registry, spec: UnitSpec) -> Unit:
    """Parse *spec*'s unit once per registry."""
    return registry.Unit(spec.name)


@functools.cache
def _dimensionality(registry: Registry, dimension: str) -> object:
    """Parse a dimensionality string once per registry."""
    return registry.get_dimensionality(dimension)


@functools.lru_cache(maxsize=512)
def _parse_unit(registry: Registry, text: str) -> Unit:
    """Parse a user's unit string once (bounded: it comes from input)."""
    return registry.Unit(text)


@functools.cache
def _is_mass_unit(registry: Registry, name: str) -> bool:
    return bool(
        registry.get_dimensionality(name) == _dimensionality(registry, "[mass]")
    )


def _set(cls: type, value: float, container: object) -> Quantity:
    """A quantity made by setting its two attributes (see :func:`_fast_ok`)."""
    q = cast("Quantity", object.__new__(cls))
    q._magnitude = value  # noqa: SLF001 - pint's own two attributes
    q._units = container  # type: ignore[assignment]  # noqa: SLF001
    return q


@functools.cache
def _fast_ok(registry: Registry) -> bool:
    """Whether quantities of *registry* can be made without the constructor.

    ``registry.Quantity(value, unit)`` costs 5-10 µs, mostly checks that a
    float magnitude and a parsed unit do not need. A quantity is its
    magnitude and its unit container, so a fast quantity sets those two on a
    new instance. That is used only if, for this registry and pint version,
    it makes exactly what the constructor makes: same class, same attributes
    of the same types (e.g. not when the registry forces numpy magnitudes).
    """
    unit = _unit(registry, G)
    try:
        fast = vars(_set(registry.Quantity, 1.5, unit._units))  # noqa: SLF001
        slow = vars(registry.Quantity(1.5, unit))
    except TypeError:  # pragma: no cover - a pint with slotted quantities
        return False
    return (
        fast.keys() == slow.keys()
        and all(type(fast[k]) is type(slow[k]) for k in fast)
        and bool(fast == slow)
    )


def _new(registry: Registry, value: float, unit: Unit) -> Quantity:
    """``registry.Quantity(value, unit)`` for a float *value*, fast if it can."""
    if _fast_ok(registry):
        return _set(registry.Quantity, value, unit._units)  # noqa: SLF001
    return registry.Quantity(value, unit)


@functools.cache
def _maker(registry: Registry, spec: UnitSpec) -> Callable[[float], Quantity]:
    """A function making quantities of *spec*'s unit in *registry*, fast."""
    cls = registry.Quantity
    unit = _unit(registry, spec)
    container = unit._units  # noqa: SLF001 - pint's own representation

    def slow(value: float) -> Quantity:
        return cls(value, unit)

    def fast(value: float) -> Quantity:
        return _set(cls, value, container)

    return fast if _fast_ok(registry) else slow


def quantities(unit: UnitSpec) -> Callable[[float], Quantity]:
    """A function wrapping floats in canonical *unit*, in the active registry.

    What :func:`quantity` does, with the registry and unit looked up once:
    for code that makes several quantities of one unit in a row.

    Example:
        >>> grams = quantities(G)
        >>> grams(2.5) == quantity(2.5, G)
        True

    .. versionadded:: 0.1.0
    """
    return _maker(get_registry(), _spec(unit))


def quantity(value: float, unit: UnitSpec) -> Quantity:
    """Wrap a float in canonical *unit* into a quantity of the active registry.

    This is the one way results leave the float core.

    .. versionadded:: 0.1.0
    """
    return _maker(get_registry(), _spec(unit))(_number(value))


@functools.cache
def _container(registry: Registry, spec: UnitSpec) -> object:
    """*spec*'s unit container in *registry* (what a quantity's unit is)."""
    return _unit(registry, spec)._units  # noqa: SLF001 - pint's representation


def _is_canonical(q: Quantity, registry: Registry, unit: UnitSpec) -> bool:
    """Whether *q*'s unit is exactly *unit* (no conversion needed)."""
    container = _container(registry, unit)
    units = q._units  # noqa: SLF001 - a cheap comparison
    return units is container or bool(units == container)


def is_canonical(value: object, unit: UnitSpec) -> bool:
    """Whether *value* is a quantity written in exactly the canonical *unit*.

    A cheap test (about 1 µs) for values the library made itself, which
    need no dimension check or conversion. Never raises for any *value*.

    Raises:
        InputError: *unit* is not a :class:`UnitSpec`.

    .. versionadded:: 0.1.0
    """
    if not isinstance(unit, UnitSpec):
        raise InputError("unit", unit, "a UnitSpec (e.g. units.KG)")
    if not isinstance(value, pint.Quantity):
        return False
    return _is_canonical(cast("Quantity", value), get_registry(), unit)


def _canonical_float(value: object, registry: Registry, unit: UnitSpec) -> float | None:
    """The magnitude of a finite float quantity of *registry* in *unit*, or None.

    The fast path of :func:`to_float` for the library's own quantities: the
    exact quantity class of the registry, a float magnitude, the canonical
    unit. Anything else (None) takes the full path.
    """
    if type(value) is not registry.Quantity:
        return None
    q = cast("Quantity", value)
    magnitude = q._magnitude  # noqa: SLF001 - avoid the property's overhead
    if type(magnitude) is not float or not math.isfinite(magnitude):
        return None
    return magnitude if _is_canonical(q, registry, unit) else None


def Q_(value: float | str, unit: str | None = None) -> Quantity:  # noqa: N802 - pint's idiom
    """Make a quantity in the active registry: ``Q_(92, "kg")`` or ``Q_("92 kg")``.

    A convenience for users and examples; the library itself uses
    :func:`quantity` with pre-parsed units.

    .. versionadded:: 0.1.0
    """
    if unit is None:
        if not isinstance(value, str):
            raise UnitError(
                "Q_", value, "a string with a unit such as '92 kg', or Q_(92, 'kg')"
            )
        return parse_quantity(value, field="Q_")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError("Q_", value, "a real number with a unit string")
    registry = get_registry()
    try:
        parsed = _parse_unit(registry, unit)
    except Exception as exc:  # pint raises many kinds on junk; see parse_quantity
        raise UnitError(
            "Q_", unit, "a unit pint knows", f"unknown unit {unit!r}"
        ) from exc
    return _new(registry, float(value), parsed)


# --------------------------------------------------------------------------
# Parsing strings

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_SIMPLE = re.compile(rf"^\s*(?P<num>{_NUMBER})\s*(?P<unit>.*?)\s*$")
_FEET_INCHES = re.compile(
    rf"^\s*(?P<ft>{_NUMBER})\s*(?:ft|foot|feet|')\s*"
    rf"(?P<inch>{_NUMBER})\s*(?:in|inch|inches|\")?\s*$"
)


#: Inches in a foot (definition); "5 ft 15 in" is refused, not read as 6 ft 3.
INCHES_PER_FOOT: Final = 12.0


def parse_quantity(text: str, *, field: str) -> Quantity:
    """Parse ``"92 kg"``, ``"202.8 lb"``, ``"5 ft 5 in"`` or ``"54 year"``.

    A number with no unit is refused: the unit is never guessed.

    Args:
        text: A number followed by a unit pint knows, or feet and inches.
        field: The name of the input, for the error message.

    Raises:
        UnitError: No number, no unit, or a unit pint does not know.

    .. versionadded:: 0.1.0
    """
    if not isinstance(text, str):
        raise UnitError(field, text, "a string such as '92 kg'")
    registry = get_registry()
    match = _FEET_INCHES.match(text)
    if match is not None:
        feet, inches = match["ft"], match["inch"]
        if feet[0] in "+-" or inches[0] in "+-" or not float(inches) < INCHES_PER_FOOT:
            raise UnitError(
                field,
                text,
                "feet and inches without signs, inches below 12, e.g. '5 ft 5 in'",
                f"{text!r} is not a height in feet and inches",
            )
        inch = _parse_unit(registry, "inch")
        total = float(feet) * INCHES_PER_FOOT + float(inches)
        return _new(registry, total, inch)
    match = _SIMPLE.match(text)
    if match is None:
        raise UnitError(
            field,
            text,
            "a number followed by a unit, e.g. '92 kg'",
            f"cannot read {text!r} as a number with a unit",
        )
    unit_text = match["unit"]
    if not unit_text:
        raise UnitError(
            field,
            text,
            "a number followed by a unit, e.g. '92 kg'",
            f"{text!r} has no unit, and units are never assumed",
        )
    try:
        unit = _parse_unit(registry, unit_text)
    except Exception as exc:  # pint raises many kinds (even AssertionError) on junk
        raise UnitError(
            field,
            text,
            "a unit pint knows, e.g. 'kg', 'lb', 'cm', 'in'",
            f"unknown unit {unit_text!r} in {text!r}",
        ) from exc
    return _new(registry, float(match["num"]), unit)


# --------------------------------------------------------------------------
# The boundary: anything in, float in canonical units out


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"{value!r} (a bool)"
    if isinstance(value, numbers.Number):
        return f"{value!r} (a bare number; units are never assumed)"
    return f"{value!r} (a {type(value).__name__})"


def _coerce(value: object, *, field: str, unit: UnitSpec) -> Quantity:
    """Turn *value* into a quantity of the active registry, or refuse."""
    if isinstance(value, str):
        return parse_quantity(value, field=field)
    if isinstance(value, pint.Quantity):
        q = cast("Quantity", value)
        registry = get_registry()
        if not isinstance(q, registry.Quantity):  # another registry: re-home
            q = registry.Quantity.from_tuple(q.to_tuple())
        return q
    raise UnitError(
        field,
        value,
        f"{unit.kind} as a pint Quantity or a string such as {unit.example}",
        f"got {_describe(value)}",
    )


def _check_mass_ratio(q: Quantity, *, field: str, unit: UnitSpec) -> None:
    """Refuse a per-kg value whose unit is not written with two masses."""
    registry = get_registry()
    up = down = 0
    for name, exponent in q.unit_items():
        if _is_mass_unit(registry, name):
            if float(exponent.real) > 0:
                up += 1
            else:
                down += 1
    if up == 0 or down == 0:
        raise UnitError(
            field,
            q,
            f"{unit.kind} written as mass per body mass, e.g. {unit.example}",
            f"{q:~P} is not written as mass per body mass",
        )


def to_float(value: object, *, field: str, unit: UnitSpec) -> float:
    """Check *value* and return its magnitude in the canonical *unit*.

    Args:
        value: A pint Quantity (from any registry) or a string such as
            ``"92 kg"``.
        field: The input's name, used in every error message.
        unit: The canonical unit, which also fixes the accepted dimension.

    Returns:
        The magnitude in *unit*, as a finite float.

    Raises:
        UnitError: A bare number, another type, an unknown unit or the wrong
            dimension.
        InputError: A magnitude that is not a single finite real number.

    .. versionadded:: 0.1.0
    """
    unit = _spec(unit)
    fast = _canonical_float(value, get_registry(), unit)
    if fast is not None:
        return fast
    q = _coerce(value, field=field, unit=unit)
    magnitude = q.magnitude
    if isinstance(magnitude, bool) or not isinstance(magnitude, numbers.Real):
        raise InputError(
            field,
            value,
            f"a single real number with a unit, e.g. {unit.example}",
            f"the magnitude {magnitude!r} is not a single real number",
        )
    if not math.isfinite(magnitude):
        raise InputError(
            field,
            value,
            "a finite number",
            f"{magnitude!r} is not a finite number",
        )
    registry = get_registry()
    if _is_canonical(q, registry, unit):  # fast path: e.g. the library's own
        return float(magnitude)
    canonical = _unit(registry, unit)
    if q.dimensionality != _dimensionality(registry, unit.dimension):
        raise UnitError(
            field,
            value,
            f"{unit.kind}, e.g. {unit.example}",
            f"{q:~P} is not {unit.kind} (its dimension is {q.dimensionality})",
        )
    if unit.mass_ratio:
        _check_mass_ratio(q, field=field, unit=unit)
    result = float(q.m_as(canonical))
    if not math.isfinite(result):  # e.g. an enormous magnitude in a tiny unit
        raise InputError(
            field, value, "a finite number", f"{q:~P} overflows in {unit.symbol}"
        )
    return result


def has_dimension(value: object, unit: UnitSpec) -> bool:
    """Whether *value* (a quantity or a parsable string) has *unit*'s dimension.

    Never raises: a value that cannot be read has no dimension.

    .. versionadded:: 0.1.0
    """
    try:
        q = _coerce(value, field="value", unit=_spec(unit))
    except InputError:
        return False
    return bool(q.dimensionality == _dimensionality(get_registry(), unit.dimension))


def to_quantity(value: object, *, field: str, unit: UnitSpec) -> Quantity:
    """Like :func:`to_float`, but return a fresh quantity in canonical *unit*.

    .. versionadded:: 0.1.0
    """
    return quantity(to_float(value, field=field, unit=unit), unit)


def magnitude(q: Quantity, unit: UnitSpec) -> float:
    """Return *q* in canonical *unit* as a float (``q`` is trusted).

    Use this for quantities the library made itself; user input goes through
    :func:`to_float`.

    .. versionadded:: 0.1.0
    """
    registry = get_registry()
    unit = _spec(unit)
    if not isinstance(q, pint.Quantity):
        raise InputError("q", q, "a pint Quantity made by ivig_core")
    if _is_canonical(q, registry, unit):
        return float(q.magnitude)
    try:
        return float(q.m_as(_unit(registry, unit)))
    except pint.DimensionalityError as exc:
        raise UnitError("q", q, unit.kind, f"{q} is not {unit.kind}") from exc


def require_range(
    value: float,
    *,
    field: str,
    unit: UnitSpec,
    low: float,
    high: float,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    why: str = "",
) -> float:
    """Refuse *value* (in canonical *unit*) outside ``low``..``high``.

    Written so that NaN fails every check.

    Returns:
        *value*, unchanged.

    Raises:
        InputError: Naming the field, the value and the accepted range.

    .. versionadded:: 0.1.0
    """
    value, low, high = _number(value, field), _number(low, "low"), _number(high, "high")
    unit = _spec(unit)
    above_low = value >= low if low_inclusive else value > low
    below_high = value <= high if high_inclusive else value < high
    if above_low and below_high:
        return value
    lo = "[" if low_inclusive else "("
    hi = "]" if high_inclusive else ")"
    allowed = f"{lo}{low:g}, {high:g}{hi} {unit.symbol}"
    if why:
        allowed = f"{allowed} ({why})"
    raise InputError(
        field,
        value,
        allowed,
        f"{value:g} {unit.symbol} is outside the accepted range",
    )
