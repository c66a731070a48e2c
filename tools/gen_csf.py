"""Generate frameworks/nist-csf-2.yaml, the NIST CSF 2.0 mapping hub, from NIST's OSCAL catalog."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
DEFAULT_XML = DATA / "oscal" / "NIST_CSF_v2.0_catalog.xml"
DEFAULT_IDS = DATA / "csf-2.0-ids.txt"
DEFAULT_OUTPUT = ROOT / "frameworks" / "nist-csf-2.yaml"

NS = {"o": "http://csrc.nist.gov/ns/oscal/1.0"}
FUNCTIONS = ("GV", "ID", "PR", "DE", "RS", "RC")
"""The six CSF 2.0 functions in the framework's own order."""
CATEGORY_COUNT = 22
SUBCATEGORY_COUNT = 106
MAX_XML_BYTES = 16 * 1024 * 1024

CATALOG_HEAD: dict[str, str | bool] = {
    "id": "nist-csf-2",
    "title": "NIST Cybersecurity Framework (CSF) 2.0",
    "version": "CSF 2.0 (NIST CSWP 29, February 2024)",
    "sector": "other",
    "license_note": "Public domain (US Government work); CC0 in the OSCAL content repository.",
    "hub": True,
}


class GenerationError(Exception):
    """The inputs cannot produce the hub catalog; the message says what is wrong."""


def read_oscal_xml(path: Path) -> ET.Element:
    """Parse an OSCAL XML file with expat, refusing DTDs and entity declarations."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GenerationError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_oscal_xml(raw, str(path))


def parse_oscal_xml(raw: bytes, name: str = "<xml>") -> ET.Element:
    """Parse OSCAL XML bytes (UTF-8 only), refusing DTDs and entity declarations."""
    if len(raw) > MAX_XML_BYTES:
        raise GenerationError(
            f"{name}: {len(raw):,} bytes is over the {MAX_XML_BYTES:,}-byte limit"
        )
    try:
        # Decoding first means the DTD check below sees exactly what expat will parse.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GenerationError(f"{name}: not UTF-8 (byte {exc.start + 1})") from None
    upper = text.upper()
    for marker in ("<!DOCTYPE", "<!ENTITY"):
        if marker in upper:
            raise GenerationError(
                f"{name}: contains {marker}; DTDs and entity declarations are refused"
            )
    parser = ET.XMLParser()
    try:
        parser.feed(text)
        return parser.close()
    except ET.ParseError as exc:
        raise GenerationError(f"{name}: not well-formed XML ({exc})") from None


def read_ids(path: Path) -> list[str]:
    """The CSF 2.0 category and subcategory ids of the id list, in its order."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GenerationError(f"{path}: cannot read ({exc.strerror})") from None
    ids = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    categories = [i for i in ids if "-" not in i]
    subcategories = [i for i in ids if "-" in i]
    if len(categories) != CATEGORY_COUNT or len(subcategories) != SUBCATEGORY_COUNT:
        raise GenerationError(
            f"{path}: expected {CATEGORY_COUNT} categories and {SUBCATEGORY_COUNT} subcategories, "
            f"found {len(categories)} and {len(subcategories)}"
        )
    if len(set(ids)) != len(ids):
        raise GenerationError(f"{path}: an id is listed twice")
    return ids


