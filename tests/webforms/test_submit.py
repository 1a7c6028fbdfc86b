"""Web forms end to end over HTTP: the page, JSON and form posts, attribution, idempotency."""

from __future__ import annotations

import re
import time

import pytest
from django.core import signing

from voronka.crm.models import Lead, TimelineEvent
from voronka.intake.models import EventState, InboundEvent
from voronka.webforms.models import FormField, WebForm
from voronka.webforms.security import TS_SALT, started_at, started_token

from .conftest import SITE, valid_data

pytestmark = pytest.mark.django_db

JSON = "application/json"


def nothing_written() -> bool:
    return not InboundEvent.objects.exists() and not Lead.objects.exists()


# --- the page ----------------------------------------------------------------------------------

def test_page_renders_labels_and_hidden_fields(client, webform):
    response = client.get("/forms/propusk/?utm_source=yandex&utm_medium=cpc",
                          headers={"Referer": "https://ya.ru/search?text=пропуск"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert '<label for="vf-name">Имя' in html and 'id="vf-name" name="name"' in html
    assert '<label for="vf-phone">Телефон' in html and 'type="tel"' in html
    assert 'type="email"' in html and "<textarea" in html and "<option value=\"МКАД\"" in html
    assert 'required aria-required="true"' in html
    assert webform.consent_text in html and 'name="consent"' in html
    assert 'name="_website"' in html and 'tabindex="-1"' in html  # the honeypot
    assert 'name="utm_source" value="yandex"' in html and 'name="utm_medium" value="cpc"' in html
    assert 'name="referrer" value="https://ya.ru/search?text=пропуск"' in html
    assert 'name="landing_page" value="http://testserver/forms/propusk/?utm_source=yandex' in html
    token = re.search(r'name="_ts" value="([^"]+)"', html).group(1)
    assert abs(started_at(token, "propusk") - time.time()) < 5
    assert "no-store" in response.headers["Cache-Control"]


def test_schema_for_api_clients(client, webform):
    response = client.get("/forms/propusk/", headers={"Accept": JSON})
    body = response.json()
    assert [f["name"] for f in body["fields"]] == ["name", "phone", "email", "car_number", "service",
                                                   "comment"]
    assert body["fields"][4]["options"] == ["МКАД", "ТТК", "СК"]
    assert started_at(body["_ts"], "propusk") is not None


def test_unknown_and_inactive_forms_are_404(client, webform, post_form):
    assert client.get("/forms/nope/").status_code == 404
    assert post_form(valid_data(), slug="nope", as_json=True).status_code == 404
    webform.is_active = False
    webform.save()
    assert client.get("/forms/propusk/").status_code == 404
    assert client.get("/forms/propusk/embed.js").status_code == 404
    response = post_form(valid_data(), as_json=True)
    assert response.status_code == 404 and response.json()["error"] == "Форма не найдена."
    assert nothing_written()


# --- a good submission -------------------------------------------------------------------------

def test_json_post_creates_lead_with_utm_rule_source(post_form, webform):
    response = post_form(valid_data(
        utm_source="Yandex", utm_medium="CPC", utm_campaign="propusk-mkad",
        landing_page="https://okna-plus.ru/propusk?utm_source=yandex",
        referrer="https://yandex.ru/search/?text=пропуск+мкад", visit_id="v-123"), as_json=True)
    assert response.status_code == 200, response.content
    assert response.json() == {"result": "ok", "message": webform.success_message, "duplicate": False}
    lead = Lead.objects.get()
    assert lead.source.code == "YANDEX_DIRECT" and lead.source.name == "Яндекс.Директ"
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == ("Yandex", "CPC", "propusk-mkad")
    assert lead.landing_page == "https://okna-plus.ru/propusk?utm_source=yandex"
    assert lead.referrer == "https://yandex.ru/search/?text=пропуск+мкад"
    assert lead.visit_id == "v-123"
    assert lead.name == "Иван"
    assert lead.custom_fields == {"UF_CRM_CAR_NUMBER": "А123ВС77"}
    assert lead.comments.startswith("Нужен годовой пропуск") and "Пропуск: МКАД" in lead.comments
    comms = {c.kind: c.normalized for c in lead.communications.all()}
    assert comms == {"PHONE": "+79001234567", "EMAIL": "ivan.petrov@mail.ru"}
    event = InboundEvent.objects.get()
    assert (event.channel, event.provider, event.connection, event.state) == (
        "form", "webform", "propusk", EventState.PROCESSED)
    assert event.lead == lead and event.outcome == "new_lead"
    form_event = TimelineEvent.objects.get(lead=lead, kind="form")
    assert form_event.payload["form"] == "propusk" and form_event.payload["utm"]["utm_source"] == "Yandex"


def test_form_post_answers_html_and_uses_form_source_without_utm(post_form, webform):
    response = post_form(valid_data())
    assert response.status_code == 200
    assert webform.success_message in response.content.decode()
    lead = Lead.objects.get()
    assert lead.source.code == "SITE"
    assert lead.utm_source == ""


def test_form_without_source_falls_back_to_crm_form(post_form, webform):
    webform.source = None
    webform.save()
    post_form(valid_data(), as_json=True)
    assert Lead.objects.get().source.code == "WEBFORM"


def test_utm_from_the_form_url_query(post_form, webform):
    post_form(valid_data(), query="utm_source=avito&utm_medium=listing")
    lead = Lead.objects.get()
    assert lead.source.code == "AVITO" and lead.utm_medium == "listing"


def test_utm_from_the_referrer_query(post_form, webform):
    post_form(valid_data(referrer="https://2gis.ru/moscow/firm/1?utm_source=2gis&utm_campaign=card"),
              as_json=True)
    lead = Lead.objects.get()
    assert lead.source.code == "2GIS" and lead.utm_campaign == "card"


def test_unmatched_utm_keeps_tags_and_form_source(post_form, webform):
    post_form(valid_data(utm_source="newsletter", utm_medium="email"), as_json=True)
    lead = Lead.objects.get()
    assert lead.source.code == "SITE" and lead.utm_source == "newsletter"


def test_junk_tracking_values_are_dropped_not_fatal(post_form, webform):
    response = post_form(valid_data(landing_page="javascript:alert(1)", referrer="x" * 3000,
                                    visit_id="<script>"), as_json=True)
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert (lead.landing_page, lead.referrer, lead.visit_id) == ("", "", "")


def test_second_submission_from_same_phone_lands_on_open_lead(post_form, webform):
    post_form(valid_data(submission_id="s-1"), as_json=True)
    response = post_form(valid_data(submission_id="s-2", phone="+7 900 123 45 67", name="Иван П.",
                                    comment="Ещё вопрос"), as_json=True)
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert TimelineEvent.objects.filter(lead=lead, kind="form").count() == 2
    assert InboundEvent.objects.filter(outcome="on_open_lead").count() == 1


# --- idempotency -------------------------------------------------------------------------------

def test_repeated_submission_id_is_acknowledged_and_changes_nothing(post_form, webform):
    first = post_form(valid_data(submission_id="0b7a5d3e-1111-4c1e-9c55-3f1f5b0f0a01"), as_json=True)
    second = post_form(valid_data(submission_id="0b7a5d3e-1111-4c1e-9c55-3f1f5b0f0a01"), as_json=True)
    assert first.status_code == second.status_code == 200
    assert second.json()["duplicate"] is True
    assert InboundEvent.objects.count() == 1 and Lead.objects.count() == 1
    assert TimelineEvent.objects.filter(kind="form").count() == 1


def test_idempotency_key_header(post_form, webform):
    for _ in range(2):
        response = post_form(valid_data(), as_json=True, headers={"Idempotency-Key": "order-42"})
    assert response.json()["duplicate"] is True and InboundEvent.objects.count() == 1


def test_same_content_in_the_same_minute_is_one_submission(post_form, webform):
    post_form(valid_data())
    # the same person, the same data, the phone written differently: a double click
    response = post_form(valid_data(phone="+79001234567"), as_json=True)
    assert response.json()["duplicate"] is True
    assert InboundEvent.objects.count() == 1


def test_bad_submission_id_is_refused(post_form, webform):
    response = post_form(valid_data(submission_id="x" * 300), as_json=True)
    assert response.status_code == 400 and "submission_id" in response.json()["errors"]
    assert nothing_written()


# --- anti-abuse --------------------------------------------------------------------------------

def test_honeypot_pretends_success_and_stores_nothing(post_form, webform):
    response = post_form(valid_data(_website="http://spam.example"), as_json=True)
    assert response.status_code == 200 and response.json()["result"] == "ok"
    html = post_form(valid_data(_website="http://spam.example"))
    assert html.status_code == 200 and webform.success_message in html.content.decode()
    assert nothing_written()


def test_too_fast_is_refused(post_form, webform):
    response = post_form(valid_data(), as_json=True, age=0.5)
    assert response.status_code == 400
    assert "слишком быстро" in response.json()["errors"]["_ts"]
    assert nothing_written()


def test_too_fast_page_post_is_shown_again_with_values(post_form, webform):
    response = post_form(valid_data(), age=0)
    html = response.content.decode()
    assert response.status_code == 400 and "слишком быстро" in html
    assert 'value="Иван"' in html and 'role="alert"' in html


@pytest.mark.parametrize("token", [
    "",
    "garbage",
    signing.dumps({"f": "propusk", "t": time.time() - 3600}, salt="another.salt"),
    signing.dumps({"f": "propusk", "t": time.time() - 3600}, salt=TS_SALT, key="not-our-secret"),
    started_token("other-form", at=time.time() - 60),
    started_token("propusk", at=time.time() - 60)[:-2] + "xx",
    started_token("propusk", at=time.time() - 10 * 24 * 3600),  # signed too long ago
], ids=["missing", "garbage", "other-salt", "other-key", "other-form", "tampered", "stale"])
def test_forged_or_stale_start_time_is_refused(post_form, webform, token):
    response = post_form(valid_data(_ts=token), as_json=True)
    assert response.status_code == 400 and "_ts" in response.json()["errors"]
    assert nothing_written()


def test_start_time_check_can_be_switched_off(post_form, webform):
    webform.min_fill_seconds = 0
    webform.save()
    assert post_form(valid_data(_ts=""), as_json=True).status_code == 200


def test_rate_limit_per_ip(post_form, webform, settings):
    settings.VORONKA_FORMS_RATE_PER_IP = 2
    codes = [post_form(valid_data(submission_id=f"s{i}"), as_json=True).status_code for i in range(3)]
    assert codes == [200, 200, 429]
    assert InboundEvent.objects.count() == 2


def test_rate_limit_per_form(post_form, webform, settings, client):
    settings.VORONKA_FORMS_RATE_PER_FORM = 1
    assert post_form(valid_data(), as_json=True).status_code == 200
    response = client.post("/forms/propusk/", data="{}", content_type=JSON, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429 and "Слишком много" in response.json()["error"]


def test_body_over_64_kb_is_413(post_form, webform):
    response = post_form(valid_data(comment="я" * 40_000), as_json=True)
    assert response.status_code == 413
    assert nothing_written()


def test_disallowed_origin_is_403_without_cors(post_form, webform):
    response = post_form(valid_data(), as_json=True, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    assert nothing_written()


def test_allowed_origin_gets_cors_headers(post_form, webform):
    response = post_form(valid_data(), headers={"Origin": SITE, "Accept": JSON})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in response.headers["Vary"]
    assert Lead.objects.count() == 1


def test_own_page_posts_from_its_own_origin(post_form, webform):
    assert post_form(valid_data(), headers={"Origin": "http://testserver"}).status_code == 200


def test_cors_preflight(client, webform):
    allowed = client.options("/forms/propusk/", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in allowed.headers["Access-Control-Allow-Headers"]
    refused = client.options("/forms/propusk/", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers


def test_missing_consent(post_form, webform):
    response = post_form(valid_data(consent=None), as_json=True)
    assert response.status_code == 400
    assert response.json()["errors"] == {"consent": "Нужно согласие на обработку персональных данных."}
    assert nothing_written()


def test_bad_fields_are_all_named(post_form, webform):
    response = post_form(valid_data(name="", email="ivan@", phone="123", service="Луна",
                                    car_number=["a"]), as_json=True)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"name", "email", "phone", "service", "car_number"}
    assert errors["name"] == "Заполните это поле."
    assert "телефон" in errors["phone"] and "почты" in errors["email"]
    assert nothing_written()


def test_bad_fields_on_the_page_are_marked(post_form, webform):
    response = post_form(valid_data(phone="12", email="nope"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true" aria-describedby="vf-phone-error"' in html
    assert 'id="vf-email-error"' in html and 'href="#vf-phone"' in html
    assert 'value="nope"' in html
    assert nothing_written()


def test_custom_field_value_is_validated(post_form, webform, car_number_field):
    car_number_field.field_type = "number"
    car_number_field.save()
    response = post_form(valid_data(car_number="А123ВС"), as_json=True)
    assert response.status_code == 400 and "car_number" in response.json()["errors"]


@pytest.mark.parametrize(("body", "content_type", "status"), [
    ("not json", JSON, 400),
    ("[1, 2]", JSON, 400),
    ('{"a": ' * 5000 + "1" + "}" * 5000, JSON, 400),
    ("name=x", "text/plain", 415),
    (b"\xff\xfe", JSON, 400),
])
def test_unreadable_bodies(client, webform, body, content_type, status):
    response = client.post("/forms/propusk/", data=body, content_type=content_type,
                           headers={"Accept": JSON})
    assert response.status_code == status
    assert nothing_written()


def test_checkbox_and_hidden_fields_go_to_the_comment(post_form, webform):
    FormField.objects.create(form=webform, name="urgent", label="Срочно", field_type="checkbox", sort=50)
    FormField.objects.create(form=webform, name="product", label="Продукт", field_type="hidden",
                             initial="пропуск", sort=60)
    post_form(valid_data(urgent="on", product="пропуск"), as_json=True)
    comments = Lead.objects.get().comments
    assert "Срочно: да" in comments and "Продукт: пропуск" in comments


def test_embed_script(client, webform):
    response = client.get("/forms/propusk/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "no-store" in response["Cache-Control"]
    script = response.content.decode()
    assert '"action": "http://testserver/forms/propusk/"' in script
    assert "data-voronka-form" in script and "document.referrer" in script
    assert "voronka_vid" in script and "submission_id" in script
    assert "{{" not in script and "{%" not in script
    token = re.search(r'"ts": "([^"]+)"', script).group(1)
    assert started_at(token, "propusk") is not None


def test_admin_shows_embed_code(client, admin_user, webform):
    client.force_login(admin_user)
    response = client.get(f"/admin/webforms/webform/{webform.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-voronka-form=&quot;propusk&quot;" in html
    assert "http://testserver/forms/propusk/embed.js" in html
    assert client.get("/admin/webforms/utmrule/").status_code == 200


def test_page_can_be_submitted_again_after_a_correction(client, post_form, webform):
    page = client.get("/forms/propusk/").content.decode()
    token = re.search(r'name="_ts" value="([^"]+)"', page).group(1)
    first = post_form(valid_data(phone="1", _ts=token), age=0)
    assert first.status_code == 400
    # the re-rendered page keeps the original start time: no second wait for a human
    assert f'name="_ts" value="{token}"' in first.content.decode()


def test_form_model_normalises_origins(webform):
    webform.allowed_origins = ["https://Okna-Plus.ru:443/", "https://okna-plus.ru"]
    webform.full_clean()
    assert webform.allowed_origins == ["https://okna-plus.ru"]
    webform.allowed_origins = ["okna-plus.ru/page"]
    with pytest.raises(Exception, match="не адрес сайта"):
        webform.full_clean()
    assert isinstance(WebForm.objects.get().allowed_origins, list)
