"""年度概览 by level: province → city → county → 主管部门 → unit, each page a node's children with their branches'
counts, drill-down and breadcrumb, late units by the nearest bureau's deadline, scope (404 outside), and a constant
number of queries whatever the size of the branch.

The tree (year 2026; 江省 has passed its deadline, 一县 has a later one of its own, 市 and 二县 set none):

    TP    江省财政厅 (财政, deadline 10 days ago)
      TC1   一市财政局 (财政)
        TK1   一县财政局 (财政, deadline in 5 days)
          TK1D1 一县教育局: dept draft          TK1D1U1 一中: dept submitted 20 days ago   TK1D1U2 二中: nothing
          TK1D2 一县卫健局: dept approved       TK1D2U1 一院: projects draft, returned
        TK2   二县财政局 (财政)
          TK2D1 二县教育局: nothing             TK2D1U1 三中: dept submitted 20 days ago
        TC1D1 一市交通局: dept submitted 2 days ago   TC1D1U1 一站: submitted 15 days ago, returned
      TPD1  江省水利厅: dept 主管部门-approved (submitted 12 days ago)   TPD1U1 一所: dept draft; projects
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings import queues
from filings.models import (
    Action,
    Filing,
    FilingDeadline,
    FilingKind,
    FilingStatus,
    FormVariant,
    Membership,
    Role,
    Transition,
    Unit,
    UnitKind,
)

from .personas import sign_in

S = FilingStatus
YEAR = 2026
TREE = [  # code, name, kind, parent
    ("TP", "江省财政厅", UnitKind.FINANCE, None),
    ("TC1", "一市财政局", UnitKind.FINANCE, "TP"),
    ("TK1", "一县财政局", UnitKind.FINANCE, "TC1"),
    ("TK1D1", "一县教育局", UnitKind.DEPARTMENT, "TK1"),
    ("TK1D1U1", "一县第一中学", UnitKind.UNIT, "TK1D1"),
    ("TK1D1U2", "一县第二中学", UnitKind.UNIT, "TK1D1"),
    ("TK1D2", "一县卫健局", UnitKind.DEPARTMENT, "TK1"),
    ("TK1D2U1", "一县人民医院", UnitKind.UNIT, "TK1D2"),
    ("TK2", "二县财政局", UnitKind.FINANCE, "TC1"),
    ("TK2D1", "二县教育局", UnitKind.DEPARTMENT, "TK2"),
    ("TK2D1U1", "二县第三中学", UnitKind.UNIT, "TK2D1"),
    ("TC1D1", "一市交通局", UnitKind.DEPARTMENT, "TC1"),
    ("TC1D1U1", "一市客运站", UnitKind.UNIT, "TC1D1"),
    ("TPD1", "江省水利厅", UnitKind.DEPARTMENT, "TP"),
    ("TPD1U1", "江省水文所", UnitKind.UNIT, "TPD1"),
]
PEOPLE = [  # username, unit, role
    ("t_sheng", "TP", Role.FINANCE), ("t_shi", "TC1", Role.FINANCE), ("t_xian1", "TK1", Role.FINANCE),
    ("t_xian2", "TK2", Role.FINANCE), ("t_jiaoyu", "TK1D1", Role.REVIEWER),
    ("t_two", "TK1D1", Role.REVIEWER), ("t_two", "TK2D1", Role.REVIEWER), ("t_filer", "TK1D1U1", Role.FILER),
]


# --- the tree ------------------------------------------------------------------------------------------------------

def unit(code) -> Unit:
    return Unit.objects.get(code=code)


def add_filing(code, kind, status, submitted_days_ago=None, returned=False, position=0, revision=1):
    """A filing of the year; submitted N days ago by its stamp and a submit transition (and returned after)."""
    variant = FormVariant.objects.get(code="dept-mof88" if kind == FilingKind.DEPARTMENT else "proj-mof88")
    filer = get_user_model().objects.get(username="t_filer")
    when = timezone.now() - timedelta(days=submitted_days_ago) if submitted_days_ago is not None else None
    filing = Filing.objects.create(kind=kind, unit=unit(code), year=YEAR, variant=variant,
                                   scheme_id=variant.default_scheme_id, status=status, position=position,
                                   revision=revision, unit_name=unit(code).name, created_by=filer,
                                   submitted_at=when, first_submitted_at=when, submitted_by=filer if when else None)
    if when is not None:
        entry = Transition.objects.create(filing=filing, action=Action.SUBMIT, from_status=S.DRAFT,
                                          to_status=S.SUBMITTED, actor=filer)
        Transition.objects.filter(pk=entry.pk).update(created_at=when)
    if returned:
        Transition.objects.create(filing=filing, action=Action.RETURN, from_status=S.SUBMITTED,
                                  to_status=S.RETURNED, actor=filer, comment="请修改。")
    return filing


def dept(code, status, **kwargs):
    return add_filing(code, FilingKind.DEPARTMENT, status, **kwargs)


def project(code, status, position, **kwargs):
    return add_filing(code, FilingKind.PROJECT, status, position=position, **kwargs)


@pytest.fixture
def tree(db):
    units = {}
    for code, name, kind, parent in TREE:
        units[code] = Unit.objects.create(code=code, name=name, kind=kind, parent=units.get(parent))
    for username, code, role in PEOPLE:
        user, _ = get_user_model().objects.get_or_create(username=username)
        Membership.objects.create(user=user, unit=units[code], role=role)
    today = timezone.localdate()
    FilingDeadline.objects.create(region=units["TP"], year=YEAR, due_on=today - timedelta(days=10))
    FilingDeadline.objects.create(region=units["TK1"], year=YEAR, due_on=today + timedelta(days=5))
    dept("TK1D1", S.DRAFT)
    dept("TK1D1U1", S.SUBMITTED, submitted_days_ago=20)
    dept("TK1D2", S.APPROVED, submitted_days_ago=30)
    project("TK1D2U1", S.DRAFT, 1)
    project("TK1D2U1", S.RETURNED, 2, submitted_days_ago=3, returned=True)
    dept("TK2D1U1", S.SUBMITTED, submitted_days_ago=20)
    dept("TC1D1", S.SUBMITTED, submitted_days_ago=2)
    dept("TC1D1U1", S.RETURNED, submitted_days_ago=15, returned=True)
    dept("TPD1", S.DEPARTMENT_APPROVED, submitted_days_ago=12)
    dept("TPD1U1", S.DRAFT)
    project("TPD1U1", S.SUBMITTED, 1, submitted_days_ago=1)
    project("TPD1U1", S.APPROVED, 2, submitted_days_ago=40)
    return units


# --- reading the page ----------------------------------------------------------------------------------------------

def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def cells_of(row: str) -> list[str]:
    return [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def level_rows(page: str) -> dict[str, dict]:
    rows = {}
    for code, row in re.findall(r'<tr data-level="([^"]+)">(.*?)</tr>', page, re.S):
        cells = cells_of(row)
        link = re.search(r'<a class="drill-link" href="([^"]+)"', row)
        rows[code] = {"kind": cells[0], "units": int(cells[1]), "counts": [int(n) for n in cells[2:7]],
                      "total": int(cells[7]), "submitted": int(cells[8]), "missing": int(cells[9]),
                      "late": int(cells[10]), "deadline": cells[11],
                      "link": link.group(1).replace("&amp;", "&") if link else None}
    return rows


def unit_rows(page: str) -> dict[str, dict]:
    rows = {}
    for code, row in re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', page, re.S):
        cells = cells_of(row)
        rows[code] = {"counts": [int(n) for n in cells[:5]], "total": int(cells[5]), "department": cells[6],
                      "deadline": cells[7]}
    return rows


def footer(page: str) -> list[str]:
    """The numbers of the 合计 row (its empty cells left out)."""
    return [cell for cell in cells_of(re.search(r"<tfoot>(.*?)</tfoot>", page, re.S).group(1)) if cell]


def trail(page: str) -> list[str]:
    found = re.search(r'<ol class="breadcrumb overview-trail">(.*?)</ol>', page, re.S)
    return [text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", found.group(1), re.S)] if found else []


def url(code=None, year=YEAR) -> str:
    return reverse("filings:overview") + f"?year={year}" + (f"&unit={unit(code).pk}" if code else "")


def page_of(client, code=None) -> str:
    response = client.get(url(code))
    assert response.status_code == 200
    return response.content.decode()


def summed(rows: dict[str, dict]) -> list[int]:
    """The footer's numbers as the sum of the rows: units, the five states, total, submitted, missing, late."""
    return [sum(r["units"] for r in rows.values()),
            *[sum(r["counts"][i] for r in rows.values()) for i in range(5)],
            sum(r["total"] for r in rows.values()), sum(r["submitted"] for r in rows.values()),
            sum(r["missing"] for r in rows.values()), sum(r["late"] for r in rows.values())]