def _text(element: ET.Element | None) -> str:
    """All text inside an element, whitespace collapsed to single spaces."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _prop(element: ET.Element, name: str) -> str | None:
    found = element.find(f"o:prop[@name='{name}']", NS)
    return found.get("value") if found is not None else None


def _part(element: ET.Element, name: str, what: str) -> str:
    text = _text(element.find(f"o:part[@name='{name}']", NS))
    if not text:
        raise GenerationError(f"{what} has no {name} text")
    return text


def _csf_id(element: ET.Element, what: str) -> str:
    """The printed CSF id of a group or control: its id attribute, checked against its label."""
    raw = element.get("id")
    if not raw:
        raise GenerationError(f"a {what} has no id")
    csf_id = raw.upper()
    label = _prop(element, "label") or ""
    if label != csf_id and not label.endswith(f"({csf_id})"):
        raise GenerationError(f"{what} {raw}: label {label!r} does not name {csf_id}")
    return csf_id


def _control(
    csf_id: str, title: str, summary: str, kind: str, parent: str | None
) -> dict[str, Any]:
    return {
        "id": csf_id,
        "title": title,
        "summary": summary,
        "citation": f"NIST CSF 2.0 {csf_id}",
        "kind": kind,
        "level": "guidance",
        "functions": [],
        "parent": parent,
    }


def build_catalog(root: ET.Element, ids: Sequence[str], source_name: str) -> dict[str, Any]:
    """The hub catalog: the 6 functions, then each category followed by its subcategories."""
    wanted = set(ids)
    categories = [i for i in ids if "-" not in i]
    subcategories = [i for i in ids if "-" in i]
    groups: dict[str, ET.Element] = {}
    found: dict[str, ET.Element] = {}
    where: dict[str, str] = {}
    for group in root.findall("o:group", NS):
        if group.get("class") != "function":
            continue
        fid = _csf_id(group, "function")
        groups[fid] = group
        for category in group.findall("o:control[@class='category']", NS):
            cid = _csf_id(category, "category")
            if cid not in wanted:
                continue  # a CSF 1.1 category that 2.0 withdrew
            if cid in found:
                raise GenerationError(f"category {cid} appears twice in the XML")
            found[cid], where[cid] = category, fid
            for sub in category.findall("o:control[@class='subcategory']", NS):
                sid = _csf_id(sub, "subcategory")
                if sid not in wanted:
                    continue  # CSF 1.1 text left in place, with no status marker
                if sid in found:
                    raise GenerationError(f"subcategory {sid} appears twice in the XML")
                if sub.find("o:part[@name='example']", NS) is None:
                    raise GenerationError(f"subcategory {sid} has no example parts; is it CSF 2.0?")
                found[sid], where[sid] = sub, cid

    if sorted(groups) != sorted(FUNCTIONS):
        raise GenerationError(
            f"expected the functions {', '.join(FUNCTIONS)}, found {sorted(groups)}"
        )
    missing = [i for i in ids if i not in found]
    if missing:
        raise GenerationError(f"not found in the XML: {', '.join(missing)}")
    for csf_id, parent in where.items():
        expected = csf_id.split(".")[0] if "-" not in csf_id else csf_id.split("-")[0]
        if parent != expected:
            raise GenerationError(f"{csf_id} sits under {parent}, not {expected}")

    controls: list[dict[str, Any]] = []
    for fid in FUNCTIONS:
        group = groups[fid]
        controls.append(
            _control(
                fid,
                _text(group.find("o:title", NS)),
                _part(group, "overview", fid),
                "standard",
                None,
            )
        )
        # The id list keeps CSF 2.0's own category order; the XML's sort-ids disagree in places.
        for cid in (c for c in categories if where[c] == fid):
            category = found[cid]
            title = _text(category.find("o:title", NS))
            controls.append(
                _control(cid, title, _part(category, "statement", cid), "standard", fid)
            )
            for sid in (s for s in subcategories if where[s] == cid):
                outcome = _part(found[sid], "statement", sid)
                # A subcategory's XML title is only its id; its outcome statement is its name.
                title = _text(found[sid].find("o:title", NS))
                controls.append(
                    _control(
                        sid, outcome if title in ("", sid) else title, outcome, "requirement", cid
                    )
                )

    metadata = root.find("o:metadata", NS)
    version = _text(metadata.find("o:version", NS)) if metadata is not None else ""
    modified = _text(metadata.find("o:last-modified", NS)) if metadata is not None else ""
    source = (
        f"{source_name} (OSCAL catalog version {version}, last modified {modified[:10]}), "
        "from usnistgov/oscal-content, src/nist.gov/CSF/v2.0/xml/, "
        "https://github.com/usnistgov/oscal-content"
    )
    return {**CATALOG_HEAD, "source": source, "controls": controls}


def _scalar(value: Any) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML and escape everything needed."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def render_catalog(catalog: dict[str, Any]) -> str:
    """The catalog as YAML text, one control per block, in a fixed key order."""
    lines = [
        "# Generated by tools/gen_csf.py from NIST's OSCAL catalog of CSF 2.0; do not edit by hand.",
        "# Regenerate: .venv/bin/python tools/gen_csf.py; check: .venv/bin/python tools/gen_csf.py --check",
    ]
    order = ("id", "title", "version", "sector", "source", "license_note", "hub")
    lines += [f"{key}: {_scalar(catalog[key])}" for key in order]
    lines.append("controls:")
    for index, control in enumerate(catalog["controls"]):
        if index:
            lines.append("")
        first = True
        for key, value in control.items():
            if value is None:
                continue
            lines.append(f"{'  - ' if first else '    '}{key}: {_scalar(value)}")
            first = False
    return "\n".join(lines) + "\n"


def generate(xml_path: Path = DEFAULT_XML, ids_path: Path = DEFAULT_IDS) -> str:
    """The YAML text of frameworks/nist-csf-2.yaml for these inputs."""
    catalog = build_catalog(read_oscal_xml(xml_path), read_ids(ids_path), xml_path.name)
    parents = [c["parent"] for c in catalog["controls"]]
    counts = [
        parents.count(None),
        sum(1 for p in parents if p in FUNCTIONS),
        sum(1 for c in catalog["controls"] if c["kind"] == "requirement"),
    ]
    if counts != [len(FUNCTIONS), CATEGORY_COUNT, SUBCATEGORY_COUNT]:
        raise GenerationError(f"expected 6/22/106 controls, built {counts}")
    return render_catalog(catalog)


def diff_summary(shipped: str, generated: str, name: str, limit: int = 40) -> str:
    """A short unified diff of the shipped file against what would be generated."""
    diff = list(
        difflib.unified_diff(
            shipped.splitlines(),
            generated.splitlines(),
            f"{name} (shipped)",
            f"{name} (generated)",
            lineterm="",
        )
    )
    changed = sum(1 for d in diff if d[:1] in "+-" and not d.startswith(("+++", "---")))
    shown = diff[:limit] + (
        [f"... {len(diff) - limit} more diff lines"] if len(diff) > limit else []
    )
    return "\n".join([f"{name} is out of date: {changed} lines differ", *shown])


def main(argv: Sequence[str] | None = None) -> int:
    """Write the hub catalog, or with --check report whether the shipped one is current."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--xml", type=Path, default=DEFAULT_XML, help="the OSCAL XML catalog")
    parser.add_argument("--ids", type=Path, default=DEFAULT_IDS, help="the CSF 2.0 id list")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help="the YAML file")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the output file differs; write nothing"
    )
    args = parser.parse_args(argv)
    try:
        text = generate(args.xml, args.ids)
    except GenerationError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if not args.output.exists():
            print(
                f"{args.output} does not exist; run tools/gen_csf.py to write it", file=sys.stderr
            )
            return 1
        shipped = args.output.read_text(encoding="utf-8")
        if shipped != text:
            print(diff_summary(shipped, text, args.output.name), file=sys.stderr)
            return 1
        print(f"{args.output.name} is up to date", file=sys.stderr)
        return 0
    temp = args.output.with_name(args.output.name + ".tmp")
    temp.write_text(text, encoding="utf-8", newline="\n")
    temp.replace(args.output)
    print(f"wrote {args.output} ({text.count(chr(10) + '  - id:')} controls)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
