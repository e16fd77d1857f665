"""The bibliography: the file, the loader and the citations.

Every entry of ``data/sources.toml`` resolves to a real publication the
project read (or says it did not), every field the reading did not record is
absent and rendered "not recorded", and weak sources say so wherever cited.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivig_core import Patient, plan_course, rate_schedule, sources
from ivig_core.errors import DocumentError, InputError
from ivig_core.io.text import explain, plan_sources
from ivig_core.plan import Plan
from ivig_core.regimen import DayRange, Maintenance, Regimen
from ivig_core.sources import (
    NOT_RECORDED,
    Source,
    SourceKind,
    all_sources,
    check_ids,
    cite,
    cite_each,
    cited,
    cited_in,
    get_source,
)


_TEAM_WORDS = re.compile(r"seed|reference §|clinical\.md|\[[a-z-]+\]", re.IGNORECASE)


def _raw() -> dict[str, dict[str, object]]:
    text = (importlib.resources.files("ivig_core") / "data" / "sources.toml").read_text(
        encoding="utf-8"
    )
    data = tomllib.loads(text)["sources"]
    assert isinstance(data, dict)
    return data


def test_every_entry_loads_in_file_order() -> None:
    """Every entry loads in file order."""
    assert [s.id for s in all_sources()] == list(_raw())


def test_ids_are_kebab_case_and_unique() -> None:
    """Ids are kebab case and unique."""
    ids = [s.id for s in all_sources()]
    assert len(ids) == len(set(ids))
    for sid in ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", sid), sid


def test_every_kind_is_known_and_weak_ones_are_flagged() -> None:
    """Every kind is known and weak ones are flagged."""
    for s in all_sources():
        assert isinstance(s.kind, SourceKind)
        assert s.is_weak is (s.kind in (SourceKind.SECONDARY, SourceKind.AI_SUMMARY))
        if s.is_weak:
            assert "weak" in s.citation, s.id


def test_no_team_note_words_in_any_user_facing_field() -> None:
    """The bibliography cites publications, never the team's notes."""
    for s in all_sources():
        for text in (s.short, s.title, s.citation, s.reference, s.note):
            if text is not None:
                assert not _TEAM_WORDS.search(text), (s.id, text)


def test_labels_show_their_version_or_not_recorded() -> None:
    """Labels show their version or not recorded."""
    for s in all_sources():
        if s.kind is SourceKind.LABEL:
            assert (s.version or f"label version {NOT_RECORDED}") in s.citation


def test_privigen_label_version_as_the_label_states_it() -> None:
    """Privigen label version as the label states it."""
    # label-audit §1.1: DailyMed setid 7e5649da..., "Updated April 4, 2022".
    s = get_source("privigen-uspi")
    assert s.kind is SourceKind.LABEL
    assert s.version == "DailyMed, updated April 4, 2022"
    assert s.citation == (
        "Privigen US prescribing information "
        "(CSL Behring; DailyMed, updated April 4, 2022)"
    )


def test_a_label_without_a_recorded_version_says_so() -> None:
    """A label without a recorded version says so."""
    s = get_source("octagam5-uspi")
    assert s.version is None
    assert "label version not recorded" in s.citation
    assert "Version: not recorded" in s.reference


def test_papers_cite_journal_year_and_pmid() -> None:
    """Papers cite journal year and pmid."""
    # Transfusion 2021;61:1053, pubmed 33433931.
    assert get_source("transfusion-2021-haemolysis").citation == (
        "Haemolysis after high-dose IVIg in non-O patients "
        "(Transfusion 61:1053; 2021; PMID 33433931)"
    )


def test_an_unread_paper_says_it_was_not_read() -> None:
    """An unread paper says it was not read."""
    assert "not read" in get_source("devine-1974").citation


def test_ai_summary_is_weak_and_says_so() -> None:
    """Ai summary is weak and says so."""
    s = get_source("droracle-privigen-dm")
    assert s.kind is SourceKind.AI_SUMMARY
    assert s.is_weak
    assert s.citation.endswith("(weak: AI-generated summary)")


def test_secondary_is_weak() -> None:
    """Secondary is weak."""
    assert get_source("skyscape-ig-monograph").is_weak
    assert not get_source("octagam10-uspi").is_weak


