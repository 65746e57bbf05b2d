"""What an export builder receives and returns, and what every file's bytes depend on.

A file depends on the data only: its zip timestamps and core properties come from the data's last
change (:func:`changed_at`), never from "now", so a re-export of unchanged data is byte-identical.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils import timezone

from reports.models import Report, ScoreAdjustment, Section
from workflow.models import TransitionLog

Progress = Callable[[int], None]
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass
class BuildResult:
    filename: str  # what the user downloads, e.g. "2021年第3季度绩效监控汇总.xlsx"
    revisions: list[dict[str, Any]] = field(default_factory=list)  # which revision of each item was used
    department_ids: list[int] = field(default_factory=list)


class Builder(Protocol):
    def __call__(self, params: dict[str, Any], out: Path, progress: Progress) -> BuildResult: ...


def no_progress(percent: int) -> None:
    """For synchronous runs (management commands)."""


def changed_at(reports: Sequence[Report], sections: Sequence[Section] | None = None) -> datetime | None:
    """The reports' last change: a save, a transition or a score adjustment of one of their sections
    (``sections`` when already loaded, else all of theirs), or their creation; None without reports."""
    ct = ContentType.objects.get_for_model(Section)
    if sections is None:
        ids: Any = Section.objects.filter(report__in=list(reports)).values("pk")
        times = [Section.objects.filter(report__in=list(reports)).aggregate(t=Max("updated_at"))["t"]]
    else:
        ids = [s.pk for s in sections]
        times = [s.updated_at for s in sections]
    times.append(
        TransitionLog.objects.filter(content_type=ct, object_id__in=ids).aggregate(t=Max("created_at"))["t"]
    )
    times.append(ScoreAdjustment.objects.filter(section_id__in=ids).aggregate(t=Max("created_at"))["t"])
    present = [t for t in times if t] or [r.created_at for r in reports]
    return max(present) if present else None


def zip_date_time(when: datetime | None) -> tuple[int, int, int, int, int, int]:
    if when is None:
        return ZIP_EPOCH
    local = timezone.localtime(when) if timezone.is_aware(when) else when
    return max(ZIP_EPOCH, local.timetuple()[:6])


def zip_normalize(path: Path, when: datetime | None, replace: dict[str, bytes] | None = None) -> None:
    """Rewrite an OOXML package with fixed timestamps and attributes, entries in their original order."""
    replace = replace or {}
    with zipfile.ZipFile(path) as source:
        entries = [
            (info.filename, replace.get(info.filename, source.read(info))) for info in source.infolist()
        ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            info = zipfile.ZipInfo(name, zip_date_time(when))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            target.writestr(info, data, compresslevel=6)
    path.write_bytes(buffer.getvalue())
