"""Parsing one raw e-mail into what the CRM needs. Pure: no database, no network."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from html.parser import HTMLParser


class ParseError(ValueError):
    """The bytes are not an e-mail we can read."""


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedEmail:
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    date: dt.datetime | None = None
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    text: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    is_auto: bool = False
    auto_reason: str = ""


class _TextExtractor(HTMLParser):
    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul",
             "ol", "blockquote", "hr"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        pass
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_MSGID = re.compile(r"<[^<>\s]+>")


def _ids(value: str) -> list[str]:
    found = _MSGID.findall(value or "")
    if not found and value and value.strip():
        found = [value.strip()]
    return found


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:
        value = None
        raw = [v for k, v in msg.raw_items() if k.lower() == name.lower()] if hasattr(
            msg, "raw_items") else []
        if raw:
            value = raw[0]
    if value is None:
        return ""
    return " ".join(str(value).split())


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except Exception:
        pass
    payload = part.get_payload(decode=True) or b""
    if not isinstance(payload, bytes):
        return str(payload)
    charset = part.get_content_charset() or "utf-8"
    for enc in (charset, "utf-8", "cp1251"):
        try:
            return payload.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", "replace")


def _address(msg: Message, name: str) -> list[tuple[str, str]]:
    value = _header(msg, name)
    if not value:
        return []
    try:
        return [(n, a) for n, a in email.utils.getaddresses([value]) if a]
    except Exception:
        return []


def _auto_reason(msg: Message, from_address: str) -> str:
    auto = _header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return "auto-submitted"
    precedence = _header(msg, "Precedence").lower()
    if precedence in ("bulk", "junk", "list"):
        return f"precedence {precedence}"
    if _header(msg, "X-Autoreply") or _header(msg, "X-Autorespond"):
        return "autoreply"
    local = from_address.split("@", 1)[0]
    if local in ("mailer-daemon", "postmaster"):
        return "bounce"
    if msg.get_content_type() == "multipart/report":
        return "report"
    return ""


def email_parse(raw: bytes) -> ParsedEmail:
    """Parse raw RFC 5322 bytes; raise ParseError for what is not a message at all."""
    if not isinstance(raw, bytes | bytearray) or not raw.strip():
        raise ParseError("empty message")
    try:
        msg = email.message_from_bytes(bytes(raw), policy=email.policy.default)
        return _parse(msg)
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(f"{type(exc).__name__}: {exc}") from exc


def _parse(msg: EmailMessage) -> ParsedEmail:
    result = ParsedEmail()
    result.subject = _header(msg, "Subject")[:1000]
    senders = _address(msg, "From")
    if senders:
        result.from_name, result.from_address = senders[0][0].strip(), senders[0][1].strip().lower()
    result.to = [a.lower() for _n, a in _address(msg, "To")]
    date_value = _header(msg, "Date")
    if date_value:
        try:
            parsed = email.utils.parsedate_to_datetime(date_value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.UTC)
            result.date = parsed
        except (TypeError, ValueError, IndexError, OverflowError):
            result.date = None
    ids = _ids(_header(msg, "Message-ID"))
    result.message_id = ids[0][:255] if ids else ""
    result.in_reply_to = _ids(_header(msg, "In-Reply-To"))
    result.references = _ids(_header(msg, "References"))
    result.auto_reason = _auto_reason(msg, result.from_address)
    result.is_auto = bool(result.auto_reason)

    plain: list[str] = []
    html: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename()
        ctype = part.get_content_type()
        if disposition == "attachment" or (filename and disposition != "inline") or (
                filename and not ctype.startswith("text/")):
            data = part.get_payload(decode=True)
            if not isinstance(data, bytes):
                data = b""
            result.attachments.append(ParsedAttachment(
                filename=_safe_filename(filename or "attachment"), content_type=ctype, data=data))
        elif ctype == "text/plain":
            plain.append(_part_text(part))
        elif ctype == "text/html":
            html.append(_part_text(part))
    if plain:
        result.text = "\n\n".join(p.strip() for p in plain if p.strip())
    elif html:
        result.text = "\n\n".join(html_to_text(h) for h in html)
    return result


def _safe_filename(name: str) -> str:
    name = re.sub(r"[\\/\x00-\x1f]", "_", str(name)).strip(" .") or "attachment"
    return name[-150:]
