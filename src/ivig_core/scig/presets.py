"""SCIg regimen presets: the Hizentra US label's CIDP maintenance doses.

Example:
    >>> sorted(SCIG_PRESETS)
    ['hizentra-cidp-0.2', 'hizentra-cidp-0.4']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ivig_core._lazy import LazyMapping
from ivig_core.errors import InputError
from ivig_core.regimen import DayRange, Maintenance, Regimen
from ivig_core.sources import cited


__all__ = ["SCIG_PRESETS", "get_scig_preset"]

#: The sources of the Hizentra CIDP presets, by ID (:mod:`ivig_core.sources`).
SRC_HIZENTRA_CIDP_IDS: Final = ("hizentra-uspi", "hizentra-hcp-site", "path-2018")
SRC_HIZENTRA_CIDP: Final = cited(
    "Hizentra US PI, CIDP: 0.2 g/kg (1 mL/kg) weekly in 1-2 sessions over "
    "1-2 days, starting 1 week after the last IVIg; 0.4 g/kg weekly was also "
    "effective; not derived from the IVIg dose",
    SRC_HIZENTRA_CIDP_IDS,
)


# --------------------------------------------------------------------------
# CIDP presets (Hizentra US label)


def _hizentra_cidp(dose: str, name: str, alternative: bool) -> Regimen:
    fixed = [
        (
            "Hizentra US CIDP dosing is a fixed g/kg weekly dose, not derived "
            "from the IVIg dose (Hizentra US prescribing information)."
        ),
        "Start 1 week after the last IVIg (Hizentra US prescribing information).",
        "If CIDP worsens, the label says to return to IVIg.",
    ]
    if alternative:
        fixed.append(
            "0.4 g/kg weekly is the label's alternative ('also effective'); "
            "PATH extension: relapse 10 % on 0.4 vs 48 % on 0.2 g/kg "
            "(PATH trial extension)."
        )
    return Regimen(
        name=name,
        maintenance=Maintenance(
            dose=dose,  # Hizentra US PI, CIDP (hizentra-uspi, hizentra-hcp-site)
            interval="1 week",  # "weekly"
            allowed_days=DayRange(low=1, high=2),  # "1-2 sessions over 1-2 days"
            allowed_cycles=DayRange(low=1),  # the label gives no number
            source=SRC_HIZENTRA_CIDP,
        ),
        source=SRC_HIZENTRA_CIDP,
        fixed=tuple(fixed),
    )


def _scig_presets() -> dict[str, Regimen]:
    return {
        "hizentra-cidp-0.2": _hizentra_cidp(
            "0.2 g/kg", "hizentra-cidp-0.2", alternative=False
        ),
        "hizentra-cidp-0.4": _hizentra_cidp(
            "0.4 g/kg", "hizentra-cidp-0.4", alternative=True
        ),
    }


#: SCIg regimen presets by name (read-only; made on first use). Days per
#: week (1 or 2 sessions) and the number of weeks are your choices
#: (:meth:`~ivig_core.regimen.Regimen.choose`).
SCIG_PRESETS: Final[Mapping[str, Regimen]] = LazyMapping(_scig_presets, "SCIG_PRESETS")


def get_scig_preset(name: str) -> Regimen:
    """Return the SCIg preset called *name*.

    Example:
        >>> r = get_scig_preset("hizentra-cidp-0.2")
        >>> r.maintenance.dose_g_per_kg, r.maintenance.interval_days
        (0.2, 7.0)

    Raises:
        InputError: Unknown name.

    .. versionadded:: 0.1.0
    """
    if not isinstance(name, str):
        raise InputError("preset", name, f"one of {list(SCIG_PRESETS)}")
    if name in SCIG_PRESETS:
        return SCIG_PRESETS[name]
    raise InputError("preset", name, f"one of {list(SCIG_PRESETS)}")
