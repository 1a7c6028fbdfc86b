"""Russian counts take the right form: 1 робот, 2 робота, 5 роботов (the catalog has all three)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize(("source", "expected"), [
    ('{% blocktranslate count n=n %}{{ n }} робот{% plural %}{{ n }} роботов{% endblocktranslate %}',
     ["1 робот", "2 робота", "5 роботов", "21 робот"]),
    ('{% blocktranslate count n=n %}{{ n }} непрочитанное{% plural %}{{ n }} непрочитанных'
     '{% endblocktranslate %}',
     ["1 непрочитанное", "2 непрочитанных", "5 непрочитанных", "21 непрочитанное"]),
    ('{% blocktranslate count n=n trimmed %}И ещё {{ n }} строка в отчёте (показаны первые).'
     '{% plural %}И ещё {{ n }} строк в отчёте (показаны первые).{% endblocktranslate %}',
     ["И ещё 1 строка", "И ещё 2 строки", "И ещё 5 строк", "И ещё 21 строка"]),
])
def test_counts_in_russian(source, expected):
    template = Template("{% load i18n %}" + source)
    with translation.override("ru"):
        got = [template.render(Context({"n": n})) for n in (1, 2, 5, 21)]
    assert [text.startswith(start) for text, start in zip(got, expected, strict=True)] == [True] * 4, got


def test_templates_use_exactly_these_strings():
    """The sources above are the templates' own, so the test follows them."""
    from pathlib import Path

    import voronka.web as web

    root = Path(web.__file__).parent / "templates" / "web"
    assert "{{ n }} робот{% plural %}{{ n }} роботов" in (root / "robots/board.html").read_text()
    assert "{{ n }} непрочитанное{% plural %}" in (root / "automation/notifications.html").read_text()
    assert "И ещё {{ n }} строка в отчёте" in (root / "imports/_job.html").read_text()
