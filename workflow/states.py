"""Submission states shared by report sections and quarterly reports (DESIGN §4)."""

from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待领导小组审核"
    LEADING_APPROVED = "leading_approved", "待财政审核"
    APPROVED = "approved", "已审定"
    RETURNED = "returned", "已退回"


EDITABLE_STATES = frozenset({State.DRAFT, State.RETURNED})
