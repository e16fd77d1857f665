"""Reading the catalogue: the shipped TOML file and local formularies.

:func:`default_catalogue` loads ``ivig_core/data/products.toml`` once;
:func:`load_formulary` reads a local file in the same format with the same
validation; :func:`get_product` finds a product by key or brand name. A
malformed file raises :class:`~ivig_core.InputError` naming the file, the
product and the field, and nothing is loaded.
"""

from __future__ import annotations

import functools
import importlib.resources
import math
import re
import threading
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final, TypeVar

from ivig_core import units
from ivig_core.errors import InputError
from ivig_core.products.model import (
    AtRiskCap,
    Catalogue,
    Composition,
    Excipient,
    IgaContent,
    Indication,
    LabelRamp,
    LazyProducts,
    MaintenanceDuration,
    Product,
    ScigConversion,
    ScSiteLimit,
    ScStart,
    SodiumContent,
    Source,
    Vial,
)
from ivig_core.rates import RateStep
from ivig_core.units import G_PER_L, ML, G


__all__ = [
    "catalogue_version",
    "default_catalogue",
    "formulary_from_text",
    "get_product",
    "load_formulary",
    "version_key",
]

_T = TypeVar("_T")
_PRESENTATION: Final = frozenset({"concentration", "vials"})


def get_product(name: str, catalogue: Catalogue | None = None) -> Product:
    """Return the product called *name* from *catalogue* (default: shipped).

    Matching ignores case, spaces and punctuation: ``"privigen"``,
    ``"Octagam 10 %"``, ``"gamunex-c"``.

    Raises:
        InputError: Unknown name; the message lists close matches.

    Example:
        >>> get_product("privigin")
        Traceback (most recent call last):
        ...
        ivig_core.errors.InputError: product: no product 'privigin' in ...
        did you mean Privigen, Bivigam?; ...

    .. versionadded:: 0.1.0
    """
    if catalogue is not None and not isinstance(catalogue, Catalogue):
        raise InputError("catalogue", catalogue, "a Catalogue (from load_formulary)")
    return (catalogue if catalogue is not None else default_catalogue()).get_product(
        name
    )


_VERSION: Final = re.compile(r"^\d{4}\.\d{1,2}\.\d+$")


def _catalogue_version(value: object, file: str) -> str | None:
    """A catalogue's ``version``: ``year.month.serial`` (optional in a formulary)."""
    if value is None:
        return None
    if not isinstance(value, str) or not _VERSION.match(value):
        raise InputError(
            f"{file}: version",
            value,
            "a version such as '2026.12.1' (year.month.serial)",
        )
    return value


def version_key(version: str) -> tuple[int, ...]:
    """A catalogue version as numbers, for ordering (``"2026.12.1"`` → (2026, 12, 1)).

    .. versionadded:: 0.2.0
    """
    given: object = version  # the annotation is a promise callers may break
    if not isinstance(given, str) or not _VERSION.match(given):
        raise InputError("catalogue", version, "a version such as '2026.12.1'")
    return tuple(int(part) for part in version.split("."))


@functools.cache
def _shipped_version() -> str:
    resource = importlib.resources.files("ivig_core") / "data" / "products.toml"
    version = tomllib.loads(resource.read_text(encoding="utf-8")).get("version")
    found = _catalogue_version(version, "ivig_core/data/products.toml")
    if found is None:  # pragma: no cover - the shipped file has one (tested)
        raise InputError("ivig_core/data/products.toml: version", None, "a version")
    return found


def catalogue_version() -> str:
    """The shipped catalogue's version (``data/products.toml``), e.g. ``"2026.12.1"``.

    Every plan records it (:attr:`~ivig_core.plan.PlanInputs.catalogue`); it
    is bumped on any change of the catalogue.

    Example:
        >>> catalogue_version().count(".")
        2

    .. versionadded:: 0.2.0
    """
    with _LOAD_LOCK:
        return _shipped_version()


#: Serialises the shipped catalogue's first load and each product's first
#: build, so threads planning at once share one catalogue and one Product
#: per key.
_LOAD_LOCK: Final = threading.RLock()


@functools.cache
def _shipped() -> Catalogue:
    resource = importlib.resources.files("ivig_core") / "data" / "products.toml"
    return _load_text(
        resource.read_text(encoding="utf-8"),
        "ivig_core/data/products.toml",
        lazy=True,
    )


