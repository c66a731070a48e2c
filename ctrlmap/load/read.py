"""Read YAML and JSON files into plain data, safely, remembering the line of every key.

YAML is built straight from the parser's event stream (libyaml's C parser when present), which
lets us refuse alias bombs by counting the expanded size as we go, reject duplicate keys (PyYAML
and `json` silently keep the last), leave dates as strings for pydantic to parse and name, and
never construct anything but mappings, lists and scalars.

Over 500 lines because the YAML event reader, the JSON checks and the cache are the one bounded reader of every input.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from pathlib import Path
from typing import Any

import yaml

from ctrlmap import __version__
from ctrlmap.errors import InputError, Problem, excerpt, shown

try:  # libyaml's parser is an order of magnitude faster; fall back to the pure-Python one.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 64 * 1024 * 1024
"""Largest input file read (64 MiB): room for the full NIST SP 800-53 OSCAL catalog."""
MAX_NODES = 2_000_000
"""Largest expanded size of a YAML document, aliases counted at their full size."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted."""

Path_ = tuple[str | int, ...]
_MERGE = object()


_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(
    r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$"
)
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_DROPPED = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
}


class _Resolver(yaml.resolver.Resolver):
    """Scalar resolution with YAML 1.2's booleans and plain numbers, and no implicit timestamps.

    YAML 1.1 also reads `yes`, `no`, `on`, `off`, `y` and `n` as booleans, `1:20` (base 60),
    `0x10` and `010` (octal) as numbers, and dates as timestamps; here only `true` and `false`
    are booleans, numbers are plain decimals, and dates stay strings for the models to parse.
    """

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML's own class attribute
        first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
        for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }


_Resolver.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters that have no place in a profile or catalog (tab and line ends excepted)."""
MAX_DIGITS = 18
"""Longest number accepted; anything longer is a mistake (and Python refuses past 4,300 digits)."""


def _yaml_bool(text: str) -> bool:
    """YAML 1.2's booleans, also under an explicit `!!bool` tag (where 1.1 takes `yes` and `on`)."""
    if not _BOOL.match(text):
        raise ValueError(text)
    return text.lower() == "true"


_RESOLVER = _Resolver()
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null": lambda node: None,
    "tag:yaml.org,2002:bool": lambda node: _yaml_bool(node.value),
    "tag:yaml.org,2002:int": lambda node: int(node.value, 10),
    "tag:yaml.org,2002:float": lambda node: float(node.value),
    "tag:yaml.org,2002:str": lambda node: node.value,
    "tag:yaml.org,2002:timestamp": lambda node: node.value,
    "tag:yaml.org,2002:value": lambda node: node.value,
    "tag:yaml.org,2002:merge": lambda node: _MERGE,
}
SCALARS_KEPT = 8192
"""How many distinct scalars the reader remembers before it starts again (a few hundred KB)."""
_SCALARS: dict[tuple[str | None, str, tuple[bool, bool]], tuple[Any]] = {}
"""Scalars already read, by tag, text and implicitness: their values (None, bool, int, float,
text, or the merge key: all immutable, so one value serves every document)."""
_MAP_TAGS = {None, "!", "tag:yaml.org,2002:map"}
_SEQ_TAGS = {None, "!", "tag:yaml.org,2002:seq"}


@dataclass
class Document:
    """A parsed input file: its data, where each key stands, and its SHA-256."""

    name: str
    _data: Any
    sha256: str
    text: str = field(repr=False)
    is_json: bool = False
    _lines: dict[Path_, int] | None = field(default=None, repr=False)
    _load: Callable[[], Any] | None = field(default=None, repr=False, compare=False)
    """How to get the data when it was not parsed up front (a file found in the cache)."""

    @property
    def data(self) -> Any:
        """The parsed data: mappings, lists and scalars."""
        if self._load is not None:
            self._data, self._load = self._load(), None
        return self._data

    @property
    def lines(self) -> dict[Path_, int]:
        """Map from a path of keys and indexes to its 1-based line (computed lazily for JSON)."""
        if self._lines is None:
            try:
                self._lines = _Builder(self.name).build(self.text)[1]
            except InputError:
                self._lines = {}
        return self._lines

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        """The line of the longest prefix of `path` that is known, or None."""
        lines = self.lines
        for end in range(len(path), -1, -1):
            line = lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def problem(self, path: tuple[Any, ...], message: str) -> Problem:
        """A problem located at `path` of this document."""
        return Problem(self.name, self.line_of(path), format_path(self.data, path), message)