# --- the province's page and drilling down --------------------------------------------------------------------------

def test_the_province_sees_its_city_and_its_own_department_with_their_branches(client, tree):
    page = page_of(sign_in(client, "t_sheng"))
    rows = level_rows(page)
    assert list(rows) == ["TC1", "TPD1"]  # bureaus first, then the province's own 主管部门
    city, water = rows["TC1"], rows["TPD1"]
    # the city aggregates its two counties and its own 主管部门: 9 filing units (no finance unit counted)
    assert (city["kind"], city["units"], city["counts"], city["total"]) == ("财政部门", 9, [2, 3, 0, 1, 2], 8)
    assert (city["submitted"], city["missing"], city["late"]) == (4, 5, 2)
    assert city["deadline"] == f"{timezone.localdate() - timedelta(days=10):%Y-%m-%d}（沿用上级）"
    assert (water["kind"], water["units"], water["counts"], water["total"]) == ("主管部门", 2, [1, 1, 1, 1, 0], 4)
    assert (water["submitted"], water["missing"], water["late"]) == (1, 1, 1)
    assert footer(page) == [str(n) for n in summed(rows)]
    assert footer(page) == ["11", "3", "4", "1", "2", "2", "12", "5", "6", "3"]
    assert "2026 年度 · 江省财政厅 · 11 个单位 · 共 12 份申报表" in page
    assert '<strong class="missing-count">6</strong>' in page and '<strong class="late-count">3</strong>' in page
    assert trail(page) == []  # the scope root itself


