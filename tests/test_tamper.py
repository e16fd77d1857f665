"""Documents that cannot lie: a changed field is refused, naming its path.

Every field of a plan document is changed in turn (property tests over the
document's paths: numbers, and strings, enums and flags such as a finding's
severity or code, a product key, a note): the loader re-derives the plan's
arithmetic and rate runs, then plans the plan again from the inputs the
document records and compares the two documents field by field, and refuses
the edit with a :class:`DocumentError` whose ``field`` is the path. An edit
of the *inputs* themselves is a different request: it is refused, or the
document is exactly what the changed inputs give. Any edit at all, inputs
included, is refused when the store seals its documents. A plan made under
a local protocol carries the protocol's text (and its formulary's) with
their hashes: any edit of them is refused, naming the path.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivig_core import DocumentError, InputError, load_protocol, plan_course
from ivig_core.io.json import plan_from_json, plan_to_json, seal_plan
from ivig_core.regimen import get_preset
from worked import MONDAY, example_plan, woman


KEY: Final = b"a host's secret key, 32 bytes.."


def _leaves(doc: object, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _leaves(value, f"{path}.{key}" if path else key)
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _leaves(value, f"{path}[{i}]")
    else:
        yield path, doc


def _set(doc: Any, path: str, value: object) -> None:
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    for part in parts[:-1]:
        doc = doc[int(part[1:-1])] if part.startswith("[") else doc[part]
    last = parts[-1]
    if last.startswith("["):
        doc[int(last[1:-1])] = value
    else:
        doc[last] = value


TEXT: Final = plan_to_json(example_plan())
DOC: Final = json.loads(TEXT)
#: The plan's own fields (not the envelope, not its inputs).
PLAN_LEAVES: Final = tuple(
    (path, value)
    for path, value in _leaves(DOC)
    if path not in {"schema", "version"} and not path.startswith("inputs.")
)
NUMBERS: Final = tuple(
    (path, value)
    for path, value in PLAN_LEAVES
    if isinstance(value, (int, float)) and not isinstance(value, bool)
)
#: Strings (enums, codes, keys, dates, texts) and flags.
WORDS: Final = tuple(
    (path, value) for path, value in PLAN_LEAVES if isinstance(value, (str, bool))
)
INPUT_LEAVES: Final = tuple(
    (path, value)
    for path, value in _leaves(DOC)
    if path.startswith("inputs.") and value is not None
)


def _shape(path: str) -> str:
    return re.sub(r"\[\d+\]", "", path)


#: The other values each kind of string field takes in the document (another
#: severity, another finding code, another phase): edits a reader would make.
ALTERNATIVES: Final = {
    shape: sorted({v for p, v in WORDS if _shape(p) == shape and isinstance(v, str)})
    for shape in {_shape(p) for p, _ in WORDS}
}


def test_the_document_loads_unchanged() -> None:
    """The untouched document loads (the re-derivation accepts honest plans)."""
    assert plan_from_json(TEXT) == example_plan()


def test_there_are_many_paths() -> None:
    """The properties below run over every number and word of a real plan."""
    assert len(NUMBERS) > 200
    assert len(WORDS) > 200
    assert len(INPUT_LEAVES) > 50


def _named(error: InputError) -> set[str]:
    paths = {p for p, _ in error.errors} if isinstance(error, DocumentError) else set()
    return paths | {error.field}


def _names_its_record(path: str, named: set[str]) -> bool:
    """The error names *path*, or a derived field it breaks in the same record."""
    # (a vial's grams break infusions[3].vials.dispensed)
    root = re.match(r"^[^.\[]+(\[\d+\])?", path)
    assert root is not None
    # A day moved to another course (or renumbered) breaks its course.
    moved = path.endswith((".cycle", ".day"))
    # The dosing weight and the regimen drive every course (its grams, days,
    # dose): the error may name the courses and days they break.
    drives = path.startswith(("dosing_weight.", "regimen."))
    # A course and its days are checked against each other, a day's date
    # against the next day's.
    course = path.startswith(("cycles[", "infusions["))
    return any(
        n.startswith(root.group(0))
        or (moved and n.startswith("cycles["))
        or (course and n.startswith(("cycles[", "infusions[")))
        or (drives and n.startswith(("cycles[", "infusions[")))
        for n in named
    )


@settings(max_examples=300)
@given(index=st.integers(0, len(WORDS) - 1), pick=st.integers(0, 50))
def test_every_changed_word_is_refused_naming_its_path(index: int, pick: int) -> None:
    """Each string, enum or flag changed in turn: refused, naming its path.

    A severity lowered, a finding code or a product key swapped, a phase, a
    date, a note or a trace line edited, a flag flipped.
    """
    path, value = WORDS[index]
    doc = json.loads(TEXT)
    if isinstance(value, bool):
        changed: object = not value
    else:
        others = [v for v in ALTERNATIVES[_shape(path)] if v != value]
        changed = others[pick % len(others)] if others else value + " (edited)"
    _set(doc, path, changed)
    with pytest.raises(InputError) as caught:
        plan_from_json(json.dumps(doc))
    named = _named(caught.value)
    assert path in named or _names_its_record(path, named), (path, named)


@settings(max_examples=100)
@given(
    index=st.integers(0, len(INPUT_LEAVES) - 1),
    factor=st.sampled_from([10.0, 0.5, -1.0]),
)
def test_a_changed_input_is_refused_or_is_what_the_document_says(
    index: int, factor: float
) -> None:
    """An edited input is another request: refused, or the document is its plan.

    Never a plan that is not what its inputs give: if the document loads,
    writing the loaded plan again gives the edited document, byte for byte.
    """
    path, value = INPUT_LEAVES[index]
    doc = json.loads(TEXT)
    changed: object
    if isinstance(value, bool):
        changed = not value
    elif isinstance(value, (int, float)):
        changed = value * factor if isinstance(value, float) else value + 1
    elif isinstance(value, str):
        changed = value + "x"
    else:
        return
    _set(doc, path, changed)
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=2)
    try:
        loaded = plan_from_json(text)
    except InputError:
        return
    again = json.loads(plan_to_json(loaded))
    for name in ("catalogue", "library"):  # the loaded plan is made with these
        again["inputs"][name] = doc["inputs"][name]
    assert again == doc


@settings(max_examples=300)
@given(
    index=st.integers(0, len(NUMBERS) - 1),
    factor=st.sampled_from([10.0, 0.1, 1.5, 0.5, -1.0]),
)
def test_every_changed_number_is_refused_naming_its_path(
    index: int, factor: float
) -> None:
    """Each derived number changed in turn: refused, the error names its path."""
    path, value = NUMBERS[index]
    doc = json.loads(TEXT)
    changed = value * factor if isinstance(value, float) else value + 1
    if changed == value:
        changed = value + 1
    _set(doc, path, changed)
    with pytest.raises(InputError) as caught:
        plan_from_json(json.dumps(doc))
    named = _named(caught.value)
    assert path in named or _names_its_record(path, named), (path, named)


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("infusions[0].run.steps[0].rate_ml_h", 341.0, "infusions[0].run.steps[0]"),
        ("infusions[0].run.maximum_ml_h", 1000.0, "infusions[0].run.maximum_ml_h"),
        ("infusions[0].run.steps[1].volume_ml", 1.0, "infusions[0].run.steps[1]"),
        ("infusions[0].run.duration_min", 5.0, "infusions[0].run.duration_min"),
        ("infusions[0].run.product", "privigen", "infusions[0].run.product"),
        ("regimen.maintenance.cycles", 99, "cycles"),
    ],
)
def test_the_issue_examples_are_refused(path: str, value: object, named: str) -> None:
    """The edits the issue found loading as READY are refused by path."""
    doc = json.loads(TEXT)
    _set(doc, path, value)
    with pytest.raises(InputError) as caught:
        plan_from_json(json.dumps(doc))
    error = caught.value
    paths = {p for p, _ in getattr(error, "errors", ())} | {error.field}
    assert any(p.startswith(named) or named.startswith(p) for p in paths), paths


@settings(max_examples=100)
@given(index=st.integers(0, len(TEXT) - 1), char=st.characters(codec="utf-8"))
def test_a_sealed_document_refuses_any_edit(index: int, char: str) -> None:
    """With the host's key, any change of the text at all is refused."""
    seal = seal_plan(TEXT, key=KEY)
    assert plan_from_json(TEXT, key=KEY, seal=seal) == example_plan()
    edited = TEXT[:index] + char + TEXT[index + 1 :]
    if edited == TEXT:
        return
    with pytest.raises(InputError) as caught:
        plan_from_json(edited, key=KEY, seal=seal)
    assert caught.value.field == "seal"


