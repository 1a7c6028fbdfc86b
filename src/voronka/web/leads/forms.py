"""Forms of the lead screens: inbox filters, bulk actions, the card's small forms."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import User
from voronka.crm.models import CloseReason, Entity, LeadStatus, Source
from voronka.web.leads.queries import InboxQuery


def assignable_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("last_name", "full_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def lead_junk_reasons() -> QuerySet[CloseReason]:
    return CloseReason.objects.filter(entity=Entity.LEAD, is_active=True)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Поиск"), required=False, max_length=200)
    status = forms.ModelChoiceField(LeadStatus.objects.all(), label=_("Статус"),
                                    required=False, empty_label=_("Все открытые"))
    source = forms.ModelChoiceField(Source.objects.all(), label=_("Источник"), required=False,
                                    empty_label=_("Все источники"))
    responsible = forms.CharField(label=_("Ответственный"), required=False)
    date_from = forms.DateField(label=_("Создан с"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("по"), required=False, widget=DateInput())
    repeat = forms.ChoiceField(label=_("Новый или повторный"), required=False, choices=[
        ("", _("Все")), ("new", _("Новые клиенты")), ("repeat", _("Повторные"))])
    overdue = forms.BooleanField(label=_("Только просроченные"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.can_see_all:
            self.responsible_choices = list(assignable_users())
        else:
            del self.fields["responsible"]
            self.responsible_choices = []

    def clean_responsible(self) -> int | str | None:
        value = (self.cleaned_data.get("responsible") or "").strip()
        if value == "none":
            return value
        return int(value) if value.isdigit() else None

    def query(self) -> InboxQuery:
        data = self.cleaned_data if self.is_valid() else {}
        source = data.get("source")
        return InboxQuery(
            status=data.get("status"), source_id=source.pk if source else None,
            responsible=data.get("responsible"), date_from=data.get("date_from"),
            date_to=data.get("date_to"), repeat=data.get("repeat") or "",
            overdue=bool(data.get("overdue")), search=data.get("q") or "",
        )

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(v not in (None, "", False)
                                       for v in self.cleaned_data.values())


class JunkForm(forms.Form):
    reason = forms.ModelChoiceField(
        lead_junk_reasons(), label=_("Причина"), empty_label=_("— выберите причину —"),
        error_messages={"required": _("Выберите причину: без неё лид не закрыть.")})
    comment = forms.CharField(label=_("Комментарий"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class BulkForm(forms.Form):
    ACTIONS = [("assign", _("Назначить ответственного")),
               ("junk", _("Закрыть как некачественные"))]
    action = forms.ChoiceField(label=_("Действие"), choices=ACTIONS)
    ids = forms.TypedMultipleChoiceField(coerce=int, required=True, label=_("Лиды"),
                                         error_messages={"required": _("Отметьте лиды в списке.")})
    responsible = UserChoiceField(assignable_users(), label=_("Кому"), required=False,
                                  empty_label=_("— выберите —"))
    reason = forms.ModelChoiceField(lead_junk_reasons(), label=_("Причина"), required=False,
                                    empty_label=_("— причина —"))
    comment = forms.CharField(label=_("Комментарий"), required=False, max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; which of them the user may touch is the selector's job.
        self.fields["ids"].choices = [(v, v) for v in self.data.getlist("ids")
                                      if str(v).isdigit()] if self.data else []

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("responsible"):
            self.add_error("responsible", _("Выберите, кому передать лиды."))
        if data.get("action") == "junk" and not data.get("reason"):
            self.add_error("reason", _("Выберите причину: без неё лид не закрыть."))
        return data


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Комментарий"), max_length=10000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Напишите комментарий.")})


class AssignForm(forms.Form):
    responsible = UserChoiceField(assignable_users(), label=_("Ответственный"),
                                  empty_label=_("— выберите —"))
    reason_text = forms.CharField(label=_("Почему"), required=False, max_length=255)