def test_drilling_down_from_the_province_to_a_unit(client, tree):
    sign_in(client, "t_sheng")
    city = level_rows(page_of(client))["TC1"]
    assert city["link"] == url("TC1")
    page = page_of(client, "TC1")
    rows = level_rows(page)
    assert list(rows) == ["TK1", "TK2", "TC1D1"]
    assert trail(page) == ["江省财政厅", "一市财政局"]
    assert f'href="{url("TP").replace("&", "&amp;")}"' in page  # back up the trail
    assert [rows[c]["units"] for c in rows] == [5, 2, 2] and summed(rows)[0] == 9
    # 一县's own later deadline: nobody there is late, though 二中 never submitted
    assert rows["TK1"]["late"] == 0 and rows["TK1"]["missing"] == 3
    assert rows["TK1"]["deadline"] == f"{timezone.localdate() + timedelta(days=5):%Y-%m-%d}"
    assert rows["TK2"]["late"] == 1 and rows["TK2"]["deadline"].endswith("（沿用上级）")
    assert footer(page) == [str(n) for n in summed(rows)]

    page = page_of(client, "TK1")
    rows = level_rows(page)
    assert list(rows) == ["TK1D1", "TK1D2"] and trail(page) == ["江省财政厅", "一市财政局", "一县财政局"]
    assert rows["TK1D2"]["counts"] == [1, 0, 0, 1, 1] and rows["TK1D2"]["submitted"] == 1
    assert "还剩 5 天" in page  # the county's own deadline among the bureaus above the page

    page = page_of(client, "TK1D1")  # a 主管部门: the table of its units, its own filings first
    assert level_rows(page) == {}
    rows = unit_rows(page)
    assert list(rows) == ["TK1D1", "TK1D1U1", "TK1D1U2"]
    assert "一县教育局（本级）" in page
    assert rows["TK1D1"] == {"counts": [1, 0, 0, 0, 0], "total": 1, "department": "未提交", "deadline": "剩余 5 天"}
    assert rows["TK1D1U1"]["department"] == "已提交" and rows["TK1D1U1"]["deadline"] == "按时提交"
    assert rows["TK1D1U2"] == {"counts": [0] * 5, "total": 0, "department": "未提交", "deadline": "剩余 5 天"}
    assert '<strong class="late-count">0</strong>' in page and '<strong class="missing-count">2</strong>' in page


