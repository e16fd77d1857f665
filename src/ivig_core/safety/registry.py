"""The check registry: every safety check, registered once with its rule.

A check is one function that reads the :class:`~ivig_core.safety.context.Context`
(the typed patient and plan, the product, the configuration) and returns
the findings of its own code. It is registered where it is defined, with
everything the library says about it::

    @check(
        code="IGA_NOT_MEASURED",
        severity=Severity.WARNING,
        rule="Serum IgA is not recorded.",
        action="Measure serum IgA before the first dose.",
        sources=("myositis-patient-info",),
    )
    def iga_not_measured(rule: Rule, ctx: Context) -> Iterable[Finding]:
        if ctx.patient.serum_iga is None:
            yield rule.fired("Serum IgA is not recorded. ...")

Everything else is derived from the registry: :func:`~ivig_core.safety.assess`
runs :data:`CHECKS` in order, :data:`~ivig_core.findings.RULES` and
:class:`~ivig_core.findings.FindingCode` list the registered codes, the
findings reference page and each family module's docstring are generated
from it. :func:`registered` adds a check for a ``with`` block only (tests,
how-tos).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Final

import attrs

from ivig_core.errors import InputError
from ivig_core.findings import (
    Finding,
    FindingCode,
    Rule,
    Severity,
    register_rule,
    unregister_rule,
)
from ivig_core.safety.config import SafetyConfig
from ivig_core.safety.context import Context
from ivig_core.sources import check_ids, cite, cited, cited_in


__all__ = ["CHECKS", "Check", "CheckFunction", "check", "describe", "registered"]

#: A check: its own rule and the context in, its findings out.
CheckFunction = Callable[[Rule, Context], Iterable[Finding]]


@attrs.frozen(kw_only=True)
class Check:
    """A registered check: its rule and the function that runs it.

    Attributes:
        rule: The rule (code, severity, source, ...).
        run: The function; called as ``run(rule, ctx)``.

    .. versionadded:: 0.1.0
    """

    rule: Rule
    run: CheckFunction

    @property
    def code(self) -> FindingCode:
        """The check's finding code."""
        return self.rule.code

    def __call__(self, ctx: Context) -> list[Finding]:
        """Run the check; every finding must carry its code."""
        out = list(self.run(self.rule, ctx))
        for f in out:
            if f.code != self.rule.code:
                raise InputError(
                    "finding.code", f.code.value, f"{self.rule.code.value} (its check)"
                )
        raised = ctx.config.raised_severity(self.rule.code.value)
        if raised is None or not self.rule.raisable:
            return out
        return [
            attrs.evolve(f, severity=raised)
            if f.assessed and f.severity < raised
            else f
            for f in out
        ]


_CHECKS: dict[FindingCode, Check] = {}

#: Every registered check, in the order they run (the report is sorted).
CHECKS: Final[Mapping[FindingCode, Check]] = MappingProxyType(_CHECKS)


def check(
    *,
    code: str,
    severity: Severity,
    rule: str,
    action: str,
    source: str = "",
    sources: object = (),
    parameters: tuple[str, ...] = (),
    raisable: bool = False,
) -> Callable[[CheckFunction], Check]:
    """Register the decorated function as the check of a new finding code.

    Args:
        code: The new code (upper-case words joined by ``_``); refused if
            already registered.
        severity: The finding's severity when the check fires.
        rule: When it fires, in words.
        action: What to do.
        source: What the sources say, in words (rendered before the
            citations of *sources*); alone, free text (a site's own rule).
        sources: The bibliography IDs the rule rests on
            (:mod:`ivig_core.sources`); the rule's ``source`` text is
            rendered from them.
        parameters: The :class:`~ivig_core.safety.SafetyConfig` parameters
            the check reads.
        raisable: Whether a site may raise the severity of the findings in
            ``SafetyConfig.severities`` (a rule resting on a weak source).

    Returns:
        A decorator returning the registered :class:`Check`.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``sources``: cite the bibliography by ID.
    """
    if not isinstance(severity, Severity):
        raise InputError("severity", severity, "a Severity member")
    if sources:
        ids = check_ids(sources)
        text = cited(source, ids) if source else cite(ids)
    elif source.strip():
        # Text already rendered from IDs (cite, cited): its IDs are found.
        text, ids = source, cited_in([source])
    else:
        raise InputError("source", source, "the rule's sources (bibliography IDs)")
    known = attrs.fields_dict(SafetyConfig)
    for i, name in enumerate(parameters):
        if name not in known:
            raise InputError(
                f"parameters[{i}]", name, f"a SafetyConfig field ({', '.join(known)})"
            )

    def register(func: CheckFunction) -> Check:
        finding_code = FindingCode._register(code)  # noqa: SLF001 - the registry
        made = Check(
            rule=Rule(
                code=finding_code,
                severity=severity,
                module=func.__module__.rsplit(".", 1)[-1],
                rule=rule,
                action=action,
                source=text,
                parameters=parameters,
                raisable=raisable,
                sources=ids,
            ),
            run=func,
        )
        register_rule(made.rule)
        _CHECKS[finding_code] = made
        return made

    return register


def unregister(code: FindingCode) -> None:
    """Remove a registered check and its code.

    .. versionadded:: 0.1.0
    """
    _CHECKS.pop(code, None)
    unregister_rule(code)


@contextlib.contextmanager
def registered(made: Check) -> Iterator[Check]:
    """Keep *made* (just registered with :func:`check`) for a ``with`` block.

    Example:
        >>> from ivig_core.findings import Severity
        >>> with registered(check(code="DEMO_ONLY", severity=Severity.INFO,
        ...         rule="Never.", action="None.", source="a test")(
        ...         lambda rule, ctx: ())) as demo:
        ...     demo.code in CHECKS
        True
        >>> "DEMO_ONLY" in FindingCode
        False

    .. versionadded:: 0.1.0
    """
    try:
        yield made
    finally:
        unregister(made.code)


_SEVERITY_TEXT: Final = {s: s.name.replace("_", " ").lower() for s in Severity}


def describe(module: str) -> str:
    """The checks registered by *module*, as docstring bullets.

    .. versionadded:: 0.1.0
    """
    short = module.rsplit(".", 1)[-1]
    lines = ["", "", "Checks (from the registry):", ""]
    for made in CHECKS.values():
        r = made.rule
        if r.module != short:
            continue
        reads = (
            f" Reads ``SafetyConfig.{'``, ``SafetyConfig.'.join(r.parameters)}``."
            if r.parameters
            else ""
        )
        lines.append(
            f"* ``{r.code.value}`` ({_SEVERITY_TEXT[r.severity]}): {r.rule}{reads}"
        )
    return "\n".join(lines) + "\n"
