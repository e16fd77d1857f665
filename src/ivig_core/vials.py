"""Vial selection under an explicit rounding policy, and dose volumes.

A calculated dose in grams is turned into vials of one product under a
rounding policy the caller names; the result shows the calculated dose, the
dispensed dose, the vials, the volume and the difference, with a one-line
reason. Nothing is rounded silently, and when no combination of vials
satisfies the policy a :class:`~ivig_core.PlanningError` says which
constraint failed and by how much.

Policies:

* :class:`NeverBelow` (``"never-below"``): never dispense less than the
  dose; the fewest grams wasted, then the fewest vials.
* :class:`NearestWithin` (``"nearest-within"``): the achievable total
  nearest the dose, refused when further than ±*tolerance* (required; no
  default).
* :class:`NearestIncrement` (``"nearest-increment"``; ``"ontario"`` is the
  5 g one): round the total dose to the nearest increment, then make that
  exact total from vials (Ontario IG dose calculator: "rounded to the nearest
  5 g", source ``ontario-ig-calculator``).

Volume is dose ÷ concentration, exact (:func:`volume_ml`).

Example:
    >>> from ivig_core.products import get_product
    >>> sel = select_vials("37.2 g", get_product("gamunex-c"), rounding=NeverBelow())
    >>> sel.dispensed_g, sel.volume_ml, round(sel.difference_g, 6)
    (37.5, 375.0, 0.3)
    >>> [(str(v), n) for v, n in sel.vials]
    [('20 g/200 mL', 1), ('10 g/100 mL', 1), ('5 g/50 mL', 1), ('2.5 g/25 mL', 1)]
    >>> print(sel.reason)
    never below: 37.2 g → 37.5 g (1 × 20 g + 1 × 10 g + 1 × 5 g + 1 × 2.5 g),
    +0.3 g (+0.81 %)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Protocol, TypeAlias, runtime_checkable

import attrs

from ivig_core import units
from ivig_core._checks import instance as _instance
from ivig_core._checks import real as _real
from ivig_core.errors import InputError, PlanningError
from ivig_core.units import ML, G, Quantity, UnitSpec


if TYPE_CHECKING:
    from ivig_core.products import Product, Vial


__all__ = [
    "NearestIncrement",
    "NearestWithin",
    "NeverBelow",
    "RoundingPolicy",
    "VialSelection",
    "get_rounding",
    "select_vials",
    "select_vials_g",
    "volume_ml",
]

#: Vial sizes and doses are compared on a grid of 1 mg (exact for sizes such
#: as 2.5 g; float noise below 1 µg is ignored).
_MG_PER_G: Final = 1000
_EPS: Final = 1e-6
#: A guard against unit slips and runaway vial searches, not a clinical limit:
#: 1300 g is 2 g/kg (the largest course dose of the regimens cited, e.g.
#: ``ontario-igum-iim``, ``octagam10-uspi``) at 650 kg, the
#: heaviest weight Patient accepts (patient.WEIGHT_RANGE_KG). Any larger course
#: cannot come from a plausible patient and a referenced regimen.
MAX_DOSE_G: Final = 1300.0

_FRACTION: Final = UnitSpec(
    name="dimensionless",
    symbol="",
    dimension="[]",
    kind="a fraction",
    example="'10 %' or 0.1",
)


@runtime_checkable
class RoundingPolicy(Protocol):
    """What a rounding policy provides.

    ``choose`` gets the dose and the vial sizes in grams and returns the
    count of each size and a one-line reason, or raises
    :class:`~ivig_core.PlanningError`.

    .. versionadded:: 0.1.0
    """

    @property
    def name(self) -> str:
        """A short, stable name."""
        ...  # pragma: no cover

    def choose(
        self, dose_g: float, sizes_g: Sequence[float]
    ) -> tuple[tuple[int, ...], str]:
        """Counts per size (same order as *sizes_g*) and a reason."""
        ...  # pragma: no cover


# --------------------------------------------------------------------------
# Float core: exact combinations on an integer grid


def _grid(sizes_g: Sequence[float]) -> tuple[int, tuple[int, ...]]:
    """The gcd of the sizes in mg, and the sizes in grid units."""
    return _grid_of(tuple(sizes_g))


@functools.lru_cache(maxsize=256)
def _grid_of(sizes_g: tuple[float, ...]) -> tuple[int, tuple[int, ...]]:
    """:func:`_grid`, once per vial set (a few per formulary)."""
    mg = []
    for size in sizes_g:
        m = round(size * _MG_PER_G)
        if m <= 0 or abs(m - size * _MG_PER_G) > _EPS * _MG_PER_G:
            raise InputError(
                "vials", size, "vial sizes > 0 g in whole milligrams", f"{size!r} g"
            )
        mg.append(m)
    step = math.gcd(*mg)
    return step, tuple(m // step for m in mg)


#: Fewest-vial tables by vial sizes (grid units), grown on demand and shared.
#: An entry depends only on the sizes and the smaller totals, so a longer
#: table has the same entries as a shorter one: each vial set's table is
#: computed once and reused across doses, courses and plans. A table is a
#: tuple, replaced (never changed in place) when it grows, so threads can
#: read it while another grows it. Bounded: a few vial sets per formulary.
_TABLES: dict[tuple[int, ...], tuple[tuple[int, int] | None, ...]] = {}
_MAX_TABLES: Final = 256


def _min_vials(sizes: Sequence[int], top: int) -> tuple[tuple[int, int] | None, ...]:
    """For each total 0..top (grid units): (vial count, last size index) or None.

    Fewest vials; ties go to the larger vial, so results are deterministic.
    The table returned may be longer than ``top + 1`` (it is shared): index
    it, do not rely on its length.
    """
    key = tuple(sizes)
    table = _TABLES.get(key)
    if table is not None and len(table) > top:
        return table
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    best: list[tuple[int, int] | None] = [(0, -1)] if table is None else list(table)
    for total in range(len(best), top + 1):
        cur: tuple[int, int] | None = None
        for i in order:
            prev = total - sizes[i]
            if (
                prev >= 0
                and (b := best[prev]) is not None
                and (cur is None or b[0] + 1 < cur[0])
            ):
                cur = (b[0] + 1, i)
        best.append(cur)
    grown = tuple(best)
    if len(_TABLES) >= _MAX_TABLES:
        _TABLES.clear()
    _TABLES[key] = grown
    return grown


def _counts(
    best: Sequence[tuple[int, int] | None], sizes: Sequence[int], total: int
) -> tuple[int, ...]:
    counts = [0] * len(sizes)
    while total > 0:
        entry = best[total]
        if entry is None:  # pragma: no cover - callers pass reachable totals
            raise AssertionError(total)
        counts[entry[1]] += 1
        total -= sizes[entry[1]]
    return tuple(counts)


def _describe(counts: Sequence[int], sizes_g: Sequence[float]) -> str:
    parts = [
        f"{n} × {size:g} g"
        for size, n in sorted(zip(sizes_g, counts, strict=True), reverse=True)
        if n
    ]
    return " + ".join(parts) if parts else "no vials"


def _diff(dispensed: float, dose: float) -> str:
    d = dispensed - dose
    sign = "+" if d >= 0 else "−"
    return f"{sign}{abs(d):.3g} g ({sign}{abs(d) / dose * 100:.2f} %)"


def _check_sizes(sizes_g: Sequence[float]) -> None:
    if not sizes_g:
        raise PlanningError(
            "vials: the product lists no vial sizes (UNCONFIRMED: no source read "
            "gives them); "
            "load a local formulary with its vial sizes"
        )


@attrs.frozen
class NeverBelow:
    """Never dispense less than the dose: fewest grams wasted, then fewest vials.

    .. versionadded:: 0.1.0
    """

    name: str = "never-below"

    def choose(
        self, dose_g: float, sizes_g: Sequence[float]
    ) -> tuple[tuple[int, ...], str]:
        """See :class:`RoundingPolicy`."""
        _check_sizes(sizes_g)
        step, sizes = _grid(sizes_g)
        target = math.ceil(dose_g * _MG_PER_G / step - _EPS)
        top = target + max(sizes)
        best = _min_vials(sizes, top)
        for total in range(target, top + 1):
            if best[total] is not None:
                counts = _counts(best, sizes, total)
                got = total * step / _MG_PER_G
                return counts, (
                    f"never below: {dose_g:g} g → {got:g} g "
                    f"({_describe(counts, sizes_g)}), {_diff(got, dose_g)}"
                )
        msg = "unreachable: target + largest vial is reachable"  # pragma: no cover
        raise AssertionError(msg)  # pragma: no cover


def _tolerance(value: object) -> float:
    if isinstance(value, bool):
        raise InputError("tolerance", value, "a fraction such as 0.1 or '10 %'")
    if isinstance(value, (int, float)):
        fraction = float(value)
    else:
        fraction = units.to_float(value, field="tolerance", unit=_FRACTION)
    if not 0 < fraction < 1:
        raise InputError(
            "tolerance",
            value,
            "a fraction above 0 and below 1, e.g. 0.1 or '10 %'",
            f"{value!r} is not between 0 and 1 (write 10 % as 0.1 or '10 %')",
        )
    return fraction


@attrs.frozen(kw_only=True)
class NearestWithin:
    """The achievable total nearest the dose, within ±*tolerance*.

    Ties go to fewer vials, then to the larger total (not the smaller dose).

    Args:
        tolerance: The largest relative difference accepted, as a fraction
            (``0.1``) or a percentage (``"10 %"``). Required: how far from
            the calculated dose is acceptable is a local decision.

    .. versionadded:: 0.1.0
    """

    tolerance: float = attrs.field(converter=_tolerance)
    name: str = "nearest-within"

    def choose(
        self, dose_g: float, sizes_g: Sequence[float]
    ) -> tuple[tuple[int, ...], str]:
        """See :class:`RoundingPolicy`."""
        _check_sizes(sizes_g)
        step, sizes = _grid(sizes_g)
        dose_units = dose_g * _MG_PER_G / step
        top = math.ceil(dose_units * (1 + self.tolerance)) + max(sizes)
        best = _min_vials(sizes, top)
        choice: tuple[float, int, int] | None = None
        for total in range(1, top + 1):
            entry = best[total]
            if entry is None:
                continue
            key = (round(abs(total - dose_units), 9), entry[0], -total)
            if choice is None or key < choice:
                choice = key
        if choice is None:  # pragma: no cover - the largest vial is reachable
            raise AssertionError(sizes)
        total = -choice[2]
        got = total * step / _MG_PER_G
        off = abs(got - dose_g) / dose_g
        pct = self.tolerance * 100
        if off > self.tolerance + 1e-12:
            raise PlanningError(
                f"rounding: the nearest achievable dose to {dose_g:g} g with vials "
                f"{', '.join(f'{s:g} g' for s in sizes_g)} is {got:g} g, "
                f"{off * 100:.2f} % away; the tolerance is ±{pct:g} %, exceeded by "
                f"{(off - self.tolerance) * 100:.2f} percentage points"
            )
        counts = _counts(best, sizes, total)
        return counts, (
            f"nearest within ±{pct:g} %: {dose_g:g} g → {got:g} g "
            f"({_describe(counts, sizes_g)}), {_diff(got, dose_g)}"
        )


def _increment(value: object) -> float:
    grams = units.to_float(value, field="increment", unit=G)
    return units.require_range(
        grams, field="increment", unit=G, low=0.0, high=100.0, low_inclusive=False
    )


@attrs.frozen(kw_only=True)
class NearestIncrement:
    """Round the total dose to the nearest *increment*, then make it from vials.

    Ontario's IG dose calculator rounds the total dose to the nearest 5 g
    (``ontario-ig-calculator``); :func:`get_rounding` ``("ontario")`` is this policy
    with ``increment="5 g"``. A dose exactly half-way is rounded up (the
    source does not say; the reason records it). When the rounded dose
    cannot be made exactly from the vials, selection is refused.

    Args:
        increment: The rounding step, a mass (``"5 g"``). Required.

    .. versionadded:: 0.1.0
    """

    increment: float = attrs.field(converter=_increment)
    name: str = "nearest-increment"

    def choose(
        self, dose_g: float, sizes_g: Sequence[float]
    ) -> tuple[tuple[int, ...], str]:
        """See :class:`RoundingPolicy`."""
        _check_sizes(sizes_g)
        ratio = dose_g / self.increment
        k = math.floor(ratio + 0.5 + 1e-12)
        halfway = math.isclose(ratio - math.floor(ratio), 0.5, abs_tol=1e-12)
        rounded = k * self.increment
        if k == 0:
            short = self.increment / 2 - dose_g
            raise PlanningError(
                f"rounding: {dose_g:g} g rounds to 0 g at the nearest "
                f"{self.increment:g} g; the dose is {short:.3g} g short of the "
                "half-way point"
            )
        step, sizes = _grid(sizes_g)
        target_mg = rounded * _MG_PER_G
        target = round(target_mg / step)
        best = _min_vials(sizes, target)
        if abs(target * step - target_mg) > _EPS * _MG_PER_G or best[target] is None:
            # The makeable totals either side of the rounded dose (which may
            # fall between grid points, e.g. 140 g with 40 g vials).
            below = math.floor(target_mg / step + _EPS)
            above = math.ceil(target_mg / step - _EPS)
            if below == above:  # on the grid but not makeable
                below, above = below - 1, above + 1
            lower_best = _min_vials(sizes, max(below, 0))
            lower = max(
                (t for t in range(below + 1) if lower_best[t] is not None and t > 0),
                default=None,
            )
            higher_best = _min_vials(sizes, above + max(sizes))
            upper = next(
                t for t in range(above, above + max(sizes) + 1) if higher_best[t]
            )
            near = [f"{upper * step / _MG_PER_G:g} g"]
            if lower is not None:
                near.insert(0, f"{lower * step / _MG_PER_G:g} g")
            raise PlanningError(
                f"rounding: {dose_g:g} g rounds to {rounded:g} g (nearest "
                f"{self.increment:g} g), which vials "
                f"{', '.join(f'{s:g} g' for s in sizes_g)} cannot make exactly; "
                f"the nearest totals they make are {' and '.join(near)}"
            )
        counts = _counts(best, sizes, target)
        tie = "; half-way: rounded up (the source does not say)" if halfway else ""
        return counts, (
            f"nearest {self.increment:g} g: {dose_g:g} g → {rounded:g} g "
            f"({_describe(counts, sizes_g)}), {_diff(rounded, dose_g)}{tie}"
        )


def get_rounding(name: str, **params: object) -> RoundingPolicy:
    """Return a rounding policy by name.

    Names: ``"never-below"``; ``"nearest-within"`` (needs ``tolerance=``);
    ``"nearest-increment"`` (needs ``increment=``); ``"ontario"`` (nearest
    5 g, source ``ontario-ig-calculator``).

    Example:
        >>> get_rounding("nearest-within", tolerance="10 %")
        NearestWithin(tolerance=0.1, name='nearest-within')

    Raises:
        InputError: Unknown name, or a missing or unexpected parameter.

    .. versionadded:: 0.1.0
    """
    key = str(name).strip().lower()
    needed = {
        "never-below": (),
        "nearest-within": ("tolerance",),
        "nearest-increment": ("increment",),
        "ontario": (),
    }
    if key not in needed:
        raise InputError("rounding", name, f"one of {sorted(needed)}")
    extra = sorted(set(params) - set(needed[key]))
    if extra:
        raise InputError(extra[0], params[extra[0]], f"no {extra[0]} for {key!r}")
    for param in needed[key]:
        if param not in params:
            raise InputError(
                param, None, f"a {param} for {key!r} (required, no default)"
            )
    if key == "never-below":
        return NeverBelow()
    if key == "nearest-within":
        return NearestWithin(tolerance=params["tolerance"])
    if key == "nearest-increment":
        return NearestIncrement(increment=params["increment"])
    # Ontario IG dose calculator: total dose rounded to the nearest 5 g
    # (source: ontario-ig-calculator).
    return NearestIncrement(increment=units.quantity(5.0, G))


# --------------------------------------------------------------------------
# Results


def _g(value: object) -> Quantity:
    return units.to_quantity(value, field="dose", unit=G)


def _ml(value: object) -> Quantity:
    return units.to_quantity(value, field="volume", unit=ML)


@attrs.frozen(kw_only=True)
class VialSelection:
    """Vials for one dose of one product, and what rounding did.

    Attributes:
        product: The product key.
        calculated: The dose asked for, g.
        dispensed: The dose in the vials, g.
        vials: ``(Vial, count)`` pairs, largest vial first, counts > 0.
        volume: The dispensed dose's volume, mL (dispensed ÷ concentration).
        difference: dispensed − calculated, g.
        policy: The rounding policy's name.
        reason: One line saying what was done.

    .. versionadded:: 0.1.0
    """

    product: str
    calculated: Quantity = attrs.field(converter=_g)
    dispensed: Quantity = attrs.field(converter=_g)
    vials: tuple[tuple[Vial, int], ...]
    volume: Quantity = attrs.field(converter=_ml)
    difference: Quantity = attrs.field(converter=_g)
    policy: str
    reason: str

    @property
    def calculated_g(self) -> float:
        """The dose asked for, g."""
        return float(self.calculated.magnitude)

    @property
    def dispensed_g(self) -> float:
        """The dose in the vials, g."""
        return float(self.dispensed.magnitude)

    @property
    def volume_ml(self) -> float:
        """The dispensed volume, mL."""
        return float(self.volume.magnitude)

    @property
    def difference_g(self) -> float:
        """Dispensed − calculated, g."""
        return float(self.difference.magnitude)

    @property
    def vial_count(self) -> int:
        """The number of vials."""
        return sum(n for _, n in self.vials)


def _product_class() -> type[Product]:
    from ivig_core.products import Product  # noqa: PLC0415 - see the TYPE_CHECKING import

    return Product


def volume_ml(dose_g: float, product: Product) -> float:
    """The volume of *dose_g* grams of *product*, mL (dose ÷ concentration).

    Example:
        >>> from ivig_core.products import get_product
        >>> volume_ml(35.0, get_product("octagam 5%"))
        700.0

    .. versionadded:: 0.1.0
    """
    _instance(product, _product_class(), field="product")
    dose_g = _real(dose_g, field="dose")
    return dose_g / product.concentration_g_per_l * 1000.0


_NEVER_BELOW: Final = NeverBelow()


def _policy(rounding: object) -> RoundingPolicy:
    if rounding == "never-below":  # the common name, without a lookup
        return _NEVER_BELOW
    if isinstance(rounding, str):
        return get_rounding(rounding)
    if isinstance(rounding, RoundingPolicy):
        return rounding
    raise InputError(
        "rounding", rounding, "a RoundingPolicy (NeverBelow(), ...) or its name"
    )


def select_vials_g(
    dose_g: float, product: Product, rounding: RoundingPolicy | str
) -> VialSelection:
    """Float entry point of :func:`select_vials` (dose in grams).

    .. versionadded:: 0.1.0
    """
    policy = _policy(rounding)
    if isinstance(dose_g, bool) or not isinstance(dose_g, (int, float)):
        raise InputError("dose_g", dose_g, "a number of grams")
    dose = units.require_range(
        float(dose_g),
        field="dose",
        unit=G,
        low=0.0,
        high=MAX_DOSE_G,
        low_inclusive=False,
        why="above 0 g; more than 1300 g (2 g/kg at 650 kg) is taken for a unit slip",
    )
    vial_set = _vial_set(product.vials)
    key = None
    if type(policy) in _PURE:
        key = (policy, dose, product.key, product.concentration_g_per_l)
        found = vial_set.selections.get(key)
        if found is not None:
            return found
    chosen, dispensed, reason = _chosen(policy, dose, vial_set)
    grams = units.quantities(G)
    selection = _selection(
        product=product.key,
        calculated=grams(dose),
        dispensed=grams(dispensed),
        vials=chosen,
        volume=units.quantity(volume_ml(dispensed, product), ML),
        difference=grams(dispensed - dose),
        policy=policy.name,
        reason=reason,
    )
    if key is not None:
        if len(vial_set.selections) >= _MAX_SELECTIONS:
            vial_set.selections.clear()
        vial_set.selections[key] = selection
    return selection


#: The built-in policies: pure functions of (dose, vial sizes).
_PURE: Final = (NeverBelow, NearestWithin)

#: (built-in policy, dose g, product key, concentration g/L).
_SelectionKey: TypeAlias = tuple[RoundingPolicy, float, str, float]


class _VialSet:
    """A product's vial tuple, its sizes in g, and the selections made from it.

    A built-in policy's selection depends only on its key (policy, dose,
    product key, concentration) and the vials, and a VialSelection is
    immutable (frozen, of floats, text, quantities treated as values, and
    the product's own Vial records, which every plan shares already): it is
    made once and shared by every plan that doses the same grams (a
    population repeats the same daily amounts).
    """

    __slots__ = ("selections", "sizes_g", "vials")

    def __init__(self, vials: tuple[Vial, ...]) -> None:
        self.vials = vials
        self.sizes_g = tuple(v.grams_g for v in vials)
        self.selections: dict[_SelectionKey, VialSelection] = {}


#: Vial sets by the identity of their tuple (held here, so the id stays
#: theirs). Bounded: cleared when full.
_VIAL_SETS: dict[int, _VialSet] = {}
_MAX_VIAL_SETS: Final = 256
_MAX_SELECTIONS: Final = 4096


def _vial_set(vials: tuple[Vial, ...]) -> _VialSet:
    found = _VIAL_SETS.get(id(vials))
    if found is None or found.vials is not vials:
        found = _VialSet(vials)
        if len(_VIAL_SETS) >= _MAX_VIAL_SETS:
            _VIAL_SETS.clear()
        _VIAL_SETS[id(vials)] = found
    return found


def _chosen(
    policy: RoundingPolicy, dose: float, vial_set: _VialSet
) -> tuple[tuple[tuple[Vial, int], ...], float, str]:
    """The (vial, count) pairs *policy* chooses for *dose*, the grams, why.

    Raises:
        InputError: A policy returning counts that do not fit the vials.
        PlanningError: The policy refuses, or chooses no vials.
    """
    vials = vial_set.vials
    sizes = list(vial_set.sizes_g)
    counts, reason = policy.choose(dose, sizes)
    if len(counts) != len(vials) or any(n < 0 for n in counts):
        raise InputError(
            "rounding", policy, "a policy returning one count ≥ 0 per vial size"
        )
    dispensed = math.fsum(n * s for n, s in zip(counts, sizes, strict=True))
    if not dispensed > 0:
        raise PlanningError(f"rounding: {policy.name} chose no vials for {dose:g} g")
    # Largest vial first (a stable sort on the sizes).
    order = sorted(range(len(vials)), key=lambda i: -sizes[i])
    return tuple((vials[i], counts[i]) for i in order if counts[i]), dispensed, reason


def _selection(**fields: object) -> VialSelection:
    """A VialSelection of values just computed here, in canonical units.

    Skips the converters (each re-checks a quantity the lines above made
    canonical, ~20 µs a selection); the fields are exactly the class's.
    """
    selection = object.__new__(VialSelection)
    for name in _SELECTION_FIELDS:
        object.__setattr__(selection, name, fields[name])
    return selection


_SELECTION_FIELDS: Final = tuple(a.name for a in attrs.fields(VialSelection))


def select_vials(
    dose: object, product: Product, *, rounding: RoundingPolicy | str
) -> VialSelection:
    """Choose vials of *product* for *dose* under an explicit rounding policy.

    Args:
        dose: The calculated dose, a mass (``"37.2 g"``, ``Q_(37200, "mg")``).
        product: The product.
        rounding: A policy (:class:`NeverBelow`, :class:`NearestWithin`,
            :class:`NearestIncrement`, your own) or a name for
            :func:`get_rounding` that needs no parameter. Required.

    Raises:
        InputError: A bad dose or policy.
        PlanningError: No vial combination satisfies the policy (the message
            says which constraint and by how much), or the product has no
            vial sizes.

    .. versionadded:: 0.1.0
    """
    return select_vials_g(units.to_float(dose, field="dose", unit=G), product, rounding)
