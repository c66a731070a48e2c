"""The errors ctrlmap raises for bad input, and the exit codes the command line maps them to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

EXCERPT = 80
"""Most characters of an input value an error message quotes."""


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """Text cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: Any, limit: int = EXCERPT) -> str:
    """A value quoted in an error message, cut short: an error never echoes a whole input back.

    The one place that formats an echoed value; a 3 MB one-line document or key is quoted as its
    first few dozen characters and an ellipsis.
    """
    if isinstance(value, str):
        value = value[: limit + 1]
    return excerpt(repr(value), limit)


class ExitCode(IntEnum):
    """Documented exit codes of the command line."""

    OK = 0
    GAPS_FOUND = 1
    BAD_INPUT = 2
    BUG = 3


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: where it is and how to fix it."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class CtrlmapError(Exception):
    """A user's mistake: the command line prints it and exits with code 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        """The message, one line per problem."""
        return [self.message]


class InputError(CtrlmapError):
    """One or more problems found in the input files, all reported together."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def lines(self) -> list[str]:
        """One line per problem, in the order found."""
        return [str(p) for p in self.problems]


class ManyErrors(CtrlmapError):
    """Several mistakes found in one pass (command-line flags, say), all reported together."""

    def __init__(self, errors: list[CtrlmapError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.message for e in errors))

    def lines(self) -> list[str]:
        """Every line of every error, in the order found."""
        return [line for e in self.errors for line in e.lines()]
