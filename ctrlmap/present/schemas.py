"""JSON Schemas of the files a user writes (profile, catalog, operating model), for editors.

Built from the pydantic models, with their docstrings as descriptions, and with the library's
closed vocabularies (function, framework and model ids, the facts and their values, the CSF
subcategories) injected as enums where a model holds a plain string, so that an editor completes
and checks a file as it is typed. What needs the rest of the file to judge (an unknown provider
id, a duplicate control id, a dependency cycle) is left to `ctrlmap validate`.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import sys
import textwrap
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, RootModel

from ctrlmap.load.library import Library
from ctrlmap.models import FACTS, Catalog, OperatingModel, Profile

DRAFT = "https://json-schema.org/draft/2020-12/schema"

SCHEMAS: dict[str, type[BaseModel]] = {
    "profile": Profile,
    "catalog": Catalog,
    "model": OperatingModel,
}
"""Each kind of file `ctrlmap schema KIND` describes, and its model."""


class SchemaDocument(RootModel[dict[str, Any]]):
    """A JSON Schema, as `ctrlmap schema KIND` prints it."""

    model_config = ConfigDict(frozen=True)


def build_schema(kind: str, lib: Library) -> SchemaDocument:
    """The JSON Schema of a `kind` file, with the vocabularies of this library."""
    model = SCHEMAS[kind]
    schema = model.model_json_schema(by_alias=True)
    defs: dict[str, Any] = schema.get("$defs", {})
    module = sys.modules[model.__module__]
    for name, node in [(model.__name__, schema), *defs.items()]:
        cls = getattr(module, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            _describe(node, cls)
            _widen(node, cls)
    functions = list(lib.functions)
    frameworks = [c for c in lib.catalogs if not lib.catalogs[c].hub]
    if kind == "profile":
        props = schema["properties"]
        _restrict(props["frameworks"], frameworks)
        _restrict(props["model"], list(lib.models))
        for name, field in (
            ("Person", "functions"),
            ("Provider", "functions"),
            ("Split", "function"),
            ("Handoff", "from_function"),
            ("Handoff", "to_function"),
        ):
            _restrict(defs[name]["properties"][field], functions)
        _restrict(defs["Provider"]["properties"]["frameworks"], frameworks)
        for name in ("AcceptedRisk", "RemediationItem"):
            defs[name]["properties"]["finding"]["pattern"] = FINDING_ID_ANY_CASE
        key = "^(" + "|".join(re.escape(f) for f in frameworks) + "):.+$"
        for name in ("Override", "Evidence", "ScopeExclusion"):
            defs[name]["properties"]["control"]["pattern"] = key
    elif kind == "catalog":
        control = defs["Control"]["properties"]
        _restrict(control["functions"], functions)
        control["applies_if"] = _applies_if(control["applies_if"])
        hubs = [c for c in lib.catalogs.values() if c.hub]
        if hubs:
            _restrict(control["maps_to"], [c.id for c in hubs[0].controls])
    else:
        schema["properties"]["functions"]["propertyNames"] = {"enum": functions}
        schema["properties"]["functions"]["required"] = functions
    for name, node in list(defs.items()):
        cls = getattr(module, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseModel) and _takes_a_string(cls):
            meta = {k: node.pop(k) for k in ("title", "description") if k in node}
            defs[name] = {**meta, "anyOf": [node, {"type": "string"}]}
    head = {
        "$schema": DRAFT,
        "title": f"ctrlmap {kind}",
        "description": schema.pop("description", ""),
    }
    schema.pop("title", None)
    defs_last = {k: v for k, v in schema.items() if k != "$defs"} | {"$defs": defs}
    return SchemaDocument({**head, **defs_last})


FINDING_ID_ANY_CASE = r"^\s*[Gg][Aa][Pp]-[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{6}\s*$"
"""models.profile.FINDING_ID_PATTERN as a profile may type it: any case, blanks around."""


def _takes_a_string(cls: type[BaseModel]) -> bool:
    """Whether the model also reads a bare string (a dependency written as just its control)."""
    return any(
        d.info.mode == "before" and d.cls_var_name == "_from_string"
        for d in cls.__pydantic_decorators__.model_validators.values()
    )


def _describe(node: dict[str, Any], cls: type[BaseModel]) -> None:
    """Give each property its field's docstring as its description."""
    docs = _field_docs(cls)
    for name, field in cls.model_fields.items():
        prop = node.get("properties", {}).get(field.alias or name)
        if prop is not None and name in docs and "description" not in prop:
            prop["description"] = docs[name]


