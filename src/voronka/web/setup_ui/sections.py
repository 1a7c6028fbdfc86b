"""The settings sections: one entry per screen, served by the generic views in views.py.

A section says which model it edits, with which form, which columns its list shows and
where it sits on the settings home. Screens that need more (stage ordering, the web-form
builder, webhook URLs) add a template and an `extra_context` hook, or their own view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import User
from voronka.crm.models import CrmSettings, CustomFieldDefinition, LeadStatus, Pipeline, Source, Stage
from voronka.crm.services.dictionaries import lead_status_delete
from voronka.intake.models import IntakeSettings, SlaRule, TelephonyConnection, TrackedNumber
from voronka.mail.models import Mailbox
from voronka.web.setup_ui import forms_crm, forms_intake, forms_users, pages
from voronka.webforms.models import UtmRule, WebForm


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], Any]


def attr(name: str) -> Callable[[Any], Any]:
    """A column value read from a (dotted) attribute; `get_X_display` for choices."""
    def read(obj: Any) -> Any:
        for part in name.split("."):
            obj = getattr(obj, part, None)
            obj = obj() if callable(obj) else obj
        return obj
    return read


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    help: str
    model: type[models.Model]
    form: type
    group: str = ""
    columns: tuple[Column, ...] = ()
    queryset: Callable[[], models.QuerySet] | None = None
    singleton: bool = False  # one row (pk=1): the list URL opens the form
    hidden: bool = False  # reached from another section's page, not from the home
    deletable: bool = False
    delete: Callable[..., None] | None = None  # raises ValidationError with the refusal
    edit_template: str = "web/setup_ui/edit.html"
    row_actions: str = ""  # a template included in each list row
    extra_context: Callable[[HttpRequest, Any], dict] | None = None
    initial: Callable[[HttpRequest], dict] | None = None
    success_url: Callable[[Any], str] | None = None
    row_class: Callable[[Any], str] | None = None

    @property
    def can_delete(self) -> bool:
        return self.deletable or self.delete is not None

    def rows(self) -> models.QuerySet:
        return self.queryset() if self.queryset else self.model._default_manager.all()

    def load_singleton(self) -> models.Model:
        return self.model.load()

    def get(self, pk: int) -> models.Model:
        try:
            return self.rows().get(pk=pk)
        except self.model.DoesNotExist as exc:
            raise Http404 from exc


CHANNELS = _("Обращения и источники")
CRM = _("Лиды и сделки")
TIMING = _("Сроки и распределение")
PEOPLE = _("Сотрудники")

SECTIONS: dict[str, Section] = {s.slug: s for s in [
    Section("sources", _("Источники"), _("Откуда приходят клиенты: Авито, 2ГИС, сайт, звонок на номер. "
                                          "По источникам считаются отчёты и окупаемость рекламы."),
            Source, forms_crm.SourceForm, CHANNELS,
            (Column(_("Название"), attr("name")), Column(_("Код"), attr("code")),
             Column(_("Активен"), attr("is_active")))),
    Section("tracked-numbers", _("Номера колл-трекинга"),
            _("Телефонные номера и источник, на котором каждый напечатан: звонок на номер получает "
              "его источник и кампанию."),
            TrackedNumber, forms_crm.TrackedNumberForm, CHANNELS,
            (Column(_("Номер"), attr("number")), Column(_("Источник"), attr("source")),
             Column(_("Кампания"), attr("campaign")), Column(_("Активен"), attr("is_active"))),
            queryset=lambda: TrackedNumber.objects.select_related("source").order_by("number"),
            deletable=True),
    Section("utm-rules", _("Правила UTM"),
            _("Какой источник получает заявка с сайта по её UTM-меткам: например utm_source=yandex "
              "и utm_medium=cpc → «Яндекс.Директ»."),
            UtmRule, forms_crm.UtmRuleForm, CHANNELS,
            (Column("utm_source", attr("utm_source")), Column("utm_medium", attr("utm_medium")),
             Column("utm_campaign", attr("utm_campaign")), Column(_("Источник"), attr("source")),
             Column(_("Действует"), attr("is_active"))),
            queryset=lambda: UtmRule.objects.select_related("source"), deletable=True),
    Section("webforms", _("Веб-формы"),
            _("Формы заявок для сайта: поля, куда они попадают в лиде, и код для вставки."),
            WebForm, forms_intake.WebFormForm, CHANNELS,
            (Column(_("Название"), attr("name")), Column(_("Адрес"), lambda f: f"/forms/{f.slug}/"),
             Column(_("Источник"), attr("source")), Column(_("Принимает заявки"), attr("is_active"))),
            queryset=lambda: WebForm.objects.select_related("source")),
    Section("telephony", _("Телефония"),
            _("Подключения АТС (MANGO OFFICE, Zadarma, другие): ключи, адреса вебхуков, карта "
              "внутренних номеров и что делать со звонками."),
            TelephonyConnection, forms_intake.TelephonyForm, CHANNELS,
            (Column(_("Название"), str), Column(_("АТС"), attr("get_provider_display")),
             Column(_("Код"), attr("slug")), Column(_("Включено"), attr("is_active"))),
            queryset=lambda: TelephonyConnection.objects.order_by("slug"),
            edit_template="web/setup_ui/telephony.html", extra_context=pages.telephony_context),
    Section("mailboxes", _("Почтовые ящики"),
            _("Ящики, письма из которых становятся лидами или делами в карточке клиента."),
            Mailbox, forms_intake.MailboxForm, CHANNELS,
            (Column(_("Название"), attr("name")), Column(_("Сервер"), attr("host")),
             Column(_("Источник"), attr("source")), Column(_("Включён"), attr("is_active")),
             Column(_("Последняя ошибка"), attr("last_error"))),
            queryset=lambda: Mailbox.objects.select_related("source").order_by("name"),
            edit_template="web/setup_ui/mailbox.html"),
    Section("statuses", _("Статусы лидов"),
            _("Этапы работы с лидом. Ненужный статус лучше сделать устаревшим: он останется в "
              "истории, но выбрать его будет нельзя."),
            LeadStatus, forms_crm.LeadStatusForm, CRM,
            (Column(_("Название"), attr("name")), Column(_("Код"), attr("code")),
             Column(_("Семантика"), attr("get_semantics_display"))),
            row_actions="web/setup_ui/_status_actions.html",
            row_class=lambda s: "is-deprecated" if s.deprecated else "",
            delete=lambda obj, user: lead_status_delete(status=obj, acting_user=user)),
    Section("pipelines", _("Направления и стадии"),
            _("Воронки сделок и их стадии. Порядок стадий меняется перетаскиванием."),
            Pipeline, forms_crm.PipelineForm, CRM,
            (Column(_("Название"), attr("name")), Column(_("Код"), attr("code")),
             Column(_("По умолчанию"), attr("is_default"))),
            edit_template="web/setup_ui/pipeline.html", extra_context=pages.pipeline_context),
    Section("stages", _("Стадии"), "", Stage, forms_crm.StageForm, hidden=True,
            queryset=lambda: Stage.objects.select_related("pipeline"),
            initial=lambda request: {"pipeline": request.GET.get("pipeline")},
            extra_context=pages.stage_context,
            success_url=lambda stage: f"/settings/pipelines/{stage.pipeline_id}/",
            delete=pages.stage_delete),
    Section("custom-fields", _("Пользовательские поля"),
            _("Дополнительные поля лидов, сделок, контактов и компаний (как UF_ в Битрикс24)."),
            CustomFieldDefinition, forms_crm.CustomFieldForm, CRM,
            (Column(_("Название"), attr("label")), Column(_("Код"), attr("code")),
             Column(_("Сущность"), attr("get_entity_display")),
             Column(_("Тип"), attr("get_field_type_display")), Column(_("Обязательное"), attr("required")))),
    Section("deal-rules", _("Правила суммы сделки"),
            _("Обязательна ли сумма сделки, её минимум и что делать с нулевой суммой."),
            CrmSettings, forms_crm.CrmSettingsForm, CRM, singleton=True),
    Section("hours", _("Рабочее время"),
            _("Когда идут часы SLA и менеджеры на смене; общий срок первой реакции."),
            IntakeSettings, forms_intake.IntakeHoursForm, TIMING, singleton=True),
    Section("sla", _("Сроки реакции по источникам"),
            _("Свой срок первой реакции для лидов отдельных источников, в рабочих минутах."),
            SlaRule, forms_crm.SlaRuleForm, TIMING,
            (Column(_("Источник"), attr("source")), Column(_("Минут"), attr("first_response_minutes"))),
            queryset=lambda: SlaRule.objects.select_related("source").order_by("source__sort"),
            deletable=True),
    Section("routing", _("Распределение обращений"),
            _("Что делать с повторными обращениями и кому достаются новые."),
            IntakeSettings, forms_intake.RoutingForm, TIMING, singleton=True),
    Section("users", _("Пользователи и роли"),
            _("Сотрудники, их роли, внутренние номера и часовые пояса. Уволенного отключают, "
              "а не удаляют: его история остаётся."),
            User, forms_users.UserForm, PEOPLE,
            (Column(_("Имя"), attr("display_name")), Column(_("Логин"), attr("username")),
             Column(_("Роль"), attr("get_role_display")), Column(_("Внутр. номер"), attr("extension")),
             Column(_("Активен"), attr("is_active"))),
            queryset=lambda: User.objects.order_by("-is_active", "full_name", "username"),
            row_class=lambda u: "" if u.is_active else "is-deprecated"),
]}


def section_get(slug: str) -> Section:
    section = SECTIONS.get(slug)
    if section is None:
        raise Http404
    return section


def home_groups() -> list[tuple[str, list[Section]]]:
    groups: dict[str, list[Section]] = {}
    for section in SECTIONS.values():
        if not section.hidden:
            groups.setdefault(str(section.group), []).append(section)
    return list(groups.items())
