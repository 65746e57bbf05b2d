"""季度监控清单 reads a page from only the quarters it falls in (``QuarterBands``): every page holds the rows
the whole sorted list holds there, across quarter boundaries, and a new report shows at once."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.urls import reverse

from reports.models import QuarterlyReport
from reports.quarterly import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(demo_quarters_loaded):
    return get_user_model().objects.get(username="fin_admin")


def test_every_window_is_the_sorted_lists(reviewer):
    rows = selectors.quarterlies_filtered(reviewer, selectors.QuarterlyFilters())
    whole = list(rows)
    assert len({(r["year"], r["quarter"]) for r in whole}) > 1  # the windows cross quarters
    bands = selectors.QuarterBands(rows)
    assert bands.count() == len(whole) == len(bands)
    for size in (1, 3, 7, len(whole)):
        for start in range(0, len(whole) + 2, max(1, size // 2)):
            assert bands[start:start + size] == whole[start:start + size], (start, size)
    assert bands[len(whole):len(whole) + 5] == []


def test_the_pages_hold_every_report_once_in_order(reviewer):
    rows = selectors.quarterlies_filtered(reviewer, selectors.QuarterlyFilters())
    paginator = Paginator(selectors.QuarterBands(rows), 4)
    seen = [r["id"] for n in paginator.page_range for r in paginator.page(n)]
    assert seen == [r["id"] for r in rows]


def test_the_list_page_shows_a_new_quarter_at_once(client, reviewer):
    client.force_login(reviewer)
    url = reverse("reports:quarterly_list")
    before = client.get(url).content.decode()
    total = int(re.search(r"共 (\d+) 份", before).group(1))
    latest = QuarterlyReport.objects.order_by("-year", "-quarter").first()
    QuarterlyReport.objects.filter(pk=latest.pk).update(year=latest.year + 1, quarter=1)
    page = client.get(url).content.decode()
    assert f"共 {total} 份" in page
    assert page.index(f"{latest.year + 1}年第1季度") < page.index(f"{latest.year}年第")
    assert client.get(url, {"page": "last"}).status_code == 200
