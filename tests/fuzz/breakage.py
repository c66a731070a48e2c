"""Break valid input data, then write it as YAML or JSON bytes that may be broken too.

Mutations: wrong types, unknown keys and ids, missing fields, empty strings, control characters
and unicode oddities (lone surrogates, which JSON can carry as `\\ud800` escapes; RTL marks; NUL),
huge numbers, deep nesting, duplicate list items, duplicate keys and dependency cycles. Byte
mutations: a BOM, CRLF line ends, truncation, bytes that are not UTF-8, YAML tags, anchors and
merges, a second document.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

Path_ = tuple[Any, ...]


class Pairs(list[tuple[str, Any]]):
    """A mapping written key by key, so that a key can appear twice (a duplicate-key case)."""


ODD_TEXT = (
    "\x00",
    "\x1b[2J",
    "\r",
    "\x7f",
    "\x85",
    "\x9b",
    "\u200f",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\u2028",
    "\ud800",
    "\udfff",
    "e\u0301",
    "\U0001f600",
    "\uffff",
    "\U0010ffff",
    "İ",
    "\t",
)
"""Control characters and unicode oddities to put inside text."""
WRONG_TYPES: tuple[Any, ...] = (0, -1, 1.5, True, False, None, [], {}, "", [1, 2], {"a": 1}, "yes")
HUGE_NUMBERS: tuple[Any, ...] = (
    10**18 - 1,
    10**18,
    -(10**25),
    2**63,
    1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
    5e-324,
    0,
    -1,
)
UNKNOWN_IDS = (
    "nobody",
    "zz-404",
    "hipaa-security:999",
    "internal",
    "shared",
    "unassigned",
    "provider",
    "x:y:z",
    ":",
    " ",
    "Co-Managed",
    "../../etc/passwd",
    "a" * 300 + ".json",
)
UNKNOWN_KEYS = ("colour", "Name", "id ", "", "\u200fid", "extra", "__proto__", "<<<")


def paths(node: Any, prefix: Path_ = ()) -> list[tuple[Path_, Any]]:
    """Every node of the tree with its path (a Pairs mapping is a leaf)."""
    out = [(prefix, node)]
    if isinstance(node, Pairs):
        return out
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(paths(value, (*prefix, index)))
    return out


def replace(root: Any, path: Path_, value: Any) -> Any:
    """The tree with the node at `path` replaced (the root itself when the path is empty)."""
    if not path:
        return value
    parent = root
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return root


def _near_miss(key: str) -> SearchStrategy[str]:
    """A misspelling of a real key: hyphen and underscore swapped, a letter dropped, capitals."""
    options = {key.replace("_", "-"), key.replace("-", "_"), key[:-1], key.upper(), key + "s"}
    options.discard(key)
    options.discard("")
    return st.sampled_from(sorted(options)) if options else st.just(key + "x")


def _nested(depth: int, mapping: bool) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"k": value} if mapping else [value]
    return value


def _cycle(draw: st.DrawFn, root: Any) -> Any:
    """Controls that depend on each other, on themselves, or are each other's parent."""
    controls = root.get("controls") if isinstance(root, dict) else None
    if not isinstance(controls, list):
        return root
    found = [c for c in controls if isinstance(c, dict) and isinstance(c.get("id"), str)]
    if not found:
        return root
    a = draw(st.sampled_from(found))
    b = draw(st.sampled_from(found))
    how = draw(st.sampled_from(("depends", "parent")))
    for one, other in ((a, b), (b, a)):
        if how == "parent":
            one["parent"] = other["id"]
        else:
            deps = one.get("depends_on")
            one["depends_on"] = [*(deps if isinstance(deps, list) else []), other["id"]]
    return root


def _mutate(draw: st.DrawFn, root: Any, kind: str) -> Any:
    nodes = paths(root)
    strings = [(p, v) for p, v in nodes if isinstance(v, str)]
    mappings = [(p, v) for p, v in nodes if isinstance(v, dict) and not isinstance(v, Pairs)]
    lists = [(p, v) for p, v in nodes if isinstance(v, list) and not isinstance(v, Pairs) and v]
    inner = [(p, v) for p, v in nodes if p]
    if kind == "cycle":
        return _cycle(draw, root)
    if kind in ("odd_text", "empty_text", "unknown_id") and strings:
        path, text = draw(st.sampled_from(strings))
        if kind == "odd_text":
            at = draw(st.integers(0, len(text)))
            odd = draw(st.sampled_from(ODD_TEXT))
            return replace(root, path, text[:at] + odd + text[at:])
        if kind == "empty_text":
            return replace(root, path, draw(st.sampled_from(("", " ", "\n", "\t"))))
        return replace(root, path, draw(st.sampled_from(UNKNOWN_IDS)))
    if kind in ("unknown_key", "drop_key", "duplicate_key") and mappings:
        path, mapping = draw(st.sampled_from(mappings))
        keys = sorted(str(k) for k in mapping)
        if kind == "unknown_key":
            new = draw(
                st.one_of(
                    st.sampled_from(UNKNOWN_KEYS),
                    *([_near_miss(draw(st.sampled_from(keys)))] if keys else []),
                )
            )
            mapping.setdefault(new, draw(st.sampled_from(("x", 1, None, [1]))))
            return root
        if not keys:
            return root
        key = draw(st.sampled_from(keys))
        if kind == "drop_key":
            del mapping[key]
            return root
        twice = Pairs([*mapping.items(), (key, copy.deepcopy(mapping[key]))])
        return replace(root, path, twice)
    if kind in ("duplicate_item", "list_to_scalar") and lists:
        path, items = draw(st.sampled_from(lists))
        if kind == "duplicate_item":
            items.append(copy.deepcopy(draw(st.sampled_from(items))))
            return root
        return replace(root, path, items[0])
    numbers = [(p, v) for p, v in inner if isinstance(v, int | float) and not isinstance(v, bool)]
    if kind == "huge_number" and numbers and draw(st.booleans()):
        inner = numbers
    if kind in ("wrong_type", "huge_number", "deep_nesting", "scalar_to_list") and inner:
        path, value = draw(st.sampled_from(inner))
        if kind == "wrong_type":
            return replace(root, path, draw(st.sampled_from(WRONG_TYPES)))
        if kind == "huge_number":
            return replace(root, path, draw(st.sampled_from(HUGE_NUMBERS)))
        if kind == "scalar_to_list":
            return replace(root, path, [value])
        depth = draw(st.integers(60, 70))
        return replace(root, path, _nested(depth, draw(st.booleans())))
    return root


