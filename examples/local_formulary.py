"""Use a local formulary file: your stock, your label versions, your rates.

The shipped catalogue holds only what the project's clinical reference
confirms. A hospital's formulary file (the same TOML format, every value
group with a ``source`` and a ``version``) adds what the pharmacy stocks.
This script writes a small formulary to a temporary directory, loads it,
combines it with the shipped catalogue, then chooses vials and runs the
label ramp for one dose. The product and its values are an example, not a
real product.

See docs/how-to/formulary.rst for the file format.

Run: python examples/local_formulary.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ivig_core.infusion import plan_infusion, rate_schedule
from ivig_core.io.text import run_table
from ivig_core.products import (
    Catalogue,
    default_catalogue,
    get_product,
    load_formulary,
)
from ivig_core.vials import NeverBelow, select_vials


FORMULARY = """\
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
"""


def load(directory: Path) -> Catalogue:
    """Write the formulary into *directory*, load it, add the shipped products."""
    path = directory / "formulary.toml"
    path.write_text(FORMULARY, encoding="utf-8")
    local = load_formulary(path)
    return Catalogue(
        products={**default_catalogue(), **local}, origin="shipped + local"
    )


def main() -> None:
    """Load the formulary and plan one 63 g infusion of the local product."""
    with tempfile.TemporaryDirectory() as tmp:
        catalogue = load(Path(tmp))
    product = get_product("local ivig 10%", catalogue)
    print(f"{len(catalogue)} products ({catalogue.origin}); using {product.name}")
    print(f"vials: {', '.join(str(vial) for vial in product.vials)}")

    selection = select_vials("63 g", product, rounding=NeverBelow())
    print(selection.reason)

    ramp = rate_schedule(product, "pi", increment="1 mg/kg/min", interval="30 min")
    run = plan_infusion(
        volume=selection.volume, product=product, schedule=ramp, rate_weight="70 kg"
    )
    print(run_table(run))
    for note in run.notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
