"""The Content-Security-Policy in the browser: the watch every browser test runs under catches what the policy
blocks, htmx runs within it, and the admin pages the app uses raise no violation."""

import pytest
from playwright.sync_api import expect

from .csp import report
from .helpers import page_as, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

INJECT_SCRIPT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.body.append(script);
}"""


def test_an_injected_inline_script_is_blocked_and_fails_the_test(page, browser):
    sign_in(page, "cs_zyy")
    assert browser.csp.take() == ([], []), "我的申报 itself must run without a violation"

    page.evaluate(INJECT_SCRIPT)

    assert page.evaluate("window.injected") is None  # the browser refused to run it
    violations, console = browser.csp.take()
    assert [(v.directive, v.blocked) for v in violations] == [("script-src-elem", "inline")]
    assert violations[0].document == page.url
    assert any("script-src" in line for line in console)
    message = report(violations, console)
    assert "script-src-elem blocked inline on " + page.url in message
    # What the suite's hook and teardown do with a violation left over: fail with that message.
    page.evaluate(INJECT_SCRIPT)
    with pytest.raises(AssertionError, match="script-src-elem blocked inline"):
        browser.csp.check()


def test_a_style_attribute_set_by_a_script_is_caught_as_a_violation(page, browser):
    sign_in(page, "cs_zyy")
    heading = page.get_by_role("heading", name="我的申报")

    heading.evaluate("(element) => element.setAttribute('style', 'color: rgb(255, 0, 0)')")

    assert heading.evaluate("(element) => getComputedStyle(element).color") != "rgb(255, 0, 0)"
    violations, _ = browser.csp.take()
    assert [(v.directive, v.blocked) for v in violations] == [("style-src-attr", "inline")]


def test_pages_made_by_page_as_are_watched_too(browser, live_server, demo):
    reviewer = page_as(browser, live_server.url, "cs_wjw")

    reviewer.goto(live_server.url + "/filings/queue/")
    reviewer.evaluate(INJECT_SCRIPT)

    violations, _ = browser.csp.take()
    assert [(v.directive, v.blocked) for v in violations] == [("script-src-elem", "inline")]
    assert "/filings/queue/" in violations[0].document


def test_htmx_injects_no_style_and_runs_no_script_from_a_swapped_fragment(page, browser):
    sign_in(page, "cs_zyy")

    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    page.evaluate("""() => htmx.swap("#main", '<p id="swapped">片段</p><script>window.swappedScript = true</script>',
                                       {swapStyle: "beforeend"})""")

    expect(page.locator("#swapped")).to_have_text("片段")
    assert page.evaluate("window.swappedScript") is None
    assert page.locator("#main script").count() == 0  # htmx dropped it before the policy had to refuse it


def test_the_admin_pages_the_app_uses_run_under_the_policy(page, demo):
    page.goto(page.base_url + "/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "perfbudget-demo")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()

    page.goto(page.base_url + "/admin/auth/user/")
    page.get_by_role("link", name="cs_zyy").click()
    expect(page.locator("#id_username")).to_have_value("cs_zyy")
    page.goto(page.base_url + "/admin/auth/user/add/")
    expect(page.locator("#id_username")).to_be_visible()
    filing = demo["s0-dept"]
    page.goto(page.base_url + f"/admin/filings/filing/{filing.pk}/change/")
    expect(page.locator("#filing_form")).to_be_visible()
    rows = page.locator("#filing_form .tabular tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator("#filing_form .tabular .add-row a").first.click()  # the inline formsets' own script adds a row
    expect(rows).to_have_count(before + 1)
    # Leaving the page with no violation is the assertion: the suite's check runs after every test.


def visit(page, path, status=200):
    response = page.goto(page.base_url + path)
    assert response.status == status, (path, response.status)
    page.wait_for_load_state("load")


def step_links(page) -> list[str]:
    return page.eval_on_selector_all("a[href*='/step/']", "(links) => [...new Set(links.map((a) => a.pathname))]")


@pytest.mark.parametrize("username, key", [("cs_zyy", "s0-dept"), ("yq_sy", "s3-proj1"), ("yj_wjj", "s4-dept")])
def test_a_filer_goes_through_every_page_of_a_filing_without_a_violation(browser, live_server, demo, username, key):
    filer = page_as(browser, live_server.url, username)
    pk = demo[key].pk

    for path in ["/", "/filings/projects/", "/filings/queue/", "/filings/notifications/", "/filings/import/",
                 f"/filings/{pk}/", f"/filings/{pk}/check/", f"/filings/{pk}/changes/", f"/filings/{pk}/import/",
                 "/accounts/password_change/"]:
        visit(filer, path)
    visit(filer, f"/filings/{pk}/")
    steps = step_links(filer)
    assert len(steps) >= 4
    for path in steps:
        visit(filer, path)
    if key.startswith("s3-proj"):
        visit(filer, f"/filings/{pk}/delete/")
    visit(filer, "/filings/999999/", status=404)
    # The assertion is the suite's CSP check after the test: none of these pages raised a violation.


@pytest.mark.parametrize("username", ["cs_wjw", "cs_czj"])
def test_a_reviewer_goes_through_every_page_without_a_violation(browser, live_server, demo, username):
    reviewer = page_as(browser, live_server.url, username)
    pk = demo["s0-dept"].pk

    for path in ["/filings/queue/", "/filings/queue/?tab=returned", "/filings/queue/?tab=reviewed",
                 "/filings/overview/", "/filings/downloads/", "/filings/notifications/",
                 f"/filings/{pk}/review/", f"/filings/{pk}/changes/", f"/filings/{pk}/changes/?against=last_year"]:
        visit(reviewer, path)
