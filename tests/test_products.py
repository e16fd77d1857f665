"""Products and the catalogue: values match the reference, loading validates."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from ivig_core import InputError, UnitError
from ivig_core.products import (
    AgeGroup,
    Bound,
    Catalogue,
    Infusions,
    Product,
    Route,
    ScSiteLimit,
    ScStart,
    Source,
    Substance,
    Vial,
    default_catalogue,
    formulary_from_text,
    get_product,
    load_formulary,
)
from ivig_core.units import Q_


DATA = Path(__file__).parent.parent / "src" / "ivig_core" / "data" / "products.toml"

# --------------------------------------------------------------------------
# The reference table (clinical.md §2.1, §2.2, §4.1, §5), transcribed by hand.
# None: the reference marks the value UNCONFIRMED (or gives none).

#: key -> (concentration g/L, vials as (g, mL, volume stated on the label?)).
#: Where the label gives only grams, the mL are worked by hand from the
#: concentration: 1 g of a 100 g/L product is 10 mL, of a 50 g/L one 20 mL.
PRESENTATION: dict[str, tuple[float, list[tuple[float, float, bool]]]] = {
    # EU SmPC section 2: "Cada vial de 50 ml de solución contiene: 5 g ..." (and
    # 100 ml 10 g, 200 ml 20 g, 400 ml 40 g); openFDA 44206-439-40 "40 g/400mL"
    "privigen": (
        100.0,
        [(5, 50, True), (10, 100, True), (20, 200, True), (40, 400, True)],
    ),
    "octagam-10": (
        100.0,
        [
            (2, 20, True),
            (5, 50, True),
            (10, 100, True),
            (20, 200, True),
            (30, 300, True),
        ],
    ),
    "octagam-5": (
        50.0,
        # openFDA 68982-840-01 "20 mL" at 50 mg/mL: 1 g; SmPC: 2.5, 5, 10, 25 g
        [
            (1, 20, True),
            (2.5, 50, True),
            (5, 100, True),
            (10, 200, True),
            (25, 500, True),
        ],
    ),
    "gamunex-c": (
        100.0,
        [
            (1, 10, True),
            (2.5, 25, True),
            (5, 50, True),
            (10, 100, True),
            (20, 200, True),
            (40, 400, True),
        ],
    ),
    "gammagard-liquid": (
        100.0,
        [
            (1, 10, False),
            (2.5, 25, False),
            (5, 50, False),
            (10, 100, False),
            (20, 200, False),
            (30, 300, False),
        ],
    ),
    # drugs.com: "Gammagard Liquid ERC; 50 mL, 100 mL", 10 %
    "gammagard-liquid-erc": (100.0, [(5, 50, True), (10, 100, True)]),
    "gammagard-sd": (50.0, [(2.5, 50, False), (5, 100, False), (10, 200, False)]),
    "panzyga": (
        100.0,
        [
            (1, 10, False),
            (2.5, 25, False),
            (5, 50, False),
            (10, 100, False),
            (20, 200, False),
            (30, 300, False),
        ],
    ),
    "bivigam": (100.0, [(5, 50, True), (10, 100, True)]),
    "asceniv": (100.0, [(5, 50, True)]),
    # US PI: "2.5 g in 50 mL, 5 g in 100 mL, 10 g in 200 mL, 20 g in 400 mL"
    "gammaplex-5": (
        50.0,
        [(2.5, 50, True), (5, 100, True), (10, 200, True), (20, 400, True)],
    ),
    "hizentra": (200.0, [(1, 5, True), (2, 10, True), (4, 20, True), (10, 50, True)]),
    "hyqvia": (
        100.0,
        [
            (2.5, 25, False),
            (5, 50, False),
            (10, 100, False),
            (20, 200, False),
            (30, 300, False),
        ],
    ),
    # MPR "Single-use vials (5mL, 10mL, 20mL, 40mL)" at 200 mg/mL (secondary)
    "cuvitru": (200.0, [(1, 5, True), (2, 10, True), (4, 20, True), (8, 40, True)]),
    # UK SmPC "1 g/5 mL, 2 g/10 mL, 4 g/20 mL, 10 g/50 mL"
    "xembify": (200.0, [(1, 5, True), (2, 10, True), (4, 20, True), (10, 50, True)]),
}

#: key -> (IgA µg/mL, bound) or None
IGA: dict[str, tuple[float, Bound] | None] = {
    "privigen": (25.0, Bound.AT_MOST),
    "octagam-10": (106.0, Bound.AVERAGE),
    "octagam-5": (200.0, Bound.AT_MOST),
    "gamunex-c": (
        46.0,
        Bound.AVERAGE,
    ),  # "trace amounts of IgA (average 46 micrograms/mL)"
    "gammagard-liquid": (37.0, Bound.AVERAGE),
    "gammagard-liquid-erc": (2.0, Bound.AT_MOST),  # "low IgA content (≤2 µg/mL)"
    "gammagard-sd": (1.0, Bound.BELOW),
    "panzyga": (300.0, Bound.AT_MOST),  # "immunoglobulin A not more than 0.3 mg/ml"
    "bivigam": None,
    "asceniv": (
        200.0,
        Bound.AT_MOST,
    ),  # "trace amounts of IgA (≤ 200 micrograms per milliliter)"
    "gammaplex-5": (10.0, Bound.AT_MOST),  # UK SmPC: maximum IgA 10 µg/mL
    "hizentra": (
        50.0,
        Bound.AT_MOST,
    ),  # "maximale ... IgA Gehalt beträgt 50 Mikrogramm/ml"
    "hyqvia": None,
    "cuvitru": None,
    "xembify": (160.0, Bound.AT_MOST),  # "The maximum IgA content is 160 micrograms/mL"
}

#: key -> (cap value, unit, inclusive) or None
AT_RISK: dict[str, tuple[float, str, bool] | None] = {
    "octagam-10": (3.3, "mg/kg/min", True),
    "octagam-5": (3.3, "mg/kg/min", False),
    "panzyga": (3.3, "mg/kg/min", True),
    "bivigam": (2.0, "mg/kg/min", False),
}

#: key -> IVIg -> SCIg factor (§5)
SCIG: dict[str, float] = {
    "hizentra": 1.37,
    "gamunex-c": 1.37,
    "gammagard-liquid": 1.37,
    "xembify": 1.37,
    "cuvitru": 1.30,
    "hyqvia": 1.0,
}

#: (key, indication) -> (initial, maximum, unit of both)
RATES: dict[tuple[str, str], tuple[float, float, str]] = {
    ("privigen", "pi"): (0.5, 8, "mg/kg/min"),
    ("privigen", "cidp"): (0.5, 8, "mg/kg/min"),
    ("privigen", "itp"): (0.5, 4, "mg/kg/min"),
    ("octagam-10", "itp"): (1, 12, "mg/kg/min"),
    ("octagam-10", "dermatomyositis"): (1, 4, "mg/kg/min"),
    ("octagam-5", "pi"): (0.5, 3.33, "mg/kg/min"),
    ("gamunex-c", "pi"): (1, 8, "mg/kg/min"),
    ("gamunex-c", "itp"): (1, 8, "mg/kg/min"),
    ("gamunex-c", "cidp"): (2, 8, "mg/kg/min"),
    ("gammagard-liquid", "pi"): (0.5, 5, "mL/kg/h"),
    ("gammagard-liquid", "mmn"): (0.5, 5.4, "mL/kg/h"),
    ("gammagard-liquid", "cidp"): (0.5, 5.4, "mL/kg/h"),
    ("panzyga", "pi"): (1, 14, "mg/kg/min"),
    ("panzyga", "itp"): (1, 8, "mg/kg/min"),
    ("panzyga", "cidp"): (1, 12, "mg/kg/min"),
    ("bivigam", "pi"): (0.5, 6, "mg/kg/min"),
    ("asceniv", "pi"): (0.5, 8, "mg/kg/min"),
    ("gammaplex-5", "pi"): (0.01, 0.08, "mL/kg/min"),
    ("gammaplex-5", "itp"): (0.01, 0.08, "mL/kg/min"),
}

#: key -> (substance, amount, unit) for every excipient amount the reference gives
EXCIPIENTS: dict[str, list[tuple[Substance, float | None, str]]] = {
    "privigen": [(Substance.PROLINE, 250, "mmol/L")],
    "octagam-10": [(Substance.MALTOSE, 90, "mg/mL")],
    "octagam-5": [(Substance.MALTOSE, 100, "mg/mL")],
    "gamunex-c": [(Substance.GLYCINE, None, "")],
    "gammagard-liquid": [(Substance.GLYCINE, 250, "mmol/L")],
    "gammagard-sd": [
        (Substance.GLYCINE, 22.5, "mg/mL"),
        (Substance.GLUCOSE, 20, "mg/mL"),
        (Substance.ALBUMIN, 3, "mg/mL"),
    ],
    "panzyga": [],
    "bivigam": [(Substance.POLYSORBATE_80, None, "")],
    "asceniv": [],
    # CH SmPC: "L-Prolin, Polysorbat 80, ..."
    "hizentra": [(Substance.PROLINE, None, ""), (Substance.POLYSORBATE_80, None, "")],
    "hyqvia": [(Substance.GLYCINE, None, ""), (Substance.ALBUMIN, None, "")],
}

REQUIRED = [
    "Privigen",
    "Octagam 10 %",
    "Octagam 5 %",
    "Gamunex-C",
    "Gammagard Liquid",
    "Gammagard S/D",
    "Panzyga",
    "Bivigam",
    "Asceniv",
    "Gammaplex 5 %",
    "Hizentra",
    "HyQvia",
    "Cuvitru",
    "Xembify",
]


@pytest.mark.parametrize("name", REQUIRED)
def test_catalogue_covers_required_products(name: str) -> None:
    """Every product the issue names is in the shipped catalogue."""
    assert name == get_product(name).name


@pytest.mark.parametrize(("key", "expected"), PRESENTATION.items())
def test_presentation_matches_reference(
    key: str, expected: tuple[float, list[tuple[float, float, bool]]]
) -> None:
    """Concentration and vial sizes match the reference table (mL by hand)."""
    product = get_product(key)
    conc, vials = expected
    assert conc == product.concentration_g_per_l
    assert [g for g, _, _ in vials] == [v.grams_g for v in product.vials]
    for (_, ml, stated), vial in zip(vials, product.vials, strict=True):
        assert vial.volume_stated is stated
        assert vial.volume_ml == pytest.approx(ml, rel=1e-12)
    assert ("vials" in product.unconfirmed) == (not vials)


@pytest.mark.parametrize(("key", "expected"), IGA.items())
def test_iga_matches_reference(key: str, expected: tuple[float, Bound] | None) -> None:
    """IgA content matches the reference; UNCONFIRMED values are absent."""
    iga = get_product(key).iga
    if expected is None:
        assert iga is None
    else:
        assert iga is not None
        assert expected == (iga.amount_ug_ml, iga.bound)


def test_iga_depleted_is_derived_from_content() -> None:
    """IgA-depleted is derived: a stated upper bound of at most 2 µg/mL.

    IgA-depleted: an upper bound at most 2 µg/mL (Gammagard S/D < 1 µg/mL, Gammagard
    Liquid ERC "low IgA content (≤2 µg/mL)"); Gammaplex 5 % (≤ 10) counts only at a
    site threshold of 10 µg/mL or more.
    """
    depleted = [key for key, p in default_catalogue().items() if p.iga_depleted]
    assert depleted == ["gammagard-liquid-erc", "gammagard-sd"]
    gammaplex = get_product("gammaplex-5")
    assert not gammaplex.is_iga_depleted(9.99)
    assert gammaplex.is_iga_depleted(10.0)
    # An average is no bound: Gammagard Liquid (average 37) is never depleted.
    assert not get_product("gammagard-liquid").is_iga_depleted(1000.0)


@pytest.mark.parametrize("key", PRESENTATION)
def test_at_risk_cap_matches_reference(key: str) -> None:
    """Numeric at-risk caps are those of reference §4.1, and no others."""
    cap = get_product(key).at_risk_cap
    expected = AT_RISK.get(key)
    if expected is None:
        assert cap is None
    else:
        assert cap is not None
        value, unit, inclusive = expected
        assert value == pytest.approx(cap.rate.m_as(unit))
        assert inclusive is cap.inclusive


@pytest.mark.parametrize("key", PRESENTATION)
def test_scig_factor_matches_reference(key: str) -> None:
    """SCIg conversion factors are those of reference §5, and no others."""
    conversion = get_product(key).scig_conversion
    if key in SCIG:
        assert conversion is not None
        assert SCIG[key] == conversion.factor
    else:
        assert conversion is None


@pytest.mark.parametrize(("pair", "expected"), RATES.items())
def test_rates_match_reference(
    pair: tuple[str, str], expected: tuple[float, float, str]
) -> None:
    """Initial and maximum rates per indication match the reference."""
    key, indication = pair
    ramp = get_product(key).indication(indication).ramp
    assert ramp is not None
    initial, maximum, unit = expected
    assert initial == pytest.approx(ramp.initial.m_as(unit))
    assert maximum == pytest.approx(ramp.maximum.m_as(unit))


def test_every_labelled_ramp_is_in_the_table() -> None:
    """The rate table test covers every ramp in the catalogue."""
    ramps = {
        (key, ind.key)
        for key, product in default_catalogue().items()
        for ind in product.indications.values()
        if ind.ramp is not None
    }
    assert set(RATES) == ramps


@pytest.mark.parametrize(("key", "expected"), EXCIPIENTS.items())
def test_excipients_match_reference(
    key: str, expected: list[tuple[Substance, float | None, str]]
) -> None:
    """Stabilisers and sugars (with amounts where given) match the reference."""
    composition = get_product(key).composition
    assert composition is not None
    got = [
        (e.substance, None if e.amount is None else e.amount.m_as(unit))
        for e, (_, _, unit) in zip(composition.excipients, expected, strict=True)
    ]
    assert [(s, a) for s, a, _ in expected] == got


def test_maltose_products_report_sugars() -> None:
    """Octagam 5 % and 10 % list maltose among their sugars."""
    for key in ("octagam-5", "octagam-10"):
        composition = get_product(key).composition
        assert composition is not None
        assert composition.sugars == (Substance.MALTOSE,)


def test_sodium_matches_reference() -> None:
    """Octagam sodium is below 30 mmol/L; Privigen's at most 1 mmol/L.

    Octagam sodium is below 30 mmol/L; Privigen AU PI "low sodium content of ≤1
    mmol/L".
    """
    sodium = get_product("octagam-10").sodium
    assert sodium is not None
    assert sodium.amount is not None
    assert sodium.amount.m_as("mmol/L") == 30.0
    assert Bound.BELOW is sodium.bound
    privigen = get_product("privigen").sodium
    assert privigen is not None
    assert privigen.amount is not None
    assert privigen.amount.m_as("mmol/L") == 1.0
    assert privigen.bound is Bound.AT_MOST


def test_sc_site_limits_match_reference() -> None:
    """Gammagard SC and Xembify site limits match reference §5 and §2.2."""
    gg = {lim.applies_to: lim for lim in get_product("gammagard-liquid").sc_limits}
    heavy = gg["SC, patients ≥ 40 kg"]
    assert heavy.volume_per_site is not None
    assert heavy.total_rate is not None
    assert heavy.rate_per_site is not None
    assert (
        heavy.volume_per_site.m_as("mL"),
        heavy.total_rate.m_as("mL/h"),
        heavy.rate_per_site.m_as("mL/h"),
        heavy.max_sites,
    ) == (30.0, 240.0, 30.0, 8)
    xem = {lim.applies_to: lim for lim in get_product("xembify").sc_limits}
    adult = xem["adults and children ≥ 10 years"]
    assert adult.rate_per_site is not None
    assert adult.rate_per_site.m_as("mL/h") == 35.0


def test_every_value_group_has_a_source() -> None:
    """Every group of every product carries a reference and a version."""
    for product in default_catalogue().values():
        groups: list[object] = [
            product.iga,
            product.composition,
            product.sodium,
            product.at_risk_cap,
            product.scig_conversion,
            *product.sc_limits,
            *product.indications.values(),
        ]
        sources = [product.presentation_source] + [
            g.source for g in groups if g is not None and hasattr(g, "source")
        ]
        for source in sources:
            assert isinstance(source, Source)
            assert source.reference
            assert source.version


def test_data_file_cites_every_number() -> None:
    """Each number of the data file sits in a table that cites its sources.

    A table with a number, or a table it belongs to (``[a.b]`` for
    ``[a.b.rates]``), cites bibliography IDs (``sources = [...]``) or a
    source text (``source = ...``); a number in a table without one carries
    a comment saying where it comes from.
    """
    text = DATA.read_text(encoding="utf-8")
    citing: set[str] = set()
    for table in re.split(r"(?m)^(?=\[)", text):
        name = table.split("]", 1)[0].strip("[ ") if table.startswith("[") else ""
        if re.search(r"(?m)^sources? *=", table):
            citing.add(name)
        parts = name.split(".")
        cites = any(".".join(parts[:i]) in citing for i in range(1, len(parts) + 1))
        for line in table.splitlines():
            code = line.split("#", 1)[0]
            if not re.search(r'= *"?\d', code) or "schema" in code:
                continue
            if code.strip().startswith(("source", "version", "notes", "note")):
                continue
            if line.strip().startswith("{"):  # a vial/step row inside a list
                continue
            assert cites or "#" in line, line


def test_routes() -> None:
    """Routes distinguish IV, SC and facilitated SC."""
    assert get_product("gamunex-c").routes == (Route.IV, Route.SC)
    assert get_product("hyqvia").routes == (Route.FACILITATED_SC,)


@pytest.mark.parametrize(
    "name", ["privigen", "PRIVIGEN", "Octagam 10%", "octagam-10", "Gammagard S/D"]
)
def test_get_product_is_forgiving_about_case_and_spacing(name: str) -> None:
    """Names match ignoring case, spaces and punctuation."""
    assert get_product(name).key in {"privigen", "octagam-10", "gammagard-sd"}


def test_unknown_product_lists_close_matches() -> None:
    """An unknown name is an InputError naming close matches."""
    with pytest.raises(
        InputError,
        match=(
            r"^product: no product 'privigin' in "
            r"ivig_core/data/products\.toml; did you mean Privigen, "
            r"Bivigam\?; allowed: one of \['asceniv', 'bivigam', "
            r"'cuvitru', 'gammagard-liquid', 'gammagard-liquid-erc', "
            r"'gammagard-sd', 'gammaplex-5', 'gamunex-c', 'hizentra', "
            r"'hyqvia', 'octagam-10', 'octagam-5', 'panzyga', 'privigen', "
            r"'xembify'\] \(or their brand names\)$"
        ),
    ):
        get_product("privigin")


def test_unknown_indication() -> None:
    """An indication the product is not labelled for is refused."""
    with pytest.raises(
        InputError,
        match=(
            r"^indication: 'dermatomyositis' is not a labelled indication "
            r"of Privigen in the catalogue; allowed: one of \['cidp', "
            r"'itp', 'pi'\] for Privigen$"
        ),
    ):
        get_product("privigen").indication("dermatomyositis")


def test_default_catalogue_is_cached_and_immutable() -> None:
    """The shipped catalogue loads once and cannot be changed."""
    cat = default_catalogue()
    assert cat is default_catalogue()
    with pytest.raises(TypeError):
        cat.products["x"] = cat["privigen"]  # type: ignore[index]


# --------------------------------------------------------------------------
# Bad input


def test_vial_size_must_be_positive() -> None:
    """A zero or negative vial size names the field."""
    with pytest.raises(
        InputError, match=r"^grams: -5 is not > 0; allowed: a value > 0 g$"
    ):
        Vial(grams="-5 g", volume="50 mL")
    with pytest.raises(
        InputError, match=r"^grams: 0 is not > 0; allowed: a value > 0 g$"
    ):
        Vial(grams="0 g", volume="50 mL")


def test_vial_size_needs_a_unit() -> None:
    """A bare number for a vial size is a UnitError."""
    with pytest.raises(
        UnitError,
        match=(
            r"^grams: got 5 \(a bare number; units are never assumed\); "
            r"allowed: a mass as a pint Quantity or a string such as '35 "
            r"g' or '35000 mg'$"
        ),
    ):
        Vial(grams=5, volume="50 mL")


def _product(**changes: object) -> Product:
    fields: dict[str, object] = {
        "key": "local-ivig",
        "name": "Local IVIg",
        "manufacturer": "Somebody",
        "routes": ["iv"],
        "concentration": Q_(100.0, "g/L"),
        "vials": [Vial(grams="10 g", volume="100 mL")],
        "presentation_source": Source(reference="local", version="2026"),
    }
    fields.update(changes)
    return Product(**fields)


def test_empty_vial_list_must_be_marked_unconfirmed() -> None:
    """No vials is refused unless the product marks them UNCONFIRMED."""
    with pytest.raises(
        InputError,
        match=(
            r"^vials: no vial sizes given; allowed: at least one vial, or "
            r"'vials' listed in unconfirmed$"
        ),
    ):
        _product(vials=[])
    assert _product(vials=[], unconfirmed=["vials"]).vials == ()


def test_duplicate_vial_sizes_refused() -> None:
    """Two vials of one size are refused."""
    with pytest.raises(
        InputError, match=r"^vials: got \[10\.0, 10\.0\]; allowed: distinct vial sizes$"
    ):
        _product(vials=[Vial(grams="10 g", volume="100 mL")] * 2)


def test_concentration_unit_checked() -> None:
    """A concentration in the wrong dimension is a UnitError."""
    with pytest.raises(
        UnitError,
        match=(
            r"^concentration: 10\.0 g is not a mass concentration \(its "
            r"dimension is \[mass\]\); allowed: a mass concentration, "
            r"e\.g\. '100 g/L' or '0\.1 g/mL'$"
        ),
    ):
        _product(concentration="10 g")


def test_iga_depleted_is_not_a_field() -> None:
    """IgA-depleted is derived from the IgA content, never set by hand."""
    with pytest.raises(TypeError, match="iga_depleted"):
        _product(iga_depleted=True)
    assert not _product().iga_depleted  # no stated IgA content


def test_catalogue_refuses_clashing_names() -> None:
    """Two products with the same normalised name are refused."""
    a = _product()
    b = _product(key="local-ivig-2")
    with pytest.raises(
        InputError,
        match=r"^products\['local-ivig-2'\]: .*; allowed: a name distinct from other",
    ):
        Catalogue(products={a.key: a, b.key: b})


# --------------------------------------------------------------------------
# Local formulary files

GOOD = """
schema = 1

