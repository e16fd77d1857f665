"""Subcutaneous checks: sites, volume and rate per site, daily volume.

For SC and facilitated-SC plans (``Plan.route``), read from each infusion's
:class:`~ivig_core.plan.ScDetails` (``Infusion.sc``). The IVIG renal boxed
warning, the sucrose rule and the IV rate checks in mg/kg/min do not apply:
SCIg and HyQvia carry a thrombosis-only boxed warning.

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

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final

from ivig_core._checks import REL_TOL, exceeds
from ivig_core.findings import Concern, Finding, Rule, Severity
from ivig_core.patient import Patient
from ivig_core.plan import Infusion, ScDetails
from ivig_core.products import Product, Route, ScSiteLimit
from ivig_core.safety.context import Context, rates_ml_h
from ivig_core.safety.registry import check, describe
from ivig_core.safety.thrombosis import SC_BOXED
from ivig_core.sources import cited
from ivig_core.units import Quantity


__all__: list[str] = []

_ROUTE_NAMES: Final = {Route.SC: "Subcutaneous", Route.FACILITATED_SC: "Facilitated SC"}

_SC_LIMITS: Final = cited(
    "The product's SC limits in the catalogue, from its label (Hizentra, "
    "HyQvia, Cuvitru, Xembify, Gamunex-C SC, Gammagard Liquid SC); values the "
    "catalogue lacks are the planner's parameters, with the source given for "
    "them",
    (
        "hizentra-uspi",
        "hyqvia-uspi",
        "cuvitru-uspi",
        "xembify-uspi",
        "gamunexc-uspi",
        "gammagard-liquid-uspi",
    ),
)


def _q(value: Quantity | None) -> float | None:
    return None if value is None else float(value.magnitude)


# --------------------------------------------------------------------------
# Situations


def _fits(row: ScSiteLimit, patient: Patient) -> bool:
    """Whether the row's weight and age bands fit the patient."""
    return row.fits(weight_kg=patient.weight_kg, age_years=patient.age_years)


def _rows(
    product: Product, applies_to: Sequence[str], patient: Patient
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
        not found or recorded < min(v for v, _ in found) * (1.0 - REL_TOL)
    ):
        found.append((recorded, f"as recorded on the plan ({sources})"))
    return min(found) if found else None


# --------------------------------------------------------------------------
# What every SC limit check shares


def _plural(n: int) -> str:
    return "s" if n != 1 else ""


def _limits(rule: Rule, ctx: Context) -> Iterator[tuple[Infusion, ScDetails] | Finding]:
    """The not-assessed finding a limit check shares, then each SC infusion.

    Yields a finding for infusions without SC details, then each infusion
    with its SC details.
    """
    bare = [inf for inf in ctx.infusions if inf.sc is None]
    if bare:
        dates = ", ".join(inf.date.isoformat() for inf in bare)
        yield rule.not_assessed(
            f"{len(bare)} infusion{_plural(len(bare))} of this SC plan "
            f"carr{'ies' if len(bare) == 1 else 'y'} no SC details (sites, volume "
            f"and rate per site): not assessed ({dates}).",
            Concern.whole_plan(),
        )
    for inf in ctx.infusions:
        if inf.sc is not None:
            yield inf, inf.sc


#: One SC limit's comparison for one infusion: (rule, infusion, its SC
#: details, its catalogue rows, the product's name) -> findings.
_Judge = Callable[
    [Rule, Infusion, ScDetails, Sequence[ScSiteLimit], str], list[Finding]
]


def _per_infusion(rule: Rule, ctx: Context, judge: _Judge) -> list[Finding]:
    """Run *judge* on every SC infusion against its catalogue rows."""
    if not ctx.subcutaneous:
        return []
    out: list[Finding] = []
    for item in _limits(rule, ctx):
        if isinstance(item, Finding):
            out.append(item)
            continue
        inf, sc = item
        product = ctx.product
        rows, unknown = _rows(product, sc.applies_to, ctx.patient)
        if unknown:
            out.append(
                rule.not_assessed(
                    f"The SC limits applied ({'; '.join(unknown)}) are not "
                    f"{product.name}'s catalogue situations for this patient "
                    f"({ctx.patient.weight_kg:g} kg, {ctx.patient.age_years:g} "
                    "years): checked against the plan's recorded limits only.",
                    Concern.infusion_on(inf.date, inf.cycle),
                )
            )
        out.extend(judge(rule, inf, sc, rows, product.name))
    return out


def _fire(rule: Rule, message: str, source: str, inf: Infusion) -> Finding:
    return rule.fired(message, Concern.infusion_on(inf.date, inf.cycle), source=source)


