"""The findings model: severities, rules, findings, overrides and the report.

A :class:`Finding` is one thing a prescriber or a pharmacist must see: a
stable :class:`FindingCode`, a :class:`Severity`, a message that says what to
do, the source of the rule, what it concerns (:class:`Concern`: the patient,
the plan, a cycle or an infusion day) and whether the check could be run at
all (``assessed``). A check that lacks the data it needs returns a finding
with ``assessed=False`` ("not assessed"), never a silent pass.

Severities work like a smart pump's drug library:

* ``INFO``, ``ADVICE`` and ``WARNING`` are shown and never block;
* a ``SOFT_LIMIT`` blocks the plan until it is accepted with an
  :class:`Override` that gives a reason (recorded in the report);
* a ``HARD_LIMIT`` blocks and cannot be overridden.

Every code has one :class:`Rule`: its severity, what triggers it and its
source. Rules are not written here: each safety check registers its own rule
where it is defined (:func:`ivig_core.safety.registry.check`), and
:data:`RULES` is the live, read-only table of every registered rule. This
module is the model layer beside :mod:`ivig_core.plan`: it imports nothing
from the checks.

Example:
    >>> import ivig_core.safety
    >>> o = Override(code=FindingCode.DAILY_DOSE_ABOVE_80G,
    ...              reason="patient prefers 2 days; discussed with consultant")
    >>> o.code.value
    'DAILY_DOSE_ABOVE_80G'
    >>> Override(code=FindingCode.ANTI_IGA_CONTRAINDICATION, reason="urgent")
    Traceback (most recent call last):
    ...
    ivig_core.errors.InputError: override.code: ANTI_IGA_CONTRAINDICATION is a ...
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Final, Literal

import attrs

from ivig_core._checks import items, text, tuple_of
from ivig_core.errors import InputError, IvigError


__all__ = [
    "RULES",
    "BlockingFindingError",
    "Concern",
    "Finding",
    "FindingCode",
    "Override",
    "Rule",
    "SafetyBlock",
    "SafetyReport",
    "Severity",
    "check_overrides",
]


@functools.total_ordering
class Severity(enum.Enum):
    """How much a finding matters; ordered ``INFO < ... < HARD_LIMIT``.

    .. versionadded:: 0.1.0
    """

    INFO = "info"
    ADVICE = "advice"
    WARNING = "warning"
    SOFT_LIMIT = "soft_limit"
    HARD_LIMIT = "hard_limit"

    @property
    def rank(self) -> int:
        """0 for ``INFO`` up to 4 for ``HARD_LIMIT``."""
        return _RANK[self]

    @property
    def blocks(self) -> bool:
        """Whether a finding of this severity blocks issue (unless overridden)."""
        return self.rank >= _RANK[Severity.SOFT_LIMIT]

    def __lt__(self, other: object) -> bool:
        """Order by rank."""
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_RANK: Final = {s: i for i, s in enumerate(Severity)}


# --------------------------------------------------------------------------
# Codes and rules: the live table the checks register into

#: What a finding code looks like: upper-case words joined by ``_``.
CODE_PATTERN: Final = r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$"
_CODE_RE: Final = re.compile(CODE_PATTERN)

_CODES: dict[str, FindingCode] = {}
#: Why a code lookup fails before any check is registered: the built-in
#: checks live in :mod:`ivig_core.safety` (a higher layer) and register their
#: codes when it is imported; ``ivig_core``'s top-level names import it.
_NONE_YET: Final = (
    "no check is registered yet: import ivig_core.safety (it registers the "
    "built-in checks)"
)
_RULES: dict[FindingCode, Rule] = {}

#: Every registered code's rule, in registration order (a live, read-only
#: view: a check registered later appears here too). The findings reference
#: page is generated from it.
RULES: Final[Mapping[FindingCode, Rule]] = MappingProxyType(_RULES)


class _CodeTable(type):
    """The class of :class:`FindingCode`: the registered codes, enum-like.

    ``FindingCode.IGA_NOT_MEASURED``, ``FindingCode["IGA_NOT_MEASURED"]``,
    ``list(FindingCode)``, ``len(FindingCode)`` and ``code in FindingCode``
    read the registered codes.
    """

    def __getattr__(cls, name: str) -> FindingCode:
        """A registered code by name (``FindingCode.IGA_NOT_MEASURED``)."""
        code = _CODES.get(name)
        if code is None:
            hint = "" if _CODES else f"; {_NONE_YET}"
            msg = f"no finding code {name!r} is registered{hint}"
            raise AttributeError(msg)
        return code

    def __getitem__(cls, name: str) -> FindingCode:
        """A registered code by name."""
        return _CODES[name]

    def __iter__(cls) -> Iterator[FindingCode]:
        """The registered codes, in registration order."""
        return iter(tuple(_CODES.values()))

    def __len__(cls) -> int:
        """How many codes are registered."""
        return len(_CODES)

    def __contains__(cls, value: object) -> bool:
        """Whether *value* is a registered code (or its text)."""
        return isinstance(value, str) and value in _CODES


class FindingCode(str, metaclass=_CodeTable):
    """A stable finding code; the value is the code as text.

    A code is text (``"IGA_NOT_MEASURED"``), registered once with its rule
    by the check that raises it (:func:`ivig_core.safety.registry.check`).
    There is one object per registered code: ``FindingCode("iga_not_measured")``
    and :meth:`parse` return it, and refuse text that is not registered.
    ``FindingCode.IGA_NOT_MEASURED``, ``list(FindingCode)`` and
    ``len(FindingCode)`` work as for an enum.

    The values never change once released: hosts store them and match on
    them. Each code's rule is in :data:`RULES`.

    .. versionadded:: 0.1.0
    """

    __slots__ = ()

    def __new__(cls, value: object) -> FindingCode:  # noqa: PYI034 - returns the registered object
        """The registered code for *value* (see :meth:`parse`)."""
        return cls.parse(value)

    @classmethod
    def parse(cls, value: object, *, field: str | None = None) -> FindingCode:
        """Accept a registered code or its text, any case.

        Anything else is an :class:`~ivig_core.InputError` naming the field
        and listing the registered codes.
        """
        if isinstance(value, str):
            code = _CODES.get(value.strip().upper())
            if code is not None:
                return code
        if not _CODES:
            raise InputError(
                field or "code",
                value,
                "a registered code",
                f"got {value!r}, but {_NONE_YET}",
            )
        raise InputError(field or "code", value, f"one of {list(_CODES)}")

    @classmethod
    def _register(cls, value: str) -> FindingCode:
        """The one object for new code *value* (private: the registry's)."""
        if not _CODE_RE.match(value):
            raise InputError("code", value, "upper-case words joined by '_'")
        if value in _CODES:
            raise InputError("code", value, "a code not yet registered")
        code = str.__new__(cls, value)
        _CODES[value] = code
        return code

    @property
    def value(self) -> str:
        """The code as plain text."""
        return str.__str__(self)

    @property
    def name(self) -> str:
        """The code as plain text (as an enum member's name)."""
        return str.__str__(self)

    @property
    def rule(self) -> Rule:
        """The rule behind this code."""
        return _RULES[self]

    def __repr__(self) -> str:
        """``<FindingCode.CODE: 'CODE'>``, as an enum member's."""
        return f"<FindingCode.{self.value}: {self.value!r}>"

    def __str__(self) -> str:
        """``FindingCode.CODE``, as an enum member's."""
        return f"FindingCode.{self.value}"

    def __format__(self, spec: str) -> str:
        """``FindingCode.CODE``, as an enum member's."""
        return format(str(self), spec)

    def __reduce__(self) -> tuple[type[FindingCode], tuple[str]]:
        """Pickle as the text; unpickling looks the registered code up."""
        return (FindingCode, (self.value,))

    def __copy__(self) -> FindingCode:
        """The one object (codes are singletons)."""
        return self

    def __deepcopy__(self, memo: object) -> FindingCode:
        """The one object (codes are singletons)."""
        return self


@attrs.frozen(kw_only=True)
class Rule:
    """What a finding code means: severity, trigger, action and source.

    Each check registers its rule once, where it is defined
    (:func:`ivig_core.safety.registry.check`). Build its findings with
    :meth:`fired` and :meth:`not_assessed`.

    Attributes:
        code: The finding code.
        severity: The severity of the finding when the check fires.
        module: The module of ``ivig_core.safety`` that checks it.
        rule: When it fires, in words.
        action: What to do (the finding's message starts from it).
        source: Where the rule comes from, rendered from :attr:`sources`
            (:func:`ivig_core.sources.cited`).
        parameters: The :class:`~ivig_core.safety.SafetyConfig` parameters
            the check reads.
        raisable: Whether a site may raise the severity of its findings
            (``SafetyConfig.severities``); such a code may be overridden.
        sources: The bibliography IDs the rule cites
            (:mod:`ivig_core.sources`); empty only for a rule registered
            with free text (a test's or a site's own).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``sources``: the bibliography IDs.
    """

    code: FindingCode
    severity: Severity
    module: str
    rule: str
    action: str
    source: str
    parameters: tuple[str, ...] = ()
    raisable: bool = False
    sources: tuple[str, ...] = ()

    def fired(
        self,
        message: str,
        concern: Concern | None = None,
        *,
        source: str | None = None,
    ) -> Finding:
        """The finding when the check fires: the rule's severity.

        Args:
            message: What was found and what to do.
            concern: What it is about (default: the patient).
            source: The source, if not the rule's (e.g. a dose limit's own).
        """
        return Finding(
            code=self.code,
            severity=self.severity,
            # Interned: the same text in many plans is kept once.
            message=sys.intern(message) if type(message) is str else message,
            source=self.source if source is None else source,
            concerns=Concern.patient() if concern is None else concern,
        )

    def not_assessed(
        self,
        message: str,
        concern: Concern | None = None,
        *,
        severity: Severity = Severity.WARNING,
        source: str | None = None,
    ) -> Finding:
        """The finding when the check could not run: what is missing.

        Args:
            message: What is missing, and what to do about it.
            concern: What it is about (default: the patient).
            severity: ``INFO``, ``ADVICE`` or ``WARNING`` (default).
            source: The source, if not the rule's.
        """
        return Finding(
            code=self.code,
            severity=severity,
            message=sys.intern(message) if type(message) is str else message,
            source=self.source if source is None else source,
            concerns=Concern.patient() if concern is None else concern,
            assessed=False,
        )


def register_rule(rule: Rule) -> None:
    """Add *rule* to :data:`RULES` (the registry's; its code is new)."""
    if _CODES.get(rule.code.value) is not rule.code:
        raise InputError("rule", rule, "a Rule with a newly registered code")
    _RULES[rule.code] = rule


def unregister_rule(code: FindingCode) -> None:
    """Remove *code* and its rule (the registry's, for temporary checks)."""
    _RULES.pop(code, None)
    _CODES.pop(code.value, None)


# --------------------------------------------------------------------------
# Concern


ConcernKind = Literal["patient", "plan", "cycle", "infusion"]
_KIND_ORDER: Final = {"patient": 0, "plan": 1, "cycle": 2, "infusion": 3}


def _kind(value: object) -> ConcernKind:
    if value == "patient":
        return "patient"
    if value == "plan":
        return "plan"
    if value == "cycle":
        return "cycle"
    if value == "infusion":
        return "infusion"
    raise InputError("concern.kind", value, "'patient', 'plan', 'cycle' or 'infusion'")


@attrs.frozen(kw_only=True)
class Concern:
    """What a finding is about: the patient, the plan, a cycle or an infusion.

    Build it with :meth:`patient`, :meth:`whole_plan`, :meth:`course` or
    :meth:`infusion_on`.

    Attributes:
        kind: ``"patient"``, ``"plan"``, ``"cycle"`` or ``"infusion"``.
        cycle: The course number (from 1) for a cycle or an infusion.
        date: The infusion's date.

    .. versionadded:: 0.1.0
    """

    kind: ConcernKind = attrs.field(converter=_kind)
    cycle: int | None = None
    date: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        """A cycle needs its number, an infusion its date (validators off too)."""
        if self.kind in {"cycle", "infusion"} and (
            not isinstance(self.cycle, int) or isinstance(self.cycle, bool)
        ):
            raise InputError("concern.cycle", self.cycle, "a course number (int)")
        if self.kind == "infusion" and not isinstance(self.date, dt.date):
            raise InputError("concern.date", self.date, "the infusion's date")

    @classmethod
    def patient(cls) -> Concern:
        """The patient as a whole (one shared, immutable record)."""
        return _whole("patient") if cls is Concern else cls(kind="patient")

    @classmethod
    def whole_plan(cls) -> Concern:
        """The plan as a whole (product choice, every infusion; one record)."""
        return _whole("plan") if cls is Concern else cls(kind="plan")

    @classmethod
    def course(cls, number: int) -> Concern:
        """Course (cycle) *number*."""
        return cls(kind="cycle", cycle=number)

    @classmethod
    def infusion_on(cls, date: dt.date, cycle: int) -> Concern:
        """The infusion on *date*, in course *cycle*."""
        return cls(kind="infusion", cycle=cycle, date=date)

    @property
    def sort_key(self) -> tuple[int, int, str]:
        """Patient, plan, then cycles and infusions in order."""
        return (
            _KIND_ORDER[self.kind],
            -1 if self.cycle is None else self.cycle,
            "" if self.date is None else self.date.isoformat(),
        )

    def __str__(self) -> str:
        """``patient``, ``plan``, ``cycle 2`` or ``infusion 2026-01-05 (cycle 1)``."""
        if self.kind == "cycle":
            return f"cycle {self.cycle}"
        if self.kind == "infusion" and self.date is not None:
            return f"infusion {self.date.isoformat()} (cycle {self.cycle})"
        return self.kind


# --------------------------------------------------------------------------
# Finding


@functools.cache
def _whole(kind: Literal["patient", "plan"]) -> Concern:
    """The one record for the patient or the plan as a whole (frozen: shared)."""
    return Concern(kind=kind)


def _code(value: object) -> FindingCode:
    return FindingCode.parse(value)


def _text(field: str, value: object) -> str:
    return text(value, field=field, allowed="a non-empty string")


def _message(value: object) -> str:
    return _text("message", value)


def _source(value: object) -> str:
    return _text("source", value)


def _concern(value: object) -> Concern:
    if isinstance(value, Concern):
        return value
    raise InputError("concerns", value, "a Concern (Concern.patient(), ...)")


#: Severities a not-assessed finding may have: it never blocks by itself.
NOT_ASSESSED_SEVERITIES: Final = frozenset(
    {Severity.INFO, Severity.ADVICE, Severity.WARNING}
)


@attrs.frozen(kw_only=True)
class Finding:
    """One safety finding.

    Attributes:
        code: The stable code; :data:`RULES` holds its rule.
        severity: The rule's severity when the check ran (``assessed``); for
            a check that could not run, ``INFO``, ``ADVICE`` or ``WARNING``.
        message: What was found and what to do.
        source: Where the rule comes from.
        concerns: The patient, the plan, a cycle or an infusion.
        assessed: ``False`` when the check lacked data or a threshold: the
            finding then says what is missing ("not assessed").

    Raises:
        InputError: An empty message or source, or a severity that does not
            match the rule (checked even with attrs validators disabled).

    .. versionadded:: 0.1.0
    """

    code: FindingCode = attrs.field(converter=_code)
    severity: Severity
    message: str = attrs.field(converter=_message)
    source: str = attrs.field(converter=_source)
    concerns: Concern = attrs.field(factory=Concern.patient, converter=_concern)
    assessed: bool = True

    def __attrs_post_init__(self) -> None:
        """Tie the severity to the rule (holds with validators disabled)."""
        if not isinstance(self.severity, Severity):
            raise InputError("severity", self.severity, "a Severity member")
        if not isinstance(self.assessed, bool):
            raise InputError("assessed", self.assessed, "True or False")
        rule = RULES[self.code]
        raised = rule.raisable and rule.severity < self.severity
        if self.assessed and self.severity is not rule.severity and not raised:
            raise InputError(
                "severity",
                self.severity,
                f"{rule.severity.name} (the rule of {self.code.value})",
            )
        if not self.assessed and self.severity not in NOT_ASSESSED_SEVERITIES:
            raise InputError(
                "severity",
                self.severity,
                "INFO, ADVICE or WARNING for a finding that was not assessed",
            )

    @property
    def rule(self) -> Rule:
        """The rule behind this finding."""
        return RULES[self.code]

    @property
    def sort_key(self) -> tuple[int, str, tuple[int, int, str], str]:
        """Most severe first, then code, then what it concerns, then message."""
        return (
            -self.severity.rank,
            self.code.value,
            self.concerns.sort_key,
            self.message,
        )

    def __str__(self) -> str:
        """One line: severity, code, concern, message and source."""
        status = "" if self.assessed else " NOT ASSESSED"
        return (
            f"[{self.severity.name}{status}] {self.code.value} ({self.concerns}): "
            f"{self.message} Source: {self.source}."
        )


# --------------------------------------------------------------------------
# Override


def _reason(value: object) -> str:
    return _text("override.reason", value)


def _override_code(value: object) -> FindingCode:
    code = FindingCode.parse(value, field="override.code")
    _check_overridable(code)
    return code


def _check_overridable(code: FindingCode) -> None:
    severity = RULES[code].severity
    if severity is Severity.HARD_LIMIT:
        raise InputError(
            "override.code",
            code.value,
            "the code of a soft limit",
            f"{code.value} is a hard limit and cannot be overridden",
        )
    if severity is not Severity.SOFT_LIMIT and not RULES[code].raisable:
        raise InputError(
            "override.code",
            code.value,
            "the code of a soft limit",
            f"{code.value} is a {severity.name} and needs no override",
        )


@attrs.frozen(kw_only=True)
class Override:
    """An explicit, recorded acceptance of a soft limit, with its reason.

    It accepts every finding with its code in the report. A hard limit
    cannot be overridden: the code of a hard limit (or of a finding that
    never blocks) is refused when the override is built, and again by
    :func:`~ivig_core.safety.assess`.

    Attributes:
        code: The code of a soft limit.
        reason: Why it is accepted (non-empty); recorded in the report.
        by: Who accepted it (optional, recorded).

    Raises:
        InputError: A hard-limit or non-blocking code, or an empty reason.

    .. versionadded:: 0.1.0
    """

    code: FindingCode = attrs.field(converter=_override_code)
    reason: str = attrs.field(converter=_reason)
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        """Re-check (the converters already did; this guards attrs.evolve)."""
        _check_overridable(self.code)
        _reason(self.reason)


def check_overrides(overrides: object) -> tuple[Override, ...]:
    """Check a collection of overrides again, as :func:`assess` does.

    .. versionadded:: 0.1.0
    """
    allowed = "a sequence of Override"
    if isinstance(overrides, Override):
        raise InputError("overrides", overrides, allowed)
    out: list[Override] = []
    for i, o in enumerate(items(overrides, field="overrides", allowed=allowed)):
        if not isinstance(o, Override):
            raise InputError(f"overrides[{i}]", o, "an Override(code, reason)")
        _check_overridable(o.code)
        _reason(o.reason)
        out.append(o)
    return tuple(out)


# --------------------------------------------------------------------------
# Report and strict mode


def _findings(value: object) -> tuple[Finding, ...]:
    out = tuple_of(value, Finding, field="findings")
    return tuple(sorted(out, key=lambda f: f.sort_key))


def _overrides(value: object) -> tuple[Override, ...]:
    return check_overrides(value)


@attrs.frozen(kw_only=True)
class SafetyReport:
    """Every finding for one patient and plan, with the overrides recorded.

    Findings are sorted: most severe first, then by code, then by what they
    concern (patient, plan, cycles, infusions in date order).

    Attributes:
        findings: All findings, sorted.
        overrides: The overrides given (recorded, whether or not used).
        product: The product assessed (its key), if known.
        indication: The indication assessed for, if given.

    .. versionadded:: 0.1.0
    """

    findings: tuple[Finding, ...] = attrs.field(converter=_findings)
    overrides: tuple[Override, ...] = attrs.field(default=(), converter=_overrides)
    product: str | None = None
    indication: str | None = None

    @property
    def overridden_codes(self) -> frozenset[FindingCode]:
        """Codes accepted by an override."""
        return frozenset(o.code for o in self.overrides)

    def is_overridden(self, finding: Finding) -> bool:
        """Whether *finding* is a soft limit accepted by an override."""
        return (
            finding.assessed
            and finding.severity is Severity.SOFT_LIMIT
            and finding.code in self.overridden_codes
        )

    @property
    def blocking(self) -> tuple[Finding, ...]:
        """Hard limits, and soft limits without an override."""
        return tuple(
            f
            for f in self.findings
            if f.assessed and f.severity.blocks and not self.is_overridden(f)
        )

    @property
    def overridden(self) -> tuple[Finding, ...]:
        """Soft limits accepted by an override."""
        return tuple(f for f in self.findings if self.is_overridden(f))

    @property
    def unused_overrides(self) -> tuple[Override, ...]:
        """Overrides whose code matches no finding (recorded, not applied)."""
        present = {f.code for f in self.findings if f.assessed}
        return tuple(o for o in self.overrides if o.code not in present)

    @property
    def not_assessed(self) -> tuple[Finding, ...]:
        """Checks that could not run for lack of data or of a threshold."""
        return tuple(f for f in self.findings if not f.assessed)

    @property
    def ready_to_issue(self) -> bool:
        """``False`` with any hard limit or any soft limit not overridden."""
        return not self.blocking

    @property
    def codes(self) -> tuple[FindingCode, ...]:
        """The codes of the assessed findings, in report order, distinct."""
        return tuple(dict.fromkeys(f.code for f in self.findings if f.assessed))

    def with_code(self, code: FindingCode) -> tuple[Finding, ...]:
        """The findings (assessed or not) with *code*."""
        return tuple(f for f in self.findings if f.code == code)

    def raise_if_blocked(self) -> None:
        """Raise :class:`SafetyBlock` listing the blocking findings, if any.

        .. versionadded:: 0.1.0
        """
        if self.blocking:
            raise SafetyBlock.from_report(self)


class BlockingFindingError(IvigError):
    """One blocking finding, as an exception inside a :class:`SafetyBlock`.

    Attributes:
        finding: The finding.

    .. versionadded:: 0.1.0
    """

    finding: Finding

    def __init__(self, finding: Finding) -> None:
        """Hold *finding*; the message is its one-line text."""
        self.finding = finding
        super().__init__(str(finding))


class SafetyBlock(  # noqa: N818 - the name DESIGN.md gives it
    IvigError, ExceptionGroup[BlockingFindingError]
):
    """The plan is not ready to issue: every blocking finding, as a group.

    Raised only in strict mode (``assess(..., strict=True)``) or by
    :meth:`SafetyReport.raise_if_blocked`. Each exception in the group is a
    :class:`BlockingFindingError`; the full report is on :attr:`report` (``None``
    after ``split``/``subgroup``).

    .. versionadded:: 0.1.0
    """

    report: SafetyReport | None = None

    @classmethod
    def from_report(cls, report: SafetyReport) -> SafetyBlock:
        """A group of the report's blocking findings, holding the report."""
        blocking = report.blocking
        codes = ", ".join(dict.fromkeys(f.code.value for f in blocking))
        exc = cls(
            f"plan not ready to issue: {len(blocking)} blocking finding(s): {codes}",
            [BlockingFindingError(f) for f in blocking],
        )
        exc.report = report
        return exc

    def derive(  # type: ignore[override]
        self, excs: Sequence[BlockingFindingError]
    ) -> SafetyBlock:
        """Keep the class when the group is split (``except*``)."""
        return SafetyBlock(self.message, excs)