[products.local-ivig]
name = "Local IVIg 10 %"
manufacturer = "Hospital pharmacy"
routes = ["iv"]

[products.local-ivig.presentation]
concentration = "100 g/L"
vials = [{ grams = "5 g", volume = "50 mL" }, { grams = "20 g", volume = "200 mL" }]
source = "local formulary"
version = "2026-01"

[products.local-ivig.indications.pi]
name = "Primary immunodeficiency"
source = "local protocol"
version = "2026-01"
[products.local-ivig.indications.pi.rates]
initial = "1 mg/kg/min"
maximum = "8 mg/kg/min"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "formulary.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_formulary(tmp_path: Path) -> None:
    """A valid local file loads into a catalogue usable with get_product."""
    cat = load_formulary(_write(tmp_path, GOOD))
    product = get_product("local ivig 10%", cat)
    assert [v.grams_g for v in product.vials] == [5.0, 20.0]
    assert str(tmp_path / "formulary.toml") == cat.origin


def test_formulary_from_text_is_the_file_loaded(tmp_path: Path) -> None:
    """The text gives the catalogue the file gives, named as the caller says."""
    from_text = formulary_from_text(GOOD, file="site formulary")
    from_file = load_formulary(_write(tmp_path, GOOD))
    assert from_text.origin == "site formulary"
    assert get_product("local-ivig", from_text) == get_product("local-ivig", from_file)
    with pytest.raises(
        InputError,
        match=r"^site formulary: products\.local-ivig\.manufacturer: missing",
    ):
        formulary_from_text(
            GOOD.replace('manufacturer = "Hospital pharmacy"\n', ""),
            file="site formulary",
        )


