"""Text helpers every text format shares: control ids, Markdown escaping and tables, summary lines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ctrlmap.analyse.crosswalk import CrosswalkResult


def md_escape(text: Any) -> str:
    """Escape what would break a Markdown table cell or start markup."""
    value = "" if text is None else str(text)
    for char in ("\\", "|", "*", "_", "`", "<", ">", "[", "]", "#", "!"):
        value = value.replace(char, "\\" + char)
    # a line break of any kind would end the table row: fold it, and show other control characters
    value = value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return visible(value)


def terminal_safe(text: str) -> str:
    """A rendered text with every control character but line feeds and tabs shown as an escape,
    so nothing from a profile (a carriage return, an ESC sequence) can rewrite a terminal."""
    return "\n".join(visible(line) for line in text.split("\n"))


def visible(text: str) -> str:
    """Control characters shown as escapes (`\\x1b`), so no text can drive a terminal or a viewer."""
    return "".join(
        ch if ch in "\t" or not (ord(ch) < 32 or 127 <= ord(ch) < 160) else f"\\x{ord(ch):02x}"
        for ch in text
    )


def md_table(rows: Iterable[Sequence[Any]], headers: Sequence[str]) -> str:
    """A GitHub-flavoured Markdown table with every cell escaped."""
    # imported here: the HTML report and the DOT graph use this module's escapers, not tables
    from tabulate import tabulate

    return tabulate(
        [[md_escape(c) for c in row] for row in rows],
        headers=list(headers),
        tablefmt="github",
        disable_numparse=True,
    )


def local(key: str) -> str:
    """The control id without its catalog prefix."""
    return key.partition(":")[2]


def crosswalk_summary(result: CrosswalkResult) -> str:
    """The one-line count of the crosswalk (shared by the table and Markdown views)."""
    s = result.summary
    return (
        f"{s.subcategories} of {s.hub_subcategories} CSF 2.0 subcategories mapped; "
        f"{s.multi_framework} by more than one framework; {s.conflicts} with conflicting owners"
    )
