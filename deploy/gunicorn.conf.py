"""gunicorn, the application server (perfbudget-web.service: `gunicorn --config deploy/gunicorn.conf.py`).

Every value can be overridden from the environment file (GUNICORN_*), e.g. to listen on the server's address when
nginx runs on another machine.
"""

import multiprocessing
import os

wsgi_app = "perfbudget.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Requests only read and write the database and render pages (PDF batches and exports run in the workers), so the
# usual 2 × cores + 1 processes keep the cores busy.
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
# A single filing's PDF is the longest request (a few seconds for the longest); anything past a minute is stuck.
# nginx waits a little longer (proxy_read_timeout 75s) so that gunicorn's timeout is the one that acts.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5  # behind nginx's keepalive upstream connections
# WeasyPrint and openpyxl leave a process larger after a big document: start fresh processes now and then.
max_requests = 1000
max_requests_jitter = 100
# The heartbeat file gunicorn's master watches: on tmpfs, so a slow disk cannot make a busy worker look dead.
worker_tmp_dir = "/dev/shm"
# Only nginx on this machine may tell gunicorn the original scheme and address.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"  # the journal
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "perfbudget"