@pytest.mark.parametrize(
    ("text", "file", "field"),
    [(b"schema = 1", "f.toml", "text"), (GOOD, "", "file"), (GOOD, None, "file")],
)
def test_formulary_from_text_refuses_what_is_not_text(
    text: object, file: object, field: str
) -> None:
    """Bytes, or no name for the formulary, are refused naming the argument."""
    with pytest.raises(InputError) as caught:
        formulary_from_text(text, file=file)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_formulary_missing_field(tmp_path: Path) -> None:
    """A missing field names the file, the product and the field."""
    path = _write(tmp_path, GOOD.replace('manufacturer = "Hospital pharmacy"\n', ""))
    with pytest.raises(
        InputError,
        match=r"formulary\.toml: products\.local-ivig\.manufacturer: missing",
    ):
        load_formulary(path)


def test_formulary_wrong_unit(tmp_path: Path) -> None:
    """A value in the wrong unit names the file, product, group and field."""
    path = _write(tmp_path, GOOD.replace('grams = "5 g"', 'grams = "5 mL"'))
    with pytest.raises(
        UnitError,
        match=r"formulary\.toml: products\.local-ivig\.presentation\.vials\[0\]\.grams",
    ):
        load_formulary(path)


def test_formulary_bad_rate_unit(tmp_path: Path) -> None:
    """A rate written as a percentage is refused, naming the rates field."""
    path = _write(tmp_path, GOOD.replace('"8 mg/kg/min"', '"8 %/min"'))
    with pytest.raises(
        UnitError, match=r"products\.local-ivig\.indications\.pi\.rates\.rate"
    ):
        load_formulary(path)


