"""The product model: immutable, validated value classes for the catalogue.

:class:`Product` and its value groups (:class:`Vial`, :class:`IgaContent`,
:class:`Composition`, :class:`SodiumContent`, :class:`Indication` with its
:class:`LabelRamp`, :class:`AtRiskCap`, :class:`ScigConversion`,
:class:`ScSiteLimit`), each with its :class:`Source`, and the
:class:`Catalogue` mapping. Reading them from TOML is
:mod:`ivig_core.products.catalogue`'s job.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Final, TypeVar

import attrs
from attrs.converters import optional

from ivig_core import units
from ivig_core._checks import exceeds, flag, is_number, text, tuple_of, whole
from ivig_core._checks import iterates as _iterates
from ivig_core._enum import ParsedEnum
from ivig_core.errors import InputError, UnitError
from ivig_core.patient import WEIGHT_RANGE_KG
from ivig_core.rates import RateKind, RateStep, rate_kind, read_minutes
from ivig_core.sources import SourceKind, check_ids, cite, cited, get_source
from ivig_core.units import (
    DAY,
    G_PER_L,
    KG,
    MG_PER_ML,
    MINUTE,
    ML,
    ML_PER_H,
    MMOL_PER_L,
    UG_PER_ML,
    YEAR,
    G,
    Quantity,
)


__all__ = [
    "IGA_DEPLETED_AT_MOST_UG_ML",
    "SPREADS",
    "UNCONFIRMABLE",
    "AgeGroup",
    "AtRiskCap",
    "Bound",
    "Catalogue",
    "Composition",
    "Excipient",
    "IgaContent",
    "Indication",
    "Infusions",
    "LabelRamp",
    "MaintenanceDuration",
    "Product",
    "Route",
    "ScSiteLimit",
    "ScStart",
    "ScigConversion",
    "SodiumContent",
    "Source",
    "Substance",
    "Vial",
]

#: IgA content (µg/mL) at or below which a product counts as IgA-depleted by
#: default: Gammagard Liquid ERC, "a low IgA formulation", states "low IgA
#: content (≤2 µg/mL)" (drugs.com/gammagard-liquid.html, Jul 2025; a secondary
#: source, so the threshold is a SafetyConfig parameter a site may change).
IGA_DEPLETED_AT_MOST_UG_ML: Final = 2.0

#: Value groups a product may mark UNCONFIRMED (absent on purpose).
UNCONFIRMABLE: Final = frozenset(
    {
        "vials",
        "iga",
        "composition",
        "sodium",
        "rates",
        "at_risk_cap",
        "scig_conversion",
        "sc_limits",
    }
)
_T = TypeVar("_T")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


# --------------------------------------------------------------------------
# Enums


class Route(ParsedEnum):
    """How a product is given.

    .. versionadded:: 0.1.0
    """

    IV = "iv"
    SC = "sc"
    FACILITATED_SC = "facilitated_sc"

    @classmethod
    def _field(cls) -> str:
        return "routes"


class Substance(ParsedEnum):
    """Stabilisers, sugars and other excipients named in the labels read.

    .. versionadded:: 0.1.0
    """

    MALTOSE = "maltose"
    SUCROSE = "sucrose"
    SORBITOL = "sorbitol"
    GLUCOSE = "glucose"
    GLYCINE = "glycine"
    PROLINE = "proline"
    ALBUMIN = "albumin"
    POLYSORBATE_80 = "polysorbate_80"

    @property
    def is_sugar(self) -> bool:
        """Whether the substance is a sugar or sugar alcohol."""
        return self in _SUGARS

    @classmethod
    def _field(cls) -> str:
        return "substance"


_SUGARS: Final = frozenset(
    {Substance.MALTOSE, Substance.SUCROSE, Substance.SORBITOL, Substance.GLUCOSE}
)


class Bound(ParsedEnum):
    """How a labelled amount is stated: exact, average, at most, below, about.

    .. versionadded:: 0.1.0
    """

    EXACT = "exact"
    AVERAGE = "average"
    AT_MOST = "at_most"
    BELOW = "below"
    APPROX = "approx"

    @classmethod
    def _field(cls) -> str:
        return "bound"

    @property
    def symbol(self) -> str:
        """``=``, ``avg``, ``≤``, ``<`` or ``~``."""
        return {"exact": "", "average": "avg ", "at_most": "≤ ", "below": "< "}.get(
            self.value, "~ "
        )


class Infusions(ParsedEnum):
    """Which infusions of a patient a catalogue row applies to.

    .. versionadded:: 0.1.0
    """

    FIRST = "first"
    LATER = "later"
    ANY = "any"

    @classmethod
    def _field(cls) -> str:
        return "infusions"


class AgeGroup(ParsedEnum):
    """An age group a label names without an age ("adults", "children").

    The label's words give no age in the catalogue, so the age at which a
    patient counts as an adult is the caller's (``adult_from_years`` of
    :meth:`ScSiteLimit.fits`).

    .. versionadded:: 0.1.0
    """

    ADULTS = "adults"
    CHILDREN = "children"

    @classmethod
    def _field(cls) -> str:
        return "age_group"


# --------------------------------------------------------------------------
# Named converters (each names its field in errors)


def _text(value: object, field: str) -> str:
    return text(value, field=field, allowed="a non-empty string")


def _reference(value: object) -> str:
    return _text(value, "reference")


def _version(value: object) -> str:
    return _text(value, "version")


def _applies_to(value: object) -> str:
    return _text(value, "applies_to")


def _name(value: object) -> str:
    return _text(value, "name")


def _manufacturer(value: object) -> str:
    return _text(value, "manufacturer")


def _str_tuple(value: object, field: str) -> tuple[str, ...]:
    if isinstance(value, str) or not _iterates(value):
        raise InputError(field, value, "a list of strings")
    out = tuple(value)
    for item in out:
        if not isinstance(item, str):
            raise InputError(field, value, "a list of strings")
    return out


def _notes(value: object) -> tuple[str, ...]:
    return _str_tuple(value, "notes")


def _positive(value: object, *, field: str, unit: units.UnitSpec) -> Quantity:
    v = units.to_float(value, field=field, unit=unit)
    if not v > 0:
        raise InputError(
            field, value, f"a value > 0 {unit.symbol}", f"{v:g} is not > 0"
        )
    return units.quantity(v, unit)


def _grams(value: object) -> Quantity:
    return _positive(value, field="grams", unit=G)


def _vial_ml(value: object) -> Quantity:
    return _positive(value, field="volume", unit=ML)


def _ml(value: object) -> Quantity:
    return _positive(value, field="volume", unit=ML)


def _ml_h(value: object) -> Quantity:
    return _positive(value, field="rate", unit=ML_PER_H)


def _concentration(value: object) -> Quantity:
    q = _positive(value, field="concentration", unit=G_PER_L)
    units.require_range(
        float(q.magnitude),
        field="concentration",
        unit=G_PER_L,
        low=0.0,
        high=1000.0,
        low_inclusive=False,
        why="a protein solution is below 1000 g/L",
    )
    return q


def _iga_amount(value: object) -> Quantity:
    v = units.to_float(value, field="amount", unit=UG_PER_ML)
    if not v >= 0:
        raise InputError("amount", value, "a value ≥ 0 µg/mL")
    return units.quantity(v, UG_PER_ML)


def _content(value: object, field: str) -> Quantity:
    """A mass (mg/mL) or molar (mmol/L) concentration, kept in its kind."""
    spec = MG_PER_ML if units.has_dimension(value, MG_PER_ML) else MMOL_PER_L
    v = units.to_float(value, field=field, unit=spec)
    if not v >= 0:
        raise InputError(field, value, f"a value ≥ 0 {spec.symbol}")
    return units.quantity(v, spec)


def _amount(value: object) -> Quantity:
    return _content(value, "amount")


def _bound(value: object) -> Bound:
    return Bound.parse(value)


def _substance(value: object) -> Substance:
    return Substance.parse(value)


def _bool(value: object) -> bool:
    return flag(value, field="flag")


def _ids(value: object) -> tuple[str, ...]:
    if value == ():
        return ()
    return check_ids(value, field="source.ids")


def _source(value: object) -> Source:
    if isinstance(value, Source):
        return value
    raise InputError("source", value, "a Source(reference=..., version=...)")


def _minutes(value: object) -> Quantity:
    return units.quantity(read_minutes(value, field="duration"), MINUTE)


def _instance(value: object, cls: type[_T], field: str) -> _T:
    """*value* if it is a *cls* (the TOML reader builds them), else refused."""
    if isinstance(value, cls):
        return value
    raise InputError(field, value, f"a {cls.__name__}")


# --------------------------------------------------------------------------
# Value groups


@attrs.frozen(kw_only=True)
class Source:
    """Where a value group comes from.

    The shipped catalogue cites the project's bibliography by ID
    (:meth:`cited`); a local formulary gives its own reference and version
    as text.

    Attributes:
        reference: The label, site or document (for cited IDs: their short
            citations).
        version: The label version or date read (for cited IDs: the labels'
            versions as the bibliography records them).
        ids: The bibliography IDs (:mod:`ivig_core.sources`), or ``()`` for a
            local source given as text.

    .. versionadded:: 0.1.0
    """

    reference: str = attrs.field(converter=_reference)
    version: str = attrs.field(converter=_version)
    ids: tuple[str, ...] = attrs.field(default=(), converter=_ids)

    @classmethod
    def cited(cls, ids: object) -> Source:
        """The source of a value group citing bibliography *ids*.

        Raises:
            InputError: An unknown ID (named), or none.

        .. versionadded:: 0.2.0
        """
        checked = check_ids(ids)
        found = [get_source(i) for i in checked]
        versions = [
            f"{s.short}: {s.version}"
            for s in found
            if s.kind is SourceKind.LABEL and s.version is not None
        ]
        return cls(
            reference=cite(checked),
            version="; ".join(versions) or "label version not recorded",
            ids=checked,
        )

    @property
    def is_weak(self) -> bool:
        """Whether every cited source is secondary or AI-generated."""
        return bool(self.ids) and all(get_source(i).is_weak for i in self.ids)

    def __str__(self) -> str:
        """``reference (version)``, or the citations for cited IDs."""
        if self.ids:
            return self.reference
        return f"{self.reference} ({self.version})"


@attrs.frozen(kw_only=True)
class Vial:
    """A vial (or prefilled syringe) size.

    Attributes:
        grams: The IgG content, g.
        volume: The volume, mL.
        volume_stated: ``False`` when the source lists grams only and the
            volume was derived as grams ÷ concentration.

    .. versionadded:: 0.1.0
    """

    grams: Quantity = attrs.field(converter=_grams)
    volume: Quantity = attrs.field(converter=_vial_ml)
    volume_stated: bool = attrs.field(default=True, converter=_bool)

    @property
    def grams_g(self) -> float:
        """The IgG content in g."""
        return float(self.grams.magnitude)

    @property
    def volume_ml(self) -> float:
        """The volume in mL."""
        return float(self.volume.magnitude)

    def __str__(self) -> str:
        """``10 g/100 mL``."""
        return f"{self.grams_g:g} g/{self.volume_ml:g} mL"


@attrs.frozen(kw_only=True)
class IgaContent:
    """IgA content of the product.

    .. versionadded:: 0.1.0
    """

    amount: Quantity = attrs.field(converter=_iga_amount)
    bound: Bound = attrs.field(converter=_bound)
    source: Source = attrs.field(converter=_source)
    note: str = ""

    @property
    def amount_ug_ml(self) -> float:
        """The amount in µg/mL."""
        return float(self.amount.magnitude)


@attrs.frozen(kw_only=True)
class Excipient:
    """A stabiliser, sugar or other excipient, with its amount when stated.

    .. versionadded:: 0.1.0
    """

    substance: Substance = attrs.field(converter=_substance)
    amount: Quantity | None = attrs.field(default=None, converter=optional(_amount))
    bound: Bound | None = attrs.field(default=None, converter=optional(_bound))
    note: str = ""


def _excipients(value: object) -> tuple[Excipient, ...]:
    return tuple_of(value, Excipient, field="excipients")


@attrs.frozen(kw_only=True)
class Composition:
    """Stabiliser and sugars.

    Attributes:
        excipients: The excipients the source names.
        sucrose_free: Whether the source says the product has no sucrose
            (``None``: not stated).
        no_added_sugars: Whether the source says the product has no
            (added) sugars (``None``: not stated).

    .. versionadded:: 0.1.0
    """

    excipients: tuple[Excipient, ...] = attrs.field(converter=_excipients)
    source: Source = attrs.field(converter=_source)
    sucrose_free: bool | None = attrs.field(default=None, converter=optional(_bool))
    no_added_sugars: bool | None = attrs.field(default=None, converter=optional(_bool))
    note: str = ""

    @property
    def sugars(self) -> tuple[Substance, ...]:
        """The sugars and sugar alcohols among the excipients."""
        return tuple(e.substance for e in self.excipients if e.substance.is_sugar)


@attrs.frozen(kw_only=True)
class SodiumContent:
    """Sodium content, as the source states it (an amount or words).

    .. versionadded:: 0.1.0
    """

    source: Source = attrs.field(converter=_source)
    amount: Quantity | None = attrs.field(default=None, converter=optional(_amount))
    bound: Bound | None = attrs.field(default=None, converter=optional(_bound))
    note: str = ""


def _cap_rate(value: object) -> Quantity:
    kind = rate_kind(value, field="rate")
    if kind is RateKind.ML_PER_H:
        raise UnitError("rate", value, "a per-kg rate (mg/kg/min or mL/kg/min)")
    return _positive(value, field="rate", unit=kind.unit)


@attrs.frozen(kw_only=True)
class AtRiskCap:
    """The label's numeric rate cap for patients at thrombotic or renal risk.

    Attributes:
        rate: The cap (mg/kg/min or mL/kg/min).
        inclusive: ``True`` for "do not exceed" (≤), ``False`` for "below" (<).

    .. versionadded:: 0.1.0
    """

    rate: Quantity = attrs.field(converter=_cap_rate)
    inclusive: bool = attrs.field(converter=_bool)
    source: Source = attrs.field(converter=_source)
    note: str = ""

    @property
    def secondary(self) -> bool:
        """Whether only secondary sources give the cap (Bivigam, skyscape).

        The check applies such a cap only while
        ``SafetyConfig.secondary_caps`` is on.
        """
        return self.source.is_weak


def _factor(value: object) -> float:
    if not is_number(value):
        raise InputError("factor", value, "a number between 0.5 and 3")
    return units.require_range(
        float(value),
        field="factor",
        unit=units.UnitSpec(
            name="dimensionless",
            symbol="",
            dimension="[]",
            kind="a ratio",
            example="1.37",
        ),
        low=0.5,
        high=3.0,
        why=cited("labelled IVIg → SCIg factors are 1 to 1.53", "krishnarajah-ajmc"),
    )


#: How an SC dose may be spread over the week, as the catalogue names it.
SPREADS: Final = ("weekly", "every-2-weeks", "n-per-week", "same-as-ivig")


def _spread(value: object) -> str:
    out = _text(value, "frequency").lower()
    if out not in SPREADS:
        raise InputError("frequency", value, f"one of {list(SPREADS)}")
    return out


def _spreads(value: object) -> tuple[str, ...]:
    return tuple(_spread(v) for v in _str_tuple(value, "spreads"))


def _regimens(value: object) -> tuple[str, ...]:
    return tuple(_text(v, "regimens") for v in _str_tuple(value, "regimens"))


def _days(value: object, field: str) -> Quantity:
    v = units.to_float(value, field=field, unit=DAY)
    units.require_range(v, field=field, unit=DAY, low=0.0, high=365.0)
    if v != round(v):
        raise InputError(field, value, "a whole number of days")
    return units.quantity(v, DAY)


def _earliest(value: object) -> Quantity:
    return _days(value, "earliest")


def _latest(value: object) -> Quantity:
    return _days(value, "latest")


@attrs.frozen(kw_only=True)
class ScStart:
    """When the first SC dose may be given after the last IVIg.

    Attributes:
        earliest: The earliest first SC dose after the last IVIg.
        latest: The latest (equal to :attr:`earliest` for a fixed day).
        source: Where the rule comes from.
        frequency: The spread the rule is for (``"every-2-weeks"``), or
            ``None`` for any spread.
        note: The rule in a few words, quoted where the plan applies it.

    .. versionadded:: 0.1.0
    """

    earliest: Quantity = attrs.field(converter=_earliest)
    latest: Quantity = attrs.field(converter=_latest)
    source: Source = attrs.field(converter=_source)
    frequency: str | None = attrs.field(default=None, converter=optional(_spread))
    note: str = ""

    def __attrs_post_init__(self) -> None:
        """Earliest ≤ latest (holds with validators disabled)."""
        if self.latest_days < self.earliest_days:
            raise InputError(
                "latest", self.latest, f"at least earliest ({self.earliest_days} days)"
            )

    @property
    def earliest_days(self) -> int:
        """The earliest first SC dose, days after the last IVIg."""
        return round(float(self.earliest.magnitude))

    @property
    def latest_days(self) -> int:
        """The latest first SC dose, days after the last IVIg."""
        return round(float(self.latest.magnitude))


def _starts(value: object) -> tuple[ScStart, ...]:
    out = tuple_of(value, ScStart, field="starts")
    spreads = [s.frequency for s in out]
    if len(set(spreads)) != len(spreads):
        raise InputError("starts", spreads, "at most one start rule per frequency")
    return out


@attrs.frozen(kw_only=True)
class ScigConversion:
    """IVIg → SCIg dose adjustment factor (weekly SC g = IV g/week × factor).

    With the label's other SC switching facts, where the catalogue has them.

    Attributes:
        factor: SC g per IVIg g.
        source: Where the factor comes from.
        note: Remarks.
        starts: When the first SC dose may follow the last IVIg (a rule for
            any spread, and rules for particular spreads).
        spreads: Spreads the label itself describes beyond weekly
            (``"every-2-weeks"``, ``"n-per-week"``); others come from other
            labels, and the conversion says so.
        regimens: The SC regimen presets that are this product's label
            dosing (e.g. ``"hizentra-cidp-0.2"``).

    .. versionadded:: 0.1.0
    """

    factor: float = attrs.field(converter=_factor)
    source: Source = attrs.field(converter=_source)
    note: str = ""
    starts: tuple[ScStart, ...] = attrs.field(default=(), converter=_starts)
    spreads: tuple[str, ...] = attrs.field(default=(), converter=_spreads)
    regimens: tuple[str, ...] = attrs.field(default=(), converter=_regimens)

    def start_for(self, frequency: str) -> ScStart | None:
        """The start rule for *frequency* (a :data:`SPREADS` name), or ``None``.

        A rule for that spread wins over the rule for any spread.

        Example:
            >>> from ivig_core.products import get_product
            >>> conv = get_product("hizentra").scig_conversion
            >>> [(r.earliest_days, r.latest_days) for r in (
            ...     conv.start_for("weekly"), conv.start_for("every-2-weeks"))]
            [(7, 7), (7, 14)]

        .. versionadded:: 0.1.0
        """
        by_spread = {s.frequency: s for s in self.starts}
        return by_spread.get(frequency, by_spread.get(None))


def _site_count(value: object, field: str) -> int:
    return whole(value, field=field, low=1, high=20)


def _max_sites(value: object) -> int:
    return _site_count(value, "max_sites")


def _sites_from(value: object) -> int:
    return _site_count(value, "sites_from")


def _sites_to(value: object) -> int:
    return _site_count(value, "sites_to")


def _infusion_count(value: object) -> int:
    return whole(value, field="infusion_count", low=1, high=20)


def _kg(value: object, field: str) -> Quantity:
    lo, hi = WEIGHT_RANGE_KG
    v = units.to_float(value, field=field, unit=KG)
    units.require_range(v, field=field, unit=KG, low=lo, high=hi)
    return units.quantity(v, KG)


def _weight_from(value: object) -> Quantity:
    return _kg(value, "weight_from")


def _weight_below(value: object) -> Quantity:
    return _kg(value, "weight_below")


def _years(value: object, field: str) -> Quantity:
    v = units.to_float(value, field=field, unit=YEAR)
    units.require_range(v, field=field, unit=YEAR, low=0.0, high=130.0)
    return units.quantity(v, YEAR)


def _age_from(value: object) -> Quantity:
    return _years(value, "age_from")


def _age_below(value: object) -> Quantity:
    return _years(value, "age_below")


def _age_group(value: object) -> AgeGroup:
    return AgeGroup.parse(value)


def _infusions(value: object) -> Infusions:
    return Infusions.parse(value)


def _indication_keys(value: object) -> tuple[str, ...]:
    return tuple(k.strip().lower() for k in _str_tuple(value, "indications"))


def _magnitude(value: Quantity | None) -> float | None:
    return None if value is None else float(value.magnitude)


def _in_band(value: float, low: float | None, below: float | None) -> bool:
    """*value* ≥ *low* (inclusive) and < *below* (exclusive), where given."""
    return (low is None or value >= low) and (below is None or value < below)


@attrs.frozen(kw_only=True)
class ScSiteLimit:
    """Subcutaneous volume and rate limits for one situation.

    The situation is structured data, read by the query methods
    (:meth:`fits`, :meth:`covers_sites`, :meth:`is_twin_of`);
    :attr:`applies_to` is its human label, which users name (``situation=``)
    and no code parses.

    Attributes:
        applies_to: The situation's label (e.g. ``"PI, first infusion"``).
        volume_per_site: Maximum volume per site, mL.
        initial_rate_per_site: Starting rate per site, mL/h.
        rate_per_site: Maximum rate per site, mL/h.
        max_sites: Maximum number of sites at once.
        total_rate: Maximum rate across all sites, mL/h.
        volume_per_day: Maximum volume per day, mL.
        weight_from: The weight band's lower end (inclusive), or ``None``.
        weight_below: The weight band's upper end (exclusive), or ``None``.
        age_from: The age band's lower end (inclusive), or ``None``.
        age_below: The age band's upper end (exclusive), or ``None``.
        age_group: "adults" or "children" where the label gives no age.
        infusions: Which infusions the row applies to (first, later, any).
        infusion_count: For first infusions: how many (Cuvitru: the first
            2), or ``None`` when the label says "first infusion" only.
        sites_from: The fewest sites a per-site volume row covers, or
            ``None`` (from 1).
        sites_to: The most sites a per-site volume row covers, or ``None``
            (up to :attr:`max_sites`, or open).
        indications: The indication keys the row is for (``("pi",)``), or
            empty when it is not indication-specific.

    Example:
        >>> from ivig_core.products import get_product
        >>> heavy, light = get_product("gammagard liquid").sc_limits
        >>> heavy.fits(weight_kg=70.0, age_years=40.0), light.fits(
        ...     weight_kg=70.0, age_years=40.0)
        (True, False)

    .. versionadded:: 0.1.0
    """

    applies_to: str = attrs.field(converter=_applies_to)
    source: Source = attrs.field(converter=_source)
    volume_per_site: Quantity | None = attrs.field(
        default=None, converter=optional(_ml)
    )
    initial_rate_per_site: Quantity | None = attrs.field(
        default=None, converter=optional(_ml_h)
    )
    rate_per_site: Quantity | None = attrs.field(
        default=None, converter=optional(_ml_h)
    )
    max_sites: int | None = attrs.field(default=None, converter=optional(_max_sites))
    total_rate: Quantity | None = attrs.field(default=None, converter=optional(_ml_h))
    volume_per_day: Quantity | None = attrs.field(default=None, converter=optional(_ml))
    note: str = ""
    weight_from: Quantity | None = attrs.field(
        default=None, converter=optional(_weight_from)
    )
    weight_below: Quantity | None = attrs.field(
        default=None, converter=optional(_weight_below)
    )
    age_from: Quantity | None = attrs.field(default=None, converter=optional(_age_from))
    age_below: Quantity | None = attrs.field(
        default=None, converter=optional(_age_below)
    )
    age_group: AgeGroup | None = attrs.field(
        default=None, converter=optional(_age_group)
    )
    infusions: Infusions = attrs.field(default=Infusions.ANY, converter=_infusions)
    infusion_count: int | None = attrs.field(
        default=None, converter=optional(_infusion_count)
    )
    sites_from: int | None = attrs.field(default=None, converter=optional(_sites_from))
    sites_to: int | None = attrs.field(default=None, converter=optional(_sites_to))
    indications: tuple[str, ...] = attrs.field(default=(), converter=_indication_keys)

    def __attrs_post_init__(self) -> None:
        """Bands and ranges in order (holds with validators disabled)."""
        for name, low, below in (
            ("weight_below", self.weight_from_kg, self.weight_below_kg),
            ("age_below", self.age_from_years, self.age_below_years),
        ):
            if low is not None and below is not None and not low < below:
                raise InputError(name, below, f"above the band's lower end {low:g}")
        first, last = self.sites_from, self.sites_to
        if first is not None and last is not None and first > last:
            raise InputError("sites_to", last, f"at least sites_from ({first})")
        if self.infusion_count is not None and self.infusions is not Infusions.FIRST:
            raise InputError(
                "infusion_count",
                self.infusion_count,
                "absent unless infusions = 'first'",
            )

    @property
    def weight_from_kg(self) -> float | None:
        """The weight band's lower end, kg (inclusive), or ``None``."""
        return _magnitude(self.weight_from)

    @property
    def weight_below_kg(self) -> float | None:
        """The weight band's upper end, kg (exclusive), or ``None``."""
        return _magnitude(self.weight_below)

    @property
    def age_from_years(self) -> float | None:
        """The age band's lower end, years (inclusive), or ``None``."""
        return _magnitude(self.age_from)

    @property
    def age_below_years(self) -> float | None:
        """The age band's upper end, years (exclusive), or ``None``."""
        return _magnitude(self.age_below)

    @property
    def is_first(self) -> bool:
        """Whether the row is for a patient's first infusion(s)."""
        return self.infusions is Infusions.FIRST

    @property
    def has_weight_band(self) -> bool:
        """Whether the row names a weight band."""
        return self.weight_from is not None or self.weight_below is not None

    @property
    def has_age_band(self) -> bool:
        """Whether the row names an age band or an age group."""
        return (
            self.age_from is not None
            or self.age_below is not None
            or self.age_group is not None
        )

    @property
    def last_site(self) -> int | None:
        """The most sites the row covers: :attr:`sites_to`, else :attr:`max_sites`."""
        return self.sites_to if self.sites_to is not None else self.max_sites

    def fits_weight(self, weight_kg: float) -> bool:
        """Whether the weight band (if any) includes *weight_kg*.

        .. versionadded:: 0.1.0
        """
        return _in_band(weight_kg, self.weight_from_kg, self.weight_below_kg)

    def fits_age(
        self, age_years: float, *, adult_from_years: float | None = None
    ) -> bool:
        """Whether the age band (if any) includes *age_years*.

        An age group ("adults", "children") is assessed only with
        *adult_from_years*, the age at which a patient counts as an adult:
        the catalogue gives none, so without it the group is not assessed
        (the row fits).

        .. versionadded:: 0.1.0
        """
        if not _in_band(age_years, self.age_from_years, self.age_below_years):
            return False
        if self.age_group is None or adult_from_years is None:
            return True
        adult = age_years >= adult_from_years
        return adult is (self.age_group is AgeGroup.ADULTS)

    def fits(
        self,
        *,
        weight_kg: float,
        age_years: float,
        adult_from_years: float | None = None,
    ) -> bool:
        """Whether the row's weight and age bands include the patient.

        .. versionadded:: 0.1.0
        """
        return self.fits_weight(weight_kg) and self.fits_age(
            age_years, adult_from_years=adult_from_years
        )

    def covers_sites(self, sites: int) -> bool:
        """Whether the row's site range includes *sites* sites.

        .. versionadded:: 0.1.0
        """
        last = self.last_site
        return (self.sites_from or 1) <= sites and (last is None or sites <= last)

    def is_twin_of(self, other: ScSiteLimit) -> bool:
        """Whether *other* is the same situation for another weight or age band.

        Both rows name a band of the same kind (weight, age) and agree on
        everything else the situation says (infusions, sites, indications).

        .. versionadded:: 0.1.0
        """
        return (
            self.has_weight_band == other.has_weight_band
            and self.has_age_band == other.has_age_band
            and (self.has_weight_band or self.has_age_band)
            and self._situation() == other._situation()
        )

    def _situation(self) -> tuple[object, ...]:
        return (
            self.infusions,
            self.infusion_count,
            self.sites_from,
            self.sites_to,
            self.indications,
        )


