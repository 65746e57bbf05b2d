"""What an export builder receives and returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

Progress = Callable[[int], None]


@dataclass
class BuildResult:
    filename: str  # what the user downloads, e.g. "2021年第3季度绩效监控汇总.xlsx"
    revisions: list[dict[str, Any]] = field(default_factory=list)  # which revision of each item was used
    department_ids: list[int] = field(default_factory=list)


class Builder(Protocol):
    def __call__(self, params: dict[str, Any], out: Path, progress: Progress) -> BuildResult: ...


def no_progress(percent: int) -> None:
    """For synchronous runs (management commands)."""