def test_formulary_bad_toml(tmp_path: Path) -> None:
    """Invalid TOML names the file."""
    path = _write(tmp_path, GOOD + "\n[[[broken\n")
    with pytest.raises(InputError, match=r"formulary\.toml: invalid TOML"):
        load_formulary(path)


def test_formulary_unknown_field(tmp_path: Path) -> None:
    """A misspelt field is refused, not ignored."""
    path = _write(
        tmp_path, GOOD.replace('routes = ["iv"]', 'routes = ["iv"]\ncolour = "red"')
    )
    with pytest.raises(
        InputError, match=r"products\.local-ivig\.colour: unknown field"
    ):
        load_formulary(path)


def test_formulary_negative_vial(tmp_path: Path) -> None:
    """A negative vial size is refused with its path."""
    path = _write(tmp_path, GOOD.replace('grams = "20 g"', 'grams = "-20 g"'))
    with pytest.raises(InputError, match=r"presentation\.vials\[1\]\.grams: "):
        load_formulary(path)


def test_formulary_missing_file(tmp_path: Path) -> None:
    """A missing file is an InputError naming it."""
    with pytest.raises(InputError, match=r"nope\.toml"):
        load_formulary(tmp_path / "nope.toml")


def test_formulary_loads_nothing_half_way(tmp_path: Path) -> None:
    """One bad product in a file means no catalogue at all."""
    second = GOOD.split("[products.local-ivig]")[1].replace("local-ivig", "other")
    second = second.replace('"Local IVIg 10 %"', '"Other"').replace(
        'concentration = "100 g/L"', 'concentration = "100 g"'
    )
    path = _write(tmp_path, GOOD + "\n[products.other]" + second)
    with pytest.raises(
        UnitError, match=r"products\.other\.presentation\.concentration"
    ):
        load_formulary(path)


