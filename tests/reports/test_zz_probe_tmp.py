import pytest
from pathlib import Path
from django.db import transaction

from departments.demo import demo_org_load
from reports.demo import demo_report_load
from reports.models import Report


@pytest.fixture(scope="module")
def report_id(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_org_load(); demo_report_load()
            yield Report.objects.get(cycle__year=2021, department__code="CG-GAFJ").pk
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.django_db
def test_probe(report_id):
    from reports.exports.jobs import build_to_file
    r = build_to_file("report_docx", {"report": report_id}, Path("/work/main/var/scratch/probe.docx"))
    print(r)
    from reports import scoring
    s = scoring.report_score(Report.objects.get(pk=report_id))
    print(s.total, s.grade, s.budget_score, [(g.name, g.weight, g.score) for g in s.groups])


@pytest.mark.django_db
def test_probe2(report_id):
    assert Report.objects.filter(pk=report_id).exists()
