"""The timeline partial: every kind of event, read in a bounded number of queries."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string

from voronka.crm.models import Call, EventKind, LeadStatus
from voronka.crm.services.leads import (
    comment_add,
    lead_assign,
    lead_change_status,
    lead_close_as_junk,
    lead_update,
)
from voronka.crm.timeline import event_record
from voronka.intake.models import InboundEvent
from voronka.mail.models import Attachment
from voronka.web.timeline import timeline_for


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def call_on(lead, *, missed=False, recording="", answered_by=None):
    call = Call.objects.create(
        provider="mango", external_id=f"c{Call.objects.count()}", client_number="+79001234567",
        line_number="+74951112233", talk_seconds=0 if missed else 125, is_missed=missed,
        is_finished=True, recording_url=recording, answered_by=answered_by, lead=lead)
    event_record(EventKind.CALL, lead=lead, call=call,
                 payload={"direction": "in", "client_number": call.client_number,
                          "line_number": call.line_number})
    return call


def email_on(lead, *, files=(("price.pdf", b"%PDF-1"),)):
    inbound = InboundEvent.objects.create(channel="email", provider="email",
                                          idempotency_key=f"m{InboundEvent.objects.count()}",
                                          payload={})
    stored = []
    for name, data in files:
        attachment = Attachment(event=inbound, filename=name, content_type="application/pdf",
                                size=len(data))
        attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
        stored.append(attachment)
    event = event_record(EventKind.EMAIL, lead=lead, text="Добрый день, пришлите счёт.",
                         payload={"subject": "Счёт на оплату", "from": "ivan@example.ru",
                                  "inbound_event": inbound.pk,
                                  "attachments": [{"id": a.pk, "filename": a.filename}
                                                  for a in stored]})
    return event, stored


def form_on(lead):
    return event_record(EventKind.FORM, lead=lead, payload={
        "form_name": "Заявка на ремонт",
        "fields": [{"name": "phone", "label": "Телефон", "value": "+79001234567"}],
        "utm": {"utm_source": "yandex", "utm_campaign": "remont-spb"},
        "landing_page": "https://example.ru/remont"})


def test_every_kind_is_rendered_newest_first(make_lead, manager, other_manager, head,
                                              status_in_process, junk_reason,
                                              django_assert_max_num_queries):
    lead = make_lead(acting_user=head)
    call_on(lead, recording="https://rec.example.ru/1.mp3", answered_by=manager)
    call_on(lead, missed=True)
    email_on(lead)
    form_on(lead)
    comment_add(text="Перезвонить после обеда", lead=lead, acting_user=manager)
    lead_change_status(lead=lead, status=status_in_process, acting_user=manager)
    lead_assign(lead=lead, responsible=other_manager, acting_user=head,
                reason_text="Менеджер в отпуске")
    lead_update(lead=lead, title="Ремонт кухни", acting_user=head)
    lead_close_as_junk(lead=lead, reason=junk_reason, comment="Спам", acting_user=head)

    with django_assert_max_num_queries(2):
        entries = timeline_for(lead=lead)
    html = render_to_string("web/_timeline.html", {"entries": entries})

    kinds = [e.kind for e in entries]
    assert kinds[0] == EventKind.CLOSED and kinds[-1] == EventKind.CREATED
    assert {"call", "email", "form", "comment", "status_changed", "assigned", "updated",
            "closed", "created"} <= set(kinds)
    assert '<audio controls preload="none" src="https://rec.example.ru/1.mp3"' in html
    assert "2:05" in html and "Ответил: Анна Менеджерова" in html
    assert "номер +7 900 123-45-67, линия +7 495 111-22-33" in html  # as people read numbers
    assert "Пропущенный звонок" in html and "badge--danger" in html
    assert "Счёт на оплату" in html and "ivan@example.ru" in html and "price.pdf" in html
    assert "utm_campaign" in html and "remont-spb" in html and "https://example.ru/remont" in html
    assert "Перезвонить после обеда" in html
    new, in_process = LeadStatus.objects.get(code="NEW").name, status_in_process.name
    assert f"{new} → <strong>{in_process}</strong>" in html
    assert "Борис Продажин" in html and "Менеджер в отпуске" in html
    assert "Название: <s class=\"muted\">" in html and "Ремонт кухни" in html
    assert "Причина: " + junk_reason.name in html


def test_limit_and_empty_state(make_lead):
    lead = make_lead()
    for n in range(5):
        comment_add(text=f"c{n}", lead=lead)
    assert [e.event.text for e in timeline_for(lead=lead, limit=2)] == ["c4", "c3"]
    assert "Событий пока нет" in render_to_string("web/_timeline.html", {"entries": []})


def test_attachment_is_served_only_to_who_sees_the_lead(make_lead, client_for, manager,
                                                        other_manager, head):
    lead = make_lead()
    event, (_attachment,) = email_on(lead)
    url = timeline_for(lead=lead)[0].attachment_urls[0][1]
    response = client_for(manager).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1"
    assert "attachment" in response["Content-Disposition"]
    assert client_for(head).get(url).status_code == 200
    assert client_for(other_manager).get(url).status_code == 404
    # An attachment of another e-mail cannot be fetched through this event.
    _other_event, (other,) = email_on(make_lead(responsible=other_manager))
    assert client_for(manager).get(f"/leads/attachments/{event.pk}/{other.pk}/").status_code == 404


def test_anonymous_attachment_redirects_to_login(client, make_lead):
    event, (attachment,) = email_on(make_lead())
    response = client.get(f"/leads/attachments/{event.pk}/{attachment.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_only_the_items_own_events(make_lead):
    lead, other = make_lead(), make_lead()
    comment_add(text="чужой", lead=other)
    assert "чужой" not in [e.event.text for e in timeline_for(lead=lead)]
    assert timeline_for() == []