def _ramp_rate(value: object) -> Quantity:
    kind = rate_kind(value, field="rate")
    if kind is RateKind.ML_PER_H:
        raise UnitError("rate", value, "a per-kg rate (mg/kg/min or mL/kg/min)")
    return _positive(value, field="rate", unit=kind.unit)


def _steps(value: object) -> tuple[RateStep, ...]:
    out = tuple_of(value, RateStep, field="steps")
    if not out:
        raise InputError("steps", value, "a non-empty list of RateStep, or absent")
    return out


@attrs.frozen(kw_only=True)
class LabelRamp:
    """A label's infusion rates for one indication, as the label gives them.

    Either the label lists the steps (:attr:`steps`), or it gives an initial
    rate, a maximum and some of: how long the initial rate runs, the step
    size, the interval (or a range of intervals). What it leaves out stays
    ``None`` and :func:`~ivig_core.infusion.rate_schedule` asks for it.

    .. versionadded:: 0.1.0
    """

    initial: Quantity = attrs.field(converter=_ramp_rate)
    maximum: Quantity = attrs.field(converter=_ramp_rate)
    initial_duration: Quantity | None = attrs.field(
        default=None, converter=optional(_minutes)
    )
    increment: Quantity | None = attrs.field(
        default=None, converter=optional(_ramp_rate)
    )
    interval_low: Quantity | None = attrs.field(
        default=None, converter=optional(_minutes)
    )
    interval_high: Quantity | None = attrs.field(
        default=None, converter=optional(_minutes)
    )
    steps: tuple[RateStep, ...] | None = attrs.field(
        default=None, converter=optional(_steps)
    )
    notes: tuple[str, ...] = attrs.field(default=(), converter=_notes)

    def __attrs_post_init__(self) -> None:
        """Check kinds and order (holds with validators disabled)."""
        kind = rate_kind(self.initial)
        for name in ("maximum", "increment"):
            q = getattr(self, name)
            if q is not None and rate_kind(q) is not kind:
                raise InputError(name, q, f"a rate in {kind.value}, like the initial")
        max_v = float(self.maximum.magnitude)
        if float(self.initial.magnitude) > max_v:
            raise InputError(
                "initial", self.initial, f"at most the maximum {max_v:g} {kind.value}"
            )
        lo, hi = self.interval_low_min, self.interval_high_min
        if (lo is None) != (hi is None) or (
            lo is not None and hi is not None and lo > hi
        ):
            raise InputError(
                "interval", (lo, hi), "both interval_low and interval_high, low ≤ high"
            )
        for i, step in enumerate(self.steps or ()):
            if step.kind is kind and exceeds(step.rate_value, max_v):
                raise InputError(
                    f"steps[{i}].rate",
                    step.rate,
                    f"at most the maximum {max_v:g} {kind.value}",
                )
        if self.steps is not None and self.steps[-1].duration is not None:
            raise InputError(
                f"steps[{len(self.steps) - 1}].duration",
                self.steps[-1].duration,
                "absent: the last step runs until the volume is given",
            )

    @property
    def interval_low_min(self) -> float | None:
        """The shortest labelled interval, minutes."""
        return None if self.interval_low is None else float(self.interval_low.magnitude)

    @property
    def interval_high_min(self) -> float | None:
        """The longest labelled interval, minutes."""
        q = self.interval_high
        return None if q is None else float(q.magnitude)