def format_path(data: Any, path: tuple[Any, ...]) -> str:
    """Render a path as `providers[1](harbor).functions[0]`, naming list items by their id."""
    out = ""
    node = data
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            if isinstance(node, dict):
                label = node.get("id", node.get("control"))
                if isinstance(label, str | int) and not isinstance(label, bool):
                    out += f"({excerpt(str(label), _PART)})"
        else:
            key = excerpt(str(part), _PART)
            out += f".{key}" if out else key
            node = node.get(part) if isinstance(node, dict) else None
    return out


_PART = 60
"""Most characters of one key or id a field path shows (a hostile key may be megabytes long)."""


def read_document(
    path: Path, name: str | None = None, max_bytes: int = MAX_BYTES, cache: bool = False
) -> Document:
    """Read a YAML or JSON file (by suffix) into a Document, or raise InputError.

    With `cache`, a YAML file's parsed data is kept as JSON in the user's cache folder, keyed by
    the file's SHA-256, so that a catalog is not parsed again on every run (a JSON file's entry
    only records that it parsed). A file found in the cache parsed once before, so its data is
    loaded only when first asked for: a run that finds its OSCAL conversion in the cache too
    (ctrlmap.load.oscal_cache) never parses the catalog at all.
    """
    label = name or str(path)
    raw = read_bytes(path, label, max_bytes)
    is_json = path.suffix.lower() == ".json"
    if not cache:
        return parse_document(raw, label, is_json=is_json)
    sha = hashlib.sha256(raw).hexdigest()
    key = _document_key(sha)
    if is_json:
        return _json_document(raw, label, sha, key)
    if cache_entry(key) is not None:
        text = raw.decode("utf-8-sig")

        def load() -> Any:
            data = load_cached(key)
            return data if data is not None else _parsed(raw, label, is_json, key).data

        return Document(label, None, sha, text, is_json, _load=load)
    return _parsed(raw, label, is_json, key)


_PARSED = "parsed"
"""A JSON file's entry: JSON parses about as fast as a cached copy of it loads (and writing a
copy of SP 800-53 costs more than parsing it), so the entry only records that it parsed."""


def _json_document(raw: bytes, label: str, sha: str, key: str) -> Document:
    """A JSON file that parsed before is parsed again only when its data is first asked for."""
    if load_cached(key) == _PARSED:

        def load() -> Any:
            return parse_document(raw, label, is_json=True).data

        return Document(label, None, sha, raw.decode("utf-8-sig"), True, _load=load)
    doc = parse_document(raw, label, is_json=True)
    store_cached(key, _PARSED)
    return doc


def _parsed(raw: bytes, label: str, is_json: bool, key: str) -> Document:
    """Parse the bytes and keep the data in the cache."""
    doc = parse_document(raw, label, is_json=is_json)
    store_cached(key, doc.data)
    return doc


def _document_key(sha: str) -> str:
    """A parsed file's cache key: its bytes, and the reader that parsed them."""
    reader = code_fingerprint("read.py")
    return hashlib.sha256(f"document\0{CACHE_FORMAT}\0{reader}\0{sha}".encode()).hexdigest()


@functools.cache
def code_fingerprint(*names: str) -> str:
    """The SHA-256 of ctrlmap's version and of these modules' source (files beside this one), so
    that a cache entry made by other code, an edited checkout as much as another release, is a
    miss. A module whose source cannot be read counts by the version alone."""
    digest = hashlib.sha256(__version__.encode())
    for name in names:
        try:
            digest.update(Path(__file__).with_name(name).read_bytes())
        except OSError:
            digest.update(f"{name}: no source".encode())
    return digest.hexdigest()


