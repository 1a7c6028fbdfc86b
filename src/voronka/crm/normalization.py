"""Normalising phones (to E.164) and e-mails (to lower case) for matching.

Both functions return None for a value that cannot be a phone or an e-mail, so callers
can store the raw value and simply not match on it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers

DEFAULT_REGION = "RU"

# "доб. 123", "ext 12", "#12", "x12" at the end of a number.
_EXTENSION_RE = re.compile(
    r"(?:\s*[,;]?\s*(?:доб(?:авочный)?\.?|вн(?:утр(?:енний)?)?\.?|ext\.?|extension|x|#)\s*(\d{1,7}))\s*$",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")


# Russian mobile-range numbers (+7 9xx xxx-xx-xx) are most of the numbers a Russian business
# sees; libphonenumber's parse, type and format cost about 0.1 ms a number, which a bulk
# import of 100,000 rows feels. For these the answer is fixed (tests/crm/test_normalization.py
# checks it against libphonenumber for any number of this shape); others go to the library.
_RU_MOBILE = re.compile(r"\+79\d{9}")
# Which of them are mobile: libphonenumber's own pattern, read from its metadata.
_RU_MOBILE_NATIONAL = re.compile(
    phonenumbers.PhoneMetadata.metadata_for_region("RU").mobile.national_number_pattern)


@dataclass(frozen=True)
class NormalizedPhone:
    e164: str
    extension: str = ""


def phone_parse(raw: object, region: str = DEFAULT_REGION) -> NormalizedPhone | None:
    """Parse a phone written any common way; None when it cannot be a phone number.

    Russian habits handled: `8 900 123-45-67`, `+7 (900) 123-45-67`, `79001234567`,
    `9001234567`, and an extension such as `доб. 123`. Integers (as some PBXs send) too.
    """
    if raw is None or isinstance(raw, bool):
        return None
    text = str(raw).strip()
    if not text or len(text) > 64:
        return None
    return _phone_parse_text(text, region)


# A burst of call events names the same few numbers (the client's, our line's) over and
# over; parsing is pure, and the libphonenumber parse is most of a normalisation's cost.
@functools.lru_cache(maxsize=4096)
def _phone_parse_text(text: str, region: str) -> NormalizedPhone | None:
    extension = ""
    match = _EXTENSION_RE.search(text)
    if match:
        extension = match.group(1)
        text = text[: match.start()]
    if text.lower().startswith("tel:"):
        text = text[4:]
    digits = re.sub(r"\D", "", text)
    has_plus = text.lstrip().startswith("+") or text.startswith("00")
    if text.startswith("00"):
        digits = digits[2:]
    if not 7 <= len(digits) <= 15:
        return None
    if not has_plus and region == "RU":
        # Russian numbers are 10 national digits, written with a leading 8 or 7 or none.
        if len(digits) == 11 and digits[0] in "78":
            digits = "7" + digits[1:]
            has_plus = True
        elif len(digits) == 10 and digits[0] in "3489":
            digits = "7" + digits
            has_plus = True
        else:
            # A local number without its city code (`123-45-67`) names no one phone in
            # Russia; guessing a prefix would match strangers in different cities.
            return None
    candidate = "+" + digits if has_plus else digits
    if has_plus and _RU_MOBILE.fullmatch(candidate):  # what libphonenumber says (tested)
        return NormalizedPhone(e164=candidate, extension=extension)
    try:
        number = phonenumbers.parse(candidate, None if has_plus else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return NormalizedPhone(e164=e164, extension=extension)


def phone_normalize(raw: object, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of a phone (without the extension), or None."""
    parsed = phone_parse(raw, region)
    return parsed.e164 if parsed else None


def phone_details(e164: str) -> tuple[str, bool]:
    """(the phone as people read it, whether it is a mobile number) for an E.164 phone."""
    if _RU_MOBILE.fullmatch(e164):
        digits = e164[2:]
        return (f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
                _RU_MOBILE_NATIONAL.fullmatch(digits) is not None)
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164, False
    return (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
            phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE)


def phone_format(e164: str) -> str:
    """A phone as people read it: `+7 900 123-45-67`."""
    return phone_details(e164)[0]


def email_normalize(raw: object) -> str | None:
    """Lower-cased e-mail address for matching, or None if it is not an address.

    Accepts `mailto:` and `Name <addr>` forms. The local part is lower-cased too: mail
    servers in practice treat it case-insensitively, and matching must not miss a client
    because they typed a capital letter.
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if "<" in text and text.endswith(">"):
        text = text[text.rfind("<") + 1 : -1].strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().lower()
    if len(text) > 254 or not _EMAIL_RE.match(text):
        return None
    local, _, domain = text.rpartition("@")
    if not local:
        return None
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    # Checked after IDNA, which reads 。 ． ｡ as dots: `mail.ru。` must not become `mail.ru.`.
    if domain.startswith(".") or domain.endswith(".") or ".." in domain:
        return None
    return f"{local}@{domain}"
