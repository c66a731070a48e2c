"""Turn validation errors into problems that name the file, the line, the field and the fix."""

from __future__ import annotations

import difflib
import heapq
import re
from collections.abc import Iterable
from types import UnionType
from typing import TYPE_CHECKING, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ctrlmap.errors import InputError, Problem, excerpt, shown
from ctrlmap.load.read import Document
from ctrlmap.models.base import NAME_MAX

if TYPE_CHECKING:
    pass


M = TypeVar("M", bound=BaseModel)


_HINTS = {
    "missing": "required field is missing; add it",
    "extra_forbidden": "unknown key; remove it or fix its spelling",
    "string_type": "expected text; quote the value",
    "date_from_datetime_parsing": "not a valid date; write it as YYYY-MM-DD",
    "date_parsing": "not a valid date; write it as YYYY-MM-DD",
    "date_type": "not a valid date; write it as YYYY-MM-DD",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false, unquoted (yes, no, on and off are text, not booleans)",
    "tuple_type": "expected a list, e.g. [a, b]",
    "list_type": "expected a list, e.g. [a, b]",
    "dict_type": "expected a mapping of keys to values",
    "model_type": "expected a mapping of keys to values",
    "model_attributes_type": "expected a mapping of keys to values",
    "too_short": "needs at least one item",
    "string_too_short": "must not be empty",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "date_from_datetime_inexact": "not a valid date; write it as YYYY-MM-DD",
    "greater_than": "must be greater than 0",
}