_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_bytes(path: Path, name: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, or InputError naming the file.

    The file is opened without blocking (opening a FIFO with no writer would hang), and what was
    opened is what is checked (`fstat`, so nothing can swap the file between a check and the
    open): anything but a regular file is refused, and at most `max_bytes` + 1 bytes are read,
    so a file that grows past the limit while it is read is refused too.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise _one(name, None, "file not found; check the path") from None
    except OSError as exc:
        raise _one(name, None, f"cannot read the file ({exc.strerror}); check the path") from None
    try:
        _check_regular(name, os.fstat(fd), max_bytes)
    except InputError:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        try:
            raw = handle.read(max_bytes + 1)
        except OSError as exc:
            raise _one(
                name, None, f"cannot read the file ({exc.strerror}); check permissions"
            ) from None
    if len(raw) > max_bytes:
        raise _too_big(name, max_bytes, None)
    return raw


def _check_regular(name: str, info: os.stat_result, max_bytes: int) -> None:
    """Refuse a folder, a FIFO, a device or a socket, and a regular file over the limit."""
    if stat.S_ISDIR(info.st_mode):
        raise _one(name, None, "is a folder, not a file; give the path of a YAML or JSON file")
    if not stat.S_ISREG(info.st_mode):
        kind = next((what for test, what in _KINDS if test(info.st_mode)), "a special file")
        raise _one(
            name, None, f"is {kind}, not a regular file; save the input to a file and give its path"
        )
    if info.st_size > max_bytes:
        raise _too_big(name, max_bytes, info.st_size)


def _too_big(name: str, max_bytes: int, size: int | None) -> InputError:
    what = "file is" if size is None else f"file is {size:,} bytes,"
    return _one(
        name,
        None,
        f"{what} over the {max_bytes:,}-byte limit; split it or check that it is the right file",
    )


def cache_dir() -> Path | None:
    """The parsed-catalog cache folder, or None when caching is off or no home folder is known."""
    if os.environ.get("CTRLMAP_NO_CACHE"):
        return None
    explicit = os.environ.get("CTRLMAP_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError, OSError):
            return None  # no HOME and no passwd entry: run without a cache
    return Path(base) / "ctrlmap"


CACHE_FORMAT = 2
"""The layout of a cache entry: a header line (the key, the SHA-256 of the payload), then the
payload, the data as JSON. Part of every key, so that another layout is a miss, not a misread."""


def cache_entry(key: str) -> Path | None:
    """The cache file of this key when caching is on and one is there (not yet checked), else None."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{key}.json"
    try:
        return path if stat.S_ISREG(path.lstat().st_mode) else None
    except OSError:
        return None


def load_cached(key: str) -> Any | None:
    """The data kept under this key when its entry checks out, else None.

    The cache is checked, never trusted: an entry that is not a regular file (a FIFO, a link to a
    device), is too large, is not the header and payload written for this key, whose payload's
    SHA-256 is not the one its header records (truncated, edited, or damaged on disk), that does
    not parse, or that holds control characters (which the reader refuses in a source file too)
    is ignored, and the caller builds the data again and replaces it.
    """
    path = cache_entry(key)
    if path is None:
        return None
    try:
        blob = read_bytes(path, str(path))
        head, newline, payload = blob.partition(b"\n")
        header = json.loads(head) if newline else None
        if (
            not isinstance(header, dict)
            or header.get("key") != key
            or header.get("payload") != hashlib.sha256(payload).hexdigest()
        ):
            return None
        data = json.loads(payload)
        if _json_may_hold_control(payload):
            _check_json(data, str(path))
        return data
    except (OSError, ValueError, RecursionError, InputError):
        return None


def store_cached(key: str, data: Any) -> None:
    """Keep data under this key: best effort (a read-only or full cache folder only means no
    cache), and atomic (a temporary file in the same folder, then a rename), so that a reader,
    or another process writing the same entry at the same moment, never sees half an entry."""
    folder = cache_dir()
    if folder is None:
        return
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    header = json.dumps({"key": key, "payload": hashlib.sha256(payload).hexdigest()})
    tmp: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:12]}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(header.encode("ascii") + b"\n" + payload)
        os.replace(tmp, folder / f"{key}.json")
        tmp = None
    except (OSError, ValueError):
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def parse_document(raw: bytes, name: str, *, is_json: bool = False) -> Document:
    """Parse bytes already read (see read_document)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _one(
            name, line, f"not valid UTF-8 (byte {exc.start + 1}); save the file as UTF-8"
        ) from None
    if not text.strip():
        raise _one(name, None, "file is empty; it needs at least the required keys")
    sha = hashlib.sha256(raw).hexdigest()
    if is_json:
        return Document(name, _parse_json(text, name, raw), sha, text, is_json=True)
    data, lines = _Builder(name).build(text)
    if data is None:
        raise _one(
            name, None, "file holds only comments or null; it needs at least the required keys"
        )
    return Document(name, data, sha, text, _lines=lines)


def _parse_json(text: str, name: str, raw: bytes | None = None) -> Any:
    duplicates: list[list[tuple[str, Any]]] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        # dict() in C, and a look at the keys only when two collapsed: the walk was a quarter second
        out = dict(items)
        if len(out) != len(items):
            duplicates.append(items)
        return out

    def number(text: str) -> int:
        if len(text.lstrip("-")) > MAX_DIGITS:
            raise ValueError(f"the number {shown(text)} is too long")
        return int(text)

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_int=number)
    except json.JSONDecodeError as exc:
        raise _one(name, exc.lineno, f"JSON syntax error: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise _one(name, None, f"nested deeper than {MAX_DEPTH} levels; flatten it") from None
    except ValueError as exc:
        raise _one(name, None, f"{exc}; check it, or quote it as text") from None
    source = raw if raw is not None else text.encode("utf-8")
    if _json_may_be_deep(source) or _json_may_hold_control(source):
        _check_json(data, name)
    if duplicates:
        try:  # the YAML builder locates duplicates by line; valid JSON is valid YAML flow
            _Builder(name).build(text)
        except InputError as exc:
            if any("duplicate key" in p.message for p in exc.problems):
                raise
        raise InputError(
            [
                Problem(name, None, key, "duplicate key; each key may appear once per object")
                for key in _repeated(duplicates)
            ]
        )
    return data


def _repeated(objects: list[list[tuple[str, Any]]]) -> list[str]:
    """Each key met again in its object, in order, once per repeat (as the object's reader met it)."""
    found: list[str] = []
    for items in objects:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                found.append(key)
            seen.add(key)
    return found


_DEPTH_STEP = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
"""An opening bracket as 2 and a closing one as 0, so that each byte less one is its step."""
_NOT_MARKS = bytes(c for c in range(256) if c not in b'[]{}"')
_ESCAPE = re.compile(rb"\\(?:[bf]|u00)")
"""The escapes that can spell a control character: \\b, \\f and \\u00XX."""
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
"""U+0080 to U+009F as UTF-8: control characters JSON allows raw inside a string."""


def _json_may_be_deep(raw: bytes) -> bool:
    """Whether valid JSON text opens more than MAX_DEPTH brackets at once, outside its strings.

    Done on the bytes in C (escaped backslashes and quotes dropped, strings cut out by splitting
    at the quotes): a bound on the depth, so only a text that may be too deep gets the full walk.
    """
    if b'\\"' in raw:  # an escaped quote (or a string ending in a backslash) is not a delimiter
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = raw.translate(None, _NOT_MARKS)  # brackets and quotes alone: a fraction of the text
    outside = b"".join(marks.split(b'"')[0::2])
    steps = outside.translate(_DEPTH_STEP)
    return max(accumulate(map(int.__sub__, steps, repeat(1))), default=0) > MAX_DEPTH


def _json_may_hold_control(raw: bytes) -> bool:
    """Whether a string of valid JSON text can hold a control character.

    JSON refuses raw characters below U+0020 in a string, so one gets in only as an escape or
    as a raw U+007F to U+009F; text with none of them needs no walk.
    """
    return (
        (b"\\" in raw and _ESCAPE.search(raw) is not None)
        or b"\x7f" in raw
        or (b"\xc2" in raw and _C1.search(raw) is not None)
    )


def _check_json(data: Any, name: str) -> None:
    """What the YAML reader checks as it builds: depth and control characters."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _one(name, None, f"nested deeper than {MAX_DEPTH} levels; flatten it")
        if isinstance(node, dict):
            for key, value in node.items():
                stack.append((key, depth))
                stack.append((value, depth + 1))
        elif isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)
        elif isinstance(node, str) and _CONTROL.search(node):
            bad = _CONTROL.search(node)
            assert bad is not None
            raise _one(
                name,
                None,
                f"text {shown(node)} contains the control character U+{ord(bad.group()):04X}; remove it",
            )


def _one(name: str, line: int | None, message: str) -> InputError:
    return InputError([Problem(name, line, "", message)])


class _Frame:
    __slots__ = ("anchor", "key", "key_line", "merges", "obj", "path", "size")

    def __init__(self, obj: dict[Any, Any] | list[Any], path: Path_, anchor: str | None) -> None:
        self.obj = obj
        self.path = path
        self.anchor = anchor
        self.size = 1
        self.key: Any = _Frame
        self.key_line = 0
        self.merges: list[dict[Any, Any]] = []


class _Builder:
    """Builds plain data from YAML events, with line numbers, size and duplicate checks."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: dict[Path_, int] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.total = 0
        self.problems: list[Problem] = []
        self.root: Any = None
        self.documents = 0

    def build(self, text: str) -> tuple[Any, dict[Path_, int]]:
        stack: list[_Frame] = []
        try:
            for event in self._events(text):
                self._on(event, stack)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            what = exc.problem or exc.context or "invalid YAML"
            raise _one(self.name, line, f"YAML syntax error: {what}; fix the syntax") from None
        except yaml.reader.ReaderError as exc:
            line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
            code = (
                exc.character
                if isinstance(exc.character, int)
                else ord(str(exc.character)[:1] or "?")
            )
            raise _one(
                self.name, line, f"the control character U+{code:04X} is not allowed; remove it"
            ) from None
        except yaml.YAMLError as exc:
            raise _one(
                self.name, None, f"YAML error: {excerpt(' '.join(str(exc).split()), 200)}"
            ) from None
        if self.problems:
            raise InputError(self.problems)
        return self.root, self.lines

    @staticmethod
    def _events(text: str) -> Iterator[yaml.Event]:
        loader = _Loader(text)
        try:
            while loader.check_event():
                event = loader.get_event()
                if event is not None:
                    yield event
        finally:
            loader.dispose()

    def _fail(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.name, line, "", message))
        raise InputError(self.problems)

    def _count(self, size: int, line: int) -> None:
        self.total += size
        if self.total > MAX_NODES:
            self._fail(
                line,
                f"document expands to more than {MAX_NODES:,} values (an alias bomb?); "
                "remove the repeated aliases",
            )

    def _on(self, event: yaml.Event, stack: list[_Frame]) -> None:
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self._fail(line, "more than one YAML document (a second '---'); keep one")
        elif isinstance(event, yaml.ScalarEvent):
            self._count(1, line)
            self._value(self._scalar(event, line), 1, line, stack, event.anchor)
        elif isinstance(event, yaml.AliasEvent):
            anchor = event.anchor or ""
            if anchor not in self.anchors:
                self._fail(line, f"alias *{anchor} refers to an unknown or enclosing anchor")
            value, size = self.anchors[anchor]
            self._count(size, line)
            self._value(value, size, line, stack, None)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            is_map = isinstance(event, yaml.MappingStartEvent)
            if event.tag not in (_MAP_TAGS if is_map else _SEQ_TAGS):
                self._fail(line, f"unsupported YAML tag {event.tag}; remove the tag")
            if len(stack) >= MAX_DEPTH:
                self._fail(line, f"nested deeper than {MAX_DEPTH} levels; flatten it")
            self._count(1, line)
            path = self._child_path(stack)
            obj: dict[Any, Any] | list[Any] = {} if is_map else []
            if path is not None:
                self.lines.setdefault(path, line)
            stack.append(_Frame(obj, path or (), event.anchor))
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = stack.pop()
            if isinstance(frame.obj, dict):
                for merged in frame.merges:
                    for key, value in merged.items():
                        frame.obj.setdefault(key, value)
            self._value(frame.obj, frame.size, line, stack, frame.anchor, built=True)

    def _child_path(self, stack: list[_Frame]) -> Path_ | None:
        if not stack:
            return ()
        top = stack[-1]
        if isinstance(top.obj, list):
            return (*top.path, len(top.obj))
        if top.key is _Frame:
            return None
        return (*top.path, top.key)

    def _scalar(self, event: yaml.ScalarEvent, line: int) -> Any:
        # a scalar's value depends on its text, tag and style alone, and profiles repeat theirs
        # (ids, dates, true): each is resolved once per process (only values that passed)
        memo = (event.tag, event.value, event.implicit)
        found = _SCALARS.get(memo)
        if found is not None:
            return found[0]
        value = self._construct(event, line)
        if len(_SCALARS) >= SCALARS_KEPT:
            _SCALARS.clear()
        _SCALARS[memo] = (value,)
        return value

    def _construct(self, event: yaml.ScalarEvent, line: int) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        construct = _SCALAR_TAGS.get(tag)
        if construct is None:
            self._fail(line, f"unsupported YAML tag {tag}; remove the tag")
            return None
        if (
            tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
            and len(event.value) > MAX_DIGITS
        ):
            self._fail(
                line, f"the number {shown(event.value)} is too long; check it, or quote it as text"
            )
        try:
            value = construct(yaml.ScalarNode(tag, event.value))  # type: ignore[no-untyped-call]
        except (ValueError, yaml.constructor.ConstructorError):
            self._fail(line, f"{shown(event.value)} is not a valid {tag.rsplit(':', 1)[-1]}")
            return None
        if isinstance(value, str):
            self._check_text(value, line)
        return value

    def _check_text(self, value: str, line: int) -> None:
        bad = _CONTROL.search(value)
        if bad:
            self._fail(
                line, f"text contains the control character U+{ord(bad.group()):04X}; remove it"
            )

    def _value(
        self,
        value: Any,
        size: int,
        line: int,
        stack: list[_Frame],
        anchor: str | None,
        built: bool = False,
    ) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        if not stack:
            self.root = value
            return
        top = stack[-1]
        top.size += size
        if isinstance(top.obj, list):
            if not built:
                self.lines[(*top.path, len(top.obj))] = line
            top.obj.append(value)
            return
        if top.key is _Frame:
            if isinstance(value, dict | list):
                self._fail(line, "a mapping or list used as a key; keys must be plain text")
            if value is not _MERGE and not isinstance(value, str):
                self._fail(line, f"the key {shown(value)} is not text; quote it")
            top.key, top.key_line = value, line
            if value is not _MERGE:
                self.lines.setdefault((*top.path, value), line)
            return
        key, key_line = top.key, top.key_line
        top.key = _Frame
        if key is _MERGE:
            merged = value if isinstance(value, list) else [value]
            if not all(isinstance(m, dict) for m in merged):
                self._fail(key_line, "'<<' merges a mapping or a list of mappings only")
            top.merges.extend(merged)
            return
        if key in top.obj:
            self.problems.append(
                Problem(
                    self.name,
                    key_line,
                    format_path(None, (*top.path, key)),
                    f"duplicate key {shown(key)} (first at line "
                    f"{self.lines.get((*top.path, key), '?')}); each key may appear once",
                )
            )
            return
        self.lines[(*top.path, key)] = key_line
        top.obj[key] = value
