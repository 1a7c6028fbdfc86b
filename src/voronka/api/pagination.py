"""Keyset ("cursor") pagination on (-time, -id): stable under inserts, no OFFSET scans.

The cursor is opaque to clients: base64url of the last row's time and id.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
BAD_CURSOR = "Неверный курсор: передавайте next_cursor из предыдущего ответа без изменений."


def cursor_encode(moment: dt.datetime, pk: int) -> str:
    raw = json.dumps([moment.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, pk = json.loads(raw)
        moment = dt.datetime.fromisoformat(stamp)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationError({"cursor": [BAD_CURSOR]}) from None
    if moment.tzinfo is None or not isinstance(pk, int) or isinstance(pk, bool):
        raise ValidationError({"cursor": [BAD_CURSOR]})
    return moment, pk


def keyset_page(queryset: QuerySet, *, cursor: str | None, limit: int,
                field: str = "created_at") -> tuple[list, str | None]:
    """One page, newest first, and the cursor of the next page (None on the last one)."""
    queryset = queryset.order_by(f"-{field}", "-id")
    if cursor:
        moment, pk = cursor_decode(cursor)
        queryset = queryset.filter(Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "id__lt": pk}))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, cursor_encode(getattr(last, field), last.pk)
