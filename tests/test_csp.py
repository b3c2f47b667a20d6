"""The Content-Security-Policy every page is served with (Django's ContentSecurityPolicyMiddleware, SECURE_CSP):
scripts and styles only from the app's static files or carrying the request's nonce, and templates that need
nothing else (no inline handlers, no style="" attributes, no javascript: links). The browser suite proves the
pages raise no violation (tests/e2e/csp.py)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from .personas import sign_in as login

ROOT = Path(settings.BASE_DIR)
# The templates under templates/print/ are rendered only by WeasyPrint into PDFs (filings/exports/pdf.py), never
# served to a browser, so the policy does not apply to them (their <style> sets the PDF's font and page size).
PDF_ONLY = ROOT / "templates" / "print"


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def header_nonce(response) -> str:
    nonces = {value[len("'nonce-"):-1] for value in policy(response)["script-src"] if value.startswith("'nonce-")}
    assert len(nonces) == 1, policy(response)
    return nonces.pop()


class _Tags(HTMLParser):
    """Each <script>, <style> and <link rel=stylesheet> of a page: its attributes and whether it has inline text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[dict] = []
        self.nonces: list[str] = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "nonce" in attributes:
            self.nonces.append(attributes["nonce"])
        if tag in {"script", "style"} or (tag == "link" and attributes.get("rel") == "stylesheet"):
            self._open = {"tag": tag, **attributes, "text": ""}
            self.tags.append(self._open)
        if tag == "link":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        self._open = None


def tags(response) -> _Tags:
    reader = _Tags()
    reader.feed(response.content.decode())
    return reader


def executable_inline(tag: dict) -> bool:
    """An inline <style>, or an inline <script> a browser would run (data blocks such as JSON are not)."""
    if tag["tag"] == "style":
        return True
    return tag["tag"] == "script" and "src" not in tag and tag.get("type", "text/javascript") in {
        "text/javascript", "module", ""} and bool(tag["text"].strip())


def client_as(client, username):
    if username:
        login(client, username)
    return client


PAGES = {
    "login": (None, lambda demo: reverse("login")),
    "我的申报": ("cs_zyy", lambda demo: reverse("home")),
    "step": ("cs_zyy", lambda demo: reverse("filings:step", args=[demo["s0-dept"].pk, "indicators"])),
    "check": ("cs_zyy", lambda demo: reverse("filings:check", args=[demo["s0-dept"].pk])),
    "review": ("cs_wjw", lambda demo: reverse("filings:review", args=[demo["s0-dept"].pk])),
    "年度概览": ("cs_czj", lambda demo: reverse("filings:overview")),
    "admin changelist": ("admin", lambda demo: reverse("admin:filings_filing_changelist")),
    "admin filing change": ("admin", lambda demo: reverse("admin:filings_filing_change", args=[demo["s0-dept"].pk])),
    "admin user change": ("admin", lambda demo: reverse(
        "admin:auth_user_change", args=[get_user_model().objects.get(username="cs_zyy").pk])),
}


@pytest.fixture(params=PAGES, ids=list(PAGES))
def page(request, client, demo):
    username, url = PAGES[request.param]
    response = client_as(client, username).get(url(demo))
    assert response.status_code == 200, (request.param, response.status_code)
    return response


def test_every_page_is_served_with_the_policy(page):
    directives = policy(page)

    assert directives["default-src"] == ["'self'"]
    for kind in ("script-src", "style-src"):
        assert directives[kind][0] == "'self'"
        assert all(value.startswith("'nonce-") for value in directives[kind][1:]), directives[kind]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    header = page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "unsafe-hashes" not in header


def test_the_nonce_on_the_page_is_the_one_in_the_header(page):
    nonce = header_nonce(page)
    reader = tags(page)

    assert reader.nonces, "the page's scripts carry the request's nonce"
    assert set(reader.nonces) == {nonce}
    assert policy(page)["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    for tag in reader.tags:
        if executable_inline(tag):
            assert tag.get("nonce") == nonce, tag
        elif tag["tag"] == "script":  # from the app itself: a path on this site, no other host
            assert tag["src"].startswith("/") and not tag["src"].startswith("//"), tag


def test_app_pages_have_no_inline_script_or_style_at_all(client, demo):
    for name in ("login", "我的申报", "step", "check", "review", "年度概览"):
        username, url = PAGES[name]
        reader = tags(client_as(client, username).get(url(demo)))
        assert not [tag for tag in reader.tags if executable_inline(tag)], name


def test_each_response_gets_its_own_nonce(client, demo):
    first = client_as(client, "cs_zyy").get(reverse("home"))
    second = client.get(reverse("home"))

    assert header_nonce(first) != header_nonce(second)


def test_error_pages_and_fragments_carry_the_policy_too(client, demo):
    missing = client_as(client, "cs_zyy").get("/filings/999999/")
    fragment = client.get(reverse("filings:reading"), {"value_text": "≥95%"}, headers={"HX-Request": "true"})

    assert missing.status_code == 404 and "frame-ancestors 'none'" in missing.headers["Content-Security-Policy"]
    assert fragment.status_code == 200 and "<script" not in fragment.content.decode()
    assert "default-src 'self'" in fragment.headers["Content-Security-Policy"]


# --- templates and scripts need nothing the policy forbids --------------------------------------------------------

BROWSER_TEMPLATES = [path for path in sorted((ROOT / "templates").rglob("*.html")) if PDF_ONLY not in path.parents]
FORBIDDEN_IN_TEMPLATES = {
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "an inline event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
    "hx-on (htmx evaluates it as code)": re.compile(r"\shx-on", re.I),
    "a js: value (htmx evaluates it as code)": re.compile(r"hx-vals\s*=\s*['\"]\s*js:", re.I),
}


def test_the_browser_templates_are_found():
    names = {path.relative_to(ROOT / "templates").as_posix() for path in BROWSER_TEMPLATES}
    assert {"base.html", "filings/home.html", "filings/print/form.html"} <= names
    assert "print/base.html" not in names


@pytest.mark.parametrize("template", BROWSER_TEMPLATES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_no_template_needs_inline_code_or_style(template):
    text = template.read_text(encoding="utf-8")

    for what, pattern in FORBIDDEN_IN_TEMPLATES.items():
        match = pattern.search(text)
        assert not match, f"{what} in {template.name}: …{text[max(match.start() - 60, 0):match.end() + 60]}…"
    for tag in re.finditer(r"<(script|style)\b[^>]*>", text, re.I):
        assert 'nonce="{{ csp_nonce }}"' in tag.group(0), f"{tag.group(0)} in {template.name} needs the nonce"


@pytest.mark.parametrize("script", sorted((ROOT / "static").rglob("*.js")), ids=lambda path: path.name)
def test_the_apps_scripts_set_no_style_attribute_and_eval_nothing(script):
    text = script.read_text(encoding="utf-8")

    # element.style.x = … (CSSOM) is allowed; a style attribute written as text is blocked by style-src.
    assert not re.search(r"setAttribute\(\s*['\"]style['\"]", text)
    assert not re.search(r"style\s*=\s*\\?['\"]", text), "markup with a style attribute"
    assert not re.search(r"\beval\(|new Function\(|set(Timeout|Interval)\(\s*['\"]", text)