def test_shipped_file_loads_through_load_formulary() -> None:
    """The shipped data file passes the same validation as a user's file."""
    assert list(default_catalogue()) == list(load_formulary(DATA))


def test_checks_hold_with_attrs_validators_disabled() -> None:
    """Converters and post-init checks still refuse bad values."""
    attrs.validators.set_disabled(True)
    try:
        with pytest.raises(
            InputError, match=r"^grams: -5 is not > 0; allowed: a value > 0 g$"
        ):
            Vial(grams="-5 g", volume="50 mL")
        with pytest.raises(
            InputError, match=r"^name: got '  '; allowed: a non-empty string$"
        ):
            _product(name="  ")
        with pytest.raises(
            InputError, match=r"^reference: got ''; allowed: a non-empty string$"
        ):
            Source(reference="", version="1")
    finally:
        attrs.validators.set_disabled(False)


def test_gammagard_sd_sodium_chloride_is_not_sodium() -> None:
    """The NaCl figure (8.5 mg/mL) is a note, never a sodium amount."""
    sodium = get_product("gammagard-sd").sodium
    assert sodium is not None
    assert sodium.amount is None
    assert "8.5 mg/mL" in sodium.note


# --------------------------------------------------------------------------
# SC situations as structured data


def _rows(key: str) -> dict[str, ScSiteLimit]:
    return {r.applies_to: r for r in get_product(key).sc_limits}