def test_late_units_follow_the_deadline_of_their_nearest_bureau(client, tree):
    sign_in(client, "t_sheng")
    rows = unit_rows(page_of(client, "TC1D1"))  # under the city, which sets none: 江省's passed deadline
    assert rows["TC1D1"]["department"] == "已提交" and rows["TC1D1"]["deadline"] == "逾期 逾期提交"
    # submitted in time, returned since: 未提交 but not late
    assert rows["TC1D1U1"]["department"] == "未提交" and rows["TC1D1U1"]["deadline"] == "按时提交"
    rows = unit_rows(page_of(client, "TK2D1"))
    assert rows["TK2D1"]["deadline"] == "逾期 逾期未提交" and rows["TK2D1U1"]["deadline"] == "按时提交"
    rows = unit_rows(page_of(client, "TPD1"))
    assert rows["TPD1"]["deadline"] == "按时提交" and rows["TPD1U1"]["deadline"] == "逾期 逾期未提交"
    # the county moves its deadline before today: its units are judged by it, and counted late at every level
    FilingDeadline.objects.filter(region=unit("TK1")).update(due_on=timezone.localdate() - timedelta(days=25))
    rows = unit_rows(page_of(client, "TK1D1"))
    assert [rows[c]["deadline"] for c in rows] == ["逾期 逾期未提交", "逾期 逾期提交", "逾期 逾期未提交"]
    # 教育局, 一中 (20 days ago), 二中, 人民医院 (projects only); not 卫健局 (30 days ago)
    assert level_rows(page_of(client, "TC1"))["TK1"]["late"] == 4
    assert level_rows(page_of(client))["TC1"]["late"] == 6


def test_the_level_counts_agree_with_the_unit_rows_below(client, tree):
    """Each level's late and missing counts are the sum of the unit rows' verdicts (SQL and Python, one rule)."""
    FilingDeadline.objects.filter(region=unit("TK1")).update(due_on=timezone.localdate() - timedelta(days=25))
    sign_in(client, "t_sheng")
    late = missing = 0
    for department in ["TK1D1", "TK1D2", "TK2D1", "TC1D1", "TPD1"]:
        rows = unit_rows(page_of(client, department))
        late += sum(row["deadline"].startswith("逾期") for row in rows.values())
        missing += sum(row["department"] == "未提交" for row in rows.values())
    page = page_of(client)
    assert f'<strong class="late-count">{late}</strong>' in page
    assert f'<strong class="missing-count">{missing}</strong>' in page


# --- who sees what ----------------------------------------------------------------------------------------------------

def test_each_role_starts_at_its_own_level(client, tree):
    assert list(level_rows(page_of(sign_in(client, "t_shi")))) == ["TK1", "TK2", "TC1D1"]
    assert list(level_rows(page_of(sign_in(client, "t_xian1")))) == ["TK1D1", "TK1D2"]
    page = page_of(sign_in(client, "t_jiaoyu"))
    assert list(unit_rows(page)) == ["TK1D1", "TK1D1U1", "TK1D1U2"]
    assert "一县财政局：申报截止日期" in page and "江省财政厅：申报截止日期" in page  # the deadlines that apply


def test_a_node_outside_the_scope_is_not_found(client, tree):
    sign_in(client, "t_xian2")
    for code in ["TK1", "TK1D1", "TC1", "TP", "360404"]:
        response = client.get(url(code))
        assert response.status_code == 404, code
        assert "不在您的查看范围内" in response.content.decode() and "一县" not in response.content.decode()
    for value in ["abc", "-1", "0", "1.5", "²", str(2**63), "9" * 30]:
        assert client.get(reverse("filings:overview"), {"unit": value}).status_code == 404, value
    assert client.get(url("TK2D1")).status_code == 200
    sign_in(client, "t_jiaoyu")
    assert client.get(url("TK1")).status_code == 404  # above the reviewer's own 主管部门
    assert client.post(url("TK1"), {"region": unit("TK1").pk, "year": "2026", "due_on": "2026-03-01"}
                       ).status_code == 404


def test_several_subtrees_are_the_top_rows(client, tree):
    sign_in(client, "t_two")
    page = page_of(client)
    rows = level_rows(page)
    assert list(rows) == ["TK1D1", "TK2D1"]
    assert (rows["TK1D1"]["units"], rows["TK2D1"]["units"]) == (3, 2)
    assert trail(page) == ["全部"] and footer(page) == [str(n) for n in summed(rows)]
    page = page_of(client, "TK2D1")
    assert trail(page) == ["全部", "二县教育局"] and list(unit_rows(page)) == ["TK2D1", "TK2D1U1"]
    assert f'href="{url()}"' in page


# --- the forms on the page ------------------------------------------------------------------------------------------

