"""`ctrlmap models show` and the models and functions of `frameworks list` (issue 15, item 2)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import Result

from ctrlmap.load.library import Library


@pytest.mark.parametrize("model_id", ["co-managed", "fully-managed"])
def test_models_show_table_has_a_row_per_function(
    invoke: Callable[..., Result], lib: Library, model_id: str
) -> None:
    result = invoke("models", "show", model_id)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{model_id}: {lib.models[model_id].title}\n")
    header = next(line for line in result.stdout.splitlines() if line.startswith("function "))
    assert header.split() == [
        "function",
        "owner",
        "accountable",
        "consulted",
        "informed",
        "rationale",
    ]
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:] if line}
    for fid, default in lib.models[model_id].functions.items():
        assert rows[fid][1:3] == [default.owner, default.accountable], fid


def test_models_show_json_is_the_model_in_taxonomy_order(
    invoke: Callable[..., Result], lib: Library
) -> None:
    result = invoke("models", "show", "co-managed", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema"] == "ctrlmap/model@1" and data["builtin"] is True
    assert [f["function"] for f in data["functions"]] == list(lib.functions)
    monitoring = next(f for f in data["functions"] if f["function"] == "security-monitoring")
    default = lib.models["co-managed"].functions["security-monitoring"]
    assert monitoring["owner"] == default.owner and monitoring["continuous"] is True
    assert monitoring["rationale"] == default.rationale


def test_models_show_markdown(invoke: Callable[..., Result]) -> None:
    result = invoke("models", "show", "fully-managed", "--format", "md")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Operating model: Fully managed IT (fully-managed)")
    assert "| Function" in result.stdout and "| help-desk " in result.stdout


def test_frameworks_show_a_model_points_to_models_show(invoke: Callable[..., Result]) -> None:
    result = invoke("frameworks", "show", "co-managed")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: co-managed is an operating model; try `ctrlmap models show co-managed`\n"
    )


def test_models_show_a_catalog_or_a_typo(invoke: Callable[..., Result]) -> None:
    catalog = invoke("models", "show", "hipaa-security")
    assert catalog.exit_code == 2
    assert "try `ctrlmap frameworks show hipaa-security`" in catalog.stderr
    typo = invoke("models", "show", "co-manged")
    assert typo.exit_code == 2
    assert typo.stderr.startswith("Error: unknown model 'co-manged'; did you mean 'co-managed'?")


def test_frameworks_list_gives_descriptions_and_flags(
    invoke: Callable[..., Result], lib: Library
) -> None:
    data = json.loads(invoke("frameworks", "list", "--format", "json").stdout)
    models = {m["id"]: m for m in data["models"]}
    assert models["co-managed"]["description"] == lib.models["co-managed"].description
    functions = {f["id"]: f for f in data["functions"]}
    assert functions["on-site-support"]["on_site"] is True
    assert (
        functions["patch-management"]["description"]
        == lib.functions["patch-management"].description
    )
    table = invoke("frameworks", "list").stdout
    assert "description" in table and "continuous" in table
    assert "ctrlmap models show ID" in table
