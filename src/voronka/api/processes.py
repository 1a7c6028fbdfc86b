"""POST /api/v1/processes/<name>/start (placeholder until the process lands)."""

from ninja import Router

router = Router(tags=["processes"])
