from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from ..access import get_filing_for_user
from ..exports.pdf import pdf_filename, render_filing_pdf


@login_required
def download(request, pk):
    """The filing's printed declaration as a PDF download, for anyone who may see the filing."""
    filing = get_filing_for_user(request, pk)
    response = HttpResponse(render_filing_pdf(filing), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, pdf_filename(filing))
    return response
