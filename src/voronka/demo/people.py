"""Russian people for the demo: names, phones and e-mails, drawn from a seeded Random.

Phones are produced already normalised (E.164) together with a value written the way
Russians type it, so the generator never has to call `phonenumbers` per row (a million
leads would spend most of their time there). The tests check that
`voronka.crm.normalization` agrees with every value written here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

MALE_NAMES = (
    "Александр", "Алексей", "Андрей", "Антон", "Артём", "Борис", "Вадим", "Валерий",
    "Василий", "Виктор", "Виталий", "Владимир", "Владислав", "Вячеслав", "Геннадий",
    "Георгий", "Денис", "Дмитрий", "Евгений", "Егор", "Иван", "Игорь", "Илья", "Кирилл",
    "Константин", "Леонид", "Максим", "Михаил", "Никита", "Николай", "Олег", "Павел",
    "Роман", "Руслан", "Сергей", "Станислав", "Степан", "Тимур", "Фёдор", "Юрий",
)
FEMALE_NAMES = (
    "Алина", "Алла", "Анастасия", "Анна", "Валентина", "Вера", "Виктория", "Галина",
    "Дарья", "Евгения", "Екатерина", "Елена", "Жанна", "Ирина", "Кристина", "Лариса",
    "Людмила", "Марина", "Мария", "Надежда", "Наталья", "Оксана", "Ольга", "Светлана",
    "Татьяна", "Юлия",
)
# Surnames in the masculine form; `_feminine` derives the feminine one.
SURNAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов",
    "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв",
    "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв",
    "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров",
    "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов",
    "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
    "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев",
    "Фомин", "Чернов", "Абрамов", "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров",
    "Калинин", "Исаев", "Чернышёв", "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев",
    "Воронин", "Климов", "Филатов", "Пономарёв", "Голубев", "Кудрявцев", "Прохоров",
    "Наумов", "Потапов", "Журавлёв", "Овчинников", "Трофимов", "Леонов", "Соболев",
    "Ермаков", "Колесников", "Гончаров", "Емельянов", "Никифоров", "Грачёв", "Котов",
    "Гришин", "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев", "Панов", "Моисеев",
    "Румянцев", "Акимов", "Кондратьев", "Бирюков", "Горбунов", "Анисимов", "Еремин",
    "Тихомиров", "Галкин", "Лукьянов", "Михеев", "Скворцов", "Юдин", "Белоусов",
    "Нестеров", "Симонов", "Прокофьев", "Харитонов", "Князев", "Цветков", "Левин",
    "Митрофанов", "Воронцов", "Шубин", "Ковальчук", "Шевченко", "Бондаренко", "Кравец",
)
# (masculine, feminine) patronymics.
PATRONYMICS = (
    ("Александрович", "Александровна"), ("Алексеевич", "Алексеевна"),
    ("Андреевич", "Андреевна"), ("Анатольевич", "Анатольевна"), ("Борисович", "Борисовна"),
    ("Васильевич", "Васильевна"), ("Викторович", "Викторовна"),
    ("Владимирович", "Владимировна"), ("Геннадьевич", "Геннадьевна"),
    ("Дмитриевич", "Дмитриевна"), ("Евгеньевич", "Евгеньевна"), ("Иванович", "Ивановна"),
    ("Игоревич", "Игоревна"), ("Константинович", "Константиновна"),
    ("Михайлович", "Михайловна"), ("Николаевич", "Николаевна"), ("Олегович", "Олеговна"),
    ("Павлович", "Павловна"), ("Петрович", "Петровна"), ("Романович", "Романовна"),
    ("Сергеевич", "Сергеевна"), ("Юрьевич", "Юрьевна"), ("Фёдорович", "Фёдоровна"),
    ("Валерьевич", "Валерьевна"),
)

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
PERSONAL_DOMAINS = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "list.ru",
                    "rambler.ru", "ya.ru")
_PERSONAL_DOMAIN_WEIGHTS = (34, 30, 16, 6, 5, 4, 3, 2)

# Mobile prefixes of the big four operators (all 9xx numbers are mobile in Russia).
MOBILE_PREFIXES = (
    "900", "901", "902", "903", "904", "905", "906", "909", "910", "911", "912", "915",
    "916", "917", "919", "920", "921", "925", "926", "929", "930", "936", "950", "951",
    "952", "953", "958", "960", "961", "962", "963", "964", "965", "966", "967", "968",
    "977", "980", "985", "987", "999",
)
# Moscow, Moscow region and St Petersburg landlines: the clients are carriers around Moscow.
LANDLINE_PREFIXES = ("495", "495", "495", "499", "499", "498", "496", "812")


def translit(text: str) -> str:
    """Latin spelling of a Russian word, as people use it in e-mail addresses and domains."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


