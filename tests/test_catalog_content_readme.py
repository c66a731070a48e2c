"""The README's catalog table states the shipped control counts."""

from __future__ import annotations

import re
from pathlib import Path

from ctrlmap.load.library import Library
from ctrlmap.models.catalog import REGULATORY_CATALOGS

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_catalog_table_counts_match_the_catalogs(lib: Library) -> None:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Catalogs") : text.index("### The catalog format")]
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \|.*\| ([^|]+) \|$", table, re.M))
    assert set(rows) == set(REGULATORY_CATALOGS)
    for catalog, stated in rows.items():
        controls = lib.catalogs[catalog].controls
        active = sum(c.status == "active" for c in controls)
        proposed = sum(c.status == "proposed" for c in controls)
        expected = f"{active} active, {proposed} proposed" if proposed else str(active)
        assert stated.strip() == expected, catalog