# --------------------------------------------------------------------------
# The checks


@check(
    code="SC_ROUTE_RULES",
    severity=Severity.INFO,
    rule=(
        "Every SC or facilitated-SC plan: the SC rules apply. The "
        "thrombosis boxed warning applies; the renal boxed warning "
        "(RENAL_RISK) only where the product's label carries it "
        "(Gamunex-C, Gammagard Liquid); the sucrose rule and the IV "
        "rate checks in mg/kg/min (RATE_ABOVE_LABEL_MAX, "
        "RATE_ABOVE_AT_RISK_CAP) do not; SC rates are checked per "
        "site."
    ),
    action=(
        "None: says which rules were applied and which do not apply "
        "to the route, and why."
    ),
    source=SC_BOXED,
)
def _route_rules(rule: Rule, ctx: Context) -> Iterable[Finding]:
    if not ctx.subcutaneous:
        return []
    name = ctx.product.name
    renal = (
        f"the renal boxed warning of {name}'s label applies too (RENAL_RISK: "
        "one label for IV and SC); the sucrose rule does not apply"
        if ctx.renal_boxed
        else "the IVIG renal boxed warning (RENAL_RISK) and the sucrose rule do "
        f"not apply ({name}'s label carries a thrombosis-only boxed warning)"
    )
    return [
        rule.fired(
            f"{_ROUTE_NAMES.get(ctx.route, ctx.route.value)} plan ({name}): "
            f"the SC rules apply. The thrombosis boxed warning applies; {renal}; "
            "nor do the IV rate checks in mg/kg/min apply (SC rates are per "
            "site, checked against the label's per-site limits).",
            Concern.whole_plan(),
        )
    ]


def _judge_sites(
    rule: Rule, inf: Infusion, sc: ScDetails, rows: Sequence[ScSiteLimit], name: str
) -> list[Finding]:
    cat = _max_sites(rows)
    limit = _least(
        [] if cat is None else [(float(cat[0]), cat[1])],
        float(sc.max_sites),
        _recorded(sc.sources, "max_sites"),
    )
    if limit is None or not exceeds(float(sc.sites), limit[0]):
        return []
    return [
        _fire(
            rule,
            f"{sc.sites} sites at once is {sc.sites - limit[0]:g} more than the "
            f"maximum of {limit[0]:g} for {name}. Use fewer sites, or give the "
            "dose over more days.",
            limit[1],
            inf,
        )
    ]


@check(
    code="SC_SITES_ABOVE_LABEL_MAX",
    severity=Severity.HARD_LIMIT,
    rule=(
        "An SC infusion at more sites at once than the label's "
        "maximum (or the maximum given for the plan where the label "
        "has none)."
    ),
    action="Use fewer sites, or give the dose over more days.",
    source=_SC_LIMITS,
)
def _sites(rule: Rule, ctx: Context) -> Iterable[Finding]:
    return _per_infusion(rule, ctx, _judge_sites)


def _judge_volume(
    rule: Rule, inf: Infusion, sc: ScDetails, rows: Sequence[ScSiteLimit], name: str
) -> list[Finding]:
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
    if limit is None or not exceeds(per_site, limit[0]):
        return []
    s = _plural(sc.sites)
    return [
        _fire(
            rule,
            f"{volume:.1f} mL at {sc.sites} site{s} is "
            f"{per_site:.1f} mL per site, {per_site - limit[0]:.1f} mL above the "
            f"{limit[0]:g} mL per site at {sc.sites} site{s} for {name}. Use more "
            "sites (within the maximum) or give the dose over more days.",
            limit[1],
            inf,
        )
    ]


@check(
    code="SC_VOLUME_PER_SITE_ABOVE_LABEL",
    severity=Severity.HARD_LIMIT,
    rule=(
        "An SC infusion's volume ÷ sites above the label's per-site "
        "volume for that number of sites (HyQvia: 600 mL at 1-2 "
        "sites, 400 mL at 3)."
    ),
    action="Use more sites (within the maximum) or give the dose over more days.",
    source=_SC_LIMITS,
)
def _volume(rule: Rule, ctx: Context) -> Iterable[Finding]:
    return _per_infusion(rule, ctx, _judge_volume)