def _feminine(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ский"):
        return surname[:-2] + "ая"
    return surname  # Ковальчук, Шевченко: the same for women


@dataclass(frozen=True, slots=True)
class Person:
    first: str
    last: str
    middle: str
    female: bool

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.last, self.first, self.middle) if p)

    @property
    def short(self) -> str:
        """`Иванов С. П.` — how a client is named in deal titles."""
        initials = " ".join(f"{p[0]}." for p in (self.first, self.middle) if p)
        return f"{self.last} {initials}".strip()


def person_random(rng: random.Random) -> Person:
    # Truck owners and logisticians are mostly men; office managers who write in are not.
    female = rng.random() < 0.27
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    surname = rng.choice(SURNAMES)
    middle_m, middle_f = rng.choice(PATRONYMICS)
    return Person(first=first, last=_feminine(surname) if female else surname,
                  middle=middle_f if female else middle_m, female=female)


def email_personal(rng: random.Random, person: Person) -> str:
    """A personal mailbox such as `s.ivanov84@mail.ru` (sometimes with capitals, as typed)."""
    first, last = translit(person.first), translit(person.last)
    style = rng.randrange(5)
    if style == 0:
        local = f"{first}.{last}"
    elif style == 1:
        local = f"{first[0]}.{last}{rng.randint(70, 99)}"
    elif style == 2:
        local = f"{last}{rng.randint(1, 999)}"
    elif style == 3:
        local = f"{first}_{last[:4]}{rng.randint(80, 2005)}"
    else:
        local = f"{last}.{first[0]}"
    domain = rng.choices(PERSONAL_DOMAINS, _PERSONAL_DOMAIN_WEIGHTS)[0]
    address = f"{local}@{domain}"
    return address.capitalize() if rng.random() < 0.1 else address


@dataclass(frozen=True, slots=True)
class Phone:
    value: str  # as written by the client or sent by the PBX
    e164: str
    extension: str
    mobile: bool

    @property
    def display(self) -> str:
        return phone_display(self.e164)


def phone_display(e164: str) -> str:
    """`+7 900 123-45-67`: the same text `crm.normalization.phone_format` gives for +7 numbers."""
    d = e164[2:]
    return f"+7 {d[:3]} {d[3:6]}-{d[6:8]}-{d[8:]}"


def _written(rng: random.Random, digits: str, *, from_pbx: bool) -> str:
    """The ten national digits written one of the ways Russians write them."""
    a, b, c, d = digits[:3], digits[3:6], digits[6:8], digits[8:]
    if from_pbx:
        # PBX webhooks send bare international digits or E.164.
        return f"7{digits}" if rng.random() < 0.5 else f"+7{digits}"
    style = rng.randrange(6)
    return (
        f"+7 ({a}) {b}-{c}-{d}", f"8 ({a}) {b}-{c}-{d}", f"8 {a} {b} {c} {d}", f"+7{digits}",
        f"8{digits}", f"+7 {a} {b}-{c}-{d}",
    )[style]


def phone_random(rng: random.Random, *, mobile: bool, from_pbx: bool = False) -> Phone:
    prefix = rng.choice(MOBILE_PREFIXES if mobile else LANDLINE_PREFIXES)
    # Subscriber numbers do not start with 0 or 1 (those are trunk and service prefixes).
    digits = f"{prefix}{rng.randint(2, 9)}{rng.randrange(1_000_000):06d}"
    value = _written(rng, digits, from_pbx=from_pbx)
    extension = ""
    if not mobile and not from_pbx and rng.random() < 0.2:
        extension = str(rng.randint(100, 499))
        value = f"{value} доб. {extension}"
    return Phone(value=value, e164=f"+7{digits}", extension=extension, mobile=mobile)