def _key(value: object) -> str:
    key = _text(value, "key").lower()
    if not _KEY.match(key):
        raise InputError(
            "key", value, "lower-case letters, digits, '-' and '_' (e.g. 'octagam-10')"
        )
    return key


def _ramp(value: object) -> LabelRamp:
    return _instance(value, LabelRamp, "ramp")


@attrs.frozen(kw_only=True)
class Indication:
    """A labelled indication and its infusion rates.

    Attributes:
        key: Short key (``"pi"``, ``"itp"``, ``"cidp"``, ``"dermatomyositis"``).
        name: Full name.
        ramp: The labelled rates, or ``None`` when UNCONFIRMED.
        age_from: The labelled lower age (inclusive), or ``None``.
        age_below: The labelled upper age (exclusive), or ``None``.
        age_group: ``"adults"`` where the label names adults without an age.

    .. versionadded:: 0.1.0
    """

    key: str = attrs.field(converter=_key)
    name: str = attrs.field(converter=_name)
    source: Source = attrs.field(converter=_source)
    ramp: LabelRamp | None = attrs.field(default=None, converter=optional(_ramp))
    age_from: Quantity | None = attrs.field(default=None, converter=optional(_age_from))
    age_below: Quantity | None = attrs.field(
        default=None, converter=optional(_age_below)
    )
    age_group: AgeGroup | None = attrs.field(
        default=None, converter=optional(_age_group)
    )

    @property
    def has_age_range(self) -> bool:
        """Whether the label gives an age range or group for the indication."""
        return (
            self.age_from is not None
            or self.age_below is not None
            or self.age_group is not None
        )

    def age_text(self) -> str:
        """The labelled age range in words (``"2 years and older"``)."""
        parts = []
        if self.age_group is not None:
            parts.append(self.age_group.value)
        if self.age_from is not None:
            parts.append(f"from {float(self.age_from.magnitude):g} years")
        if self.age_below is not None:
            parts.append(f"below {float(self.age_below.magnitude):g} years")
        return ", ".join(parts) or "no labelled age range"

    @property
    def maximum(self) -> Quantity | None:
        """The labelled maximum rate, or ``None``."""
        return None if self.ramp is None else self.ramp.maximum


