"""A synthetic population, for examples, tests and benchmarks.

**Synthetic: not real patients, and not a sample of any survey.** The
anthropometrics come from simple parametric distributions whose parameters
are the arguments of :func:`synthetic_population` (defaults in
:data:`ADULT`, :data:`CHILD_HEIGHT_CM` and :data:`CHILD_BMI`). The defaults
were chosen so that the values look plausible (adult heights around
162-176 cm, a median adult BMI of 27 kg/m², children growing from about
87 cm at 2 years to adult height at 17) and span a wide range, including
heavy and short patients, where the dosing-weight policies differ. They are
not fitted to a growth chart or a national survey: do not read population
statistics off this data. To study your own site, use your own table.

The indication mix (:data:`DEFAULT_MIX`) is a plausible neurology and
immunology infusion clinic's, also synthetic: CIDP on the ICE regimen
(Privigen, Gamunex-C or Panzyga) and dermatomyositis on the Octagam 10 %
label's regimen, adults and (a tenth by default) children, with the
regimen's open choices filled in. Serum creatinine and IgA are known for
some patients only, as in a real work list.

The same arguments always give the same table (a NumPy generator with a
fixed random state).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import attrs
import numpy as np
import pandas as pd

from ivig_core._checks import finite, whole
from ivig_core.errors import InputError


__all__ = [
    "ADULT",
    "CHILD_BMI",
    "CHILD_HEIGHT_CM",
    "DEFAULT_MIX",
    "Adult",
    "Arm",
    "synthetic_population",
]


@attrs.frozen(kw_only=True)
class Adult:
    """Synthetic adult anthropometrics (normal heights, log-normal BMI).

    .. versionadded:: 0.1.0
    """

    age_years: tuple[float, float] = (18.0, 85.0)
    height_cm: Mapping[str, tuple[float, float]] = attrs.field(
        factory=lambda: {"female": (162.0, 6.5), "male": (176.0, 7.0)}
    )
    bmi_median: float = 27.0
    bmi_log_sd: float = 0.2
    bmi_range: tuple[float, float] = (15.0, 60.0)


#: The default adult parameters (synthetic, see the module).
ADULT: Final = Adult()

#: Mean height (cm) at ages 2, 5, 10, 14 and 17 years, by sex, joined by
#: straight lines; the spread is 4 % of the mean (synthetic, see the module).
CHILD_HEIGHT_CM: Final[Mapping[str, Sequence[tuple[float, float]]]] = {
    "female": ((2, 86.0), (5, 109.0), (10, 138.0), (14, 159.0), (17, 163.0)),
    "male": ((2, 87.0), (5, 110.0), (10, 138.0), (14, 163.0), (17, 175.0)),
}

#: Median BMI (kg/m²) at ages 2, 6, 10, 14, 17, and its log spread
#: (synthetic, see the module).
CHILD_BMI: Final = (((2, 16.5), (6, 15.5), (10, 17.0), (14, 19.5), (17, 21.5)), 0.14)


@attrs.frozen(kw_only=True)
class Arm:
    """One line of the indication mix: a regimen, its choices and products.

    .. versionadded:: 0.1.0
    """

    weight: float
    preset: str
    indication: str
    products: tuple[str, ...]
    choices: Mapping[str, int] = attrs.field(factory=dict)


#: A synthetic clinic's indication mix (weights add up to 1).
DEFAULT_MIX: Final = (
    Arm(
        weight=0.6,
        preset="cidp-ice",
        indication="cidp",
        products=("privigen", "gamunex-c", "panzyga"),
        choices={"induction_days": 2, "maintenance_days": 1},
    ),
    Arm(
        weight=0.4,
        preset="octagam10-dm",
        indication="dermatomyositis",
        products=("octagam 10%",),
        choices={"maintenance_days": 2, "cycles": 13},
    ),
)

_COLUMNS: Final = (
    "id",
    "sex",
    "age_year",
    "height_cm",
    "weight_kg",
    "serum_creatinine_mg_dl",
    "serum_iga_mg_dl",
    "preset",
    "cycles",
    "induction_days",
    "maintenance_days",
    "product",
    "indication",
)


def _lognormal_within(
    rng: np.random.Generator,
    median: np.ndarray,
    log_sd: float,
    low: float,
    high: float,
) -> np.ndarray:
    """Log-normal draws around *median*, drawn again until inside [low, high]."""
    out = median * np.exp(rng.normal(0.0, log_sd, size=median.shape))
    bad = (out < low) | (out > high)
    while bad.any():
        out[bad] = median[bad] * np.exp(rng.normal(0.0, log_sd, size=int(bad.sum())))
        bad = (out < low) | (out > high)
    return out


def _line(points: Sequence[tuple[float, float]], x: np.ndarray) -> np.ndarray:
    xs = np.array([p[0] for p in points], dtype=float)
    ys = np.array([p[1] for p in points], dtype=float)
    out: np.ndarray = np.interp(x, xs, ys)
    return out


def _mix(value: object) -> tuple[Arm, ...]:
    arms = tuple(value) if isinstance(value, (list, tuple)) else ()
    if not arms or not all(isinstance(a, Arm) for a in arms):
        raise InputError("mix", value, "one or more Arm")
    total = sum(a.weight for a in arms)
    if abs(total - 1.0) > 1e-9:
        raise InputError("mix", total, "arm weights adding up to 1")
    return arms


def synthetic_population(
    n: int,
    *,
    random_state: int = 2026,
    children: float = 0.1,
    adult: Adult = ADULT,
    mix: Sequence[Arm] = DEFAULT_MIX,
    labs_known: float = 0.7,
) -> pd.DataFrame:
    """A synthetic population table of *n* patients (see the module).

    Args:
        n: Number of patients.
        random_state: The generator's state: the same value, the same table.
        children: Fraction of children (2-17 years).
        adult: The adult anthropometric parameters.
        mix: The indication mix.
        labs_known: Fraction of patients whose creatinine and IgA are known.

    Returns:
        A table in the layout :func:`~ivig_core.population.read_population`
        reads (units in the headers).

    Example:
        >>> table = synthetic_population(3, random_state=1)
        >>> list(table.columns[:5])
        ['id', 'sex', 'age_year', 'height_cm', 'weight_kg']
        >>> synthetic_population(3, random_state=1).equals(table)
        True

    .. versionadded:: 0.1.0
    """
    count = whole(n, field="n", low=0)
    child_share = finite(children, field="children", low=0.0, high=1.0)
    known = finite(labs_known, field="labs_known", low=0.0, high=1.0)
    arms = _mix(mix)
    rng = np.random.default_rng(whole(random_state, field="random_state", low=0))
    sex = np.where(rng.random(count) < 0.5, "female", "male")
    is_child = rng.random(count) < child_share
    age = np.where(
        is_child,
        rng.integers(2, 18, size=count),
        rng.integers(int(adult.age_years[0]), int(adult.age_years[1]) + 1, size=count),
    ).astype(float)
    height = np.empty(count)
    median_bmi = np.empty(count)
    for s in ("female", "male"):
        mean, sd = adult.height_cm[s]
        grown = (sex == s) & ~is_child
        height[grown] = rng.normal(mean, sd, size=int(grown.sum()))
        young = (sex == s) & is_child
        child_mean = _line(CHILD_HEIGHT_CM[s], age[young])
        height[young] = child_mean * (1.0 + rng.normal(0.0, 0.04, size=child_mean.size))
    median_bmi[~is_child] = adult.bmi_median
    median_bmi[is_child] = _line(CHILD_BMI[0], age[is_child])
    low, high = adult.bmi_range
    bmi = np.empty(count)
    bmi[~is_child] = _lognormal_within(
        rng, median_bmi[~is_child], adult.bmi_log_sd, low, high
    )
    bmi[is_child] = _lognormal_within(
        rng, median_bmi[is_child], CHILD_BMI[1], 12.0, 35.0
    )
    weight = bmi * (height / 100.0) ** 2
    arm_index = rng.choice(len(arms), size=count, p=[a.weight for a in arms])
    product_draw = rng.random(count)
    creatinine = np.where(
        is_child,
        0.2 + 0.04 * age,
        np.where(sex == "female", 0.8, 1.0),
    ) * np.exp(rng.normal(0.0, 0.15, size=count))
    iga = 250.0 * np.exp(rng.normal(0.0, 0.45, size=count))
    has_labs = rng.random(count) < known
    rows = []
    for i in range(count):
        arm = arms[int(arm_index[i])]
        product = arm.products[int(product_draw[i] * len(arm.products))]
        rows.append(
            (
                f"SYN-{i + 1:06d}",
                str(sex[i]),
                int(age[i]),
                round(float(height[i]), 1),
                round(float(weight[i]), 1),
                round(float(creatinine[i]), 2) if has_labs[i] else None,
                round(float(iga[i])) if has_labs[i] else None,
                arm.preset,
                arm.choices.get("cycles"),
                arm.choices.get("induction_days"),
                arm.choices.get("maintenance_days"),
                product,
                arm.indication,
            )
        )
    frame = pd.DataFrame.from_records(rows, columns=list(_COLUMNS))
    for name in ("cycles", "induction_days", "maintenance_days"):
        frame[name] = frame[name].astype("Int64")
    return frame
