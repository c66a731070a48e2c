"""Reading YAML and JSON safely: lines, duplicates, dates, aliases."""

from __future__ import annotations

import json
import time

import pytest

from ctrlmap.errors import InputError
from ctrlmap.load.read import MAX_DEPTH, parse_document


def test_lines_are_recorded_for_every_key() -> None:
    doc = parse_document(b"a: 1\nb:\n  - x: 2\n    y: [1, 2]\n", "t.yaml")
    assert doc.data == {"a": 1, "b": [{"x": 2, "y": [1, 2]}]}
    assert doc.line_of(("b", 0, "y")) == 4
    assert doc.line_of(("b", 0, "missing")) == 3


def test_dates_stay_strings_for_pydantic() -> None:
    assert parse_document(b"d: 2026-02-30\n", "t.yaml").data == {"d": "2026-02-30"}


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(InputError) as err:
        parse_document(b"a: 1\nb: 2\na: 3\n", "t.yaml")
    (problem,) = err.value.problems
    assert (problem.line, problem.field) == (3, "a")
    assert "first at line 1" in problem.message


def test_duplicate_key_in_json_is_found_with_its_line() -> None:
    with pytest.raises(InputError) as err:
        parse_document(b'{"a": 1,\n "a": 2}', "t.json", is_json=True)
    assert err.value.problems[0].line == 2


def test_merge_keys_and_aliases_are_supported() -> None:
    doc = parse_document(b"base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  y: 3\n", "t.yaml")
    assert doc.data["item"] == {"x": 1, "y": 3}


def test_alias_bomb_is_refused_fast() -> None:
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    rows += [
        f"{chr(c)}: &{chr(c)} [" + ",".join([f"*{chr(c - 1)}"] * 9) + "]" for c in range(98, 108)
    ]
    start = time.perf_counter()
    with pytest.raises(InputError, match="alias bomb"):
        parse_document("\n".join(rows).encode(), "bomb.yaml")
    assert time.perf_counter() - start < 0.5


def test_arbitrary_tags_are_refused() -> None:
    with pytest.raises(InputError, match="unsupported YAML tag"):
        parse_document(b"a: !!python/object:os.system ls\n", "t.yaml")


def test_second_document_is_refused() -> None:
    with pytest.raises(InputError, match="more than one YAML document"):
        parse_document(b"a: 1\n---\nb: 2\n", "t.yaml")


def test_deep_nesting_is_refused() -> None:
    text = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    with pytest.raises(InputError, match="nested deeper"):
        parse_document(text.encode(), "t.yaml")


def test_comment_only_file_is_an_error() -> None:
    with pytest.raises(InputError, match="only comments"):
        parse_document(b"# nothing here\n", "t.yaml")


def test_byte_order_mark_is_accepted() -> None:
    assert parse_document("\ufeffa: 1\n".encode(), "t.yaml").data == {"a": 1}


def test_builtin_catalogs_are_cached_and_a_broken_cache_is_ignored(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from ctrlmap.load.read import read_document
    from ctrlmap.load.resources import builtin_root

    monkeypatch.setenv("CTRLMAP_CACHE_DIR", str(tmp_path))
    source = builtin_root() / "functions.yaml"
    first = read_document(source, cache=True)
    (entry,) = Path(str(tmp_path)).glob("*.json")
    assert json.loads(entry.read_bytes().partition(b"\n")[0])["key"] == entry.stem
    assert read_document(source, cache=True).data == first.data
    entry.write_text("{broken")
    assert read_document(source, cache=True).data == first.data
    monkeypatch.setenv("CTRLMAP_NO_CACHE", "1")
    assert read_document(source, cache=True).data == first.data


def _nested(depth: int, leaf: str) -> str:
    """JSON nested `depth` containers deep (lists and mappings in turn) around a leaf."""
    text = leaf
    for level in range(depth):
        text = f'{{"k{level}": {text}}}' if level % 2 else f"[{text}]"
    return text


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 2])
@pytest.mark.parametrize("leaf", ["1", "[]", "{}", '"[[[{{{"', '"a \\\\\\" [[[ \\\\"'])
def test_json_depth_is_judged_as_the_full_walk_judges_it(depth: int, leaf: str) -> None:
    # the byte-level bound decides only when the walk is needed; the verdict is the walk's
    from ctrlmap.load.read import _check_json

    text = _nested(depth, leaf)
    try:
        _check_json(json.loads(text), "t.json")
        expected = None
    except InputError as exc:
        expected = str(exc)
    try:
        parse_document(text.encode(), "t.json", is_json=True)
        got = None
    except InputError as exc:
        got = str(exc)
    assert got == expected
    assert (expected is None) == (depth <= MAX_DEPTH)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "x\\u0001y"}',
        '{"a": "x\\by"}',
        '{"a": "x\\fy"}',
        '{"a": "x\\u007fy"}',
        '{"a": "x\\u0085y"}',
        '{"a": "x\u0085y"}',
        '{"a": "x\u007fy"}',
        '{"x\\u0002": 1}',
    ],
)
def test_json_control_characters_are_refused_however_they_are_written(text: str) -> None:
    with pytest.raises(InputError, match="control character"):
        parse_document(text.encode(), "t.json", is_json=True)


@pytest.mark.parametrize(
    "text", ['{"a": "C:\\\\bin\\\\foo"}', '{"a": "tab\\tnew\\nline"}', '{"a": "\u00a7 1"}']
)
def test_json_that_only_looks_like_a_control_character_is_read(text: str) -> None:
    assert parse_document(text.encode(), "t.json", is_json=True).data == json.loads(text)


def test_json_duplicates_are_named_once_per_repeat_in_reading_order() -> None:
    with pytest.raises(InputError) as caught:
        parse_document(b'{"b": {"x": 1, "x": 2}, "a": 1, "a": 2, "a": 3}', "t.json", is_json=True)
    assert [p.message.split(" (")[0] for p in caught.value.problems] == [
        "duplicate key 'x'",
        "duplicate key 'a'",
        "duplicate key 'a'",
    ]


def test_a_remembered_scalar_reads_as_if_read_for_the_first_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Scalars are resolved once per process: the same text reads the same in every document,
    a failing one is never remembered (its error names each document's own line), and the
    memory starts again when full."""
    from ctrlmap.load import read

    text = b'a: 12\nb: "12"\nc: true\nd: "true"\ne: 1.5\nf: ~\ng: 2026-01-02\n'
    fresh = parse_document(text, "one.yaml").data
    assert parse_document(text, "two.yaml").data == fresh
    assert fresh == {
        "a": 12,
        "b": "12",
        "c": True,
        "d": "true",
        "e": 1.5,
        "f": None,
        "g": "2026-01-02",
    }
    long = "9" * (read.MAX_DIGITS + 1)
    for name, line in (("x.yaml", 1), ("y.yaml", 2)):
        with pytest.raises(InputError) as err:
            parse_document(("\n" * (line - 1) + f"n: {long}\n").encode(), name)
        (problem,) = err.value.problems
        assert (problem.file, problem.line) == (name, line)
    monkeypatch.setattr(read, "SCALARS_KEPT", 2)
    assert parse_document(b"p: 1\nq: 2\nr: 3\ns: 1\n", "t.yaml").data == {
        "p": 1,
        "q": 2,
        "r": 3,
        "s": 1,
    }
    assert len(read._SCALARS) <= 2