#: The plausible range of a label's studied maintenance duration, calendar
#: months (sanity: the labels read state 6; more than 10 years is a slip).
MAINTENANCE_MONTHS_RANGE: Final = (1, 120)


def _duration_indication(value: object) -> str:
    return _key(value)


def _months(value: object) -> int | None:
    if value is None:
        return None
    months = whole(value, field="months")
    low, high = MAINTENANCE_MONTHS_RANGE
    if not low <= months <= high:
        raise InputError(
            "months",
            value,
            f"a whole number of months from {low} to {high}",
            "more than 10 years is taken for a slip",
        )
    return months


def _words(value: object) -> str:
    if isinstance(value, str) and not value:
        return ""
    return _text(value, "words")


@attrs.frozen(kw_only=True)
class MaintenanceDuration:
    """How long a label says maintenance was studied, for one indication.

    The US labels of Privigen and Gammagard Liquid say their CIDP
    maintenance "has not been studied for periods longer than 6 months" and
    ask to "individualize the duration of any treatment beyond 6 months";
    the safety check ``MAINTENANCE_BEYOND_LABEL_DURATION`` quotes
    :attr:`words` when a plan's maintenance runs longer.

    Attributes:
        indication: The indication key (``"cidp"``).
        months: The studied duration in calendar months, or ``None`` where
            the label text read states none (recorded, so that "none" is
            known, not merely missing).
        words: The label's own words (required with *months*).
        source: Where the duration (or its absence) was read.
        note: Other remarks.

    .. versionadded:: 0.2.0
    """

    indication: str = attrs.field(converter=_duration_indication)
    months: int | None = attrs.field(default=None, converter=_months)
    words: str = attrs.field(default="", converter=_words)
    source: Source = attrs.field(converter=_source)
    note: str = ""

    def __attrs_post_init__(self) -> None:
        """A stated duration comes with the label's words (validators off too)."""
        if self.months is not None and not self.words:
            raise InputError(
                "words", self.words, "the label's words for the stated duration"
            )


