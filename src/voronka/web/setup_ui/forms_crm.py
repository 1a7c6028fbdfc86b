"""Settings forms for the CRM dictionaries: sources, statuses, pipelines, fields, rules."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from voronka.crm.models import (
    CrmSettings,
    CustomFieldDefinition,
    LeadStatus,
    Pipeline,
    Semantics,
    Source,
    Stage,
)
from voronka.crm.normalization import phone_normalize
from voronka.intake.models import SlaRule, TrackedNumber
from voronka.web.setup_ui import rules
from voronka.web.setup_ui.fields import ColorInput, LinesField, SettingsForm
from voronka.webforms.models import UtmRule


class SourceForm(SettingsForm):
    locked_on_edit = ("code",)

    class Meta:
        model = Source
        fields = ("code", "name", "sort", "is_active")
        help_texts = {
            "code": _("Латиница заглавными, например AVITO. По коду источник ищут файл настройки, "
                      "импорт и API; после сохранения код не меняется."),
            "sort": _("Меньше — выше в списках."),
            "is_active": _("Неактивный источник не предлагается при ручном создании лида."),
        }


class TrackedNumberForm(SettingsForm):
    class Meta:
        model = TrackedNumber
        fields = ("number", "source", "campaign", "description", "is_active")
        help_texts = {
            "number": _("Номер, на который звонят клиенты, в любом формате: 8 (495) 123-45-67 "
                        "сохранится как +74951234567."),
            "source": _("Звонок на этот номер получит этот источник (если у подключения АТС "
                        "включено «указывать источник по номеру»)."),
            "campaign": _("Необязательно: рекламная кампания, для отчётов."),
            "description": _("Где номер напечатан: сайт, Авито, баннер…"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.filter(is_active=True) | Source.objects.filter(
            pk=self.instance.source_id or 0)

    def clean_number(self) -> str:
        normalized = phone_normalize(self.cleaned_data["number"])
        if normalized is None:
            raise forms.ValidationError(_("Это не номер телефона; пишите полностью, "
                                          "например +7 495 123-45-67."))
        return normalized


class LeadStatusForm(SettingsForm):
    locked_on_edit = ("code",)

    class Meta:
        model = LeadStatus
        fields = ("code", "name", "semantics", "color", "sort")
        widgets = {"color": ColorInput}
        help_texts = {
            "code": _("Латиница заглавными, например IN_PROCESS; после сохранения не меняется."),
            "semantics": _("«В работе» — лид открыт; «успех» и «провал» закрывают лид. "
                           "Отчёты считают лиды по семантике статуса."),
            "sort": _("Порядок статусов в списках: меньше — раньше."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        locked = rules.status_semantics_locked(self.instance)
        if locked:
            self.fields["semantics"].disabled = True
            self.fields["semantics"].help_text = locked


class PipelineForm(SettingsForm):
    locked_on_edit = ("code",)

    class Meta:
        model = Pipeline
        fields = ("code", "name", "sort", "is_default")
        help_texts = {
            "code": _("Латиница заглавными, например MAIN; после сохранения не меняется."),
            "is_default": _("Сюда попадают сделки, для которых направление не выбрано. "
                            "Направление по умолчанию может быть только одно."),
        }

    def clean_is_default(self) -> bool:
        value = self.cleaned_data["is_default"]
        if not value and self.instance.pk and Pipeline.objects.filter(pk=self.instance.pk,
                                                                       is_default=True).exists():
            raise forms.ValidationError(_("Это направление по умолчанию. Чтобы это изменить, "
                                          "отметьте «по умолчанию» у другого направления."))
        return value

    def _get_validation_exclusions(self) -> set[str]:
        # save() moves the default from the old pipeline first, so the one-default
        # constraint holds when the row is written; checking it before would always fail.
        return {*super()._get_validation_exclusions(), "is_default"}

    @transaction.atomic
    def save(self, commit: bool = True) -> Pipeline:
        created = self.instance.pk is None
        if self.cleaned_data["is_default"]:
            # The database allows one default pipeline: unset the old one first (as setup apply).
            Pipeline.objects.filter(is_default=True).exclude(pk=self.instance.pk).update(is_default=False)
        pipeline = super().save(commit=commit)
        if created:
            # A pipeline needs a stage of each meaning before a deal can enter or leave it.
            Stage.objects.bulk_create([
                Stage(pipeline=pipeline, code="NEW", name=str(_("Новая")), semantics=Semantics.PROCESS,
                      sort=10),
                Stage(pipeline=pipeline, code="WON", name=str(_("Сделка успешна")),
                      semantics=Semantics.SUCCESS, color="#7bd500", sort=900),
                Stage(pipeline=pipeline, code="LOSE", name=str(_("Сделка провалена")),
                      semantics=Semantics.FAILURE, color="#ff5752", sort=910),
            ])
        return pipeline


class StageForm(SettingsForm):
    locked_on_edit = ("code", "pipeline")

    class Meta:
        model = Stage
        fields = ("pipeline", "code", "name", "semantics", "color", "sort")
        widgets = {"color": ColorInput}
        help_texts = {
            "code": _("Латиница заглавными, уникален в направлении; после сохранения не меняется."),
            "semantics": _("«В работе» — сделка идёт; «успех» — выиграна; «провал» — проиграна. "
                           "В направлении нужна хотя бы одна стадия каждого вида."),
            "sort": _("Порядок колонок канбана; проще перетащить стадии на странице направления."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        locked = rules.stage_semantics_locked(self.instance)
        if locked:
            self.fields["semantics"].disabled = True
            self.fields["semantics"].help_text = locked

    def clean(self) -> dict:
        data = super().clean()
        semantics = data.get("semantics")
        if self.instance.pk and semantics and semantics != self.instance.semantics:
            missing = rules.pipeline_missing_meanings(self.instance.pipeline, without=self.instance,
                                                      replaced_by=semantics)
            if missing:
                self.add_error("semantics", _("В направлении не останется стадии вида: %(missing)s.")
                               % {"missing": ", ".join(missing)})
        return data


class CustomFieldForm(SettingsForm):
    locked_on_edit = ("entity", "code", "field_type")
    options = LinesField(label=_("варианты списка"), required=False,
                         help_text=_("Для типа «Список»: по одному варианту в строке."))

    class Meta:
        model = CustomFieldDefinition
        fields = ("entity", "code", "label", "field_type", "required", "options", "sort")
        help_texts = {
            "code": _("Вида UF_CRM_CAR_NUMBER (как в Битрикс24). Сущность, код и тип после "
                      "сохранения не меняются: по ним хранятся значения."),
            "required": _("Без значения карточку нельзя сохранить вручную (импорт и входящие "
                          "обращения не блокируются)."),
        }


class UtmRuleForm(SettingsForm):
    class Meta:
        model = UtmRule
        fields = ("utm_source", "utm_medium", "utm_campaign", "source", "sort", "is_active")
        help_texts = {
            "utm_source": _("Например yandex. Регистр и пробелы по краям не важны."),
            "source": _("Источник лида с такими метками. Правило с заполненными medium и "
                        "campaign точнее и побеждает более общее."),
        }


class CrmSettingsForm(SettingsForm):
    class Meta:
        model = CrmSettings
        fields = ("amount_required", "minimum_amount", "zero_becomes_one", "simple_mode")
        help_texts = {
            "minimum_amount": _("Сделку с меньшей суммой сохранить нельзя (0 — без ограничения)."),
        }


class SlaRuleForm(SettingsForm):
    locked_on_edit = ("source",)

    class Meta:
        model = SlaRule
        fields = ("source", "first_response_minutes")
        help_texts = {
            "source": _("Лиды этого источника получат свой срок вместо общего."),
            "first_response_minutes": _("В рабочих минутах: ночь и выходные не считаются."),
        }
