"""Seed the dictionaries with Bitrix24-compatible codes and Russian names."""

from django.db import migrations

SOURCES = [
    # Bitrix24 SOURCE_ID codes
    ("CALL", "Звонок"),
    ("EMAIL", "Электронная почта"),
    ("WEB", "Веб-сайт"),
    ("WEBFORM", "CRM-форма"),
    ("CALLBACK", "Обратный звонок"),
    ("ADVERTISING", "Реклама"),
    ("PARTNER", "Существующий клиент"),
    ("RECOMMENDATION", "По рекомендации"),
    ("TRADE_SHOW", "Выставка"),
    ("STORE", "Интернет-магазин"),
    ("REPEAT_SALE", "Повторные продажи"),
    ("OTHER", "Другое"),
    # the advertising channels of the seeds
    ("AVITO", "Авито"),
    ("2GIS", "2ГИС"),
    ("YANDEX_MAPS", "Яндекс.Карты"),
    ("YULA", "Юла"),
    ("SITE", "Сайт"),
    ("YANDEX_DIRECT", "Яндекс.Директ"),
    ("SEO", "SEO"),
    ("SOCIAL", "Соцсети"),
    ("DIRECT", "Прямой заход"),
]

LEAD_STATUSES = [
    ("NEW", "Новый", "process", "#39a8ef", 10),
    ("IN_PROCESS", "В работе", "process", "#ffa900", 20),
    ("CONVERTED", "Сконвертирован", "success", "#7bd500", 30),
    ("JUNK", "Некачественный", "failure", "#ff5752", 40),
]

MAIN_STAGES = [
    ("NEW", "Новая", "process", "#39a8ef", 10),
    ("PREPARATION", "Подготовка документов", "process", "#2fc6f6", 20),
    ("PREPAYMENT_INVOICE", "Счёт на предоплату", "process", "#55d0e0", 30),
    ("EXECUTING", "В работе", "process", "#47e4c2", 40),
    ("FINAL_INVOICE", "Финальный счёт", "process", "#ffa900", 50),
    ("WON", "Сделка успешна", "success", "#7bd500", 60),
    ("LOSE", "Сделка провалена", "failure", "#ff5752", 70),
]

LEAD_JUNK_REASONS = [
    ("SPAM", "Спам, реклама"),
    ("WRONG_NUMBER", "Ошиблись номером"),
    ("NO_ANSWER", "Не дозвонились"),
    ("NOT_OUR_PROFILE", "Не наш профиль"),
    ("DUPLICATE", "Дубль"),
    ("PRICE", "Не устроила цена"),
    ("OTHER", "Другое"),
]

DEAL_LOSS_REASONS = [
    ("PRICE", "Дорого"),
    ("COMPETITOR", "Выбрали конкурента"),
    ("NO_NEED", "Пропала потребность"),
    ("NO_ANSWER", "Клиент пропал"),
    ("OTHER", "Другое"),
]


def seed(apps, schema_editor):
    Source = apps.get_model("crm", "Source")
    LeadStatus = apps.get_model("crm", "LeadStatus")
    Pipeline = apps.get_model("crm", "Pipeline")
    Stage = apps.get_model("crm", "Stage")
    CloseReason = apps.get_model("crm", "CloseReason")
    CrmSettings = apps.get_model("crm", "CrmSettings")

    for sort, (code, name) in enumerate(SOURCES, start=1):
        Source.objects.get_or_create(code=code, defaults={"name": name, "sort": sort * 10})
    for code, name, semantics, color, sort in LEAD_STATUSES:
        LeadStatus.objects.get_or_create(
            code=code, defaults={"name": name, "semantics": semantics, "color": color, "sort": sort}
        )
    main, _ = Pipeline.objects.get_or_create(
        code="MAIN", defaults={"name": "Главное", "sort": 10, "is_default": True}
    )
    for code, name, semantics, color, sort in MAIN_STAGES:
        Stage.objects.get_or_create(
            pipeline=main, code=code,
            defaults={"name": name, "semantics": semantics, "color": color, "sort": sort},
        )
    for entity, reasons in (("lead", LEAD_JUNK_REASONS), ("deal", DEAL_LOSS_REASONS)):
        for sort, (code, name) in enumerate(reasons, start=1):
            CloseReason.objects.get_or_create(
                entity=entity, code=code, defaults={"name": name, "sort": sort * 10}
            )
    CrmSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
