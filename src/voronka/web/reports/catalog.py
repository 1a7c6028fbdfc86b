"""What each report is for, in one line (the cards of /reports/), and the models' names.

The builder's column names live in the backend (`voronka.analytics.builder`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

DESCRIPTIONS = {
    "leads-by-status": _("Сколько лидов пришло в периоде и в каких статусах они сейчас."),
    "leads-by-source": _("Лиды по источникам: доля каждого, доля некачественных, конверсия в сделку."),
    "leads-by-manager": _("Лиды по ответственным менеджерам: сколько получено и сконвертировано."),
    "funnel": _("Воронка от лида до выигранной сделки — по когорте или по событиям периода."),
    "channels": _("Расход, лиды, сделки и выручка по каналам: CPL, CAC, ROI, ROMI, ДРР."),
    "channel-campaigns": _("То же, что «Деньги по каналам», с разбивкой по рекламным кампаниям."),
    "managers": _("Скорость первой реакции, нарушения SLA, конверсия, выручка и допродажи менеджеров."),
    "ltv": _("Сколько приносят клиенты за всё время, по каналу, который привёл их впервые."),
    "attribution": _("Выручка выигранных сделок, распределённая по касаниям клиента (6 моделей)."),
}

MODEL_LABELS = {
    "cohort": _("по когорте"),
    "event": _("по событиям"),
    "first_touch": _("по первому касанию"),
    "last_touch": _("по последнему касанию"),
    "last_non_direct": _("по последнему непрямому касанию"),
    "linear": _("линейная"),
    "position_based": _("с учётом позиции 40/20/40"),
    "time_decay": _("с затуханием во времени"),
}

MODEL_FIELD_LABELS = {"funnel": _("Как считать"), "attribution": _("Модель атрибуции")}
