"""The CDS Hooks logic, free of any web framework: discovery, hooks, cards.

:func:`discovery` is the body of ``GET /cds-services``; :func:`handle` turns
one CDS Hooks 2.0 request (a dict) into ``(HTTP status, body)``. The FastAPI
application (:mod:`ivig_core.service.app`) only moves JSON in and out.

A hook request for ``order-select`` or ``order-sign`` carries the draft
orders (``context.draftOrders``, a FHIR Bundle of ``MedicationRequest``) and
the prefetch (``patient``, ``observations``, and optionally ``conditions``
and ``allergies``, as in :data:`PREFETCH`). For each draft
``MedicationRequest`` whose medication is a product of the catalogue (by
its ``medicationCodeableConcept`` text or coding display; with the site's
protocol, its formulary's products too), the service reads the order
(:func:`read_order`), builds the patient with
:func:`~ivig_core.io.fhir.patient_from_fhir`, plans the course with
:func:`~ivig_core.planning.plan_course` (under the site's protocol, if
:class:`ServiceConfig` has one) and returns one card per finding a
prescriber must see (:data:`INDICATOR`: hard limit → critical, soft limit
and warning → warning, advice → info; information findings and accepted
soft limits are left out; the same finding on several infusion days is one
card that lists the days),
each with its source and, where the library has one, a suggestion: an
IgA-depleted product for ``IGA_DEFICIENCY_PRODUCT``, the course split over
more days (under the site's split limits) for ``DAILY_DOSE_ABOVE_80G``.

A request the service cannot read is a ``400`` whose body names the field
(``{"error": "InputError", "field": "context.draftOrders.entry[0]....",
...}``); missing prefetch is a ``412`` (CDS Hooks 2.0: the service does not
fetch from the FHIR server itself).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from ivig_core._checks import instance
from ivig_core.errors import InputError, IvigError
from ivig_core.findings import Finding, SafetyReport, Severity
from ivig_core.io.fhir import UCUM, finding_sources, patient_from_fhir
from ivig_core.planning import SplitLimits, plan_course
from ivig_core.products import Catalogue, Product, default_catalogue, get_product
from ivig_core.protocol import Protocol
from ivig_core.rates import RateSchedule
from ivig_core.regimen import Induction, Regimen


if TYPE_CHECKING:
    from ivig_core.dosing_weight import DosingWeightPolicy
    from ivig_core.plan import Plan
    from ivig_core.planning.request import RateWeight
    from ivig_core.vials import RoundingPolicy


__all__ = [
    "HOOKS",
    "INDICATOR",
    "PREFETCH",
    "DraftOrder",
    "ServiceConfig",
    "discovery",
    "handle",
    "read_order",
]

#: The services, by id: (hook, title).
HOOKS: Final[Mapping[str, tuple[str, str]]] = {
    "ivig-order-select": (
        "order-select",
        "IVIg/SCIg order: plan and safety check (order-select)",
    ),
    "ivig-order-sign": (
        "order-sign",
        "IVIg/SCIg order: plan and safety check before signing (order-sign)",
    ),
}

#: What each service asks the EHR to prefetch (CDS Hooks prefetch templates).
PREFETCH: Final[Mapping[str, str]] = {
    "patient": "Patient/{{context.patientId}}",
    "observations": (
        "Observation?patient={{context.patientId}}&code="
        "http://loinc.org|29463-7,http://loinc.org|8302-2,http://loinc.org|2458-8,"
        "http://loinc.org|2160-0,http://loinc.org|14682-9,http://loinc.org|883-9,"
        "http://loinc.org|82810-3"
    ),
    "conditions": "Condition?patient={{context.patientId}}",
    "allergies": "AllergyIntolerance?patient={{context.patientId}}",
}
_REQUIRED_PREFETCH: Final = ("patient", "observations")

#: Finding severity -> card indicator; ``None``: no card.
INDICATOR: Final[Mapping[Severity, str | None]] = {
    Severity.HARD_LIMIT: "critical",
    Severity.SOFT_LIMIT: "warning",
    Severity.WARNING: "warning",
    Severity.ADVICE: "info",
    Severity.INFO: None,
}

_SUMMARY_MAX: Final = 140  # CDS Hooks 2.0: a card's summary is < 140 characters


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _schedules(value: object) -> Mapping[tuple[str, str], RateSchedule]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, tuple) and isinstance(v, RateSchedule) for k, v in value.items()
    ):
        raise InputError(
            "rate_schedules",
            value,
            "a mapping of (product key, indication) to RateSchedule",
        )
    return dict(value)


def _protocol(value: object) -> Protocol | None:
    if value is None or isinstance(value, Protocol):
        return value
    raise InputError("protocol", value, "a Protocol (load_protocol) or None")


def _limits(value: object) -> SplitLimits | None:
    if value is None or isinstance(value, SplitLimits):
        return value
    raise InputError("split_limits", value, "a SplitLimits or None")


@attrs.frozen(kw_only=True)
class ServiceConfig:
    """A site's choices for the service, made once at start-up.

    Every clinically decisive choice is required: nothing is defaulted. The
    policy, rounding and rate weight are given here or by the site's local
    *protocol*; a choice given here wins over the protocol's (the plan's
    notes say so), as for :func:`~ivig_core.planning.plan_course`.

    Attributes:
        policy: The dosing-weight policy (object or built-in name);
            required unless *protocol* sets one.
        rounding: The vial rounding policy; required unless *protocol* sets
            one.
        rate_weight: ``"dosing"`` or ``"actual"``; required unless
            *protocol* sets one.
        max_age: How old an observation may be (see
            :func:`~ivig_core.io.fhir.patient_from_fhir`).
        rate_schedules: A local rate schedule per (product key, indication),
            for products whose label gives no step table (over the
            protocol's, for the same product and indication).
        split_limits: The site's per-day limits, used to suggest a split
            over more days when ``DAILY_DOSE_ABOVE_80G`` fires; ``None``: no
            such suggestion.
        today: The day of a request (default: today, UTC); tests fix it.
        protocol: The site's local protocol (:func:`~ivig_core.load_protocol`):
            every plan is made under it (its policies, rate steps and
            schedules, safety configuration, closed days), and the draft
            orders' products are looked up in its formulary too; ``None``:
            no protocol.

    Raises:
        InputError: A choice that neither this configuration nor its
            protocol makes, naming it; a *protocol* that is not one.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *protocol*; *policy*, *rounding* and *rate_weight* may be left to it.
    """

    policy: DosingWeightPolicy | str | None = None
    rounding: RoundingPolicy | str | None = None
    rate_weight: RateWeight | None = None
    max_age: dt.timedelta | Mapping[str, dt.timedelta | None] | None
    rate_schedules: Mapping[tuple[str, str], RateSchedule] = attrs.field(
        factory=dict, converter=_schedules
    )
    split_limits: SplitLimits | None = attrs.field(default=None, converter=_limits)
    today: Callable[[], dt.date] = _today
    protocol: Protocol | None = attrs.field(default=None, converter=_protocol)

    def __attrs_post_init__(self) -> None:
        """Each of policy, rounding and rate weight is made here or by the protocol."""
        for name in ("policy", "rounding", "rate_weight"):
            if getattr(self, name) is None and (
                self.protocol is None or getattr(self.protocol, name) is None
            ):
                raise InputError(
                    name,
                    None,
                    f"a {name.replace('_', ' ')} (required, no default), or a "
                    "protocol that sets one",
                )

    @property
    def catalogue(self) -> Catalogue:
        """The products orders may name: the protocol's formulary added, if any."""
        return default_catalogue() if self.protocol is None else self.protocol.catalogue


def discovery() -> dict[str, object]:
    """The discovery response (``GET /cds-services``).

    Example:
        >>> [s["hook"] for s in discovery()["services"]]
        ['order-select', 'order-sign']

    .. versionadded:: 0.1.0
    """
    return {
        "services": [
            {
                "id": sid,
                "hook": hook,
                "title": title,
                "description": (
                    "Plans the immunoglobulin course of a draft order "
                    "(dose, vials, rates) and returns the safety findings a "
                    "prescriber must see, with their sources. It computes and "
                    "checks; it does not prescribe."
                ),
                "prefetch": dict(PREFETCH),
            }
            for sid, (hook, title) in HOOKS.items()
        ]
    }


# --------------------------------------------------------------------------
# Reading the request


def _get(data: object, key: str, where: str, allowed: str) -> Any:  # noqa: ANN401 - JSON
    if not isinstance(data, Mapping) or data.get(key) is None:
        raise InputError(f"{where}.{key}" if where else key, None, allowed)
    return data[key]


def _entries(bundle: object, where: str) -> list[object]:
    if isinstance(bundle, Mapping) and bundle.get("resourceType") == "Bundle":
        entries = bundle.get("entry", [])
        if not isinstance(entries, list):
            raise InputError(f"{where}.entry", entries, "a list of entries")
        out = []
        for i, e in enumerate(entries):
            resource = e.get("resource") if isinstance(e, Mapping) else None
            if resource is None:
                raise InputError(f"{where}.entry[{i}].resource", e, "a FHIR resource")
            out.append(resource)
        return out
    if isinstance(bundle, Mapping) and "resourceType" in bundle:
        return [bundle]
    raise InputError(where, bundle, "a FHIR Bundle or resource")


@attrs.frozen(kw_only=True)
class DraftOrder:
    """An IVIg/SCIg draft order, as read from a ``MedicationRequest``.

    Attributes:
        where: The order's path in the request (for errors and cards).
        resource: The draft ``MedicationRequest`` as sent.
        product: The catalogue product its medication names.
        indication: The product indication (``reasonCode``).
        daily_dose: The dose per infusion day (``doseQuantity``, UCUM
            ``g/kg``), as text (``"0.4 g/kg/day"``).
        days: Infusion days in the course (``timing.repeat.count``).
        start: The first day (``timing.repeat.boundsPeriod.start`` or
            ``timing.event[0]``).

    .. versionadded:: 0.1.0
    """

    where: str
    resource: Mapping[str, Any]
    product: Product
    indication: str
    daily_dose: str
    days: int
    start: dt.date


def _product(
    resource: Mapping[str, Any], catalogue: Catalogue | None
) -> Product | None:
    concept = resource.get("medicationCodeableConcept")
    if not isinstance(concept, Mapping):
        return None
    names = [concept.get("text")]
    codings = concept.get("coding")
    if isinstance(codings, list):
        names += [c.get("display") for c in codings if isinstance(c, Mapping)]
    for name in names:
        if isinstance(name, str) and name.strip():
            try:
                return get_product(name, catalogue)
            except InputError:
                continue
    return None


def _indication(resource: Mapping[str, Any], product: Product, where: str) -> str:
    reasons = resource.get("reasonCode")
    field = f"{where}.reasonCode"
    allowed = f"a reasonCode naming one of {sorted(product.indications)}"
    if not isinstance(reasons, list) or not reasons:
        raise InputError(field, reasons, allowed)
    for reason in reasons:
        if not isinstance(reason, Mapping):
            continue
        found = reason.get("coding")
        codings = found if isinstance(found, list) else []
        codes = [c.get("code") for c in codings if isinstance(c, Mapping)]
        for text in [*codes, reason.get("text")]:
            if isinstance(text, str) and text.strip().lower() in product.indications:
                return text.strip().lower()
    raise InputError(field, reasons, allowed)


def _start(timing: Mapping[str, Any], where: str) -> dt.date:
    repeat = timing.get("repeat") if isinstance(timing.get("repeat"), Mapping) else {}
    bounds = repeat.get("boundsPeriod") if isinstance(repeat, Mapping) else None
    text = bounds.get("start") if isinstance(bounds, Mapping) else None
    field = f"{where}.timing.repeat.boundsPeriod.start"
    if text is None and isinstance(timing.get("event"), list) and timing["event"]:
        text, field = timing["event"][0], f"{where}.timing.event[0]"
    if not isinstance(text, str):
        raise InputError(field, text, "the first day as a FHIR date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InputError(field, text, "a FHIR date (YYYY-MM-DD)") from None


def read_order(
    resource: object, *, where: str, catalogue: Catalogue | None = None
) -> DraftOrder | None:
    """Read a draft ``MedicationRequest``; ``None`` if it is not for a known product.

    Args:
        resource: The draft ``MedicationRequest``.
        where: Its path in the request (for errors and cards).
        catalogue: The products it may name (default: the shipped
            catalogue; the service passes its protocol's, formulary added).

    Raises:
        InputError: An immunoglobulin order the service cannot read;
            ``field`` is the path in the request.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *catalogue*.
    """
    if catalogue is not None and not isinstance(catalogue, Catalogue):
        raise InputError("catalogue", catalogue, "a Catalogue or None (the shipped)")
    if not isinstance(resource, Mapping) or resource.get("resourceType") != (
        "MedicationRequest"
    ):
        return None
    product = _product(resource, catalogue)
    if product is None:
        return None
    indication = _indication(resource, product, where)
    dosages = resource.get("dosageInstruction")
    if (
        not isinstance(dosages, list)
        or not dosages
        or not isinstance(dosages[0], Mapping)
    ):
        raise InputError(
            f"{where}.dosageInstruction", dosages, "one dosage instruction"
        )
    dosage = dosages[0]
    at = f"{where}.dosageInstruction[0]"
    rates = dosage.get("doseAndRate")
    dose = (
        rates[0].get("doseQuantity")
        if isinstance(rates, list) and rates and isinstance(rates[0], Mapping)
        else None
    )
    field = f"{at}.doseAndRate[0].doseQuantity"
    if (
        not isinstance(dose, Mapping)
        or dose.get("system") != UCUM
        or dose.get("code") != "g/kg"
    ):
        raise InputError(
            field, dose, f"the dose per infusion day in UCUM g/kg ({UCUM})"
        )
    value = dose.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{field}.value", value, "a number (g/kg per infusion day)")
    timing = dosage.get("timing")
    if not isinstance(timing, Mapping):
        raise InputError(
            f"{at}.timing", timing, "a timing with repeat.count and the first day"
        )
    repeat = timing.get("repeat")
    count = repeat.get("count") if isinstance(repeat, Mapping) else None
    if isinstance(count, bool) or not isinstance(count, int):
        raise InputError(
            f"{at}.timing.repeat.count",
            count,
            "the number of infusion days (an integer)",
        )
    return DraftOrder(
        where=where,
        resource=resource,
        product=product,
        indication=indication,
        daily_dose=f"{value} g/kg/day",
        days=count,
        start=_start(timing, at),
    )


# --------------------------------------------------------------------------
# Planning and cards


def _plan(
    order: DraftOrder,
    config: ServiceConfig,
    prefetch: list[object],
    *,
    limits: SplitLimits | None = None,
) -> tuple[Plan, str | None]:
    on = config.today()
    found = patient_from_fhir(prefetch, on=on, max_age=config.max_age)
    induction = _with_field(
        f"{order.where}.dosageInstruction[0]",
        lambda: Induction.from_daily(
            daily_dose=order.daily_dose, days=order.days, source="the draft order"
        ),
    )
    regimen = Regimen(name="draft order", induction=induction, source="the draft order")
    plan = plan_course(
        found.patient,
        regimen,
        order.product,
        start=order.start,
        policy=config.policy,
        rounding=config.rounding,
        indication=order.indication,
        rate_weight=config.rate_weight,
        rate_schedule=config.rate_schedules.get((order.product.key, order.indication)),
        limits=limits,
        protocol=config.protocol,
    )
    return plan, found.reference


def _with_field(field: str, build: Callable[[], Induction]) -> Induction:
    try:
        return build()
    except InputError as err:
        raise type(err)(
            f"{field} ({err.field})", err.value, err.allowed, err.detail
        ) from err


def _links(finding: Finding) -> list[dict[str, str]]:
    """Links to the finding's sources, where they are bibliography IDs."""
    return [
        {"label": src.citation[:_SUMMARY_MAX], "url": src.url, "type": "absolute"}
        for src in finding_sources(finding)
        if src.url
    ]


def _summary(finding: Finding) -> str:
    status = " (not assessed)" if not finding.assessed else ""
    text = f"{finding.code.value}{status}: {finding.message}"
    return text if len(text) < _SUMMARY_MAX else text[: _SUMMARY_MAX - 2] + "…"


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(map(str, parts))))


