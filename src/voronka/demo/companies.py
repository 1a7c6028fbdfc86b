"""Client companies of a Moscow truck-pass agency: carriers, builders, distributors.

Requisites are generated with correct check digits (the same algorithms that
`voronka.crm.requisites` verifies), so a demo company passes `full_clean()`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from voronka.demo.people import Person, translit

# (ИНН region + tax office prefix, city for the legal address). Moscow and the
# neighbouring regions, where the carriers that need passes into Moscow are registered.
TAX_OFFICES = (
    ("7701", "г. Москва"), ("7704", "г. Москва"), ("7713", "г. Москва"), ("7720", "г. Москва"),
    ("7722", "г. Москва"), ("7724", "г. Москва"), ("7727", "г. Москва"), ("7729", "г. Москва"),
    ("7734", "г. Москва"), ("7743", "г. Москва"), ("7751", "г. Москва"),
    ("5003", "Московская обл., г. Видное"), ("5009", "Московская обл., г. Домодедово"),
    ("5012", "Московская обл., г. Балашиха"), ("5027", "Московская обл., г. Люберцы"),
    ("5029", "Московская обл., г. Мытищи"), ("5036", "Московская обл., г. Подольск"),
    ("5047", "Московская обл., г. Химки"), ("5050", "Московская обл., г. Щёлково"),
    ("7104", "г. Тула"), ("3328", "г. Владимир"), ("4027", "г. Калуга"), ("6234", "г. Рязань"),
    ("6950", "г. Тверь"), ("7604", "г. Ярославль"),
)
STREETS = (
    "ул. Складочная", "Дмитровское ш.", "ул. Рябиновая", "Каширское ш.", "ул. Промышленная",
    "ул. Ленинградская", "ул. Заводская", "Варшавское ш.", "ул. Транспортная",
    "ул. Магистральная", "ул. Электродная", "Волгоградский пр-т", "ул. Станционная",
    "ул. Южная промзона", "ул. Индустриальная", "Ярославское ш.", "ул. Логистическая",
)
_BRAND_HEADS = (
    "Транс", "Авто", "Грузо", "Карго", "Строй", "Логист", "Экспресс", "Спец", "Евро", "Гранд",
    "Мега", "Техно", "Агро", "Сибирь", "Волга", "Центр", "Север", "Юг", "Альфа", "Стандарт",
)
_BRAND_TAILS = (
    "Лайн", "Сервис", "Логистик", "Трейд", "Вектор", "Магистраль", "Терминал", "Пром", "Снаб",
    "Маркет", "Групп", "Ресурс", "Транзит", "Тех", "Партнёр", "Перевозчик", "Флот", "Поставка",
)
# Whole-word brands that read naturally alone.
_BRANDS_ALONE = (
    "Меридиан", "Магистраль", "Континент", "Вектор", "Регион", "Авангард", "Фаворит",
    "Партнёр", "Гарант", "Пульс", "Импульс", "Атлант", "Ладога", "Зенит", "Восход", "Орион",
)
POSTS = ("Логист", "Директор", "Генеральный директор", "Начальник транспортного отдела",
         "Диспетчер", "Менеджер по логистике", "Механик", "Офис-менеджер", "Заместитель директора")


@dataclass(frozen=True, slots=True)
class CompanyData:
    title: str
    inn: str
    kpp: str
    ogrn: str
    legal_address: str
    domain: str  # for corporate e-mail; empty for a sole trader

    @property
    def is_sole_trader(self) -> bool:
        return len(self.inn) == 12


def _check(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10)


def inn10(rng: random.Random, prefix: str) -> str:
    """A valid 10-digit (organisation) ИНН starting with a tax office code."""
    body = prefix + f"{rng.randrange(100_000):05d}"
    return body + _check(body, (2, 4, 10, 3, 5, 9, 4, 6, 8))


def inn12(rng: random.Random, prefix: str) -> str:
    """A valid 12-digit (person, sole trader) ИНН."""
    body = prefix + f"{rng.randrange(1_000_000):06d}"
    body += _check(body, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
    return body + _check(body, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))


def ogrn(rng: random.Random, region: str) -> str:
    """ОГРН: sign 1/5, year of registration, region, number, check digit (mod 11)."""
    body = f"{rng.choice('15')}{rng.randint(2, 24):02d}{region}{rng.randrange(10_000_000):07d}"
    return body + str(int(body) % 11 % 10)


def ogrnip(rng: random.Random, region: str) -> str:
    """ОГРНИП: sign 3, year, region, number, check digit (mod 13)."""
    body = f"3{rng.randint(4, 24):02d}{region}{rng.randrange(1_000_000_000):09d}"
    return body + str(int(body) % 13 % 10)


def _brand(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(_BRANDS_ALONE)
    head, tail = rng.choice(_BRAND_HEADS), rng.choice(_BRAND_TAILS)
    return head + tail.lower() if rng.random() < 0.5 else head + tail


def company_random(rng: random.Random, owner: Person) -> CompanyData:
    """An ООО/АО (with КПП) or a sole trader ИП named after `owner` (without КПП)."""
    prefix, city = rng.choice(TAX_OFFICES)
    region = prefix[:2]
    address = (f"{city}, {rng.choice(STREETS)}, д. {rng.randint(1, 120)}"
               + (f", стр. {rng.randint(1, 9)}" if rng.random() < 0.4 else ""))
    if rng.random() < 0.3:
        initials = " ".join(f"{p[0]}." for p in (owner.first, owner.middle) if p)
        return CompanyData(title=f"ИП {owner.last} {initials}", inn=inn12(rng, prefix), kpp="",
                           ogrn=ogrnip(rng, region), legal_address=address, domain="")
    brand = _brand(rng)
    form = "АО" if rng.random() < 0.07 else "ООО"
    domain = translit(brand).replace(" ", "") + rng.choice((".ru", ".ru", ".ru", ".com", ".su"))
    # КПП: the tax office of the ИНН, reason code 01 (registration at the address), 001.
    return CompanyData(title=f"{form} «{brand}»", inn=inn10(rng, prefix), kpp=f"{prefix}01001",
                       ogrn=ogrn(rng, region), legal_address=address, domain=domain)


def email_corporate(rng: random.Random, person: Person, domain: str) -> str:
    local = rng.choice((
        f"{translit(person.first)[0]}.{translit(person.last)}", translit(person.last),
        "logist", "info", "zakaz", "office", "dispetcher",
    ))
    return f"{local}@{domain}"
