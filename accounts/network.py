"""The address a request comes from, for lockout and the login log."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the header the reverse proxy sets (PROXY_CLIENT_IP_HEADER) when the site names one.

    Trust the header only when the app servers are reachable through the proxy alone: anybody else could write it.
    """
    meta = getattr(request, "META", {})
    header = settings.PROXY_CLIENT_IP_HEADER
    candidates = []
    if header:
        # nginx appends the peer to X-Forwarded-For: the right-most entry is the one it saw.
        candidates.append(meta.get("HTTP_" + header.upper().replace("-", "_"), "").split(",")[-1].strip())
    candidates.append(meta.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None
