"""A form submission: validate it (nothing is written for a bad one), then store and process it.

Flow, as for every channel: the validated submission is committed as a raw InboundEvent
(channel "form", provider "webform", connection = the form's slug) under an idempotency key,
then `process_event` runs the handler (`voronka.webforms.handler`), which routes it through
`inbound_request_accept` like a call or an e-mail.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.crm.custom_fields import custom_fields_clean
from voronka.crm.models import Entity
from voronka.crm.normalization import email_normalize, phone_normalize
from voronka.intake.models import Channel, InboundEvent
from voronka.intake.services.events import inbound_event_store, process_event
from voronka.webforms.models import FieldType, FormField, WebForm
from voronka.webforms.security import text_clean
from voronka.webforms.utm import utm_from_pairs, utm_from_url

PROVIDER = "webform"
EVENT_KIND = "submission"
MAX_TEXT = 1000
MAX_TEXTAREA = 10000
MAX_URL = 2000
_ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_VISIT_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
_TRUE = {"1", "on", "true", "yes", "y", "да"}
_FALSE = {"", "0", "off", "false", "no", "n", "нет"}
_url_validator = URLValidator(schemes=["http", "https"])


class SubmissionInvalid(Exception):
    """The submission is refused; `errors` maps each bad field to a message in Russian."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(errors)


@dataclass
class CleanSubmission:
    values: dict[str, Any]  # field name -> value as typed (stripped) or bool for a checkbox
    normalized: dict[str, Any]  # the same with phones in E.164 and e-mails lower-cased
    consent: bool = False
    utm: dict[str, str] = field(default_factory=dict)
    landing_page: str = ""
    referrer: str = ""
    visit_id: str = ""
    submission_id: str = ""


