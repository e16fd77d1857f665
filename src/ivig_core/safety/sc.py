"""Subcutaneous checks: sites, volume and rate per site, daily volume.

For SC and facilitated-SC plans (``Plan.route``), read from each infusion's
:class:`~ivig_core.plan.ScDetails` (``Infusion.sc``):

* ``SC_ROUTE_RULES`` (info): which rules apply to the route and which do
  not (the IVIG renal boxed warning, the sucrose rule and the IV rate checks
  in mg/kg/min), and why: SCIg and HyQvia carry a thrombosis-only boxed
  warning (reference §4.1).
* ``SC_SITES_ABOVE_LABEL_MAX`` (hard limit): more sites than the maximum.
* ``SC_VOLUME_PER_SITE_ABOVE_LABEL`` (hard limit): volume ÷ sites above the
  per-site volume for that number of sites.
* ``SC_RATE_PER_SITE_ABOVE_LABEL`` (hard limit): pump rate ÷ sites above the
  per-site maximum, or the pump rate above the maximum over all sites.
* ``SC_DAILY_VOLUME_ABOVE_LABEL`` (hard limit): a day's volume (every
  infusion that day) above the daily maximum for the patient's weight
  (HyQvia: 1200 mL, 600 mL under 40 kg).

Nothing the planner recorded is trusted on its own. The numbers are
recomputed from the infusion (volume ÷ sites, the run's highest step ÷
sites, the day's summed volume), and each limit is the catalogue's value for
the situations the plan names (``applies_to``), and for the patient's weight
or age where a situation names one; a limit the planner recorded is used
only where it is stricter, or where the catalogue has none (a parameter the
caller gave, with its source). A situation that names a weight or age the
patient does not have is replaced by the catalogue's matching situation for
the patient; without one, the infusion is not assessed. An SC plan whose
infusions carry no SC details, or a product that is not known, is "not
assessed", never a silent pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from ivig_core.safety.findings import SC_BOXED, Concern, Finding, FindingCode, Severity


if TYPE_CHECKING:
    from ivig_core.products import Product, ScSiteLimit
    from ivig_core.safety._context import Context, InfusionFacts, PatientFacts, ScFacts
    from ivig_core.safety.config import SafetyConfig


__all__ = ["check_sc"]

_REL_TOL: Final = 1e-9  # float round-off, not a clinical tolerance

_ROUTE_NAMES: Final = {"sc": "Subcutaneous", "facilitated_sc": "Facilitated SC"}

_SC_CODES: Final = (
    FindingCode.SC_SITES_ABOVE_LABEL_MAX,
    FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL,
    FindingCode.SC_RATE_PER_SITE_ABOVE_LABEL,
    FindingCode.SC_DAILY_VOLUME_ABOVE_LABEL,
)


def _above(value: float, limit: float) -> bool:
    return value > limit * (1.0 + _REL_TOL)


def _q(value: object) -> float | None:
    magnitude = getattr(value, "magnitude", None)
    return None if magnitude is None else float(magnitude)


# --------------------------------------------------------------------------
# Situations


def _fits(row: ScSiteLimit, patient: PatientFacts) -> bool:
    """Whether the row's weight and age bands fit the patient."""
    return row.fits(weight_kg=patient.weight_kg, age_years=patient.age_years)


def _rows(
    product: Product, applies_to: Sequence[str], patient: PatientFacts
) -> tuple[list[ScSiteLimit], list[str]]:
    """(the catalogue rows for the patient, the situations that have none).

    A situation whose weight or age band does not fit the patient is
    replaced by the catalogue's situation with the same words and a band
    that does; situations not in the catalogue are returned as unknown.
    """
    by_text = {r.applies_to.strip().lower(): r for r in product.sc_limits}
    rows: list[ScSiteLimit] = []
    unknown: list[str] = []
    for text in applies_to:
        row = by_text.get(text.strip().lower())
        if row is None:
            unknown.append(text)
            continue
        if _fits(row, patient):
            rows.append(row)
            continue
        twins = [
            r for r in product.sc_limits if r.is_twin_of(row) and _fits(r, patient)
        ]
        if twins:
            rows.extend(twins)
        else:
            unknown.append(text)
    return rows, unknown


