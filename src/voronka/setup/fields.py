"""Value types shared by the sections: the same rules as the models, but with paths in errors."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

# A custom error type: its message is shown as is (see messages.py).
CUSTOM = "voronka"

# PositiveIntegerField is a 4-byte integer in PostgreSQL.
MAX_SORT = 2_147_483_647


class Spec(BaseModel):
    """Base of every item schema: unknown keys are errors, because a typo must not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        # An empty value is a mistake, not "leave it alone": `color: #39a8ef` unquoted is an
        # empty value followed by a YAML comment. To leave a field alone, leave the key out.
        if value is None:
            raise _fail("is empty; write a value (quote one that starts with #) or remove the key")
        return value

    def given(self, *names: str) -> dict[str, Any]:
        """The named optional fields that the file sets; a field left out is left alone in the DB."""
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError(CUSTOM, message)


def _not_bool(value: Any) -> Any:
    # Python's bool is an int; without this, `sort: yes` would silently become 1.
    if isinstance(value, bool):
        raise _fail("must be a number, not true/false")
    return value


def _float_to_decimal(value: Any) -> Any:
    _not_bool(value)
    # YAML reads 1500.50 as a float; its shortest repr is what the person wrote ("1500.5").
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_:\-]*$")


def _code(value: str) -> str:
    if not _CODE.match(value):
        raise _fail(f"“{value}” is not a valid code: use capital Latin letters, digits, “_”, “-” and “:”, "
                    "starting with a letter or a digit (for example AVITO or 2GIS)")
    return value


_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _color(value: str) -> str:
    if not _COLOR.match(value):
        raise _fail(f"“{value}” is not a colour: use #RRGGBB, for example #39a8ef")
    return value


_username_validator = UnicodeUsernameValidator()


def _username(value: str) -> str:
    # User.clean() applies NFKC; doing it here keeps a re-applied file equal to the stored name.
    value = unicodedata.normalize("NFKC", value)
    try:
        _username_validator(value)
    except DjangoValidationError:
        raise _fail("may contain only letters, digits and @ . + - _") from None
    return value


def _email(value: str) -> str:
    if not value:
        return value
    try:
        validate_email(value)
    except DjangoValidationError:
        raise _fail(f"“{value}” is not a valid e-mail address") from None
    # The same normalisation as User.clean(), so a re-applied file compares equal to the stored value.
    from django.contrib.auth.base_user import BaseUserManager

    return BaseUserManager.normalize_email(value)


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _time_zone(value: str) -> str:
    if value not in _time_zones():
        raise _fail(f"unknown time zone “{value}”; use an IANA name such as Europe/Moscow")
    return value


def _clock(value: str) -> dt.time:
    try:
        return dt.datetime.strptime(value.strip(), "%H:%M").time()
    except (ValueError, AttributeError):
        raise _fail(f"“{value}” is not a time of day; write HH:MM, e.g. \"09:00\" (in quotes)") from None


Code = Annotated[str, StringConstraints(min_length=1, max_length=50), AfterValidator(_code)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Color = Annotated[str, AfterValidator(_color)]
Sort = Annotated[int, BeforeValidator(_not_bool), Field(ge=0, le=MAX_SORT)]
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150),
                     AfterValidator(_username)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)]
TimeZone = Annotated[str, AfterValidator(_time_zone)]
Clock = Annotated[str, AfterValidator(_clock)]  # "HH:MM" in the file, a datetime.time after checking
Money = Annotated[Decimal, BeforeValidator(_float_to_decimal),
                  Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False),
                  # 1E+2 and -0 are valid input; store them the way the column holds them.
                  AfterValidator(lambda value: abs(value).quantize(Decimal("0.01")))]
SemanticsValue = Literal["process", "success", "failure"]
RoleValue = Literal["admin", "head", "manager"]