def _iga_suggestion(order: DraftOrder, catalogue: Catalogue) -> list[dict[str, object]]:
    depleted = [p for p in (catalogue[k] for k in catalogue) if p.iga_depleted]
    out: list[dict[str, object]] = []
    for product in depleted:
        resource = dict(order.resource)
        resource["medicationCodeableConcept"] = {"text": product.name}
        out.append(
            {
                "label": f"Use an IgA-depleted product: {product.name}",
                "uuid": _uuid(order.where, "iga", product.key),
                "actions": [
                    {
                        "type": "update",
                        "description": f"Change the product to {product.name}",
                        "resource": resource,
                    }
                ],
            }
        )
    return out


def _split_suggestion(
    order: DraftOrder, config: ServiceConfig, prefetch: list[object]
) -> list[dict[str, object]]:
    if config.split_limits is None:
        return []
    try:
        plan, _ = _plan(order, config, prefetch, limits=config.split_limits)
    except IvigError:
        return []
    days = plan.cycles[0].days
    if days == order.days:
        return []
    per_day = plan.cycles[0].dose_g_per_kg / days
    resource = _with_days(order.resource, days, per_day)
    return [
        {
            "label": f"Give the course over {days} days ({per_day:.3g} g/kg a day)",
            "uuid": _uuid(order.where, "split", days),
            "actions": [
                {
                    "type": "update",
                    "description": f"Split over {days} days",
                    "resource": resource,
                }
            ],
        }
    ]


