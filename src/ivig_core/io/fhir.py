"""FHIR R4 in and out: a Patient from FHIR resources, a Plan as a FHIR Bundle.

Needs the ``fhir`` extra (fhir.resources): ``pip install "ivig-core[fhir]"``.
The resources are read and written with fhir.resources' R4B models (FHIR
4.3, which keeps R4's Patient, Observation, Condition, AllergyIntolerance,
MedicationRequest, DetectedIssue, Provenance and Bundle).

**In** (:func:`patient_from_fhir`): a FHIR ``Patient`` (sex and birth date),
``Observation`` s coded with LOINC (:data:`OBSERVATION_CODES`: body weight,
body height, serum IgA, serum creatinine, ABO group, pregnancy status) and
``Condition`` / ``AllergyIntolerance`` resources coded as in
:data:`RISK_FACTOR_CODES`, into a :class:`~ivig_core.Patient`. For each
measurement the latest usable observation is used, and the one used is
recorded (:class:`ObservationUsed`). An observation is set aside, with the
reason (:class:`SetAside`), when its status is not final, it has no
effective time, it is dated after the day of the request or older than the
limit the caller sets, it belongs to another patient, or its value has no
UCUM unit or one the library does not know (:data:`UCUM_UNITS`): a unit is
never guessed. The value of the observation used must then pass the
library's own checks (a 920 kg weight is refused, not skipped for an older
one). Conditions and allergies the table does not know are listed in
:attr:`FhirPatient.unmapped`, never dropped silently.

**Out** (:func:`plan_to_fhir`): one ``MedicationRequest`` per infusion
(status ``draft``, intent ``proposal``: the library computes and checks, it
does not prescribe), dose in g and the rate steps in mL/h, timed on the
infusion's date, the reason its indication; one ``DetectedIssue`` per safety
finding (hard limit → high, soft limit → moderate, warning, advice and
information → low), with an accepted override as its mitigation; and one
``Provenance`` naming the library and its version. The identifiers the
caller passes come back on the Bundle, each request's ``groupIdentifier``
and the subject.

Bad FHIR input is an :class:`~ivig_core.InputError` whose ``field`` names the
resource and the element (``"Observation/w1.valueQuantity.value"``).

Example:
    >>> import datetime as dt
    >>> bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
    ...     {"resource": {"resourceType": "Patient", "id": "p1",
    ...                   "gender": "female", "birthDate": "1971-03-02"}},
    ...     {"resource": {"resourceType": "Observation", "id": "w1",
    ...         "status": "final", "subject": {"reference": "Patient/p1"},
    ...         "code": {"coding": [{"system": "http://loinc.org",
    ...                              "code": "29463-7"}]},
    ...         "effectiveDateTime": "2026-01-02",
    ...         "valueQuantity": {"value": 92, "unit": "kg",
    ...             "system": "http://unitsofmeasure.org", "code": "kg"}}},
    ...     {"resource": {"resourceType": "Observation", "id": "h1",
    ...         "status": "final", "subject": {"reference": "Patient/p1"},
    ...         "code": {"coding": [{"system": "http://loinc.org",
    ...                              "code": "8302-2"}]},
    ...         "effectiveDateTime": "2025-06-01",
    ...         "valueQuantity": {"value": 165, "unit": "cm",
    ...             "system": "http://unitsofmeasure.org", "code": "cm"}}},
    ... ]}
    >>> found = patient_from_fhir(bundle, on=dt.date(2026, 1, 5),
    ...                           max_age=dt.timedelta(days=365))
    >>> found.patient.weight_kg, found.patient.age_years
    (92.0, 54.0)
    >>> for u in found.used:
    ...     print(u)
    weight: 92 kg from Observation/w1 (2026-01-02)
    height: 165 cm from Observation/h1 (2025-06-01)

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from ivig_core import units
from ivig_core._checks import instance as _instance
from ivig_core._checks import iterates as _iterates
from ivig_core.errors import InputError
from ivig_core.findings import Concern, Finding, SafetyReport, Severity
from ivig_core.io import require
from ivig_core.patient import BloodGroup, Patient, RiskFactor
from ivig_core.sources import Source, all_sources, cited_in


if TYPE_CHECKING:
    from fhir.resources.R4B.bundle import Bundle

    from ivig_core.plan import Infusion, Plan


__all__ = [
    "CODED_VALUES",
    "ICD10",
    "ICD10CM",
    "ISSUE_SEVERITY",
    "LOINC",
    "OBSERVATION_CODES",
    "RISK_FACTOR_CODES",
    "SNOMED",
    "UCUM",
    "UCUM_UNITS",
    "CodeMapping",
    "FhirPatient",
    "ObservationKind",
    "ObservationUsed",
    "SetAside",
    "finding_sources",
    "library_version",
    "parse_resource",
    "patient_from_fhir",
    "plan_to_fhir",
]

#: Code systems (FHIR's canonical URIs).
LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
UCUM: Final = "http://unitsofmeasure.org"
ICD10: Final = "http://hl7.org/fhir/sid/icd-10"
ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
_CONDITION_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_ALLERGY_CLINICAL: Final = (
    "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
)

_PURPOSE: Final = "FHIR input and output"


# --------------------------------------------------------------------------
# The tables: one place each, easy to extend


#: UCUM unit codes the library reads, and the unit each is in the library
#: (UCUM: https://ucum.org/ucum). A code not listed is set aside, never
#: guessed: add a row to read another.
UCUM_UNITS: Final[Mapping[str, str]] = {
    "kg": "kg",
    "g": "g",
    "[lb_av]": "lb",
    "[oz_av]": "oz",
    "cm": "cm",
    "m": "m",
    "mm": "mm",
    "[in_i]": "inch",
    "[ft_i]": "foot",
    "mg/dL": "mg/dL",
    "g/dL": "g/dL",
    "g/L": "g/L",
    "mg/L": "mg/L",
    "umol/L": "umol/L",
    "mmol/L": "mmol/L",
}


@attrs.frozen(kw_only=True)
class ObservationKind:
    """An observation the library reads: its LOINC codes and the Patient field.

    Attributes:
        field: The :class:`~ivig_core.Patient` field it fills.
        codes: LOINC codes (system :data:`LOINC`) that carry it.
        value: ``"quantity"`` (valueQuantity with a UCUM unit) or
            ``"coded"`` (valueCodeableConcept, read by :data:`CODED_VALUES`).
        required: Whether a Patient cannot be built without it.

    .. versionadded:: 0.1.0
    """

    field: str
    codes: tuple[str, ...]
    value: Literal["quantity", "coded"]
    required: bool = False


#: The observations read, by Patient field. LOINC codes as LOINC names them:
#: 29463-7 Body weight; 8302-2 Body height; 2458-8 IgA [Mass/volume] in
#: Serum or Plasma; 2160-0 Creatinine [Mass/volume] in Serum or Plasma;
#: 14682-9 Creatinine [Moles/volume] in Serum or Plasma; 883-9 ABO group
#: [Type] in Blood; 82810-3 Pregnancy status.
OBSERVATION_CODES: Final[tuple[ObservationKind, ...]] = (
    ObservationKind(
        field="weight", codes=("29463-7",), value="quantity", required=True
    ),
    ObservationKind(field="height", codes=("8302-2",), value="quantity", required=True),
    ObservationKind(field="serum_iga", codes=("2458-8",), value="quantity"),
    ObservationKind(
        field="serum_creatinine", codes=("2160-0", "14682-9"), value="quantity"
    ),
    ObservationKind(field="abo_group", codes=("883-9",), value="coded"),
    ObservationKind(field="pregnant", codes=("82810-3",), value="coded"),
)

#: Coded answers: (field, system, code) -> the Patient value. ABO groups as
#: SNOMED CT codes them (112144000 Blood group A, 112149005 Blood group B,
#: 165743006 Blood group AB, 58460004 Blood group O); pregnancy status as
#: LOINC's answers (LA15173-0 Pregnant, LA26683-5 Not pregnant, LA4489-6
#: Unknown, which leaves it not recorded).
CODED_VALUES: Final[Mapping[tuple[str, str, str], object]] = {
    ("abo_group", SNOMED, "112144000"): BloodGroup.A,
    ("abo_group", SNOMED, "112149005"): BloodGroup.B,
    ("abo_group", SNOMED, "165743006"): BloodGroup.AB,
    ("abo_group", SNOMED, "58460004"): BloodGroup.O,
    ("pregnant", LOINC, "LA15173-0"): True,
    ("pregnant", LOINC, "LA26683-5"): False,
    ("pregnant", LOINC, "LA4489-6"): None,
}


@attrs.frozen(kw_only=True)
class CodeMapping:
    """A Condition or AllergyIntolerance code that records a risk factor.

    Attributes:
        factor: The :class:`~ivig_core.RiskFactor` it records.
        resource: ``"Condition"`` or ``"AllergyIntolerance"``.
        system: The code system's URI.
        code: The code; with ``prefix``, every code starting with it
            (ICD-10 categories: ``"I50"`` matches ``"I50.9"``).
        prefix: Match codes that start with *code*.
        history: Counts when no longer active (a past thrombosis is a risk
            factor; a resolved sepsis is not).
        display: What the code means, for readers of the table.

    .. versionadded:: 0.1.0
    """

    factor: RiskFactor
    resource: Literal["Condition", "AllergyIntolerance"]
    system: str
    code: str
    display: str
    prefix: bool = False
    history: bool = False

    def matches(self, system: str | None, code: str | None) -> bool:
        """Whether a coding (*system*, *code*) is this mapping's."""
        if system != self.system or not code:
            return False
        if self.prefix:
            return code.replace(".", "").upper().startswith(self.code.replace(".", ""))
        return code == self.code