def _durations(value: object) -> tuple[MaintenanceDuration, ...]:
    out = tuple_of(value, MaintenanceDuration, field="maintenance_durations")
    keys = [d.indication for d in out]
    if len(set(keys)) != len(keys):
        raise InputError("maintenance_durations", keys, "one entry per indication")
    return out


def _routes(value: object) -> tuple[Route, ...]:
    if isinstance(value, str) or not _iterates(value):
        raise InputError("routes", value, f"a list of {[m.value for m in Route]}")
    out = tuple(Route.parse(v) for v in value)
    if not out:
        raise InputError("routes", value, "at least one route")
    return out


def _vials(value: object) -> tuple[Vial, ...]:
    out = tuple_of(value, Vial, field="vials")
    sizes = [v.grams_g for v in out]
    if len(set(sizes)) != len(sizes):
        raise InputError("vials", sizes, "distinct vial sizes")
    return tuple(sorted(out, key=lambda v: v.grams_g))


def _indications(value: object) -> Mapping[str, Indication]:
    if isinstance(value, Mapping):
        items = list(value.values())
    elif _iterates(value) and not isinstance(value, str):
        items = list(value)
    else:
        raise InputError("indications", value, "a list of Indication")
    out: dict[str, Indication] = {}
    for item in items:
        if not isinstance(item, Indication):
            raise InputError("indications", item, "an Indication")
        if item.key in out:
            raise InputError("indications", item.key, "distinct indication keys")
        out[item.key] = item
    return MappingProxyType(out)


