"""Shared helpers for the benchmark scripts: generated profiles and catalogs, and a timer."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from ctrlmap.load.library import Library
from ctrlmap.models import REGULATORY_CATALOGS, Catalog, Profile

REGULATORY = list(REGULATORY_CATALOGS)


def timed(func: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """The best wall time of `repeat` runs, in seconds, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def median_time(func: Callable[[], Any], repeat: int = 5) -> float:
    """The median wall time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def generated_profiles(
    lib: Library, count: int, seed: int = 7, frameworks: list[str] | None = None
) -> list[Profile]:
    """`count` random but valid profiles over every regulatory catalog."""
    rng = random.Random(seed)
    functions = sorted(lib.functions)
    profiles = []
    for n in range(count):
        people = [
            {
                "id": f"p{i}",
                "name": f"Person {i}",
                "functions": rng.sample(functions, rng.randint(1, 8)),
                "after_hours": rng.random() < 0.3,
                "backup": None,
            }
            for i in range(rng.randint(0, 4))
        ]
        providers = [
            {
                "id": f"v{i}",
                "name": f"Provider {i}",
                "functions": rng.sample(functions, rng.randint(3, 15)),
                "after_hours": rng.random() < 0.7,
                "on_site": rng.random() < 0.5,
                "baa": rng.random() < 0.8,
                "pci_acknowledgement": rng.random() < 0.5,
                "independent": i == 2,
            }
            for i in range(rng.randint(1, 3))
        ]
        holders = [p["id"] for p in people] + [p["id"] for p in providers]
        profiles.append(
            Profile.model_validate(
                {
                    "organization": {"name": f"Org {n}"},
                    "frameworks": frameworks or REGULATORY,
                    "model": rng.choice(["co-managed", "fully-managed"]),
                    "internal": people,
                    "providers": providers,
                    "designations": {
                        role: {"holder": rng.choice(holders)}
                        for role in rng.sample(
                            [
                                "security-official",
                                "qualified-individual",
                                "ciso",
                                "pci-executive",
                                "supervising-lawyer",
                            ],
                            rng.randint(0, 5),
                        )
                    },
                }
            )
        )
    return profiles


def generated_catalog(size: int, seed: int = 11) -> Catalog:
    """A catalog of `size` controls in a layered DAG (each depends on up to 3 earlier ones)."""
    rng = random.Random(seed)
    functions = [
        "governance",
        "access-management",
        "security-monitoring",
        "incident-response",
        "backup-recovery",
        "network-administration",
        "data-protection",
        "help-desk",
    ]
    controls = []
    for i in range(size):
        deps = sorted({f"G-{rng.randrange(i)}" for _ in range(rng.randint(0, 3))}) if i else []
        controls.append(
            {
                "id": f"G-{i}",
                "title": f"Generated control {i}",
                "summary": "A generated control.",
                "citation": f"Generated {i}",
                "kind": "requirement",
                "level": rng.choice(["required", "required", "addressable", "guidance"]),
                "functions": rng.sample(functions, rng.randint(1, 2)),
                "depends_on": deps,
                "designation": "security-official" if i == 0 else None,
                "accountability": "non-delegable" if i % 97 == 0 else None,
                "accountability_basis": "Generated rule" if i % 97 == 0 else None,
            }
        )
    return Catalog.model_validate(
        {"id": "generated", "title": "Generated", "version": "1", "controls": controls}
    )
