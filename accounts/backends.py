from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """axes' lockout check, also for an authenticate() called without a request (the test client's login(), a
    script): a locked account stays locked there too. The app's login pages always pass the request, so their
    failures are counted by account and by address."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        return super().authenticate(request if request is not None else HttpRequest(), username, password, **kwargs)
