"""Printable PDF declarations: one filing rendered with WeasyPrint through the printed layouts of the check page.

Rendering never touches the network or the file system outside the app's static files: every resource goes
through ``StaticOnlyURLFetcher``.
"""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..models import Filing, FilingKind, FilingStatus
from ..models.review import Action
from ..text import strip_control_characters
from .printed import printed_context

# Noto CJK SC first; HanaMin (fonts-hanazono) draws the rare characters of CJK extensions B and later that Noto lacks.
DEFAULT_FONT_FAMILY = ["Noto Serif CJK SC", "Noto Sans CJK SC", "HanaMinA", "HanaMinB", "serif"]
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}
# The document's own address: relative and root-relative URLs in the templates resolve against it, and only
# URLs under its STATIC_URL are served (from the static files finders, never over the network).
BASE_URL = "https://perfbudget.invalid/"
STATUS_BANNERS = {
    FilingStatus.DRAFT: "草稿",
    FilingStatus.RETURNED: "草稿",
    FilingStatus.SUBMITTED: "审核中",
    FilingStatus.DEPARTMENT_APPROVED: "审核中",
}


class StaticFileRefused(ValueError):
    """A resource the PDF asked for that is not one of the app's static files."""


def static_roots() -> list[Path]:
    """The directories the static files finders serve from."""
    roots = []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location).resolve())
    return roots


class StaticOnlyURLFetcher(URLFetcher):
    """Serves the app's static files (found by django.contrib.staticfiles.finders) and refuses everything else."""

    def __init__(self):
        super().__init__(allowed_protocols=("https", "file"), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url, headers=None):
        path = self.resolve(url)
        return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": content_type(path)})

    def resolve(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme == "file" and not parts.netloc:
            path = Path(unquote(parts.path)).resolve()
            if path.is_file() and any(path.is_relative_to(root) for root in static_roots()):
                return path
            raise StaticFileRefused(f"不是静态文件：{url}")
        static_prefix = BASE_URL.rstrip("/") + static("")
        if url.startswith(static_prefix) and not parts.query:
            relative = unquote(url.removeprefix(static_prefix).split("#")[0])
            found = finders.find(relative) if relative and ".." not in relative.split("/") else None
            if found:
                return Path(found).resolve()
        raise StaticFileRefused(f"只允许引用本系统的静态文件：{url}")


def content_type(path: Path) -> str:
    return {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
            ".woff2": "font/woff2", ".otf": "font/otf", ".ttf": "font/ttf"}.get(path.suffix.lower(),
                                                                            "application/octet-stream")


def font_family_css() -> str:
    """The ``font-family`` value from PDF_FONT_FAMILY (a list of family names, or a ready CSS string)."""
    families = getattr(settings, "PDF_FONT_FAMILY", DEFAULT_FONT_FAMILY)
    if isinstance(families, str):
        families = [name.strip().strip("\"'") for name in families.split(",")]
    quoted = []
    for name in families:
        name = re.sub(r"[\"'\\;{}<>\n\r]", "", str(name)).strip()
        if name:
            quoted.append(name if name in GENERIC_FAMILIES else f'"{name}"')
    return ", ".join(quoted) or "serif"


def is_landscape(filing: Filing) -> bool:
    """Filings whose layout has both indicator sets (实施期, 年度) side by side print landscape; the rest portrait."""
    return len(filing.variant.indicator_periods()) > 1


def approval_facts(filing: Filing):
    """The last approval (who, when) of an approved filing, or None."""
    if filing.status != FilingStatus.APPROVED:
        return None
    return filing.transitions.filter(action=Action.APPROVE).select_related("actor").order_by("created_at", "pk").last()


def filing_html(filing: Filing) -> str:
    approval = approval_facts(filing)
    context = {
        "filing": filing,
        "landscape": is_landscape(filing),
        "font_family": mark_safe(font_family_css()),  # built from the setting, quotes stripped
        "banner": STATUS_BANNERS.get(filing.status, ""),
        "approved": filing.status == FilingStatus.APPROVED,
        "approval": approval,
        "approver": (approval.actor.first_name or approval.actor.username) if approval else "",
        **printed_context(filing, paginate=True),
    }
    return strip_control_characters(render_to_string("print/filing.html", context))


def render_filing_pdf(filing: Filing) -> bytes:
    """The filing's printed declaration as PDF bytes."""
    html = HTML(string=filing_html(filing), base_url=BASE_URL, url_fetcher=StaticOnlyURLFetcher())
    return html.write_pdf()


def pdf_filename(filing: Filing) -> str:
    """``<年度>-<名称>.pdf``: the project's name or the unit's name, without characters file systems dislike."""
    project = getattr(filing, "project", None) if filing.kind == FilingKind.PROJECT else None
    name = (project.name if project and project.name else "") or filing.display_unit_name
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", name).strip(" ._") or "申报表"
    return f"{filing.year}-{name[:80]}.pdf"