def test_urls_are_https() -> None:
    """Urls are https."""
    for s in all_sources():
        if s.url is not None:
            assert s.url.startswith("https://"), s.id


def test_years_are_plausible() -> None:
    """Years are plausible."""
    for s in all_sources():
        if s.year is not None:
            assert 1960 <= s.year <= 2026, s.id


@pytest.mark.parametrize("bad", ["privigen", "PRIVIGEN-USPI", "", None, 3])
def test_unknown_id_is_an_input_error_naming_it(bad: object) -> None:
    """Unknown id is an input error naming it."""
    with pytest.raises(
        InputError,
        match=(
            r"^source: .*; allowed: an ID of the bibliography "
            r"\(ivig_core/data/sources\.toml\)$"
        ),
    ) as info:
        get_source(bad)
    assert info.value.value == bad


def test_cite_joins_in_order_without_repeats() -> None:
    """Cite joins in order without repeats."""
    one = get_source("ice-2008").citation
    two = get_source("procid-2022").citation
    assert cite(["ice-2008", "procid-2022", "ice-2008"]) == f"{one}; {two}"
    assert cite("ice-2008") == one
    assert cite_each(("procid-2022", "ice-2008")) == (two, one)


def test_cite_names_the_unknown_id() -> None:
    """Cite names the unknown id."""
    with pytest.raises(
        InputError,
        match=(
            r"^sources: no source 'nope' in the bibliography; allowed: an "
            r"ID of the bibliography \(ivig_core/data/sources\.toml\)$"
        ),
    ):
        cite(["ice-2008", "nope"])


def test_check_ids_names_the_field() -> None:
    """Check ids names the field."""
    assert check_ids(["ice-2008"], field="x") == ("ice-2008",)
    with pytest.raises(
        InputError,
        match=(
            r"^regimen\.sources: got \[\]; allowed: at least one source "
            r"ID$"
        ),
    ):
        check_ids([], field="regimen.sources")
    with pytest.raises(
        InputError,
        match=(
            r"^regimen\.sources: no source 'nope' in the bibliography; "
            r"allowed: an ID of the bibliography "
            r"\(ivig_core/data/sources\.toml\)$"
        ),
    ):
        check_ids(["nope"], field="regimen.sources")
    with pytest.raises(
        InputError, match=r"^sources: got 5; allowed: source IDs of the bibliography$"
    ):
        check_ids(5)


@given(st.text(max_size=30))
def test_any_text_is_a_known_id_or_a_named_error(text: str) -> None:
    """Any text is a known id or a named error."""
    known = {s.id for s in all_sources()}
    if text in known:
        assert get_source(text).id == text
    else:
        with pytest.raises(
            InputError,
            match=(
                r"^source: .*; allowed: an ID of the bibliography "
                r"\(ivig_core/data/sources\.toml\)$"
            ),
        ):
            get_source(text)


def test_source_is_frozen() -> None:
    """Source is frozen."""
    s = get_source("ice-2008")
    with pytest.raises(AttributeError):
        s.short = "x"  # type: ignore[misc]  # frozen: the test checks it refuses
    assert isinstance(s, Source)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[sources.Bad_Id]\nkind = "label"\nshort = "x"\n', "kebab-case"),
        ('[sources.a]\nkind = "blog"\nshort = "x"\n', r"sources\.a\.kind"),
        ('[sources.a]\nkind = "label"\n', r"sources\.a\.short"),
        ('[sources.a]\nkind = "label"\nshort = "x"\nyear = 20\n', "year"),
        ('[sources.a]\nkind = "label"\nshort = "x"\nurl = "x.org"\n', "https"),
        ('[sources.a]\nkind = "label"\nshort = "x"\nyr = 2020\n', "only the keys"),
        ('[sources.a]\nkind = "label"\nshort = "x"\nread = 1\n', "read"),
        ('[sources.a]\nkind = "label"\nshort = ""\n', "short"),
        ("[other]\nx = 1\n", "one"),
    ],
)
def test_loader_refuses_a_malformed_file(text: str, match: str) -> None:
    """Loader refuses a malformed file."""
    with pytest.raises(InputError, match=match):
        sources._load(text)