def _icd(
    factor: RiskFactor, code: str, display: str, *, history: bool = False
) -> tuple[CodeMapping, ...]:
    """The same ICD-10 category in WHO ICD-10 and ICD-10-CM."""
    return tuple(
        CodeMapping(
            factor=factor,
            resource="Condition",
            system=system,
            code=code,
            display=display,
            prefix=True,
            history=history,
        )
        for system in (ICD10, ICD10CM)
    )


_R = RiskFactor

#: Conditions and allergies mapped to risk factors. ICD-10 categories (WHO
#: ICD-10 and ICD-10-CM) and SNOMED CT concepts; a code not listed here is
#: reported in :attr:`FhirPatient.unmapped`. To map more, pass ``codes=``
#: with this table plus your rows (your terminology, your allergy codes).
RISK_FACTOR_CODES: Final[tuple[CodeMapping, ...]] = (
    *_icd(_R.IGA_DEFICIENCY, "D80.2", "Selective deficiency of immunoglobulin A"),
    *_icd(_R.DIABETES, "E10", "Type 1 diabetes mellitus"),
    *_icd(_R.DIABETES, "E11", "Type 2 diabetes mellitus"),
    *_icd(_R.DIABETES, "E13", "Other specified diabetes mellitus"),
    *_icd(_R.DIABETES, "E14", "Unspecified diabetes mellitus (WHO ICD-10)"),
    CodeMapping(
        factor=_R.DIABETES,
        resource="Condition",
        system=SNOMED,
        code="73211009",
        display="Diabetes mellitus (disorder)",
    ),
    *_icd(_R.HEART_FAILURE, "I50", "Heart failure"),
    CodeMapping(
        factor=_R.HEART_FAILURE,
        resource="Condition",
        system=SNOMED,
        code="84114007",
        display="Heart failure (disorder)",
    ),
    *_icd(_R.RENAL_INSUFFICIENCY, "N17", "Acute kidney failure"),
    *_icd(_R.RENAL_INSUFFICIENCY, "N18", "Chronic kidney disease"),
    *_icd(_R.RENAL_INSUFFICIENCY, "N19", "Unspecified kidney failure"),
    *_icd(_R.SEPSIS, "A40", "Streptococcal sepsis"),
    *_icd(_R.SEPSIS, "A41", "Other sepsis"),
    *_icd(_R.PRIOR_THROMBOSIS, "I26", "Pulmonary embolism", history=True),
    *_icd(_R.PRIOR_THROMBOSIS, "I80", "Phlebitis and thrombophlebitis", history=True),
    *_icd(
        _R.PRIOR_THROMBOSIS, "I82", "Other venous embolism and thrombosis", history=True
    ),
    *_icd(_R.HYPERCOAGULABLE_STATE, "D68.5", "Primary thrombophilia"),
    *_icd(_R.HYPERCOAGULABLE_STATE, "D68.6", "Other thrombophilia"),
    *_icd(_R.VOLUME_DEPLETION, "E86", "Volume depletion"),
    *_icd(_R.PARAPROTEINAEMIA, "D47.2", "Monoclonal gammopathy"),
)