def test_weight_bands_are_from_inclusive_below_exclusive() -> None:
    """A weight band includes its lower end and excludes its upper end."""
    gg = _rows("gammagard-liquid")
    heavy, light = gg["SC, patients ≥ 40 kg"], gg["SC, patients < 40 kg"]
    assert heavy.weight_from_kg == 40.0
    assert light.weight_below_kg == 40.0
    assert heavy.fits(weight_kg=40.0, age_years=30.0)
    assert not light.fits(weight_kg=40.0, age_years=30.0)
    assert light.fits(weight_kg=39.9, age_years=30.0)


def test_age_bands_and_groups() -> None:
    """Numeric age bands are read; "adults"/"children" only with an adult age."""
    xem = _rows("xembify")
    child = xem["children 2 to < 10 years"]
    assert child.fits(weight_kg=20.0, age_years=5.0)
    assert not child.fits(weight_kg=20.0, age_years=1.0)
    assert not child.fits(weight_kg=40.0, age_years=10.0)
    gam = _rows("gamunex-c")
    adults, children = gam["SC, adults"], gam["SC, children"]
    assert adults.age_group is AgeGroup.ADULTS
    # No age in the catalogue: not assessed unless the caller gives one.
    assert adults.fits(weight_kg=30.0, age_years=12.0)
    assert not adults.fits(weight_kg=30.0, age_years=12.0, adult_from_years=18.0)
    assert children.fits(weight_kg=30.0, age_years=12.0, adult_from_years=18.0)


