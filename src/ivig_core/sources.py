"""The project's bibliography: every source a number, rule or preset cites.

Code and data cite publications by ID (``sources=("privigen-uspi",)``), never
by free text; this module loads the one file that holds them,
``ivig_core/data/sources.toml``, and renders citations for people::

    >>> from ivig_core.sources import cite, get_source
    >>> print(cite(["privigen-uspi"]))
    Privigen US prescribing information (CSL Behring; DailyMed, updated April 4, 2022)
    >>> get_source("droracle-privigen-dm").is_weak
    True
    >>> print(cite("droracle-privigen-dm"))
    droracle.ai summary on Privigen dosing ... (weak: AI-generated summary)

A field the project's reading did not record (a label's version, a year) is
absent from the file and rendered as "not recorded", never guessed. Weak
sources (secondary monographs and pharmacy sheets, AI-generated summaries)
say so wherever they are cited.

The module is in the ground layer: every other layer may cite.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from ivig_core._checks import instance as _instance
from ivig_core._checks import items as _items
from ivig_core._enum import ParsedEnum
from ivig_core.errors import InputError


__all__ = [
    "NOT_RECORDED",
    "Source",
    "SourceKind",
    "all_sources",
    "check_ids",
    "cite",
    "cite_each",
    "cited",
    "cited_in",
    "get_source",
]

#: What a renderer prints for a field the reading did not record.
NOT_RECORDED: Final = "not recorded"

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FILE: Final = "ivig_core/data/sources.toml"


class SourceKind(ParsedEnum):
    """What kind of publication a source is.

    .. versionadded:: 0.2.0
    """

    LABEL = "label"
    """A prescribing information, SmPC or product information (or a copy)."""
    GUIDELINE = "guideline"
    """A national, regional or institutional guideline, policy or order set."""
    TRIAL = "trial"
    """A clinical trial report."""
    PAPER = "paper"
    """Another primary paper (cohort, case report, formula paper, abstract)."""
    REVIEW = "review"
    """A review article."""
    REGISTRY = "registry"
    """A registry or audit."""
    CALCULATOR = "calculator"
    """An official or published calculator or software package."""
    DATABASE = "database"
    """A database of record (NDC directory, DailyMed, a value set)."""
    MANUFACTURER = "manufacturer"
    """A manufacturer's site or material quoting its own label."""
    SECONDARY = "secondary"
    """A third-party monograph, pharmacy sheet or patient page (weak)."""
    AI_SUMMARY = "ai-summary"
    """An AI-generated summary (weak)."""

    @classmethod
    def _field(cls) -> str:
        return "kind"

    @property
    def label(self) -> str:
        """The kind in words, as the bibliography prints it."""
        return _KIND_WORDS[self]


_KIND_WORDS: Final[Mapping[SourceKind, str]] = {
    SourceKind.LABEL: "product label",
    SourceKind.GUIDELINE: "guideline or policy",
    SourceKind.TRIAL: "clinical trial",
    SourceKind.PAPER: "paper",
    SourceKind.REVIEW: "review",
    SourceKind.REGISTRY: "registry",
    SourceKind.CALCULATOR: "calculator",
    SourceKind.DATABASE: "database",
    SourceKind.MANUFACTURER: "manufacturer's material",
    SourceKind.SECONDARY: "secondary source",
    SourceKind.AI_SUMMARY: "AI-generated summary",
}

_WEAK: Final = frozenset({SourceKind.SECONDARY, SourceKind.AI_SUMMARY})