# --------------------------------------------------------------------------
# Reading resources


def _where(resource: Mapping[str, Any], index: int) -> str:
    kind = resource.get("resourceType", "resource")
    rid = resource.get("id")
    return f"{kind}/{rid}" if isinstance(rid, str) and rid else f"{kind}[{index}]"


def parse_resource(data: object, *, where: str = "resource") -> Any:  # noqa: ANN401 - a fhir.resources model
    """Validate one FHIR resource (a dict or JSON text) with fhir.resources.

    Args:
        data: The resource as a dict, JSON text, or a fhir.resources model.
        where: How the resource is named in an error (``"Observation/w1"``).

    Returns:
        The R4B model of its ``resourceType``.

    Raises:
        InputError: Not a FHIR resource, or an element that fails FHIR's
            rules; ``field`` names the resource and the element.

    .. versionadded:: 0.1.0
    """
    pydantic = require("pydantic", extra="fhir", purpose=_PURPOSE)
    if hasattr(data, "model_dump") and hasattr(data, "get_resource_type"):
        data = data.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError:
            raise InputError(where, data, "a FHIR resource as JSON") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("resourceType"), str):
        raise InputError(
            f"{where}.resourceType",
            data,
            "a FHIR resource (an object with resourceType)",
        )
    kind = data["resourceType"]
    get_class = require("fhir.resources.R4B", extra="fhir", purpose=_PURPOSE)
    try:
        model = get_class.get_fhir_model_class(kind)
    except (KeyError, ValueError):
        raise InputError(
            f"{where}.resourceType", kind, "a FHIR R4 resource type"
        ) from None
    try:
        return model.model_validate(dict(data))
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"])
        field = f"{where}.{path}" if path else where
        raise InputError(
            field,
            first.get("input"),
            f"a valid FHIR R4 {kind} element",
            f"{first['msg']} (got {first.get('input')!r})",
        ) from None


def _resources(data: object) -> list[tuple[str, Any]]:
    """(name, model) for each resource in a Bundle, a list or one resource."""
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError:
            raise InputError(
                "resources", data, "a FHIR Bundle or resources as JSON"
            ) from None
    if isinstance(data, Mapping) and data.get("resourceType") == "Bundle":
        entries = data.get("entry", [])
        if not isinstance(entries, list):
            raise InputError("Bundle.entry", entries, "a list of entries")
        raw: list[object] = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or "resource" not in entry:
                raise InputError(
                    f"Bundle.entry[{i}].resource", entry, "an entry with a resource"
                )
            raw.append(entry["resource"])
    elif isinstance(data, Mapping):
        raw = [data]
    elif _iterates(data):
        raw = [
            r.model_dump(mode="json", by_alias=True, exclude_none=True)
            if hasattr(r, "model_dump")
            else r
            for r in data
        ]
    else:
        raise InputError(
            "resources", data, "a FHIR Bundle, a resource or a list of them"
        )
    out = []
    for i, item in enumerate(raw):
        name = _where(item, i) if isinstance(item, Mapping) else f"resource[{i}]"
        out.append((name, parse_resource(item, where=name)))
    return out


