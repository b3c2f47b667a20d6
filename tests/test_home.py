"""Signing in, the home page, starting a department filing and copying last year's."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from filings.models import (
    AnnualTask,
    DepartmentDetails,
    Filing,
    FilingKind,
    FormVariant,
    FunctionItem,
    Indicator,
    Unit,
)
from filings.money import MoneyField

from .personas import sign_in as login

PASSWORD = "perfbudget-demo"
MONEY = [f.name for f in DepartmentDetails._meta.concrete_fields if isinstance(f, MoneyField)]




def page(response) -> str:
    return response.content.decode()


def messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def department_filings(unit, year):
    return Filing.objects.filter(kind=FilingKind.DEPARTMENT, unit=unit, year=year)


# --- signing in ----------------------------------------------------------------------------------------------

def test_login_page_is_in_chinese(client, db):
    response = client.get(reverse("login"))
    content = page(response)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in content
    for text in ["<title>登录 · 预算绩效目标申报系统</title>", ">登录</button>",
                 '<label class="form-label" for="id_username">用户名</label>',
                 '<label class="form-label" for="id_password">密码</label>']:
        assert text in content


def test_a_wrong_password_is_refused_in_chinese(client, demo):
    response = client.post(reverse("login"), {"username": "cs_zyy", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确，请重新输入（注意区分大小写）。" in page(response)
    assert 'value="cs_zyy"' in page(response)  # the user name is kept
    assert "_auth_user_id" not in client.session


def test_signing_in_leads_home_and_signing_out_says_so(client, demo):
    response = client.post(reverse("login"), {"username": "cs_zyy", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    home = client.get(reverse("home"))
    assert "我的申报" in page(home) and "桑梓尧" in page(home)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_signing_in_returns_to_the_page_asked_for(client, demo):
    target = reverse("filings:check", args=[demo["s0-dept"].pk])
    response = client.post(f"{reverse('login')}?next={target}", {"username": "cs_zyy", "password": PASSWORD,
                                                                "next": target})
    assert response.status_code == 302 and response.url == target


# --- the home page ------------------------------------------------------------------------------------------

def supervised_block(content: str) -> str:
    """辖区申报表 after its filter form: the filings listed."""
    block = content[content.index('id="supervised-heading"'):]
    return block[block.index("</form>"):]


def test_home_lists_the_supervisors_filings_with_year_and_status(client, demo):
    login(client, "cs_czj")  # 财政 of 柴桑区: files for no unit, sees the region's filings in 辖区申报表
    content = supervised_block(page(client.get(reverse("home"))))
    rows = re.findall(r'<tr data-filing="(\d+)">\s*<td>(\d+)</td>\s*<td>(.*?)</td>\s*<td><a [^>]*>(.*?)</a></td>',
                      content)
    region = Filing.objects.filter(unit__path__startswith="/360404/")
    assert [int(pk) for pk, *_ in rows] == sorted((f.pk for f in region), reverse=True)  # the newest first
    shown = {(year, kind, name) for _pk, year, kind, name in rows}
    assert ("2026", "部门整体支出", "九江市柴桑区总医院") in shown
    assert ("2025", "项目支出", "基层医保经办服务能力建设补助资金") in shown
    assert content.count('<span class="badge status-draft">草稿</span>') == 3


def test_home_shows_a_submitted_status(client, demo):
    Filing.objects.filter(pk=demo["s2-dept"].pk).update(status="submitted")
    login(client, "dp_bj")
    assert '<span class="badge status-submitted">已提交</span>' in page(client.get(reverse("home")))


def test_filers_are_offered_new_and_copy_others_are_not(client, demo):
    login(client, "cs_zyy")
    content = page(client.get(reverse("home")))
    assert "新建部门整体支出绩效目标申报表" in content and "复制为新年度" in content
    login(client, "cs_wjw")
    content = page(client.get(reverse("home")))
    assert "新建部门整体支出绩效目标申报表" not in content and "复制为新年度" not in content


# --- a new department filing ------------------------------------------------------------------------------

@pytest.fixture
def jiangxi(db):
    return FormVariant.objects.get(code="dept-jiangxi")


def test_a_filer_starts_a_department_filing(client, demo, jiangxi):
    login(client, "cs_zyy")
    unit = Unit.objects.get(code="327002001")
    response = client.post(reverse("home"), {"unit": unit.pk, "year": "2027", "variant": jiangxi.pk})
    filing = department_filings(unit, 2027).get()
    assert response.status_code == 302 and response.url == reverse("filings:tasks", args=[filing.pk])
    assert (filing.status, filing.variant, filing.scheme, filing.money_unit, filing.unit_name) == (
        "draft", jiangxi, jiangxi.default_scheme, jiangxi.default_money_unit, "九江市柴桑区总医院")
    assert filing.created_by.username == "cs_zyy"
    assert filing.department.sector == "卫生健康"
    tasks = client.get(response.url)
    assert "已新建 2027年 九江市柴桑区总医院 部门整体支出绩效目标申报表。" in messages(tasks)
    assert "开始填写" in page(tasks)


@pytest.mark.parametrize("year", ["2026", "2027"])
def test_only_one_department_filing_per_unit_and_year(client, demo, jiangxi, year):
    login(client, "cs_zyy")
    unit = Unit.objects.get(code="327002001")
    data = {"unit": unit.pk, "year": year, "variant": jiangxi.pk}
    if year == "2027":
        client.post(reverse("home"), data)
    count = Filing.objects.count()
    response = client.post(reverse("home"), data)
    assert response.status_code == 200
    assert f"九江市柴桑区总医院已有 {year} 年度的部门整体支出绩效目标申报表，请在“我的申报”中打开它。" in page(response)
    assert Filing.objects.count() == count


@pytest.mark.parametrize("data, message", [
    ({"year": "明年"}, "输入整数。"),
    ({"year": "1999"}, "确保该值大于或等于2000。"),
    ({"year": ""}, "这个字段是必填项。"),
    ({"variant": ""}, "这个字段是必填项。"),
])
def test_a_new_filing_needs_a_valid_year_and_form(client, demo, jiangxi, data, message):
    login(client, "cs_zyy")
    unit = Unit.objects.get(code="327002001")
    count = Filing.objects.count()
    response = client.post(reverse("home"), {"unit": unit.pk, "year": "2027", "variant": jiangxi.pk, **data})
    assert response.status_code == 200 and message in page(response)
    assert Filing.objects.count() == count


def test_a_filer_cannot_start_a_filing_for_another_unit(client, demo, jiangxi):
    login(client, "cs_zyy")
    other = Unit.objects.get(code="327001")
    response = client.post(reverse("home"), {"unit": other.pk, "year": "2027", "variant": jiangxi.pk})
    assert response.status_code == 200 and "选择一个有效的选项" in page(response)
    assert not department_filings(other, 2027).exists()


def test_a_reviewer_cannot_start_a_filing(client, demo, jiangxi):
    login(client, "cs_wjw")
    unit = Unit.objects.get(code="327002001")
    client.post(reverse("home"), {"unit": unit.pk, "year": "2027", "variant": jiangxi.pk})
    assert not department_filings(unit, 2027).exists()


# --- 复制为新年度 ------------------------------------------------------------------------------------------

@pytest.fixture
def source(demo):
    """s0-dept with task amounts, so that emptying and keeping them shows."""
    filing = demo["s0-dept"]
    for number, task in enumerate(filing.tasks.all(), start=1):
        task.amount_total, task.amount_fiscal, task.amount_other = number * 10000, number * 8000, number * 2000
        task.save()
    return Filing.objects.with_related().get(pk=filing.pk)


def copy(client, filing, year="2027", keep=False):
    data = {"year": year, **({"keep_amounts": "on"} if keep else {})}
    return client.post(reverse("filings:copy", args=[filing.pk]), data)


def rows(model, filing, fields):
    return list(model.objects.filter(filing=filing).order_by("order", "pk").values_list(*fields))


TASK_TEXT = ["order", "name", "content", "related_goal"]
TASK_MONEY = ["amount_total", "amount_fiscal", "amount_other"]
INDICATOR = ["period", "category", "order", "name", "value_text", "value_kind", "operator", "value_number",
             "value_unit", "not_applicable", "note"]


@pytest.mark.parametrize("keep", [False, True], ids=["amounts-emptied", "amounts-kept"])
def test_copy_to_a_new_year(client, source, keep):
    login(client, "cs_zyy")
    response = copy(client, source, keep=keep)
    new = Filing.objects.with_related().get(unit=source.unit, year=2027, kind=FilingKind.DEPARTMENT)
    assert response.status_code == 302 and response.url == reverse("filings:tasks", args=[new.pk])
    assert (new.status, new.lock_version, new.saved_steps, new.source, new.created_by.username) == (
        "draft", 0, [], "", "cs_zyy")
    assert (new.variant_id, new.scheme_id, new.money_unit, new.unit_name, new.contact_person) == (
        source.variant_id, source.scheme_id, source.money_unit, source.unit_name, source.contact_person)
    # every row and indicator
    assert rows(FunctionItem, new, ["order", "name", "mid_term_goal", "annual_goal"]) == rows(
        FunctionItem, source, ["order", "name", "mid_term_goal", "annual_goal"])
    assert rows(AnnualTask, new, TASK_TEXT) == rows(AnnualTask, source, TASK_TEXT)
    assert rows(Indicator, new, INDICATOR) == rows(Indicator, source, INDICATOR)
    assert len(rows(Indicator, new, INDICATOR)) == 13
    # the unit facts always, the amounts only when kept
    details, old = new.department, source.department
    assert (details.function_summary, details.staff_total, details.sector) == (
        old.function_summary, old.staff_total, old.sector)
    amounts = {name: getattr(details, name) for name in MONEY}
    task_amounts = rows(AnnualTask, new, TASK_MONEY)
    if keep:
        assert amounts == {name: getattr(old, name) for name in MONEY}
        assert details.income_total == Decimal("6361700.00")
        assert details.prior_execution_rate == old.prior_execution_rate
        assert task_amounts == rows(AnnualTask, source, TASK_MONEY)
    else:
        assert amounts == dict.fromkeys(MONEY)
        assert details.prior_execution_rate is None
        assert task_amounts == [(None, None, None)] * 4
    # the source is untouched
    assert rows(AnnualTask, source, TASK_MONEY)[0] == (Decimal("10000.00"), Decimal("8000.00"), Decimal("2000.00"))
    assert "已从 2026 年度复制出 2027年 九江市柴桑区总医院 部门整体支出绩效目标申报表，请逐步核对后提交。" in messages(
        client.get(response.url))


def test_a_second_copy_to_the_same_year_is_refused(client, source):
    login(client, "cs_zyy")
    copy(client, source)
    count = Filing.objects.count()
    response = copy(client, source, keep=True)
    assert response.status_code == 302 and response.url == reverse("home")
    assert Filing.objects.count() == count
    expected = "九江市柴桑区总医院已有 2027 年度的部门整体支出绩效目标申报表，请在“我的申报”中打开它。"
    assert expected in messages(client.get(response.url))


def test_copy_into_the_sources_own_year_is_refused(client, source):
    login(client, "cs_zyy")
    count = Filing.objects.count()
    response = copy(client, source, year="2026")
    assert Filing.objects.count() == count
    assert "已有 2026 年度" in " ".join(messages(client.get(response.url)))


@pytest.mark.parametrize("year", ["", "明年", "99999"])
def test_copy_needs_a_valid_year(client, source, year):
    login(client, "cs_zyy")
    count = Filing.objects.count()
    response = copy(client, source, year=year)
    assert Filing.objects.count() == count
    assert "请填写正确的年度。" in messages(client.get(response.url))


def test_a_reviewer_who_sees_the_filing_cannot_copy_it(client, source):
    login(client, "cs_wjw")
    count = Filing.objects.count()
    response = copy(client, source)
    assert Filing.objects.count() == count
    assert "只有本单位的填报人可以复制这份申报表。" in messages(client.get(response.url))


def test_a_filer_of_another_unit_cannot_copy(client, source):
    login(client, "cs_ybj")
    count = Filing.objects.count()
    assert copy(client, source).status_code == 404
    assert Filing.objects.count() == count


def test_copy_is_post_only(client, source):
    login(client, "cs_zyy")
    assert client.get(reverse("filings:copy", args=[source.pk])).status_code == 405
