"""Build profiles in tests from plain dicts, checked like the loader checks a file."""

from __future__ import annotations

import copy
from typing import Any

from ctrlmap.load.library import Library
from ctrlmap.load.profiles import check_profile
from ctrlmap.load.read import Document
from ctrlmap.models import OperatingModel, Profile

BASE: dict[str, Any] = {
    "organization": {"name": "Test Clinic"},
    "frameworks": ["hipaa-security"],
    "model": "co-managed",
    "internal": [
        {"id": "ann", "name": "Ann", "functions": ["governance", "network-administration"]},
    ],
    "providers": [
        {
            "id": "msp",
            "name": "MSP",
            "functions": ["security-monitoring"],
            "after_hours": True,
            "baa": True,
            "last_reviewed": "2026-06-01",
        },
    ],
}


def profile(lib: Library, base: dict[str, Any] | None = None, **changes: Any) -> Profile:
    """A valid profile: BASE (or `base`) with top-level keys replaced; fails on any problem."""
    data = copy.deepcopy(base if base is not None else BASE)
    data.update(copy.deepcopy(changes))
    loaded = Profile.model_validate(data)
    problems = check_profile(loaded, Document("test.yaml", data, "0" * 64, ""), lib)
    assert not problems, [str(p) for p in problems]
    return loaded


def with_defaults(
    model: OperatingModel, new_id: str, **functions: dict[str, Any]
) -> OperatingModel:
    """A copy of `model` under another id with some functions' defaults replaced."""
    data = model.model_dump()
    data["id"] = new_id
    for fid, default in functions.items():
        data["functions"][fid.replace("_", "-")] = {
            **data["functions"][fid.replace("_", "-")],
            **default,
        }
    return OperatingModel.model_validate(data)
