"""A plan records its inputs; its document is planned again on load and compared.

Worked cases: a deleted blocking finding, a lowered severity, an override
added to make a blocked plan ready, documents of a newer or an older
catalogue or library, documents without inputs or whose inputs could not be
recorded, plans made under a protocol (which the document carries, so they
load without the file) or with a local formulary; the round trip (plan →
JSON → plan) of IV, SC, HyQvia, re-planned and protocol plans; the CLI; the
bad-input rows of the loader's new arguments, of the inputs block and of its
protocol block.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import pickle
import re
from pathlib import Path
from typing import Any, Final

import attrs
import pytest

import worked
from ivig_core import DocumentError, InputError, load_protocol, plan_course
from ivig_core.cli import EXIT_BAD_INPUT, EXIT_BLOCKED, EXIT_OK, main
from ivig_core.infusion import rate_schedule
from ivig_core.io.json import check_runs, plan_from_json, plan_to_json
from ivig_core.plan import Administered, History, Plan, PlanInputs, library_version
from ivig_core.planning import ClosedDays, PlanRequest
from ivig_core.planning.replan import replan, replay
from ivig_core.planning.scig import plan_scig, plan_scig_regimen
from ivig_core.products import (
    Catalogue,
    catalogue_version,
    default_catalogue,
    load_formulary,
    version_key,
)
from ivig_core.regimen import get_preset
from ivig_core.scig import get_scig_preset


EXAMPLES: Final = Path(__file__).parent.parent / "examples" / "protocols"
DISTRICT: Final = EXAMPLES / "district-hospital.toml"
FORMULARY: Final = EXAMPLES / "district-formulary.toml"
START: Final = dt.date(2026, 1, 5)  # a Monday


def _dump(doc: object) -> str:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=2)


def _refused(text: str, **kwargs: Any) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        plan_from_json(text, **kwargs)
    return caught.value


# --------------------------------------------------------------------------
# The plans of every kind


@functools.cache
def _hizentra() -> Plan:
    regimen = get_scig_preset("hizentra-cidp-0.2").choose(maintenance_days=1, cycles=2)
    limits = worked.hizentra_later_limits("CIDP, later infusions")
    return plan_scig_regimen(
        worked.woman("80 kg"),
        regimen,
        "hizentra",
        last_ivig=START,
        policy="actual",
        rounding="never-below",
        limits=limits,
        site_rate="label-maximum",
    ).plan


@functools.cache
def _hyqvia() -> Plan:
    return plan_scig(
        worked.woman("70 kg"),
        worked.hyqvia_conversion(),
        policy="actual",
        rounding="never-below",
        limits=worked.hyqvia_limits(),
        site_rate="label-maximum",
        cycles=2,
        first_dose=START + dt.timedelta(days=7),
    ).plan


@functools.cache
def _replanned() -> Plan:
    first = worked.diabetic_dm_plan()
    day = first.cycles[1].start
    given = History().add(
        [
            Administered(date=i.date, grams=f"{i.dispensed_g} g", product="octagam-10")
            for i in first.infusions
            if i.date < day
        ]
    )
    return replan(
        first,
        request=_request_of(first.inputs),
        administered=given,
        patient=worked.diabetic_woman(),
        from_date=day,
        decision="continue",
    )


def _request_of(inputs: PlanInputs | None) -> PlanRequest:
    """The request a plan was made from (its recorded inputs)."""
    assert inputs is not None
    assert isinstance(inputs.request, PlanRequest)
    return inputs.request


@functools.cache
def _district() -> Plan:
    return plan_course(
        worked.woman("70 kg"),
        get_preset("itp-privigen"),
        "privigen",
        start=START,
        protocol=load_protocol(DISTRICT),
    )


PLANS: Final = {
    "iv": worked.example_plan,
    "iv-blocked": worked.example_plan_at_risk,
    "sc": _hizentra,
    "hyqvia": _hyqvia,
    "replanned": _replanned,
}


@pytest.mark.parametrize("kind", sorted(PLANS))
def test_a_plan_round_trips_with_its_inputs(kind: str) -> None:
    """Plan → JSON → plan is the same plan, with the same inputs."""
    plan = PLANS[kind]()
    assert plan.inputs is not None
    loaded = plan_from_json(plan_to_json(plan))
    assert loaded == plan
    assert loaded.inputs == plan.inputs
    assert plan_to_json(loaded) == plan_to_json(plan)
    assert replay(plan.inputs) == plan


def test_each_planner_records_itself() -> None:
    """The planner that made a plan is recorded, with its own arguments."""
    planners = {kind: make().inputs.planner for kind, make in PLANS.items()}  # type: ignore[union-attr]
    assert planners == {
        "iv": "plan",
        "iv-blocked": "plan",
        "sc": "plan_scig_regimen",
        "hyqvia": "plan_scig",
        "replanned": "replan",
    }
    inputs = _hyqvia().inputs
    assert inputs is not None
    assert inputs.arguments == {"cycles": 2, "first_dose": START + dt.timedelta(days=7)}
    assert (inputs.catalogue, inputs.library) == (
        catalogue_version(),
        library_version(),
    )
    replanned = _replanned().inputs
    assert replanned is not None
    assert isinstance(replanned.arguments["plan"], PlanInputs)
    assert replanned.arguments["decision"] == "continue"


def test_a_protocol_plan_loads_without_its_file() -> None:
    """The document carries its protocol: it loads without the file.

    The loaded plan's protocol is the one ``load_protocol`` read (an equal
    :class:`Protocol`, text and formulary included); the same protocol given
    is accepted, another refused.
    """
    plan = _district()
    text = plan_to_json(plan)
    loaded = plan_from_json(text)
    assert loaded == plan
    assert loaded.inputs == plan.inputs
    assert _request_of(loaded.inputs).protocol == load_protocol(DISTRICT)
    assert plan_to_json(loaded) == text
    assert plan_from_json(text, protocol=load_protocol(DISTRICT)) == plan
    other = _refused(
        text, protocol=load_protocol(EXAMPLES / "iga-deficiency-clinic.toml")
    )
    assert other.field == "inputs.request.protocol"
    assert "the one given is" in str(other)


def test_the_protocol_block_holds_what_load_protocol_read() -> None:
    """``inputs.protocols``: the file's path and text, its hash, the formulary's."""
    protocol = load_protocol(DISTRICT)
    block = json.loads(plan_to_json(_district()))["inputs"]["protocols"]
    assert block == [
        {
            "file": str(DISTRICT),
            "formulary": {
                "sha256": hashlib.sha256(FORMULARY.read_bytes()).hexdigest(),
                "text": FORMULARY.read_text(encoding="utf-8"),
            },
            "sha256": hashlib.sha256(DISTRICT.read_bytes()).hexdigest(),
            "text": DISTRICT.read_text(encoding="utf-8"),
        }
    ]
    assert block[0]["sha256"] == protocol.sha256
    assert "protocols" not in json.loads(plan_to_json(worked.example_plan()))["inputs"]


def test_a_document_without_the_block_needs_the_protocol() -> None:
    """A document that names its protocol only (written before): protocol= needed."""
    doc = json.loads(plan_to_json(_district()))
    del doc["inputs"]["protocols"]
    error = _refused(_dump(doc))
    assert error.field == "inputs.request.protocol"
    assert "the document does not carry it" in str(error)
    assert "pass that protocol (load_protocol) as protocol=" in str(error)
    assert plan_from_json(_dump(doc), protocol=load_protocol(DISTRICT)) == _district()


def test_a_protocol_not_read_from_a_file_is_named_only() -> None:
    """A protocol without its text (built in code): named, not carried."""
    protocol = attrs.evolve(load_protocol(DISTRICT), text=None, formulary_text=None)
    plan = plan_course(
        worked.woman("70 kg"),
        get_preset("itp-privigen"),
        "privigen",
        start=START,
        protocol=protocol,
    )
    text = plan_to_json(plan)
    assert "protocols" not in json.loads(text)["inputs"]
    assert _refused(text).field == "inputs.request.protocol"
    assert plan_from_json(text, protocol=protocol) == plan


def test_a_formulary_product_of_a_protocol_loads_and_is_checked() -> None:
    """The protocol's formulary product (its own vials) is checked against them.

    The district formulary's Gammaplex 5 % replaces the catalogue's; the
    document's vials are checked against the formulary's, which it carries.
    """
    plan = plan_course(
        worked.woman("70 kg"),
        get_preset("itp-gammaplex-5"),
        "gammaplex-5",
        start=START,
        protocol=load_protocol(DISTRICT),
    )
    text = plan_to_json(plan)
    assert plan_from_json(text) == plan
    doc = json.loads(text)
    block = doc["inputs"]["protocols"][0]["formulary"]
    block["text"] = _seven_gram_vials(block["text"])
    block["sha256"] = hashlib.sha256(block["text"].encode()).hexdigest()
    error = _refused(_dump(doc))  # another formulary: another plan
    assert error.field.startswith(("infusions[", "inputs")), error.field


def _seven_gram_vials(formulary: str) -> str:
    """The district formulary with one 7 g vial (a test value, no product's)."""
    changed, n = re.subn(
        r"vials = \[.*?\]\n", 'vials = [{ grams = "7 g", volume = "140 mL" }]\n',
        formulary, count=1, flags=re.DOTALL,
    )  # fmt: skip
    assert n == 1
    return changed


def test_check_runs_uses_the_catalogue_given(tmp_path: Path) -> None:
    """A formulary product that replaces a catalogue one is checked against its own.

    A 7 g vial is the formulary's, not the catalogue's Gammaplex 5 %: with
    the shipped catalogue the vials are refused, with the formulary's not.
    """
    local = tmp_path / "formulary.toml"
    local.write_text(
        _seven_gram_vials(FORMULARY.read_text(encoding="utf-8")), encoding="utf-8"
    )
    formulary = load_formulary(local)
    product = formulary["gammaplex-5"]
    assert 7.0 in [v.grams_g for v in product.vials]
    plan = plan_course(
        worked.woman("70 kg"),
        get_preset("itp-gammaplex-5"),
        product,
        start=START,
        policy="actual",
        rounding="never-below",
        rate_weight="dosing",
        rate_schedule=rate_schedule(product, "itp", increment="0.5 mg/kg/min"),
    )
    assert any("is not a vial of" in m for _, m in check_runs(plan))
    merged = Catalogue(products={**default_catalogue(), **formulary})
    assert check_runs(plan, catalogue=merged) == []
    assert plan_from_json(plan_to_json(plan), products=formulary) == plan
    with pytest.raises(InputError, match=r"^catalogue: "):
        check_runs(plan, catalogue="formulary.toml")  # type: ignore[arg-type]


def test_a_replanned_protocol_plan_carries_its_protocol_once() -> None:
    """A re-plan nests the followed plan's inputs; the protocol text is there once."""
    first = plan_course(
        worked.woman("70 kg"),
        get_preset("cidp-privigen").choose(
            induction_days=2, maintenance_days=1, cycles=2
        ),
        "privigen",
        start=START,
        protocol=load_protocol(DISTRICT),
    )
    day = first.cycles[1].start
    given = History().add(
        [
            Administered(date=i.date, grams=f"{i.dispensed_g} g", product="privigen")
            for i in first.infusions
            if i.date < day
        ]
    )
    again = replan(
        first,
        request=_request_of(first.inputs),
        administered=given,
        from_date=day,
        decision="continue",
    )
    text = plan_to_json(again)
    assert len(json.loads(text)["inputs"]["protocols"]) == 1
    assert text.count('"text": "# An EXAMPLE local protocol') == 1
    assert plan_from_json(text) == again


def _protocol_edit(path: str, value: object) -> str:
    doc = json.loads(plan_to_json(_district()))
    _put_at(doc, path, value)
    return _dump(doc)


def _put_at(doc: Any, path: str, value: object) -> None:
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    for part in parts[:-1]:
        doc = doc[int(part[1:-1])] if part.startswith("[") else doc[part]
    last = parts[-1]
    if value is _DELETE:
        del doc[last]
    elif last.startswith("["):
        doc[int(last[1:-1])] = value
    else:
        doc[last] = value


_DELETE: Final = object()
_P: Final = "inputs.protocols[0]"


@pytest.mark.parametrize(
    ("path", "value", "named", "says"),
    [
        (f"{_P}.text", "[protocol]\n", f"{_P}.text", "SHA-256"),
        (f"{_P}.sha256", "0" * 64, f"{_P}.text", "the text or its hash was edited"),
        (f"{_P}.formulary.text", "", f"{_P}.formulary.text", "SHA-256"),
        (f"{_P}.formulary.sha256", "1" * 64, f"{_P}.formulary.text", "SHA-256"),
        (f"{_P}.formulary", None, f"{_P}.text", "[formulary] file"),
        (f"{_P}.formulary", {"text": ""}, f"{_P}.formulary.sha256", "missing"),
        (f"{_P}.text", 3, f"{_P}.text", "expected a string"),
        (f"{_P}.file", None, f"{_P}.file", "expected a string"),
        (f"{_P}.extra", 1, f"{_P}.extra", "unknown field"),
        (f"{_P}.file", _DELETE, f"{_P}.file", "required field missing"),
        ("inputs.protocols", [], "inputs.protocols", "non-empty array"),
        ("inputs.protocols", {"a": 1}, "inputs.protocols", "non-empty array"),
        ("inputs.protocols[0]", "district", f"{_P}", "expected an object"),
        (
            "inputs.request.protocol.sha256",
            "0" * 64,
            "inputs.request.protocol",
            "carries none with that hash",
        ),
        (
            "inputs.request.protocol.version",
            "2027-01",
            "inputs.request.protocol",
            "the protocol the document carries with that hash",
        ),
    ],
)
def test_an_edited_protocol_block_is_refused_naming_the_path(
    path: str, value: object, named: str, says: str
) -> None:
    """Each bad part of the protocol block: a DocumentError naming its path."""
    error = _refused(_protocol_edit(path, value))
    assert error.field == named, str(error)
    assert says in str(error)
    assert named in {p for p, _ in error.errors}


def test_a_protocol_whose_text_is_no_protocol_is_refused() -> None:
    """A text whose hash matches but that load_protocol refuses: its problems."""
    text = '[protocol]\nname = "P"\n[rounding]\npolicy = "x"\n'
    doc = json.loads(plan_to_json(_district()))
    entry = doc["inputs"]["protocols"][0]
    entry["text"] = text
    entry["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    error = _refused(_dump(doc))
    assert error.field == f"{_P}.text"
    assert "not a protocol load_protocol reads" in str(error)
    assert "[protocol] version" in str(error)


def test_a_moved_protocol_file_is_only_where_it_was_read() -> None:
    """The path the protocol was read from is not planned with: an edit loads.

    The loaded plan's protocol says it was read from the edited path, and the
    document it writes is the edited one, byte for byte (an input edited is
    another request, and the plan is exactly what it gives).
    """
    edited = _protocol_edit(f"{_P}.file", "/elsewhere/protocol.toml")
    loaded = plan_from_json(edited)
    assert _request_of(loaded.inputs).protocol.file == "/elsewhere/protocol.toml"  # type: ignore[union-attr]
    assert plan_to_json(loaded) == edited


def test_a_local_product_needs_its_formulary(tmp_path: Path) -> None:
    """A product only a formulary has: refused without it, loads with it."""
    text = (EXAMPLES / "district-formulary.toml").read_text(encoding="utf-8")
    local = tmp_path / "formulary.toml"
    local.write_text(
        text.replace("gammaplex-5", "gammaplex-5-local").replace(
            'name = "Gammaplex 5 %"', 'name = "Gammaplex 5 % local"'
        ),
        encoding="utf-8",
    )
    formulary = load_formulary(local)
    product = formulary["gammaplex-5-local"]
    plan = plan_course(
        worked.woman("70 kg"),
        get_preset("itp-octagam-10"),
        product,
        start=START,
        indication="pi",
        policy="actual",
        rounding="never-below",
        rate_weight="dosing",
        rate_schedule=rate_schedule(product, "pi", increment="0.01 mL/kg/min"),
    )
    document = plan_to_json(plan)
    error = _refused(document)
    assert error.field == "inputs.request.product.key"
    assert "pass the formulary the plan was made with as products=" in str(error)
    assert plan_from_json(document, products=formulary) == plan


# --------------------------------------------------------------------------
# Edits the issue found loading as READY


def _at_risk() -> tuple[Plan, dict[str, Any]]:
    plan = worked.example_plan_at_risk()
    return plan, json.loads(plan_to_json(plan))


def test_the_blocked_example_is_blocked() -> None:
    """The worked plan below is not ready: a soft limit blocks it."""
    plan, doc = _at_risk()
    assert not plan.ready_to_issue
    assert any(f["severity"] == "soft_limit" for f in doc["safety"]["findings"])


def test_a_deleted_blocking_finding_is_refused() -> None:
    """The blocking finding deleted (the plan would read READY): refused."""
    _, doc = _at_risk()
    findings = doc["safety"]["findings"]
    doc["safety"]["findings"] = [f for f in findings if f["severity"] != "soft_limit"]
    error = _refused(_dump(doc))
    assert error.field.startswith("safety.findings")
    assert "planning it again from its inputs gives" in str(error)


def test_a_lowered_severity_is_refused_naming_it() -> None:
    """A soft limit lowered to a warning: refused, naming the severity's path."""
    _, doc = _at_risk()
    index = next(
        i
        for i, f in enumerate(doc["safety"]["findings"])
        if f["severity"] == "soft_limit"
    )
    doc["safety"]["findings"][index]["severity"] = "warning"
    error = _refused(_dump(doc))
    assert error.field == f"safety.findings[{index}].severity"
    assert "warning" in str(error)


def test_an_override_added_to_make_it_ready_is_refused() -> None:
    """Readiness cannot be changed: an override written in is refused."""
    _, doc = _at_risk()
    code = next(
        f["code"] for f in doc["safety"]["findings"] if f["severity"] == "soft_limit"
    )
    doc["safety"]["overrides"] = [{"by": None, "code": code, "reason": "because"}]
    error = _refused(_dump(doc))
    assert error.field.startswith("safety.overrides")


def test_a_changed_product_key_is_refused() -> None:
    """Another product written in everywhere it shows: refused."""
    doc = json.loads(plan_to_json(worked.example_plan()))
    doc["product"] = "Privigen"
    error = _refused(_dump(doc))
    assert "product" in {p for p, _ in error.errors}
    assert "Privigen" in str(error)


def test_the_message_counts_the_other_differences() -> None:
    """The first difference is named with both values; the others counted."""
    doc = json.loads(plan_to_json(worked.example_plan()))
    doc["notes"] = [*doc["notes"], "added"]
    doc["trace"][0]["value"] = "edited"
    error = _refused(_dump(doc))
    assert error.field == "notes[1]"
    assert 'the document says "added", planning it again from its inputs gives' in (
        str(error)
    )
    assert "; and 2 more difference(s)" in str(error)
    assert [p for p, _ in error.errors] == [
        "notes[1]",
        "notes.length",
        "trace[0].value",
    ]


# --------------------------------------------------------------------------
# Versions


def test_a_newer_catalogue_is_refused_saying_upgrade() -> None:
    """Made with a newer catalogue: refused, naming both versions."""
    doc = json.loads(plan_to_json(worked.example_plan()))
    doc["inputs"]["catalogue"] = "2999.1.1"
    error = _refused(_dump(doc))
    assert error.field == "inputs.catalogue"
    assert f"made with catalogue 2999.1.1; this library has {catalogue_version()}" in (
        str(error)
    )
    assert "upgrade ivig-core" in str(error)


def test_a_newer_library_is_refused_saying_upgrade() -> None:
    """Made with a newer ivig-core: refused, saying to upgrade."""
    doc = json.loads(plan_to_json(worked.example_plan()))
    doc["inputs"]["library"] = "999.0.0"
    error = _refused(_dump(doc))
    assert error.field == "inputs.library"
    assert "made with ivig-core 999.0.0" in str(error)
    assert "upgrade ivig-core" in str(error)


def test_an_older_catalogue_loads_when_nothing_differs() -> None:
    """Made with an older catalogue and planned again the same: it loads."""
    plan = worked.example_plan()
    doc = json.loads(plan_to_json(plan))
    doc["inputs"]["catalogue"] = "2020.1.1"
    assert plan_from_json(_dump(doc)) == plan


def test_an_older_catalogue_that_differs_names_both_versions() -> None:
    """Made with an older catalogue, planned again differently: refused."""
    doc = json.loads(plan_to_json(worked.example_plan()))
    doc["inputs"]["catalogue"] = "2020.1.1"
    doc["notes"][0] = "an older catalogue's note"
    error = _refused(_dump(doc))
    assert error.field == "notes[0]"
    assert f"made with catalogue 2020.1.1; this library has {catalogue_version()}" in (
        str(error)
    )
    assert "re-plan it with this version" in str(error)


def test_the_shipped_catalogue_has_a_version() -> None:
    """data/products.toml states a year.month.serial version; they order."""
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", catalogue_version())
    assert version_key("2026.12.1") < version_key("2026.12.2") < version_key("2027.1.1")
    with pytest.raises(InputError, match=r"^catalogue: "):
        version_key("december")


# --------------------------------------------------------------------------
# Documents whose inputs are missing or could not be recorded


def test_a_document_without_inputs_is_refused_unless_arithmetic() -> None:
    """An earlier version's document (no inputs): refused, or arithmetic only."""
    plan = worked.example_plan()
    doc = json.loads(plan_to_json(plan))
    del doc["inputs"]
    error = _refused(_dump(doc))
    assert error.field == "inputs"
    assert "verify='arithmetic'" in str(error)
    loaded = plan_from_json(_dump(doc), verify="arithmetic")
    assert loaded == plan
    assert loaded.inputs is None
    doc["infusions"][0]["dispensed_g"] = 1.0  # the arithmetic is still checked
    assert _refused(_dump(doc), verify="arithmetic").field == "infusions[0].dispensed_g"


def test_inputs_that_cannot_be_recorded_say_why() -> None:
    """A closed-days function cannot be written: the document says so."""
    plan = plan_course(
        worked.woman("70 kg"),
        get_preset("itp-octagam-10"),
        "octagam-10",
        start=START,
        indication="itp",
        policy="actual",
        rounding="never-below",
        rate_weight="dosing",
        closed=lambda day: day.weekday() == 6,
    )
    doc = json.loads(plan_to_json(plan))
    assert set(doc["inputs"]) == {"catalogue", "library", "unrecorded"}
    assert "closed" in doc["inputs"]["unrecorded"]
    error = _refused(_dump(doc))
    assert error.field == "inputs.unrecorded"
    assert plan_from_json(_dump(doc), verify="arithmetic") == plan
    # pickled (a process pool): the local function stays behind, visibly
    assert pickle.loads(pickle.dumps(plan)).inputs is None  # noqa: S301 - our own bytes


def test_closed_days_as_data_are_recorded() -> None:
    """ClosedDays (data, not a function) round-trip."""
    plan = plan_course(
        worked.woman("70 kg"),
        get_preset("itp-octagam-10"),
        "octagam-10",
        start=START,
        indication="itp",
        policy="actual",
        rounding="never-below",
        rate_weight="dosing",
        closed=ClosedDays(weekdays={5, 6}, dates={dt.date(2026, 1, 6)}),
    )
    loaded = plan_from_json(plan_to_json(plan))
    assert loaded == plan
    assert loaded.inputs == plan.inputs


def test_a_plan_with_inputs_pickles() -> None:
    """A plan and its inputs pickle (process pools) and plan again the same."""
    plan = _hyqvia()
    copy = pickle.loads(pickle.dumps(plan))  # noqa: S301 - our own bytes
    assert copy == plan
    assert copy.inputs == plan.inputs
    assert copy.inputs is not None
    assert replay(copy.inputs) == plan


# --------------------------------------------------------------------------
# The CLI


def test_cli_show_refuses_a_lowered_severity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``show`` of a tampered document: exit 2, naming the path, no traceback."""
    _, doc = _at_risk()
    index = next(
        i
        for i, f in enumerate(doc["safety"]["findings"])
        if f["severity"] == "soft_limit"
    )
    doc["safety"]["findings"][index]["severity"] = "info"
    stored = tmp_path / "plan.json"
    stored.write_text(_dump(doc), encoding="utf-8")
    assert main(["show", str(stored)]) == EXIT_BAD_INPUT
    out, err = capsys.readouterr()
    assert out == ""
    assert f"safety.findings[{index}].severity" in err
    assert "Traceback" not in err


def test_cli_show_loads_a_protocol_plan_without_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``show FILE`` plans a protocol plan again from the protocol it carries."""
    stored = tmp_path / "plan.json"
    stored.write_text(plan_to_json(_district()), encoding="utf-8")
    code = main(["show", str(stored)])
    assert code in {EXIT_OK, EXIT_BLOCKED}
    assert "Example District Hospital" in capsys.readouterr().out
    code = main(["show", str(stored), "--protocol", str(DISTRICT)])
    assert code in {EXIT_OK, EXIT_BLOCKED}
    assert capsys.readouterr().out
    other = EXAMPLES / "iga-deficiency-clinic.toml"
    assert main(["show", str(stored), "--protocol", str(other)]) == EXIT_BAD_INPUT
    assert "inputs.request.protocol" in capsys.readouterr().err


def test_cli_show_needs_the_protocol_of_an_older_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A document naming its protocol only: ``show --protocol FILE`` loads it."""
    doc = json.loads(plan_to_json(_district()))
    del doc["inputs"]["protocols"]
    stored = tmp_path / "plan.json"
    stored.write_text(_dump(doc), encoding="utf-8")
    assert main(["show", str(stored)]) == EXIT_BAD_INPUT
    assert "inputs.request.protocol" in capsys.readouterr().err
    code = main(["show", str(stored), "--protocol", str(DISTRICT)])
    assert code in {EXIT_OK, EXIT_BLOCKED}
    assert capsys.readouterr().out


# --------------------------------------------------------------------------
# Bad input


def test_bad_loader_arguments_are_refused_by_name() -> None:
    """The verify and products arguments are checked before anything is read."""
    text = plan_to_json(worked.example_plan())
    with pytest.raises(InputError, match=r"^verify: "):
        plan_from_json(text, verify="both")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^products: "):
        plan_from_json(text, products="formulary.toml")  # type: ignore[arg-type]


def _inputs_edit(path: str, value: object) -> str:
    doc = json.loads(plan_to_json(worked.example_plan()))
    parts = path.split(".")
    target = doc
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value
    return _dump(doc)


@pytest.mark.parametrize(
    ("path", "value", "named", "says"),
    [
        ("inputs.planner", "plan_it", "inputs.planner", "expected one of"),
        (
            "inputs.request.start",
            "2026-13-01",
            "inputs.request.start",
            "not a calendar",
        ),
        ("inputs.request.start", 20260105, "inputs.request.start", "YYYY-MM-DD"),
        (
            "inputs.request.policy",
            {"type": "Mine"},
            "inputs.request.policy.type",
            "one of",
        ),
        (
            "inputs.request.product",
            {"key": "nope"},
            "inputs.request.product.key",
            "no product",
        ),
        (
            "inputs.request.rate_weight",
            "both",
            "inputs.request.rate_weight",
            "'dosing'",
        ),
        ("inputs.request.extra", 1, "inputs.request.extra", "unknown field"),
        ("inputs.arguments", {"cycles": 3}, "inputs.arguments.cycles", "unknown field"),
        (
            "inputs.request.patient",
            "her",
            "inputs.request.patient",
            "expected an object",
        ),
        ("inputs.catalogue", "december", "inputs.catalogue", "a catalogue version"),
        ("inputs.library", None, "inputs.library", "expected a version"),
        ("inputs", [], "inputs", "required"),
    ],
)
def test_bad_inputs_blocks_are_refused_naming_the_path(
    path: str, value: object, named: str, says: str
) -> None:
    """Each bad part of the inputs block: a DocumentError naming its path."""
    error = _refused(_inputs_edit(path, value))
    assert error.field == named, str(error)
    assert says in str(error)


def test_replay_refuses_what_is_not_inputs() -> None:
    """replay() takes a plan's inputs."""
    with pytest.raises(InputError, match=r"^inputs: "):
        replay(worked.example_plan())  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^inputs.request: "):
        replay(PlanInputs(planner="plan", request="a request"))
    with pytest.raises(InputError, match=r"^planner: "):
        PlanInputs(planner="by hand", request=None)


def test_an_older_library_that_differs_says_so() -> None:
    """Made with an older ivig-core, planned again differently: both versions named."""
    doc = json.loads(plan_to_json(worked.example_plan()))
    doc["inputs"]["library"] = "0.0.1"
    doc["notes"][0] = "an older library's note"
    error = _refused(_dump(doc))
    assert error.field == "notes[0]"
    assert f"made with ivig-core 0.0.1; this is {library_version()}" in str(error)
    assert "re-plan it with this version" in str(error)
