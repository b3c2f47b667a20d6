"""Somebody guesses a filer's password in the browser: after five wrong tries the page says, in Chinese, that the
login is locked, and the right password does not get in."""

import pytest
from playwright.sync_api import expect

from .helpers import PASSWORD, shoot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def try_password(page, username, password):
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_five_wrong_passwords_show_the_chinese_lockout_page(page):
    page.goto(page.base_url + "/accounts/login/")
    for attempt in range(4):
        try_password(page, "cs_zyy", f"guess-{attempt}")
        expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    try_password(page, "cs_zyy", "guess-4")
    expect(page.get_by_role("heading", name="登录已锁定")).to_be_visible()
    expect(page.locator(".lockout-message")).to_contain_text("请在 30 分钟后再试")
    expect(page.locator(".lockout-message")).to_contain_text("联系系统管理员")
    shoot(page, "login-lockout")

    page.get_by_role("link", name="返回登录页").click()
    try_password(page, "cs_zyy", PASSWORD)
    expect(page.get_by_role("heading", name="登录已锁定")).to_be_visible()


def test_signing_in_and_the_navbar_for_a_finance_administrator(page):
    sign_in(page, "cs_czj")
    page.get_by_role("link", name="登录日志").click()
    expect(page.get_by_role("heading", name="登录日志")).to_be_visible()
    expect(page.locator("table.login-log tbody tr").first).to_contain_text("登录成功")
    expect(page.locator("table.login-log tbody tr").first).to_contain_text("cs_czj")
    shoot(page, "login-log")
