"""The vocabulary of every consistency check (DESIGN §7): an issue, its level, a finding with
the user's explanation, and the one rule of what blocks a submission."""

from __future__ import annotations

from dataclasses import dataclass


class Level:
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One finding of a consistency check. Errors block submission; warnings need an explanation."""

    code: str
    level: str
    message: str
    field: str = ""

    @property
    def is_error(self) -> bool:
        return self.level == Level.ERROR


def error(code: str, message: str, field_name: str = "") -> Issue:
    return Issue(code, Level.ERROR, message, field_name)


def warning(code: str, message: str, field_name: str = "") -> Issue:
    return Issue(code, Level.WARNING, message, field_name)


@dataclass(frozen=True)
class Finding:
    issue: Issue
    explanation: str = ""

    @property
    def blocking(self) -> bool:
        """Errors block; a warning blocks until it has a written explanation."""
        return self.issue.is_error or not self.explanation

    @property
    def is_error(self) -> bool:
        return self.issue.is_error


def counts(findings: list[Finding]) -> tuple[int, int]:
    """(errors, warnings still without an explanation)."""
    errors = sum(1 for f in findings if f.is_error)
    return errors, sum(1 for f in findings if not f.is_error and f.blocking)


def blocking_messages(findings: list[Finding], *, explain: str = "须填写说明") -> list[str]:
    """What stops a submission, for the user: each error, and each warning still without a written
    explanation (``explain`` says what to write: 说明, or 原因 for a quarterly warning)."""
    return [f.issue.message if f.is_error else f"{f.issue.message}（{explain}）" for f in findings if f.blocking]
