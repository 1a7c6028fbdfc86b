"""The parser alone: encodings, HTML, attachments, auto-reply flags, and it never crashes."""

from __future__ import annotations

import contextlib
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voronka.mail.parsing import ParseError, email_parse, html_to_text


def _encoded(body: str, charset: str, subject: str = "Заявка") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Иван Петров <Ivan.Petrov@Example.RU>"
    msg["To"] = "sales@okna-plus.ru"
    msg["Subject"] = subject
    msg["Message-ID"] = "<m1@example.ru>"
    msg["Date"] = "Mon, 23 Nov 2026 10:00:00 +0300"
    msg.set_content(body, charset=charset, cte="8bit" if charset != "utf-8" else None)
    return msg.as_bytes()


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r", "utf-8"])
def test_cyrillic_bodies_and_headers(charset):
    parsed = email_parse(_encoded("Нужны окна в дом", charset))
    assert parsed.text.strip() == "Нужны окна в дом"
    assert parsed.subject == "Заявка"
    assert (parsed.from_name, parsed.from_address) == ("Иван Петров", "ivan.petrov@example.ru")
    assert parsed.to == ["sales@okna-plus.ru"]
    assert parsed.message_id == "<m1@example.ru>"
    assert parsed.date is not None and parsed.date.utcoffset() is not None
    assert not parsed.is_auto


def test_rfc2047_koi8_subject_and_raw_cp1251_body():
    raw = (b"Subject: =?koi8-r?B?8NLJ18XU?=\r\nFrom: =?windows-1251?B?yOLg7Q==?= <a@b.ru>\r\n"
           b"Content-Type: text/plain; charset=windows-1251\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\n") + "Привет".encode("cp1251")
    parsed = email_parse(raw)
    assert (parsed.subject, parsed.from_name, parsed.text) == ("Привет", "Иван", "Привет")


def test_html_only_body_is_converted():
    msg = EmailMessage()
    msg["From"] = "a@b.ru"
    msg.set_content("<html><head><style>p{}</style><script>alert(1)</script></head>"
                    "<body><p>Здравствуйте!</p><p>Окно &amp; дверь</p></body></html>",
                    subtype="html")
    parsed = email_parse(msg.as_bytes())
    assert parsed.text == "Здравствуйте!\n\nОкно & дверь"
    assert "alert" not in html_to_text("<script>alert(1)</script>x")


def test_attachments_and_reply_headers():
    msg = EmailMessage()
    msg["From"] = "a@b.ru"
    msg["In-Reply-To"] = "<x@crm>"
    msg["References"] = "<w@crm> <x@crm>"
    msg.set_content("см. вложение")
    msg.add_attachment(b"%PDF-1.4 data", maintype="application", subtype="pdf",
                       filename="Смета.pdf")
    parsed = email_parse(msg.as_bytes())
    assert parsed.text.strip() == "см. вложение"
    assert [(a.filename, a.content_type, a.data) for a in parsed.attachments] == [
        ("Смета.pdf", "application/pdf", b"%PDF-1.4 data")]
    assert parsed.in_reply_to == ["<x@crm>"]
    assert parsed.references == ["<w@crm>", "<x@crm>"]


@pytest.mark.parametrize("headers", [
    "Auto-Submitted: auto-replied\r\n",
    "Precedence: bulk\r\n",
    "Precedence: list\r\nList-Unsubscribe: <mailto:u@x>\r\n",
    "X-Autoreply: yes\r\n",
    "X-Autorespond: yes\r\n",
])
def test_auto_flags(headers):
    raw = f"From: a@b.ru\r\n{headers}Subject: x\r\n\r\nbody".encode()
    assert email_parse(raw).is_auto


def test_bounces_and_human_mail():
    assert email_parse(b"From: MAILER-DAEMON@mx.ru\r\n\r\nfail").is_auto
    assert email_parse(b"From: postmaster@mx.ru\r\n\r\nfail").is_auto
    report = (b"From: a@b.ru\r\nContent-Type: multipart/report; report-type=delivery-status; "
              b"boundary=X\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nfail\r\n--X--\r\n")
    assert email_parse(report).is_auto
    assert not email_parse(b"From: a@b.ru\r\nAuto-Submitted: no\r\n\r\nhi").is_auto


def _safe(raw: bytes) -> None:
    with contextlib.suppress(ParseError):
        email_parse(raw)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(raw):
    _safe(raw)


header_names = st.sampled_from(["From", "To", "Subject", "Date", "Message-ID", "In-Reply-To",
                                "References", "Content-Type", "Content-Transfer-Encoding",
                                "Content-Disposition", "Auto-Submitted", "Precedence", "X-Y"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(header_names, st.text(max_size=80)), max_size=10),
       st.binary(max_size=500))
def test_random_headers_never_crash(headers, body):
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    _safe(head.encode("utf-8", "surrogateescape") + b"\r\n" + body)
