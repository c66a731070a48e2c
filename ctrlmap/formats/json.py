"""JSON: the canonical, versioned snapshot of every view (`"schema": "ctrlmap/<kind>@1"`)."""

from __future__ import annotations

import json

from pydantic import BaseModel

from ctrlmap.formats import VIEWS, register


def dump(result: BaseModel) -> str:
    """Serialize a result model deterministically: stable key order, two-space indent.

    pydantic's serializer writes exactly what `json.dumps(data, indent=2, ensure_ascii=False)`
    writes of the model's JSON data (the text a snapshot's hash is checked against), several
    times faster: Python's indenting encoder is pure Python. The two differ only on floats, which
    no result holds; tests hold both facts.
    """
    return result.model_dump_json(indent=2, by_alias=True) + "\n"


def reference_dump(result: BaseModel) -> str:
    """The canonical text by the standard library's encoder: what `dump` must equal."""
    data = result.model_dump(mode="json", by_alias=True)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


for _view, _formats in VIEWS.items():
    if "json" in _formats:
        register(_view, "json")(dump)
