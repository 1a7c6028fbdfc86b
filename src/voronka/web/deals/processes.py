"""Starting a business process from a deal card (placeholder until the form lands)."""

from django.http import Http404, HttpRequest, HttpResponse


def process_start(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    raise Http404
