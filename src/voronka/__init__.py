"""Voronka: a self-hosted CRM core for inbound requests with end-to-end analytics."""

__version__ = "0.1.0"
