"""Many filings' PDFs in one ZIP file (批量下载PDF), written by a background worker (`filings.downloads`)."""

import zipfile

from .pdf import pdf_filename, render_filing_pdf


def entry_names(filings) -> list[str]:
    """One file name per filing inside the ZIP: numbered in order, so equal names never collide."""
    width = len(str(len(filings)))
    return [f"{number:0{width}d}-{filing.unit.code}-{pdf_filename(filing)}" for number, filing in
            enumerate(filings, start=1)]


def write_pdf_zip(filings, target, progress=None) -> int:
    """Render every filing into a ZIP written to the binary file `target`; `progress(done)` after each; the count."""
    filings = list(filings.select_related("unit", "variant", "scheme", "project", "department"))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, (name, filing) in enumerate(zip(entry_names(filings), filings, strict=True), start=1):
            archive.writestr(name, render_filing_pdf(filing))
            if progress is not None:
                progress(done)
    return len(filings)
