"""The audit trail: an append-only row per change, read back per object."""

import pytest

from departments.models import AuditEntry
from departments.selectors import audit_history
from departments.services import audit_record

pytestmark = pytest.mark.django_db


def test_an_audit_row_names_who_what_and_why(demo, finance_admin):
    unit = demo["CG-GAFJ-P01"]
    audit_record(actor=finance_admin, action="test.rename", target=unit, summary="改名", reason="机构调整",
                 changes={"name": ["旧", "新"]}, department=demo["CG-GAFJ"])
    # (the demo's own role grants are audited on the unit too, by the system)
    [entry] = [e for e in audit_history(unit) if e.action == "test.rename"]
    assert (entry.actor_name, entry.action, entry.reason, entry.changes) == ("刘洋", "test.rename", "机构调整",
                                                                           {"name": ["旧", "新"]})


def test_audit_rows_cannot_be_changed_or_deleted(demo, finance_admin):
    entry = audit_record(actor=finance_admin, action="test", target=demo["CG-GAFJ"], summary="x")
    entry.summary = "y"
    with pytest.raises(ValueError, match="不可修改"):
        entry.save()
    with pytest.raises(ValueError, match="不可删除"):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "x"
