"""The template library: which report template (family, by code) a department writes on."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from departments.models import Department


class DepartmentTemplate(models.Model):
    """The finance admin's choice of template family for one department; without one, the department's
    sector decides (``reports.library.selectors.template_for``). The latest version is used at launch."""

    department = models.OneToOneField(Department, verbose_name="部门", on_delete=models.CASCADE,
                                      related_name="template_choice")
    template_code = models.SlugField("模板编码", max_length=50)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="指定人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    chosen_at = models.DateTimeField("指定时间", auto_now=True)

    class Meta:
        verbose_name = "部门报告模板"
        verbose_name_plural = "部门报告模板"

    def __str__(self) -> str:
        return f"{self.department} · {self.template_code}"
