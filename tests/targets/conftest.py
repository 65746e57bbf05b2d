"""Fixtures of the target-table tests: the police department's 2022 table, declared by its coordinator."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from departments.models import Department, Membership, Role
from reports.annual.demo import INDICATORS
from reports.models import TargetTable
from reports.targets import services
from reports.targets.demo import table_data

YEAR = 2022


@pytest.fixture
def police(demo):
    return demo["CG-GAFJ"]


@pytest.fixture
def declared(police, coordinator) -> TargetTable:
    table = services.target_table_create(department=police, year=YEAR, actor=coordinator)
    services.target_table_save(table=table, data=table_data(police, INDICATORS["rows"]), base_version=0,
                               actor=coordinator)
    table.refresh_from_db()
    return table


@pytest.fixture
def xingzhen_clerk(demo):
    """A clerk of 刑侦大队."""
    user = get_user_model().objects.create_user("clerk_xz", password="x", first_name="刑侦填报员")
    Membership.objects.create(user=user, unit=Department.objects.get(name="刑侦大队"), role=Role.CLERK)
    return user


