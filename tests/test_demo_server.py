"""The demo as a newcomer meets it (issue 11.6): run.sh serves the site's Chinese error pages with the
static files still served; load_demo --reset brings the demo back and prints only Chinese; the
tests never write into the demo's var/media."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_run_sh_serves_the_chinese_404_page_and_the_static_files(tmp_path):
    serve = next(line for line in (ROOT / "scripts/run.sh").read_text().splitlines() if line.startswith("exec "))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env |= {"EVALSITE_ADDR": f"127.0.0.1:{port}", "DATABASE_URL": f"sqlite:///{tmp_path}/demo.sqlite3"}
    server = subprocess.Popen(["bash", "-c", f"ADDR=$EVALSITE_ADDR; {serve[len('exec '):]}"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(100):
            try:
                status, page = _get(f"http://127.0.0.1:{port}/no-such-page/")
                break
            except OSError:
                time.sleep(0.2)
        assert status == 404
        assert "页面不存在" in page and "Page not found" not in page and "DEBUG" not in page
        assert _get(f"http://127.0.0.1:{port}/static/css/site.css")[0] == 200
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_load_demo_reset_restores_the_first_state_in_chinese(capsys, caplog):
    from django.contrib.auth import get_user_model

    from reports.models import Section

    call_command("load_demo")
    Section.objects.update(state="draft")
    get_user_model().objects.create(username="someone_else")
    call_command("load_demo", reset=True, interactive=False)
    out = capsys.readouterr().out
    assert "已清空数据库" in out and "本次新建单位 27 个" in out
    assert not get_user_model().objects.filter(username="someone_else").exists()
    assert Section.objects.filter(state="approved").exists()
    english = [r.getMessage() for r in caplog.records if re.search(r"[A-Za-z]{4,}", r.getMessage())
               and not re.search(r"[\u4e00-\u9fff]", r.getMessage())]
    assert not english, english


def test_tests_write_media_outside_the_demo():
    demo_media = ROOT / "var" / "media"
    assert Path(settings.MEDIA_ROOT).resolve() != demo_media.resolve()
    assert not Path(settings.MEDIA_ROOT).resolve().is_relative_to(ROOT / "var")


def test_the_readme_is_self_contained():
    readme = (ROOT / "README.md").read_text()
    assert "../" not in readme  # a clone has nothing beside the repository
    for target in re.findall(r"\]\(([^)#:]+)\)", readme) + re.findall(r"`((?:docs|scripts)/[^`\s]+)`", readme):
        assert (ROOT / target).exists(), target
    assert "load_demo --reset" in readme
