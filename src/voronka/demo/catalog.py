"""What the demo business sells and where its requests come from.

The business is the one of seed 003: an agency in Moscow that arranges entry passes for
trucks (МКАД, ТТК, Садовое кольцо). Weights and junk rates are plausible for such a
firm: most calls from classifieds and maps are junk, recommendations rarely are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

BUSINESS_NAME = "«ПропускМСК» — пропуска для грузовиков в Москву"
SITE = "https://propusk-msk.example"

# How a request arrived: decides the lead title, its communications and tracking fields.
CALL, MISSED, EMAIL, FORM, CHAT = "call", "missed", "email", "form", "chat"


@dataclass(frozen=True, slots=True)
class Channel:
    code: str  # Source.code seeded by crm migration 0002
    weight: float  # share of inbound requests
    junk: float  # probability that a closed new lead is junk
    kinds: tuple[tuple[str, float], ...]
    tracked_numbers: tuple[str, ...] = ()  # call-tracking numbers the calls came to
    description: str = ""
    web: bool = False  # carries UTM tags and a visit


CHANNELS: tuple[Channel, ...] = (
    Channel("AVITO", 22, 0.94, ((CALL, 58), (MISSED, 7), (CHAT, 35)), ("+74951500101",),
            "Объявление «Пропуска на МКАД, ТТК, СК для грузовиков»"),
    Channel("YANDEX_DIRECT", 19, 0.89, ((CALL, 45), (MISSED, 5), (FORM, 40), (EMAIL, 10)),
            ("+74951500211", "+74951500212", "+74951500213", "+74951500214", "+74951500215"),
            web=True),
    Channel("2GIS", 9, 0.88, ((CALL, 85), (MISSED, 15)), ("+74951500102",),
            "Карточка компании в 2ГИС"),
    Channel("YANDEX_MAPS", 8, 0.87, ((CALL, 85), (MISSED, 15)), ("+74951500103",),
            "Карточка организации на Яндекс.Картах"),
    Channel("SEO", 9, 0.86, ((CALL, 45), (MISSED, 5), (FORM, 35), (EMAIL, 15)),
            ("+74951500221", "+74951500222"), web=True),
    Channel("SITE", 7, 0.87, ((CALL, 50), (FORM, 35), (EMAIL, 15)), ("+74951500105",),
            web=True),
    Channel("YULA", 3, 0.96, ((CALL, 50), (CHAT, 50)), ("+74951500104",),
            "Объявление «Пропуск на МКАД за 1 день»"),
    Channel("SOCIAL", 4, 0.92, ((FORM, 40), (CHAT, 40), (CALL, 20)), ("+74951500231",),
            web=True),
    Channel("DIRECT", 5, 0.84, ((CALL, 60), (FORM, 25), (EMAIL, 15)), ("+74951500241",),
            web=True),
    Channel("CALL", 6, 0.88, ((CALL, 85), (MISSED, 15)), ("+74951500100",)),
    Channel("EMAIL", 3, 0.92, ((EMAIL, 100),)),
    Channel("WEBFORM", 3, 0.84, ((FORM, 100),)),
    Channel("RECOMMENDATION", 2, 0.6, ((CALL, 100),), ("+74951500109",),
            "Рекомендация клиента"),
)
# Our lines (intake TrackedNumber): number -> (campaign, where it is printed). Every number
# belongs to one channel, so a call's line tells its source, as the intake attributes it.
LINES: dict[str, tuple[str, str]] = {
    "+74951500100": ("", "Основной номер офиса: визитки, документы, вывеска"),
    "+74951500101": ("avito_propusk_mkad", "Объявление на Авито"),
    "+74951500102": ("2gis_card", "Карточка компании в 2ГИС"),
    "+74951500103": ("yandex_maps_card", "Карточка организации на Яндекс.Картах"),
    "+74951500104": ("yula_propusk_1day", "Объявление на Юле"),
    "+74951500105": ("site_header", "Номер в шапке сайта (без подмены)"),
    "+74951500109": ("", "Номер на визитках для рекомендаций"),
    **{f"+7495150021{i}": ("direct_calltracking", f"Яндекс.Директ: подменный номер {i}")
       for i in range(1, 6)},
    **{f"+7495150022{i}": ("seo_calltracking", f"Поиск: подменный номер {i}")
       for i in range(1, 3)},
    "+74951500231": ("social_calltracking", "ВКонтакте и Telegram: подменный номер"),
    "+74951500241": ("direct_visits_calltracking", "Прямые заходы на сайт: подменный номер"),
}
# First-response deadlines (intake SlaRule), working minutes; the rest get the default.
SLA_MINUTES = {"AVITO": 10, "YULA": 10, "2GIS": 10, "YANDEX_MAPS": 10, "YANDEX_DIRECT": 10,
               "CALL": 10, "RECOMMENDATION": 10, "EMAIL": 60, "WEBFORM": 30}
SLA_DEFAULT_MINUTES = 15
MAILBOX = "zakaz@propusk-msk.example"

JUNK_REASONS = {  # CloseReason(entity="lead").code -> (weight, typical comments)
    "NO_ANSWER": (25, ("Три попытки дозвона, трубку не берёт", "Не отвечает ни на звонки, ни в WhatsApp")),
    "NOT_OUR_PROFILE": (22, ("Нужен пропуск для легковой машины", "Искали грузовое такси",
                             "Спрашивали про эвакуатор", "Нужна растаможка, не к нам")),
    "SPAM": (18, ("Предлагали SEO-продвижение", "Робот-обзвон, реклама кредитов",
                  "Предложение рекламы на Авито")),
    "WRONG_NUMBER": (12, ("Ошиблись номером", "Искали автосервис")),
    "PRICE": (10, ("Дорого, ищут дешевле", "Хотели пропуск за 2 000 ₽")),
    "DUPLICATE": (8, ("Дубль: клиент уже в работе", "Повторный звонок по тому же вопросу")),
    "OTHER": (5, ("Передумали", "Машина продана")),
}
# For repeat requests of known clients the reasons are different.
REPEAT_JUNK_REASONS = {"DUPLICATE": 40, "PRICE": 25, "NO_ANSWER": 20, "OTHER": 15}
LOSS_REASONS = {  # CloseReason(entity="deal").code -> (weight, comments)
    "PRICE": (35, ("Нашли дешевле", "Не согласовали бюджет")),
    "COMPETITOR": (25, ("Ушли к конкурентам, обещали быстрее", "Оформили через знакомых")),
    "NO_ANSWER": (20, ("Клиент пропал после счёта", "Не выходит на связь")),
    "NO_NEED": (15, ("Машину продали", "Маршрут больше не через Москву")),
    "OTHER": (5, ("Отказ в выдаче по экоклассу",)),
}


@dataclass(frozen=True, slots=True)
class Service:
    title: str
    price_min: int  # ₽ per vehicle
    price_max: int
    weight: float
    page: str  # landing page on the site


SERVICES: tuple[Service, ...] = (
    Service("Годовой пропуск на МКАД", 9_000, 18_000, 30, "/mkad/"),
    Service("Годовой пропуск в ТТК", 16_000, 28_000, 22, "/ttk/"),
    Service("Разовый пропуск", 3_000, 6_000, 17, "/razovyj/"),
    Service("Годовой пропуск в СК", 26_000, 45_000, 10, "/sk/"),
    Service("Продление годового пропуска", 6_000, 14_000, 11, "/prodlenie/"),
    Service("Диагностическая карта и пропуск", 12_000, 22_000, 6, "/diagnostika/"),
    Service("Восстановление аннулированного пропуска", 9_000, 20_000, 4, "/annulirovan/"),
)
_SERVICE_WEIGHTS = tuple(s.weight for s in SERVICES)
MAX_AMOUNT = 300_000
VEHICLES = ("Газель", "ГАЗон Next", "Валдай", "Hyundai HD78", "Isuzu Elf", "КАМАЗ", "MAN TGS",
            "Volvo FH", "Scania R", "Mercedes Actros", "Fuso Canter", "Foton")

SEARCH_TERMS = ("пропуск на мкад для грузовика", "пропуск в ттк", "оформить пропуск мкад",
                "пропуск на садовое кольцо грузовик", "годовой пропуск мкад цена",
                "разовый пропуск на мкад", "пропуск для газели в москву")
DIRECT_CAMPAIGNS = ("propusk_mkad_search", "propusk_ttk_search", "propusk_sk_search",
                    "propusk_rsya", "brand_search", "retargeting_30d")
SOCIAL_CAMPAIGNS = (("vk", "cpc", "vk_target_voditeli"), ("vk", "social", "vk_group_posts"),
                    ("telegram", "social", "tg_logistika_channel"))

DEAL_COMMENTS = ("Документы получены, подали заявку", "Ждём оплату по счёту",
                 "Клиент просит ускорить, пропуск нужен к понедельнику",
                 "Запросили СТС и ПТС, отправили список документов",
                 "Пропуск одобрен, ждём выдачу", "Нужна диагностическая карта — согласовали")
LEAD_COMMENTS = ("Перезвонить после обеда", "Просит прислать прайс на почту",
                 "Уточняет экокласс машины", "Сравнивает с конкурентами",
                 "Ждёт решения руководителя")
BP_NAME = "Создать копию ЛИД + Сделка"


def pick(rng: random.Random, weighted: dict[str, float] | tuple[tuple[str, float], ...]) -> str:
    items = weighted.items() if isinstance(weighted, dict) else weighted
    keys, weights = zip(*((k, w[0] if isinstance(w, tuple) else w) for k, w in items),
                        strict=True)
    return rng.choices(keys, weights)[0]


def service_random(rng: random.Random) -> Service:
    return rng.choices(SERVICES, _SERVICE_WEIGHTS)[0]


def vehicles_count(rng: random.Random, *, legal: bool) -> int:
    """A person has one truck; a carrier orders passes for part of its fleet."""
    if not legal:
        return 1
    return rng.choices((1, 2, 3, 4, 6, 8, 12), (45, 20, 12, 9, 6, 5, 3))[0]


def amount_random(rng: random.Random, service: Service, vehicles: int) -> int:
    """Price in whole roubles, rounded to 500 ₽, within 3 000–300 000 ₽."""
    per_vehicle = rng.randint(service.price_min, service.price_max)
    total = per_vehicle * vehicles
    if vehicles > 3:
        total = int(total * 0.9)  # a fleet discount
    return max(3_000, min(MAX_AMOUNT, round(total / 500) * 500))


def _lower_first(text: str) -> str:
    # Only the first letter: "Годовой пропуск на МКАД" -> "годовой пропуск на МКАД".
    return text[0].lower() + text[1:]


def machines(count: int) -> str:
    """`2 машины`, `6 машин`: Russian plural after a number."""
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return f"{count} машины"
    if count % 10 == 1 and count % 100 != 11:
        return f"{count} машину"
    return f"{count} машин"


def request_text(rng: random.Random, service: Service, vehicles: int) -> str:
    """What the client wrote in the form or the e-mail."""
    vehicle = rng.choice(VEHICLES)
    # The service name is quoted or leads the sentence, so no noun has to agree with it.
    if vehicles > 1:
        return (f"{service.title} на {machines(vehicles)} ({vehicle} и др.). "
                "Пришлите стоимость и сроки, пожалуйста.")
    return rng.choice((
        f"{service.title} для {vehicle}, экокласс {rng.choice((4, 5, 5))}. Сколько стоит?",
        f"Здравствуйте! Интересует услуга «{service.title}», машина {vehicle}. "
        "Какие документы нужны?",
        f"{service.title}: сколько по времени оформление? Машина {vehicle}.",
    ))


def email_subject(rng: random.Random, service: Service, vehicles: int) -> str:
    if vehicles > 1:
        return f"Запрос стоимости: {_lower_first(service.title)} на {machines(vehicles)}"
    return rng.choice((service.title, f"Вопрос: {_lower_first(service.title)}",
                       "Оформление пропуска", "Пропуск для грузовика"))
