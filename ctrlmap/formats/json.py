"""JSON: the canonical, versioned snapshot of every view (`"schema": "ctrlmap/<kind>@1"`)."""

from __future__ import annotations

import json

from pydantic import BaseModel

from ctrlmap.formats import VIEWS, register


def dump(result: BaseModel) -> str:
    """Serialize a result model deterministically: stable key order, two-space indent."""
    data = result.model_dump(mode="json", by_alias=True)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


for _view, _formats in VIEWS.items():
    if "json" in _formats:
        register(_view, "json")(dump)
