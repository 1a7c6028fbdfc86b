"""/reports/: the analytics pages (reports, the builder, the dashboard) over voronka.analytics."""
