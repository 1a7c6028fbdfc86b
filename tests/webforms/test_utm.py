"""UTM rules: the pure matcher against a brute-force reference, the DB wrapper, the defaults."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voronka.crm.models import Source
from voronka.webforms.models import UtmRule
from voronka.webforms.utm import source_for_utm, source_for_utm_db, utm_from_url


@dataclass
class Rule:
    pk: int
    utm_source: str
    utm_medium: str
    utm_campaign: str
    sort: int
    source: str


TAGS = ["yandex", "YANDEX", " Yandex ", "google", "cpc", "CPC", "organic", "avito", "brand", "", "ß", "ss"]
tag = st.sampled_from(TAGS) | st.text(max_size=5)


def reference(utm, rules):
    """Brute force: try the patterns from the most specific down; first exact hit by sort, id."""
    if not isinstance(utm, dict):
        return None

    def norm(value):
        return value.strip().casefold() if isinstance(value, str) else ""

    source, medium, campaign = (norm(utm.get(k)) for k in ("utm_source", "utm_medium", "utm_campaign"))
    if not source:
        return None
    for pattern in ((source, medium, campaign), (source, "", campaign), (source, medium, ""),
                    (source, "", "")):
        hits = [r for r in rules
                if (norm(r.utm_source), norm(r.utm_medium), norm(r.utm_campaign)) == pattern]
        if hits:
            return min(hits, key=lambda r: (r.sort, r.pk)).source
    return None


rules_strategy = st.lists(
    st.builds(Rule, pk=st.integers(1, 10**6), utm_source=tag, utm_medium=tag, utm_campaign=tag,
              sort=st.integers(0, 5), source=st.sampled_from(["A", "B", "C", "D"])),
    max_size=12, unique_by=lambda r: r.pk)
utm_strategy = st.dictionaries(
    st.sampled_from(["utm_source", "utm_medium", "utm_campaign", "utm_term", "x"]),
    tag | st.none() | st.integers() | st.lists(st.text(max_size=2), max_size=2), max_size=5)


@given(utm=utm_strategy | st.none() | st.text(max_size=5), rules=rules_strategy)
def test_matcher_equals_brute_force_reference(utm, rules):
    assert source_for_utm(utm, rules) == reference(utm, rules)


def test_most_specific_rule_wins_then_sort():
    rules = [Rule(1, "yandex", "", "", 0, "ANY"), Rule(2, "yandex", "cpc", "", 50, "CPC"),
             Rule(3, "yandex", "cpc", "brand", 99, "BRAND"), Rule(4, "yandex", "", "brand", 10, "CAMP"),
             Rule(5, "yandex", "cpc", "", 10, "CPC-FIRST")]
    assert source_for_utm({"utm_source": "Yandex", "utm_medium": "CPC"}, rules) == "CPC-FIRST"
    assert source_for_utm({"utm_source": "yandex", "utm_medium": "cpc", "utm_campaign": "brand"},
                          rules) == "BRAND"
    assert source_for_utm({"utm_source": "yandex", "utm_campaign": "brand"}, rules) == "CAMP"
    assert source_for_utm({"utm_source": "yandex", "utm_medium": "banner"}, rules) == "ANY"
    assert source_for_utm({"utm_medium": "cpc"}, rules) is None
    assert source_for_utm({"utm_source": "google"}, rules) is None


@pytest.mark.django_db
@pytest.mark.parametrize(("utm", "code"), [
    ({"utm_source": "yandex", "utm_medium": "cpc"}, "YANDEX_DIRECT"),
    ({"utm_source": "YANDEX", "utm_medium": "CPC", "utm_campaign": "x"}, "YANDEX_DIRECT"),
    ({"utm_source": "yandex", "utm_medium": "organic"}, "SEO"),
    ({"utm_source": "google", "utm_medium": "cpc"}, "ADVERTISING"),
    ({"utm_source": "avito", "utm_medium": "anything"}, "AVITO"),
    ({"utm_source": "2gis"}, "2GIS"),
    ({"utm_source": "vk", "utm_medium": "social"}, "SOCIAL"),
    ({"utm_source": "yandex", "utm_medium": "banner"}, None),
    ({}, None),
])
def test_default_rules_from_the_data_migration(utm, code):
    source = source_for_utm_db(utm)
    assert (source.code if source else None) == code


@pytest.mark.django_db
def test_rules_are_stored_normalised_and_inactive_ones_ignored():
    rule = UtmRule.objects.create(utm_source=" Telegram ", utm_medium="Post",
                                  source=Source.objects.get(code="SOCIAL"))
    assert (rule.utm_source, rule.utm_medium) == ("telegram", "post")
    assert source_for_utm_db({"utm_source": "TELEGRAM", "utm_medium": "post"}).code == "SOCIAL"
    rule.is_active = False
    rule.save()
    assert source_for_utm_db({"utm_source": "telegram", "utm_medium": "post"}) is None


@given(st.text(max_size=60) | st.none() | st.integers())
def test_utm_from_url_never_raises(url):
    assert isinstance(utm_from_url(url), dict)


def test_utm_from_url():
    assert utm_from_url("https://x.ru/?utm_source=yandex&utm_medium=cpc&gclid=1&utm_term=") == {
        "utm_source": "yandex", "utm_medium": "cpc"}
    assert utm_from_url("https://x.ru/page") == {}
