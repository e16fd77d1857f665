"""IVIg → SCIg conversion: rules, frequencies and :func:`convert_to_scig`.

Conversion::

    weekly SC dose = IVIg dose ÷ IVIg interval in weeks × factor

The factor is an explicit rule, never a default:

* :class:`LabelFactor`: the product's US label factor from the catalogue
  (1.37 Hizentra, Gamunex-C SC, Gammagard Liquid SC, Xembify; 1.30 Cuvitru;
  1.0 HyQvia);
* :class:`OneToOne`: 1:1, as studied and approved in the EU and as HyQvia's
  label doses after ramp-up;
* :class:`UserFactor`: your own factor (> 0), with your reason.

The weekly dose is then spread (:class:`Weekly`, :class:`EveryTwoWeeks` =
2 × weekly, :class:`TimesPerWeek` = weekly ÷ n; for HyQvia
:class:`SameAsIvig`: the IVIg dose at the IVIg interval). Every number comes
with a :class:`~ivig_core.trace.Trace` (formula, inputs, source).

Example:
    >>> dose = convert_to_scig(ivig_dose="30 g", ivig_interval="4 week",
    ...                        product="hizentra", rule=LabelFactor(),
    ...                        frequency=Weekly())
    >>> dose.factor, round(dose.weekly_g, 3)
    (1.37, 10.275)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Final, Literal, TypeAlias, cast

import attrs

from ivig_core import units
from ivig_core._checks import (
    DAYS_PER_WEEK,
    REL_TOL,
    is_number,
    is_weekday,
    is_whole,
    text,
)
from ivig_core._checks import date as _date
from ivig_core._checks import finite as _finite
from ivig_core._checks import iterates as _iterates
from ivig_core._checks import real as _real
from ivig_core.dosing_weight import DosingWeight
from ivig_core.errors import InputError
from ivig_core.patient import read_weight_kg
from ivig_core.products import Product, Route, get_product
from ivig_core.regimen import read_dose_g_per_kg
from ivig_core.sources import cited
from ivig_core.trace import Trace
from ivig_core.units import G_PER_KG, G_PER_KG_PER_WEEK, WEEK, G, Quantity


__all__ = [
    "ConversionRule",
    "EveryTwoWeeks",
    "LabelFactor",
    "OneToOne",
    "SameAsIvig",
    "ScigDose",
    "ScigFrequency",
    "TimesPerWeek",
    "UserFactor",
    "Weekly",
    "convert_to_scig",
    "dose_per_administration",
    "parse_frequency",
    "sc_product",
    "weekly_scig",
]

G_PER_WEEK: Final = units.UnitSpec(
    name="gram / week",
    symbol="g/week",
    dimension="[mass] / [time]",
    kind="a mass per week",
    example="'10 g/week'",
)

# Sources, by ID of the project's bibliography (ivig_core.sources), with the
# text the traces show.
SRC_FORMULA_IDS: Final = ("hizentra-uspi", "gammagard-hcp-site", "cuvitru-hcp-site")
SRC_FORMULA: Final = cited(
    "US PI formula: weekly g = (IVIg g per dose ÷ IVIg interval in weeks) × factor",
    SRC_FORMULA_IDS,
)

SRC_ONE_TO_ONE_IDS: Final = ("krishnarajah-ajmc", "hizentra-smpc-eu", "hyqvia-hcp-site")
SRC_ONE_TO_ONE: Final = cited(
    "1:1: the EU studied and approved 1:1; Hizentra EU SmPC 'the monthly dose "
    "is divided into smaller doses'; EU CIDP SmPC example 1 g/kg every 3 weeks "
    "→ 0.33 g/kg weekly; HyQvia PI 1:1 after ramp-up",
    SRC_ONE_TO_ONE_IDS,
)

SRC_EVERY_2_WEEKS_IDS: Final = ("hizentra-uspi", "cuvitru-hcp-site")
SRC_EVERY_2_WEEKS: Final = cited(
    "every 2 weeks = 2 × the weekly dose (Hizentra PI, Cuvitru PI)",
    SRC_EVERY_2_WEEKS_IDS,
)

SRC_N_PER_WEEK_IDS: Final = ("hizentra-uspi",)
SRC_N_PER_WEEK: Final = cited(
    "2-7 times a week: divide the weekly dose (Hizentra PI)", SRC_N_PER_WEEK_IDS
)

SRC_HYQVIA_SAME_IDS: Final = ("hyqvia-hcp-site",)
SRC_HYQVIA_SAME: Final = cited(
    "HyQvia PI: from IVIg, the same dose and frequency after ramp-up",
    SRC_HYQVIA_SAME_IDS,
)


# --------------------------------------------------------------------------
# Conversion rules


#: The range of IVIg -> SCIg dose factors in use: 1.0 (the EU's 1:1, and
#: HyQvia after ramp-up) to 1.53 (the US ratio before January 2015; 1.37
#: since). Sources: krishnarajah-ajmc, hyqvia-uspi, hizentra-uspi. A factor
#: outside it is refused (137 for 1.37 converted at 100 times the dose).
FACTOR_RANGE: Final = (1.0, 1.53)
#: The shortest IVIg interval that can be converted: one day. An interval of
#: seconds cannot be meant (a "cannot be meant" limit, not a sourced one).
MIN_IVIG_INTERVAL_WEEKS: Final = 1.0 / DAYS_PER_WEEK


def _user_factor(value: object) -> float:
    low, high = FACTOR_RANGE
    allowed = (
        f"a number from {low:g} to {high:g} (SC grams per IVIg gram: 1:1 in "
        "the EU, 1.37 on US labels, 1.53 before 2015)"
    )
    if not is_number(value):
        raise InputError("rule.factor", value, allowed)
    factor = float(value)
    if not (math.isfinite(factor) and low <= factor <= high):
        raise InputError(
            "rule.factor",
            value,
            allowed,
            f"a factor of {factor!r} is not > 0"
            if not factor > 0
            else f"a factor of {factor!r} is outside the factors in use",
        )
    return factor


def _reason(value: object) -> str:
    text(value, field="rule.reason", allowed="a non-empty string")
    return str(value)


@attrs.frozen
class LabelFactor:
    """Use the product's US label factor from the catalogue.

    Refused for a product whose catalogue entry has no factor.

    .. versionadded:: 0.1.0
    """


@attrs.frozen
class OneToOne:
    """Convert 1:1 (EU labels; HyQvia after ramp-up). Source: :data:`SRC_ONE_TO_ONE`.

    .. versionadded:: 0.1.0
    """


@attrs.frozen
class UserFactor:
    """Your own factor (SC g per IVIg g), > 0, with your reason.

    Example:
        >>> UserFactor(1.2).factor
        1.2

    .. versionadded:: 0.1.0
    """

    factor: float = attrs.field(converter=_user_factor)
    reason: str = attrs.field(default="factor given by the user", converter=_reason)

    def __attrs_post_init__(self) -> None:
        """Re-check (holds with attrs validators disabled)."""
        _user_factor(self.factor)


#: A conversion rule.
ConversionRule: TypeAlias = LabelFactor | OneToOne | UserFactor


def _factor(rule: object, product: Product) -> tuple[float, str, str]:
    """(factor, rule description, source) for *rule* and *product*."""
    match rule:
        case LabelFactor():
            conv = product.scig_conversion
            if conv is None:
                raise InputError(
                    "rule",
                    rule,
                    "OneToOne() or UserFactor(...) for this product",
                    f"{product.name} has no label conversion factor in the catalogue",
                )
            return conv.factor, "label factor", str(conv.source)
        case OneToOne():
            return 1.0, "1:1", SRC_ONE_TO_ONE
        case UserFactor(factor=factor, reason=reason):
            return _user_factor(factor), "user factor", f"user: {reason}"
        case _:
            raise InputError(
                "rule", rule, "LabelFactor(), OneToOne() or UserFactor(factor)"
            )


# --------------------------------------------------------------------------
# Frequencies


def _times(value: object) -> int:
    if not is_whole(value):
        raise InputError("frequency.times", value, "a whole number from 2 to 7")
    n = int(value)
    if not 2 <= n <= 7:  # Hizentra PI: 2-7 times a week (hizentra-uspi)
        raise InputError(
            "frequency.times",
            value,
            "2 to 7 times a week (Hizentra US prescribing information); use Weekly() "
            "for once a week",
        )
    return n


def _offsets(value: object) -> tuple[int, ...] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not _iterates(value):
        raise InputError("frequency.days", value, "day offsets 0-6 within the week")
    out = tuple(value)
    for item in out:
        if not is_weekday(item):
            raise InputError("frequency.days", value, "day offsets 0-6 within the week")
    if list(out) != sorted(set(out)):
        raise InputError(
            "frequency.days", value, "distinct day offsets in increasing order"
        )
    return out


@attrs.frozen
class Weekly:
    """Once a week.

    .. versionadded:: 0.1.0
    """

    @property
    def name(self) -> str:
        """``"weekly"``."""
        return "weekly"


@attrs.frozen
class EveryTwoWeeks:
    """Every 2 weeks: 2 × the weekly dose. Source: :data:`SRC_EVERY_2_WEEKS`.

    .. versionadded:: 0.1.0
    """

    @property
    def name(self) -> str:
        """``"every-2-weeks"``."""
        return "every-2-weeks"


@attrs.frozen
class TimesPerWeek:
    """*times* (2–7) doses a week, each weekly ÷ *times*.

    Args:
        times: Doses per week, 2–7 (Hizentra PI, :data:`SRC_N_PER_WEEK`).
        days: The day offsets (0–6) within each week, or ``None`` for an
            even spread (offset ``i × 7 // times``). Which days is a
            scheduling choice, not a label rule; the plan says which.

    Example:
        >>> TimesPerWeek(3).week_offsets
        (0, 2, 4)

    .. versionadded:: 0.1.0
    """

    times: int = attrs.field(converter=_times)
    days: tuple[int, ...] | None = attrs.field(default=None, converter=_offsets)

    def __attrs_post_init__(self) -> None:
        """The offsets must match the number of doses."""
        if self.days is not None and len(self.days) != self.times:
            raise InputError(
                "frequency.days",
                self.days,
                f"{self.times} day offsets (one per dose)",
            )

    @property
    def name(self) -> str:
        """``"3-per-week"``."""
        return f"{self.times}-per-week"

    @property
    def week_offsets(self) -> tuple[int, ...]:
        """The day offsets within each week."""
        if self.days is not None:
            return self.days
        return tuple(i * 7 // self.times for i in range(self.times))


@attrs.frozen
class SameAsIvig:
    """HyQvia: the IVIg dose × factor at the IVIg interval (:data:`SRC_HYQVIA_SAME`).

    .. versionadded:: 0.1.0
    """

    @property
    def name(self) -> str:
        """``"same-as-ivig"``."""
        return "same-as-ivig"


#: How the SC dose is spread.
ScigFrequency: TypeAlias = Weekly | EveryTwoWeeks | TimesPerWeek | SameAsIvig

_PER_WEEK = re.compile(
    r"^([2-7])\s*(?:x|-per|per|times)[\s-]*(?:a[\s-]*)?(?:week|weekly)$"
)


def parse_frequency(value: object) -> ScigFrequency:
    """Accept a frequency object or its name.

    Names: ``"weekly"``, ``"every-2-weeks"``, ``"same-as-ivig"``,
    ``"3-per-week"`` (2–7).

    Raises:
        InputError: Anything else (``field`` is ``"frequency"``).

    Example:
        >>> parse_frequency("3-per-week")
        TimesPerWeek(times=3, days=None)

    .. versionadded:: 0.1.0
    """
    if isinstance(value, (Weekly, EveryTwoWeeks, TimesPerWeek, SameAsIvig)):
        return value
    allowed = (
        "Weekly(), EveryTwoWeeks(), TimesPerWeek(n) (n 2-7), SameAsIvig(), or "
        "'weekly', 'every-2-weeks', 'n-per-week', 'same-as-ivig'"
    )
    if isinstance(value, str):
        text = value.strip().lower().replace("_", "-")
        if text == "weekly":
            return Weekly()
        if text in {"every-2-weeks", "every 2 weeks"}:
            return EveryTwoWeeks()
        if text in {"same-as-ivig", "same as ivig"}:
            return SameAsIvig()
        match = _PER_WEEK.match(text)
        if match is not None:
            return TimesPerWeek(int(match.group(1)))
    raise InputError("frequency", value, allowed)


# --------------------------------------------------------------------------
# Float core


def weekly_scig(ivig_dose: float, interval_weeks: float, factor: float) -> float:
    """Weekly SC dose = IVIg dose ÷ interval in weeks × factor.

    Works in any dose unit (g or g/kg): the result is in the same unit per
    week. Source: :data:`SRC_FORMULA`.

    Example:
        >>> weekly_scig(30.0, 4.0, 1.37)
        10.275

    .. versionadded:: 0.1.0
    """
    ivig_dose = _real(ivig_dose, field="ivig_dose")
    interval_weeks = _finite(interval_weeks, field="interval", positive=True)
    factor = _real(factor, field="factor")
    return ivig_dose / interval_weeks * factor


def dose_per_administration(
    weekly: float, frequency: ScigFrequency, *, ivig_interval_weeks: float
) -> float:
    """The dose per administration for *frequency* (same unit as *weekly*).

    Weekly: weekly; every 2 weeks: 2 × weekly; n times a week: weekly ÷ n;
    same as IVIg: weekly × the IVIg interval in weeks.

    Example:
        >>> dose_per_administration(10.275, EveryTwoWeeks(), ivig_interval_weeks=4)
        20.55

    .. versionadded:: 0.1.0
    """
    match frequency:
        case Weekly():
            return weekly
        case EveryTwoWeeks():
            return 2.0 * weekly
        case TimesPerWeek(times=times):
            return weekly / times
        case SameAsIvig():
            return weekly * ivig_interval_weeks
        case _:
            raise InputError("frequency", frequency, "a ScigFrequency")


def _interval_days(frequency: ScigFrequency, ivig_interval_weeks: float) -> float:
    """Days from one administration (or week of doses) to the next."""
    match frequency:
        case EveryTwoWeeks():
            return 2.0 * DAYS_PER_WEEK
        case SameAsIvig():
            return ivig_interval_weeks * DAYS_PER_WEEK
        case _:
            return DAYS_PER_WEEK


def _per_week(frequency: ScigFrequency, ivig_interval_weeks: float) -> float:
    """Administrations per week (may be a fraction)."""
    match frequency:
        case TimesPerWeek(times=times):
            return float(times)
        case _:
            return DAYS_PER_WEEK / _interval_days(frequency, ivig_interval_weeks)


# --------------------------------------------------------------------------
# Conversion result


@attrs.frozen(kw_only=True)
class ScigDose:
    """An IVIg → SC conversion: weekly dose, dose per administration, timing.

    Doses are given in grams when the IVIg dose was in grams or a dosing
    weight was given, and in g/kg when the IVIg dose was in g/kg (with a
    dosing weight: both).

    Attributes:
        product: The SC product's catalogue key.
        product_name: Its brand name.
        route: SC or facilitated SC.
        product_entry: The product itself (from the catalogue or your
            formulary); the planner uses it.
        rule: ``"label factor"``, ``"1:1"`` or ``"user factor"``.
        factor: SC g per IVIg g.
        factor_source: Where the factor comes from.
        frequency: How the weekly dose is spread.
        ivig_interval_weeks: The IVIg interval in weeks.
        ivig_dose_g: The IVIg dose in g, if known.
        ivig_dose_g_per_kg: The IVIg dose in g/kg, if known.
        weekly_g: The weekly SC dose in g, if known.
        weekly_g_per_kg: The weekly SC dose in g/kg, if known.
        dose_g: The dose per administration in g, if known.
        dose_g_per_kg: The dose per administration in g/kg, if known.
        interval_days: Days between administrations (for n times a week:
            between weeks of doses).
        dosing_weight: The dosing weight used, if any.
        last_ivig: The last IVIg date, if given.
        first_dose_earliest: The label's earliest first SC date, if known.
        first_dose_latest: The label's latest first SC date, if known.
        trace: How each number was obtained.
        notes: Things a reader must know.

    .. versionadded:: 0.1.0
    """

    product: str
    product_name: str
    route: Route
    product_entry: Product = attrs.field(repr=False)
    rule: str
    factor: float
    factor_source: str
    frequency: ScigFrequency
    ivig_interval_weeks: float
    ivig_dose_g: float | None
    ivig_dose_g_per_kg: float | None
    weekly_g: float | None
    weekly_g_per_kg: float | None
    dose_g: float | None
    dose_g_per_kg: float | None
    interval_days: float
    dosing_weight: DosingWeight | None
    last_ivig: dt.date | None
    first_dose_earliest: dt.date | None
    first_dose_latest: dt.date | None
    trace: tuple[Trace, ...]
    notes: tuple[str, ...]

    def __attrs_post_init__(self) -> None:
        """Each dose is known in g, in g/kg, or both (a conversion built by hand).

        :func:`convert_to_scig` always gives one; a hand-built conversion with
        neither would otherwise read as a dose of 0.
        """
        if self.weekly_g is None and self.weekly_g_per_kg is None:
            raise InputError(
                "weekly_g", None, "a weekly dose in g or in g/kg (weekly_g_per_kg)"
            )
        if self.dose_g is None and self.dose_g_per_kg is None:
            raise InputError(
                "dose_g",
                None,
                "a dose per administration in g or in g/kg (dose_g_per_kg)",
            )

    @property
    def per_week(self) -> float:
        """Administrations per week (0.5 for every 2 weeks)."""
        return _per_week(self.frequency, self.ivig_interval_weeks)

    @property
    def weekly(self) -> Quantity:
        """The weekly dose: g/week when grams are known, else g/kg/week."""
        if self.weekly_g is not None:
            return units.quantity(self.weekly_g, G_PER_WEEK)
        # __attrs_post_init__: g/kg is known when grams are not.
        return units.quantity(cast("float", self.weekly_g_per_kg), G_PER_KG_PER_WEEK)

    @property
    def dose(self) -> Quantity:
        """The dose per administration: g when known, else g/kg."""
        if self.dose_g is not None:
            return units.quantity(self.dose_g, G)
        return units.quantity(cast("float", self.dose_g_per_kg), G_PER_KG)


def _product(product: object) -> Product:
    if isinstance(product, Product):
        return product
    if isinstance(product, str):
        return get_product(product)
    raise InputError("product", product, "a Product or a product name")


def _sc_route(product: Product) -> Route:
    if Route.FACILITATED_SC in product.routes:
        return Route.FACILITATED_SC
    if Route.SC in product.routes:
        return Route.SC
    raise InputError(
        "product",
        product.name,
        "a subcutaneous product (route sc or facilitated_sc), e.g. Hizentra, "
        "Cuvitru, Xembify, HyQvia, Gamunex-C, Gammagard Liquid",
        f"{product.name} is labelled for {', '.join(r.value for r in product.routes)}"
        " only; converting IVIg to an IV product is not a conversion",
    )


def sc_product(product: Product | str) -> tuple[Product, Route]:
    """The product (object or catalogue name) and its subcutaneous route.

    Raises:
        InputError: An unknown name, or a product with no SC route.

    Example:
        >>> sc_product("hyqvia")[1]
        <Route.FACILITATED_SC: 'facilitated_sc'>

    .. versionadded:: 0.1.0
    """
    prod = _product(product)
    return prod, _sc_route(prod)


def _check_frequency(product: Product, route: Route, frequency: ScigFrequency) -> None:
    if route is Route.FACILITATED_SC and not isinstance(frequency, SameAsIvig):
        raise InputError(
            "frequency",
            frequency,
            "SameAsIvig() for a facilitated SC product",
            f"{product.name}'s label gives the IVIg dose and frequency after "
            "ramp-up (HyQvia US prescribing information), not a weekly spread",
        )
    if route is Route.SC and isinstance(frequency, SameAsIvig):
        raise InputError(
            "frequency",
            frequency,
            "Weekly(), EveryTwoWeeks() or TimesPerWeek(n) for a 20 % SC product",
            f"{product.name}: the SC labels give a weekly dose spread weekly, "
            "every 2 weeks or 2-7 times a week",
        )


def _dosing_weight(value: object) -> tuple[float, DosingWeight | None] | None:
    if value is None:
        return None
    if isinstance(value, DosingWeight):
        return value.weight_kg, value
    return read_weight_kg(value, field="dosing_weight"), None


#: The largest IVIg (or full HyQvia) dose in grams an SC conversion or ramp-up
#: reads; a larger one is taken for a unit slip (e.g. "30 kg" for "30 g").
#: Sanity, not a clinical limit: 1 g/kg at 500 kg.
MAX_IVIG_DOSE_G: Final = 500.0


def read_ivig_dose(
    value: object, *, field: str = "ivig_dose"
) -> tuple[float, Literal["g", "g/kg"]]:
    """An IVIg dose in grams (at most :data:`MAX_IVIG_DOSE_G`) or in g/kg.

    Shared by the SC conversion and the HyQvia ramp-up. Returns the value
    and its unit (``"g"`` or ``"g/kg"``); refused naming *field*.

    .. versionadded:: 0.2.0
    """
    if units.has_dimension(value, G):
        grams = units.to_float(value, field=field, unit=G)
        units.require_range(
            grams,
            field=field,
            unit=G,
            low=0.0,
            high=MAX_IVIG_DOSE_G,
            low_inclusive=False,
            why=f"above 0 g; more than {MAX_IVIG_DOSE_G:g} g is taken for a unit slip",
        )
        return grams, "g"
    return read_dose_g_per_kg(value, field=field), "g/kg"


def _read_interval_weeks(value: object) -> float:
    weeks = units.to_float(value, field="ivig_interval", unit=WEEK)
    if not weeks >= MIN_IVIG_INTERVAL_WEEKS - REL_TOL:
        raise InputError(
            "ivig_interval",
            value,
            "an interval of at least 1 day, e.g. '4 week' or '21 day'",
            f"an IVIg interval of {weeks:g} weeks cannot be converted",
        )
    return weeks


def _spread_name(frequency: ScigFrequency) -> str:
    """The catalogue's name for *frequency*'s spread (``"n-per-week"``...)."""
    if isinstance(frequency, TimesPerWeek):
        return "n-per-week"
    return frequency.name


def _timing(
    product: Product, route: Route, frequency: ScigFrequency
) -> tuple[int, int, str] | None:
    """(earliest days, latest days, source) after the last IVIg, or None.

    From the product's catalogue start rules; ``None`` for a facilitated SC
    product or a product without one.
    """
    conv = product.scig_conversion
    if route is Route.FACILITATED_SC or conv is None:
        return None
    start = conv.start_for(_spread_name(frequency))
    if start is None:
        return None
    return start.earliest_days, start.latest_days, start.source.reference


def _fmt(value: float, unit: str) -> str:
    return f"{value:.4g} {unit}"


def convert_to_scig(  # noqa: PLR0915 - one linear, traced recipe
    *,
    ivig_dose: object,
    ivig_interval: object,
    product: Product | str,
    rule: ConversionRule,
    frequency: ScigFrequency | str,
    last_ivig: dt.date | None = None,
    dosing_weight: DosingWeight | object | None = None,
) -> ScigDose:
    """Convert an IVIg maintenance dose to an SC product's dose.

    Args:
        ivig_dose: The current IVIg dose per infusion course: grams
            (``"30 g"``) or g/kg (``"1 g/kg"``).
        ivig_interval: The IVIg interval (``"4 week"``, ``"21 day"``), > 0.
        product: The target SC product (object or catalogue name).
        rule: :class:`LabelFactor`, :class:`OneToOne` or :class:`UserFactor`.
        frequency: :class:`Weekly`, :class:`EveryTwoWeeks`,
            :class:`TimesPerWeek` (20 % SC products) or :class:`SameAsIvig`
            (HyQvia), or a name for :func:`parse_frequency`.
        last_ivig: The date of the last IVIg, to time the first SC dose.
        dosing_weight: A :class:`~ivig_core.DosingWeight` or a mass, to give
            grams for a g/kg dose (and g/kg for a gram dose).

    Returns:
        The :class:`ScigDose`, with a trace of every number.

    Raises:
        InputError: An IV-only product, a factor ≤ 0, a zero interval, an
            unknown frequency, a frequency the product's label does not use,
            or :class:`LabelFactor` for a product without a label factor.

    Example:
        >>> eu = convert_to_scig(ivig_dose="1 g/kg", ivig_interval="3 week",
        ...     product="hizentra", rule=OneToOne(), frequency="weekly")
        >>> round(eu.weekly_g_per_kg, 3), eu.dose_g is None
        (0.333, True)

    .. versionadded:: 0.1.0
    """
    prod = _product(product)
    route = _sc_route(prod)
    freq = parse_frequency(frequency)
    _check_frequency(prod, route, freq)
    factor, rule_name, factor_source = _factor(rule, prod)
    ivig_value, per = read_ivig_dose(ivig_dose)
    weeks = _read_interval_weeks(ivig_interval)
    weight = _dosing_weight(dosing_weight)
    if last_ivig is not None:
        last_ivig = _date(last_ivig, field="last_ivig")

    ivig_g: float | None = ivig_value if per == "g" else None
    ivig_g_kg: float | None = ivig_value if per == "g/kg" else None
    trace: list[Trace] = []
    notes: list[str] = []
    if weight is not None:
        kg, dw = weight
        who = f"{kg:g} kg" + (f" ({dw.policy}: {dw.reason})" if dw else "")
        wsrc = dw.source if dw else "dosing weight given by the caller"
        if per == "g/kg":
            ivig_g = ivig_value * kg
            trace.append(
                Trace(
                    what="IVIg dose in grams",
                    value=_fmt(ivig_g, "g"),
                    formula="IVIg g/kg × dosing weight",
                    inputs=f"{ivig_value:g} g/kg × {who}",
                    source=wsrc,
                )
            )
        else:
            ivig_g_kg = ivig_value / kg
    else:
        kg = None

    unit = "g" if per == "g" else "g/kg"
    weekly_ivig = ivig_value / weeks
    trace.append(
        Trace(
            what="IVIg weekly equivalent",
            value=_fmt(weekly_ivig, f"{unit}/week"),
            formula="IVIg dose ÷ IVIg interval in weeks",
            inputs=f"{ivig_value:g} {unit} ÷ {weeks:g} weeks",
            source=SRC_FORMULA,
        )
    )
    trace.append(
        Trace(
            what="conversion factor",
            value=f"{factor:g}",
            formula=f"{rule_name} for {prod.name}",
            inputs=f"rule {rule!r}",
            source=factor_source,
        )
    )
    weekly = weekly_scig(ivig_value, weeks, factor)
    trace.append(
        Trace(
            what="weekly SC dose",
            value=_fmt(weekly, f"{unit}/week"),
            formula="IVIg dose ÷ IVIg interval in weeks × factor",
            inputs=f"{ivig_value:g} {unit} ÷ {weeks:g} × {factor:g}",
            source=SRC_FORMULA,
        )
    )
    dose = dose_per_administration(weekly, freq, ivig_interval_weeks=weeks)
    freq_src, freq_formula = {
        "weekly": (SRC_FORMULA, "weekly dose, once a week"),
        "every-2-weeks": (SRC_EVERY_2_WEEKS, "2 × weekly dose"),
        "same-as-ivig": (SRC_HYQVIA_SAME, "weekly dose × IVIg interval in weeks"),
    }.get(freq.name, (SRC_N_PER_WEEK, f"weekly dose ÷ {getattr(freq, 'times', 1)}"))
    trace.append(
        Trace(
            what="dose per administration",
            value=_fmt(dose, unit),
            formula=freq_formula,
            inputs=f"weekly {weekly:.4g} {unit}, {freq.name}",
            source=freq_src,
        )
    )
    spreads = () if prod.scig_conversion is None else prod.scig_conversion.spreads
    if (
        isinstance(freq, (EveryTwoWeeks, TimesPerWeek))
        and _spread_name(freq) not in spreads
    ):
        notes.append(
            f"The {freq.name} spread is from the Hizentra PI (Cuvitru: every 2 "
            f"weeks = 2 × weekly); check {prod.name}'s label for it."
        )
    weekly_g = weekly if per == "g" else None
    weekly_g_kg = weekly if per == "g/kg" else None
    dose_g = dose if per == "g" else None
    dose_g_kg = dose if per == "g/kg" else None
    if kg is not None:
        if per == "g/kg":
            weekly_g, dose_g = weekly * kg, dose * kg
            trace.append(
                Trace(
                    what="dose per administration in grams",
                    value=_fmt(dose_g, "g"),
                    formula="dose g/kg × dosing weight",
                    inputs=f"{dose:.4g} g/kg × {kg:g} kg",
                    source="dosing weight (see its policy)",
                )
            )
        else:
            weekly_g_kg, dose_g_kg = weekly / kg, dose / kg
    if route is Route.FACILITATED_SC:
        notes.append(
            "HyQvia: the label's ramp-up (1-, 2-, 3-week doses at weeks 1, 2, 4) "
            "comes before the full dose; plan_scig applies it."
        )
        notes.append(
            "HyQvia's start relative to the last IVIg is not stated in the "
            "sources read (not confirmed): give the first dose date explicitly."
        )
    if rule_name != "label factor" and prod.scig_conversion is not None:
        notes.append(
            f"{prod.name}'s US label factor is {prod.scig_conversion.factor:g}; "
            f"this conversion uses {factor:g} ({rule_name})."
        )
    earliest = latest = None
    timing = _timing(prod, route, freq)
    if timing is not None and last_ivig is not None:
        lo, hi, src = timing
        earliest = last_ivig + dt.timedelta(days=lo)
        latest = last_ivig + dt.timedelta(days=hi)
        window = (
            earliest.isoformat()
            if lo == hi
            else f"{earliest.isoformat()} to {latest.isoformat()}"
        )
        trace.append(
            Trace(
                what="first SC dose",
                value=window,
                formula=(
                    f"last IVIg + {lo} days"
                    if lo == hi
                    else f"last IVIg + {lo} to {hi} days"
                ),
                inputs=f"last IVIg {last_ivig.isoformat()}",
                source=src,
            )
        )
    return ScigDose(
        product=prod.key,
        product_name=prod.name,
        route=route,
        product_entry=prod,
        rule=rule_name,
        factor=factor,
        factor_source=factor_source,
        frequency=freq,
        ivig_interval_weeks=weeks,
        ivig_dose_g=ivig_g,
        ivig_dose_g_per_kg=ivig_g_kg,
        weekly_g=weekly_g,
        weekly_g_per_kg=weekly_g_kg,
        dose_g=dose_g,
        dose_g_per_kg=dose_g_kg,
        interval_days=_interval_days(freq, weeks),
        dosing_weight=None if weight is None else weight[1],
        last_ivig=last_ivig,
        first_dose_earliest=earliest,
        first_dose_latest=latest,
        trace=tuple(trace),
        notes=tuple(notes),
    )
