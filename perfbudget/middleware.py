"""Site-wide request and response rules that belong to no app."""

from django.urls import reverse
from django.utils.cache import add_never_cache_headers

TO_FIELD = "_to_field"


class EmptyAdminToFieldMiddleware:
    """Drop an empty ``_to_field`` parameter from admin requests.

    Django's admin checks ``_to_field`` only when it is not empty, then looks an empty one up as a field name: every
    change page answered 500 to ``?_to_field=`` (found by tests/test_fuzz_forms.py). An empty value asks for nothing,
    so it is removed before the admin sees it; any other value still goes through the admin's own check.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith(reverse("admin:index")):
            return None
        if request.GET.get(TO_FIELD, None) == "":
            request.GET = request.GET.copy()
            del request.GET[TO_FIELD]
        if request.method == "POST" and request.POST.get(TO_FIELD, None) == "":
            request.POST = request.POST.copy()
            del request.POST[TO_FIELD]
        return None



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