def _iga(value: object) -> IgaContent:
    return _instance(value, IgaContent, "iga")


def _composition(value: object) -> Composition:
    return _instance(value, Composition, "composition")


def _sodium(value: object) -> SodiumContent:
    return _instance(value, SodiumContent, "sodium")


def _cap(value: object) -> AtRiskCap:
    return _instance(value, AtRiskCap, "at_risk_cap")


def _scig(value: object) -> ScigConversion:
    return _instance(value, ScigConversion, "scig_conversion")


def _sc_limits(value: object) -> tuple[ScSiteLimit, ...]:
    return tuple_of(value, ScSiteLimit, field="sc_limits")


def _unconfirmed(value: object) -> tuple[str, ...]:
    out = _str_tuple(value, "unconfirmed")
    for item in out:
        if item not in UNCONFIRMABLE:
            raise InputError("unconfirmed", item, f"any of {sorted(UNCONFIRMABLE)}")
    return out


@attrs.frozen(kw_only=True)
class Product:
    """An immunoglobulin product with sourced facts.

    Attributes:
        key: Stable key (``"octagam-10"``).
        name: Brand name (``"Octagam 10 %"``).
        manufacturer: Manufacturer (and US distributor where relevant).
        routes: Labelled routes (Gamunex-C and Gammagard Liquid: IV and SC).
        concentration: IgG concentration, g/L (100 g/L = 10 %).
        vials: Vial sizes, smallest first (empty when UNCONFIRMED).
        presentation_source: Source of concentration and vials.
        iga: IgA content, or ``None`` when UNCONFIRMED. Whether the product
            is IgA-depleted is derived from it (:meth:`is_iga_depleted`).
        composition: Stabiliser and sugars, or ``None`` when UNCONFIRMED.
        sodium: Sodium content, or ``None`` when UNCONFIRMED.
        indications: Labelled indications by key, with their rates (an
            SC-only product's carry its labelled ages and no IV rates).
        at_risk_cap: The label's numeric at-risk cap, or ``None``.
        scig_conversion: IVIg → SCIg factor where the label gives one.
        sc_limits: Subcutaneous site limits where the label gives them.
        unconfirmed: Groups absent because no source read confirms them
            (UNCONFIRMED).
        renal_boxed_warning: Whether the label's boxed warning covers renal
            dysfunction and acute renal failure, whatever the route
            (``None``: not recorded; the renal check then follows the route).
        notes: Other remarks (e.g. ``"do not dilute"``).
        maintenance_durations: How long the label says maintenance was
            studied, per indication (:class:`MaintenanceDuration`); empty
            where not recorded.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``maintenance_durations``.
    """

    key: str = attrs.field(converter=_key)
    name: str = attrs.field(converter=_name)
    manufacturer: str = attrs.field(converter=_manufacturer)
    routes: tuple[Route, ...] = attrs.field(converter=_routes)
    concentration: Quantity = attrs.field(converter=_concentration)
    vials: tuple[Vial, ...] = attrs.field(converter=_vials)
    presentation_source: Source = attrs.field(converter=_source)
    iga: IgaContent | None = attrs.field(default=None, converter=optional(_iga))
    composition: Composition | None = attrs.field(
        default=None, converter=optional(_composition)
    )
    sodium: SodiumContent | None = attrs.field(
        default=None, converter=optional(_sodium)
    )
    indications: Mapping[str, Indication] = attrs.field(
        factory=dict, converter=_indications
    )
    at_risk_cap: AtRiskCap | None = attrs.field(default=None, converter=optional(_cap))
    scig_conversion: ScigConversion | None = attrs.field(
        default=None,
        converter=optional(_scig),
    )
    sc_limits: tuple[ScSiteLimit, ...] = attrs.field(default=(), converter=_sc_limits)
    unconfirmed: tuple[str, ...] = attrs.field(default=(), converter=_unconfirmed)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_notes)
    renal_boxed_warning: bool | None = attrs.field(
        default=None, converter=optional(_bool)
    )
    maintenance_durations: tuple[MaintenanceDuration, ...] = attrs.field(
        default=(), converter=_durations
    )

    def maintenance_duration(
        self, indication: str | None
    ) -> MaintenanceDuration | None:
        """The recorded maintenance duration for *indication*, or ``None``.

        .. versionadded:: 0.2.0
        """
        if not isinstance(indication, str):
            return None
        key = indication.strip().lower()
        return next(
            (d for d in self.maintenance_durations if d.indication == key), None
        )

    def __attrs_post_init__(self) -> None:
        """Cross-field checks (hold with attrs validators disabled)."""
        if not self.vials and "vials" not in self.unconfirmed:
            raise InputError(
                "vials",
                [],
                "at least one vial, or 'vials' listed in unconfirmed",
                "no vial sizes given",
            )

    def is_iga_depleted(
        self, at_most_ug_ml: float = IGA_DEPLETED_AT_MOST_UG_ML
    ) -> bool:
        """Whether the stated IgA content is at most *at_most_ug_ml* µg/mL.

        Only an upper bound counts (an exact, "at most" or "below" amount):
        an average says nothing about a given lot. A product without a
        stated IgA content is not IgA-depleted.

        Args:
            at_most_ug_ml: The threshold, µg/mL (default
                :data:`IGA_DEPLETED_AT_MOST_UG_ML`; a site may set its own
                in ``SafetyConfig.iga_depleted_at_most``).
        """
        iga = self.iga
        if iga is None or iga.bound in {Bound.AVERAGE, Bound.APPROX}:
            return False
        return iga.amount_ug_ml <= at_most_ug_ml

    @property
    def iga_depleted(self) -> bool:
        """:meth:`is_iga_depleted` at the default threshold (2 µg/mL)."""
        return self.is_iga_depleted()

    @property
    def concentration_g_per_l(self) -> float:
        """The concentration in g/L (= mg/mL)."""
        return float(self.concentration.magnitude)

    @property
    def concentration_percent(self) -> float:
        """The concentration in % (g per 100 mL)."""
        return self.concentration_g_per_l / 10.0

    def indication(self, key: str) -> Indication:
        """Return the labelled IV indication *key* (case-insensitive).

        A product without the IV route (Hizentra, HyQvia, Cuvitru, Xembify)
        is refused whatever its indications: their labelled ages are read
        from :attr:`indications`, and they are planned with ``plan_scig``.

        Raises:
            InputError: Not a labelled indication of this product, or the
                product has no IV route.

        .. versionadded:: 0.1.0
        .. versionchanged:: 0.2.0 SC-only products are refused by route, not
           by having no indications (they now carry labelled ages).
        """
        if not isinstance(key, str):
            raise InputError("indication", key, "an indication name (a string)")
        if Route.IV in self.routes and key.strip().lower() in self.indications:
            return self.indications[key.strip().lower()]
        if Route.IV not in self.routes or not self.indications:
            routes = " and ".join(r.value.upper() for r in self.routes)
            raise InputError(
                "product",
                self.name,
                "a product with labelled IV indications",
                f"{self.name} is labelled for the {routes} route only, with no "
                "IV indications: plan it with plan_scig",
            )
        raise InputError(
            "indication",
            key,
            f"one of {sorted(self.indications)} for {self.name}",
            f"{key!r} is not a labelled indication of {self.name} in the catalogue",
        )


