"""What a search box query means, and the filters that find leads, deals and clients by it.

A query is read as whatever it can be: a phone being typed (`8 (900) 123-45` → the prefix
`+7900123` of the E.164 form the communications store), an e-mail (lower case), an ИНН
(digits), or words of a name or title. Phones, e-mails and ИНН are matched on indexed
columns with a range (a prefix), never with LIKE, so they stay fast at any size.

Names: SQLite's LIKE folds case for ASCII only, so on SQLite each word is also tried in
its lower, Capitalised and UPPER forms (how names are actually written); other databases
fold case themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db import connection
from django.db.models import Q

from voronka.crm.fts import fts_q, fts_usable
from voronka.crm.models import Communication, CommunicationKind, Company, Contact

MIN_QUERY = 2
MAX_WORDS = 3
PHONE_MIN_DIGITS = 5


@dataclass(frozen=True)
class SearchTerms:
    text: str
    phone_prefix: str = ""
    email_prefix: str = ""
    inn_prefix: str = ""
    words: tuple[str, ...] = ()

    @property
    def by_communication(self) -> bool:
        return bool(self.phone_prefix or self.email_prefix)


def phone_prefix(text: str) -> str:
    """The start of an E.164 number that a phone being typed must have, or ""."""
    if not re.fullmatch(r"[\d\s()+\-.]+", text):
        return ""
    digits = re.sub(r"\D", "", text)
    if len(digits) < PHONE_MIN_DIGITS or len(digits) > 15:
        return ""
    if text.lstrip().startswith("+"):
        return "+" + digits
    if digits[0] == "8":  # the Russian trunk prefix: 8 900 … is +7 900 …
        return "+7" + digits[1:]
    if digits[0] == "7":
        return "+" + digits
    if digits[0] in "349":  # ten national digits typed without 8 or 7
        return "+7" + digits
    return ""


def terms_parse(query: str) -> SearchTerms | None:
    """None for a query too short to search by."""
    text = " ".join((query or "").split())[:100]
    if len(text) < MIN_QUERY:
        return None
    if "@" in text and " " not in text:
        return SearchTerms(text=text, email_prefix=text.lower().removeprefix("mailto:"))
    digits_only = text.isdigit()
    prefix = phone_prefix(text)
    if prefix or digits_only:
        return SearchTerms(text=text, phone_prefix=prefix,
                           inn_prefix=text if digits_only and len(text) >= 4 else "")
    return SearchTerms(text=text, words=tuple(text.split()[:MAX_WORDS]))


def prefix_range(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as an index range (LIKE 'x%' would skip the index)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def communications_matching(terms: SearchTerms):
    """The communications a phone or e-mail query points at (an unevaluated queryset)."""
    q = Q(pk__in=[])
    if terms.phone_prefix:
        q |= Q(kind=CommunicationKind.PHONE) & prefix_range("normalized", terms.phone_prefix)
    if terms.email_prefix:
        q |= Q(kind=CommunicationKind.EMAIL) & prefix_range("normalized", terms.email_prefix)
    return Communication.objects.filter(q)


def word_forms(word: str) -> set[str]:
    if connection.vendor != "sqlite" or word.isascii():  # SQLite's LIKE folds ASCII itself
        return {word}
    return {word, word.lower(), word.capitalize(), word.upper()}


def words_q(terms: SearchTerms, fields: tuple[str, ...]) -> Q:
    """Every word is found in one of the fields (in any of its forms)."""
    if not terms.words:
        return Q(pk__in=[])
    per_word = [
        reduce(or_, (Q(**{f"{name}__icontains": form}) for name in fields
                     for form in word_forms(word)))
        for word in terms.words
    ]
    return reduce(and_, per_word)


def owner_q(terms: SearchTerms, owner: str) -> Q:
    """Items (of kind `owner`: lead, contact, company) owning a matching phone or e-mail."""
    if not terms.by_communication:
        return Q(pk__in=[])
    return Q(pk__in=communications_matching(terms).filter(**{f"{owner}__isnull": False})
             .values(owner))


LEAD_TEXT = ("title", "name", "last_name", "company_title")
CONTACT_TEXT = ("last_name", "name", "second_name")
COMPANY_TEXT = ("title",)


def text_q(table: str, fields: tuple[str, ...], terms: SearchTerms) -> Q:
    """Every word in one of the text fields: through the table's trigram index on SQLite
    (voronka.crm.fts) when the words are long enough, else with (I)LIKE."""
    if fts_usable(terms.words):
        return fts_q(table, terms.words)
    return words_q(terms, fields)


def lead_words_q(terms: SearchTerms) -> Q:
    return text_q("crm_lead", LEAD_TEXT, terms)


def lead_q(terms: SearchTerms) -> Q:
    return owner_q(terms, "lead") | lead_words_q(terms)


def contact_q(terms: SearchTerms) -> Q:
    return owner_q(terms, "contact") | text_q("crm_contact", CONTACT_TEXT, terms)


def company_q(terms: SearchTerms) -> Q:
    q = owner_q(terms, "company") | text_q("crm_company", COMPANY_TEXT, terms)
    if terms.inn_prefix:
        q |= prefix_range("inn", terms.inn_prefix)
    return q


def deal_words_q(terms: SearchTerms) -> Q:
    """Every word is in the deal's title, its company's title or its contact's name.

    The client's side is asked as `contact_id IN (contacts with the word)`: a join would make
    the database test every deal against every name (a scan of all deals with their clients).
    """
    if not terms.words:
        return Q(pk__in=[])
    per_word = []
    for word in terms.words:
        one = SearchTerms(text=word, words=(word,))
        per_word.append(
            text_q("crm_deal", ("title",), one)
            | Q(contact_id__in=Contact.objects.filter(
                text_q("crm_contact", CONTACT_TEXT, one)).values("pk"))
            | Q(company_id__in=Company.objects.filter(
                text_q("crm_company", COMPANY_TEXT, one)).values("pk")))
    return reduce(and_, per_word)


def deal_q(terms: SearchTerms) -> Q:
    """A deal by its title or client's name, or by its client's phone, e-mail or ИНН."""
    q = deal_words_q(terms)
    if terms.by_communication:
        q |= Q(contact__in=communications_matching(terms).filter(contact__isnull=False)
               .values("contact"))
        q |= Q(company__in=communications_matching(terms).filter(company__isnull=False)
               .values("company"))
    if terms.inn_prefix:
        q |= prefix_range("company__inn", terms.inn_prefix)
    return q
