"""Outputs: JSON documents, text, a plot, an iCalendar file and FHIR R4.

:mod:`ivig_core.io.text` renders a plan as text (tables, the explanation,
the command's report) and needs nothing extra. The other modules each need an
optional extra, imported only when the module is used, so
``import ivig_core`` never pulls them in:

* :mod:`ivig_core.io.json` (extra ``json``: cattrs): plans, patients and
  regimens as validated, versioned JSON documents, and the plan's JSON
  Schema;
* :mod:`ivig_core.io.plot` (extra ``plot``: matplotlib): dose intensity and
  grams per infusion over time, phases shaded;
* :mod:`ivig_core.io.ical` (extra ``ics``: icalendar): one event per
  infusion day.
* :mod:`ivig_core.io.fhir` (extra ``fhir``: fhir.resources): a patient
  from FHIR R4 resources, a plan as a FHIR Bundle.

A missing extra raises :class:`MissingExtraError`, which names the extra to
install.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ivig_core.errors import InputError, IvigError


__all__ = ["MissingExtraError", "require"]


class MissingExtraError(IvigError, ImportError):
    """An optional dependency is not installed; the message names the extra.

    .. versionadded:: 0.1.0
    """


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import *module* or raise :class:`MissingExtraError` naming *extra*.

    Args:
        module: The module to import (``"cattrs"``).
        extra: The ivig-core extra that installs it (``"json"``).
        purpose: What it is needed for, for the message.

    .. versionadded:: 0.1.0
    """
    given: tuple[tuple[str, object], ...] = (
        ("module", module),
        ("extra", extra),
        ("purpose", purpose),
    )
    for name, value in given:
        if not isinstance(value, str) or not value.strip():
            raise InputError(name, value, "a non-empty string")
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        msg = (
            f"{purpose} needs {module.split('.', maxsplit=1)[0]}: install it with "
            f'pip install "ivig-core[{extra}]"'
        )
        raise MissingExtraError(msg) from exc
