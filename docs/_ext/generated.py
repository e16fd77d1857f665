"""Pages generated from the library's own data, so docs and data cannot drift.

Each generator is a function returning reStructuredText; the ``generated``
directive inserts its output where it is used::

    .. generated:: dosing_weight_policies
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


GENERATORS: dict[str, Callable[[], str]] = {}


def generator(func: Callable[[], str]) -> Callable[[], str]:
    """Register *func* under its name."""
    GENERATORS[func.__name__] = func
    return func


@generator
def dosing_weight_policies() -> str:
    """A table of the built-in dosing-weight policies with their sources."""
    from ivig_core.dosing_weight import BUILTIN_POLICIES  # noqa: PLC0415 - built at doc time

    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 20 80",
        "",
        "   * - Name",
        "     - Source",
    ]
    for name, policy in BUILTIN_POLICIES.items():
        lines += [f"   * - ``{name}``", f"     - {policy.source}"]
    return "\n".join(lines) + "\n"


class GeneratedDirective(SphinxDirective):
    """Insert the reStructuredText a registered generator returns."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Parse the generator's output in place."""
        name = self.arguments[0]
        if name not in GENERATORS:
            msg = f"unknown generator {name!r}; known: {sorted(GENERATORS)}"
            raise self.error(msg)
        text = GENERATORS[name]()
        container = nodes.container()
        self.state.nested_parse(
            StringList(text.splitlines(), source=f"<generated:{name}>"),
            self.content_offset,
            container,
        )
        return list(container.children)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("generated", GeneratedDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


@generator
def product_catalogue() -> str:
    """The shipped product catalogue: a table of values and their sources."""
    from ivig_core.products import default_catalogue  # noqa: PLC0415
    from ivig_core.rates import RateKind, rate_kind  # noqa: PLC0415 - doc time
    from ivig_core.units import Quantity  # noqa: PLC0415

    def fmt(value: float) -> str:
        return f"{value:g}"

    def rate(q: Quantity) -> str:
        kind = rate_kind(q)
        value = float(q.magnitude)
        if kind is RateKind.ML_PER_KG_PER_MIN and float(f"{value:.4g}") != value:
            return f"{value * 60:.4g} mL/kg/h"  # as labels write it
        return f"{value:g} {kind.value}"

    route_names = {"iv": "IV", "sc": "SC", "facilitated_sc": "facilitated SC"}

    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 12 6 6 16 10 14 22 8 6",
        "",
        "   * - Product",
        "     - Route",
        "     - Conc.",
        "     - Vials (g)",
        "     - IgA",
        "     - Stabiliser / sugars",
        "     - Labelled rates (initial → maximum)",
        "     - At-risk cap",
        "     - SCIg factor",
    ]
    sources: list[str] = []
    for product in default_catalogue().values():
        unconfirmed = "UNCONFIRMED"
        vials = ", ".join(fmt(v.grams_g) for v in product.vials) or unconfirmed
        iga = (
            f"{product.iga.bound.symbol}{fmt(product.iga.amount_ug_ml)} µg/mL"
            if product.iga
            else unconfirmed
        )
        if product.iga_depleted:
            iga += " (IgA-depleted)"
        comp = product.composition
        if comp is None:
            excipients = unconfirmed
        else:
            parts = [e.substance.value.replace("_", " ") for e in comp.excipients]
            if comp.sucrose_free:
                parts.append("no sucrose")
            excipients = ", ".join(parts) or "—"
        rates = []
        # an SC-only product's indications carry its labelled ages; its rates
        # are the per-site limits of the sources, not an IV ramp
        sc_only = all(r.value != "iv" for r in product.routes)
        for ind in product.indications.values():
            ages = f" ({ind.age_text()})" if ind.has_age_range else ""
            if ind.ramp is None:
                rates.append(
                    f"{ind.key}{ages}: "
                    + ("per-site limits, see sources" if sc_only else unconfirmed)
                )
            else:
                rates.append(
                    f"{ind.key}{ages}: {rate(ind.ramp.initial)} → "
                    f"{rate(ind.ramp.maximum)}"
                )
        cap = product.at_risk_cap
        cap_text = f"{'≤' if cap.inclusive else '<'} {rate(cap.rate)}" if cap else "—"
        if cap is not None and cap.secondary:
            cap_text += " (secondary source; SafetyConfig.secondary_caps)"
        box = product.renal_boxed_warning
        boxed = (
            ""
            if box is None
            else (" (renal boxed warning)" if box else " (thrombosis-only box)")
        )
        scig = fmt(product.scig_conversion.factor) if product.scig_conversion else "—"
        lines += [
            f"   * - {product.name}",
            f"     - {', '.join(route_names[r.value] for r in product.routes)}{boxed}",
            f"     - {fmt(product.concentration_percent)} %",
            f"     - {vials}",
            f"     - {iga}",
            f"     - {excipients}",
            f"     - {'; '.join(rates) or '— (per-site limits, see sources)'}",
            f"     - {cap_text}",
            f"     - {scig}",
        ]
        sources += ["", f"**{product.name}**", ""]
        groups: list[tuple[str, object]] = [
            ("presentation", product.presentation_source),
            ("IgA", product.iga and product.iga.source),
            ("composition", product.composition and product.composition.source),
            ("sodium", product.sodium and product.sodium.source),
            ("at-risk cap", product.at_risk_cap and product.at_risk_cap.source),
            (
                "SCIg factor",
                product.scig_conversion and product.scig_conversion.source,
            ),
        ]
        groups += [
            (f"{'indication' if sc_only else 'rates'}, {i.key}", i.source)
            for i in product.indications.values()
        ]
        groups += [(f"SC, {s.applies_to}", s.source) for s in product.sc_limits]
        groups += [
            (
                f"maintenance studied, {d.indication}: "
                + ("none stated" if d.months is None else f"{d.months} months"),
                d.source,
            )
            for d in product.maintenance_durations
        ]
        starts = product.scig_conversion.starts if product.scig_conversion else ()
        groups += [
            (f"SC start after IVIg ({st.frequency or 'any spread'})", st.source)
            for st in starts
        ]
        sources += [f"* {name}: {src}" for name, src in groups if src]
        if product.unconfirmed:
            sources.append(f"* UNCONFIRMED, absent: {', '.join(product.unconfirmed)}")
    return "\n".join([*lines, "", ".. rubric:: Sources", *sources]) + "\n"


