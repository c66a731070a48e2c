"""ctrlmap: who owns each compliance control under an IT operating model, and what falls through the cracks.

The library API, for scripts (the command line is a thin client of the same functions):

    import datetime, ctrlmap
    lib = ctrlmap.load_library()
    profile, doc = ctrlmap.load_profile("examples/clinic.yaml", lib)
    assessment = ctrlmap.assess(profile, lib, as_of=datetime.date(2026, 11, 28))
    print(ctrlmap.render("gaps", "table", assessment.gaps))
    html = ctrlmap.render("report", "html", ctrlmap.build_report(assessment, doc))

The names are imported on first use, so `import ctrlmap` (and the CLI's start-up) stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "load_library": "ctrlmap.load.catalogs",
    "load_profile": "ctrlmap.load.profiles",
    "assess": "ctrlmap.assessment.pipeline",
    "Assessment": "ctrlmap.assessment.pipeline",
    "build_report": "ctrlmap.present.report",
    "render": "ctrlmap.formats",
}
__all__ = [
    "Assessment",
    "__version__",
    "assess",
    "build_report",
    "load_library",
    "load_profile",
    "render",
]

if TYPE_CHECKING:
    from ctrlmap.assessment.pipeline import Assessment, assess
    from ctrlmap.formats import render
    from ctrlmap.load.catalogs import load_library
    from ctrlmap.load.profiles import load_profile
    from ctrlmap.present.report import build_report


def __getattr__(name: str) -> Any:
    """Import an API name from its module on first use."""
    if name not in _API:
        raise AttributeError(f"module 'ctrlmap' has no attribute {name!r}")
    value = getattr(import_module(_API[name]), name)
    globals()[name] = value
    return value
