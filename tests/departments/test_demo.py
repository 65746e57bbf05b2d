import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from departments.demo import ACCOUNTS, INTERNAL_UNITS, POLICE_STATIONS
from departments.models import Department, Membership
from tests.conftest import module_data

pytestmark = pytest.mark.django_db


def load():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):  # noqa: ANN001
    """The output of a first ``load_demo``, run once for the module's tests (``module_data``)."""
    with module_data(django_db_blocker):
        yield load()


def counts():
    return Department.objects.count(), get_user_model().objects.count(), Membership.objects.count()


def test_the_police_bureau_has_21_sub_units_after_two_loads(loaded):
    first = counts()
    out = load()
    assert counts() == first
    assert "本次新建单位 0 个，账号 0 个" in out
    police = Department.objects.get(name="昆明市公安局呈贡分局")
    subunits = Department.objects.filter(parent=police)
    assert subunits.count() == 21
    assert police.parent.name == "呈贡区财政局"
    assert [u.name for u in subunits.filter(kind="internal_unit").order_by("order")] == INTERNAL_UNITS
    assert [u.name for u in subunits.filter(kind="police_station").order_by("order")] == POLICE_STATIONS
    assert set(subunits.filter(kind="custody").values_list("name", flat=True)) == {"看守所", "拘留所"}


def test_it_prints_every_demo_account(loaded):
    for account in ACCOUNTS:
        assert account.username in loaded
    assert "Demo@2021" in loaded


def test_every_demo_account_can_log_in(client, loaded):
    for account in ACCOUNTS:
        response = client.post("/login/", {"username": account.username, "password": "Demo@2021"})
        assert response.status_code == 302 and response.url == "/", account.username
        client.post("/logout/")


def test_generate_sample_builds_a_marked_district():
    call_command("generate_sample", departments=3, units=4, stdout=io.StringIO())
    depts = Department.objects.filter(kind="department", code__startswith="SAMPLE-")
    assert depts.count() == 3
    assert all("样本数据" in d.name for d in depts)
    unit = Department.objects.get(code="SAMPLE-D0002-U003")
    assert unit.budget_department.code == "SAMPLE-D0002"
    assert unit.path == "/SAMPLE-CZJ/SAMPLE-D0002/SAMPLE-D0002-U003/"
    call_command("generate_sample", departments=3, units=4, stdout=io.StringIO())
    assert Department.objects.filter(code__startswith="SAMPLE-").count() == 1 + 3 + 12