# --------------------------------------------------------------------------
# Catalogue


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class LazyProducts(Mapping[str, Product]):
    """Products by key, each built on first access (the shipped catalogue).

    Building the 14 shipped products costs ~20 ms; a plan needs one or two.
    Names are checked distinct up front (from the file's ``name`` fields);
    each product is validated when first built. Equal to, and iterated in
    the same order as, the eager mapping of the same products.

    Args:
        names: Each key's ``name`` as the file gives it, in file order.
        build: Builds the product for a key (raises on an invalid entry).
    """

    __slots__ = ("_build", "_built", "_names", "aliases")

    def __init__(
        self, names: Mapping[str, object], build: Callable[[str], Product]
    ) -> None:
        """Hold the keys and *build*; check the names are distinct."""
        self._names = dict(names)
        self._build = build
        self._built: dict[str, Product] = {}
        #: Normalised key or name -> key (what get_product matches).
        self.aliases: dict[str, str] = {}
        for key, name in self._names.items():
            shown = name if isinstance(name, str) else key
            for alias in {_normal(key), _normal(shown)}:
                known = self.aliases.get(alias)
                if known is not None and known != key:
                    raise InputError(
                        f"products[{key!r}]",
                        shown,
                        "a name distinct from other products",
                        f"{shown!r} clashes with {known!r}",
                    )
                self.aliases[alias] = key

    def __getitem__(self, key: str) -> Product:
        """The product with exactly this key, built now if not yet."""
        found = self._built.get(key)
        if found is not None:
            return found
        if key not in self._names:
            raise KeyError(key)
        found = self._build(key)
        if found.key != key:
            raise InputError(f"products[{key!r}]", found, "a Product with that key")
        self._built[key] = found
        return found

    def __iter__(self) -> Iterator[str]:
        """The keys, in file order."""
        return iter(self._names)

    def __len__(self) -> int:
        """The number of products."""
        return len(self._names)

    def __contains__(self, key: object) -> bool:
        """Whether *key* is a product key (nothing is built)."""
        return key in self._names

    def __repr__(self) -> str:
        """As the eager mapping's (every product built)."""
        return repr(MappingProxyType(dict(self.items())))

    def __reduce__(self) -> tuple[type[dict[str, Product]], tuple[dict[str, Product]]]:
        """Pickle as a plain dict of the products."""
        return dict, (dict(self.items()),)


