"""The header search: a dropdown while typing (`?suggest=1`), a results page otherwise."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from voronka.web.search.matching import terms_parse
from voronka.web.search.results import PER_KIND, search_all

SUGGEST_PER_KIND = 5


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    suggest = request.GET.get("suggest") == "1"
    terms = terms_parse(query)
    if terms is None and suggest:
        return HttpResponse("")  # an empty box: the dropdown hides (.search-suggest:empty)
    results = None
    if terms is not None:
        results = search_all(request.user, terms, limit=SUGGEST_PER_KIND if suggest else PER_KIND)
    template = "web/search/_suggest.html" if suggest else "web/search/results.html"
    return render(request, template, {"query": query.strip(), "terms": terms, "results": results})