def test_infusions_and_indications_are_fields() -> None:
    """First/later infusions and the indication are data, not words."""
    hz = _rows("hizentra")
    first = hz["PI, first infusion"]
    assert first.infusions is Infusions.FIRST
    assert first.is_first
    assert first.indications == ("pi",)
    assert hz["CIDP, later infusions"].infusions is Infusions.LATER
    cuv = _rows("cuvitru")
    assert cuv["first 2 infusions, patients < 40 kg"].infusion_count == 2
    assert cuv["later infusions"].infusion_count is None


def test_site_ranges() -> None:
    """A per-site row covers its site counts."""
    hyq = _rows("hyqvia")
    low, high = hyq["per site, 1 or 2 sites"], hyq["per site, 3 sites"]
    assert [low.covers_sites(n) for n in (1, 2, 3)] == [True, True, False]
    assert [high.covers_sites(n) for n in (2, 3, 4)] == [False, True, False]
    cuv = _rows("cuvitru")["later infusions"]
    assert cuv.covers_sites(4)
    assert not cuv.covers_sites(5)


def test_twins_differ_only_in_band() -> None:
    """Rows that say the same for another band are twins; others are not."""
    gam = _rows("gamunex-c")
    below, above = gam["SC, patients < 25 kg"], gam["SC, patients ≥ 25 kg"]
    assert below.is_twin_of(above)
    assert not below.is_twin_of(gam["SC, any patient"])
    cuv = _rows("cuvitru")
    assert cuv["first 2 infusions, patients < 40 kg"].is_twin_of(
        cuv["first 2 infusions, patients ≥ 40 kg"]
    )


