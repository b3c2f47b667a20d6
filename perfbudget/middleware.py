"""Site-wide response rules."""

from django.utils.cache import add_never_cache_headers


class PrivateResponsesMiddleware:
    """What a signed-in user gets (pages, PDFs, workbooks, ZIPs) is theirs: no proxy or shared browser cache keeps it.

    Static files never get here: WhiteNoise answers them further out, with their own long cache lifetimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
        return response
