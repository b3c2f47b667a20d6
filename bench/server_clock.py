"""The server time of a request in a benchmark: Django's request_started → request_finished."""

import time


class ServerClock:
    """Seconds between Django's request_started and request_finished, for the last request: wall time
    (`elapsed`) and the CPU time of the bench's process (`cpu`, `time.process_time`). The test client runs the view
    in the bench's own process, so `cpu` is the server's CPU for the request (the database's own work excluded
    when it runs in another process, as PostgreSQL does; SQLite runs in-process and is included)."""

    def __init__(self):
        from django.core.signals import request_finished, request_started

        self.started = self.elapsed = 0.0
        self.cpu_started = self.cpu = 0.0
        request_started.connect(self.start, weak=False)
        request_finished.connect(self.finish, weak=False)

    def start(self, **kwargs):
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()

    def finish(self, **kwargs):
        self.elapsed = time.perf_counter() - self.started
        self.cpu = time.process_time() - self.cpu_started
