"""The one jinja environment: package templates, autoescape for HTML, StrictUndefined."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2 import Environment


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one jinja environment: package templates, autoescape for HTML, strict undefined."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    from ctrlmap.formats.text import md_escape
    from ctrlmap.models.base import join_names, plural
    from ctrlmap.models.comparison import NEED_TITLES

    env = Environment(
        loader=PackageLoader("ctrlmap", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["plural"] = plural
    env.filters["join_names"] = join_names
    env.globals["need_titles"] = NEED_TITLES
    return env