def _judge_rate(
    rule: Rule, inf: Infusion, sc: ScDetails, rows: Sequence[ScSiteLimit], name: str
) -> list[Finding]:
    pump = max((*rates_ml_h(inf), sc.total_rate_ml_h, sc.rate_per_site_ml_h * sc.sites))
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
    s = _plural(sc.sites)
    if per_site_limit is None:
        out.append(
            rule.not_assessed(
                f"No per-site rate limit for {name} in the catalogue or on the "
                f"plan: the rate of {per_site:.1f} mL/h per site was not assessed.",
                Concern.infusion_on(inf.date, inf.cycle),
            )
        )
    elif exceeds(per_site, per_site_limit[0]):
        out.append(
            _fire(
                rule,
                f"{pump:.1f} mL/h at {sc.sites} site{s} "
                f"is {per_site:.1f} mL/h per site, above the {per_site_limit[0]:g} "
                f"mL/h per site for {name}. Lower the rate to the label's maximum.",
                per_site_limit[1],
                inf,
            )
        )
    if total_limit is not None and exceeds(pump, total_limit[0]):
        out.append(
            _fire(
                rule,
                f"{pump:.1f} mL/h over all {sc.sites} sites is above the "
                f"{total_limit[0]:g} mL/h over all sites for {name}. Lower the "
                "rate to the label's maximum over all sites.",
                total_limit[1],
                inf,
            )
        )
    return out


@check(
    code="SC_RATE_PER_SITE_ABOVE_LABEL",
    severity=Severity.HARD_LIMIT,
    rule=(
        "An SC infusion's pump rate ÷ sites above the label's "
        "per-site maximum, or its pump rate above the label's "
        "maximum over all sites (Gammagard Liquid SC: 240 mL/h, "
        "160 mL/h under 40 kg)."
    ),
    action="Lower the rate to the label's per-site (and total) maximum.",
    source=_SC_LIMITS,
)
def _rate(rule: Rule, ctx: Context) -> Iterable[Finding]:
    return _per_infusion(rule, ctx, _judge_rate)


def _daily_limit(
    infs: Sequence[Infusion], fitting: list[tuple[float, str]]
) -> tuple[float, str] | None:
    recorded = [
        i.sc.volume_per_day_limit_ml
        for i in infs
        if i.sc is not None and i.sc.volume_per_day_limit_ml is not None
    ]
    sources = _recorded(
        tuple(dict.fromkeys(s for i in infs if i.sc is not None for s in i.sc.sources)),
        "volume_per_day",
    )
    return _least(fitting, min(recorded) if recorded else None, sources)


@check(
    code="SC_DAILY_VOLUME_ABOVE_LABEL",
    severity=Severity.HARD_LIMIT,
    rule=(
        "A day's SC volume (all infusions that day) above the "
        "label's daily maximum for the patient's weight (HyQvia: "
        "1200 mL, 600 mL under 40 kg)."
    ),
    action="Give the dose over more days.",
    source=(
        "The product's daily volume limits in the catalogue; HyQvia "
        "US PI: ≤ 1,200 mL/day (≤ 600 mL if < 40 kg)"
    ),
    sources=("hyqvia-uspi",),
)
def _daily(rule: Rule, ctx: Context) -> Iterable[Finding]:
    """Every day's summed volume against the daily limit for the patient."""
    if not ctx.subcutaneous:
        return []
    out = [f for f in _limits(rule, ctx) if isinstance(f, Finding)]
    product = ctx.product
    daily = [r for r in product.sc_limits if r.volume_per_day is not None]
    fitting = [
        (v, _label(r))
        for r in daily
        if _fits(r, ctx.patient) and (v := _q(r.volume_per_day)) is not None
    ]
    if daily and not fitting:
        out.append(
            rule.not_assessed(
                f"None of {product.name}'s daily volume limits "
                f"({'; '.join(r.applies_to for r in daily)}) names this patient "
                f"({ctx.patient.weight_kg:g} kg, {ctx.patient.age_years:g} years): "
                "daily volume not assessed.",
                Concern.whole_plan(),
            )
        )
    days: dict[dt.date, list[Infusion]] = {}
    for inf in ctx.infusions:
        days.setdefault(inf.date, []).append(inf)
    for date, infs in days.items():
        limit = _daily_limit(infs, fitting)
        if limit is None:
            continue
        # Volumes are >= 0 (check_plan_values refuses others before any check).
        volume = sum(i.volume_ml for i in infs)
        if exceeds(volume, limit[0]):
            out.append(
                _fire(
                    rule,
                    f"{volume:.1f} mL on {date} is {volume - limit[0]:.1f} mL above "
                    f"{product.name}'s daily maximum of {limit[0]:g} mL for this "
                    f"patient ({ctx.patient.weight_kg:g} kg). Give the dose over "
                    "more days.",
                    limit[1],
                    infs[0],
                )
            )
    return out


__doc__ = (__doc__ or "") + describe(__name__)
