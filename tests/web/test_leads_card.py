"""The lead card: fields, inline edit, communications, timeline, comment, status, junk, assign."""

from __future__ import annotations

import pytest

from voronka.crm.models import CustomFieldDefinition, EventKind, LeadStatus, TimelineEvent
from voronka.crm.services.dictionaries import lead_status_deprecate

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lead(make_lead):
    return make_lead(title="Ремонт квартиры", name="Иван", phones=("8 900 123-45-67",),
                     emails=("ivan@example.ru",))


def test_card_shows_fields_links_and_timeline(client_for, lead, manager,
                                              django_assert_max_num_queries):
    client = client_for(manager)
    with django_assert_max_num_queries(14):
        response = client.get(f"/leads/{lead.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ремонт квартиры" in html and 'href="tel:+79001234567"' in html
    assert 'href="mailto:ivan@example.ru"' in html
    assert 'data-kind="created"' in html and "Авито" in html


def test_other_managers_lead_is_404_for_get_and_post(client_for, lead, other_manager,
                                                     junk_reason, status_in_process):
    client = client_for(other_manager)
    base = f"/leads/{lead.pk}/"
    assert client.get(base).status_code == 404
    assert client.get(base + "field/title/", **HX).status_code == 404
    for url, data in ((base + "field/title/", {"value": "x"}), (base + "comment/", {"text": "x"}),
                      (base + "status/", {"status": status_in_process.pk}),
                      (base + "junk/", {"reason": junk_reason.pk}),
                      (base + "assign/", {"responsible": other_manager.pk})):
        assert client.post(url, data).status_code == 404, url
    lead.refresh_from_db()
    assert lead.title == "Ремонт квартиры" and lead.status.code == "NEW"
    assert not TimelineEvent.objects.filter(lead=lead, kind=EventKind.COMMENT).exists()


def test_head_sees_any_lead(client_for, lead, head):
    assert client_for(head).get(f"/leads/{lead.pk}/").status_code == 200


def test_anonymous_is_redirected(client, lead):
    response = client.get(f"/leads/{lead.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_inline_edit_with_htmx(client_for, lead, manager):
    client = client_for(manager)
    form = client.get(f"/leads/{lead.pk}/field/title/", **HX).content.decode()
    assert 'name="value"' in form and 'value="Ремонт квартиры"' in form
    saved = client.post(f"/leads/{lead.pk}/field/title/", {"value": "Ремонт кухни"}, **HX)
    assert "Ремонт кухни" in saved.content.decode() and 'name="value"' not in saved.content.decode()
    lead.refresh_from_db()
    assert lead.title == "Ремонт кухни"
    assert TimelineEvent.objects.filter(lead=lead, kind=EventKind.UPDATED).exists()
    view = client.get(f"/leads/{lead.pk}/field/title/?view=1", **HX).content.decode()
    assert "Ремонт кухни" in view and "<form" not in view


def test_inline_edit_errors_are_shown_inline_in_russian(client_for, lead, manager):
    client = client_for(manager)
    bad_amount = client.post(f"/leads/{lead.pk}/field/amount/", {"value": "-5"}, **HX)
    assert "errorlist" in bad_amount.content.decode()
    assert "больше либо равно 0" in bad_amount.content.decode()
    empty_title = client.post(f"/leads/{lead.pk}/field/title/", {"value": ""}, **HX)
    assert "Обязательное поле" in empty_title.content.decode()
    assert client.get(f"/leads/{lead.pk}/field/status/", **HX).status_code == 404


def test_inline_edit_of_a_custom_field(client_for, lead, manager):
    CustomFieldDefinition.objects.create(entity="lead", code="UF_CRM_AREA", label="Площадь, м²",
                                         field_type="number")
    client = client_for(manager)
    assert "Площадь, м²" in client.get(f"/leads/{lead.pk}/").content.decode()
    bad = client.post(f"/leads/{lead.pk}/field/cf_UF_CRM_AREA/", {"value": "много"}, **HX)
    assert "ожидается число" in bad.content.decode()
    client.post(f"/leads/{lead.pk}/field/cf_UF_CRM_AREA/", {"value": "54,5"}, **HX)
    lead.refresh_from_db()
    assert lead.custom_fields == {"UF_CRM_AREA": "54.5"}
    assert client.get(f"/leads/{lead.pk}/field/cf_UF_NOPE/", **HX).status_code == 404


def test_inline_edit_without_javascript(client_for, lead, manager):
    client = client_for(manager)
    page = client.get(f"/leads/{lead.pk}/?edit=name").content.decode()
    assert 'id="edit-name-value"' in page
    response = client.post(f"/leads/{lead.pk}/field/name/", {"value": "Пётр"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.name == "Пётр"
    bad = client.post(f"/leads/{lead.pk}/field/title/", {"value": ""})
    assert bad.status_code == 400 and "Обязательное поле" in bad.content.decode()


def test_comment_with_htmx_refreshes_the_timeline(client_for, lead, manager):
    client = client_for(manager)
    response = client.post(f"/leads/{lead.pk}/comment/", {"text": "Клиент ждёт КП"}, **HX)
    assert "Клиент ждёт КП" in response.content.decode()
    assert 'id="timeline"' in response.content.decode()
    empty = client.post(f"/leads/{lead.pk}/comment/", {"text": "  "}, **HX)
    assert "Напишите комментарий" in empty.content.decode()
    plain = client.post(f"/leads/{lead.pk}/comment/", {"text": "Без JS"})
    assert plain.status_code == 302
    assert TimelineEvent.objects.filter(lead=lead, kind=EventKind.COMMENT).count() == 2


def test_status_select_greys_out_deprecated_and_refuses_them(client_for, lead, manager,
                                                             status_in_process):
    old = LeadStatus.objects.create(code="OLD", name="Устаревший", semantics="process")
    lead_status_deprecate(status=old)
    client = client_for(manager)
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert f'<option value="{old.pk}" disabled class="deprecated">' in html
    assert "Устаревший</option>" in html
    refused = client.post(f"/leads/{lead.pk}/status/", {"status": old.pk})
    assert refused.status_code == 400 and "устарел" in refused.content.decode()
    assert client.post(f"/leads/{lead.pk}/status/",
                       {"status": status_in_process.pk}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == status_in_process


def test_close_as_junk_needs_a_reason(client_for, lead, manager, junk_reason):
    client = client_for(manager)
    refused = client.post(f"/leads/{lead.pk}/junk/", {"reason": ""})
    assert refused.status_code == 400 and "без неё лид не закрыть" in refused.content.decode()
    assert client.post(f"/leads/{lead.pk}/junk/", {"reason": junk_reason.pk,
                                                  "comment": "Ошиблись номером"}).status_code == 302
    lead.refresh_from_db()
    assert lead.status.code == "JUNK" and lead.junk_reason == junk_reason
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Ошиблись номером" in html and "Закрыть как некачественный</button>" not in html


def test_reassign_by_head_only(client_for, lead, head, manager, other_manager):
    assert client_for(manager).post(f"/leads/{lead.pk}/assign/",
                                    {"responsible": other_manager.pk}).status_code == 403
    assert "Передать лид" not in client_for(manager).get(f"/leads/{lead.pk}/").content.decode()
    response = client_for(head).post(f"/leads/{lead.pk}/assign/",
                                     {"responsible": other_manager.pk, "reason_text": "отпуск"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.responsible == other_manager
