"""Shared steps of the browser tests: signing in to the app and reading the transcribed seeds."""

import json
from pathlib import Path

from playwright.sync_api import expect

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"  # as the `screenshot` fixture
PASSWORD = "perfbudget-demo"


def sign_in(page, username, password=PASSWORD):
    """Sign in through the app's own login page and land on 我的申报."""
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的申报")).to_be_visible()


def shoot(page, name: str) -> Path:
    """A full-page screenshot of any page (the `screenshot` fixture only knows the fixture's first page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def seed_filing(number: int, key: str) -> dict:
    """One filing of a transcribed seed, e.g. seed_filing(0, "s0-dept")."""
    data = json.loads((SEEDS / f"{number:03d}.json").read_text(encoding="utf-8"))
    return next(filing for filing in data["filings"] if filing["key"] == key)


def page_as(browser, base_url, username):
    """A new browser context (its own cookies) signed in as `username`; close it with page.context.close()."""
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = base_url
    sign_in(page, username)
    return page
