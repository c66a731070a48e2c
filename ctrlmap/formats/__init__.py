"""The output formats: one module per format, one registry keyed by view and format.

A view is what a command produces (the catalog list, the assignment matrix, the gap list, the
full report...). `VIEWS` declares which formats each view offers, so the command line can build
its `--format` choices without importing jinja2; `INPUTS` names the result type each view
renders, and `render` refuses anything else. A format's module is imported only when used, and
registers its renderers with `@register`. Renderers are pure: they return strings, except the
formats in `BINARY` (a workbook), whose renderers return bytes and are rendered with
`render_bytes`: such a file is only ever written with -o, never printed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

Renderer = Callable[[Any], str]
BinaryRenderer = Callable[[Any], bytes]
"""The renderer of a binary format: it returns the file's bytes."""
AnyRenderer = TypeVar("AnyRenderer", Renderer, BinaryRenderer)

VIEWS: dict[str, tuple[str, ...]] = {
    "frameworks": ("table", "json"),
    "catalog": ("table", "json"),
    "validate": ("table", "json"),
    "verify": ("table", "json"),
    "assign": ("table", "json", "csv", "md"),
    "by-provider": ("table", "json", "csv", "md"),
    "explain": ("table", "json"),
    "gaps": ("table", "json", "csv", "md"),
    "graph": ("dot", "json"),
    "report": ("html", "md", "json", "csv"),
    "compare": ("table", "json", "md", "html"),
    "diff": ("table", "json", "md", "html"),
    "recommend": ("table", "json"),
    "crosswalk": ("table", "json", "csv", "md"),
    "export": ("oscal", "crm-csv", "pci-12.8.5", "ccm-ssrm", "xlsx"),
}
"""Each view and the formats it can be rendered in, the default first."""

INPUTS: dict[str, str] = {
    "frameworks": "ctrlmap.present.views:FrameworksView",
    "catalog": "ctrlmap.present.views:CatalogView",
    "validate": "ctrlmap.present.views:ValidationView",
    "verify": "ctrlmap.present.verify:Verification",
    "assign": "ctrlmap.models.results:AssignResult",
    "by-provider": "ctrlmap.models.results:ByProviderResult",
    "explain": "ctrlmap.models.results:ExplainResult",
    "gaps": "ctrlmap.assessment.gaps:GapsResult",
    "graph": "ctrlmap.models.results:GraphResult",
    "report": "ctrlmap.present.report:Report",
    "compare": "ctrlmap.analyse.compare:CompareResult",
    "diff": "ctrlmap.analyse.changes:DiffResult",
    "recommend": "ctrlmap.analyse.recommend:RecommendResult",
    "crosswalk": "ctrlmap.analyse.crosswalk:CrosswalkResult",
    "export": "ctrlmap.present.exports:ExportInput",
}
"""The result type each view renders, as `module:Class` (imported only when rendering)."""

MODULES = {
    "table": "table",
    "json": "json",
    "csv": "csv",
    "md": "markdown",
    "html": "html",
    "dot": "dot",
    "oscal": "exchange",
    "crm-csv": "exchange",
    "pci-12.8.5": "exchange",
    "ccm-ssrm": "exchange",
    "xlsx": "xlsx",
}
"""The module that renders each format."""

BINARY = frozenset({"xlsx"})
"""The formats whose renderers return bytes: written to a file with -o, never to a terminal."""

_REGISTRY: dict[tuple[str, str], Renderer | BinaryRenderer] = {}


def register(view: str, fmt: str) -> Callable[[AnyRenderer], AnyRenderer]:
    """Register a renderer of `view` in format `fmt` (returning bytes when `fmt` is in BINARY)."""

    def wrap(func: AnyRenderer) -> AnyRenderer:
        _REGISTRY[(view, fmt)] = func
        return func

    return wrap


def formats_for(view: str) -> tuple[str, ...]:
    """The formats a view can be rendered in, the default first."""
    return VIEWS[view]


def is_binary(fmt: str) -> bool:
    """Whether `fmt` renders to bytes (see BINARY)."""
    return fmt in BINARY


def renderer(view: str, fmt: str) -> Renderer | BinaryRenderer:
    """The function that renders `view` in `fmt`, importing its module on first use."""
    importlib.import_module(f"ctrlmap.formats.{MODULES[fmt]}")
    return _REGISTRY[(view, fmt)]


def input_type(view: str) -> type:
    """The result type a view renders."""
    module, _, name = INPUTS[view].partition(":")
    found: type = getattr(importlib.import_module(module), name)
    return found


def _checked(view: str, data: Any) -> None:
    expected = input_type(view)
    if not isinstance(data, expected):
        raise TypeError(f"the {view} view renders a {expected.__name__}, not {type(data).__name__}")


def render(view: str, fmt: str, data: Any) -> str:
    """Render `data`, which must be the view's result type, as `view` in `fmt` (a text format)."""
    if is_binary(fmt):
        raise TypeError(f"{fmt} is a binary format; render it with render_bytes")
    _checked(view, data)
    text = renderer(view, fmt)(data)
    if not isinstance(text, str):  # pragma: no cover - a text renderer registered wrongly
        raise TypeError(f"the {view} {fmt} renderer returned {type(text).__name__}, not str")
    if fmt in ("table", "dot"):  # plain text read on a terminal: no control character gets through
        from ctrlmap.formats.text import terminal_safe

        text = terminal_safe(text)
    return text


def render_bytes(view: str, fmt: str, data: Any) -> bytes:
    """Render `data` as `view` in the binary format `fmt` (see BINARY)."""
    if not is_binary(fmt):
        raise TypeError(f"{fmt} is a text format; render it with render")
    _checked(view, data)
    found = renderer(view, fmt)(data)
    if not isinstance(found, bytes):  # pragma: no cover - a binary renderer registered wrongly
        raise TypeError(f"the {view} {fmt} renderer returned {type(found).__name__}, not bytes")
    return found
