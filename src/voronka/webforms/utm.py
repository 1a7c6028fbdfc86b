"""UTM tags → advertising source, and reading UTM tags out of URLs.

`source_for_utm()` is pure (rules are any objects with the attributes of UtmRule), so it is
tested against a brute-force reference; `source_for_utm_db()` feeds it the active rules.

The most specific rule wins: a rule naming utm_campaign beats one naming only utm_medium,
which beats one naming only utm_source. Among equally specific rules the smaller `sort`
wins, then the older rule. Matching ignores case and surrounding blanks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from voronka.crm.models import UTM_FIELDS, Source
from voronka.webforms.models import utm_value_normalize


def _rule_key(rule: Any) -> tuple[int, int, int, int]:
    """Sort key: most specific first, then smaller sort, then older (smaller id)."""
    has_campaign = 1 if utm_value_normalize(rule.utm_campaign) else 0
    has_medium = 1 if utm_value_normalize(rule.utm_medium) else 0
    return (-has_campaign, -has_medium, int(rule.sort or 0), int(getattr(rule, "pk", None) or 0))


def _matches(rule: Any, source: str, medium: str, campaign: str) -> bool:
    rule_source = utm_value_normalize(rule.utm_source)
    rule_medium = utm_value_normalize(rule.utm_medium)
    rule_campaign = utm_value_normalize(rule.utm_campaign)
    return (bool(rule_source) and rule_source == source
            and (not rule_medium or rule_medium == medium)
            and (not rule_campaign or rule_campaign == campaign))


def source_for_utm(utm: Mapping[str, Any] | Any, rules: Iterable[Any]) -> Source | Any | None:
    """The source of the best rule matching `utm`, or None (no utm_source, or no rule matches)."""
    if not isinstance(utm, Mapping):
        return None
    source = utm_value_normalize(utm.get("utm_source"))
    if not source:
        return None
    medium = utm_value_normalize(utm.get("utm_medium"))
    campaign = utm_value_normalize(utm.get("utm_campaign"))
    best = None
    best_key = None
    for rule in rules:
        if not _matches(rule, source, medium, campaign):
            continue
        key = _rule_key(rule)
        if best_key is None or key < best_key:
            best, best_key = rule, key
    return best.source if best is not None else None


def source_for_utm_db(utm: Mapping[str, Any]) -> Source | None:
    """source_for_utm() over the active rules in the database."""
    source = utm_value_normalize(utm.get("utm_source")) if isinstance(utm, Mapping) else ""
    if not source:
        return None
    from voronka.webforms.models import UtmRule

    rules = UtmRule.objects.filter(is_active=True, utm_source=source).select_related("source")
    return source_for_utm(utm, rules)


def utm_from_pairs(pairs: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """The utm_* tags among (key, value) pairs: known tags only, non-empty strings only."""
    result: dict[str, str] = {}
    for key, value in pairs:
        if key in UTM_FIELDS and isinstance(value, str) and value.strip():
            result[key] = value.strip()
    return result


def utm_from_url(url: object) -> dict[str, str]:
    """UTM tags from the query string of a URL (a referrer or a landing page); {} for junk."""
    if not isinstance(url, str) or "?" not in url or len(url) > 8000:
        return {}
    try:
        query = urlsplit(url).query
        return utm_from_pairs(parse_qsl(query, keep_blank_values=False, max_num_fields=100))
    except ValueError:
        return {}
