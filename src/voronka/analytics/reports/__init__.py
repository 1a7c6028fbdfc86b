"""Registered reports. Importing this package fills `REPORTS` (see base.py)."""

from voronka.analytics.reports import attribution, channels, funnel, leads, ltv, managers  # noqa: F401
from voronka.analytics.reports.base import REPORTS, Column, Kind, ReportResult, ReportSpec, report_run

__all__ = ["REPORTS", "Column", "Kind", "ReportResult", "ReportSpec", "report_run"]