def _label(row: ScSiteLimit) -> str:
    return f"{row.applies_to}: {row.source}"


def _volume_rows(rows: Sequence[ScSiteLimit], sites: int) -> list[ScSiteLimit]:
    """The per-site volume rows that cover *sites* sites.

    A row whose last site (``sites_to``, else ``max_sites``) is N covers the
    counts above the next smaller N up to N; a row without covers the counts
    below the smallest N (HyQvia: 600 mL at 1-2 sites, 400 mL at 3), as
    :class:`~ivig_core.scig.ScLimits` reads them.
    """
    with_volume = [r for r in rows if r.volume_per_site is not None]
    bounded = sorted(
        (r for r in with_volume if r.last_site is not None),
        key=lambda r: r.last_site or 0,
    )
    open_rows = [r for r in with_volume if r.last_site is None]
    smallest = bounded[0].last_site if bounded else None
    if smallest is None or (open_rows and sites < smallest):
        return open_rows
    return [r for r in bounded if (r.last_site or 0) >= sites][:1]


def _max_sites(rows: Sequence[ScSiteLimit]) -> tuple[int, str] | None:
    """The catalogue's maximum number of sites for the rows, with its source."""
    with_volume = [r for r in rows if r.volume_per_site is not None and r.max_sites]
    site_rows = [r for r in rows if r.volume_per_site is None and r.max_sites]
    found: list[tuple[int, str]] = []
    if with_volume:
        top = max(with_volume, key=lambda r: r.max_sites or 0)
        found.append((top.max_sites or 0, _label(top)))
    found.extend((r.max_sites or 0, _label(r)) for r in site_rows)
    return min(found) if found else None


def _recorded(sources: Sequence[str], *names: str) -> str:
    """The recorded sources that name one of *names* (all if none does)."""
    named = [t for t in sources if any(t.startswith(n) or f"; {n}" in t for n in names)]
    return "; ".join(named or sources)


def _least(
    catalogue: Sequence[tuple[float, str]], recorded: float | None, sources: str
) -> tuple[float, str] | None:
    """The strictest of the catalogue's values and the recorded one."""
    found = list(catalogue)
    if recorded is not None and (
        not found or recorded < min(v for v, _ in found) * (1.0 - _REL_TOL)
    ):
        found.append((recorded, f"as recorded on the plan ({sources})"))
    return min(found) if found else None


# --------------------------------------------------------------------------
# Findings


def _fire(code: FindingCode, message: str, source: str, inf: InfusionFacts) -> Finding:
    return Finding(
        code=code,
        severity=code.rule.severity,
        message=message,
        source=source,
        concerns=Concern.infusion_on(inf.date, inf.cycle),
    )


def _not_assessed(
    code: FindingCode, message: str, concern: Concern | None = None
) -> Finding:
    return Finding(
        code=code,
        severity=Severity.WARNING,
        message=message,
        source=code.rule.source,
        concerns=Concern.whole_plan() if concern is None else concern,
        assessed=False,
    )


def _sites(
    inf: InfusionFacts, sc: ScFacts, rows: Sequence[ScSiteLimit], name: str
) -> list[Finding]:
    code = FindingCode.SC_SITES_ABOVE_LABEL_MAX
    cat = _max_sites(rows)
    limit = _least(
        [] if cat is None else [(float(cat[0]), cat[1])],
        float(sc.max_sites),
        _recorded(sc.sources, "max_sites"),
    )
    if limit is None or not _above(float(sc.sites), limit[0]):
        return []
    return [
        _fire(
            code,
            f"{sc.sites} sites at once is {sc.sites - limit[0]:g} more than the "
            f"maximum of {limit[0]:g} for {name}. Use fewer sites, or give the "
            "dose over more days.",
            limit[1],
            inf,
        )
    ]


