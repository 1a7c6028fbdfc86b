"""Checks of Russian company requisites: ИНН, КПП, ОГРН/ОГРНИП."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(value: str) -> bool:
    """True for a 10-digit (organisation) or 12-digit (person) ИНН with correct checksums."""
    if not value.isdigit() or not value.isascii():
        return False
    if len(value) == 10:
        return _check_digit(value, _INN10_WEIGHTS) == int(value[9])
    if len(value) == 12:
        return _check_digit(value, _INN12_WEIGHTS_11) == int(value[10]) and _check_digit(
            value, _INN12_WEIGHTS_12
        ) == int(value[11])
    return False


def ogrn_is_valid(value: str) -> bool:
    """ОГРН (13 digits) or ОГРНИП (15 digits) with its check digit."""
    if not value.isdigit() or not value.isascii():
        return False
    if len(value) == 13:
        return int(value[:12]) % 11 % 10 == int(value[12])
    if len(value) == 15:
        return int(value[:14]) % 13 % 10 == int(value[14])
    return False


# ASCII: in Python `\d` also matches Arabic-Indic and other Unicode digits.
_KPP_RE = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$", re.ASCII)


def validate_inn(value: str) -> None:
    if value and not inn_is_valid(value):
        raise ValidationError(
            _("ИНН должен состоять из 10 или 12 цифр с верной контрольной суммой."), code="inn"
        )


def validate_kpp(value: str) -> None:
    if value and not _KPP_RE.fullmatch(value):  # fullmatch: `$` would let "…\n" through
        raise ValidationError(_("КПП — 9 знаков: 4 цифры, 2 цифры или буквы, 3 цифры."), code="kpp")


def validate_ogrn(value: str) -> None:
    if value and not ogrn_is_valid(value):
        raise ValidationError(
            _("ОГРН — 13 цифр (ОГРНИП — 15) с верным контрольным разрядом."), code="ogrn"
        )
