"""ivig_core: typed, unit-safe planning and checking of immunoglobulin therapy.

The library computes and checks; it does not prescribe. Every number it
produces can be traced to an input, a formula and a source.

The top level holds the names a user needs first (``ivig_core.__all__``);
everything else lives in its submodule (``ivig_core.regimen.DoseSteps``,
``ivig_core.vials.select_vials_g``, ...), listed in that submodule's
``__all__``. Every name here is imported on first use, so ``import
ivig_core`` loads none of the library until a name is read.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING


if TYPE_CHECKING:  # the same names as _EXPORTS, for type checkers (a test checks)
    __version__: str
    # One `from m import a as a` (explicit re-export) per home module:
    # isort: off
    from ivig_core.batch import (
        plan_many as plan_many,
    )
    from ivig_core.body import (
        adjusted_body_weight as adjusted_body_weight,
        bmi as bmi,
        creatinine_clearance as creatinine_clearance,
        ideal_body_weight as ideal_body_weight,
    )
    from ivig_core.dosing_weight import (
        DosingWeight as DosingWeight,
        DosingWeightPolicy as DosingWeightPolicy,
        dosing_weight as dosing_weight,
        get_policy as get_policy,
    )
    from ivig_core.errors import (
        DocumentError as DocumentError,
        InputError as InputError,
        IvigError as IvigError,
        PlanningError as PlanningError,
        UnitError as UnitError,
    )
    from ivig_core.infusion import (
        rate_schedule as rate_schedule,
    )
    from ivig_core.io.json import (
        plan_from_json as plan_from_json,
        plan_to_json as plan_to_json,
    )
    from ivig_core.io.text import (
        explain as explain,
    )
    from ivig_core.patient import (
        Patient as Patient,
        RiskFactor as RiskFactor,
        Sex as Sex,
    )
    from ivig_core.plan import (
        Cycle as Cycle,
        Infusion as Infusion,
        Phase as Phase,
        Plan as Plan,
    )
    from ivig_core.planning import (
        ClosedDays as ClosedDays,
        PlanRequest as PlanRequest,
        ScOptions as ScOptions,
        SplitLimits as SplitLimits,
        plan_course as plan_course,
    )
    from ivig_core.planning.replan import (
        replan as replan,
    )
    from ivig_core.planning.scig import (
        plan_scig as plan_scig,
    )
    from ivig_core.protocol import (
        Protocol as Protocol,
        load_protocol as load_protocol,
    )
    from ivig_core.products import (
        Product as Product,
        Route as Route,
        get_product as get_product,
        load_formulary as load_formulary,
    )
    from ivig_core.regimen import (
        Induction as Induction,
        Maintenance as Maintenance,
        Regimen as Regimen,
        Taper as Taper,
        get_preset as get_preset,
    )
    from ivig_core.findings import (
        Finding as Finding,
        FindingCode as FindingCode,
        Override as Override,
        SafetyBlock as SafetyBlock,
        SafetyReport as SafetyReport,
        Severity as Severity,
    )
    from ivig_core.safety import (
        SafetyConfig as SafetyConfig,
        SafetyOptions as SafetyOptions,
    )

    # the function, not the submodule of the same name (mypy takes that):
    from ivig_core.safety.assess import assess as assess
    from ivig_core.scig import (
        ScLimits as ScLimits,
        convert_to_scig as convert_to_scig,
        get_scig_preset as get_scig_preset,
    )
    from ivig_core.units import (
        Q_ as Q_,
        Quantity as Quantity,
        set_registry as set_registry,
    )
    from ivig_core.vials import (
        get_rounding as get_rounding,
    )
    # isort: on


#: Every exported name, grouped by task, with the module it comes from (its
#: home, where it is documented). ``__all__`` and the lazy imports are derived
#: from this table.
_EXPORTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Errors
    (
        "ivig_core.errors",
        ("IvigError", "InputError", "UnitError", "PlanningError", "DocumentError"),
    ),
    ("ivig_core.safety", ("SafetyBlock",)),
    # Units
    ("ivig_core.units", ("Q_", "Quantity", "set_registry")),
    # The patient and body size
    ("ivig_core.patient", ("Patient", "Sex", "RiskFactor")),
    (
        "ivig_core.body",
        ("bmi", "ideal_body_weight", "adjusted_body_weight", "creatinine_clearance"),
    ),
    (
        "ivig_core.dosing_weight",
        ("dosing_weight", "get_policy", "DosingWeight", "DosingWeightPolicy"),
    ),
    # Regimens
    (
        "ivig_core.regimen",
        ("Regimen", "Induction", "Maintenance", "Taper", "get_preset"),
    ),
    # Products, vials and rates
    ("ivig_core.products", ("Product", "Route", "get_product", "load_formulary")),
    ("ivig_core.vials", ("get_rounding",)),
    ("ivig_core.infusion", ("rate_schedule",)),
    # Planning
    (
        "ivig_core.planning",
        ("plan_course", "PlanRequest", "ScOptions", "ClosedDays", "SplitLimits"),
    ),
    # Subcutaneous therapy
    ("ivig_core.scig", ("convert_to_scig", "get_scig_preset", "ScLimits")),
    ("ivig_core.planning.scig", ("plan_scig",)),
    ("ivig_core.planning.replan", ("replan",)),
    # Local protocols
    ("ivig_core.protocol", ("load_protocol", "Protocol")),
    # The plan
    ("ivig_core.plan", ("Plan", "Infusion", "Cycle", "Phase")),
    # Safety
    # The findings model lives in ivig_core.findings; it is served through
    # ivig_core.safety, whose import registers the built-in checks' codes
    # (so ivig_core.FindingCode.X and Override(code=...) work at once).
    (
        "ivig_core.safety",
        (
            "assess",
            "SafetyConfig",
            "SafetyOptions",
            "SafetyReport",
            "Finding",
            "FindingCode",
            "Override",
            "Severity",
        ),
    ),
    # Output and batches
    ("ivig_core.io.json", ("plan_to_json", "plan_from_json")),
    ("ivig_core.io.text", ("explain",)),
    ("ivig_core.batch", ("plan_many",)),
)

#: Each exported name's home module.
_HOME: dict[str, str] = {name: module for module, names in _EXPORTS for name in names}


def _version() -> str:
    # Imported here: importlib.metadata costs ~40 ms, paid only if the version is read.
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - ditto

    try:
        return version("ivig-core")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


# Hidden from type checkers, so that they see the names above and flag any
# other (a module __getattr__ would make every attribute look valid).
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        """Import an exported name from its home module on first use.

        ``__version__`` is read from the installed metadata on first use too.
        """
        if name == "__version__":
            value: object = _version()
        else:
            try:
                module = _HOME[name]
            except KeyError:
                msg = f"module 'ivig_core' has no attribute {name!r}"
                raise AttributeError(msg) from None
            value = getattr(import_module(module), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        """The public names, with the module's own attributes."""
        return sorted(set(globals()) | set(__all__))

    class _Package(ModuleType):
        """``ivig_core`` itself: an exported name wins over a submodule's.

        Importing a submodule binds it on its package; ``dosing_weight`` is
        both a submodule and the function exported under that name, and the
        import must not hide the function.
        """

        def __setattr__(self, name: str, value: object) -> None:
            """Set *name*, unless it binds a submodule over an exported name."""
            if (
                name in _HOME
                and isinstance(value, ModuleType)
                and value.__name__ == f"{__name__}.{name}"
            ):
                return
            super().__setattr__(name, value)

    sys.modules[__name__].__class__ = _Package


__all__ = [*_HOME, "__version__"]  # noqa: PLE0604 - derived: names of _EXPORTS
