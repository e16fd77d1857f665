"""Subcutaneous site limits: per-site volumes, rates and the number of sites.

:class:`ScLimits` gathers a product's catalogue rows for one situation (and
the values the catalogue lacks, as parameters with their source);
:func:`plan_sites` finds the fewest sites that keep the volume per site
within the limit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

from ivig_core import units
from ivig_core._checks import (
    MAX_COUNT,
    REL_TOL,
    exceeds,
    finite,
    is_number,
    tuple_of,
    whole,
)
from ivig_core.errors import InputError, PlanningError
from ivig_core.products import Product, ScSiteLimit
from ivig_core.scig.conversion import sc_product
from ivig_core.units import ML, ML_PER_H, Quantity


__all__ = ["ScLimits", "SitePlan", "SiteTier", "plan_sites", "sc_situations"]


# --------------------------------------------------------------------------
# Subcutaneous site limits


@attrs.frozen(kw_only=True)
class SiteTier:
    """A per-site volume limit for a range of site counts.

    .. versionadded:: 0.1.0
    """

    sites_from: int
    sites_to: int
    volume_per_site_ml: float
    source: str


def _opt_value(value: object, *, field: str, unit: units.UnitSpec) -> float | None:
    if value is None:
        return None
    v = units.to_float(value, field=field, unit=unit)
    if not v > 0.0:
        raise InputError(field, value, f"a value > 0 {unit.symbol}")
    return v


def _opt_sites(value: object, field: str = "max_sites") -> int | None:
    return None if value is None else whole(value, field=field)


def _q(value: Quantity | None) -> float | None:
    return None if value is None else float(value.magnitude)


@attrs.frozen(kw_only=True)
class ScLimits:
    """Subcutaneous limits for one situation: per-site volume, rates, sites.

    Build it from the catalogue with :meth:`from_product`; values the
    catalogue lacks are required parameters there, never guessed.

    Attributes:
        product: The product key.
        applies_to: The catalogue situations used (``"later infusions"``).
        tiers: Per-site volume limits by number of sites, from 1 site up to
            the maximum number of sites.
        rate_per_site_ml_h: The maximum rate per site, mL/h, or ``None``.
        initial_rate_per_site_ml_h: The starting rate per site, or ``None``.
        total_rate_ml_h: The maximum rate over all sites, or ``None``.
        volume_per_day_ml: The maximum volume per day, or ``None``.
        sources: Where each value comes from.
        rows: The catalogue rows used (their structured situations), or
            empty for limits built by hand.

    .. versionadded:: 0.1.0
    """

    product: str
    applies_to: tuple[str, ...]
    tiers: tuple[SiteTier, ...]
    rate_per_site_ml_h: float | None = None
    initial_rate_per_site_ml_h: float | None = None
    total_rate_ml_h: float | None = None
    volume_per_day_ml: float | None = None
    sources: tuple[str, ...] = ()
    rows: tuple[ScSiteLimit, ...] = attrs.field(default=(), repr=False)

    def __attrs_post_init__(self) -> None:
        """Tiers start at 1 site, are contiguous and have positive volumes.

        Every number is checked (limits built by hand change SC volumes and
        rates): whole site counts up to :data:`~ivig_core._checks.MAX_COUNT`,
        finite positive volumes and rates.
        """
        for name in (
            "rate_per_site_ml_h",
            "initial_rate_per_site_ml_h",
            "total_rate_ml_h",
            "volume_per_day_ml",
        ):
            value = getattr(self, name)
            if value is not None:
                finite(value, field=name, positive=True)
        tiers = tuple_of(self.tiers, SiteTier, field="tiers")
        if not tiers:
            raise InputError("tiers", self.tiers, "at least one tier")
        expected = 1
        for i, tier in enumerate(tiers):
            first = whole(
                tier.sites_from, field=f"tiers[{i}].sites_from", high=MAX_COUNT
            )
            last = whole(tier.sites_to, field=f"tiers[{i}].sites_to", high=MAX_COUNT)
            if first != expected or last < first:
                raise InputError(
                    f"tiers[{i}]",
                    tier,
                    f"a tier with sites_from = {expected} and sites_to >= {expected}",
                )
            finite(
                tier.volume_per_site_ml,
                field=f"tiers[{i}].volume_per_site_ml",
                positive=True,
            )
            expected = last + 1

    @property
    def max_sites(self) -> int:
        """The most sites at once."""
        return self.tiers[-1].sites_to

    def volume_limit_ml(self, sites: int) -> float:
        """The per-site volume limit with *sites* sites."""
        for tier in self.tiers:
            if tier.sites_from <= sites <= tier.sites_to:
                return tier.volume_per_site_ml
        raise InputError("sites", sites, f"1 to {self.max_sites} sites")

    @classmethod
    def from_product(
        cls,
        product: Product | str,
        *,
        situation: str | Sequence[str],
        volume_per_site: object = None,
        max_sites: int | None = None,
        rate_per_site: object = None,
        initial_rate_per_site: object = None,
        total_rate: object = None,
        volume_per_day: object = None,
        parameter_source: str = "given by the caller",
    ) -> ScLimits:
        """The limits of *product* for the catalogue rows named *situation*.

        Args:
            product: The SC product (object or name).
            situation: One or more catalogue ``applies_to`` texts (see
                :func:`sc_situations`), e.g. ``"later infusions"``, or
                ``["SC, patients ≥ 25 kg", "SC, adults"]``.
            volume_per_site: Only where the rows give none (e.g. Gamunex-C
                SC: not in the sources read).
            max_sites: Only where the rows give none (e.g. Hizentra).
            rate_per_site: Only where the rows give none (e.g. HyQvia).
            initial_rate_per_site: Only where the rows give none.
            total_rate: Only where the rows give none.
            volume_per_day: Only where the rows give none.
            parameter_source: Where the values you give come from.

        A per-site volume row with ``max_sites`` N applies up to N sites;
        with several such rows (HyQvia: 600 mL/site, 400 mL/site "if 3
        sites") a row without ``max_sites`` covers the site counts below the
        smallest N.

        Raises:
            InputError: An unknown situation; a parameter for a value the
                catalogue already gives (limits are not overridden); rows
                that disagree; a value missing from both.

        Example:
            >>> lim = ScLimits.from_product("hyqvia", situation=[
            ...     "per site, 1 or 2 sites", "per site, 3 sites",
            ...     "per day, patients ≥ 40 kg"], rate_per_site="300 mL/h",
            ...     parameter_source="local protocol")
            >>> [(t.sites_from, t.sites_to, t.volume_per_site_ml)
            ...  for t in lim.tiers], lim.volume_per_day_ml
            ([(1, 2, 600.0), (3, 3, 400.0)], 1200.0)

        .. versionadded:: 0.1.0
        """
        prod, _ = sc_product(product)
        wanted = (situation,) if isinstance(situation, str) else tuple(situation)
        by_text = {row.applies_to.strip().lower(): row for row in prod.sc_limits}
        rows: list[ScSiteLimit] = []
        for text in wanted:
            key = str(text).strip().lower()
            if key not in by_text:
                raise InputError(
                    "situation",
                    text,
                    f"one of {[r.applies_to for r in prod.sc_limits]} for {prod.name}",
                )
            rows.append(by_text[key])
        if not rows:
            raise InputError("situation", situation, "at least one situation")

        sources: list[str] = []

        def pick(name: str, given: float | None, unit: str) -> float | None:
            found = [(r, _q(getattr(r, name))) for r in rows]
            found = [(r, v) for r, v in found if v is not None]
            values = {v for _, v in found}
            if len(values) > 1:
                raise InputError(
                    "situation",
                    wanted,
                    f"situations that agree on {name}",
                    f"the rows give different {name}: "
                    + ", ".join(f"{r.applies_to!r} {v:g} {unit}" for r, v in found),
                )
            if found and given is not None:
                raise InputError(
                    name,
                    given,
                    "nothing: the catalogue gives it",
                    f"{prod.name} ({found[0][0].applies_to}) gives {name} "
                    f"{found[0][1]:g} {unit}; label limits are not overridden",
                )
            if found:
                row = found[0][0]
                sources.append(f"{name}: {row.applies_to} — {row.source}")
                return found[0][1]
            if given is not None:
                sources.append(f"{name}: {given:g} {unit} — {parameter_source}")
            return given

        rate = pick(
            "rate_per_site",
            _opt_value(rate_per_site, field="rate_per_site", unit=ML_PER_H),
            "mL/h",
        )
        initial = pick(
            "initial_rate_per_site",
            _opt_value(
                initial_rate_per_site, field="initial_rate_per_site", unit=ML_PER_H
            ),
            "mL/h",
        )
        total = pick(
            "total_rate",
            _opt_value(total_rate, field="total_rate", unit=ML_PER_H),
            "mL/h",
        )
        per_day = pick(
            "volume_per_day",
            _opt_value(volume_per_day, field="volume_per_day", unit=ML),
            "mL",
        )
        given_volume = _opt_value(volume_per_site, field="volume_per_site", unit=ML)
        given_sites = _opt_sites(max_sites)
        tiers = _tiers(prod, rows, given_volume, given_sites, parameter_source)
        sources.extend(t.source for t in tiers)
        return cls(
            product=prod.key,
            applies_to=tuple(r.applies_to for r in rows),
            tiers=tiers,
            rate_per_site_ml_h=rate,
            initial_rate_per_site_ml_h=initial,
            total_rate_ml_h=total,
            volume_per_day_ml=per_day,
            sources=tuple(dict.fromkeys(sources)),
            rows=tuple(rows),
        )


def _tiers(
    prod: Product,
    rows: Sequence[ScSiteLimit],
    given_volume: float | None,
    given_sites: int | None,
    parameter_source: str,
) -> tuple[SiteTier, ...]:
    """Per-site volume tiers from the rows' volumes and site ranges.

    A row with a known last site (:attr:`~ivig_core.products.ScSiteLimit.last_site`)
    covers the counts above the previous row up to it; a row without covers
    the counts below the first bounded row, or up to the rows' (or your)
    maximum number of sites.
    """
    vol_rows = [(r, v) for r in rows if (v := _q(r.volume_per_site)) is not None]
    site_rows = [r for r in rows if r.volume_per_site is None and r.max_sites]
    if vol_rows and given_volume is not None:
        raise InputError(
            "volume_per_site",
            given_volume,
            "nothing: the catalogue gives it",
            f"{prod.name} ({vol_rows[0][0].applies_to}) gives a per-site volume; "
            "label limits are not overridden",
        )
    row_max = _row_max_sites(prod, site_rows, given_sites)
    if not vol_rows:
        return (
            _given_tier(
                prod,
                site_rows,
                row_max,
                given_volume=given_volume,
                given_sites=given_sites,
                parameter_source=parameter_source,
            ),
        )
    # (last site, row, volume) for the rows with a known last site.
    bounded = sorted(
        ((last, r, v) for r, v in vol_rows if (last := r.last_site) is not None),
        key=lambda item: item[0],
    )
    open_rows = [(r, v) for r, v in vol_rows if r.last_site is None]
    if len(open_rows) > 1 or len({last for last, _, _ in bounded}) != len(bounded):
        raise InputError(
            "situation",
            [r.applies_to for r, _ in vol_rows],
            "at most one per-site volume row per number of sites",
        )
    if bounded and given_sites is not None:
        raise InputError(
            "max_sites",
            given_sites,
            "nothing: the per-site volume rows give the number of sites",
        )
    if bounded and row_max:
        raise InputError(
            "situation",
            [r.applies_to for r in site_rows],
            "no number-of-sites row: the per-site volume rows give the number of sites",
        )
    tiers: list[SiteTier] = []
    if open_rows:
        row, volume = open_rows[0]
        end, extra = (
            (bounded[0][0] - 1, "")
            if bounded
            else _top_sites(prod, site_rows, row_max, given_sites, parameter_source)
        )
        if end >= 1:
            tiers.append(_tier(row, volume, 1, end, extra))
    for last, row, volume in bounded:
        start = tiers[-1].sites_to + 1 if tiers else 1
        tiers.append(_tier(row, volume, start, last))
    return tuple(tiers)


def _row_max_sites(
    prod: Product, site_rows: Sequence[ScSiteLimit], given_sites: int | None
) -> list[int]:
    """The rows' maximum number of sites (they must agree; not overridden)."""
    row_max = [r.max_sites for r in site_rows if r.max_sites is not None]
    if len(set(row_max)) > 1:
        raise InputError(
            "situation",
            [r.applies_to for r in site_rows],
            "situations that agree on max_sites",
        )
    if row_max and given_sites is not None:
        raise InputError(
            "max_sites",
            given_sites,
            "nothing: the catalogue gives it",
            f"{prod.name} ({site_rows[0].applies_to}) gives at most {row_max[0]} "
            "sites; label limits are not overridden",
        )
    return row_max


def _top_sites(
    prod: Product,
    site_rows: Sequence[ScSiteLimit],
    row_max: Sequence[int],
    given_sites: int | None,
    parameter_source: str,
) -> tuple[int, str]:
    """(the maximum number of sites, its source) from the rows or the caller."""
    top = row_max[0] if row_max else given_sites
    if top is None:
        raise InputError(
            "max_sites",
            None,
            "a maximum number of sites (the catalogue has none for "
            f"{prod.name}; not in the sources read)",
        )
    if row_max:
        return (
            top,
            f"; max_sites {top}: {site_rows[0].applies_to} — {site_rows[0].source}",
        )
    return top, f"; max_sites {top} — {parameter_source}"


def _given_tier(
    prod: Product,
    site_rows: Sequence[ScSiteLimit],
    row_max: Sequence[int],
    *,
    given_volume: float | None,
    given_sites: int | None,
    parameter_source: str,
) -> SiteTier:
    """One tier from a per-site volume the caller gives (the rows have none)."""
    if given_volume is None:
        raise InputError(
            "volume_per_site",
            None,
            "a per-site volume (the catalogue has none for "
            f"{prod.name} in this situation; not in the sources read)",
        )
    top, extra = _top_sites(prod, site_rows, row_max, given_sites, parameter_source)
    return SiteTier(
        sites_from=1,
        sites_to=top,
        volume_per_site_ml=given_volume,
        source=f"volume_per_site {given_volume:g} mL — {parameter_source}{extra}",
    )


def _tier(
    row: ScSiteLimit, volume: float, start: int, end: int, extra: str = ""
) -> SiteTier:
    return SiteTier(
        sites_from=start,
        sites_to=end,
        volume_per_site_ml=volume,
        source=f"volume_per_site ({start}-{end} sites): {row.applies_to} — "
        f"{row.source}{extra}",
    )


def sc_situations(product: Product | str) -> tuple[str, ...]:
    """The catalogue's SC situations (``applies_to``) for *product*.

    Example:
        >>> sc_situations("hizentra")[:2]
        ('PI, first infusion', 'PI, later infusions')

    .. versionadded:: 0.1.0
    """
    return tuple(r.applies_to for r in sc_product(product)[0].sc_limits)


@attrs.frozen(kw_only=True)
class SitePlan:
    """Sites for one infusion: how many, and the volume at each.

    .. versionadded:: 0.1.0
    """

    sites: int
    volume_ml: float
    volume_per_site_ml: float
    volume_limit_per_site_ml: float
    max_sites: int


def plan_sites(volume_ml: float, limits: ScLimits) -> SitePlan:
    """The fewest sites that keep the volume per site within the limit.

    The volume is split equally over the sites.

    Raises:
        PlanningError: More sites than the label maximum would be needed
            (the message says how many, and how many more), or the day's
            volume is above the daily limit (by how much).

    Example:
        >>> lim = ScLimits.from_product("hizentra",
        ...     situation="PI, later infusions", max_sites=4,
        ...     parameter_source="local protocol")
        >>> plan_sites(55.0, lim)
        SitePlan(sites=3, volume_ml=55.0, volume_per_site_ml=18.33..., \
volume_limit_per_site_ml=25.0, max_sites=4)

    .. versionadded:: 0.1.0
    """
    if not is_number(volume_ml):
        raise InputError("volume_ml", volume_ml, "a number of mL")
    volume = float(volume_ml)
    if not (math.isfinite(volume) and volume > 0.0):
        raise InputError("volume_ml", volume_ml, "a volume > 0 mL")
    if not isinstance(limits, ScLimits):
        raise InputError("limits", limits, "ScLimits (see ScLimits.from_product)")
    day = limits.volume_per_day_ml
    if day is not None and exceeds(volume, day):
        raise PlanningError(
            f"volume_per_day: {volume:.1f} mL in one day is {volume - day:.1f} mL "
            f"above the daily limit of {day:g} mL ({', '.join(limits.applies_to)}); "
            "give the dose over more days"
        )
    for tier in limits.tiers:
        for sites in range(tier.sites_from, tier.sites_to + 1):
            per_site = volume / sites
            if not exceeds(per_site, tier.volume_per_site_ml):
                return SitePlan(
                    sites=sites,
                    volume_ml=volume,
                    volume_per_site_ml=per_site,
                    volume_limit_per_site_ml=tier.volume_per_site_ml,
                    max_sites=limits.max_sites,
                )
    last = limits.tiers[-1].volume_per_site_ml
    needed = math.ceil(volume / last - REL_TOL)
    raise PlanningError(
        f"sites: {volume:.1f} mL at ≤ {last:g} mL per site needs {needed} sites, "
        f"{needed - limits.max_sites} more than the label maximum of "
        f"{limits.max_sites} ({', '.join(limits.applies_to)})"
    )