# --------------------------------------------------------------------------
# The result of reading


@attrs.frozen(kw_only=True)
class ObservationUsed:
    """The observation a Patient field was taken from.

    Attributes:
        field: The Patient field (``"weight"``).
        resource: The observation (``"Observation/w1"``).
        effective: When it was taken (ISO 8601, as the resource states it).
        value: The value read, with its unit (``"92 kg"``) or code.

    .. versionadded:: 0.1.0
    """

    field: str
    resource: str
    effective: str
    value: str

    def __str__(self) -> str:
        """``weight: 92 kg from Observation/w1 (2026-01-02)``."""
        return f"{self.field}: {self.value} from {self.resource} ({self.effective})"


@attrs.frozen(kw_only=True)
class SetAside:
    """A resource that was not used, and why.

    Attributes:
        resource: The resource (``"Observation/w0"``).
        field: The Patient field it would have filled, or ``None``.
        reason: Why it was not used.

    .. versionadded:: 0.1.0
    """

    resource: str
    field: str | None
    reason: str

    def __str__(self) -> str:
        """``Observation/w0 (weight): status 'preliminary' is not final``."""
        what = f" ({self.field})" if self.field else ""
        return f"{self.resource}{what}: {self.reason}"


@attrs.frozen(kw_only=True)
class FhirPatient:
    """A Patient read from FHIR, with what was used and what was not.

    Attributes:
        patient: The :class:`~ivig_core.Patient`.
        reference: The FHIR Patient's reference (``"Patient/p1"``), or
            ``None`` when it has no id.
        identifiers: The FHIR Patient's identifiers, as ``(system, value)``
            (:func:`plan_to_fhir` writes them back on the subject).
        used: The observation behind each field that was filled.
        set_aside: Observations not used, each with its reason.
        risk_factors: Each risk factor with the resource that records it.
        unmapped: Active conditions and allergies the table does not map.

    .. versionadded:: 0.1.0
    """

    patient: Patient
    reference: str | None
    identifiers: tuple[tuple[str, str], ...]
    used: tuple[ObservationUsed, ...]
    set_aside: tuple[SetAside, ...]
    risk_factors: tuple[tuple[RiskFactor, str], ...]
    unmapped: tuple[str, ...]

    def report(self) -> str:
        """What was used, set aside and left unmapped, one line each."""
        lines = [f"used {u}" for u in self.used]
        lines += [f"recorded {f.value} from {where}" for f, where in self.risk_factors]
        lines += [f"set aside {s}" for s in self.set_aside]
        lines += [f"not mapped {u}" for u in self.unmapped]
        return "\n".join(lines)


# --------------------------------------------------------------------------
# Patient from FHIR


_FINAL: Final = frozenset({"final", "amended", "corrected"})


def _moment(value: object) -> dt.datetime | None:
    """A sortable naive UTC datetime from a FHIR date or dateTime."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None


def _effective(obs: Any) -> tuple[dt.datetime | None, str]:  # noqa: ANN401 - a model
    for name in ("effectiveDateTime", "effectiveInstant"):
        value = getattr(obs, name, None)
        if value is not None:
            return _moment(value), value.isoformat() if hasattr(
                value, "isoformat"
            ) else str(value)
    period = getattr(obs, "effectivePeriod", None)
    if period is not None:
        value = period.end or period.start
        if value is not None:
            return _moment(value), value.isoformat() if hasattr(
                value, "isoformat"
            ) else str(value)
    return None, ""


def _subject_ok(resource: Any, reference: str | None) -> bool:  # noqa: ANN401 - a model
    subject = getattr(resource, "subject", None) or getattr(resource, "patient", None)
    if reference is None or subject is None or subject.reference is None:
        return True
    ref = subject.reference
    return bool(ref == reference or str(ref).endswith(f"/{reference}"))


def _max_age(max_age: object, field: str) -> dt.timedelta | None:
    if isinstance(max_age, Mapping):
        fields = [k.field for k in OBSERVATION_CODES]
        if set(max_age) != set(fields):
            raise InputError(
                "max_age",
                sorted(max_age),
                f"a limit (a timedelta, or None for none) for each of {fields}",
                f"got limits for {sorted(max_age)}: every field needs its own",
            )
    limit = max_age.get(field) if isinstance(max_age, Mapping) else max_age
    if limit is None or isinstance(limit, dt.timedelta):
        return limit
    raise InputError(
        "max_age",
        max_age,
        "a datetime.timedelta, a mapping of field to timedelta, or None",
    )


def _number(value: object) -> float | None:
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _unit_problem(q: Any) -> str | None:  # noqa: ANN401 - a model
    """Why a valueQuantity's unit cannot be read, or ``None``."""
    if q.code is None or q.system is None:
        unit = f" (unit text {q.unit!r} is not read)" if q.unit else ""
        return f"no UCUM unit code{unit}"
    if q.system != UCUM:
        return f"unit system {q.system!r} is not UCUM ({UCUM})"
    if q.code not in UCUM_UNITS:
        return (
            f"UCUM unit {q.code!r} is not one the library reads ({sorted(UCUM_UNITS)})"
        )
    return None


