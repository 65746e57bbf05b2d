"""Templates compare no workflow state strings: pages get flags (can_edit, is_overdue, next_action, …)."""

import re
from pathlib import Path

from workflow.states import State

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATES = "|".join(s.value for s in State)
# a state literal in a comparison or an ``in``: {% if x.state == "draft" %}, {% if "approved" != s.state %}
COMPARED = re.compile(rf"""(==|!=|\bin\b)\s*["'](?:{STATES})["']|["'](?:{STATES})["']\s*(==|!=)""")
STATE_COMPARED = re.compile(r"state\s*(==|!=|\bin\b)")


def test_templates_compare_no_state_strings():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if COMPARED.search(line) or STATE_COMPARED.search(line):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:120]}")
    assert offenders == []
