"""Read a population table: one row per patient, from CSV or Parquet.

The columns (case and surrounding spaces do not matter):

* ``id`` (optional): your identifier for the row; the row number if absent.
* ``sex``, ``age``, ``height``, ``weight`` (required).
* ``serum_creatinine``, ``serum_iga`` (optional labs, where known; a blank
  cell is "not known", and the checks that need it report it as not
  assessed).
* ``preset`` (a regimen preset of :mod:`ivig_core.regimen`) with the
  preset's open choices in ``cycles``, ``induction_days`` and
  ``maintenance_days`` where it has them; or, with ``preset`` blank or
  absent, the regimen your site gives for the row's ``indication`` (the
  ``regimens`` of :class:`~ivig_core.population.PlanSettings`).
* ``product`` and ``indication`` (the product indication whose rates apply).

A quantity carries its unit **in the cell** (``"92 kg"``, ``"5 ft 7 in"``,
``"54 year"``) or **in the header**: ``weight_kg``, ``weight (lb)``,
``height [cm]``, ``age_year``, ``serum_creatinine_umol_l``,
``serum_iga_mg_dl``. A number with no unit in either place is refused for
that row (units are never assumed). A header unit pint does not know is
refused for the whole table, naming the column.

Reading checks the layout only (the columns, the header units); each row's
values are checked when the row is planned, so a bad row is reported with
its row number and field and never stops the run (see
:func:`~ivig_core.population.plan_population`).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import attrs
import pandas as pd

from ivig_core import units
from ivig_core.errors import InputError, UnitError
from ivig_core.units import CM, KG, MG_PER_DL, UMOL_PER_L, YEAR, UnitSpec


__all__ = [
    "CHOICE_COLUMNS",
    "COLUMNS",
    "Population",
    "read_population",
]

#: The columns a population table is read into, in order. ``row`` is the
#: row's number in the input (the first data row is 1).
COLUMNS: Final = (
    "row",
    "id",
    "sex",
    "age",
    "height",
    "weight",
    "serum_creatinine",
    "serum_iga",
    "preset",
    "cycles",
    "induction_days",
    "maintenance_days",
    "product",
    "indication",
)

#: A preset's open choices, as columns.
CHOICE_COLUMNS: Final = ("cycles", "induction_days", "maintenance_days")

_REQUIRED: Final = ("sex", "age", "height", "weight", "product", "indication")

#: The quantity columns and the dimension a header unit must have.
_QUANTITIES: Final[Mapping[str, tuple[UnitSpec, ...]]] = {
    "age": (YEAR,),
    "height": (CM,),
    "weight": (KG,),
    "serum_creatinine": (MG_PER_DL, UMOL_PER_L),
    "serum_iga": (MG_PER_DL,),
}

#: Header suffixes written with underscores (``serum_iga_mg_dl``).
_SUFFIXES: Final[Mapping[str, str]] = {
    "kg": "kg",
    "g": "g",
    "lb": "lb",
    "cm": "cm",
    "m": "m",
    "in": "inch",
    "year": "year",
    "years": "year",
    "month": "month",
    "months": "month",
    "mg_dl": "mg/dL",
    "umol_l": "µmol/L",
    "g_l": "g/L",
}

_BRACKETED: Final = re.compile(r"^(?P<name>[a-z_ ]+?)\s*[\[(](?P<unit>[^\])]+)[\])]$")


@attrs.frozen(kw_only=True)
class Population:
    """A population table read into the columns of :data:`COLUMNS`.

    Attributes:
        frame: One row per patient; quantities as text with their unit
            (``"92 kg"``), blank cells as ``None``.
        source: Where the table came from (a path, or ``"<frame>"``).

    .. versionadded:: 0.1.0
    """

    frame: pd.DataFrame = attrs.field(eq=False)
    source: str = "<frame>"

    def __len__(self) -> int:
        """The number of rows (patients)."""
        return len(self.frame)


def _header(column: object) -> tuple[str, str | None]:
    """``(name, unit or None)`` of a header."""
    text = " ".join(str(column).strip().split()).lower()
    match = _BRACKETED.match(text)
    if match is not None:
        return match["name"].strip().replace(" ", "_"), match["unit"].strip()
    text = text.replace(" ", "_")
    if text in COLUMNS:
        return text, None
    for name in _QUANTITIES:
        prefix = f"{name}_"
        if text.startswith(prefix) and text[len(prefix) :] in _SUFFIXES:
            return name, _SUFFIXES[text[len(prefix) :]]
    return text, None


def _check_unit(column: object, name: str, unit: str) -> None:
    """Refuse a header unit that pint does not know or of the wrong kind."""
    try:
        probe = units.parse_quantity(f"1 {unit}", field=str(column))
    except UnitError as exc:
        raise UnitError(
            str(column), unit, "a unit such as kg, lb, cm, in, year", str(exc)
        ) from exc
    if not any(units.has_dimension(probe, spec) for spec in _QUANTITIES[name]):
        raise UnitError(
            str(column),
            unit,
            f"a unit of {name} (e.g. {_QUANTITIES[name][0].symbol})",
        )


def _cells(values: pd.Series, unit: str | None) -> pd.Series:
    """A column as text cells (``None`` for a blank), the unit appended."""
    text = [None if pd.isna(v) else str(v).strip() or None for v in values]
    if unit is not None:
        text = [None if v is None else f"{v} {unit}" for v in text]
    return pd.Series(text, index=values.index, dtype=object)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    columns: dict[str, pd.Series] = {}
    for column in frame.columns:
        name, unit = _header(column)
        if name not in COLUMNS or name == "row":
            continue  # other columns (notes, dates of birth...) are not read
        if name in columns:
            raise InputError(str(column), name, "one column per field", "repeated")
        if unit is not None:
            if name not in _QUANTITIES:
                raise InputError(str(column), unit, "a unit only on a quantity column")
            _check_unit(column, name, unit)
        columns[name] = _cells(frame[column], unit)
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        raise InputError(
            "columns",
            sorted(map(str, frame.columns)),
            f"the columns {', '.join(_REQUIRED)}",
            f"missing: {', '.join(missing)}",
        )
    rows = pd.RangeIndex(1, len(frame) + 1)
    out = pd.DataFrame(index=range(len(frame)))
    out["row"] = rows.to_numpy()
    for name in COLUMNS[1:]:
        values = columns[name].tolist() if name in columns else [None] * len(frame)
        if name == "id":
            values = [
                str(row) if v is None else v
                for row, v in zip(out["row"], values, strict=True)
            ]
        out[name] = pd.Series(values, index=out.index, dtype=object)
    return out


def read_population(source: str | Path | pd.DataFrame) -> Population:
    """Read a population table from a CSV or Parquet file, or a dataframe.

    Args:
        source: A ``.csv`` or ``.parquet`` path, or a pandas dataframe with
            the columns described in :mod:`ivig_core.population.table`.

    Returns:
        The table in the columns of :data:`COLUMNS`.

    Raises:
        InputError: Not a CSV or Parquet file, a required column missing, a
            column given twice, a unit on a column that is not a quantity.
        UnitError: A header unit pint does not know, or of the wrong kind.

    Example:
        >>> import pandas as pd
        >>> table = pd.DataFrame({"sex": ["female"], "age_year": [54],
        ...     "height": ["165 cm"], "weight (lb)": [202.8],
        ...     "preset": ["cidp-ice"], "product": ["privigen"],
        ...     "indication": ["cidp"]})
        >>> population = read_population(table)
        >>> population.frame.loc[0, ["id", "age", "weight"]].tolist()
        ['1', '54 year', '202.8 lb']

    .. versionadded:: 0.1.0
    """
    if isinstance(source, pd.DataFrame):
        return Population(frame=_normalise(source))
    if not isinstance(source, (str, Path)):
        raise InputError(
            "source", source, "a .csv or .parquet path, or a pandas DataFrame"
        )
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".parquet", ".pq"}:
        raise InputError("population", str(path), "a .csv or .parquet file")
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        else:
            frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # missing, unreadable, not the format
        raise InputError(
            "population", str(path), f"a readable {suffix} file", str(exc)
        ) from None
    return Population(frame=_normalise(frame), source=str(path))