def _read_quantity(obs: Any, where: str) -> tuple[object, str] | str:  # noqa: ANN401 - a model
    """(quantity, shown) or the reason it cannot be read."""
    q = obs.valueQuantity
    if q is None:
        return "no valueQuantity"
    if q.comparator is not None:
        return f"a bound ({q.comparator}), not a value"
    if q.value is None:
        return "valueQuantity has no value"
    problem = _unit_problem(q)
    if problem is not None:
        return problem
    unit = UCUM_UNITS[q.code]
    number = _number(q.value)
    if number is None:
        raise InputError(f"{where}.valueQuantity.value", q.value, "a finite number")
    return units.Q_(number, unit), f"{q.value} {q.code}"


def _read_coded(obs: Any, field: str) -> tuple[object, str] | str:  # noqa: ANN401 - a model
    concept = obs.valueCodeableConcept
    if field == "abo_group" and obs.valueString is not None:
        text = obs.valueString.strip().upper()
        if text in {g.value for g in BloodGroup}:
            return BloodGroup(text), text
        return f"valueString {obs.valueString!r} is not A, B, AB or O"
    if concept is None:
        return "no valueCodeableConcept"
    for coding in concept.coding or ():
        key = (field, coding.system or "", coding.code or "")
        if key in CODED_VALUES:
            value = CODED_VALUES[key]
            shown = value.value if isinstance(value, BloodGroup) else value
            return value, f"{shown} ({coding.system}|{coding.code})"
    return "no coding the library reads (see CODED_VALUES)"


def _codes(obs: Any) -> set[str]:  # noqa: ANN401 - a model
    return {c.code for c in (obs.code.coding or ()) if c.system == LOINC and c.code}


def _pick(
    kind: ObservationKind,
    observations: list[tuple[str, Any]],
    *,
    on: dt.date,
    max_age: object,
    reference: str | None,
    set_aside: list[SetAside],
) -> tuple[object, ObservationUsed] | None:
    limit = _max_age(max_age, kind.field)
    usable: list[tuple[dt.datetime, str, str, object, str]] = []
    for where, obs in observations:
        if not _codes(obs) & set(kind.codes):
            continue
        reason = _unusable(obs, on=on, limit=limit, reference=reference)
        moment, shown = _effective(obs)
        if reason is None:
            read = (
                _read_quantity(obs, where)
                if kind.value == "quantity"
                else _read_coded(obs, kind.field)
            )
            if isinstance(read, str):
                reason = read
            else:
                assert moment is not None  # noqa: S101 - _unusable checked it
                usable.append((moment, where, shown, read[0], read[1]))
                continue
        set_aside.append(SetAside(resource=where, field=kind.field, reason=reason))
    if not usable:
        return None
    usable.sort(key=lambda u: u[0])
    latest = usable[-1]
    ties = [u for u in usable if u[0] == latest[0] and u[4] != latest[4]]
    if ties:
        raise InputError(
            kind.field,
            [u[1] for u in (*ties, latest)],
            "one latest observation",
            f"{ties[0][1]} and {latest[1]} are both the latest ({latest[2]}) "
            f"and differ ({ties[0][4]} vs {latest[4]})",
        )
    for moment, where, shown, _value, text in usable[:-1]:
        why = (
            "the same value at the same time" if moment == latest[0] else "a later one"
        )
        set_aside.append(
            SetAside(
                resource=where,
                field=kind.field,
                reason=f"{why} was used ({latest[1]}; this one {shown}: {text})",
            )
        )
    return latest[3], ObservationUsed(
        field=kind.field, resource=latest[1], effective=latest[2], value=latest[4]
    )


def _unusable(
    obs: Any,  # noqa: ANN401 - a model
    *,
    on: dt.date,
    limit: dt.timedelta | None,
    reference: str | None,
) -> str | None:
    if obs.status not in _FINAL:
        return f"status {obs.status!r} is not final (final, amended or corrected)"
    if not _subject_ok(obs, reference):
        return (
            f"subject {obs.subject.reference!r} is another patient than {reference!r}"
        )
    moment, shown = _effective(obs)
    if moment is None:
        return "no effective date or time"
    day = moment.date()
    if day > on:
        return f"dated {shown}, after the day of the request ({on.isoformat()})"
    if limit is not None and on - day > limit:
        return f"taken {shown}, older than the limit of {limit.days} days"
    return None


def _sex(resource: Any, where: str) -> str:  # noqa: ANN401 - a model
    gender = resource.gender
    if gender in {"male", "female"}:
        return str(gender)
    raise InputError(
        f"{where}.gender",
        gender,
        "'male' or 'female' (the body-size formulas need one)",
    )


def _age(resource: Any, where: str, on: dt.date) -> object:  # noqa: ANN401 - a model
    born = resource.birthDate
    if not isinstance(born, dt.date):
        raise InputError(f"{where}.birthDate", born, "a full date (YYYY-MM-DD)")
    if born > on:
        raise InputError(
            f"{where}.birthDate",
            born.isoformat(),
            f"a date on or before {on.isoformat()}",
        )
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if years >= 2:
        return f"{years} year"
    days = (on - born).days
    return units.Q_(days, "day")


def _clinical(resource: Any, system: str) -> str | None:  # noqa: ANN401 - a model
    status = resource.clinicalStatus
    for coding in (status.coding if status is not None else None) or ():
        if coding.system == system:
            return str(coding.code)
    return None


