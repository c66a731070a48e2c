"""Hypothesis strategies that build input data from ctrlmap's own pydantic models.

The walk reads each model's fields (their annotations, aliases, patterns and whether they are
required), so a field added to a model is generated without touching the harness. A few fields
name things of the library or of the same document (functions, frameworks, controls, parties);
`hooks` draw those from `Pools`, so that most generated inputs are valid enough to go deep before
the mutations in `breakage.py` break them. A field type the walk does not know fails loudly.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from pydantic import BaseModel

Hook = Callable[["Pools"], SearchStrategy[Any]]

WORDS = (
    "Riverside",
    "Harbor IT",
    "Dana Ortiz",
    "SOW 2 section 4",
    "MSA 2026-03",
    "Backups are run by the provider",
    "Tier 1 on site",
    "Risk analysis 2026",
    "TBD",
    "n/a",
    "  padded  ",
    "Müller & Søn",
    "東京クリニック",
    "مركز",
    '=HYPERLINK("x")',
    "<script>alert(1)</script>",
    "| pipe | table |",
    "# heading",
    "line one\nline two",
)
"""Free text that is valid, with the shapes real users write (placeholders, markup, scripts)."""


def plain_text() -> SearchStrategy[str]:
    """Valid free text: known phrases, or short printable text (no control characters)."""
    return st.one_of(
        st.sampled_from(WORDS),
        st.text(
            st.characters(exclude_categories=("Cc", "Cs"), max_codepoint=0x2FFFF),
            min_size=1,
            max_size=12,
        ),
    )


def iso_dates() -> SearchStrategy[str]:
    """ISO dates as text, as a profile writes them."""
    return st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat)


def ident(pattern: str | None) -> SearchStrategy[str]:
    """An id that matches the model's pattern (lower-case ids for catalogs and models)."""
    if pattern is not None and pattern.startswith("^[a-z0-9]"):
        return st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,8}\Z")
    return st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,8}\Z")


@dataclass
class Pools:
    """What the ids of one document are drawn from, so that references mostly resolve."""

    functions: tuple[str, ...]
    frameworks: tuple[str, ...] = ()
    models: tuple[str, ...] = ("co-managed", "fully-managed")
    controls: tuple[str, ...] = ()
    """Global keys of the controls a profile can name (those of its frameworks)."""
    scopable: tuple[str, ...] = ()
    """Those of them a scope exclusion may name (PCI DSS and user catalogs)."""
    people: tuple[str, ...] = ("ann", "bo", "cy")
    providers: tuple[str, ...] = ("msp", "mssp", "ehr")
    local: tuple[str, ...] = ()
    """Control ids a catalog being built may use (and its controls may depend on)."""
    foreign: tuple[str, ...] = ()
    """Global keys of other catalogs' controls that a catalog may depend on."""
    subcategories: tuple[str, ...] = ()
    """The CSF 2.0 hub's subcategory ids, for maps_to."""
    facts: Mapping[str, tuple[str | bool, ...]] = field(default_factory=dict)
    hooks: Mapping[str, Hook] = field(default_factory=dict)
    always: frozenset[str] = frozenset()
    """Optional fields (`Model.field`) written every time: a control needs its functions."""

    def __repr__(self) -> str:
        # hypothesis shows strategies (and so their arguments) in its events; printing the hooks
        # would make it read the source of every lambda, on every example
        return f"Pools({len(self.functions)} functions, {len(self.controls)} controls)"

    @property
    def parties(self) -> tuple[str, ...]:
        return ("internal", *self.providers)


def id_of(item: Any) -> str:
    """What a list of people, providers or controls keeps unique."""
    return str(item.get("id")) if isinstance(item, dict) else repr(item)


def optional() -> SearchStrategy[bool]:
    """Whether to write an optional field: about one time in three."""
    return st.sampled_from((True, False, False))


def model_data(model: type[BaseModel], pools: Pools) -> SearchStrategy[dict[str, Any]]:
    """A dict that a YAML file for `model` would hold: every required key, some optional ones."""
    return _model_data(model, pools)


@st.composite
def _model_data(draw: st.DrawFn, model: type[BaseModel], pools: Pools) -> dict[str, Any]:
    # A module-level composite: defining one per call makes hypothesis parse its source each time.
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        wanted = info.is_required() or f"{model.__name__}.{name}" in pools.always
        if not wanted and not draw(optional()):
            continue
        key = info.alias or name
        strategy = value_for(info.annotation, name, model.__name__, pools, tuple(info.metadata))
        out[key] = draw(strategy)
    return out


def value_for(
    annotation: Any, name: str, owner: str, pools: Pools, metadata: tuple[Any, ...] = ()
) -> SearchStrategy[Any]:
    """A strategy for one field, from its hook or else its annotation."""
    hook = pools.hooks.get(f"{owner}.{name}") or pools.hooks.get(name)
    if hook is not None:
        return hook(pools)
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        inner = [m for e in extra for m in getattr(e, "metadata", [e])]
        return value_for(base, name, owner, pools, (*metadata, *extra, *inner))
    if origin in (Union, types.UnionType):
        return st.one_of(
            *(value_for(m, name, owner, pools, metadata) for m in get_args(annotation))
        )
    if annotation is type(None):
        return st.none()
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if origin in (tuple, list):
        item = value_for(get_args(annotation)[0], name, owner, pools)
        low = next((m.min_length for m in metadata if hasattr(m, "min_length")), 0) or 0
        return st.lists(item, min_size=low, max_size=max(low, 3))
    if origin is dict:
        key_type, value_type = get_args(annotation)
        return st.dictionaries(
            value_for(key_type, f"{name}[key]", owner, pools),
            value_for(value_type, name, owner, pools),
            max_size=3,
        )
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_data(annotation, pools)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(1, 2000)
    if annotation is dt.date:
        return iso_dates()
    if annotation is str:
        pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
        return ident(pattern) if pattern else plain_text()
    raise TypeError(
        f"the fuzz schema walk has no strategy for {annotation!r} ({owner}.{name}); add one"
    )


def pick(values: Callable[[Pools], tuple[str, ...]]) -> Hook:
    """A hook drawing one value of a pool (null when the pool is empty)."""

    def hook(pools: Pools) -> SearchStrategy[Any]:
        chosen = values(pools)
        return st.sampled_from(chosen) if chosen else st.none()

    return hook


def some(values: Callable[[Pools], tuple[str, ...]], low: int = 0, high: int = 3) -> Hook:
    """A hook drawing a list of distinct values of a pool."""

    def hook(pools: Pools) -> SearchStrategy[Any]:
        chosen = values(pools)
        if not chosen:
            return st.just([])
        return st.lists(st.sampled_from(chosen), min_size=low, max_size=high, unique=True)

    return hook
