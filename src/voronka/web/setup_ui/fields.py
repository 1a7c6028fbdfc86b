"""Form pieces shared by the settings forms: the base form, list-per-line fields, secrets."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.utils.translation import gettext_lazy as _


class SettingsForm(forms.ModelForm):
    """Base of every settings form.

    The view passes the signed-in admin as `acting_user` (some rules depend on who edits,
    e.g. an admin may not deactivate themself). `locked_on_edit` fields identify the item
    elsewhere (the set-up file, webhook URLs, stored values), so they are fixed once saved.
    The model's own rules (`clean()`, validators, unique constraints) run through the
    ModelForm's full_clean, exactly as `voronka setup apply` runs them.
    """

    locked_on_edit: tuple[str, ...] = ()

    def __init__(self, *args, acting_user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        if self.instance.pk:
            for name in self.locked_on_edit:
                if name in self.fields:
                    self.fields[name].disabled = True
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "checkbox")


class LinesField(forms.CharField):
    """A list of strings edited as a textarea, one value per line (JSON list in the model)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def has_changed(self, initial, data) -> bool:
        return (initial or []) != self.to_python(data)


class ColorInput(forms.TextInput):
    input_type = "color"


class SecretFieldsMixin:
    """Passwords and API keys: never sent back to the browser; empty on edit keeps the old one.

    The stored value is shown masked («••••3f9a») in the help text so an admin can tell which
    key is saved without revealing it.
    """

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
            stored = getattr(self.instance, name, "")
            if self.instance.pk and stored:
                field.help_text = _("Сохранено: %(mask)s. Оставьте пустым, чтобы не менять.") % {
                    "mask": mask(stored)}

    def _post_clean(self) -> None:
        # An empty secret on edit means "keep": restore it before the model is validated.
        if self.instance.pk:
            rows = type(self.instance).objects.filter(pk=self.instance.pk)
            stored = rows.values(*self.secret_fields).first()
            for name in self.secret_fields:
                if not self.cleaned_data.get(name) and stored:
                    self.cleaned_data[name] = stored[name]
        super()._post_clean()


def mask(secret: str) -> str:
    """«••••3f9a»: enough to recognise a key, too little to use it."""
    return "••••" + (secret[-4:] if len(secret) >= 12 else "")


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]


WEEKDAYS = [(1, _("Пн")), (2, _("Вт")), (3, _("Ср")), (4, _("Чт")), (5, _("Пт")), (6, _("Сб")), (7, _("Вс"))]
