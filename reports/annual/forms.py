from datetime import date

from django import forms
from django.db.models import QuerySet

from departments.models import Department, DepartmentKind
from reports.library import selectors as library

from . import scoring


class CycleLaunchForm(forms.Form):
    """The cycle, its departments and, per department, the template it writes on (by default the
    department's: chosen in the library, else by its sector)."""

    year = forms.IntegerField(label="评价年度", min_value=2000, max_value=2100)
    name = forms.CharField(label="名称", max_length=100)
    departments = forms.ModelMultipleChoiceField(
        label="参评部门", queryset=Department.objects.filter(kind=DepartmentKind.DEPARTMENT).order_by("order", "code"),
        widget=forms.CheckboxSelectMultiple,
    )
    opens_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, departments: QuerySet[Department], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        listed = list(departments.filter(retired_at__isnull=True))
        self.fields["departments"].queryset = departments.filter(retired_at__isnull=True)
        self.fields["year"].initial = date.today().year - 1
        latest = list(library.latest_templates())
        self.templates = {t.pk: t for t in latest}
        choices = [(t.pk, f"{t.name}（第 {t.version} 版）") for t in latest]
        defaults = library.templates_for(listed)
        for department in listed:
            default = defaults.get(department.pk)
            self.fields[f"template_{department.pk}"] = forms.TypedChoiceField(
                label=f"{department.name}的报告模板", choices=choices, coerce=int, required=False,
                initial=default.pk if default else None,
                widget=forms.Select(attrs={"aria-label": f"{department.name}的报告模板"}))
        boxes = self["departments"].subwidgets
        self.department_rows = [(box, self[f"template_{d.pk}"]) for box, d in zip(boxes, listed, strict=True)]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("opens_on") and cleaned.get("due_on") and cleaned["due_on"] < cleaned["opens_on"]:
            self.add_error("due_on", "截止日期不能早于开始日期。")
        for department in cleaned.get("departments") or []:
            if not cleaned.get(f"template_{department.pk}"):
                self.add_error("departments", f"请为{department.name}选择报告模板。")
        return cleaned

    def launch_arguments(self) -> dict:
        data = self.cleaned_data
        chosen = data["departments"]
        return {"year": data["year"], "name": data["name"], "opens_on": data["opens_on"], "due_on": data["due_on"],
                "departments": list(chosen),
                "templates": {d.pk: self.templates[data[f"template_{d.pk}"]] for d in chosen}}


class AttachmentForm(forms.Form):
    ALLOWED = (".pdf", ".docx", ".xlsx", ".jpg", ".jpeg", ".png")
    file = forms.FileField(label="附件")

    def __init__(self, *args: object, max_bytes: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(self.ALLOWED):
            raise forms.ValidationError(f"附件：只接受 {'、'.join(self.ALLOWED)} 文件。")
        if upload.size > self.max_bytes:
            raise forms.ValidationError(f"附件：文件过大（{upload.size // 1024} KB），上限 {self.max_bytes // 1024} KB。")
        return upload


class ExtensionForm(forms.Form):
    department = forms.ModelChoiceField(label="部门", queryset=Department.objects.none(), empty_label="请选择部门",
                                        error_messages={"required": "部门：请选择要延期的部门。"})
    due_on = forms.DateField(label="延期至", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="理由", max_length=200)

    def __init__(self, *args: object, departments: object, cycle_due: date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.cycle_due = cycle_due

    def clean_due_on(self) -> date:
        due = self.cleaned_data["due_on"]
        if due <= self.cycle_due:
            raise forms.ValidationError(f"延期至：须晚于周期截止日期 {self.cycle_due:%Y-%m-%d}。")
        return due


class ScoreAdjustmentForm(forms.Form):
    """Raw input only: the service validates (one set of rules and messages for every caller)."""

    row_name = forms.CharField(label="三级指标", required=False, max_length=100, widget=forms.Select)
    score = forms.CharField(label="调整后得分", required=False, max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "amount"}))
    reason = forms.CharField(label="理由", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, rows: list[scoring.RowScore], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["row_name"].widget.choices = [("", "—— 请选择 ——")] + [
            (r.name, f"{r.level1} · {r.name}（分值 {r.weight.normalize():f}）") for r in rows
        ]
