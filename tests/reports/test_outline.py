"""Generated numbering of any outline."""

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from reports.annual.kinds import GENERATED_KINDS
from reports.annual.outline import build_outline, chinese_numeral, flatten, format_number
from reports.annual.services import template_install_default
from reports.models import DEFAULT_NUMBERING


@dataclass
class Node:
    id: int
    parent_id: int | None
    order: int


def test_chinese_numerals():
    assert [chinese_numeral(n) for n in (1, 4, 10, 11, 20, 21, 99)] == ["一", "四", "十", "十一", "二十", "二十一", "九十九"]


def test_formats_per_level():
    assert [format_number(f, 3) for f in DEFAULT_NUMBERING] == ["三、", "（三）", "3.", "（3）", "c."]


def test_numbers_restart_under_each_parent_and_follow_order():
    nodes = [Node(1, None, 2), Node(2, None, 1), Node(3, 1, 1), Node(4, 1, 2), Node(5, 2, 1), Node(6, 3, 1)]
    entries = flatten(build_outline(nodes, DEFAULT_NUMBERING))
    assert [(e.node.id, e.number) for e in entries] == [(2, "一、"), (5, "（一）"), (1, "二、"), (3, "（一）"),
                                                         (6, "1."), (4, "（二）")]


@st.composite
def forests(draw):
    size = draw(st.integers(min_value=1, max_value=40))
    nodes = []
    for i in range(1, size + 1):
        parent = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=i - 1))) if i > 1 else None
        nodes.append(Node(i, parent, draw(st.integers(min_value=0, max_value=5))))
    return nodes


@given(forests())
def test_any_outline_numbers_siblings_one_to_n_at_their_depth(nodes):
    entries = flatten(build_outline(nodes, DEFAULT_NUMBERING))
    assert sorted(e.node.id for e in entries) == [n.id for n in nodes]

    def check(children, depth):
        fmt = DEFAULT_NUMBERING[min(depth, len(DEFAULT_NUMBERING) - 1)]
        assert [c.number for c in children] == [format_number(fmt, i) for i in range(1, len(children) + 1)]
        for child in children:
            assert child.depth == depth + 1
            check(child.children, depth + 1)

    check(build_outline(nodes, DEFAULT_NUMBERING), 0)


def test_the_default_template_numbers_the_seeds_parts(db):
    template = template_install_default()
    nodes = template.nodes.exclude(kind__in=GENERATED_KINDS)  # present only where last year left 整改事项
    entries = flatten(build_outline(nodes, template.numbering_formats()))
    top = [e.number + e.node.title for e in entries if e.depth == 1]
    assert top == ["一、基本情况", "二、绩效评价工作情况", "三、主要绩效及评价结论", "四、存在的问题", "五、有关建议",
                   "六、其他需要说明的问题"]
