"""Turn validation errors into problems that name the file, the line, the field and the fix."""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable, Sequence
from types import UnionType
from typing import TYPE_CHECKING, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ctrlmap.errors import InputError, Problem, shown
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
    errors = exc.errors(include_input=False, include_url=False)
    # a list whose only items failed is also "too short": the item's error says it already
    inner = {tuple(e["loc"][:i]) for e in errors for i in range(len(e["loc"]))}
    for err in errors:
        if err["type"] == "too_short" and tuple(err["loc"]) in inner:
            continue
        raw_loc = (*prefix, *err["loc"])
        is_key = bool(raw_loc) and raw_loc[-1] == "[key]"
        loc = _data_path(
            doc.data, raw_loc[:-1] if is_key else raw_loc, keep_last=err["type"] == "missing"
        )
        message = _HINTS.get(err["type"], err["msg"])
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[len(prefix) :])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
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


def _data_path(data: Any, loc: tuple[Any, ...], keep_last: bool) -> tuple[Any, ...]:
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


HINT_POOL = 400
"""Past this many known ids, "did you mean" compares only the ids beside the unknown one in sorted
order (they share its longest prefix): difflib over every id of a 20,000-control catalog took
74 ms per unknown id."""


def unknown(what: str, value: str, known: Iterable[str], ordered: bool = False) -> str:
    """ "unknown <what> <value>; did you mean ...?" (or the first known ids, when nothing is close).

    `ordered`: `known` is already a sorted sequence (a large catalog's ids, sorted once).
    """
    ids = known if ordered and isinstance(known, Sequence) else sorted(known)
    pool: Sequence[str] = ids
    if len(ids) > HINT_POOL:
        at = bisect.bisect_left(ids, value)
        pool = ids[max(0, at - HINT_POOL // 2) : at + HINT_POOL // 2]
    close = difflib.get_close_matches(value, pool, n=1)
    hint = f"did you mean {shown(close[0])}?" if close else f"known: {', '.join(ids[:12])}"
    return f"unknown {what} {shown(value)}; {hint}"
