"""A filer pastes a 项目概况 longer than its limit: the browser keeps all of it, counts it, and the server says by how
much it is too long, with the text still in the box (issue 12 item 4)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from filings.models import Filing

from .helpers import shoot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_pasted_overview_over_its_limit_is_counted_kept_and_refused_in_chinese(page, demo):
    filing = Filing.objects.get(source="seed:s3-proj1")
    sign_in(page, "yq_sy")
    page.goto(page.base_url + reverse("filings:step", args=[filing.pk, "narrative"]))
    overview = page.get_by_label("项目概况")
    counter = page.locator("#id_narrative-overview + .char-count")
    expect(counter).to_have_text(f"{len(filing.project.overview)} / 3000 字")

    typed = "项目概况正文。" * 430  # 3,010 characters: a browser's maxlength would have cut the last 10 silently
    overview.fill(typed)
    expect(counter).to_have_text("3010 / 3000 字，超出 10 字")
    expect(counter).to_have_class("form-text text-end char-count text-danger")
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("最多 3000 个字，现有 3010 个字。").first).to_be_visible()
    expect(overview).to_have_value(typed)
    shoot(page, "text-limit-overview")

    overview.fill(typed[:3000])
    expect(counter).to_have_text("3000 / 3000 字")
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    assert Filing.objects.get(pk=filing.pk).project.overview == typed[:3000]
