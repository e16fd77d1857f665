"""Every safety rule cites the bibliography by ID (issue 16, item 1).

A rule's ``sources`` are bibliography IDs (:mod:`ivig_core.sources`) and its
``source`` text is rendered from them: what the sources say, then
"source(s): <citations>". A rule resting on a weak source says so in its
text. The one rule with no source is a local threshold (no source read gives
a number), and says so.
"""

from __future__ import annotations

import pytest

from ivig_core.errors import InputError
from ivig_core.findings import RULES, FindingCode, Severity
from ivig_core.safety import DEFAULT_PREMEDICATION, label_dose_limits
from ivig_core.safety.registry import check, registered
from ivig_core.sources import cited_in, get_source


#: Rules that rest on a local threshold, not on a publication.
LOCAL: frozenset[str] = frozenset({"LARGE_DAILY_VOLUME"})


def test_every_rule_cites_bibliography_ids() -> None:
    """Each rule has source IDs, all known, and its text cites each of them."""
    for code, rule in RULES.items():
        if code.value in LOCAL:
            assert rule.sources == ()
            assert "no source read gives a volume" in rule.source
            continue
        assert rule.sources, code.value
        for sid in rule.sources:
            assert get_source(sid).citation in rule.source, (code.value, sid)
        assert set(cited_in([rule.source])) == set(rule.sources), code.value


def test_weak_sources_are_marked_in_the_text() -> None:
    """A rule citing a weak source says 'weak' where it cites it."""
    for code, rule in RULES.items():
        if any(get_source(s).is_weak for s in rule.sources):
            assert "weak: " in rule.source, code.value


def test_80g_rule_rests_on_the_ai_summary_and_is_raisable() -> None:
    """The 80 g advice cites only the AI-generated summary; a site may raise it."""
    rule = FindingCode.DAILY_DOSE_ABOVE_80G.rule
    assert rule.sources == ("droracle-privigen-dm",)
    assert "weak: AI-generated summary" in rule.source
    assert rule.raisable


def test_check_renders_the_text_from_ids() -> None:
    """``check(source=..., sources=...)``: the text, then the citations."""
    made = check(
        code="DEMO_CITES",
        severity=Severity.INFO,
        rule="Never.",
        action="None.",
        source="a demonstration",
        sources=("ice-2008",),
    )(lambda _rule, _ctx: ())
    with registered(made) as demo:
        assert demo.rule.sources == ("ice-2008",)
        assert demo.rule.source == (
            "a demonstration; source: " + get_source("ice-2008").citation
        )


@pytest.mark.parametrize(
    ("source", "sources", "field"),
    [("a text", ("no-such-source",), "sources"), ("", (), "source")],
)
def test_check_refuses_unknown_ids_and_no_source(
    source: str, sources: tuple[str, ...], field: str
) -> None:
    """An unknown ID, or neither text nor IDs: an InputError naming the field."""
    with pytest.raises(InputError, match=rf"^{field}: "):
        check(
            code="DEMO_REFUSED",
            severity=Severity.INFO,
            rule="Never.",
            action="None.",
            source=source,
            sources=sources,
        )
    assert "DEMO_REFUSED" not in FindingCode


def test_defaults_cite_the_bibliography() -> None:
    """The default premedication and the label dose limits cite by ID."""
    assert set(cited_in([DEFAULT_PREMEDICATION.source])) == {
        "droracle-privigen-dm",
        "therapeuticresearch-2011",
    }
    ids = {cited_in([limit.source]) for limit in label_dose_limits()}
    assert ids == {
        ("octagam10-uspi",),
        ("panzyga-uspi",),
        ("gammagard-sd-uspi",),
        ("ontario-igum-iim",),
    }
