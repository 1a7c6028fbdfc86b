"""A fixed-window rate limit on the Django cache, for public endpoints."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.http import HttpRequest

security_log = logging.getLogger("voronka.security")


def client_ip(request: HttpRequest) -> str:
    # Behind a reverse proxy, set it to overwrite REMOTE_ADDR; X-Forwarded-For is forgeable.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(scope: str, key: str, *, limit: int, window_seconds: int = 60) -> bool:
    """True once `key` has made more than `limit` calls in the current window of `scope`."""
    bucket = f"rl:{scope}:{key}:{int(time.time() // window_seconds)}"
    if cache.add(bucket, 1, timeout=window_seconds + 1):
        return False
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window_seconds + 1)
        return False
    return count > limit


def security_warning(scope: str, key: str, message: str) -> None:
    """Log a refused request, at most a few lines a minute per scope and key (no log flooding)."""
    if not rate_limited(f"log:{scope}", key, limit=5):
        security_log.warning("%s: %s (%s)", scope, message, key)
