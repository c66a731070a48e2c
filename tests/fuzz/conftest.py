"""The fuzz tests load each set of catalogs once (see harness.load_library_once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fuzz.harness import load_library_once


@pytest.fixture(autouse=True, scope="module")
def _library_once() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("ctrlmap.load.catalogs.load_library", load_library_once)
        yield
