from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "绩效报告"

    def ready(self) -> None:
        from workflow.contract import blocking_check_register

        from .annual.checks import blocking_messages as section_blocking
        from .models import QuarterlyReport, RectificationItem, Section
        from .quarterly.selectors import blocking_messages as quarterly_blocking
        from .rectification.selectors import blocking_messages as rectification_blocking

        blocking_check_register(Section, section_blocking)
        blocking_check_register(QuarterlyReport, quarterly_blocking)
        blocking_check_register(RectificationItem, rectification_blocking)