MUTATIONS = (
    "wrong_type",
    "unknown_key",
    "drop_key",
    "duplicate_key",
    "empty_text",
    "odd_text",
    "unknown_id",
    "huge_number",
    "deep_nesting",
    "duplicate_item",
    "list_to_scalar",
    "scalar_to_list",
    "cycle",
)


def broken(base: SearchStrategy[Any], most: int = 3) -> SearchStrategy[Any]:
    """Data from `base` with up to `most` mutations (none: the valid input itself)."""
    return _broken(base, most)


@st.composite
def _broken(draw: st.DrawFn, base: SearchStrategy[Any], most: int) -> Any:
    root = copy.deepcopy(draw(base))
    for _ in range(draw(st.sampled_from((0, 0, *range(1, most + 1))))):
        root = _mutate(draw, root, draw(st.sampled_from(MUTATIONS)))
    return root


# --- writing ---------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, which also writes Pairs (keys kept in order, duplicates too)."""


_Dumper.add_representer(
    Pairs, lambda dumper, pairs: dumper.represent_mapping("tag:yaml.org,2002:map", list(pairs))
)


def to_json(node: Any, ascii_only: bool) -> str:
    """JSON text; Pairs keep duplicate keys, `ascii_only` writes lone surrogates as escapes."""
    if isinstance(node, Pairs):
        items: list[tuple[Any, Any]] = list(node)
    elif isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        return "[" + ", ".join(to_json(v, ascii_only) for v in node) + "]"
    else:
        return json.dumps(node, ensure_ascii=ascii_only)
    return (
        "{"
        + ", ".join(
            f"{json.dumps(str(k), ensure_ascii=ascii_only)}: {to_json(v, ascii_only)}"
            for k, v in items
        )
        + "}"
    )


FORMS = ("yaml", "yaml-flow", "yaml-unicode", "json", "json-unicode")
"""How a document is written: block or flow YAML, JSON with escapes or raw unicode."""


def render(data: Any, form: str) -> bytes:
    """The document's bytes; raw lone surrogates become bytes that are not UTF-8."""
    if form.startswith("json"):
        text = to_json(data, ascii_only=form == "json")
    else:
        text = yaml.dump(
            data,
            Dumper=_Dumper,
            allow_unicode=form == "yaml-unicode",
            default_flow_style=form == "yaml-flow",
            sort_keys=False,
            width=4096,
        )
    return text.encode("utf-8", "surrogatepass")


BYTE_MUTATIONS = (
    "none",
    "none",
    "none",
    "none",
    "none",
    "none",
    "bom",
    "crlf",
    "truncate",
    "not_utf8",
    "nul",
    "yaml_tag",
    "yaml_alias",
    "yaml_merge",
    "second_document",
)


def break_bytes(draw: st.DrawFn, raw: bytes, yaml_text: bool) -> bytes:
    """Usually the bytes unchanged; else one byte-level mutation."""
    kind = draw(st.sampled_from(BYTE_MUTATIONS))
    at = draw(st.integers(0, len(raw)))
    if kind == "bom":
        return b"\xef\xbb\xbf" + raw
    if kind == "crlf":
        return raw.replace(b"\n", b"\r\n")
    if kind == "truncate":
        return raw[:at]
    if kind == "not_utf8":
        return raw[:at] + draw(st.sampled_from((b"\xff", b"\xc3", b"\xed\xa0\x80"))) + raw[at:]
    if kind == "nul":
        return raw[:at] + b"\x00" + raw[at:]
    if not yaml_text:
        return raw
    if kind == "yaml_tag":
        tag = draw(
            st.sampled_from(
                (b"!!python/object/apply:os.system ['true'] ", b"!!binary ", b"!custom ")
            )
        )
        return raw.replace(b": ", b": " + tag, 1)
    if kind == "yaml_alias":
        return b"a_: &a [x, x, x]\nb_: [*a, *a, *a]\n" + raw
    if kind == "yaml_merge":
        return b"<<: {name: merged}\n" + raw
    if kind == "second_document":
        return raw + b"\n---\nsecond: document\n"
    return raw
