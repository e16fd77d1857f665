"""``assess``: run every registered safety check on a patient and a plan.

All findings are returned together in one :class:`SafetyReport`; nothing
stops at the first. Strict mode (``strict=True``) raises a
:class:`SafetyBlock` exception group of the blocking findings instead of
returning a report that is not ready to issue.

The checks are the registry's (:data:`~ivig_core.safety.registry.CHECKS`):
importing this module imports every family module, which registers its
checks.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable
from types import ModuleType
from typing import Final

from ivig_core import units
from ivig_core._checks import flag
from ivig_core.errors import InputError
from ivig_core.findings import Finding, Override, SafetyReport, check_overrides
from ivig_core.patient import Patient
from ivig_core.plan import Plan
from ivig_core.products import Product, Route, get_product
from ivig_core.safety.config import SafetyConfig, SafetyOptions
from ivig_core.safety.context import Context, check_plan_values
from ivig_core.safety.registry import CHECKS


__all__ = ["FAMILIES", "assess"]

#: The check families, imported in this order: their checks register (and
#: run, and are listed) in it.
FAMILIES: Final[tuple[ModuleType, ...]] = tuple(
    importlib.import_module(f"ivig_core.safety.{name}")
    for name in (
        "contraindications",
        "iga",
        "thrombosis",
        "renal",
        "dose",
        "rounding",
        "duration",
        "rate",
        "other",
        "sc",
    )
)


def _product(value: object, field: str) -> Product:
    if isinstance(value, Product):
        return value
    if isinstance(value, str):
        return get_product(value)
    raise InputError(field, value, "a Product or a product name")


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _check_same_product(product: Product, planned: object) -> None:
    """Refuse checking a plan against another product than it was made for."""
    if not isinstance(planned, str):
        return
    if _normal(planned) not in {_normal(product.key), _normal(product.name)}:
        raise InputError(
            "product",
            product.name,
            f"the plan's product ({planned})",
            f"the plan is for {planned!r} but {product.name!r} was given: its "
            "volumes and rates would be checked against the wrong product",
        )


def _previous(value: object) -> tuple[Product | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, str):
        try:
            return _product(value, "previous_product"), None
        except InputError:
            return None, value.strip()
    return _product(value, "previous_product"), None


def _route(plan: Plan, product: Product | None) -> Route:
    """The route whose rules apply: the plan's, checked against the product.

    A plan for IV (the default) with a product that has no IV route is
    checked under the product's own route: the IV rules would not be the
    label's. A plan whose route the product does not have, or an IV plan
    whose infusions carry SC details, is refused.
    """
    route = Route.parse(plan.route, field="plan.route")
    routes = None if product is None else product.routes
    if routes is not None and route not in routes:
        if route is Route.IV and len(routes) == 1:
            route = next(iter(routes))
        else:
            raise InputError(
                "plan.route",
                route.value,
                f"one of {product.name}'s routes "
                f"({', '.join(sorted(r.value for r in routes))})"
                if product is not None
                else "the product's route",
            )
    if route is Route.IV and any(inf.sc is not None for inf in plan.infusions):
        raise InputError(
            "plan.route",
            route.value,
            "'sc' or 'facilitated_sc': the plan's infusions carry SC details",
        )
    return route


def _indication(plan: Plan, indication: str | None) -> str | None:
    value: object = plan.indication if indication is None else indication
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError("indication", value, "None or an indication key")
    return value.strip().lower()


@functools.cache
def _default_config(registry: object) -> SafetyConfig:  # noqa: ARG001 - the cache key
    """The default configuration, built once per unit registry (it is frozen)."""
    return SafetyConfig()


def _options(
    options: SafetyOptions | None,
    config: SafetyConfig | None,
    overrides: Iterable[Override],
    previous_product: Product | str | None,
    *,
    strict: bool,
) -> tuple[SafetyConfig, tuple[Override, ...], Product | str | None, bool]:
    if options is None:
        cfg = _default_config(units.get_registry()) if config is None else config
        if not isinstance(cfg, SafetyConfig):
            raise InputError("config", cfg, "a SafetyConfig")
        return (
            cfg,
            check_overrides(overrides),
            previous_product,
            flag(strict, field="strict"),
        )
    if not isinstance(options, SafetyOptions):
        raise InputError("options", options, "a SafetyOptions or None")
    if (
        config is not None
        or tuple(overrides)
        or previous_product is not None
        or strict is not False
    ):
        raise InputError(
            "options",
            options,
            "either options=SafetyOptions(...) or the keywords config, "
            "overrides, previous_product and strict, not both",
        )
    return (
        options.config,
        check_overrides(options.overrides),
        options.previous_product,
        options.strict,
    )


def assess(
    patient: Patient,
    plan: Plan,
    *,
    product: Product | str | None = None,
    indication: str | None = None,
    options: SafetyOptions | None = None,
    config: SafetyConfig | None = None,
    overrides: Iterable[Override] = (),
    previous_product: Product | str | None = None,
    strict: bool = False,
) -> SafetyReport:
    """Run every registered safety check and return all findings together.

    Args:
        patient: The patient.
        plan: The plan (:class:`~ivig_core.plan.Plan`). The route's rules
            apply: an SC or facilitated-SC plan gets the thrombosis boxed
            warning and the SC site, rate and daily-volume checks, not the
            IVIG renal warning, the sucrose rule or the IV rate checks.
        product: The product; by default looked up by the plan's product
            name with :func:`~ivig_core.products.get_product`.
        indication: The indication key (``"dermatomyositis"``); by default
            the plan's. Without it, indication-specific limits are "not
            assessed".
        options: The safety block in one value (config, overrides,
            previous product, strict); or give those as the keywords below,
            not both.
        config: Thresholds and local protocols (default
            :class:`SafetyConfig()`).
        overrides: Soft limits accepted, each with its reason; recorded in
            the report.
        previous_product: The product the patient had before (a switch
            restarts at the initial rate).
        strict: Raise :class:`SafetyBlock` when the plan is not ready to
            issue.

    Returns:
        The report: every finding, sorted, with the overrides.

    Raises:
        SafetyBlock: In strict mode, with every blocking finding.
        InputError: A malformed patient or plan value (e.g. a NaN dose), an
            unknown product, a route the product does not have, an override
            of a hard limit, or both *options* and its keywords.

    .. versionadded:: 0.1.0
    """
    cfg, accepted, previous, strict_mode = _options(
        options, config, overrides, previous_product, strict=strict
    )
    if not isinstance(patient, Patient):
        raise InputError("patient", patient, "an ivig_core.Patient")
    checked = check_plan_values(plan)
    if product is None:
        prod = _product(checked.product, "plan.product")
    else:
        prod = _product(product, "product")
        _check_same_product(prod, checked.product)
    prev, prev_name = _previous(previous)
    ctx = Context(
        patient=patient,
        plan=checked,
        config=cfg,
        product=prod,
        indication=_indication(checked, indication),
        route=_route(checked, prod),
        previous_product=prev,
        previous_product_name=prev_name,
    )
    findings: list[Finding] = []
    for registered in tuple(CHECKS.values()):
        findings.extend(registered(ctx))
    report = SafetyReport(
        findings=findings,
        overrides=accepted,
        product=ctx.product_key,
        indication=ctx.indication,
    )
    if strict_mode:
        report.raise_if_blocked()
    return report
