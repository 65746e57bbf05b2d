"""On the real services: an export whose worker is killed mid-build is redelivered (acks late, rejected
on worker loss) and rebuilt, leaving no temporary file."""

import os
import signal
import time
from pathlib import Path

import pytest
from django.urls import reverse

from reports.models import ExportJob, JobStatus
from tests.conftest import running_worker

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _wait_for(check, seconds: float = 60):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    return check()


@pytest.fixture
def slow_export_worker(settings, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    command = ["-m", "tests.reports.slow_export_worker", f"slow-{os.getpid()}@%h"]
    with running_worker(settings, tmp_path, command, env={"SLOW_BUILD_DIR": str(marks)}):
        yield marks


def test_an_export_whose_worker_is_killed_is_redelivered_and_rebuilt(slow_export_worker, client, finance_admin,
                                                                     settings):
    client.force_login(finance_admin)
    client.post(reverse("reports:export_request"), {"kind": "district_scores", "year": "2021"})
    job = ExportJob.objects.get()
    first = _wait_for(lambda: (slow_export_worker / "attempt-1").exists())
    assert first, "the build never started"
    job.refresh_from_db()
    assert (job.status, job.progress) == (JobStatus.RUNNING, 22)
    assert list(Path(settings.MEDIA_ROOT).rglob("*.part"))
    os.kill(int((slow_export_worker / "attempt-1").read_text()), signal.SIGKILL)

    assert _wait_for(lambda: ExportJob.objects.filter(pk=job.pk, status=JobStatus.DONE).exists()), \
        ExportJob.objects.get(pk=job.pk).__dict__
    job.refresh_from_db()
    assert job.attempts == 2 and job.filename == "重新生成.xlsx"
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.part"))
    assert (Path(settings.MEDIA_ROOT) / job.file.name).read_bytes() == b"rebuilt"