def validate(model: type[M], doc: Document, data: Any = None, prefix: tuple[Any, ...] = ()) -> M:
    """Validate `data` (default: the whole document) as `model`, or raise every problem found."""
    data = doc.data if data is None else data
    if not isinstance(data, dict):
        got = "a list" if isinstance(data, list) else f"the value {shown(data)}"
        raise InputError([doc.problem(prefix, f"expected a mapping of keys to values, got {got}")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(_problems(model, doc, exc, prefix)) from None


def _problems(
    model: type[BaseModel], doc: Document, exc: ValidationError, prefix: tuple[Any, ...]
) -> list[Problem]:
    problems = []
    errors = exc.errors(include_url=False)
    # a list whose only items failed is also "too short": the item's error says it already
    inner = {tuple(e["loc"][:i]) for e in errors for i in range(len(e["loc"]))}
    for err in errors:
        if err["type"] == "too_short" and tuple(err["loc"]) in inner:
            continue
        raw_loc = (*prefix, *err["loc"])
        is_key = bool(raw_loc) and raw_loc[-1] == "[key]"
        loc = data_path(
            doc.data, raw_loc[:-1] if is_key else raw_loc, keep_last=err["type"] == "missing"
        )
        message = _HINTS.get(err["type"], err["msg"])
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[len(prefix) :])
            close = suggest(str(loc[-1]), allowed, n=1)
            if close:
                message = f"unknown key; did you mean {shown(close[0])}?"
            elif allowed:
                message = f"unknown key; allowed keys are {', '.join(allowed)}"
        elif err["type"].startswith("value_error"):
            message = err["msg"].removeprefix("Value error, ")
        elif err["type"] == "string_too_long":
            message = _too_long(doc.data, loc, int((err.get("ctx") or {}).get("max_length", 0)))
        elif err["type"] == "literal_error":
            message = err["msg"].replace("Input should be", "must be")
            given = err.get("input")
            choices = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
            close = suggest(given, choices, n=1) if isinstance(given, str) else []
            if close:
                message += f"; did you mean {close[0]!r}?"
        elif err["type"] == "string_pattern_mismatch":
            pattern = str((err.get("ctx") or {}).get("pattern", ""))
            message = (
                "a finding id is GAP- and six characters, e.g. GAP-7K3QX2 (`ctrlmap gaps` lists them)"
                if pattern.startswith("^GAP-")
                else "use lower-case letters, digits and '-' only, starting with a letter or digit"
                if pattern.startswith("^[a-z0-9]")
                else "use letters, digits, '.', '_' and '-' only, starting with a letter or digit"
                if pattern.startswith("^[A-Za-z0-9]")
                else "must not contain spaces, ':', quotes, backslashes or control characters"
            )
        if is_key:
            message = f"the key {shown(loc[-1])} is not allowed: {message}"
        problems.append(doc.problem(loc, message))
    return problems


def _too_long(data: Any, loc: tuple[Any, ...], limit: int) -> str:
    """What a text over its field's cap says: how long it is, the cap, and which kind of field."""
    value = data
    for part in loc:
        value = value[part] if isinstance(value, dict | list) else None
    size = f"is {len(value):,} characters, " if isinstance(value, str) else ""
    kind = "an id, name or title" if limit == NAME_MAX else "free text"
    return f"{size}over the {limit:,}-character limit for {kind}; shorten it"


def data_path(data: Any, loc: tuple[Any, ...], keep_last: bool) -> tuple[Any, ...]:
    """Keep the parts of a pydantic location that index into the data (drops union tags)."""
    out: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        elif (keep_last and i == len(loc) - 1) or (isinstance(node, dict) and i == len(loc) - 1):
            pass
        else:
            break
        out.append(part)
    return tuple(out)


def _allowed_keys(model: Any, loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at `loc` (ending with the unknown key) accepts, when a model says so."""
    for part in loc[:-1]:
        model = _step(model, part)
        if model is None:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or name for name, f in model.model_fields.items()]
    return []


def _step(annotation: Any, part: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, f in annotation.model_fields.items():
            if part in (name, f.alias):
                return _unwrap(f.annotation)
        return None
    origin = get_origin(annotation)
    if origin in (tuple, list):
        return _unwrap(get_args(annotation)[0])
    if origin is dict:
        return _unwrap(get_args(annotation)[1])
    return None


def _unwrap(annotation: Any) -> Any:
    """`X | None` to X; anything else unchanged."""
    if get_origin(annotation) in (Union, UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation


SCORED_AT_MOST = 500
"""How many candidates "did you mean" scores with difflib: a 20,000-control catalog is first
narrowed by a length window and leading characters, so a hint costs one linear pass."""
CUTOFF = 0.7
"""difflib's similarity a suggestion needs (its default 0.6 offers `functions` for `locations`)."""


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[-_.:()\s]+", text.casefold()) if t]


def _window(value: str, known: list[str]) -> list[str]:
    """The candidates worth scoring: all of a small vocabulary, else those of a similar length
    sharing the longest leading characters that leave at most SCORED_AT_MOST of them."""
    if len(known) <= SCORED_AT_MOST:
        return known
    size = len(value)
    near = [k for k in known if abs(len(k) - size) <= 3]
    for width in range(1, size + 1):
        if len(near) <= SCORED_AT_MOST:
            break
        head = value[:width].casefold()
        narrower = [k for k in near if k[:width].casefold() == head]
        if not narrower:
            break
        near = narrower
    return near[:SCORED_AT_MOST]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _siblings(value: str, known: list[str], n: int) -> list[str]:
    """The ids sharing the longest run of leading characters with `value` (two at least), the
    closest in length first: the neighbours of a mistyped citation such as `12.8.9`."""
    best, found = 2, []
    head = value[:2]
    for k in known:
        if not k.startswith(head):
            continue
        common = _common_prefix(value, k)
        if common > best:
            best, found = common, [k]
        elif common == best:
            found.append(k)
    found.sort(key=lambda k: abs(len(k) - len(value)))  # stable: catalog order among equals
    return found[:n]


def _token_matches(value: str, known: list[str], n: int) -> list[str]:
    """Ids with a word that begins the value's word or is begun by it (`patching` and
    `patch-management`, `monitoring` and `security-monitoring`), most similar first."""
    words = [w for w in _tokens(value) if len(w) >= 4]
    hits = [
        k
        for k in known
        if any(
            (w.startswith(t) or t.startswith(w)) and min(len(t), len(w)) >= 4
            for w in words
            for t in _tokens(k)
        )
    ]
    score = difflib.SequenceMatcher(b=value.casefold())
    ranked = []
    for k in hits:
        score.set_seq1(k.casefold())
        ranked.append((-score.ratio(), k))
    return [k for _, k in sorted(ranked)[:n]]


def _pool(known: Iterable[str]) -> list[str]:
    """The known ids once each, in their order (a set's sorted, so that ties break the same way)."""
    if isinstance(known, set | frozenset):
        return sorted(known)
    return list(dict.fromkeys(known))


def suggest(value: str, known: Iterable[str], n: int = 3, nearest: bool = False) -> list[str]:
    """The known ids `value` was most likely meant to be, best first (possibly none).

    A different case, then (with `nearest`, for citations) the ids sharing its longest prefix,
    then difflib's close matches, then ids sharing a word with it. Each step is one pass over a
    bounded set of candidates, so a hint stays cheap in a 20,000-control catalog.
    """
    return _suggest(value, _pool(known), n, nearest)


def _suggest(value: str, pool: list[str], n: int, nearest: bool) -> list[str]:
    members = set(pool)
    for variant in (value.lower(), value.upper()):
        if variant != value and variant in members:
            return [variant]
    if nearest:
        found = _siblings(value, pool, n)
        if found:
            return found
    window = _window(value, pool)
    close = difflib.get_close_matches(value, window, n=n, cutoff=CUTOFF)
    if close:
        return close[:1] if not nearest else close
    return _token_matches(value, window, n)


def hint(value: str, known: Iterable[str], nearest: bool = False) -> str:
    """`did you mean 'x'?`, `did you mean one of 'x', 'y'?`, or the known ids (never an empty list)."""
    pool = _pool(known)
    close = _suggest(value, pool, 5 if nearest else 3, nearest)
    if len(close) == 1:
        return f"did you mean {shown(close[0])}?"
    if close:
        return f"did you mean one of {', '.join(shown(c) for c in close)}?"
    if not pool:
        return "none are defined"
    listed = heapq.nsmallest(12, pool)
    more = f" (and {len(pool) - 12} more)" if len(pool) > 12 else ""
    return f"known: {', '.join(excerpt(k, 60) for k in listed)}{more}"


def unknown(what: str, value: str, known: Iterable[str], nearest: bool = False) -> str:
    """`unknown <what> '<value>'; did you mean ...?` with the hint for the closest known ids."""
    return f"unknown {what} {shown(value)}; {hint(value, known, nearest)}"
