"""The performance shortcuts (issue 9) give exactly what the slow paths give."""

from __future__ import annotations

import pickle

import pint
import pytest

from ivig_core import units, vials
from ivig_core.errors import InputError, PlanningError
from ivig_core.infusion import RateKind, rate_kind
from ivig_core.products import Product, get_product
from ivig_core.units import KG, MG_PER_KG_PER_MIN, ML_PER_H, ML_PER_KG_PER_MIN, G


@pytest.fixture
def registry() -> pint.UnitRegistry[float]:
    """The library's active registry."""
    return units.get_registry()


@pytest.mark.parametrize("spec", [G, KG, ML_PER_H, MG_PER_KG_PER_MIN])
def test_fast_quantities_are_constructor_quantities(
    registry: pint.UnitRegistry[float], spec: units.UnitSpec
) -> None:
    """quantity() makes what registry.Quantity(value, unit) makes."""
    fast = units.quantity(37.5, spec)
    slow = registry.Quantity(37.5, registry.Unit(spec.name))
    assert type(fast) is type(slow)
    assert vars(fast) == vars(slow)
    assert fast == slow
    assert repr(fast) == repr(slow)
    assert fast.m_as(spec.name) == 37.5
    assert pickle.loads(pickle.dumps(fast)) == slow  # noqa: S301 - our own data


def test_parsed_quantities_are_constructor_quantities(
    registry: pint.UnitRegistry[float],
) -> None:
    """parse_quantity builds the same quantity as the constructor."""
    for text, unit in (("70 kg", "kg"), ("5 ft 5 in", "inch"), ("2 mg/kg/min", "")):
        got = units.parse_quantity(text, field="x")
        assert type(got) is registry.Quantity
        if unit:
            assert got.units == registry.Unit(unit)
    assert units.parse_quantity("5 ft 5 in", field="x").magnitude == 65.0


def test_a_numpy_registry_uses_the_constructor() -> None:
    """A registry forcing numpy magnitudes gets them, as before."""
    np = pytest.importorskip("numpy")
    forced: pint.UnitRegistry[float] = pint.UnitRegistry(force_ndarray=True)
    units.set_registry(forced)
    try:
        assert isinstance(units.quantity(2.0, G).magnitude, np.ndarray)
        assert isinstance(
            units.parse_quantity("70 kg", field="w").magnitude, np.ndarray
        )
    finally:
        units.set_registry(None)


def test_to_float_fast_path_keeps_the_checks(
    registry: pint.UnitRegistry[float],
) -> None:
    """Canonical float quantities take the fast path; others are still checked."""
    assert units.to_float(units.quantity(3.0, KG), field="w", unit=KG) == 3.0
    assert units.to_float(registry.Quantity(3, "kilogram"), field="w", unit=KG) == 3.0
    nan = registry.Quantity(float("nan"), "kilogram")
    with pytest.raises(InputError, match=r"^w: .*; allowed: a finite number"):
        units.to_float(nan, field="w", unit=KG)
    assert units.is_canonical(units.quantity(1.0, G), G)
    assert not units.is_canonical(registry.Quantity(1.0, "milligram"), G)
    assert not units.is_canonical("1 g", G)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2 mg/kg/min", RateKind.MG_PER_KG_PER_MIN),
        ("0.5 mL/kg/h", RateKind.ML_PER_KG_PER_MIN),
        ("150 mL/h", RateKind.ML_PER_H),
    ],
)
def test_rate_kind_is_the_same_for_canonical_rates(text: str, kind: RateKind) -> None:
    """A canonical rate and its string have the same kind."""
    assert rate_kind(text) is kind
    value = units.to_float(text, field="rate", unit=kind.unit)
    assert rate_kind(units.quantity(value, kind.unit)) is kind


def test_canonical_per_kg_rate_still_checks_its_magnitude(
    registry: pint.UnitRegistry[float],
) -> None:
    """The fast path still refuses a NaN mg/kg/min rate (as the slow one did)."""
    nan = registry.Quantity(float("nan"), MG_PER_KG_PER_MIN.name)
    with pytest.raises(InputError, match=r"^rate: .*; allowed: a finite number"):
        rate_kind(nan)
    assert rate_kind(registry.Quantity(1.0, ML_PER_KG_PER_MIN.name)) is (
        RateKind.ML_PER_KG_PER_MIN
    )


def _outcome(
    dose: float, product: Product, policy: vials.RoundingPolicy
) -> vials.VialSelection | str:
    try:
        return vials.select_vials_g(dose, product, policy)
    except PlanningError as error:
        return str(error)


def test_shared_vial_tables_give_fresh_results() -> None:
    """Selections (and refusals) with a shared table equal fresh ones."""
    product = get_product("gamunex-c")
    doses = [0.4, 1.0, 37.2, 140.0, 1299.9, 2.6, 55.55, 700.0, 10.1]
    policies: list[vials.RoundingPolicy] = [
        vials.NeverBelow(),
        vials.NearestWithin(tolerance=0.1),
        vials.NearestIncrement(increment="5 g"),
    ]
    warm = {
        (d, i): _outcome(d, product, p) for d in doses for i, p in enumerate(policies)
    }
    assert any(isinstance(v, str) for v in warm.values())
    for (dose, index), outcome in warm.items():
        vials._TABLES.clear()
        assert _outcome(dose, product, policies[index]) == outcome