@attrs.frozen(kw_only=True)
class Source:
    """One publication of the bibliography.

    Attributes:
        id: The kebab-case ID code and data cite it by.
        kind: What kind of publication it is.
        short: The short name used in a citation.
        title: The document's own title, where it was read.
        authors: The author(s) as recorded.
        publisher: The organisation that publishes it.
        journal: A paper's journal, with volume and first page where known.
        year: The year of publication, where recorded.
        version: A label's version and date as the label states them.
        url: The address that was read.
        pmid: The PubMed ID.
        read: False when the project cites a document it did not read (the
            number was taken from a source that quotes it).
        note: What was read, where, and what is not confirmed.

    .. versionadded:: 0.2.0
    """

    id: str
    kind: SourceKind
    short: str
    title: str | None = None
    authors: str | None = None
    publisher: str | None = None
    journal: str | None = None
    year: int | None = None
    version: str | None = None
    url: str | None = None
    pmid: str | None = None
    read: bool = True
    note: str | None = None

    @property
    def is_weak(self) -> bool:
        """True for a secondary source or an AI-generated summary."""
        return self.kind in _WEAK

    @property
    def citation(self) -> str:
        """The short human citation, e.g. ``"Privigen US prescribing ..."``.

        Example:
            >>> print(get_source("procid-2022").citation)
            ProCID trial (Panzyga in CIDP) (Brain 145:887; 2022; PMID 35038723)
        """
        details: list[str] = []
        if self.kind in (SourceKind.PAPER, SourceKind.TRIAL, SourceKind.REVIEW):
            if self.journal is not None:
                details.append(self.journal)
            elif self.publisher is not None:
                details.append(self.publisher)
            if self.year is not None:
                details.append(str(self.year))
            if self.pmid is not None:
                details.append(f"PMID {self.pmid}")
        else:
            if self.publisher is not None and (
                self.publisher.lower() not in self.short.lower()
            ):
                details.append(self.publisher)
            if self.kind is SourceKind.LABEL:
                details.append(
                    self.version
                    if self.version is not None
                    else f"label version {NOT_RECORDED}"
                )
            elif self.year is not None:
                details.append(str(self.year))
        if not self.read:
            details.append("cited, not read by the project")
        if self.is_weak:
            details.append(f"weak: {self.kind.label}")
        return f"{self.short} ({'; '.join(details)})" if details else self.short

    @property
    def reference(self) -> str:
        """The full bibliography entry, every field (absent ones as such).

        Example:
            >>> print(get_source("octagam5-uspi").reference)
            Octagam 5% US prescribing information. Octapharma. Version: not recorded. https://...
        """
        parts: list[str] = []
        if self.authors is not None:
            parts.append(self.authors)
        parts.append(self.title if self.title is not None else self.short)
        parts.extend(v for v in (self.journal, self.publisher) if v is not None)
        if self.kind is SourceKind.LABEL:
            parts.append(f"Version: {self.version or NOT_RECORDED}")
        if self.year is not None and (
            self.version is None or str(self.year) not in self.version
        ):
            parts.append(str(self.year))
        if self.pmid is not None:
            parts.append(f"PMID {self.pmid}")
        if self.url is not None:
            parts.append(self.url)
        return ". ".join(p.rstrip(".") for p in parts)


def _text(entry: Mapping[str, object], key: str, sid: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{_FILE}: sources.{sid}.{key}", value, "a non-empty string")
    return value


_KEYS: Final = frozenset(
    {
        "kind",
        "short",
        "title",
        "authors",
        "publisher",
        "journal",
        "year",
        "version",
        "url",
        "pmid",
        "read",
        "note",
    }
)


def _source(sid: str, entry: object) -> Source:
    where = f"{_FILE}: sources.{sid}"
    if not _ID.match(sid):
        raise InputError(where, sid, "a kebab-case ID (a-z, 0-9, single hyphens)")
    if not isinstance(entry, dict):
        raise InputError(where, entry, "a table")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise InputError(where, unknown, f"only the keys {sorted(_KEYS)}")
    kind = SourceKind.parse(entry.get("kind"), field=f"{where}.kind")
    short = _text(entry, "short", sid)
    if short is None:
        raise InputError(f"{where}.short", None, "a non-empty string")
    year = entry.get("year")
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100
    ):
        raise InputError(f"{where}.year", year, "a whole year from 1900 to 2100")
    url = _text(entry, "url", sid)
    if url is not None and not url.startswith("https://"):
        raise InputError(f"{where}.url", url, "an https:// address")
    read = entry.get("read", True)
    if not isinstance(read, bool):
        raise InputError(f"{where}.read", read, "true or false")
    return Source(
        id=sid,
        kind=kind,
        short=short,
        title=_text(entry, "title", sid),
        authors=_text(entry, "authors", sid),
        publisher=_text(entry, "publisher", sid),
        journal=_text(entry, "journal", sid),
        year=year,
        version=_text(entry, "version", sid),
        url=url,
        pmid=_text(entry, "pmid", sid),
        read=read,
        note=_text(entry, "note", sid),
    )