def test_a_deleted_blocking_finding_is_refused_with_a_seal() -> None:
    """A finding deleted (undetectable without the patient) fails the seal."""
    doc = json.loads(TEXT)
    seal = seal_plan(TEXT, key=KEY)
    doc["safety"]["findings"] = doc["safety"]["findings"][1:]
    with pytest.raises(DocumentError, match=r"^seal: "):
        plan_from_json(json.dumps(doc, sort_keys=True, indent=2), key=KEY, seal=seal)


def test_a_seal_needs_a_real_key() -> None:
    """A short or missing key is refused (the key is the host's)."""
    with pytest.raises(InputError, match=r"^key: "):
        seal_plan(TEXT, key=b"short")
    with pytest.raises(InputError, match=r"^key: "):
        plan_from_json(TEXT, seal="0" * 64)


def test_a_newer_document_says_so() -> None:
    """A document of a newer schema version says to upgrade."""
    doc = json.loads(TEXT)
    doc["version"] = 2
    with pytest.raises(DocumentError, match=r"newer ivig_core.*upgrade"):
        plan_from_json(json.dumps(doc))


# --------------------------------------------------------------------------
# The protocol a plan carries

DISTRICT: Final = (
    Path(__file__).parent.parent / "examples" / "protocols" / "district-hospital.toml"
)
#: A plan made under the example district protocol, whose formulary replaces
#: the catalogue's Gammaplex 5 % (so the document carries both texts).
PROTOCOL_TEXT: Final = plan_to_json(
    plan_course(
        woman("70 kg"),
        get_preset("itp-gammaplex-5"),
        "gammaplex-5",
        start=MONDAY,
        protocol=load_protocol(DISTRICT),
    )
)
#: The protocol block's texts and hashes (the file's path: see below).
BLOCK_LEAVES: Final = tuple(
    (path, value)
    for path, value in _leaves(json.loads(PROTOCOL_TEXT))
    if path.startswith("inputs.protocols[") and not path.endswith(".file")
)


