"""Safety checks: every finding a prescriber and a pharmacist must see.

:func:`assess` runs every registered check on a patient and a plan and
returns one :class:`SafetyReport` with all findings, sorted (most severe
first). Soft limits block issue until accepted with an :class:`Override`
(recorded); hard limits cannot be overridden. A check that lacks data says
"not assessed". Strict mode raises :class:`SafetyBlock`, an exception group
of the blocking findings.

Each check is one function registered once, in its family module, with its
code, severity and source (:func:`~ivig_core.safety.registry.check`); the
findings model (:class:`Finding`, :class:`SafetyReport`, ...) lives in
:mod:`ivig_core.findings` and is re-exported here.

Example:
    >>> from ivig_core.safety import FindingCode, Severity
    >>> FindingCode.RATE_ABOVE_LABEL_MAX.rule.severity is Severity.HARD_LIMIT
    True
    >>> Severity.SOFT_LIMIT < Severity.HARD_LIMIT
    True
"""

from __future__ import annotations

from ivig_core.findings import (
    RULES,
    BlockingFindingError,
    Concern,
    Finding,
    FindingCode,
    Override,
    Rule,
    SafetyBlock,
    SafetyReport,
    Severity,
)
from ivig_core.safety.assess import assess
from ivig_core.safety.config import (
    DEFAULT_PREMEDICATION,
    DoseLimit,
    PremedicationProtocol,
    SafetyConfig,
    SafetyOptions,
    label_dose_limits,
)


__all__ = [
    "DEFAULT_PREMEDICATION",
    "RULES",
    "BlockingFindingError",
    "Concern",
    "DoseLimit",
    "Finding",
    "FindingCode",
    "Override",
    "PremedicationProtocol",
    "Rule",
    "SafetyBlock",
    "SafetyConfig",
    "SafetyOptions",
    "SafetyReport",
    "Severity",
    "assess",
    "label_dose_limits",
]
