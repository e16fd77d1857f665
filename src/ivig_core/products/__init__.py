"""Immunoglobulin products: a sourced, validated catalogue.

A :class:`Product` holds what planning and checking need: route,
concentration, vials, IgA content, stabiliser and sugars, sodium, the
labelled indications with their rates, the at-risk rate cap, the SCIg
conversion factor and subcutaneous site limits. Every value group carries a
:class:`Source` (label or site, and the version or date read).

A value no source read confirms (UNCONFIRMED) is absent (``None`` or
empty), never guessed, and the product lists the group in
:attr:`Product.unconfirmed`.

The shipped catalogue is ``ivig_core/data/products.toml``
(:func:`default_catalogue`); a local formulary file in the same format is
read with :func:`load_formulary`, with the same validation. A malformed file
raises :class:`~ivig_core.InputError` naming the file, the product and the
field, and nothing is loaded.

Example:
    >>> p = get_product("privigen")
    >>> p.name, p.concentration_g_per_l, [v.grams_g for v in p.vials]
    ('Privigen', 100.0, [5.0, 10.0, 20.0, 40.0])
    >>> get_product("gammagard s/d").iga_depleted
    True
"""

from __future__ import annotations

from ivig_core.products.catalogue import (
    catalogue_version,
    default_catalogue,
    formulary_from_text,
    get_product,
    load_formulary,
    version_key,
)
from ivig_core.products.model import (
    IGA_DEPLETED_AT_MOST_UG_ML as IGA_DEPLETED_AT_MOST_UG_ML,
)
from ivig_core.products.model import SPREADS as SPREADS
from ivig_core.products.model import UNCONFIRMABLE as UNCONFIRMABLE
from ivig_core.products.model import (
    AgeGroup,
    AtRiskCap,
    Bound,
    Catalogue,
    Composition,
    Excipient,
    IgaContent,
    Indication,
    Infusions,
    LabelRamp,
    MaintenanceDuration,
    Product,
    Route,
    ScigConversion,
    ScSiteLimit,
    ScStart,
    SodiumContent,
    Source,
    Substance,
    Vial,
)


__all__ = [
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
    "catalogue_version",
    "default_catalogue",
    "formulary_from_text",
    "get_product",
    "load_formulary",
    "version_key",
]