def default_catalogue() -> Catalogue:
    """The shipped catalogue, loaded and validated once, on first use.

    Thread-safe: the first load happens once, under a lock.

    .. versionadded:: 0.1.0
    """
    with _LOAD_LOCK:
        return _shipped()


def load_formulary(path: str | Path) -> Catalogue:
    """Load a local formulary file (same TOML format as the shipped catalogue).

    The whole file is validated before anything is returned: a malformed file
    raises :class:`~ivig_core.InputError` naming the file, the product and the
    field, and nothing is loaded half-way.

    Raises:
        InputError: Unreadable file, invalid TOML, or an invalid product.

    .. versionadded:: 0.1.0
    """
    given: object = path  # the annotation is a promise callers may break
    if not isinstance(given, (str, Path)) or not str(given).strip():
        raise InputError("path", path, "the path of a formulary TOML file")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: a NUL
        raise InputError(
            str(p), str(path), "a readable UTF-8 TOML file", f"cannot read {p}: {exc}"
        ) from exc
    return _load_text(text, str(p))


def formulary_from_text(text: str, *, file: str = "<text>") -> Catalogue:
    """A local formulary from its TOML *text* (what :func:`load_formulary` reads).

    For a formulary held elsewhere than a file: a plan document carries the
    text of the protocol's formulary, and loading the document rebuilds it
    from that text. *file* names it in every problem. Validated like a file.

    Raises:
        InputError: Not text, invalid TOML, or an invalid product.

    Example:
        >>> formulary_from_text("schema = ", file="site.toml")
        Traceback (most recent call last):
        ...
        ivig_core.errors.InputError: site.toml: invalid TOML in site.toml: ...

    .. versionadded:: 0.2.0
    """
    given: object = text  # the annotations are promises callers may break
    if not isinstance(given, str):
        raise InputError("text", text, "the text of a formulary TOML file")
    name: object = file
    if not isinstance(name, str) or not name.strip():
        raise InputError("file", file, "a name for the formulary (its path)")
    return _load_text(text, file)


# --------------------------------------------------------------------------
# TOML loading


class _Reader:
    """Reads one table of the file, remembering its path for messages."""

    def __init__(self, file: str, path: str, table: object) -> None:
        self.file = file
        self.path = path
        if not isinstance(table, Mapping):
            raise InputError(f"{file}: {path}", table, "a TOML table")
        self.table: Mapping[str, object] = table
        self.used: set[str] = set()

    def error(self, exc: InputError, group: str = "") -> InputError:
        field = exc.field
        where = f"{self.path}.{group}" if group else self.path
        return type(exc)(
            f"{self.file}: {where}.{field}", exc.value, exc.allowed, exc.detail
        )

    def fail(
        self, key: str, value: object, allowed: str, detail: str | None = None
    ) -> InputError:
        return InputError(f"{self.file}: {self.path}.{key}", value, allowed, detail)

    def get(
        self, key: str, default: object = ..., *, kind: type | None = None
    ) -> object:
        self.used.add(key)
        if key not in self.table:
            if default is ...:
                raise self.fail(key, None, "a value", f"missing required field {key!r}")
            return default
        value = self.table[key]
        if kind is not None and not isinstance(value, kind):
            raise self.fail(key, value, f"a TOML {kind.__name__}")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self.get(key, ... if default is None else default, kind=str)
        return str(value)

    def sub(self, key: str) -> _Reader | None:
        self.used.add(key)
        if key not in self.table:
            return None
        return _Reader(self.file, f"{self.path}.{key}", self.table[key])

    def items(self, key: str) -> list[_Reader]:
        self.used.add(key)
        value = self.table.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, value, "a list of tables")
        return [
            _Reader(self.file, f"{self.path}.{key}[{i}]", v)
            for i, v in enumerate(value)
        ]

    def source(self) -> Source:
        try:
            if "sources" in self.table:
                return Source.cited(self.get("sources", kind=list))
            return Source(
                reference=self.text("source"),
                version=self.text("version"),
            )
        except InputError as exc:
            if exc.field.startswith(self.file):
                raise
            raise self.error(exc) from exc

    def done(self) -> None:
        extra = sorted(set(self.table) - self.used)
        if extra:
            raise self.fail(
                extra[0],
                self.table[extra[0]],
                "a known field",
                f"unknown field {extra[0]!r}",
            )

    def build(self, make: Callable[..., _T], **kwargs: object) -> _T:
        try:
            return make(**kwargs)
        except InputError as exc:
            group = "presentation" if exc.field in _PRESENTATION else ""
            raise self.error(exc, group) from exc