def _refuted(resource: Any) -> bool:  # noqa: ANN401 - a model
    status = resource.verificationStatus
    codes = {c.code for c in (status.coding if status is not None else None) or ()}
    return bool(codes & {"refuted", "entered-in-error"})


def _risk_factors(
    resources: list[tuple[str, Any]],
    codes: Sequence[CodeMapping],
    reference: str | None,
    set_aside: list[SetAside],
) -> tuple[list[tuple[RiskFactor, str]], list[str]]:
    found: list[tuple[RiskFactor, str]] = []
    unmapped: list[str] = []
    for where, res in resources:
        kind = res.get_resource_type()
        if kind not in {"Condition", "AllergyIntolerance"}:
            continue
        if not _subject_ok(res, reference):
            set_aside.append(
                SetAside(
                    resource=where,
                    field="risk_factors",
                    reason="recorded for another patient",
                )
            )
            continue
        if _refuted(res):
            set_aside.append(
                SetAside(
                    resource=where,
                    field="risk_factors",
                    reason="verification status refuted or entered in error",
                )
            )
            continue
        system = _CONDITION_CLINICAL if kind == "Condition" else _ALLERGY_CLINICAL
        status = _clinical(res, system)
        active = status in {None, "active", "recurrence", "relapse"}
        codings = list((res.code.coding if res.code is not None else None) or ())
        hits = [
            m
            for m in codes
            if m.resource == kind and any(m.matches(c.system, c.code) for c in codings)
        ]
        hits = [m for m in hits if active or m.history]
        if hits:
            found += [(m.factor, where) for m in hits]
        elif active:
            shown = ", ".join(f"{c.system}|{c.code}" for c in codings) or "no coding"
            unmapped.append(f"{where} ({shown})")
    return found, unmapped


def patient_from_fhir(
    resources: object,
    *,
    on: dt.date,
    max_age: dt.timedelta | Mapping[str, dt.timedelta | None] | None,
    codes: Sequence[CodeMapping] = RISK_FACTOR_CODES,
) -> FhirPatient:
    """Build a :class:`~ivig_core.Patient` from FHIR R4 resources.

    Args:
        resources: A FHIR ``Bundle`` (dict or JSON text), one resource, or a
            list of resources (dicts or fhir.resources models). Exactly one
            ``Patient``.
        on: The day of the request: the age is taken on it (completed
            years from 2 years; below 2, the exact days since birth), and
            observations dated after it are set aside.
        max_age: How old an observation may be (``on`` minus its date): one
            limit, a limit for each Patient field of
            :data:`OBSERVATION_CODES` (``{"weight": timedelta(days=30), ...,
            "abo_group": None}``; ``None``: no limit for that field), or
            ``None`` for no limit at all. A local decision, with no default.
        codes: The risk-factor table (default :data:`RISK_FACTOR_CODES`).

    Returns:
        The patient with the observations used, those set aside, the risk
        factors and where each came from, and the unmapped conditions.

    Raises:
        InputError: Invalid FHIR (``field`` names the resource and the
            element), no or several Patients, a sex other than male or
            female, no usable weight or height, two different latest
            values, or a value outside the library's plausible range.
        MissingExtraError: fhir.resources is not installed.

    .. versionadded:: 0.1.0
    """
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise InputError("on", on, "a datetime.date (the day of the request)")
    parsed = _resources(resources)
    patients = [(w, r) for w, r in parsed if r.get_resource_type() == "Patient"]
    if len(patients) != 1:
        raise InputError(
            "Patient",
            [w for w, _ in patients],
            "exactly one Patient resource",
            f"found {len(patients)} Patient resources",
        )
    where, fhir_patient = patients[0]
    reference = f"Patient/{fhir_patient.id}" if fhir_patient.id else None
    observations = [(w, r) for w, r in parsed if r.get_resource_type() == "Observation"]
    set_aside: list[SetAside] = []
    values: dict[str, object] = {}
    used: list[ObservationUsed] = []
    for kind in OBSERVATION_CODES:
        picked = _pick(
            kind,
            observations,
            on=on,
            max_age=max_age,
            reference=reference,
            set_aside=set_aside,
        )
        if picked is None:
            if kind.required:
                codes_text = ", ".join(kind.codes)
                why = "; ".join(str(s) for s in set_aside if s.field == kind.field)
                raise InputError(
                    f"Observation[{kind.field}]",
                    None,
                    f"a final observation coded LOINC {codes_text} with a UCUM unit, "
                    "within the age limit",
                    f"no usable {kind.field} observation"
                    + (f" ({why})" if why else ""),
                )
            continue
        values[kind.field], record = picked
        used.append(record)
    factors, unmapped = _risk_factors(parsed, codes, reference, set_aside)
    identifiers = tuple(
        (str(i.system), str(i.value))
        for i in fhir_patient.identifier or ()
        if i.system and i.value
    )
    by_field = {u.field: u.resource for u in used}
    try:
        patient = Patient(
            sex=_sex(fhir_patient, where),
            age=_age(fhir_patient, where, on),
            risk_factors={f for f, _ in factors},
            **values,
        )
    except InputError as err:
        source = by_field.get(err.field)
        if source is None:
            raise
        field = f"{source}.value ({err.field})"
        raise type(err)(field, err.value, err.allowed, err.detail) from err
    return FhirPatient(
        patient=patient,
        reference=reference,
        identifiers=identifiers,
        used=tuple(used),
        set_aside=tuple(set_aside),
        risk_factors=tuple(dict.fromkeys(factors)),
        unmapped=tuple(unmapped),
    )


