"""The reports app's models: annual reports, quarterly monitoring, exports."""

from .annual import (
    DEFAULT_NUMBERING,
    DEFAULT_SCORING,
    CycleKind,
    DeadlineExtension,
    EvaluationCycle,
    OutlineNode,
    Report,
    ReportTemplate,
    Section,
    SectionAttachment,
    SectionKind,
    SectionRevision,
    attachment_path,
)
from .exports import ExportJob, ExportKind, JobStatus, ScoreAdjustment
from .library import DepartmentTemplate
from .quarterly import (
    DEFAULT_CHECKPOINTS,
    AnnualTarget,
    DeviationCause,
    Likelihood,
    QuarterlyReport,
    QuarterlyRevision,
    UploadPreview,
)
from .rectification import (
    RECTIFICATION_STATE_LABELS,
    BudgetLink,
    RectificationEvidence,
    RectificationItem,
    RectificationRevision,
    RectificationSource,
    ReportPublication,
    ResultApplication,
)
from .targets import TargetRevision, TargetTable

__all__ = [
    "DEFAULT_CHECKPOINTS", "DEFAULT_NUMBERING", "DEFAULT_SCORING", "AnnualTarget", "CycleKind",
    "DeadlineExtension", "DepartmentTemplate", "DeviationCause", "EvaluationCycle", "ExportJob", "ExportKind", "JobStatus",
    "Likelihood", "OutlineNode", "QuarterlyReport", "QuarterlyRevision", "Report", "ReportTemplate",
    "ScoreAdjustment", "Section", "SectionAttachment", "SectionKind", "SectionRevision", "TargetRevision",
    "TargetTable", "UploadPreview",
    "attachment_path", "RECTIFICATION_STATE_LABELS", "BudgetLink", "RectificationEvidence", "RectificationItem",
    "RectificationRevision", "RectificationSource", "ReportPublication", "ResultApplication",
]