def _volume(
    inf: InfusionFacts, sc: ScFacts, rows: Sequence[ScSiteLimit], name: str
) -> list[Finding]:
    code = FindingCode.SC_VOLUME_PER_SITE_ABOVE_LABEL
    volume = max(inf.volume_ml, sc.volume_ml)
    per_site = max(volume / sc.sites, sc.volume_per_site_ml)
    catalogue = [
        (v, _label(r))
        for r in _volume_rows(rows, sc.sites)
        if (v := _q(r.volume_per_site)) is not None
    ]
    limit = _least(
        catalogue,
        sc.volume_limit_per_site_ml,
        _recorded(sc.sources, "volume_per_site"),
    )
    if limit is None or not _above(per_site, limit[0]):
        return []
    return [
        _fire(
            code,
            f"{volume:.1f} mL at {sc.sites} site{'s' if sc.sites != 1 else ''} is "
            f"{per_site:.1f} mL per site, {per_site - limit[0]:.1f} mL above the "
            f"{limit[0]:g} mL per site at {sc.sites} site"
            f"{'s' if sc.sites != 1 else ''} for {name}. Use more sites (within "
            "the maximum) or give the dose over more days.",
            limit[1],
            inf,
        )
    ]


def _rate(
    inf: InfusionFacts, sc: ScFacts, rows: Sequence[ScSiteLimit], name: str
) -> list[Finding]:
    code = FindingCode.SC_RATE_PER_SITE_ABOVE_LABEL
    pump = max((*inf.rates_ml_h, sc.total_rate_ml_h, sc.rate_per_site_ml_h * sc.sites))
    per_site = pump / sc.sites
    per_site_limit = _least(
        [(v, _label(r)) for r in rows if (v := _q(r.rate_per_site)) is not None],
        sc.rate_limit_per_site_ml_h,
        _recorded(sc.sources, "rate_per_site"),
    )
    total_limit = _least(
        [(v, _label(r)) for r in rows if (v := _q(r.total_rate)) is not None],
        sc.total_rate_limit_ml_h,
        _recorded(sc.sources, "total_rate"),
    )
    out: list[Finding] = []
    if per_site_limit is None:
        out.append(
            _not_assessed(
                code,
                f"No per-site rate limit for {name} in the catalogue or on the "
                f"plan: the rate of {per_site:.1f} mL/h per site was not assessed.",
                Concern.infusion_on(inf.date, inf.cycle),
            )
        )
    elif _above(per_site, per_site_limit[0]):
        out.append(
            _fire(
                code,
                f"{pump:.1f} mL/h at {sc.sites} site{'s' if sc.sites != 1 else ''} "
                f"is {per_site:.1f} mL/h per site, above the {per_site_limit[0]:g} "
                f"mL/h per site for {name}. Lower the rate to the label's maximum.",
                per_site_limit[1],
                inf,
            )
        )
    if total_limit is not None and _above(pump, total_limit[0]):
        out.append(
            _fire(
                code,
                f"{pump:.1f} mL/h over all {sc.sites} sites is above the "
                f"{total_limit[0]:g} mL/h over all sites for {name}. Lower the "
                "rate to the label's maximum over all sites.",
                total_limit[1],
                inf,
            )
        )
    return out