@cache
def _field_docs(cls: type[BaseModel]) -> dict[str, str]:
    """The docstrings written under a model's fields (pydantic reads them only when asked to, at
    the cost of parsing the source at import; this parses it only for `ctrlmap schema`)."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, BaseModel)) or klass is BaseModel:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError):  # pragma: no cover - source not shipped
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for first, second in itertools.pairwise(body):
            if (
                isinstance(first, ast.AnnAssign)
                and isinstance(first.target, ast.Name)
                and isinstance(second, ast.Expr)
                and isinstance(second.value, ast.Constant)
                and isinstance(second.value.value, str)
            ):
                docs[first.target.id] = " ".join(second.value.value.split())
    return docs


def _widen(node: dict[str, Any], cls: type[BaseModel]) -> None:
    """Accept what the model's before-validators accept: a single value for a list, null for an
    empty section."""
    for decorator in cls.__pydantic_decorators__.field_validators.values():
        if decorator.info.mode != "before":
            continue
        for name in decorator.info.fields:
            field = cls.model_fields[name]
            key = field.alias or name
            prop = node.get("properties", {}).get(key)
            if prop is None:
                continue
            if decorator.cls_var_name == "_listify":
                node["properties"][key] = _single_or_list(prop)
            elif decorator.cls_var_name in ("_none_is_empty", "_none_is_default"):
                node["properties"][key] = _or_null(prop)


_META = ("title", "description", "default")


def _split_meta(prop: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    meta = {k: prop[k] for k in _META if k in prop}
    body = {k: v for k, v in prop.items() if k not in _META}
    return meta, body


def _single_or_list(prop: dict[str, Any]) -> dict[str, Any]:
    meta, body = _split_meta(prop)
    branches = body.pop("anyOf", None) or [body]
    extra = [b["items"] for b in branches if b.get("type") == "array" and "items" in b]
    return {**meta, "anyOf": [*branches, *extra]}


def _or_null(prop: dict[str, Any]) -> dict[str, Any]:
    meta, body = _split_meta(prop)
    branches = body.pop("anyOf", None) or [body]
    return {**meta, "anyOf": [*branches, {"type": "null"}]}


def _restrict(prop: dict[str, Any], vocabulary: list[str]) -> None:
    """Make the strings of a property (itself, its items, or its non-null branches) an enum."""
    if "anyOf" in prop:
        for branch in prop["anyOf"]:
            if branch.get("type") != "null":
                _restrict(branch, vocabulary)
    elif prop.get("type") == "array":
        _restrict(prop["items"], vocabulary)
    elif prop.get("type") == "string":
        prop["enum"] = list(vocabulary)


def _applies_if(prop: dict[str, Any]) -> dict[str, Any]:
    """`applies_if` as the facts it may name, each with its values (one, or a list of them)."""
    meta, _ = _split_meta(prop)
    facts: dict[str, Any] = {}
    for fact, values in FACTS.items():
        if all(isinstance(v, bool) for v in values):
            one: dict[str, Any] = {"type": "boolean"}
        else:
            one = {"type": "string", "enum": [str(v) for v in values]}
        facts[fact] = {"anyOf": [one, {"type": "array", "items": one, "minItems": 1}]}
    mapping = {"type": "object", "properties": facts, "additionalProperties": False}
    return {**meta, "anyOf": [mapping, {"type": "null"}]}