def _load(text: str) -> dict[str, Source]:
    data = tomllib.loads(text)
    table = data.get("sources")
    if not isinstance(table, dict) or set(data) != {"sources"}:
        raise InputError(_FILE, sorted(data), "one [sources.<id>] table per source")
    return {sid: _source(sid, entry) for sid, entry in table.items()}


@functools.cache
def _bibliography() -> dict[str, Source]:
    resource = importlib.resources.files("ivig_core") / "data" / "sources.toml"
    return _load(resource.read_text(encoding="utf-8"))


def get_source(source_id: object) -> Source:
    """The source with this ID.

    Raises:
        InputError: Not a known ID (the error names it).

    Example:
        >>> get_source("ice-2008").kind
        <SourceKind.TRIAL: 'trial'>

    .. versionadded:: 0.2.0
    """
    bib = _bibliography()
    if isinstance(source_id, str) and source_id in bib:
        return bib[source_id]
    raise InputError(
        "source",
        source_id,
        "an ID of the bibliography (ivig_core/data/sources.toml)",
        f"no source {source_id!r} in the bibliography",
    )


def all_sources() -> tuple[Source, ...]:
    """Every source, in the file's order.

    .. versionadded:: 0.2.0
    """
    return tuple(_bibliography().values())


def check_ids(ids: object, *, field: str = "sources") -> tuple[str, ...]:
    """Validate source IDs: one ID or an iterable of them, all known, no repeats.

    For attrs converters of models that cite (``sources=("privigen-uspi",)``).

    Raises:
        InputError: Empty, not text, or an unknown ID (named, with *field*).

    Example:
        >>> check_ids("ice-2008")
        ('ice-2008',)

    .. versionadded:: 0.2.0
    """
    allowed = "source IDs of the bibliography"
    given = (
        (ids,) if isinstance(ids, str) else _items(ids, field=field, allowed=allowed)
    )
    out: list[str] = []
    for item in given:
        try:
            sid = get_source(item).id
        except InputError as exc:
            raise InputError(field, item, exc.allowed, exc.detail) from None
        if sid not in out:
            out.append(sid)
    if not out:
        raise InputError(field, ids, "at least one source ID")
    return tuple(out)


def cite_each(ids: object) -> tuple[str, ...]:
    """One short citation per source ID (for lists and tables).

    .. versionadded:: 0.2.0
    """
    return tuple(get_source(i).citation for i in check_ids(ids))


@functools.cache
def _cite(ids: tuple[str, ...]) -> str:
    return "; ".join(get_source(i).citation for i in ids)


def cite(ids: object) -> str:
    """The short human citation of one or more source IDs, joined by "; ".

    Raises:
        InputError: An unknown ID (named), or none.

    Example:
        >>> print(cite(("ice-2008", "procid-2022")))
        ICE trial (Gamunex in CIDP) (Lancet Neurol; 2008; PMID 18178525); ProCID ...

    .. versionadded:: 0.2.0
    """
    return _cite(check_ids(ids))


def cited(text: str, ids: object) -> str:
    """*text* followed by the citations of *ids*: ``"<text>; source: <...>"``.

    The form every ``source`` text of the library takes: what the rule says,
    then where it comes from.

    Example:
        >>> print(cited("rounded to 5 g", "ontario-ig-calculator"))
        rounded to 5 g; source: Ontario IG dose calculator (Transfusion Ontario)

    .. versionadded:: 0.2.0
    """
    _instance(text, str, field="text")
    checked = check_ids(ids)
    label = "source" if len(checked) == 1 else "sources"
    return f"{text}; {label}: {_cite(checked)}"


def cited_in(texts: Iterable[object]) -> tuple[str, ...]:
    """The IDs of the sources whose citations appear in *texts*, in file order.

    Source texts are rendered from IDs (:func:`cite`, :func:`cited`), so a
    document that keeps only the text (a plan's trace, a finding) can list
    the sources it cites by ID: the JSON plan document does.

    Example:
        >>> cited_in([cited("rounded to 5 g", "ontario-ig-calculator")])
        ('ontario-ig-calculator',)

    .. versionadded:: 0.2.0
    """
    given = _items(texts, field="texts", allowed="a collection of texts")
    joined = "\n".join(dict.fromkeys(t for t in given if isinstance(t, str)))
    return tuple(sid for sid, citation in _citations() if citation in joined)


@functools.cache
def _citations() -> tuple[tuple[str, str], ...]:
    return tuple((s.id, s.citation) for s in all_sources())