def test_the_year_chooser_and_the_deadline_form_keep_the_level(client, tree):
    sign_in(client, "t_xian1")
    page = page_of(client, "TK1D2")
    assert f'<input type="hidden" name="unit" value="{unit("TK1D2").pk}">' in page
    response = client.post(url("TK1D2"), {"region": unit("TK1").pk, "year": "2026", "due_on": "2026-03-31"})
    assert response.status_code == 302 and response.url == url("TK1D2")
    assert str(FilingDeadline.objects.get(region=unit("TK1"), year=YEAR).due_on) == "2026-03-31"
    response = client.post(url("TK1D2"), {"region": unit("TP").pk, "year": "2026", "due_on": "2026-03-31"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()  # not its bureau
    response = client.post(url("TK1D2"), {"region": unit("TK1").pk, "year": "2026", "due_on": "明天"})
    assert response.status_code == 200 and "输入一个有效的日期" in response.content.decode()
    assert list(unit_rows(response.content.decode())) == ["TK1D2", "TK1D2U1"]  # the same level, with the error


# --- a constant number of queries -----------------------------------------------------------------------------------

def add_units(count: int):
    """`count` more units under 一县教育局 and 江省水利厅, each with a 部门整体 filing and a project."""
    for department in ["TK1D1", "TPD1"]:
        parent = unit(department)
        for n in range(count):
            code = f"{department}X{n:03d}"
            Unit.objects.create(code=code, name=f"新单位{code}", kind=UnitKind.UNIT, parent=parent)
            dept(code, [S.DRAFT, S.SUBMITTED, S.APPROVED][n % 3], submitted_days_ago=None if n % 3 == 0 else 3)
            project(code, S.RETURNED, 1)


def queries(client, address) -> int:
    client.get(address)  # warm up: session, content types …
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


@pytest.mark.parametrize("username, code", [("t_sheng", None), ("t_sheng", "TC1"), ("t_sheng", "TK1D1"),
                                            ("t_xian1", None), ("t_jiaoyu", None), ("t_two", None)])
def test_the_same_queries_for_2_and_20_units(client, tree, username, code):
    sign_in(client, username)
    few = queries(client, url(code))
    add_units(18)
    assert queries(client, url(code)) == few
    assert f"新单位{'TK1D1'}X017" in page_of(client, "TK1D1")


def test_the_overview_of_the_whole_tree_reads_the_same_for_any_size(tree):
    """The counting itself: one query for every row of a level, however many units are below."""
    admin = get_user_model().objects.filter(is_superuser=True).first()
    node = unit("TP")
    with CaptureQueriesContext(connection) as small:
        report = queues.year_overview(admin, YEAR, node=node)
    assert report.tally.units == 11
    add_units(18)
    with CaptureQueriesContext(connection) as large:
        report = queues.year_overview(admin, YEAR, node=node)
    assert report.tally.units == 11 + 36 and len(large) == len(small)


def test_an_administrator_of_an_empty_tree_sees_an_empty_overview(db):
    Filing.objects.all().delete()
    Membership.objects.all().delete()
    while Unit.objects.exists():  # leaves first: a unit's parent is protected
        Unit.objects.filter(children__isnull=True).delete()
    admin = get_user_model().objects.create_superuser("root_only", password="x-long-password-1")
    report = queues.year_overview(admin, YEAR)
    assert (report.rows, report.unit_count, report.total) == ([], 0, 0)


def test_the_default_year_is_the_latest_of_the_users_own_filings(tree):
    """queues.latest_year walks the years down from the latest in the table: years of other branches above the
    user's latest are passed over, a gap between years is stepped across, no filing at all means next year."""
    from filings.access import Scope
    from filings.queues import latest_year

    def latest(username):
        return latest_year(Scope.of(get_user_model().objects.get(username=username)))

    assert {name: latest(name) for name in ["t_sheng", "t_xian1", "t_xian2", "t_jiaoyu"]} == dict.fromkeys(
        ["t_sheng", "t_xian1", "t_xian2", "t_jiaoyu"], YEAR)
    Filing.objects.filter(unit__code="TK2D1U1").update(year=YEAR - 3)  # 二县's only filing, three years back
    Filing.objects.filter(unit__code="TPD1U1", kind=FilingKind.PROJECT).update(year=YEAR + 2)  # the province's
    assert [latest(name) for name in ["t_sheng", "t_shi", "t_xian1", "t_xian2"]] == [YEAR + 2, YEAR, YEAR, YEAR - 3]
    Filing.objects.filter(unit__code__startswith="TK1").delete()
    assert latest("t_jiaoyu") == timezone.localdate().year + 1