# --------------------------------------------------------------------------
# Plan to FHIR


def library_version() -> str:
    """The installed ivig-core version (``ivig_core.__version__``).

    Read here rather than from the package root, which a lower layer must
    not import.

    .. versionadded:: 0.1.0
    """
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - ~40 ms, paid on first use

    try:
        return version("ivig-core")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


#: Finding severity -> DetectedIssue.severity.
ISSUE_SEVERITY: Final[Mapping[Severity, str]] = {
    Severity.HARD_LIMIT: "high",
    Severity.SOFT_LIMIT: "moderate",
    Severity.WARNING: "low",
    Severity.ADVICE: "low",
    Severity.INFO: "low",
}


def _ucum(value: float, code: str) -> dict[str, object]:
    return {"value": _decimal(value), "unit": code, "system": UCUM, "code": code}


def _decimal(value: float) -> float:
    """A finite number rounded for a FHIR decimal (10 significant digits)."""
    if not math.isfinite(value):
        raise InputError("value", value, "a finite number")
    return float(f"{value:.10g}")


def _identifier(value: object, field: str) -> dict[str, str] | None:
    if value is None:
        return None
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, str) and v.strip() for v in value)
    ):
        return {"system": value[0], "value": value[1]}
    raise InputError(
        field, value, "a (system, value) pair of non-empty strings, or None"
    )


def _uuid(seed: str, *parts: object) -> str:
    return "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, "/".join(map(str, (seed, *parts))))
    )


_ROUTE_TEXT: Final = {
    "iv": "intravenous",
    "sc": "subcutaneous",
    "facilitated_sc": "subcutaneous (facilitated)",
}


def _dosage(inf: Infusion, product: str, route: str) -> dict[str, object]:
    steps = inf.run.steps
    rates = "; ".join(
        f"{s.rate_ml_h:.4g} mL/h for {s.duration_min:.4g} min" for s in steps
    )
    text = (
        f"{inf.dispensed_g:.4g} g {product} ({inf.volume_ml:.4g} mL) on "
        f"{inf.date.isoformat()}, day {inf.day} of {inf.days_in_course} of course "
        f"{inf.cycle}; rate steps: {rates}"
    )
    if inf.sc is not None:
        text += (
            f"; {inf.sc.sites} sites, {inf.sc.volume_per_site_ml:.4g} mL and "
            f"{inf.sc.rate_per_site_ml_h:.4g} mL/h per site"
        )
    dose_and_rate: list[dict[str, object]] = [
        {"doseQuantity": _ucum(inf.dispensed_g, "g")}
    ]
    dose_and_rate += [{"rateQuantity": _ucum(s.rate_ml_h, "mL/h")} for s in steps]
    return {
        "sequence": 1,
        "text": text,
        "timing": {"event": [inf.date.isoformat()]},
        "route": {"text": _ROUTE_TEXT.get(route, route)},
        "doseAndRate": dose_and_rate,
    }


def _implicated(
    concern: Concern, requests: Sequence[tuple[Infusion, str]]
) -> list[dict[str, str]]:
    if concern.kind == "infusion":
        chosen = [url for inf, url in requests if inf.date == concern.date]
    elif concern.kind == "cycle":
        chosen = [url for inf, url in requests if inf.cycle == concern.cycle]
    else:
        chosen = [url for _, url in requests]
    return [{"reference": url} for url in chosen]


def finding_sources(finding: Finding) -> tuple[Source, ...]:
    """The bibliography entries a finding cites, where its source names IDs.

    A finding's ``source`` (and its rule's ``sources``, where the rule has
    them) is read as comma- or semicolon-separated parts; each part that is
    a bibliography ID (:mod:`ivig_core.sources`) is returned, in order, then
    the sources whose citations the text contains (rendered from IDs,
    :func:`~ivig_core.sources.cited_in`), then the rule's.

    .. versionadded:: 0.1.0
    """
    _instance(finding, Finding, field="finding")
    known = {s.id: s for s in all_sources()}
    parts = [p.strip() for p in str(finding.source).replace(";", ",").split(",")]
    ids = [
        *(p for p in parts if p in known),
        *cited_in([finding.source]),
        *getattr(finding.rule, "sources", ()),
    ]
    return tuple(known[p] for p in dict.fromkeys(ids))


def _issue(
    finding: Finding,
    report: SafetyReport,
    *,
    subject: dict[str, object],
    requests: Sequence[tuple[Infusion, str]],
    authored: str,
) -> dict[str, object]:
    status = "" if finding.assessed else " (not assessed)"
    issue: dict[str, object] = {
        "resourceType": "DetectedIssue",
        "status": "final",
        "severity": ISSUE_SEVERITY[finding.severity],
        "code": {
            "text": f"{finding.code.value}{status}",
        },
        "patient": subject,
        "identifiedDateTime": authored,
        "detail": f"{finding.message} Source: {finding.source}.",
        "implicated": _implicated(finding.concerns, requests),
    }
    urls = [s.url for s in finding_sources(finding) if s.url]
    if urls:
        issue["reference"] = urls[0]
    if report.is_overridden(finding):
        for o in report.overrides:
            if o.code == finding.code:
                who = f" by {o.by}" if o.by else ""
                issue["mitigation"] = [
                    {
                        "action": {"text": f"Soft limit accepted{who}: {o.reason}"},
                        "date": authored,
                    }
                ]
    return issue


