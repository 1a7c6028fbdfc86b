"""`users:` employees with their CRM role and internal phone number."""

from __future__ import annotations

from typing import Annotated

from django.contrib.auth.hashers import check_password
from pydantic import StringConstraints

from voronka.accounts.models import Role, User
from voronka.setup.context import SetupContext
from voronka.setup.fields import Email, Name, RoleValue, Spec, TimeZone, Username
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult
from voronka.setup.sections._common import check_unique

# Integrators hand out temporary passwords, so Django's strength validators would only get in
# the way; a minimum length still stops an empty or truncated secret.
Password = Annotated[str, StringConstraints(min_length=8, max_length=4096)]
Extension = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]


class UserSpec(Spec):
    username: Username
    full_name: Name
    role: RoleValue
    extension: Extension | None = None
    email: Email | None = None
    password: Password | None = None
    time_zone: TimeZone | None = None
    is_active: bool | None = None


def check(entries: list[Entry], ctx: SetupContext) -> None:
    check_unique(entries, lambda spec: spec.username, "username", ctx)
    # The extension links a call to an employee, so two people in one file must not share one.
    check_unique(entries, lambda spec: spec.extension, "extension", ctx)


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for path, spec in entries:
        assert isinstance(spec, UserSpec)
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        if user is None:
            user = User(username=spec.username)
        is_admin = spec.role == Role.ADMIN
        changed = ctx.assign(user, {
            "full_name": spec.full_name, "role": spec.role, "is_staff": is_admin,
            "is_superuser": is_admin, **spec.given("extension", "email", "time_zone", "is_active"),
        })
        if created:
            if spec.password is None:
                user.set_unusable_password()
            else:
                user.set_password(spec.password)
        # hashers.check_password, not user.check_password: the method re-hashes and saves the
        # user when the hasher is outdated, a write that a dry run must not make.
        elif spec.password is not None and not check_password(spec.password, user.password):
            user.set_password(spec.password)
            changed.append("password")
        if (created or changed) and not ctx.save(user, path=path):
            continue
        result.record(f"user {spec.username}", created=created, changed=changed)
    return result


SECTION = Section(key="users", schema=UserSpec, apply=apply, check=check)
