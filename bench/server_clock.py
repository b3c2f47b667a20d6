"""The server time of a request in a benchmark: Django's request_started → request_finished."""

import time


class ServerClock:
    """Seconds between Django's request_started and request_finished, for the last request."""

    def __init__(self):
        from django.core.signals import request_finished, request_started

        self.started = self.elapsed = self.cpu_started = self.cpu = 0.0
        request_started.connect(self.start, weak=False)
        request_finished.connect(self.finish, weak=False)

    def start(self, **kwargs):
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()

    def finish(self, **kwargs):
        self.elapsed = time.perf_counter() - self.started
        self.cpu = time.process_time() - self.cpu_started  # this process's CPU: the server's Python, not PostgreSQL
