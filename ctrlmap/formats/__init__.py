"""The output formats: one module per format, one registry keyed by view and format.

A view is what a command produces (the catalog list, the assignment matrix, the gap list, the
full report...). `VIEWS` declares which formats each view offers, so the command line can build
its `--format` choices without importing jinja2; `INPUTS` names the result type each view
renders, and `render` refuses anything else. A format's module is imported only when used, and
registers its renderers with `@register`. Renderers are pure: they return strings, except the
few binary formats (`BINARY`, registered with `@register_binary`), which return bytes and are
only ever written to a file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Renderer = Callable[[Any], str]
BinaryRenderer = Callable[[Any], bytes]

VIEWS: dict[str, tuple[str, ...]] = {
    "frameworks": ("table", "json"),
    "catalog": ("table", "json"),
    "model": ("table", "json", "md"),
    "schema": ("json",),
    "validate": ("table", "json"),
    "verify": ("table", "json"),
    "assign": ("table", "json", "csv", "md"),
    "by-provider": ("table", "json", "csv", "md"),
    "explain": ("table", "json"),
    "gaps": ("table", "json", "csv", "md"),
    "graph": ("dot", "json"),
    "report": ("html", "md", "json", "csv", "pdf"),
    "compare": ("table", "json", "md", "html"),
    "diff": ("table", "json", "md", "html"),
    "recommend": ("table", "json"),
    "crosswalk": ("table", "json", "csv", "md"),
    "export": ("oscal", "crm-csv", "pci-12.8.5", "ccm-ssrm", "poam-csv", "oscal-poam", "xlsx"),
    "portfolio": ("table", "json", "csv", "md", "html"),
}
"""Each view and the formats it can be rendered in, the default first."""

INPUTS: dict[str, str] = {
    "frameworks": "ctrlmap.present.views:FrameworksView",
    "catalog": "ctrlmap.present.views:CatalogView",
    "model": "ctrlmap.present.views:ModelView",
    "schema": "ctrlmap.present.schemas:SchemaDocument",
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
    "portfolio": "ctrlmap.models.portfolio:PortfolioResult",
}
"""The result type each view renders, as `module:Class` (imported only when rendering)."""

MODULES = {
    "table": "table",
    "json": "json",
    "csv": "csv",
    "md": "markdown",
    "html": "html",
    "dot": "dot",
    "pdf": "pdf",
    "oscal": "exchange",
    "crm-csv": "exchange",
    "pci-12.8.5": "exchange",
    "ccm-ssrm": "exchange",
    "poam-csv": "poam",
    "oscal-poam": "poam",
    "xlsx": "xlsx",
}
"""The module that renders each format."""

BINARY = frozenset({"pdf", "xlsx"})
"""Formats rendered as bytes: written to a file, never to a terminal."""

_REGISTRY: dict[tuple[str, str], Renderer] = {}
_BINARY_REGISTRY: dict[tuple[str, str], BinaryRenderer] = {}


def register(view: str, fmt: str) -> Callable[[Renderer], Renderer]:
    """Register a renderer of `view` in the text format `fmt`."""

    def wrap(func: Renderer) -> Renderer:
        _REGISTRY[(view, fmt)] = func
        return func

    return wrap


def register_binary(view: str, fmt: str) -> Callable[[BinaryRenderer], BinaryRenderer]:
    """Register a renderer of `view` in the binary format `fmt`."""

    def wrap(func: BinaryRenderer) -> BinaryRenderer:
        _BINARY_REGISTRY[(view, fmt)] = func
        return func

    return wrap


def formats_for(view: str) -> tuple[str, ...]:
    """The formats a view can be rendered in, the default first."""
    return VIEWS[view]


def renderer(view: str, fmt: str) -> Renderer:
    """The function that renders `view` in the text format `fmt`, importing its module on first use."""
    importlib.import_module(f"ctrlmap.formats.{MODULES[fmt]}")
    return _REGISTRY[(view, fmt)]


def input_type(view: str) -> type:
    """The result type a view renders."""
    module, _, name = INPUTS[view].partition(":")
    found: type = getattr(importlib.import_module(module), name)
    return found


def render(view: str, fmt: str, data: Any) -> str:
    """Render `data`, which must be the view's result type, as `view` in `fmt`."""
    if fmt in BINARY:
        raise TypeError(f"{fmt} is a binary format: use render_bytes")
    _check_input(view, data)
    text = renderer(view, fmt)(data)
    if fmt in ("table", "dot"):  # plain text read on a terminal: no control character gets through
        from ctrlmap.formats.text import terminal_safe

        text = terminal_safe(text)
    return text


def render_bytes(view: str, fmt: str, data: Any) -> bytes:
    """Render `data` as `view` in the binary format `fmt`."""
    if fmt not in BINARY:
        raise TypeError(f"{fmt} is a text format: use render")
    _check_input(view, data)
    importlib.import_module(f"ctrlmap.formats.{MODULES[fmt]}")
    return _BINARY_REGISTRY[(view, fmt)](data)


def _check_input(view: str, data: Any) -> None:
    expected = input_type(view)
    if not isinstance(data, expected):
        raise TypeError(f"the {view} view renders a {expected.__name__}, not {type(data).__name__}")