def test_the_protocol_block_has_both_texts() -> None:
    """The protocol's text and hash, its formulary's text and hash."""
    assert {p for p, _ in BLOCK_LEAVES} == {
        "inputs.protocols[0].text",
        "inputs.protocols[0].sha256",
        "inputs.protocols[0].formulary.text",
        "inputs.protocols[0].formulary.sha256",
    }


@settings(max_examples=100)
@given(
    index=st.integers(0, len(BLOCK_LEAVES) - 1),
    at=st.integers(0, 10_000),
    char=st.characters(codec="utf-8"),
)
def test_every_edit_of_the_protocol_block_is_refused_naming_it(
    index: int, at: int, char: str
) -> None:
    """One character of a protocol's text or hash changed: refused, naming it.

    The protocol's or its formulary's, anywhere in the text or the hash.
    """
    path, value = BLOCK_LEAVES[index]
    i = at % len(value)
    if value[i] == char:
        char = "0" if char != "0" else "1"
    doc = json.loads(PROTOCOL_TEXT)
    _set(doc, path, value[:i] + char + value[i + 1 :])
    with pytest.raises(DocumentError) as caught:
        plan_from_json(json.dumps(doc))
    assert path in _named(caught.value), (path, caught.value.errors)


def test_a_protocol_edited_with_its_hashes_is_refused() -> None:
    """The text edited and every hash made to match: still refused.

    The plan's notes and findings name the protocol (and its hash) and what it
    set, so planning it again from the edited protocol gives another plan.
    """
    doc = json.loads(PROTOCOL_TEXT)
    entry = doc["inputs"]["protocols"][0]
    entry["text"] = entry["text"].replace('"65 year"', '"60 year"')
    sha = hashlib.sha256(entry["text"].encode()).hexdigest()
    entry["sha256"] = doc["inputs"]["request"]["protocol"]["sha256"] = sha
    with pytest.raises(DocumentError) as caught:
        plan_from_json(json.dumps(doc))
    assert not caught.value.field.startswith("inputs"), caught.value.field


def test_a_sealed_protocol_document_refuses_a_moved_file() -> None:
    """A moved protocol file loads unsealed; a seal refuses it.

    The path the protocol was read from changes nothing planned: the
    document loads and is exactly what it says. A seal still refuses the
    edit, as any edit of a sealed document.
    """
    doc = json.loads(PROTOCOL_TEXT)
    doc["inputs"]["protocols"][0]["file"] = "elsewhere.toml"
    edited = json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=2)
    assert plan_to_json(plan_from_json(edited)) == edited
    seal = seal_plan(PROTOCOL_TEXT, key=KEY)
    with pytest.raises(DocumentError, match=r"^seal: "):
        plan_from_json(edited, key=KEY, seal=seal)
