"""The one strict base every ctrlmap model derives from, and the closed vocabularies."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, StrictBool, StringConstraints

Owner = Literal["internal", "provider", "shared", "unassigned"]
OWNERS: tuple[Owner, ...] = get_args(Owner)
"""Every owner a control can have, in the order the reports show them."""
BUILTIN_MODELS = ("co-managed", "fully-managed")
"""The operating models that ship with ctrlmap (compare and recommend weigh these two)."""
DefaultOwner = Literal["internal", "provider", "shared"]
PartyKind = Literal["internal", "provider"]
Role = Literal[
    "security-official",
    "qualified-individual",
    "ciso",
    "pci-executive",
    "supervising-lawyer",
    "ma-wisp-coordinator",
]
Sector = Literal["healthcare", "financial", "legal", "other"]
Level = Literal["required", "addressable", "guidance"]
Kind = Literal["standard", "implementation-specification", "requirement", "guidance"]
Severity = Literal["critical", "high", "medium", "low"]

NydfsStatus = Literal[
    "standard",
    "class-a",
    "limited-exemption",
    "exempt-parent-program",
    "exempt-no-systems",
    "exempt-captive-insurer",
    "exempt-inactive-broker",
    "exempt-listed-person",
]
"""A covered entity's NYDFS tier, or the 23 NYCRR 500.19 exemption it claims."""

NAME_MAX = 300
"""Longest id, name, title, citation or other short text of a profile or catalog, in characters."""
TEXT_MAX = 4000
"""Longest free text (a summary, reason, note, agreement, reference or URL), in characters.

One field is shown many times over in a report (an organization's name in every section), so what
one field may hold bounds what it may grow to; the shipped catalogs' longest text is under 1,000."""
Name = Annotated[str, StringConstraints(max_length=NAME_MAX)]
"""Every id, name, title, citation or other short text field."""
Prose = Annotated[str, StringConstraints(max_length=TEXT_MAX)]
"""Every free-text field."""

Flag = StrictBool
"""Every boolean field: a YAML or JSON `true` or `false` only. Pydantic's lax mode would also read
the strings "yes", "off" and "false" (as False, whatever the reader meant) and the numbers 0 and
1; the YAML reader already reads unquoted `yes` and `on` as text (YAML 1.2)."""

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def iso_date(value: Any) -> Any:
    """A date as the reader gives it (`YYYY-MM-DD` text, quoted or not), or a date object.

    Pydantic alone would read the number 0 as 1970-01-01 (a Unix timestamp) and accept other
    forms (`20260415`, a date and time at midnight); a date here is the ISO day only.
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, int | float):
        raise ValueError(
            "a number, not a date (it is not read as a Unix timestamp); write the date as "
            "YYYY-MM-DD, e.g. 2026-04-15"
        )
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("not a valid date (no such day); write it as YYYY-MM-DD") from None
    raise ValueError("not a valid date; write it as YYYY-MM-DD, e.g. 2026-04-15")


Date = Annotated[dt.date, BeforeValidator(iso_date)]
"""Every date field: an ISO day, `YYYY-MM-DD`, from 0001-01-01 to 9999-12-31."""

RESERVED_IDS = frozenset({"internal", "shared", "unassigned", "provider"})
"""Words that name parties or owners and so cannot be a person's or provider's id."""


class Strict(BaseModel):
    """Unknown keys are errors and instances never change after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def as_tuple(value: Any) -> Any:
    """Read a single value where a list is expected as a one-element list."""
    if value is None or isinstance(value, list | tuple):
        return value
    return (value,)


def global_key(catalog: str, control: str) -> str:
    """The key that names a control across catalogs: `<catalog id>:<control id>`."""
    return f"{catalog}:{control}"


def split_key(key: str) -> tuple[str, str]:
    """Split a global key into catalog id and control id."""
    catalog, _, control = key.partition(":")
    return catalog, control


def slugify(text: str) -> str:
    """A catalog id from a file stem: lower case, runs of other characters become '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "catalog"


PLACEHOLDERS = frozenset(
    {
        "",
        "tbd",
        "tba",
        "todo",
        "?",
        "??",
        "???",
        "-",
        "--",
        "n/a",
        "na",
        "none",
        "pending",
        "unsigned",
        "unknown",
        "xxx",
        "...",
    }
)
"""Texts that say nothing: a hand-off, split or agreement written so is not documented."""


def is_placeholder(text: str | None, optional: bool = False) -> bool:
    """Whether a text is a placeholder (`TBD`, `TODO`, `?`, `-`, `n/a`, empty, and the like).

    With `optional`, an omitted text (None) is not a placeholder: the field was left out, not
    filled with nothing.
    """
    if text is None:
        return not optional
    words = text.strip().lower().strip("()[]").rstrip(".:!").strip()
    return words in PLACEHOLDERS or words.startswith(
        (
            "tbd ",
            "todo ",
            "tba ",
            "to be determined",
            "to be confirmed",
            "to come",
            "pending ",
            "none yet",
            "not signed",
            "not yet signed",
            "unsigned",
            "awaiting ",
        )
    )


def join_names(items: Iterable[str], last: str = "and") -> str:
    """A list in prose: `A`, `A and B`, `A, B and C` (or `or` for alternatives)."""
    found = list(items)
    if len(found) <= 1:
        return "".join(found)
    return ", ".join(found[:-1]) + f" {last} " + found[-1]


def sentence(text: str) -> str:
    """The text with its first letter capitalized, for a sentence that starts with a name."""
    return text[:1].upper() + text[1:]


def possessive(name: str) -> str:
    """`Harbor's`, but `CardPoint Payments'`: the possessive of a name in American usage."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"