def _with_days(
    resource: Mapping[str, Any], days: int, per_day: float
) -> dict[str, Any]:
    import copy  # noqa: PLC0415 - only for this suggestion

    out: dict[str, Any] = copy.deepcopy(dict(resource))
    dosage = out["dosageInstruction"][0]
    dosage["timing"].setdefault("repeat", {})["count"] = days
    dosage["doseAndRate"][0]["doseQuantity"]["value"] = float(f"{per_day:.6g}")
    return out


def _must_see(report: SafetyReport) -> list[tuple[Finding, list[str]]]:
    """The findings a prescriber must see, the same one on several days once.

    A finding repeated with the same code and message on several infusion
    days is one card listing the days (its concerns).
    """
    grouped: dict[tuple[str, str, bool], tuple[Finding, list[str]]] = {}
    for finding in report.findings:
        if INDICATOR[finding.severity] is None or report.is_overridden(finding):
            continue
        key = (finding.code.value, finding.message, finding.assessed)
        grouped.setdefault(key, (finding, []))[1].append(str(finding.concerns))
    return list(grouped.values())


def _cards(
    order: DraftOrder,
    report: SafetyReport,
    config: ServiceConfig,
    prefetch: list[object],
    hook_instance: str,
) -> list[dict[str, object]]:
    cards: list[dict[str, object]] = []
    for finding, concerns in _must_see(report):
        card: dict[str, object] = {
            "uuid": _uuid(hook_instance, order.where, finding.code.value, *concerns),
            "summary": _summary(finding),
            "detail": (
                f"{finding.message}\n\nConcerns: {', '.join(concerns)}. "
                f"Source: {finding.source}."
            ),
            "indicator": INDICATOR[finding.severity],
            "source": {"label": f"ivig_core ({order.product.name})"},
        }
        suggestions: list[dict[str, object]] = []
        if finding.code.value == "IGA_DEFICIENCY_PRODUCT" and finding.assessed:
            suggestions = _iga_suggestion(order, config.catalogue)
        elif finding.code.value == "DAILY_DOSE_ABOVE_80G" and finding.assessed:
            suggestions = _split_suggestion(order, config, prefetch)
        if suggestions:
            card["suggestions"] = suggestions
            card["selectionBehavior"] = "at-most-one"
        links = _links(finding)
        if links:
            card["links"] = links
        cards.append(card)
    return cards


