"""Saved builder reports: create from the builder's choice, find the ones a user may open, delete."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from voronka.analytics.models import SavedReport
from voronka.analytics.scope import ReportFilters
from voronka.analytics.selectors import saved_reports_visible_to


def saved_report_create(*, owner, name: str, dimensions: list[str], measures: list[str],
                        filters: ReportFilters, shared_with_roles: list[str],
                        pinned_to_dashboard: bool) -> SavedReport:
    stored: dict[str, Any] = {k: v for k, v in filters.as_dict().items() if v not in ("", [], "all")}
    return SavedReport.objects.create(name=name.strip(), owner=owner, dimensions=list(dimensions),
                                      measures=list(measures), filters=stored,
                                      shared_with_roles=list(shared_with_roles),
                                      pinned_to_dashboard=pinned_to_dashboard)


def saved_reports_for(user) -> QuerySet[SavedReport]:
    return saved_reports_visible_to(user).select_related("owner").order_by("name", "id")


def saved_report_get(user, pk: int) -> SavedReport:
    """A saved report the user may open (own or shared with the role), else 404."""
    return get_object_or_404(saved_reports_for(user), pk=pk)


def saved_report_delete(user, pk: int) -> None:
    """Only the owner deletes (a shared report is someone else's): 404 otherwise."""
    get_object_or_404(SavedReport, pk=pk, owner=user).delete()
