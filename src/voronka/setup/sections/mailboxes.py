"""`mailboxes:` IMAP mailboxes polled by `voronka mail poll`, one per source."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from voronka.crm.models import Source
from voronka.mail.models import Mailbox
from voronka.setup.context import SetupContext
from voronka.setup.fields import Code, Spec
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult
from voronka.setup.sections._common import check_sources, check_unique

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class MailboxSpec(Spec):
    name: Name
    host: Text
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    ssl: bool | None = None
    username: Text
    password: Text
    source: Code
    folder: Text | None = None
    is_active: bool | None = None


def check(entries: list[Entry], ctx: SetupContext) -> None:
    check_unique(entries, lambda spec: spec.name, "name", ctx)
    check_sources(entries, "source", ctx)


def apply(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for path, spec in entries:
        assert isinstance(spec, MailboxSpec)
        mailbox = Mailbox.objects.filter(name=spec.name).first()
        created = mailbox is None
        if mailbox is None:
            mailbox = Mailbox(name=spec.name)
        source = Source.objects.filter(code=spec.source).first()
        if source is None:  # defined by this file and not written, because this is a dry run
            result.record(f"mailbox {spec.name}", created=created, changed=["source"])
            continue
        values = {"host": spec.host, "username": spec.username, "password": spec.password,
                  "source_id": source.pk, **spec.given("folder", "is_active")}
        ssl = True if spec.ssl is None else spec.ssl
        values["ssl"] = ssl
        values["port"] = spec.port if spec.port is not None else (993 if ssl else 143)
        changed = ctx.assign(mailbox, values)
        if (created or changed) and not ctx.save(mailbox, path=path):
            continue
        result.record(f"mailbox {spec.name}", created=created, changed=changed)
    return result


SECTION = Section(key="mailboxes", schema=MailboxSpec, apply=apply, check=check)