def _scalar(raw: Any) -> str | bool | None:
    """A submitted value as text (JSON numbers too); None for what no field can hold."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float | Decimal):
        return str(raw)
    if isinstance(raw, str):
        return text_clean(raw).strip()
    return None


def _number(text: str) -> str | None:
    compact = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if len(compact) > 40:
        return None
    try:
        number = Decimal(compact)
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e18"):
        return None
    return compact


def _field_value(form_field: FormField, raw: Any) -> tuple[Any, Any]:
    """(value as typed, normalised value) of one field; raises ValueError with the message."""
    value = _scalar(raw)
    kind = form_field.field_type
    if value is None:
        raise ValueError(_("Неверное значение."))
    if kind == FieldType.CHECKBOX:
        if isinstance(value, bool):
            checked = value
        elif value.lower() in _TRUE:
            checked = True
        elif value.lower() in _FALSE:
            checked = False
        else:
            raise ValueError(_("Неверное значение флажка."))
        if form_field.required and not checked:
            raise ValueError(_("Отметьте этот пункт."))
        return checked, checked
    if isinstance(value, bool):
        raise ValueError(_("Неверное значение."))
    if not value:
        if form_field.required:
            raise ValueError(_("Заполните это поле."))
        return "", ""
    limit = MAX_TEXTAREA if kind == FieldType.TEXTAREA else MAX_TEXT
    if len(value) > limit:
        raise ValueError(_("Не длиннее %(n)s знаков.") % {"n": limit})
    target = form_field.target
    if kind == FieldType.PHONE or target == "phone":
        normalized = phone_normalize(value)
        if normalized is None:
            raise ValueError(_("Укажите номер телефона полностью, например +7 900 123-45-67."))
        return value, normalized
    if kind == FieldType.EMAIL or target == "email":
        normalized = email_normalize(value)
        if normalized is None:
            raise ValueError(_("Укажите адрес электронной почты, например name@example.ru."))
        return value, normalized
    if kind == FieldType.NUMBER:
        number = _number(value)
        if number is None:
            raise ValueError(_("Укажите число."))
        return number, number
    if kind == FieldType.SELECT and value not in (form_field.options or []):
        raise ValueError(_("Выберите один из вариантов."))
    return value, value


def _url(raw: Any) -> str:
    """A tracking URL if it is one (http/https, ≤ 2000 chars); anything else is dropped."""
    if not isinstance(raw, str):
        return ""
    text = text_clean(raw).strip()
    if not text or len(text) > MAX_URL:
        return ""
    try:
        _url_validator(text)
    except ValidationError:
        return ""
    return text


def _token(raw: Any, pattern: re.Pattern[str]) -> str:
    return raw.strip() if isinstance(raw, str) and pattern.match(raw.strip()) else ""


def _truthy(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    return isinstance(raw, str | int) and str(raw).strip().lower() in _TRUE


def tracking_collect(data: Mapping[str, Any], query: Mapping[str, Any]) -> tuple[dict[str, str], str, str]:
    """(utm, landing page, referrer) of a submission.

    UTM tags are taken as a set from the first place that has any: the submitted utm_* fields
    (the embed and the page copy them from the site's URL), the query string of the form's own
    URL, the landing page's query, the referrer's query. Mixing tags of two places would make a
    campaign that does not exist.
    """
    landing_page = _url(data.get("landing_page"))
    referrer = _url(data.get("referrer"))
    candidates = (
        utm_from_pairs((k, text_clean(v)) for k, v in data.items() if isinstance(v, str)),
        utm_from_pairs((k, text_clean(v)) for k, v in query.items() if isinstance(v, str)),
        utm_from_url(landing_page),
        utm_from_url(referrer),
    )
    utm = next((c for c in candidates if c), {})
    return {k: v[:255] for k, v in utm.items()}, landing_page, referrer


def submission_clean(
    form: WebForm,
    fields: list[FormField],
    data: Mapping[str, Any],
    *,
    query: Mapping[str, Any] | None = None,
    idempotency_header: str | None = None,
) -> CleanSubmission:
    """Validate a submission against its form; SubmissionInvalid names every bad field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    normalized: dict[str, Any] = {}
    for form_field in fields:
        try:
            values[form_field.name], normalized[form_field.name] = _field_value(
                form_field, data.get(form_field.name))
        except ValueError as exc:
            errors[form_field.name] = str(exc)
    consent = _truthy(data.get("consent"))
    if form.require_consent and not consent:
        errors["consent"] = _("Нужно согласие на обработку персональных данных.")
    custom = {f.maps_to: values[f.name] for f in fields
              if f.maps_to.startswith("UF_") and f.name in values and values[f.name] != ""}
    if custom:
        try:
            custom_fields_clean(entity=Entity.LEAD, values=custom, enforce_required=False)
        except ValidationError as exc:
            by_code = {f.maps_to: f.name for f in fields}
            for code, messages in exc.message_dict.items():
                errors.setdefault(by_code.get(code, code), " ".join(messages))
    submission_id = ""
    raw_id = data.get("submission_id") or idempotency_header
    if raw_id not in (None, ""):
        submission_id = _token(raw_id, _ID_RE)
        if not submission_id:
            errors["submission_id"] = _("Неверный идентификатор заявки.")
    if errors:
        raise SubmissionInvalid(errors)
    utm, landing_page, referrer = tracking_collect(data, query or {})
    return CleanSubmission(
        values=values, normalized=normalized, consent=consent, utm=utm,
        landing_page=landing_page, referrer=referrer,
        visit_id=_token(data.get("visit_id"), _VISIT_RE), submission_id=submission_id,
    )


def idempotency_key(form: WebForm, clean: CleanSubmission, now: float | None = None) -> str:
    """The client's submission id if it sent one; else the same content within the same minute."""
    if clean.submission_id:
        return f"{form.slug}:id:{clean.submission_id}"
    minute = int((now if now is not None else time.time()) // 60)
    content = json.dumps({"v": clean.normalized, "c": clean.consent}, sort_keys=True,
                         ensure_ascii=False, default=str)
    digest = hashlib.sha256(f"{form.slug}\n{content}\n{minute}".encode()).hexdigest()
    return f"{form.slug}:sha256:{digest}"


def event_payload(form: WebForm, fields: list[FormField], clean: CleanSubmission,
                  client: Mapping[str, str]) -> dict[str, Any]:
    """Everything the handler needs, so it works even if the form is edited or deleted later."""
    return {
        "form": {"slug": form.slug, "name": form.name,
                 "source": form.source.code if form.source_id else ""},
        "fields": [{"name": f.name, "label": f.label, "type": f.field_type, "target": f.target,
                    "value": clean.values.get(f.name, "")} for f in fields],
        "consent": {"given": clean.consent, "text": form.consent_text} if form.require_consent
        else None,
        "utm": clean.utm,
        "landing_page": clean.landing_page,
        "referrer": clean.referrer,
        "visit_id": clean.visit_id,
        "submission_id": clean.submission_id,
        "submitted_at": timezone.now().isoformat(),
        "client": {k: text_clean(v)[:500] for k, v in client.items() if isinstance(v, str)},
    }


@dataclass
class Accepted:
    event: InboundEvent
    duplicate: bool


def submission_accept(form: WebForm, fields: list[FormField], clean: CleanSubmission, *,
                      client: Mapping[str, str] | None = None) -> Accepted:
    """Commit the raw event (the 2xx promises it is kept), then process it.

    A repeated idempotency key finds the stored event and changes nothing. A processing
    failure leaves the event `failed` for `voronka intake retry`; the sender still gets 2xx.
    """
    event, created = inbound_event_store(
        channel=Channel.FORM, provider=PROVIDER, connection=form.slug, kind=EVENT_KIND,
        idempotency_key=idempotency_key(form, clean),
        payload=event_payload(form, fields, clean, client or {}),
    )
    if created:
        event = process_event(event)
    return Accepted(event=event, duplicate=not created)