def test_structured_fields_are_checked() -> None:
    """Bands in order, sites in order, a count only for first infusions."""
    src = Source(reference="r", version="v")
    with pytest.raises(
        InputError, match=r"^weight_below: .*; allowed: above the band's lower end 40"
    ):
        ScSiteLimit(
            applies_to="x", source=src, weight_from="40 kg", weight_below="30 kg"
        )
    with pytest.raises(
        InputError, match=r"^sites_to: .*; allowed: at least sites_from \(3\)"
    ):
        ScSiteLimit(applies_to="x", source=src, sites_from=3, sites_to=2)
    with pytest.raises(
        InputError, match=r"^infusion_count: .*; allowed: absent unless infusions ="
    ):
        ScSiteLimit(applies_to="x", source=src, infusion_count=2)
    with pytest.raises(UnitError):
        ScSiteLimit(applies_to="x", source=src, weight_from=40)
    with pytest.raises(
        InputError, match=r"^infusions: .*; allowed: one of \['first', 'later',"
    ):
        ScSiteLimit(applies_to="x", source=src, infusions="sometimes")


def test_sc_start_rules_are_catalogue_data() -> None:
    """The first SC dose after the last IVIg comes from the product's data."""
    hz = get_product("hizentra").scig_conversion
    assert hz is not None
    weekly, every2 = hz.start_for("weekly"), hz.start_for("every-2-weeks")
    assert weekly is not None
    assert every2 is not None
    assert (weekly.earliest_days, weekly.latest_days) == (7, 7)
    assert (every2.earliest_days, every2.latest_days) == (7, 14)
    assert hz.spreads == ("every-2-weeks", "n-per-week")
    assert "hizentra-cidp-0.2" in hz.regimens
    cuv = get_product("cuvitru").scig_conversion
    assert cuv is not None
    assert cuv.spreads == ()
    start = cuv.start_for("every-2-weeks")
    assert start is not None
    assert start.frequency is None
    hyq = get_product("hyqvia").scig_conversion
    assert hyq is not None
    assert hyq.start_for("same-as-ivig") is None
    src = Source(reference="r", version="v")
    with pytest.raises(
        InputError, match=r"^latest: .*; allowed: at least earliest \(14 days\)"
    ):
        ScStart(earliest="2 week", latest="1 week", source=src)
    with pytest.raises(
        InputError, match=r"^frequency: .*; allowed: one of \['weekly',"
    ):
        ScStart(earliest="1 week", latest="1 week", source=src, frequency="daily")
