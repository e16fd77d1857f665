"""The code of the how-to docs/how-to/formulary.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    text = '''
    schema = 1

    [products.local-ivig]
    name = "Local IVIg 10 %"
    manufacturer = "Example Biologicals"
    routes = ["iv"]
    unconfirmed = ["iga", "sodium"]

    [products.local-ivig.presentation]
    concentration = "100 g/L"
    vials = [{ grams = "10 g", volume = "100 mL" }, { grams = "20 g", volume = "200 mL" }]
    source = "pharmacy stock list"
    version = "2026-03"

    [products.local-ivig.indications.pi]
    name = "Primary immunodeficiency"
    source = "product label, section 2.3"
    version = "2025-11"
    [products.local-ivig.indications.pi.rates]
    initial = "1 mg/kg/min"
    initial_duration = "30 min"
    maximum = "8 mg/kg/min"
    '''
    import pathlib, tempfile
    path = pathlib.Path(tempfile.mkdtemp()) / "formulary.toml"
    _ = path.write_text(text, encoding="utf-8")
    from ivig_core.products import get_product, load_formulary
    ours = load_formulary(path)
    product = get_product("local ivig 10%", ours)
    print([str(vial) for vial in product.vials])
    _ = path.write_text(text.replace('grams = "10 g"', 'grams = "10 mL"'), encoding="utf-8")
    try:
        load_formulary(path)
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    sc_text = '''
    schema = 1

    [products.local-scig]
    name = "Local SCIg 20 %"
    manufacturer = "Example Biologicals"
    routes = ["sc"]
    unconfirmed = ["iga", "composition", "sodium"]

    [products.local-scig.presentation]
    concentration = "200 g/L"
    vials = [{ grams = "4 g", volume = "20 mL" }]
    source = "pharmacy stock list"
    version = "2026-03"

    [[products.local-scig.sc_limits]]
    applies_to = "patients < 40 kg"
    weight_below = "40 kg"
    volume_per_site = "20 mL"
    max_sites = 4
    source = "product label, section 2.4"
    version = "2025-11"

    [[products.local-scig.sc_limits]]
    applies_to = "patients ≥ 40 kg"
    weight_from = "40 kg"
    volume_per_site = "40 mL"
    max_sites = 4
    source = "product label, section 2.4"
    version = "2025-11"
    '''
    _ = path.write_text(sc_text, encoding="utf-8")
    light, heavy = get_product("local-scig", load_formulary(path)).sc_limits
    print((light.fits(weight_kg=35.0, age_years=12.0), heavy.fits(weight_kg=35.0, age_years=12.0)))
    print((light.is_twin_of(heavy), heavy.covers_sites(4), heavy.covers_sites(5)))
    row = '''
    [[products.local-scig.maintenance_durations]]
    indication = "cidp"
    months = 6
    words = "Maintenance has not been studied for periods longer than 6 months."
    source = "product label, section 1"
    version = "2025-11"
    '''
    _ = path.write_text(sc_text + row, encoding="utf-8")
    studied = get_product("local-scig", load_formulary(path)).maintenance_duration("cidp")
    print((studied.months, studied.indication))
    print(get_product('privigen').maintenance_duration('cidp').months)
    print(get_product('hizentra').maintenance_duration('cidp').months)
    from ivig_core.products import Catalogue, default_catalogue
    both = Catalogue(products={**default_catalogue(), **ours}, origin="shipped + local")
    print((get_product('privigen', both).name, get_product('local-ivig', both).name))
    from ivig_core.vials import NearestWithin, NeverBelow, select_vials
    sel = select_vials("63 g", product, rounding=NeverBelow())
    print(sel.reason)
    print(sel.volume_ml)
    print(select_vials('63 g', product, rounding=NearestWithin(tolerance='5 %')).dispensed_g)
    try:
        select_vials("15 g", product, rounding=NearestWithin(tolerance="5 %"))
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    from ivig_core.infusion import rate_schedule
    ramp = rate_schedule(product, "pi", increment="1 mg/kg/min", interval="30 min")
    print([step.rate_value for step in ramp.steps])
    print(ramp.notes)
    from ivig_core.infusion import plan_infusion
    from ivig_core.rates import RateSchedule, RateStep
    from ivig_core.sources import cited
    order_form = RateSchedule.ramp(
        start="30 mL/h", increment="30 mL/h", every="15 min", maximum="150 mL/h",
        source=cited("order form ramp", "us-ivig-order-form"))
    run = plan_infusion(volume=sel.volume, product=product, schedule=order_form,
                        rate_weight="70 kg", indication="pi")
    from ivig_core.io.text import run_table
    print(run_table(run))
    try:
        plan_infusion(volume="150 mL", product=product, schedule=order_form,
                      rate_weight="15 kg", indication="pi")
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    steps = [RateStep(rate="0.5 mg/kg/min", duration="30 min"),
             RateStep(rate="1 mg/kg/min", duration="30 min"),
             RateStep(rate="2 mg/kg/min")]
    gentle = RateSchedule(steps=steps, maximum="2 mg/kg/min",
                          source="ward 7 first-infusion protocol, 2026")
    run = plan_infusion(volume="200 mL", product=product, schedule=gentle,
                        rate_weight="70 kg", at_risk_cap="1.5 mg/kg/min")
    print([(step.rate_ml_h, step.capped) for step in run.steps])