def _products(value: object) -> Mapping[str, Product]:
    if isinstance(value, LazyProducts):
        return value
    if not isinstance(value, Mapping):
        raise InputError("products", value, "a mapping of key -> Product")
    out: dict[str, Product] = {}
    seen: dict[str, str] = {}
    for key, product in value.items():
        if not isinstance(product, Product) or product.key != key:
            raise InputError(f"products[{key!r}]", product, "a Product with that key")
        for alias in {_normal(product.key), _normal(product.name)}:
            if alias in seen and seen[alias] != key:
                raise InputError(
                    f"products[{key!r}]",
                    product.name,
                    "a name distinct from other products",
                    f"{product.name!r} clashes with {seen[alias]!r}",
                )
            seen[alias] = key
        out[key] = product
    return MappingProxyType(out)


@attrs.frozen(kw_only=True)
class Catalogue(Mapping[str, Product]):
    """An immutable mapping of product key -> :class:`Product`.

    Attributes:
        products: The products by key.
        origin: Where the catalogue was loaded from.

    .. versionadded:: 0.1.0
    """

    products: Mapping[str, Product] = attrs.field(converter=_products)
    origin: str = "constructed in code"

    def __getitem__(self, key: str) -> Product:
        """The product with exactly this key."""
        return self.products[key]

    def __iter__(self) -> Iterator[str]:
        """The keys, in file order."""
        return iter(self.products)

    def __len__(self) -> int:
        """The number of products."""
        return len(self.products)

    def get_product(self, name: str) -> Product:
        """The product called *name*: key or brand name, any case or spacing.

        ``"Octagam 10 %"``, ``"octagam-10"`` and ``"OCTAGAM10"`` are the same.

        Raises:
            InputError: Unknown name; the message lists close matches.

        .. versionadded:: 0.1.0
        """
        if isinstance(name, str):
            wanted = _normal(name)
            products = self.products
            if isinstance(products, LazyProducts):
                key = products.aliases.get(wanted)
                if key is not None:
                    return products[key]
            for product in products.values():
                if wanted in {_normal(product.key), _normal(product.name)}:
                    return product
            by_normal = {_normal(k): k for k in self.products}
            by_normal.update({_normal(p.name): p.name for p in self.products.values()})
            close = difflib.get_close_matches(wanted, list(by_normal), n=3, cutoff=0.5)
            names: list[str] = []
            for match in close:
                if by_normal[match] not in names:
                    names.append(by_normal[match])
            hint = f"; did you mean {', '.join(names)}?" if names else ""
            detail: str | None = f"no product {name!r} in {self.origin}{hint}"
        else:
            detail = None
        raise InputError(
            "product",
            name,
            f"one of {sorted(self.products)} (or their brand names)",
            detail,
        )