def test_every_source_the_code_cites_as_an_id_exists() -> None:
    """Every ``"<id>"`` passed to cite/check_ids in src/ is in the file."""
    root = importlib.resources.files("ivig_core")
    known = {s.id for s in all_sources()}
    pattern = re.compile(
        r"""(?:cite|cite_each|check_ids|sources=)\(?\(?\s*["']([a-z0-9-]+)["']"""
    )
    for path in sorted(Path(str(root)).rglob("*.py")):
        for sid in pattern.findall(path.read_text(encoding="utf-8")):
            assert sid in known, (str(path), sid)


def test_no_citation_contains_another() -> None:
    """Texts are read back to IDs (cited_in): no citation may hide another."""
    citations = [s.citation for s in all_sources()]
    assert len(set(citations)) == len(citations)
    for a in citations:
        for b in citations:
            assert a == b or a not in b, (a, b)


def test_cited_in_reads_ids_back_from_rendered_text() -> None:
    """cited() then cited_in() gives the IDs back, in the file's order."""
    text = cited("a rule", ["ice-2008", "devine-1974", "privigen-uspi"])
    assert text.startswith("a rule; sources: ")
    assert cited_in([text, "no citation here"]) == (
        "privigen-uspi",
        "devine-1974",
        "ice-2008",
    )
    assert cited("a rule", "ice-2008").startswith("a rule; source: ICE trial")
    assert cited_in([]) == ()


def _iv_plan() -> Plan:
    """Privigen for CIDP on actual weight, one 2-day course at 70 kg."""
    return plan_course(
        Patient(sex="female", age="54 year", height="165 cm", weight="70 kg"),
        Regimen(
            name="one-course",
            maintenance=Maintenance(
                dose="2 g/kg",
                interval="3 week",
                allowed_days=DayRange(low=2, high=2),
                days=2,
                allowed_cycles=DayRange(low=1),
                cycles=1,
                source=cited("one course", "ice-2008"),
            ),
            source=cited("one course", "ice-2008"),
        ),
        "privigen",
        start=dt.date(2026, 1, 5),
        policy="actual",
        rounding="never-below",
        indication="cidp",
        rate_weight="dosing",
        rate_schedule=rate_schedule(
            "privigen", "cidp", increment="1 mg/kg/min", interval="30 min"
        ),
    )


def test_plan_json_lists_its_sources_by_id_with_citations() -> None:
    """The plan document carries each cited source's ID and its citation."""
    pytest.importorskip("cattrs")
    from ivig_core.io.json import plan_from_json, plan_to_json  # noqa: PLC0415

    plan = _iv_plan()
    doc = json.loads(plan_to_json(plan))
    entries = {e["id"]: e for e in doc["sources"]}
    # The actual-weight policy cites the Privigen US label (dosing_weight.py),
    # the regimen the ICE trial.
    assert "ice-2008" in entries
    privigen = entries["privigen-uspi"]
    assert privigen == {
        "citation": get_source("privigen-uspi").citation,
        "id": "privigen-uspi",
        "kind": "label",
        "weak": False,
    }
    assert [e["id"] for e in doc["sources"]] == [s.id for s in plan_sources(plan)]
    assert plan_from_json(plan_to_json(plan)) == plan


def test_plan_json_with_edited_sources_is_refused() -> None:
    """A document whose sources list was edited does not load."""
    pytest.importorskip("cattrs")
    from ivig_core.io.json import plan_from_json, plan_to_json  # noqa: PLC0415

    doc = json.loads(plan_to_json(_iv_plan()))
    doc["sources"] = doc["sources"][1:]
    # planned again and compared: the first source that differs is named
    replanned = (
        r"; allowed: the plan its recorded inputs give \(a document as written "
        r"by ivig_core\)$"
    )
    with pytest.raises(DocumentError, match=rf"^sources\[0\]: .*{replanned}"):
        plan_from_json(json.dumps(doc))
    del doc["sources"]
    with pytest.raises(DocumentError, match=rf"^sources: .*{replanned}"):
        plan_from_json(json.dumps(doc))


def test_explain_ends_with_the_sources_cited() -> None:
    """explain() lists every source the plan cites, once, with its address."""
    plan = _iv_plan()
    out = explain(plan)
    tail = out[out.index("\nSources cited:\n") :]
    for s in plan_sources(plan):
        assert f"\n- {s.citation}\n" in tail + "\n"
        if s.url is not None:
            assert f"\n  {s.url}" in tail
