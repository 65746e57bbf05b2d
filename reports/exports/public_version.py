"""The 公开版 (DESIGN §11): the approved report's .docx and its 自评表, both without the reviewers'
internal notes, as one zip to publish.

Both files come from their own builders (``public`` in the parameters), so the published text is
the text of the report; the zip's entries carry the report's last change as their time, so a
re-export of unchanged data is byte-identical.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import Any

from reports.annual import selectors

from . import report_docx, self_evaluation
from .base import BuildResult, Progress, changed_at, zip_date_time
from .selectors import report_load


def _scaled(progress: Progress, start: int, span: int) -> Progress:
    return lambda percent: progress(start + span * percent // 100)


def build(params: dict[str, Any], out: Path, progress: Progress) -> BuildResult:
    report = report_load(params)
    sections = selectors.report_sections(report)
    public = params | {"public": True}
    with tempfile.TemporaryDirectory() as tmp:
        docx = report_docx.build(public, Path(tmp) / "report.docx", _scaled(progress, 0, 60))
        xlsx = self_evaluation.build(public, Path(tmp) / "self.xlsx", _scaled(progress, 60, 30))
        when = zip_date_time(changed_at([report], sections))
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, path in ((docx.filename, Path(tmp) / "report.docx"), (xlsx.filename, Path(tmp) / "self.xlsx")):
                info = zipfile.ZipInfo(name.replace(".docx", "（公开版）.docx").replace(".xlsx", "（公开版）.xlsx"), when)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
    progress(100)
    return BuildResult(filename=f"{report.cycle.year}年度{report.department.name}整体支出绩效评价报告（公开版）.zip",
                       revisions=docx.revisions, department_ids=[report.department_id])
