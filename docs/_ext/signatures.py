"""Readable signatures for attrs classes: their defaults, not ``NOTHING``.

attrs generates each class's ``__init__``; a field whose default is a factory
(``attrs.field(factory=frozenset)``) shows in that signature as
``risk_factors=NOTHING``. This extension writes the factory call instead
(``risk_factors=frozenset()``), so the API reference says what a caller gets
when the argument is left out.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
from sphinx.application import Sphinx


def _factory(default: Any) -> str:  # noqa: ANN401 - an attrs Factory
    """How a factory default reads in a signature: ``frozenset()``."""
    made = default.factory
    name = getattr(made, "__qualname__", None) or repr(made)
    if name == "<lambda>":
        try:
            return repr(made())
        except TypeError:
            return "..."
    return f"{name}(self)" if default.takes_self else f"{name}()"


def attrs_defaults(
    _app: Sphinx,
    what: str,
    _name: str,
    obj: object,
    _options: object,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str, str | None] | None:
    """``autodoc-process-signature``: factory defaults of an attrs class."""
    if what != "class" or signature is None or "NOTHING" not in signature:
        return None
    if isinstance(obj, type) and attrs.has(obj):
        for field in attrs.fields(obj):
            if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type] # attrs.Factory is a class at run time
                alias = getattr(field, "alias", None) or field.name.lstrip("_")
                signature = re.sub(
                    rf"\b{re.escape(alias)}=NOTHING\b",
                    f"{alias}={_factory(field.default)}",
                    signature,
                )
    # Anything left (a default attrs could not tell): say "optional".
    signature = re.sub(r"=NOTHING\b", "=...", signature)
    return signature, return_annotation


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the hook."""
    app.connect("autodoc-process-signature", attrs_defaults)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
