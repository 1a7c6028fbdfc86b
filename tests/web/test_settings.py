"""Settings (/settings/): admin only, one generic form machinery, the same rules as `setup apply`."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from voronka.accounts.models import Role, User
from voronka.crm.models import (
    CrmSettings,
    CustomFieldDefinition,
    LeadStatus,
    Pipeline,
    Source,
    Stage,
)
from voronka.intake.models import IntakeSettings, SlaRule, TelephonyConnection, TrackedNumber
from voronka.mail.models import Mailbox
from voronka.web.setup_ui import urls as settings_urls
from voronka.web.setup_ui.sections import SECTIONS
from voronka.webforms.models import FormField, UtmRule, WebForm


def settings_urls_all(pk: int) -> list[str]:
    """Every settings URL, each section filled in, from the urlpatterns themselves."""
    urls = []
    for pattern in settings_urls.urlpatterns:
        route = str(pattern.pattern)
        for slug in (SECTIONS if "<slug:section>" in route else [None]):
            url = route.replace("<slug:section>", slug or "").replace("<int:pk>", str(pk))
            urls.append("/settings/" + url)
    return urls


def test_every_settings_url_is_admin_only(client_for, manager, head, source):
    urls = settings_urls_all(source.pk)
    assert len(urls) > 4 * len(SECTIONS)
    for user in (manager, head):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, url
            assert client.post(url, {"name": "x"}).status_code == 403, url
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_every_callback_is_wrapped_in_admin_required():
    from voronka.web.access import admin_required

    guard_code = admin_required(lambda request: None).__code__
    for pattern in settings_urls.urlpatterns:
        chain, view = [], pattern.callback
        while view is not None:
            chain.append(view.__code__)
            view = getattr(view, "__wrapped__", None)
        assert guard_code in chain, pattern


def test_unknown_section_is_404(client_for, admin_user):
    assert client_for(admin_user).get("/settings/nope/").status_code == 404


def test_home_lists_the_sections(client_for, admin_user):
    html = client_for(admin_user).get("/settings/").content.decode()
    for section in SECTIONS.values():
        if not section.hidden:
            assert f'href="/settings/{section.slug}/"' in html
    assert "Телефония" in html and "Импорт" in html


@pytest.mark.parametrize("slug", list(SECTIONS))
def test_each_section_list_and_form_open_in_few_queries(client_for, admin_user, slug,
                                                        django_assert_max_num_queries):
    client = client_for(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get(f"/settings/{slug}/").status_code == 200
    if not SECTIONS[slug].singleton:
        assert client.get(f"/settings/{slug}/new/").status_code == 200
        first = SECTIONS[slug].rows().first()
        if first is not None:
            assert client.get(f"/settings/{slug}/{first.pk}/").status_code == 200


# Sources and tracked numbers

def test_source_create_and_code_rules(client_for, admin_user):
    client = client_for(admin_user)
    bad = client.post("/settings/sources/new/", {"code": "bad code", "name": "Плохой", "sort": 5})
    assert bad.status_code == 400
    assert "заглавные латинские буквы" in bad.content.decode()
    good = client.post("/settings/sources/new/", {"code": "VK", "name": "ВКонтакте", "sort": 5,
                                                  "is_active": "on"})
    source = Source.objects.get(code="VK")
    assert good["Location"] == f"/settings/sources/{source.pk}/"
    # the code is the source's identity for the set-up file and the API: fixed once saved
    client.post(f"/settings/sources/{source.pk}/", {"code": "OTHER_CODE", "name": "ВК", "sort": 5})
    source.refresh_from_db()
    assert (source.code, source.name, source.is_active) == ("VK", "ВК", False)
    duplicate = client.post("/settings/sources/new/", {"code": "VK", "name": "Ещё", "sort": 1})
    assert "уже существует" in duplicate.content.decode()


def test_tracked_number_is_normalised_to_e164(client_for, admin_user, source):
    client = client_for(admin_user)
    response = client.post("/settings/tracked-numbers/new/",
                           {"number": "8 (495) 123-45-67", "source": source.pk, "campaign": "Весна",
                            "is_active": "on"})
    assert response.status_code == 302
    tracked = TrackedNumber.objects.get()
    assert (tracked.number, tracked.source, tracked.campaign) == ("+74951234567", source, "Весна")
    bad = client.post("/settings/tracked-numbers/new/", {"number": "12", "source": source.pk})
    assert "не номер телефона" in bad.content.decode()
    listing = client.get("/settings/tracked-numbers/").content.decode()
    assert "+74951234567" in listing and source.name in listing
    client.post(f"/settings/tracked-numbers/{tracked.pk}/delete/")
    assert not TrackedNumber.objects.exists()


# Lead statuses

def test_deprecate_a_status_greys_it(client_for, admin_user, status_in_process):
    client = client_for(admin_user)
    response = client.post(f"/settings/statuses/{status_in_process.pk}/deprecate/", follow=True)
    status_in_process.refresh_from_db()
    assert status_in_process.deprecated and status_in_process.name.startswith("Не использовать")
    html = response.content.decode()
    row = re.search(r'<tr class="is-deprecated">.*?</tr>', html, re.S).group(0)
    assert status_in_process.name in row and "Не использовать" in row


def test_system_status_cannot_be_deprecated_or_deleted(client_for, admin_user):
    new = LeadStatus.objects.get(code="NEW")
    client = client_for(admin_user)
    html = client.post(f"/settings/statuses/{new.pk}/deprecate/", follow=True).content.decode()
    assert "Системный статус" in html
    html = client.post(f"/settings/statuses/{new.pk}/delete/", follow=True).content.decode()
    assert "удалить нельзя" in html
    assert LeadStatus.objects.filter(pk=new.pk, deprecated=False).exists()
    # and the list offers neither action for it, only a «Системный» mark
    listing = client.get("/settings/statuses/").content.decode()
    assert f"/settings/statuses/{new.pk}/deprecate/" not in listing
    assert f"/settings/statuses/{new.pk}/delete/" not in listing and "Системный" in listing


def test_status_in_use_is_not_deleted_and_its_semantics_is_locked(client_for, admin_user, make_lead,
                                                                  status_in_process, manager):
    from voronka.crm.services.leads import lead_change_status

    lead = make_lead()
    lead_change_status(lead=lead, status=status_in_process, acting_user=manager)
    client = client_for(admin_user)
    html = client.post(f"/settings/statuses/{status_in_process.pk}/delete/", follow=True).content.decode()
    assert "нельзя удалить: в нём 1 лид" in html
    form = client.get(f"/settings/statuses/{status_in_process.pk}/").content.decode()
    assert re.search(r'<select name="semantics"[^>]*disabled', form)
    client.post(f"/settings/statuses/{status_in_process.pk}/",
                {"name": "В работе!", "semantics": "failure", "color": "#112233", "sort": 20})
    status_in_process.refresh_from_db()
    assert (status_in_process.name, status_in_process.semantics) == ("В работе!", "process")


def test_unused_status_is_deleted(client_for, admin_user):
    client = client_for(admin_user)
    client.post("/settings/statuses/new/", {"code": "CALLBACK", "name": "Перезвонить",
                                           "semantics": "process", "color": "#39a8ef", "sort": 50})
    status = LeadStatus.objects.get(code="CALLBACK")
    response = client.post(f"/settings/statuses/{status.pk}/delete/")
    assert response.status_code == 302 and not LeadStatus.objects.filter(code="CALLBACK").exists()
    assert client.get(f"/settings/statuses/{status.pk}/delete/").status_code == 405


# Pipelines and stages

def test_new_pipeline_gets_a_stage_of_each_meaning_and_can_become_default(client_for, admin_user,
                                                                           main_pipeline):
    client = client_for(admin_user)
    client.post("/settings/pipelines/new/", {"code": "REPAIR", "name": "Ремонт", "sort": 200,
                                            "is_default": "on"})
    repair = Pipeline.objects.get(code="REPAIR")
    assert sorted(repair.stages.values_list("semantics", flat=True)) == ["failure", "process", "success"]
    main_pipeline.refresh_from_db()
    assert repair.is_default and not main_pipeline.is_default
    refused = client.post(f"/settings/pipelines/{repair.pk}/", {"name": "Ремонт", "sort": 200})
    assert "направление по умолчанию" in refused.content.decode()


def test_stage_order_is_saved(client_for, admin_user, main_pipeline):
    ids = list(main_pipeline.stages.order_by("sort", "id").values_list("pk", flat=True))
    reordered = ids[1:] + ids[:1]
    client = client_for(admin_user)
    response = client.post(f"/settings/pipelines/{main_pipeline.pk}/stages/order/",
                           {"stage": reordered}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert json.loads(response["HX-Trigger"])["toast"]["text"] == "Порядок стадий сохранён."
    assert list(main_pipeline.stages.order_by("sort").values_list("pk", flat=True)) == reordered
    stale = client.post(f"/settings/pipelines/{main_pipeline.pk}/stages/order/", {"stage": ids[:2]})
    assert stale.status_code == 400 and "обновите страницу" in stale.content.decode()


def test_the_only_success_stage_is_kept(client_for, admin_user, main_pipeline):
    client = client_for(admin_user)
    won = main_pipeline.stages.get(semantics="success")
    if main_pipeline.stages.filter(semantics="success").count() == 1:
        html = client.post(f"/settings/stages/{won.pk}/delete/", follow=True).content.decode()
        assert "не останется стадии" in html and Stage.objects.filter(pk=won.pk).exists()
        refused = client.post(f"/settings/stages/{won.pk}/", {"name": won.name, "semantics": "process",
                                                             "color": won.color, "sort": won.sort})
        assert "не останется стадии вида" in refused.content.decode()
    added = client.post(f"/settings/stages/new/?pipeline={main_pipeline.pk}",
                        {"pipeline": main_pipeline.pk, "code": "MEASURE", "name": "Замер",
                         "semantics": "process", "color": "#39a8ef", "sort": 15})
    assert added["Location"] == f"/settings/pipelines/{main_pipeline.pk}/"
    stage = Stage.objects.get(code="MEASURE")
    client.post(f"/settings/stages/{stage.pk}/delete/")
    assert not Stage.objects.filter(pk=stage.pk).exists()


# Custom fields, UTM rules, deal rules, SLA, routing

def test_custom_field_list_needs_options(client_for, admin_user):
    client = client_for(admin_user)
    data = {"entity": "lead", "code": "UF_CRM_CAR", "label": "Машина", "field_type": "list", "sort": 10}
    refused = client.post("/settings/custom-fields/new/", data)
    assert "непустые варианты" in refused.content.decode()
    client.post("/settings/custom-fields/new/", {**data, "options": "Седан\n\nКроссовер\n"})
    assert CustomFieldDefinition.objects.get(code="UF_CRM_CAR").options == ["Седан", "Кроссовер"]


def test_utm_rule_is_normalised_and_unique(client_for, admin_user, source):
    client = client_for(admin_user)
    data = {"utm_source": " VK-Ads ", "utm_medium": "CPM", "source": source.pk, "sort": 100,
            "is_active": "on"}
    client.post("/settings/utm-rules/new/", data)
    rule = UtmRule.objects.get(utm_source="vk-ads")
    assert (rule.utm_medium, rule.source) == ("cpm", source)
    again = client.post("/settings/utm-rules/new/", data)
    assert again.status_code == 400 and UtmRule.objects.filter(utm_source="vk-ads").count() == 1


def test_deal_rules_singleton(client_for, admin_user):
    client = client_for(admin_user)
    refused = client.post("/settings/deal-rules/", {"minimum_amount": "-5"})
    assert refused.status_code == 400
    client.post("/settings/deal-rules/", {"amount_required": "on", "minimum_amount": "1000"})
    rules = CrmSettings.load()
    assert (rules.amount_required, rules.minimum_amount, rules.zero_becomes_one) == (True, 1000, False)
    assert client.get("/settings/deal-rules/new/")["Location"] == "/settings/deal-rules/"


def test_working_hours(client_for, admin_user):
    client = client_for(admin_user)
    data = {"time_zone": "Asia/Yekaterinburg", "working_days": ["6", "1", "2"], "work_start": "18:00",
            "work_end": "09:00", "first_response_minutes": 30}
    refused = client.post("/settings/hours/", data)
    assert "позже начала" in refused.content.decode()
    client.post("/settings/hours/", {**data, "work_start": "08:30", "work_end": "17:00"})
    hours = IntakeSettings.load()
    assert (hours.time_zone, hours.working_days, str(hours.work_start), hours.first_response_minutes) == (
        "Asia/Yekaterinburg", [1, 2, 6], "08:30:00", 30)


def test_sla_rule_and_routing(client_for, admin_user, source, manager):
    client = client_for(admin_user)
    client.post("/settings/sla/new/", {"source": source.pk, "first_response_minutes": 5})
    assert SlaRule.objects.get(source=source).first_response_minutes == 5
    assert client.post("/settings/sla/new/", {"source": source.pk, "first_response_minutes": 0}
                       ).status_code == 400
    client.post("/settings/routing/", {"round_robin": "on", "default_responsible": manager.pk})
    routing = IntakeSettings.load()
    assert routing.round_robin and not routing.activity_on_open_lead
    assert routing.default_responsible == manager


# Users

def test_user_create_validates_the_password(client_for, admin_user):
    client = client_for(admin_user)
    data = {"username": "olga", "full_name": "Ольга Новикова", "email": "olga@example.ru",
            "role": "manager", "extension": "105", "time_zone": "Europe/Samara",
            "absent_until": "2026-08-01T09:00", "password1": "123", "password2": "123"}
    refused = client.post("/settings/users/new/", data)
    assert refused.status_code == 400 and "слишком короткий" in refused.content.decode().lower()
    strong = {"password1": "Voronka-pass-77", "password2": "Voronka-pass-77"}
    client.post("/settings/users/new/", {**data, **strong})
    olga = User.objects.get(username="olga")
    assert (olga.role, olga.extension, olga.time_zone, olga.is_staff) == ("manager", "105", "Europe/Samara",
                                                                         False)
    assert olga.absent_until is not None and olga.check_password("Voronka-pass-77")
    clash = client.post("/settings/users/new/", {**data, "username": "ivan", "password1": "Voronka-pass-77",
                                                 "password2": "Voronka-pass-77"})
    assert "Этот внутренний номер уже у сотрудника «Ольга Новикова»" in clash.content.decode()


def test_user_deactivate_instead_of_delete(client_for, admin_user, manager):
    client = client_for(admin_user)
    data = {"full_name": manager.full_name, "email": "", "role": "manager", "extension": "",
            "time_zone": "Europe/Moscow"}  # is_active left unticked
    client.post(f"/settings/users/{manager.pk}/", data)
    manager.refresh_from_db()
    assert not manager.is_active and User.objects.filter(pk=manager.pk).exists()
    assert client.post(f"/settings/users/{manager.pk}/delete/").status_code == 405
    myself = client.post(f"/settings/users/{admin_user.pk}/", {**data, "full_name": "Админ",
                                                               "role": "manager"})
    html = myself.content.decode()
    assert "Нельзя отключить самого себя" in html and "Нельзя снять роль администратора" in html
    promoted = client.post(f"/settings/users/{manager.pk}/", {**data, "role": "admin", "is_active": "on"})
    assert promoted.status_code == 302
    manager.refresh_from_db()
    assert manager.role == Role.ADMIN and manager.is_superuser and manager.is_active


# Telephony, mailboxes

def test_telephony_keys_are_required_and_masked(client_for, admin_user, make_user):
    make_user("ivan", full_name="Иван Звонков", extension="101")
    client = client_for(admin_user)
    data = {"provider": "mango", "slug": "main", "name": "Офис", "create_leads": "on",
            "only_unknown_numbers": "on", "set_source": "on", "is_active": "on"}
    refused = client.post("/settings/telephony/new/", data)
    assert refused.status_code == 400 and "Обязательно для этой АТС" in refused.content.decode()
    client.post("/settings/telephony/new/", {**data, "api_key": "vpbx-key-1234567890abcd",
                                             "salt": "salt-secret-0987654321"})
    connection = TelephonyConnection.objects.get(slug="main")
    page = client.get(f"/settings/telephony/{connection.pk}/").content.decode()
    assert "vpbx-key-1234567890abcd" not in page and "salt-secret-0987654321" not in page
    assert "••••abcd" in page
    assert "http://testserver/integrations/mango/main" in page
    assert "Иван Звонков" in page and ">101<" in page
    # saving with the key fields empty keeps the stored keys; the flags change
    client.post(f"/settings/telephony/{connection.pk}/", {"name": "Офис", "is_active": "on"})
    connection.refresh_from_db()
    assert connection.api_key == "vpbx-key-1234567890abcd" and connection.salt == "salt-secret-0987654321"
    assert (connection.create_leads, connection.only_unknown_numbers, connection.provider) == (
        False, False, "mango")


def test_zadarma_webhook_url(client_for, admin_user):
    TelephonyConnection.objects.create(provider="zadarma", slug="zd", secret="s" * 20)
    connection = TelephonyConnection.objects.get(slug="zd")
    page = client_for(admin_user).get(f"/settings/telephony/{connection.pk}/").content.decode()
    assert "http://testserver/integrations/zadarma/zd/" in page


def test_mailbox_rules_and_password_kept(client_for, admin_user, source):
    client = client_for(admin_user)
    data = {"name": "Заявки", "source": source.pk, "imap_enabled": "on", "port": 993, "ssl": "on",
            "folder": "INBOX", "is_active": "on"}
    refused = client.post("/settings/mailboxes/new/", data)
    assert "Укажите IMAP-сервер" in refused.content.decode()
    client.post("/settings/mailboxes/new/", {**data, "host": "imap.yandex.ru", "username": "zayavki@okna.ru",
                                             "password": "app-password-123"})
    mailbox = Mailbox.objects.get()
    page = client.get(f"/settings/mailboxes/{mailbox.pk}/").content.decode()
    assert "app-password-123" not in page and "Проверить подключение" in page
    client.post(f"/settings/mailboxes/{mailbox.pk}/", {**data, "host": "imap.mail.ru",
                                                       "username": "zayavki@okna.ru"})
    mailbox.refresh_from_db()
    assert (mailbox.host, mailbox.password) == ("imap.mail.ru", "app-password-123")


def test_mailbox_check_reports_the_failure(client_for, admin_user, source):
    mailbox = Mailbox.objects.create(name="Почта", source=source, host="127.0.0.1", port=1, ssl=False,
                                     username="u", password="p")
    html = client_for(admin_user).post(f"/settings/mailboxes/{mailbox.pk}/check/", follow=True
                                       ).content.decode()
    assert "Не удалось подключиться" in html


# The web-form builder

def builder_data(form: WebForm, rows: list[dict], **extra) -> dict:
    data = {"name": form.name, "is_active": "on", "success_message": "Спасибо!",
            "allowed_origins": "https://Okna-Plus.ru/\n", "require_consent": "on",
            "consent_text": "Согласен", "min_fill_seconds": 3,
            "fields-TOTAL_FORMS": len(rows), "fields-INITIAL_FORMS": form.fields.count(),
            "fields-MIN_NUM_FORMS": 0, "fields-MAX_NUM_FORMS": 1000, **extra}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"fields-{index}-{key}"] = value
    return data


def test_web_form_builder(client_for, admin_user, source):
    client = client_for(admin_user)
    created = client.post("/settings/webforms/new/", {"slug": "zamer", "name": "Заявка на замер",
                                                      "source": source.pk, "is_active": "on",
                                                      "success_message": "Спасибо!",
                                                      "require_consent": "on", "consent_text": "Да",
                                                      "min_fill_seconds": 3})
    form = WebForm.objects.get(slug="zamer")
    assert created["Location"] == f"/settings/webforms/{form.pk}/"
    rows = [{"sort": 10, "name": "fio", "label": "Ваше имя", "field_type": "text", "required": "on",
             "maps_to": "name"},
            {"sort": 20, "name": "tel", "label": "Телефон", "field_type": "phone", "required": "on",
             "maps_to": ""},
            {"sort": 30, "name": "kind", "label": "Что нужно", "field_type": "select",
             "options": "Окна\nДвери", "maps_to": "comments"}]
    duplicate = [*rows, {"sort": 40, "name": "fio2", "label": "Имя ещё раз", "field_type": "text",
                         "maps_to": "name"}]
    refused = client.post(f"/settings/webforms/{form.pk}/", builder_data(form, duplicate))
    assert refused.status_code == 400 and "уже заполняет поле «Ваше имя»" in refused.content.decode()
    assert not form.fields.exists()
    response = client.post(f"/settings/webforms/{form.pk}/", builder_data(form, rows))
    assert response.status_code == 302
    fields = list(form.fields.order_by("sort").values_list("name", "required", "maps_to", "options"))
    assert fields == [("fio", True, "name", []), ("tel", True, "", []),
                      ("kind", False, "comments", ["Окна", "Двери"])]
    form.refresh_from_db()
    assert form.allowed_origins == ["https://okna-plus.ru"]
    page = client.get(f"/settings/webforms/{form.pk}/").content.decode()
    assert "http://testserver/forms/zamer/" in page
    assert "&lt;script src=&quot;http://testserver/forms/zamer/embed.js&quot; async&gt;" in page
    # delete a field through the formset
    existing = list(form.fields.order_by("sort"))
    rows = [{"id": f.pk, "sort": f.sort, "name": f.name, "label": f.label, "field_type": f.field_type,
             "maps_to": f.maps_to, "options": "\n".join(f.options)} for f in existing]
    rows[2]["DELETE"] = "on"
    client.post(f"/settings/webforms/{form.pk}/", builder_data(form, rows))
    assert sorted(FormField.objects.filter(form=form).values_list("name", flat=True)) == ["fio", "tel"]