@generator
def finding_codes() -> str:
    """Every registered safety check: code, severity, rule, action and source.

    Read from the check registry (``ivig_core.safety.registry.CHECKS``), so a
    check registered anywhere is listed with what it reads.
    """
    from ivig_core.safety.config import PARAMETERS  # noqa: PLC0415 - built at doc time
    from ivig_core.safety.registry import CHECKS  # noqa: PLC0415

    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 18 10 8 32 32",
        "   :class: findings-table",
        "",
        "   * - Code",
        "     - Severity",
        "     - Module",
        "     - Rule and action",
        "     - Source",
    ]
    for code, check in CHECKS.items():
        rule = check.rule
        reads = (
            " Reads " + ", ".join(f"``{p}``" for p in rule.parameters) + "."
            if rule.parameters
            else ""
        )
        lines += [
            f"   * - ``{code.value}``",
            f"     - {rule.severity.name.replace('_', ' ').lower()}",
            f"     - ``{rule.module}``",
            f"     - {rule.rule} *{rule.action}*{reads}",
            f"     - {rule.source}",
        ]
    lines += [
        "",
        ".. rubric:: Thresholds (SafetyConfig)",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 25 25 50",
        "",
        "   * - Parameter",
        "     - Default",
        "     - Source",
    ]
    for name, default, source in PARAMETERS:
        lines += [f"   * - ``{name}``", f"     - {default}", f"     - {source}"]
    return "\n".join(lines) + "\n"
