"""The nginx site lets through every request body the app accepts, and passes the client's address."""

import re
from pathlib import Path

from django.conf import settings

NGINX_SITE = Path(settings.BASE_DIR) / "deploy" / "nginx-perfbudget.conf"


def test_nginx_takes_a_little_more_than_the_apps_body_limits():
    text = NGINX_SITE.read_text(encoding="utf-8")
    megabytes = int(re.search(r"^\s*client_max_body_size (\d+)m;", text, re.M).group(1))
    largest = max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.UPLOAD_MAX_REQUEST_BYTES)
    assert largest < megabytes * 1024 * 1024 <= largest + 4 * 1024 * 1024


def test_nginx_passes_the_client_address_the_lockout_counts():
    text = NGINX_SITE.read_text(encoding="utf-8")
    assert re.search(r"proxy_set_header X-Real-IP \$remote_addr;", text)
