"""Signals for writes that bypass Model.save() (bulk inserts, queryset updates).

Django sends post_save only from save(); the analytics rollups must still learn which days
such writes touched. A writer sends `leads_written` with the creation moments of the leads
it inserted or changed (old and new ones when it moved a lead in time).
"""

from __future__ import annotations

from django.dispatch import Signal

# kwargs: created_at: iterable of aware datetimes
leads_written = Signal()
