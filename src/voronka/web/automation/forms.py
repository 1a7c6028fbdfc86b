"""The task form of a lead or deal card."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class TaskForm(forms.Form):
    """Its inputs are written out in web/automation/_task_form.html (named task-…)."""

    title = forms.CharField(label=_("Что сделать"), max_length=255)
    deadline = forms.DateTimeField(label=_("Срок"), required=False,
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    remind_at = forms.DateTimeField(label=_("Напомнить"), required=False,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args, prefix: str = "task", **kwargs) -> None:
        super().__init__(*args, prefix=prefix, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        deadline, remind_at = data.get("deadline"), data.get("remind_at")
        if deadline and remind_at and remind_at > deadline:
            raise ValidationError({"remind_at": _("Напоминание должно быть не позже срока.")})
        return data