def plan_to_fhir(
    plan: Plan,
    *,
    patient: str,
    authored: dt.datetime,
    identifier: tuple[str, str] | None = None,
    patient_identifiers: Iterable[tuple[str, str]] = (),
    requester: str | None = None,
    encounter: str | None = None,
    medication: Mapping[str, object] | None = None,
) -> Bundle:
    """The plan as a FHIR R4 ``Bundle`` (type ``collection``), validated.

    Args:
        plan: The plan (with its safety report, as the planners attach it).
        patient: The subject's reference (``"Patient/p1"``).
        authored: When the plan was made (timezone-aware): ``authoredOn``,
            the issues' time and the provenance's ``recorded``.
        identifier: The caller's ``(system, value)`` for this plan: the
            Bundle's identifier and each request's ``groupIdentifier``.
        patient_identifiers: The patient's identifiers, written on the
            subject reference (:attr:`FhirPatient.identifiers`).
        requester: The prescriber's reference, or ``None``.
        encounter: The encounter's reference, or ``None``.
        medication: A FHIR ``CodeableConcept`` for the product (your
            formulary's code, an NDC), or ``None`` for its name as text:
            the catalogue holds no product codes.

    Returns:
        A fhir.resources R4B ``Bundle``: a ``MedicationRequest`` per
        infusion, a ``DetectedIssue`` per finding and one ``Provenance``.

    Raises:
        InputError: A naive *authored*, an empty reference, a bad
            identifier, or a resource that fails FHIR's rules.
        MissingExtraError: fhir.resources is not installed.

    .. versionadded:: 0.1.0
    """
    from ivig_core.products import get_product  # noqa: PLC0415 - the catalogue loads lazily

    given: object = authored  # checked at run time: callers may be untyped
    if not isinstance(given, dt.datetime) or given.tzinfo is None:
        raise InputError("authored", authored, "a timezone-aware datetime.datetime")
    refs: dict[str, object] = {
        "patient": patient,
        "requester": requester,
        "encounter": encounter,
    }
    for name, ref in refs.items():
        if ref is None:
            continue
        if not isinstance(ref, str) or not ref.strip():
            raise InputError(name, ref, "a FHIR reference such as 'Patient/p1'")
    group = _identifier(identifier, "identifier")
    subject: dict[str, object] = {"reference": patient}
    identifiers: object = patient_identifiers  # callers may be untyped
    if isinstance(identifiers, (str, bytes)) or not _iterates(identifiers):
        raise InputError(
            "patient_identifiers",
            patient_identifiers,
            "a collection of (system, value) pairs",
        )
    ids = [_identifier(i, "patient_identifiers") for i in identifiers]
    if ids:
        subject["identifier"] = ids[0]
    when = authored.isoformat()
    seed = f"{group}|{patient}|{when}|{plan.product}|{plan.start.isoformat()}"
    product = get_product(plan.product)
    concept = dict(medication) if medication is not None else {"text": product.name}
    entries: list[dict[str, object]] = []
    requests: list[tuple[Infusion, str]] = []
    for n, inf in enumerate(plan.infusions):
        url = _uuid(seed, "MedicationRequest", n)
        request: dict[str, object] = {
            "resourceType": "MedicationRequest",
            "status": "draft",
            "intent": "proposal",
            "medicationCodeableConcept": concept,
            "subject": subject,
            "authoredOn": when,
            "dosageInstruction": [_dosage(inf, product.name, plan.route.value)],
        }
        optional = {
            "reasonCode": None
            if plan.indication is None
            else [{"text": plan.indication}],
            "groupIdentifier": group,
            "requester": None if requester is None else {"reference": requester},
            "encounter": None if encounter is None else {"reference": encounter},
        }
        request.update({k: v for k, v in optional.items() if v is not None})
        entries.append({"fullUrl": url, "resource": request})
        requests.append((inf, url))
    report = plan.safety
    for n, finding in enumerate(report.findings if report is not None else ()):
        assert report is not None  # noqa: S101 - the loop runs only with a report
        issue = _issue(
            finding, report, subject=subject, requests=requests, authored=when
        )
        entries.append({"fullUrl": _uuid(seed, "DetectedIssue", n), "resource": issue})
    provenance = {
        "resourceType": "Provenance",
        "target": [{"reference": e["fullUrl"]} for e in entries],
        "recorded": when,
        "agent": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                            "code": "assembler",
                        }
                    ]
                },
                "who": {"display": f"ivig_core {library_version()}"},
            }
        ],
    }
    if requester is not None:
        provenance["agent"].append(  # type: ignore[attr-defined]  # a list built above
            {"who": {"reference": requester}}
        )
    entries.append({"fullUrl": _uuid(seed, "Provenance"), "resource": provenance})
    bundle: dict[str, object] = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": when,
        "entry": entries,
    }
    if group is not None:
        bundle["identifier"] = group
    out: Bundle = parse_resource(bundle, where="Bundle")
    return out
