"""Phones to E.164 and e-mails to lower case: the keys a client is recognised by."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from voronka.crm.normalization import (
    NormalizedPhone,
    email_normalize,
    phone_details,
    phone_format,
    phone_normalize,
    phone_parse,
)

# No example database: it would write `.hypothesis/` outside tests/.
PROPERTY = settings(database=None, deadline=None, max_examples=300)

E164 = re.compile(r"\+[0-9]+")

# A Russian national number: 10 digits, the first of them 3, 4, 8 or 9.
national_numbers = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("3489"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)
separators = st.sampled_from(["", " ", "-", "  ", " - ", "\t", "\u00a0"])


@st.composite
def written_phones(draw, national=national_numbers):
    """A national number N written the ways Russians write it, with random separators."""
    n = draw(national)
    prefix = draw(st.sampled_from(["8", "+7", "7", "", "+7 ", "8 "]))
    area, a, b, c = n[:3], n[3:6], n[6:8], n[8:]
    if draw(st.booleans()):
        area = "(" + area + ")"
    parts = [prefix, area, a, b, c]
    text = parts[0]
    for part in parts[1:]:
        text += draw(separators) + part
    padding = st.sampled_from(["", " ", "  "])
    return n, draw(padding) + text + draw(padding)


extension_marks = st.sampled_from(["доб.", "доб", "Доб. ", "добавочный", "ext", "ext.", "EXT ",
                                   "#", "x", "вн.", "внутр."])


@given(written_phones())
@PROPERTY
@example(("9001234567", "8 900 123-45-67"))
@example(("9001234567", "+7 (900) 123-45-67"))
@example(("9001234567", "79001234567"))
@example(("9001234567", "9001234567"))
@example(("4951234567", "8-495-123-45-67"))
@example(("3412345678", "+7 341 234 56 78"))
@example(("8001234567", "8 (800) 123-45-67"))
def test_any_way_of_writing_a_russian_number_normalises_to_the_same_e164(case):
    # given a national number written some way
    national, written = case
    # when / then
    assert phone_normalize(written) == "+7" + national
    assert phone_parse(written) == NormalizedPhone(e164="+7" + national, extension="")


@given(written_phones(), extension_marks, st.sampled_from(["", " ", ", ", "; ", "  "]),
       st.sampled_from(["", " "]), st.text(alphabet="0123456789", min_size=1, max_size=7))
@PROPERTY
@example(("9001234567", "8 900 123-45-67"), "доб.", " ", " ", "123")
@example(("9001234567", "+7 (900) 123-45-67"), "ext", " ", " ", "5")
@example(("9001234567", "8-900-123-45-67"), "#", "", "", "12")
def test_an_extension_is_split_off_and_returned_separately(case, mark, before, after, ext):
    national, written = case
    text = f"{written.rstrip()}{before}{mark}{after}{ext}"

    parsed = phone_parse(text)

    assert parsed == NormalizedPhone(e164="+7" + national, extension=ext)
    assert phone_normalize(text) == "+7" + national


@given(national_numbers)
@PROPERTY
def test_integers_as_some_pbxs_send_them_are_numbers_too(national):
    expected = "+7" + national
    assert phone_normalize(int("8" + national)) == expected
    assert phone_normalize(int("7" + national)) == expected
    assert phone_normalize(int(national)) == expected


@given(st.one_of(written_phones().map(lambda case: case[1]), st.text(),
                 st.text(alphabet="0123456789 +-()#.доб,ext", max_size=40)))
@PROPERTY
def test_phone_normalisation_is_idempotent(text):
    first = phone_normalize(text)
    assert phone_normalize(first) == first


@given(st.one_of(st.text(), st.text(alphabet="0123456789 +-()#.доб,extTEL:", max_size=70),
                 st.integers(), st.floats(), st.none(), st.booleans(), st.binary()))
@PROPERTY
def test_any_input_never_raises_and_gives_none_or_plus_and_ascii_digits(value):
    result = phone_normalize(value)
    assert result is None or E164.fullmatch(result), result
    parsed = phone_parse(value)
    assert parsed is None or parsed.extension == "" or parsed.extension.isdigit()


@pytest.mark.parametrize("raw", [
    "", "   ", "abc", "123", "+7", "8 900", "доб. 123", True, False, None,
    "1" * 16, "8 900 123-45-67 " + "x" * 60,
])
def test_values_that_cannot_be_phones_give_none(raw):
    assert phone_normalize(raw) is None
    assert phone_parse(raw) is None


def test_other_countries_keep_their_code():
    assert phone_normalize("+375 29 123-45-67") == "+375291234567"
    assert phone_normalize("00 49 30 1234567") == "+49301234567"
    assert phone_normalize("tel:+7-900-123-45-67") == "+79001234567"


@pytest.mark.parametrize(("e164", "expected"), [
    ("+79001234567", "+7 900 123-45-67"),
    ("+74951234567", "+7 495 123-45-67"),
    ("+78001234567", "+7 800 123-45-67"),
])
def test_phone_format_writes_a_number_as_people_read_it(e164, expected):
    assert phone_format(e164) == expected


def test_phone_format_returns_what_it_cannot_parse_unchanged():
    assert phone_format("не номер") == "не номер"


@given(written_phones())
@PROPERTY
def test_phone_format_of_a_normalised_number_normalises_back(case):
    _national, written = case
    e164 = phone_normalize(written)
    assert phone_normalize(phone_format(e164)) == e164


# --- e-mail ---------------------------------------------------------------------------

ascii_local = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._+-", min_size=1, max_size=20).filter(
    lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s)
ascii_label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
ascii_domain = st.builds(lambda labels, tld: ".".join([*labels, tld]),
                         st.lists(ascii_label, min_size=1, max_size=3),
                         st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6))
addresses = st.builds(lambda local, domain: f"{local}@{domain}", ascii_local, ascii_domain)


@given(addresses, st.data())
@PROPERTY
def test_an_address_is_lower_cased_whatever_case_it_was_typed_in(address, data):
    flags = data.draw(st.lists(st.booleans(), min_size=len(address), max_size=len(address)))
    typed = "".join(c.upper() if flag else c for c, flag in zip(address, flags, strict=True))
    assert email_normalize(typed) == address


@given(addresses, st.sampled_from(["Иван Петров", '"Petrov, Ivan"', "", "ООО «Ромашка»"]))
@PROPERTY
def test_name_angle_brackets_and_mailto_forms_give_the_bare_address(address, name):
    assert email_normalize(f"{name} <{address.upper()}>") == address
    assert email_normalize(f"mailto:{address}") == address
    assert email_normalize(f"  MAILTO:{address}  ") == address
    assert email_normalize(f"{name} <mailto:{address}>") == address


@pytest.mark.parametrize(("raw", "expected"), [
    ("Иван@Пример.РФ", "иван@xn--e1afmkfd.xn--p1ai"),
    ("info@ПОЧТА.рф", "info@xn--80a1acny.xn--p1ai"),
    ("user@bücher.de", "user@xn--bcher-kva.de"),
    ("user@xn--e1afmkfd.xn--p1ai", "user@xn--e1afmkfd.xn--p1ai"),
])
def test_international_domains_are_kept_in_their_ascii_punycode_form(raw, expected):
    assert email_normalize(raw) == expected


@pytest.mark.parametrize("raw", [
    "ivan.mail.ru",            # no @
    "ivan@@mail.ru",           # two @
    "ivan@petrov@mail.ru",     # two @
    "ivan@localhost",          # no dot in the domain
    "ivan petrov@mail.ru",     # space in the local part
    "ivan@mail .ru",           # space in the domain
    "ivan@.mail.ru",
    "ivan@mail.ru.",
    "ivan@mail..ru",
    "@mail.ru",
    "ivan@",
    "",
    "   ",
    "Иван <>",
    "a" * 250 + "@mail.ru",
    None,
    42,
    b"ivan@mail.ru",
])
def test_things_that_are_not_addresses_give_none(raw):
    assert email_normalize(raw) is None


@pytest.mark.parametrize("dot", ["\u3002", "\uff0e", "\uff61"])
def test_a_unicode_full_stop_at_the_end_of_the_domain_is_not_an_address(dot):
    # The IDNA codec reads these as dots: `mail.ru。` would become the invalid `mail.ru.`.
    assert email_normalize(f"ivan@mail.ru{dot}") is None
    assert email_normalize(f"ivan@mail{dot}{dot}ru") is None


@given(st.one_of(addresses, st.text(), st.text(alphabet="ab@.<> :\u3002\uff0eмailtoРФ", max_size=30)))
@PROPERTY
@example("ivan@mail.ru\u3002")
def test_email_normalisation_is_idempotent_and_never_raises(text):
    first = email_normalize(text)
    assert first is None or (first == first.strip() and "@" in first)
    assert email_normalize(first) == first


@given(st.one_of(st.integers(), st.floats(), st.none(), st.booleans(), st.binary(),
                 st.lists(st.text())))
@PROPERTY
def test_non_strings_are_never_addresses(value):
    assert email_normalize(value) is None


@PROPERTY
@given(st.from_regex(r"\A\+79[0-9]{9}\Z"))
def test_the_russian_mobile_fast_path_agrees_with_libphonenumber(e164):
    number = phonenumbers.parse(e164, None)
    expected = (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
                phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE)
    assert phone_details(e164) == expected


@pytest.mark.parametrize(("e164", "mobile"), [
    ("+74951234567", False),  # a Moscow landline: libphonenumber's answer
    ("+77011234567", True),  # Kazakhstan shares +7; its mobiles are not "+79"
    ("+380501234567", True),
])
def test_phone_details_outside_the_fast_path_come_from_libphonenumber(e164, mobile):
    number = phonenumbers.parse(e164, None)
    assert phone_details(e164) == (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL), mobile)


@PROPERTY
@given(st.from_regex(r"\A\+79[0-9]{9}\Z"))
def test_a_russian_mobile_range_number_normalises_as_libphonenumber_says(e164):
    number = phonenumbers.parse(e164, None)
    assert phonenumbers.is_possible_number(number)
    library = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert phone_normalize(e164) == library
    assert phone_normalize("8" + e164[2:]) == library