def _load_text(text: str, file: str, *, lazy: bool = False) -> Catalogue:
    """The catalogue in *text*; *lazy*: each product built on first use.

    Eager (a local formulary): every product is validated before anything
    is returned. Lazy (the shipped file, validated by the tests): the file's
    structure and the names are checked now, each product when first used.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            file, "<file>", "a valid TOML file", f"invalid TOML in {file}: {exc}"
        ) from exc
    top = _Reader(file, "", data)
    schema = top.get("schema", kind=int)
    if schema != 1:
        raise InputError(f"{file}: schema", schema, "1")
    _catalogue_version(top.get("version", None), file)
    products_table = top.get("products", kind=dict)
    top.done()
    if not isinstance(products_table, dict) or not products_table:
        raise InputError(f"{file}: products", products_table, "at least one product")
    products: Mapping[str, Product]
    if lazy:
        tables: dict[str, object] = dict(products_table)

        built: dict[str, Product] = {}

        def build(key: str) -> Product:
            with _LOAD_LOCK:  # one Product per key, even from many threads
                found = built.get(key)
                if found is None:
                    found = _read_product(
                        _Reader(file, f"products.{key}", tables[key]), key
                    )
                    built[key] = found
                return found

        names = {
            key: t.get("name") if isinstance(t, Mapping) else None
            for key, t in tables.items()
        }
        try:
            products = LazyProducts(names, build)
        except InputError as exc:
            raise InputError(
                f"{file}: {exc.field}", exc.value, exc.allowed, exc.detail
            ) from exc
    else:
        products = {
            key: _read_product(_Reader(file, f"products.{key}", table), key)
            for key, table in products_table.items()
        }
    try:
        return Catalogue(products=products, origin=file)
    except InputError as exc:
        raise InputError(
            f"{file}: {exc.field}", exc.value, exc.allowed, exc.detail
        ) from exc


def _read_product(r: _Reader, key: str) -> Product:
    pres = r.sub("presentation")
    if pres is None:
        raise r.fail(
            "presentation",
            None,
            "a [presentation] table",
            "missing required field 'presentation'",
        )
    concentration = pres.get("concentration")
    vials = [_read_vial(v, concentration) for v in pres.items("vials")]
    pres_source = pres.source()
    pres.done()
    kwargs: dict[str, object] = {
        "key": key,
        "name": r.text("name"),
        "manufacturer": r.text("manufacturer"),
        "routes": r.get("routes", kind=list),
        "unconfirmed": r.get("unconfirmed", []),
        "renal_boxed_warning": r.get("renal_boxed_warning", None),
        "notes": r.get("notes", []),
        "concentration": concentration,
        "vials": vials,
        "presentation_source": pres_source,
    }
    if (t := r.sub("iga")) is not None:
        kwargs["iga"] = t.build(
            IgaContent,
            amount=t.get("amount"),
            bound=t.get("bound"),
            note=t.text("note", ""),
            source=t.source(),
        )
        t.done()
    if (t := r.sub("composition")) is not None:
        excipients = []
        for e in t.items("excipients"):
            excipients.append(
                e.build(
                    Excipient,
                    substance=e.get("substance"),
                    amount=e.get("amount", None),
                    bound=e.get("bound", None),
                    note=e.text("note", ""),
                )
            )
            e.done()
        kwargs["composition"] = t.build(
            Composition,
            excipients=excipients,
            sucrose_free=t.get("sucrose_free", None),
            no_added_sugars=t.get("no_added_sugars", None),
            note=t.text("note", ""),
            source=t.source(),
        )
        t.done()
    if (t := r.sub("sodium")) is not None:
        kwargs["sodium"] = t.build(
            SodiumContent,
            amount=t.get("amount", None),
            bound=t.get("bound", None),
            note=t.text("note", ""),
            source=t.source(),
        )
        t.done()
    if (t := r.sub("at_risk_cap")) is not None:
        kwargs["at_risk_cap"] = t.build(
            AtRiskCap,
            rate=t.get("rate"),
            inclusive=t.get("inclusive"),
            note=t.text("note", ""),
            source=t.source(),
        )
        t.done()
    if (t := r.sub("scig_conversion")) is not None:
        kwargs["scig_conversion"] = t.build(
            ScigConversion,
            factor=t.get("factor"),
            note=t.text("note", ""),
            starts=[_read_start(u) for u in t.items("starts")],
            spreads=t.get("spreads", []),
            regimens=t.get("regimens", []),
            source=t.source(),
        )
        t.done()
    kwargs["sc_limits"] = [_read_sc_limit(s) for s in r.items("sc_limits")]
    indications = []
    if (t := r.sub("indications")) is not None:
        for ind_key in t.table:
            indications.append(
                _read_indication(
                    _Reader(r.file, f"{t.path}.{ind_key}", t.table[ind_key]), ind_key
                )
            )
            t.used.add(ind_key)
    kwargs["indications"] = indications
    kwargs["maintenance_durations"] = [
        _read_duration(d) for d in r.items("maintenance_durations")
    ]
    r.done()
    return r.build(Product, **kwargs)


def _read_vial(r: _Reader, concentration: object) -> Vial:
    grams = r.get("grams")
    volume = r.get("volume", None)
    stated = volume is not None
    if volume is None:
        try:
            g = units.to_float(grams, field="grams", unit=G)
            conc = units.to_float(concentration, field="concentration", unit=G_PER_L)
        except InputError as exc:
            raise r.error(exc) from exc
        if not (conc > 0 and math.isfinite(g)):
            raise r.fail("grams", grams, "a vial size with a positive concentration")
        volume = units.quantity(g / conc * 1000.0, ML)
    r.done()
    return r.build(Vial, grams=grams, volume=volume, volume_stated=stated)


def _read_start(r: _Reader) -> ScStart:
    result = r.build(
        ScStart,
        earliest=r.get("earliest"),
        latest=r.get("latest"),
        frequency=r.get("frequency", None),
        note=r.text("note", ""),
        source=r.source(),
    )
    r.done()
    return result


def _read_sc_limit(r: _Reader) -> ScSiteLimit:
    result = r.build(
        ScSiteLimit,
        applies_to=r.text("applies_to"),
        volume_per_site=r.get("volume_per_site", None),
        initial_rate_per_site=r.get("initial_rate_per_site", None),
        rate_per_site=r.get("rate_per_site", None),
        max_sites=r.get("max_sites", None),
        total_rate=r.get("total_rate", None),
        volume_per_day=r.get("volume_per_day", None),
        weight_from=r.get("weight_from", None),
        weight_below=r.get("weight_below", None),
        age_from=r.get("age_from", None),
        age_below=r.get("age_below", None),
        age_group=r.get("age_group", None),
        infusions=r.get("infusions", "any"),
        infusion_count=r.get("infusion_count", None),
        sites_from=r.get("sites_from", None),
        sites_to=r.get("sites_to", None),
        indications=r.get("indications", []),
        note=r.text("note", ""),
        source=r.source(),
    )
    r.done()
    return result


def _read_duration(r: _Reader) -> MaintenanceDuration:
    result = r.build(
        MaintenanceDuration,
        indication=r.get("indication"),
        months=r.get("months", None),
        words=r.get("words", ""),
        note=r.text("note", ""),
        source=r.source(),
    )
    r.done()
    return result


def _read_indication(r: _Reader, key: str) -> Indication:
    ramp = None
    if (t := r.sub("rates")) is not None:
        steps = None
        if "steps" in t.table:
            steps = []
            for s in t.items("steps"):
                steps.append(
                    s.build(
                        RateStep, rate=s.get("rate"), duration=s.get("duration", None)
                    )
                )
                s.done()
        interval = t.get("interval", None)
        low = t.get("interval_low", interval)
        high = t.get("interval_high", interval)
        ramp = t.build(
            LabelRamp,
            initial=t.get("initial"),
            maximum=t.get("maximum"),
            initial_duration=t.get("initial_duration", None),
            increment=t.get("increment", None),
            interval_low=low,
            interval_high=high,
            steps=steps,
            notes=t.get("notes", []),
        )
        t.done()
    result = r.build(
        Indication,
        key=key,
        name=r.text("name"),
        ramp=ramp,
        source=r.source(),
        age_from=r.get("age_from", None),
        age_below=r.get("age_below", None),
        age_group=r.get("age_group", None),
    )
    r.done()
    return result
