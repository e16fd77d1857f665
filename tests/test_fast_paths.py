"""The performance shortcuts (issue 9) give exactly what the slow paths give."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import attrs
import pint
import pytest

from ivig_core import infusion, units, vials
from ivig_core.errors import InputError, PlanningError
from ivig_core.findings import Concern
from ivig_core.planning._deferred import Deferred
from ivig_core.products import Product, catalogue, get_product
from ivig_core.products.model import LazyProducts
from ivig_core.rates import RateKind, rate_kind
from ivig_core.trace import Trace
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


def _slow_run(volume_ml: float, rates: infusion.RatePlan) -> infusion.InfusionRun:
    """run_volume_ml's result rebuilt through the attrs converters."""
    fast = infusion.run_volume_ml(volume_ml, rates)
    steps = tuple(
        infusion.RunStep(
            start_min=s.start_min,
            rate_ml_h=s.rate_ml_h,
            duration_min=s.duration_min,
            volume_ml=s.volume_ml,
            scheduled_rate=s.scheduled_rate,
            capped=s.capped,
        )
        for s in fast.steps
    )
    return infusion.InfusionRun(
        steps=steps,
        volume_ml=fast.volume_ml,
        duration_min=fast.duration_min,
        rate_weight_kg=fast.rate_weight_kg,
        product=fast.product,
        schedule_source=fast.schedule_source,
        maximum_ml_h=fast.maximum_ml_h,
        at_risk_cap_ml_h=fast.at_risk_cap_ml_h,
        notes=fast.notes,
    )


@pytest.mark.parametrize("cap", [None, "2 mL/kg/h"])
def test_runs_built_without_converters_equal_converted_runs(cap: str | None) -> None:
    """run_volume_ml (no converters, shared full steps) equals the slow build."""
    product = get_product("gamunex-c")
    schedule = infusion.rate_schedule(
        product, "cidp", increment="2 mg/kg/min", interval="30 min"
    )
    rates = infusion.prepare_rates(
        product=product, schedule=schedule, rate_weight_kg=70.0, at_risk_cap=cap
    )
    shared: dict[int, infusion.RunStep] = {}
    for volume in (5.0, 100.0, 350.0, 700.0, 2000.0, 100.0, 350.0):
        fast = infusion.run_volume_ml(volume, rates, shared=shared)
        slow = _slow_run(volume, rates)
        assert fast == slow
        assert repr(fast) == repr(slow)
        assert hash(fast) == hash(slow)
        for a, b in zip(fast.steps, slow.steps, strict=True):
            assert [type(getattr(a, f.name)) for f in attrs.fields(type(a))] == [
                type(getattr(b, f.name)) for f in attrs.fields(type(b))
            ]
    assert shared  # full steps were shared


def test_the_lazy_shipped_catalogue_equals_the_eager_one() -> None:
    """Products built on first use equal the all-at-once load of the file."""
    data = Path(catalogue.__file__).parent.parent / "data" / "products.toml"
    text = data.read_text(encoding="utf-8")
    lazy = catalogue._load_text(text, "shipped", lazy=True)
    eager = catalogue._load_text(text, "shipped")
    assert isinstance(lazy.products, LazyProducts)
    for name in ("privigen", "Octagam 10 %", "GAMUNEX-C", "gammagard s/d"):
        assert lazy.get_product(name) == eager.get_product(name)
    assert list(lazy) == list(eager)
    assert lazy == eager
    assert repr(lazy) == repr(eager)
    with pytest.raises(InputError) as lazy_error:
        lazy.get_product("privigin")
    with pytest.raises(InputError) as eager_error:
        eager.get_product("privigin")
    assert str(lazy_error.value) == str(eager_error.value)


def test_the_lazy_catalogue_refuses_clashing_names() -> None:
    """Two products whose names match are refused up front, as eagerly."""
    text = 'schema = 1\n[products.a]\nname = "Same"\n[products.b]\nname = "same"\n'
    with pytest.raises(
        InputError,
        match=(
            r"^clash\.toml: products\['b'\]: 'same' clashes with 'a'; "
            r"allowed: a name distinct from other products$"
        ),
    ):
        catalogue._load_text(text, "clash.toml", lazy=True)


def test_remembered_selections_give_fresh_results() -> None:
    """Remembered selections (and refusals) equal fresh ones."""
    product = get_product("gamunex-c")
    doses = [0.4, 1.0, 37.2, 140.0, 1299.9, 2.6, 55.55, 700.0, 10.1, 35.0]
    policies: list[vials.RoundingPolicy] = [
        vials.NeverBelow(),
        vials.NearestWithin(tolerance=0.1),
        vials.NearestWithin(tolerance=0.01),
    ]
    vials._VIAL_SETS.clear()
    fresh = {
        (d, i): _outcome(d, product, p) for d in doses for i, p in enumerate(policies)
    }
    kept = vials._VIAL_SETS[id(product.vials)].selections
    assert kept  # the built-in policies' selections were kept
    for (dose, index), outcome in fresh.items():
        assert _outcome(dose, product, policies[index]) == outcome


def test_remembered_selections_follow_the_product() -> None:
    """A product with the same vials gets its own key and volumes."""
    product = get_product("gamunex-c")
    other = attrs.evolve(product, key="other", concentration="50 g/L")
    mine = vials.select_vials_g(35.0, product, "never-below")
    theirs = vials.select_vials_g(35.0, other, "never-below")
    assert mine is vials.select_vials_g(35.0, product, "never-below")
    assert (mine.product, theirs.product) == ("gamunex-c", "other")
    assert theirs.volume_ml == 2 * mine.volume_ml
    assert theirs.vials == mine.vials


def test_shared_whole_concerns_equal_new_ones() -> None:
    """The shared patient and plan concerns are the records made anew."""
    assert Concern.patient() == Concern(kind="patient")
    assert Concern.whole_plan() == Concern(kind="plan")
    assert Concern.patient() is Concern.patient()
    assert repr(Concern.whole_plan()) == repr(Concern(kind="plan"))


def test_deferred_trace_records_are_plain_records() -> None:
    """A deferred record reads, compares, hashes and pickles as the plain one."""
    texts = ("what", "1 g", "a formula", "inputs", "a source")

    def render(a: str, b: str, c: str, d: str) -> tuple[str, str, str, str, str]:
        return (a, b, c, d, texts[4])

    deferred = Deferred(render, *texts[:4])
    plain = Trace(
        what=texts[0],
        value=texts[1],
        formula=texts[2],
        inputs=texts[3],
        source=texts[4],
    )
    assert (deferred.what, deferred.value, deferred.formula) == texts[:3]
    assert (deferred.inputs, deferred.source) == texts[3:]
    assert deferred == plain
    assert plain == deferred
    assert hash(deferred) == hash(plain)
    assert repr(deferred) == repr(plain)
    assert pickle.loads(pickle.dumps(deferred)) == plain  # noqa: S301 - our own data
    assert sys.getsizeof(deferred) == sys.getsizeof(plain)  # no slots of its own
