"""`mailboxes:` mailboxes read over IMAP (or, with `imap: false`, only by `voronka smtpd`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from voronka.crm.models import Source
from voronka.mail.models import Mailbox
from voronka.setup.context import SetupContext
from voronka.setup.fields import Code, Email, Spec
from voronka.setup.registry import Entry, Section
from voronka.setup.report import SectionResult
from voronka.setup.sections._common import check_sources, check_unique

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class MailboxSpec(Spec):
    name: Name
    # false: an SMTP-only mailbox (the company's own MX); the IMAP keys may then be left out.
    imap: bool | None = None
    host: Text | None = None
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    ssl: bool | None = None
    username: Text | None = None
    password: Text | None = None
    address: Email | None = None
    source: Code
    folder: Text | None = None
    is_active: bool | None = None


def check(entries: list[Entry], ctx: SetupContext) -> None:
    check_unique(entries, lambda spec: spec.name, "name", ctx)
    check_sources(entries, "source", ctx)
    for path, spec in entries:
        assert isinstance(spec, MailboxSpec)
        if spec.imap is False:
            if not spec.address and "@" not in (spec.username or ""):
                ctx.error(f"{path}.address", "required with imap: false: `voronka smtpd` accepts "
                                             "mail for a mailbox by its address")
            continue
        for key in ("host", "username", "password"):
            if getattr(spec, key) is None:
                ctx.error(f"{path}.{key}", "required (or set imap: false for a mailbox that only "
                                           "`voronka smtpd` receives)")


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
        # Left-out IMAP keys of an `imap: false` mailbox keep their stored values: switching
        # IMAP back on later needs no re-typing. An address left out is left alone too.
        values = {"imap_enabled": spec.imap is not False, "source_id": source.pk,
                  **spec.given("host", "username", "password", "address", "folder", "is_active")}
        ssl = True if spec.ssl is None else spec.ssl
        values["ssl"] = ssl
        values["port"] = spec.port if spec.port is not None else (993 if ssl else 143)
        changed = ctx.assign(mailbox, values)
        if (created or changed) and not ctx.save(mailbox, path=path):
            continue
        result.record(f"mailbox {spec.name}", created=created, changed=changed)
    return result


SECTION = Section(key="mailboxes", schema=MailboxSpec, apply=apply, check=check)
