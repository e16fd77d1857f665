"""Administration, per route: how each day's volume is given.

* :class:`IvAdministration`: the IV rate ramp (the label's or a given
  schedule, per-kg rates on the rate weight, at-risk caps) through
  :func:`~ivig_core.infusion.plan_infusion_ml`;
* :class:`ScAdministration`: SC and facilitated SC, the fewest sites that
  keep the volume per site within the label limit
  (:func:`~ivig_core.scig.plan_sites`), the rate per site, the pump rate
  (per-site rate × sites) and the duration, with the limits applied and
  their sources in :class:`~ivig_core.plan.ScDetails`.

Both give an :class:`~ivig_core.infusion.InfusionRun` per day; runs of equal
volume are planned once.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from ivig_core import units
from ivig_core._checks import exceeds
from ivig_core.errors import InputError, PlanningError
from ivig_core.infusion import (
    InfusionRun,
    RatePlan,
    RunStep,
    plan_infusion_ml,
    prepare_rates,
    run_volume_ml,
)
from ivig_core.patient import Patient
from ivig_core.plan import ScDetails
from ivig_core.planning.request import FirstInfusions, ScOptions
from ivig_core.products import AtRiskCap, Product, Route
from ivig_core.rates import RateSchedule, RateStep
from ivig_core.trace import Trace
from ivig_core.units import ML_PER_H, Quantity
from ivig_core.vials import RoundingPolicy, VialSelection, get_rounding


if TYPE_CHECKING:
    from ivig_core.scig import ScLimits


__all__ = ["IvAdministration", "ScAdministration", "sc_rounding"]


@attrs.define
class IvAdministration:
    """The IV rate ramp for each day's volume (runs of equal volume shared).

    Attributes:
        product: The product infused.
        schedule: The rate schedule.
        rate_weight_kg: The weight per-kg rates are multiplied by.
        at_risk_cap: A lower maximum rate for a patient at risk, or ``None``.
        indication: The indication whose labelled maximum applies.
    """

    product: Product
    schedule: RateSchedule
    rate_weight_kg: float
    at_risk_cap: Quantity | str | AtRiskCap | None
    indication: str | None
    _runs: dict[float, InfusionRun] = attrs.field(factory=dict, init=False)
    _rates: RatePlan | None = attrs.field(default=None, init=False)
    _steps: dict[int, RunStep] = attrs.field(factory=dict, init=False)

    def run(self, volume_ml: float) -> InfusionRun:
        """The rate steps and duration for *volume_ml*.

        The rates (label and at-risk limits, notes) are worked out once per
        plan; each distinct volume is run through them once.
        """
        found = self._runs.get(volume_ml)
        if found is not None:
            return found
        if self._rates is None:
            self._rates = prepare_rates(
                product=self.product,
                schedule=self.schedule,
                rate_weight_kg=self.rate_weight_kg,
                at_risk_cap=self.at_risk_cap,
                indication=self.indication,
            )
        run = run_volume_ml(volume_ml, self._rates, shared=self._steps)
        self._runs[volume_ml] = run
        return run


def sc_rounding(value: object) -> RoundingPolicy:
    """The rounding policy of an SC plan (a policy or its name)."""
    if isinstance(value, str):
        return get_rounding(value)
    if isinstance(value, RoundingPolicy):
        return value
    raise InputError(
        "rounding",
        value,
        "a RoundingPolicy or its name (e.g. 'never-below'); for a product "
        "without vial sizes in the catalogue (Cuvitru, Xembify: UNCONFIRMED), "
        "convert with a formulary product that has them (load_formulary)",
    )


def _check_situation(patient: Patient, limits: ScLimits) -> None:
    """Refuse limits whose situation names a weight or age the patient lacks."""
    weight, age = patient.weight_kg, patient.age_years
    for row in limits.rows:
        for what, fits, shown in (
            ("weight", row.fits_weight(weight), f"{weight:g} kg"),
            ("age", row.fits_age(age), f"{age:g} years"),
        ):
            if not fits:
                raise InputError(
                    "limits",
                    row.applies_to,
                    f"limits for this patient's {what} ({shown})",
                    f"the situation {row.applies_to!r} does not apply to a patient "
                    f"of {shown}",
                )


def _site_rate(
    site_rate: object, limits: ScLimits, sites: int
) -> tuple[float, float, str]:
    """(rate per site, maximum total mL/h, how) for *sites* sites."""
    limit = limits.rate_per_site_ml_h
    total_limit = limits.total_rate_ml_h
    notes: list[str] = []
    if isinstance(site_rate, str) and site_rate == "label-maximum":
        if limit is None:
            raise InputError(
                "site_rate",
                site_rate,
                "a rate per site such as '20 mL/h'",
                f"{limits.product} has no per-site rate limit for "
                f"{', '.join(limits.applies_to)} in the catalogue (not in the "
                "sources read), so there is no label maximum to use",
            )
        rate = limit
        notes.append(f"the limits' maximum {limit:g} mL/h per site")
        if total_limit is not None and exceeds(rate * sites, total_limit):
            rate = total_limit / sites
            notes.append(
                f"lowered to {rate:.4g} mL/h per site so {sites} sites stay within "
                f"the label's {total_limit:g} mL/h over all sites"
            )
    else:
        rate = units.to_float(site_rate, field="site_rate", unit=ML_PER_H)
        if not rate > 0.0:
            raise InputError("site_rate", site_rate, "a rate > 0 mL/h per site")
        if limit is not None and exceeds(rate, limit):
            raise PlanningError(
                f"site_rate: {rate:g} mL/h per site is {rate - limit:g} mL/h above "
                f"the label's {limit:g} mL/h per site ({', '.join(limits.applies_to)})"
            )
        if total_limit is not None and exceeds(rate * sites, total_limit):
            raise PlanningError(
                f"site_rate: {rate:g} mL/h at {sites} sites is {rate * sites:g} mL/h, "
                f"{rate * sites - total_limit:g} mL/h above the label's "
                f"{total_limit:g} mL/h over all sites"
            )
        notes.append(f"{rate:g} mL/h per site as given")
    maximum = (limit if limit is not None else rate) * sites
    if total_limit is not None:
        maximum = min(maximum, total_limit)
    return rate, maximum, "; ".join(notes)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _limits_trace(limits: ScLimits) -> Trace:
    tiers = ", ".join(
        f"≤ {t.volume_per_site_ml:g} mL/site at {t.sites_from}-{t.sites_to} sites"
        for t in limits.tiers
    )
    extra = [
        f"{name} {value:g} {unit}"
        for name, value, unit in (
            ("rate per site ≤", limits.rate_per_site_ml_h, "mL/h"),
            ("initial rate per site", limits.initial_rate_per_site_ml_h, "mL/h"),
            ("all sites ≤", limits.total_rate_ml_h, "mL/h"),
            ("per day ≤", limits.volume_per_day_ml, "mL"),
        )
        if value is not None
    ]
    return Trace(
        what=f"SC limits ({'; '.join(limits.applies_to)})",
        value="; ".join([tiers, *extra]),
        formula="catalogue rows for the situation, and parameters where the "
        "catalogue has no value",
        inputs=f"{limits.product}: {', '.join(limits.applies_to)}",
        source="; ".join(limits.sources),
    )


@attrs.define
class ScAdministration:
    """Sites, volumes and rates for each SC or facilitated-SC day.

    Attributes:
        patient: The patient (the SC run's per-kg figures use the actual
            weight).
        product: The SC product.
        route: SC or facilitated SC.
        options: The limits, the rate per site, the first infusions.
        trace: The limits and each distinct infusion, in the order first
            met (filled while planning).
    """

    patient: Patient
    product: Product
    route: Route
    options: ScOptions
    trace: list[Trace] = attrs.field(factory=list, init=False)
    _index: int = attrs.field(default=0, init=False)
    _seen: set[tuple[float, tuple[str, ...]]] = attrs.field(factory=set, init=False)
    _traced: set[tuple[str, ...]] = attrs.field(factory=set, init=False)

    def check(self) -> None:
        """Refuse limits of another product or for another weight or age.

        Raises:
            InputError: The limits do not fit the product or the patient.
        """
        first = self.options.first_infusions
        for lim in (self.options.limits, *(() if first is None else (first.limits,))):
            if lim.product != self.product.key:
                raise InputError(
                    "limits",
                    lim.product,
                    f"limits of {self.product.key} (the planned product)",
                )
            _check_situation(self.patient, lim)

    def notes(self) -> list[str]:
        """Say when the catalogue has first-infusion or daily limits not applied."""
        limits, first = self.options.limits, self.options.first_infusions
        return _unused_limit_notes(self.product, limits, first)

    def day(
        self, date: dt.date, selection: VialSelection
    ) -> tuple[InfusionRun, ScDetails]:
        """The run and SC details of the next infusion day.

        Raises:
            PlanningError: More sites than the label allows, a day's volume
                above the daily limit, a rate above the label's.
        """
        first: FirstInfusions | None = self.options.first_infusions
        lim = (
            first.limits
            if first is not None and self._index < first.count
            else self.options.limits
        )
        self._index += 1
        from ivig_core.scig import plan_sites  # noqa: PLC0415 - start-up: the SC modules load on first SC use

        try:
            sites = plan_sites(selection.volume_ml, lim)
        except PlanningError as exc:
            where = f"infusion {self._index} ({date.isoformat()})"
            raise PlanningError(f"{where}: {exc}") from exc
        rate, maximum, how = _site_rate(self.options.site_rate, lim, sites.sites)
        run = _run(
            self.product,
            selection.volume_ml,
            rate * sites.sites,
            maximum,
            lim,
            how,
            self.patient.weight_kg,
        )
        details = ScDetails(
            date=date,
            route=self.route,
            sites=sites.sites,
            volume_ml=selection.volume_ml,
            volume_per_site_ml=sites.volume_per_site_ml,
            volume_limit_per_site_ml=sites.volume_limit_per_site_ml,
            max_sites=sites.max_sites,
            rate_per_site_ml_h=rate,
            rate_limit_per_site_ml_h=lim.rate_per_site_ml_h,
            total_rate_ml_h=rate * sites.sites,
            volume_per_day_limit_ml=lim.volume_per_day_ml,
            applies_to=lim.applies_to,
            sources=lim.sources,
            total_rate_limit_ml_h=lim.total_rate_ml_h,
        )
        if lim.applies_to not in self._traced:
            self._traced.add(lim.applies_to)
            self.trace.append(_limits_trace(lim))
        key = (selection.dispensed_g, lim.applies_to)
        if key not in self._seen:
            self._seen.add(key)
            lines = _infusion_traces(
                self.product, selection, sites.sites, lim, rate, how
            )
            lines[-1] = attrs.evolve(
                lines[-1],
                inputs=f"{lines[-1].inputs}; duration {run.duration_min:.0f} min",
            )
            self.trace.extend(lines)
        return run, details


def _run(  # noqa: PLR0917 - internal helper, called once
    product: Product,
    volume_ml: float,
    total_ml_h: float,
    maximum_ml_h: float,
    limits: ScLimits,
    how: str,
    rate_weight_kg: float,
) -> InfusionRun:
    schedule = RateSchedule(
        steps=[RateStep(rate=units.quantity(total_ml_h, ML_PER_H))],
        maximum=units.quantity(max(maximum_ml_h, total_ml_h), ML_PER_H),
        source="subcutaneous per-site rate × sites: " + "; ".join(limits.sources),
        notes=[f"SC rate per site: {how}"],
    )
    # The IV indications' labelled maxima do not apply to an SC run.
    sc_only = attrs.evolve(product, indications={})
    return plan_infusion_ml(
        volume_ml=volume_ml,
        product=sc_only,
        schedule=schedule,
        rate_weight_kg=rate_weight_kg,
    )


def _unused_limit_notes(
    product: Product, limits: ScLimits, first: FirstInfusions | None
) -> list[str]:
    used = set(limits.applies_to) | set(
        () if first is None else first.limits.applies_to
    )
    notes = []
    firsts = [r.applies_to for r in product.sc_limits if r.is_first]
    if first is None and firsts:
        notes.append(
            f"{product.name}'s catalogue has first-infusion limits "
            f"({'; '.join(firsts)}) that were not applied: pass first_infusions= "
            "if this is the patient's first SC infusion."
        )
    daily = [r.applies_to for r in product.sc_limits if r.volume_per_day is not None]
    if daily and not used.intersection(daily):
        notes.append(
            f"{product.name}'s catalogue has daily volume limits "
            f"({'; '.join(daily)}) that were not applied: add the one for this "
            "patient to the situation."
        )
    return notes


def _infusion_traces(  # noqa: PLR0917 - internal helper, called once
    product: Product,
    selection: VialSelection,
    sites: int,
    limits: ScLimits,
    rate: float,
    how: str,
) -> list[Trace]:
    grams = selection.dispensed_g
    return [
        Trace(
            what=f"infusion of {selection.calculated_g:.4g} g: vials and volume",
            value=f"{grams:g} g, {selection.volume_ml:.4g} mL",
            formula=f"{selection.reason}; volume = grams ÷ concentration",
            inputs=f"{product.name} {product.concentration_g_per_l:g} g/L",
            source=f"{product.name} catalogue entry ({product.presentation_source})",
        ),
        Trace(
            what=f"infusion of {grams:g} g: sites",
            value=f"{_plural(sites, 'site')} × {selection.volume_ml / sites:.4g} mL",
            formula="fewest sites with volume ÷ sites ≤ the per-site limit "
            f"({limits.volume_limit_ml(sites):g} mL at {_plural(sites, 'site')}); "
            "equal split",
            inputs=f"{selection.volume_ml:.4g} mL; at most "
            f"{_plural(limits.max_sites, 'site')}",
            source=f"SC limits ({'; '.join(limits.applies_to)}), above",
        ),
        Trace(
            what=f"infusion of {grams:g} g: rate",
            value=f"{rate:.4g} mL/h per site, {rate * sites:.4g} mL/h in all",
            formula=f"rate per site × sites ({how}); duration = mL per site ÷ "
            "mL/h per site",
            inputs=_plural(sites, "site"),
            source=f"SC limits ({'; '.join(limits.applies_to)}), above",
        ),
    ]
