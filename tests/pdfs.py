"""Reading PDFs in tests with poppler (pdftotext, pdfinfo, pdffonts, pdftoppm) and the content streams."""

import re
import subprocess
import tempfile
import zlib
from pathlib import Path

from django.conf import settings

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "pdf"
WHITESPACE = re.compile(r"\s+")


def pdf_tool(*args, pdf: bytes) -> str:
    """Run a poppler tool (pdftotext, pdfinfo, pdffonts) on the PDF bytes and return its output."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        command = [*args, file.name] + (["-"] if args[0] == "pdftotext" else [])
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout


def pdf_text(pdf: bytes) -> str:
    # -raw keeps the content stream order, so the watermark does not interleave with the table text.
    return pdf_tool("pdftotext", "-raw", "-enc", "UTF-8", pdf=pdf)


FOOTER = re.compile(r"^.*第 \d+ 页 共 \d+ 页$")
WATERMARK_CHARACTERS = set("草稿审核中")


def body_text(pdf: bytes) -> str:
    """The pages' text without the running footer and the watermark, pages joined: a cell cut by a page break
    reads as one text again."""
    lines = []
    for page in pdf_text(pdf).split("\f"):
        lines += [line for line in page.splitlines() if not FOOTER.match(line) and line not in WATERMARK_CHARACTERS]
    return "\n".join(lines)


def squeezed(text: str) -> str:
    """Text without any whitespace (incl. full-width spaces): cells wrap wherever the width ends."""
    return WHITESPACE.sub("", text)


def page_count(pdf: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", pdf_tool("pdfinfo", pdf=pdf), re.M).group(1))


def missing_glyphs(pdf: bytes) -> int:
    """How many glyphs the text operators draw as “no glyph” (.notdef: id 0, or Pango's unknown-glyph 0xFFFF)."""
    missing = 0
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        for array, single in re.findall(rb"\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj", content):
            for hex_string in re.findall(rb"<([0-9a-fA-F]*)>", array) if array else [single]:
                glyphs = [hex_string[index:index + 4].lower() for index in range(0, len(hex_string), 4)]
                missing += sum(glyph in (b"0000", b"ffff") for glyph in glyphs)
    return missing


def words_outside_the_page(pdf: bytes) -> list[str]:
    """Words whose box reaches beyond the page's width or height (text that overflowed its cell and the page)."""
    html = pdf_tool("pdftotext", "-bbox", "-enc", "UTF-8", pdf=pdf)
    outside = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        width, height = float(page.group(1)), float(page.group(2))
        for x_max, y_max, word in re.findall(r'<word xMin="[\d.-]+" yMin="[\d.-]+" xMax="([\d.-]+)" '
                                             r'yMax="([\d.-]+)">(.*?)</word>', page.group(3)):
            if float(x_max) > width + 0.5 or float(y_max) > height + 0.5:
                outside.append(word)
    return outside


def write_page_images(pdf: bytes, name: str, resolution: int = 60) -> list[Path]:
    """Every page as ``artifacts/pdf/<name>-<n>.png`` (pdftoppm), for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        subprocess.run(["pdftoppm", "-r", str(resolution), "-png", file.name, str(ARTIFACTS / name)],
                       check=True, timeout=120)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))