def _prefetch(body: Mapping[str, Any]) -> list[object]:
    prefetch = body.get("prefetch")
    if not isinstance(prefetch, Mapping):
        raise _PreconditionError(
            "prefetch", prefetch, f"the prefetch {sorted(PREFETCH)}"
        )
    resources: list[object] = []
    for key in PREFETCH:
        value = prefetch.get(key)
        if value is None:
            if key in _REQUIRED_PREFETCH:
                raise _PreconditionError(f"prefetch.{key}", None, PREFETCH[key])
            continue
        resources += _entries(value, f"prefetch.{key}")
    return resources


class _PreconditionError(InputError):
    """Prefetch the service needs is missing (HTTP 412)."""


def _error(status: int, err: IvigError) -> tuple[int, dict[str, object]]:
    name = (
        "PrefetchMissing" if isinstance(err, _PreconditionError) else type(err).__name__
    )
    body: dict[str, object] = {"error": name, "message": str(err)}
    if isinstance(err, InputError):
        value = (
            err.value
            if isinstance(err.value, (str, int, float, bool, type(None)))
            else repr(err.value)
        )
        body.update(field=err.field, value=value, allowed=err.allowed)
    return status, body


def handle(
    service_id: str, body: object, config: ServiceConfig
) -> tuple[int, dict[str, object]]:
    """Answer one CDS Hooks 2.0 request: ``(HTTP status, JSON body)``.

    Args:
        service_id: The service called (``"ivig-order-sign"``).
        body: The request body, parsed from JSON.
        config: The site's choices.

    Returns:
        ``200`` with ``{"cards": [...]}``; ``400`` naming the field the
        service could not read; ``404`` for an unknown service; ``412``
        when prefetch it needs is missing.

    Raises:
        InputError: *config* is not a :class:`ServiceConfig` (the site's
            setup, not the request: a request's fault is a 4xx answer).

    .. versionadded:: 0.1.0
    """
    instance(config, ServiceConfig, field="config")
    called: object = service_id  # any JSON value may arrive
    if not isinstance(called, str) or called not in HOOKS:
        return 404, {
            "error": "NotFound",
            "message": f"no service {service_id!r}",
            "field": "service",
            "allowed": f"one of {sorted(HOOKS)}",
        }
    hook = HOOKS[service_id][0]
    try:
        if not isinstance(body, Mapping):
            raise InputError("body", body, "a CDS Hooks request (a JSON object)")
        got = _get(body, "hook", "", f"'{hook}'")
        if got != hook:
            raise InputError("hook", got, f"'{hook}' (the hook of {service_id})")
        hook_instance = _get(body, "hookInstance", "", "the hook instance's UUID")
        context = _get(body, "context", "", "the hook's context")
        _get(context, "patientId", "context", "the patient's id")
        orders = _entries(
            _get(context, "draftOrders", "context", "a Bundle of draft orders"),
            "context.draftOrders",
        )
        selected = _selections(context) if hook == "order-select" else None
        prefetch = _prefetch(body)
        cards: list[dict[str, object]] = []
        for i, resource in enumerate(orders):
            order = read_order(
                resource,
                where=f"context.draftOrders.entry[{i}].resource",
                catalogue=config.catalogue,
            )
            if order is None or (
                selected is not None and _ref(resource) not in selected
            ):
                continue
            plan, _ = _plan(order, config, prefetch)
            assert plan.safety is not None  # noqa: S101 - plan_course attaches it
            cards += _cards(order, plan.safety, config, prefetch, str(hook_instance))
    except _PreconditionError as err:
        return _error(412, err)
    except IvigError as err:
        return _error(400, err)
    return 200, {"cards": cards}


def _selections(context: Mapping[str, Any]) -> set[str]:
    selections = _get(
        context, "selections", "context", "the selected orders' references"
    )
    if not isinstance(selections, list) or not all(
        isinstance(s, str) for s in selections
    ):
        raise InputError(
            "context.selections",
            selections,
            "a list of references such as 'MedicationRequest/1'",
        )
    return set(selections)


def _ref(resource: object) -> str:
    rid = resource.get("id") if isinstance(resource, Mapping) else None
    return f"MedicationRequest/{rid}"