def _daily(ctx: Context, product: Product) -> list[Finding]:
    """Every day's summed volume against the daily limit for the patient."""
    code = FindingCode.SC_DAILY_VOLUME_ABOVE_LABEL
    daily = [r for r in product.sc_limits if r.volume_per_day is not None]
    fitting = [
        (v, _label(r))
        for r in daily
        if _fits(r, ctx.patient) and (v := _q(r.volume_per_day)) is not None
    ]
    days: dict[object, list[InfusionFacts]] = {}
    for inf in ctx.infusions:
        days.setdefault(inf.date, []).append(inf)
    out: list[Finding] = []
    if daily and not fitting:
        out.append(
            _not_assessed(
                code,
                f"None of {product.name}'s daily volume limits "
                f"({'; '.join(r.applies_to for r in daily)}) names this patient "
                f"({ctx.patient.weight_kg:g} kg, {ctx.patient.age_years:g} years): "
                "daily volume not assessed.",
            )
        )
    for date, infs in sorted(days.items(), key=lambda kv: kv[1][0].index):
        recorded = [
            i.sc.volume_per_day_limit_ml
            for i in infs
            if i.sc is not None and i.sc.volume_per_day_limit_ml is not None
        ]
        sources = _recorded(
            tuple(
                dict.fromkeys(s for i in infs if i.sc is not None for s in i.sc.sources)
            ),
            "volume_per_day",
        )
        limit = _least(fitting, min(recorded) if recorded else None, sources)
        if limit is None:
            continue
        volume = sum(max(i.volume_ml, 0.0) for i in infs)
        if _above(volume, limit[0]):
            first = infs[0]
            out.append(
                _fire(
                    code,
                    f"{volume:.1f} mL on {date} is {volume - limit[0]:.1f} mL above "
                    f"{product.name}'s daily maximum of {limit[0]:g} mL for this "
                    f"patient ({ctx.patient.weight_kg:g} kg). Give the dose over "
                    "more days.",
                    limit[1],
                    first,
                )
            )
    return out


def _route_rules(ctx: Context, name: str) -> Finding:
    code = FindingCode.SC_ROUTE_RULES
    return Finding(
        code=code,
        severity=code.rule.severity,
        message=(
            f"{_ROUTE_NAMES.get(ctx.route, ctx.route)} plan ({name}): "
            "the SC rules apply. The thrombosis boxed warning applies; the IVIG "
            "renal boxed warning (RENAL_RISK) and the sucrose rule do not apply "
            "(SCIg and HyQvia carry a thrombosis-only boxed warning), nor do the "
            "IV rate checks in mg/kg/min (SC rates are per site, checked against "
            "the label's per-site limits)."
        ),
        source=SC_BOXED,
        concerns=Concern.whole_plan(),
    )


def check_sc(ctx: Context, cfg: SafetyConfig) -> list[Finding]:  # noqa: ARG001
    """All subcutaneous findings (none for an IV plan).

    .. versionadded:: 0.1.0
    """
    if not ctx.subcutaneous:
        return []
    product = ctx.product
    name = "the product" if product is None else product.name
    out = [_route_rules(ctx, name)]
    if product is None:
        out.extend(
            _not_assessed(
                code,
                "The product is not known: its SC limits were not assessed.",
            )
            for code in _SC_CODES
        )
        return out
    bare = [inf for inf in ctx.infusions if inf.sc is None]
    if bare:
        dates = ", ".join(inf.date.isoformat() for inf in bare)
        out.extend(
            _not_assessed(
                code,
                f"{len(bare)} infusion{'s' if len(bare) != 1 else ''} of this SC "
                f"plan carry no SC details (sites, volume and rate per site): "
                f"not assessed ({dates}).",
            )
            for code in _SC_CODES
        )
    for inf in ctx.infusions:
        sc = inf.sc
        if sc is None:
            continue
        rows, unknown = _rows(product, sc.applies_to, ctx.patient)
        if unknown:
            out.extend(
                _not_assessed(
                    code,
                    f"The SC limits applied ({'; '.join(unknown)}) are not "
                    f"{product.name}'s catalogue situations for this patient "
                    f"({ctx.patient.weight_kg:g} kg, {ctx.patient.age_years:g} "
                    "years): checked against the plan's recorded limits only.",
                    Concern.infusion_on(inf.date, inf.cycle),
                )
                for code in _SC_CODES[:3]
            )
        out.extend(_sites(inf, sc, rows, product.name))
        out.extend(_volume(inf, sc, rows, product.name))
        out.extend(_rate(inf, sc, rows, product.name))
    out.extend(_daily(ctx, product))
    return out
