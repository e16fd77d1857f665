"""``assess``: run every safety check on a patient and a plan.

All findings are returned together in one :class:`SafetyReport`; nothing
stops at the first. Strict mode (``strict=True``) raises a
:class:`SafetyBlock` exception group of the blocking findings instead of
returning a report that is not ready to issue.

The plan is read duck-typed, so the planner can call :func:`assess` and
store the report on the plan without an import cycle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Final

from ivig_core.errors import InputError
from ivig_core.safety._context import (
    Context,
    InfusionFacts,
    read_patient,
    read_plan,
    read_route,
)
from ivig_core.safety.config import SafetyConfig
from ivig_core.safety.dose import check_dose
from ivig_core.safety.findings import Finding, Override, SafetyReport, check_overrides
from ivig_core.safety.iga import check_iga
from ivig_core.safety.other import check_other
from ivig_core.safety.rate import check_rate
from ivig_core.safety.renal import check_renal
from ivig_core.safety.sc import check_sc
from ivig_core.safety.thrombosis import check_thrombosis


if TYPE_CHECKING:
    from ivig_core.patient import Patient
    from ivig_core.plan import Plan
    from ivig_core.products import Product


__all__ = ["CHECKS", "assess"]

#: The check families, in the order they run (the report is sorted anyway).
CHECKS: Final[tuple[Callable[[Context, SafetyConfig], list[Finding]], ...]] = (
    check_iga,
    check_thrombosis,
    check_renal,
    check_dose,
    check_rate,
    check_other,
    check_sc,
)


def _product(value: object, field: str) -> Product:
    from ivig_core.products import Product, get_product  # noqa: PLC0415 - cycle

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
            return None, value.strip().lower()
    return _product(value, "previous_product"), None


def _route(
    plan: object, product: Product | None, infusions: tuple[InfusionFacts, ...]
) -> str:
    """The route whose rules apply: the plan's, checked against the product.

    A plan without a route (or IV, the default) for a product that has no IV
    route is checked under the product's own route: the IV rules would not
    be the label's. A plan whose route the product does not have, or an IV
    plan whose infusions carry SC details, is refused.
    """
    route = read_route(plan)
    routes = None if product is None else {r.value for r in product.routes}
    if routes is not None and route not in routes:
        if route == "iv" and len(routes) == 1:
            route = next(iter(routes))
        else:
            raise InputError(
                "plan.route",
                route,
                f"one of {product.name}'s routes ({', '.join(sorted(routes))})"
                if product is not None
                else "the product's route",
            )
    if route == "iv" and any(inf.sc is not None for inf in infusions):
        raise InputError(
            "plan.route",
            route,
            "'sc' or 'facilitated_sc': the plan's infusions carry SC details",
        )
    return route


def _indication(plan: object, indication: str | None) -> str | None:
    value: object = indication
    if value is None:
        value = getattr(plan, "indication", None)
    if value is None:
        value = getattr(getattr(plan, "regimen", None), "indication", None)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError("indication", value, "None or an indication key")
    return value.strip().lower()


def assess(
    patient: Patient,
    plan: Plan,
    *,
    product: Product | str | None = None,
    indication: str | None = None,
    config: SafetyConfig | None = None,
    overrides: Iterable[Override] = (),
    previous_product: Product | str | None = None,
    strict: bool = False,
) -> SafetyReport:
    """Run every safety check and return all findings together.

    Args:
        patient: The patient.
        plan: The plan (:class:`~ivig_core.plan.Plan`, or any object with
            its ``infusions``, ``cycles``, ``regimen``, ``dosing_weight`` and
            ``product``; and ``route`` and ``Infusion.sc`` for an SC plan).
            The route's rules apply: an SC or facilitated-SC plan gets the
            thrombosis boxed warning and the SC site, rate and daily-volume
            checks, not the IVIG renal warning, the sucrose rule or the IV
            rate checks.
        product: The product; by default looked up by the plan's product
            name with :func:`~ivig_core.products.get_product`.
        indication: The indication key (``"dermatomyositis"``); by default
            the plan's or its regimen's ``indication`` if they have one.
            Without it, indication-specific limits are "not assessed".
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
            unknown product, a route the product does not have, or an
            override of a hard limit.

    .. versionadded:: 0.1.0
    """
    cfg = SafetyConfig() if config is None else config
    if not isinstance(cfg, SafetyConfig):
        raise InputError("config", cfg, "a SafetyConfig")
    accepted = check_overrides(overrides)
    if not isinstance(strict, bool):
        raise InputError("strict", strict, "True or False")
    facts = read_patient(patient)
    infusions, cycles, (interval, first, regimen_source), basis = read_plan(plan)
    if product is None:
        name = getattr(plan, "product", None)
        prod = None if name is None else _product(name, "plan.product")
    else:
        prod = _product(product, "product")
        _check_same_product(prod, getattr(plan, "product", None))
    prev, prev_name = _previous(previous_product)
    ctx = Context(
        patient=facts,
        product=prod,
        product_key=None if prod is None else prod.key,
        indication=_indication(plan, indication),
        route=_route(plan, prod, infusions),
        infusions=infusions,
        cycles=cycles,
        maintenance_interval_days=interval,
        first_maintenance_days=first,
        regimen_source=regimen_source,
        dosing_basis=basis,
        previous_product=prev,
        previous_product_name=prev_name,
    )
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(ctx, cfg))
    report = SafetyReport(
        findings=findings,
        overrides=accepted,
        product=ctx.product_key,
        indication=ctx.indication,
    )
    if strict:
        report.raise_if_blocked()
    return report
